/**
 * The offline plan: a fixture program's plan, byte-identical runs (one in a fresh process, as `npm run plan` starts
 * it, the end-to-end run of this command), comparison of two plans, guardrail failure and exit codes, and the real dev
 * stack passing every guardrail. The other command-line cases run the command's function in this process.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../lib/config";
import { comparePlans, diffValues, replacingChanges } from "../scripts/core/plan/compare";
import type { PlanDocument } from "../scripts/core/plan/model";
import { type PlanTarget, planStack } from "../scripts/core/plan/run";
import { StackConfigError } from "../scripts/core/stack-config";
import { plan as planCommand } from "../scripts/plan";
import { renderComparison, renderPlan } from "../scripts/plan/render";
import { scratchDirectory } from "./support/scratch";
import { planInThread } from "./support/shared-runs";

const FIXTURE = "tests/fixtures/plan";
const ROOT = process.cwd();

/** `npm run plan -- ARGS` as its npm script starts it: scripts/plan.ts in a fresh process. */
function freshProcess(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const plans = new Map<string, Promise<PlanDocument>>();

/**
 * `planStack(target)` in the program thread (tests/support/shared-runs.ts), once per project, stack and program (an evaluation of the real
 * program costs about 0.5 s of CPU); each caller gets its own copy. The byte-identical test evaluates afresh.
 */
function sharedPlan(target: PlanTarget): Promise<PlanDocument> {
  const key = JSON.stringify([resolve(target.projectDir), target.stack, target.program ?? null]);
  let planned = plans.get(key);
  if (!planned) {
    planned = planInThread(target);
    plans.set(key, planned);
  }
  return planned.then((document) => structuredClone(document));
}

/** The command's function in this process (what scripts/plan.ts runs), with what it writes captured. */
async function cli(
  args: string[],
  planTarget: (target: PlanTarget) => Promise<PlanDocument> = sharedPlan,
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io = { out: (text: string) => (stdout += text), err: (text: string) => (stderr += text) };
  const status = await planCommand(args, io, planTarget);
  return { status, stdout, stderr };
}

function readPlan(path: string): PlanDocument {
  return JSON.parse(readFileSync(path, "utf8")) as PlanDocument;
}

describe("plan of the fixture program", () => {
  it("lists resources, access matrix, verdicts and masks secrets", async () => {
    const plan = await sharedPlan({ projectDir: FIXTURE, stack: "dev" });
    const types = plan.resources.map((resource) => resource.type);
    for (const type of [
      "azure-native:cognitiveservices:Account",
      "azure-native:compute:VirtualMachine",
      "azure-native:web:WebApp",
      "azure-native:storage:StorageAccount",
    ]) {
      assert.ok(types.includes(type), `plan declares ${type}`);
    }
    const urns = plan.resources.map((resource) => resource.urn);
    assert.deepEqual(urns, [...urns].sort(), "resources sorted by URN");

    assert.deepEqual(
      plan.access.map((row) => [row.principal, row.principalType, row.role]),
      [
        ["VirtualMachine 'vm' (managed identity)", "ServicePrincipal", "CognitiveServicesUser"],
        ["WebApp 'func' (managed identity)", "ServicePrincipal", "CognitiveServicesUser"],
        ["deployer", "User", "CognitiveServicesUser"],
      ],
    );
    assert.ok(plan.access.every((row) => row.scope.endsWith("/resourceGroups/rg-fixture")));

    assert.equal(plan.summary.failures, 0);
    assert.deepEqual([...new Set(plan.verdicts.map((verdict) => verdict.rule))].sort(), [
      "function-app-hardened",
      "linux-vm-keyless",
      "openai-entra-id-only",
      "role-assignment-least-privilege",
      "storage-keyless-private",
      "storage-min-tls-1-2",
      "vm-no-public-ip",
    ]);

    assert.equal(plan.outputs.adminNote, "[secret]", "secret output masked");
    assert.equal(plan.config["keyless-openai:adminNote"], "[secret]", "secure config masked");
    assert.equal(plan.outputs.endpoint, "https://fixture-openai.openai.azure.com/");

    const markdown = renderPlan(plan);
    assert.match(markdown, /```mermaid\nflowchart LR/);
    assert.match(markdown, /-- "CognitiveServicesUser" --> S0/);
    assert.match(markdown, /R\d -\. "system-assigned identity" \.-> P\d/);
    assert.doesNotMatch(markdown, /offline-plan-secret-placeholder/);
  });

  it("a run in a fresh process and one in this process, after other plans, are byte-identical (markdown and JSON)", async () => {
    const dir = scratchDirectory("plan-");
    const first = freshProcess(["--stack", "dev", "--project-dir", FIXTURE, "--json", join(dir, "a.json")]);
    const second = await cli(["--stack", "dev", "--project-dir", FIXTURE, "--json", join(dir, "b.json")], planStack);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(second.status, 0, second.stderr);
    assert.ok(first.stdout.length > 1000);
    assert.equal(first.stdout, second.stdout);
    assert.equal(readFileSync(join(dir, "a.json"), "utf8"), readFileSync(join(dir, "b.json"), "utf8"));
  });
});

describe("compare", () => {
  it("finds what another stack adds, removes and alters", async () => {
    const base = await sharedPlan({ projectDir: FIXTURE, stack: "dev" });
    const head = await sharedPlan({ projectDir: FIXTURE, stack: "changed" });
    const comparison = comparePlans(base, head);
    assert.equal(comparison.unchanged, false);
    assert.deepEqual(
      comparison.resources.added.map((resource) => resource.name),
      ["openai-user-alice"],
    );
    assert.deepEqual(comparison.resources.removed, []);
    assert.deepEqual(
      comparison.resources.changed.map((change) => [change.urn.split("::").pop(), change.changes, change.replacedBy]),
      [
        [
          "rg",
          [{ path: "inputs.location", before: "swedencentral", after: "westeurope" }],
          // location is create-only on every tracked ARM resource: a new region is a new resource group.
          ["inputs.location"],
        ],
      ],
    );
    assert.deepEqual(
      comparison.access.added.map((row) => row.principal),
      ["alice@contoso.com"],
    );
    assert.deepEqual(
      comparison.verdicts.added.map((verdict) => verdict.name),
      ["openai-user-alice"],
    );
    const reverse = comparePlans(head, base);
    assert.deepEqual(
      reverse.resources.removed.map((resource) => resource.name),
      ["openai-user-alice"],
    );
    assert.equal(comparePlans(base, base).unchanged, true);
  });

  it("reports verdicts that turn from pass to fail, through the CLI with --compare", async () => {
    const dir = scratchDirectory("plan-");
    const base = join(dir, "base.json");
    assert.equal((await cli(["--stack", "dev", "--project-dir", FIXTURE, "--json", base])).status, 0);
    // The base branch's plan script may predate the fields added since: such a plan still compares.
    const older = JSON.parse(readFileSync(base, "utf8")) as Record<string, unknown> & {
      access: Record<string, unknown>[];
    };
    delete older.warnings;
    delete older.unresolvedPrincipals;
    older.access = older.access.map(({ resolvedAtDeploy: _, ...row }: Record<string, unknown>) => row);
    writeFileSync(base, JSON.stringify(older));
    const head = await cli(["--stack", "insecure", "--project-dir", FIXTURE, "--compare", base, "--report-only"]);
    assert.equal(head.status, 0, head.stderr);
    // The change summary comes first, the full plan after it.
    assert.ok(head.stdout.startsWith("# Changes against the base plan\n"), head.stdout.slice(0, 200));
    const fullPlanAt = head.stdout.indexOf("# Offline plan: keyless-openai / insecure");
    assert.ok(fullPlanAt > 0, "the full plan follows the changes");
    const changes = head.stdout.slice(0, fullPlanAt);
    assert.match(changes, /\| changed \| \*\*FAIL\*\* \| `openai-entra-id-only` \|.*disableLocalAuth/);
    assert.match(changes, /\| added \| \*\*FAIL\*\* \| `role-assignment-least-privilege` \|.*Owner/);
    assert.match(changes, /`inputs\.properties\.disableLocalAuth` \| `true` \| `false`/);
    assert.match(changes, /\| added \| deployer \| `User` \| Owner \|/);
  });
});

describe("guardrail failures", () => {
  it("exit 1 and name the failures; --report-only exits 0; the JSON records them", async () => {
    const dir = scratchDirectory("plan-");
    const json = join(dir, "insecure.json");
    const failing = await cli([
      "--stack",
      "insecure",
      "--project-dir",
      FIXTURE,
      "--json",
      json,
      "--markdown",
      join(dir, "p.md"),
    ]);
    assert.equal(failing.status, 1, failing.stderr);
    assert.match(failing.stderr, /2 guardrail check\(s\) failed/);
    assert.match(failing.stdout, /\*\*2 of \d+ guardrail checks fail\*\*/);
    assert.equal(readFileSync(join(dir, "p.md"), "utf8"), failing.stdout);
    const plan = readPlan(json);
    assert.deepEqual(
      plan.verdicts.filter((verdict) => !verdict.passed).map((verdict) => [verdict.rule, verdict.name]),
      [
        ["role-assignment-least-privilege", "deployer-owner"],
        ["openai-entra-id-only", "openai"],
      ],
    );
    assert.equal((await cli(["--stack", "insecure", "--project-dir", FIXTURE, "--report-only"])).status, 0);
  });

  it("exit 2 without --stack", async () => {
    const result = await cli([]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /plan: --stack NAME is required\n(.|\n)*usage: npm run plan/);
  });
});

/**
 * The repository's dev stack as it is once `npm run models -- --stack dev --pin` has run: Pulumi.dev.yaml pins no model
 * (no model verifiable as open to new customers could be named when it was written), so the plan of the unpinned
 * file is refused with the pin command, and the pinned copy is what guardrails judge.
 */
let pinnedDev: string | undefined;

function pinnedDevProject(): string {
  pinnedDev ??= writePinnedDevProject();
  return pinnedDev;
}

function writePinnedDevProject(): string {
  const projectDir = scratchDirectory("plan-dev-");
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(projectDir, "Pulumi.yaml"));
  writeFileSync(
    join(projectDir, "Pulumi.dev.yaml"),
    `${readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")}  keyless-openai:deployments:\n    - name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=GlobalStandard,capacity=10\n`,
  );
  return projectDir;
}

describe("the real program", () => {
  it("plans the committed dev stack, which pins no model, with a placeholder deployment and a warning naming the pin", async () => {
    const plan = await sharedPlan({ projectDir: ".", stack: "dev" });
    const deployments = plan.resources.filter(
      (resource) => resource.type === "azure-native:cognitiveservices:Deployment",
    );
    assert.equal(deployments.length, 1);
    const inputs = deployments[0]?.inputs as { properties?: { model?: unknown } } | undefined;
    assert.deepEqual(inputs?.properties?.model, {
      format: "OpenAI",
      name: "pinned-at-first-deploy",
      version: "pinned-at-first-deploy",
    });
    assert.ok(
      plan.warnings.some(
        (warning) =>
          warning.includes("stack 'dev' pins no model") &&
          warning.includes("npm run deploy -- --stack dev") &&
          warning.includes("npm run models -- --stack dev --pin"),
      ),
      plan.warnings.join("\n"),
    );
    assert.deepEqual(
      plan.verdicts.filter((verdict) => !verdict.passed),
      [],
    );
    // The program itself still refuses an unpinned stack: only the plan shows the placeholder.
    assert.throws(
      () => parseConfig({}, "keyless-openai", "dev"),
      /no model deployment is pinned for stack 'dev'.*npm run models -- --stack dev --pin/,
    );
  });

  it("labels the Function App's identities in the access matrix: the host identity by its name, the site's by its resource", async () => {
    const plan = await sharedPlan({ projectDir: pinnedDevProject(), stack: "dev", program: join(ROOT, "index.ts") });
    const rowsOf = (pattern: RegExp) =>
      plan.access
        .filter((row) => pattern.test(row.principal))
        .map((row) => [row.principal, row.principalType, row.roleGuid])
        .sort();
    // Role GUIDs as Learn's "Azure built-in roles" page prints them (Storage, Monitor, AI + machine learning).
    // A user-assigned identity's principal ID is under identity.userAssignedIdentities, not identity.principalId (the
    // system-assigned place): reading only the latter labels the host's rows by the raw principal ID and fails here.
    const host = rowsOf(/^id-keyless-host-/);
    assert.equal(host.length, 3, JSON.stringify(plan.access.map((row) => row.principal)));
    assert.match(String(host[0]?.[0]), /^id-keyless-host-[a-z0-9]+ \(user-assigned, function app host\)$/);
    assert.deepEqual(host.map(([, principalType, roleGuid]) => [principalType, roleGuid]).sort(), [
      ["ServicePrincipal", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"], // Storage Table Data Contributor
      ["ServicePrincipal", "3913510d-42f4-4e42-8a64-420c390055eb"], // Monitoring Metrics Publisher
      ["ServicePrincipal", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"], // Storage Blob Data Owner
    ]);
    // The site's system-assigned identity, labelled by the Function App's name (the stack's roleAssignments output).
    const site = plan.access.filter((row) => /^func-keyless-[a-z0-9]+$/.test(row.principal));
    assert.deepEqual(
      site.map((row) => [row.principalType, row.roleGuid]),
      [["ServicePrincipal", "a97b65f3-24c7-4388-baec-2e87135dc908"]], // Cognitive Services User, the model only
    );
    const hostIdentity = plan.identities.find(
      (identity) => identity.type === "azure-native:managedidentity:UserAssignedIdentity",
    );
    assert.ok(hostIdentity, "the host identity is listed among the stack's identities");
    assert.ok(
      plan.access.every((row) => row.principal !== row.principalId),
      `every principal has a label: ${JSON.stringify(plan.access.filter((row) => row.principal === row.principalId))}`,
    );
  });

  it("plans the pinned dev stack with no guardrail failures", async () => {
    const plan = await sharedPlan({ projectDir: pinnedDevProject(), stack: "dev", program: join(ROOT, "index.ts") });
    const failures = plan.verdicts.filter((verdict) => !verdict.passed);
    assert.deepEqual(failures, []);
    assert.ok(plan.verdicts.some((verdict) => verdict.rule === "openai-entra-id-only"));
    assert.ok(plan.access.length > 0, "at least one role assignment");
  });

  it("allows the VM's public IP exactly when the stack opens SSH to given ranges", async () => {
    const projectDir = scratchDirectory("plan-ssh-");
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(projectDir, "Pulumi.yaml"));
    writeFileSync(
      join(projectDir, "Pulumi.ssh.yaml"),
      "config:\n  keyless-openai:compute: vm\n  keyless-openai:sshAllowedCidrs:\n    - 203.0.113.0/24\n  keyless-openai:deployments:\n    - name=chat,model=gpt-5.4-mini,version=2026-03-17\n",
    );
    const plan = await sharedPlan({ projectDir, stack: "ssh", program: join(ROOT, "index.ts") });
    assert.ok(plan.resources.some((resource) => resource.type === "azure-native:network:PublicIPAddress"));
    const publicIpVerdicts = plan.verdicts.filter((verdict) => verdict.rule === "vm-no-public-ip");
    assert.ok(publicIpVerdicts.length > 0);
    assert.deepEqual(
      publicIpVerdicts.filter((verdict) => !verdict.passed),
      [],
    );
  });
});

/** A project directory holding the real Pulumi.yaml (optionally renamed) and package.json, and one stack file. */
function realProject(stack: string, stackYaml: string | undefined, rename?: string): string {
  const projectDir = scratchDirectory("plan-real-");
  const projectYaml = readFileSync(join(ROOT, "Pulumi.yaml"), "utf8");
  writeFileSync(
    join(projectDir, "Pulumi.yaml"),
    rename ? projectYaml.replace(/^name: keyless-openai$/m, `name: ${rename}`) : projectYaml,
  );
  copyFileSync(join(ROOT, "package.json"), join(projectDir, "package.json"));
  if (stackYaml !== undefined) writeFileSync(join(projectDir, `Pulumi.${stack}.yaml`), stackYaml);
  return projectDir;
}

/** A stack of the real program, planned in the program thread. A refusal's class stays in the thread, so tests that
 * check for StackConfigError call planStack in this process (config validation fails before any evaluation). */
async function planReal(projectDir: string, stack: string) {
  return sharedPlan({ projectDir, stack, program: join(ROOT, "index.ts") });
}

describe("any valid configuration plans (issue: tools on real users' stacks)", () => {
  it("plans made-up users, groups and service principals as placeholders resolved at deploy", async () => {
    // Names no offline directory knows: they exist only in the user's tenant.
    const projectDir = realProject(
      "team",
      [
        "config:",
        "  keyless-openai:compute: none",
        "  keyless-openai:users:",
        "    - bob@fabrikam.com",
        "  keyless-openai:groups:",
        "    - 6f1c2b7e-8d4a-4c1e-9f3b-2a5d7e9c0b11",
        "  keyless-openai:servicePrincipals:",
        "    - 0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f65",
        "",
      ].join("\n"),
    );
    const plan = await planReal(projectDir, "team");
    const placeholders = plan.access.filter((row) => row.resolvedAtDeploy);
    assert.deepEqual(placeholders.map((row) => [row.principal, row.principalType]).sort(), [
      ["bob@fabrikam.com (resolved at deploy)", "User"],
      ["group 6f1c2b7e-8d4a-4c1e-9f3b-2a5d7e9c0b11 (resolved at deploy)", "Group"],
      ["service principal 0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f65 (resolved at deploy)", "ServicePrincipal"],
    ]);
    // Groups and service principals are configured by object ID: the plan grants exactly that ID.
    assert.ok(plan.access.some((row) => row.principalId === "6f1c2b7e-8d4a-4c1e-9f3b-2a5d7e9c0b11"));
    assert.deepEqual(
      plan.unresolvedPrincipals.map((principal) => principal.configured),
      ["6f1c2b7e-8d4a-4c1e-9f3b-2a5d7e9c0b11", "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f65", "bob@fabrikam.com"],
    );
    const markdown = renderPlan(plan);
    assert.match(markdown, /\| bob@fabrikam\.com \(resolved at deploy\) \|/);
    assert.match(markdown, /3 principal\(s\) from config are not known offline and are resolved at deploy/);
  });

  it("a malformed principal is still an error naming the key", async () => {
    const projectDir = realProject("bad", "config:\n  keyless-openai:users:\n    - bob\n");
    await assert.rejects(planReal(projectDir, "bad"), /users\[0\].*"bob".*user principal name/s);
  });

  it("plans a renamed project under its own name", async () => {
    const projectDir = realProject("dev", "config:\n  my-openai:compute: none\n", "my-openai");
    const plan = await planReal(projectDir, "dev");
    assert.equal(plan.project, "my-openai");
    assert.ok(plan.resources.every((resource) => resource.urn.startsWith("urn:pulumi:dev::my-openai::")));
    assert.ok(
      !plan.resources.some((resource) => resource.type === "azure-native:compute:VirtualMachine"),
      "config read",
    );
  });

  it("plans a secure: value as a secret without decrypting or validating it", async () => {
    // sshPublicKey is validated as an OpenSSH key line; its ciphertext is not one (mutation: planning the secure
    // value with the generic placeholder made this plan fail with "sshPublicKey ... must be an OpenSSH public key").
    const projectDir = realProject(
      "secret",
      "config:\n  keyless-openai:compute: vm\n  keyless-openai:sshPublicKey:\n    secure: v1:AAAABBBB:Y2lwaGVydGV4dA==\n",
    );
    const plan = await planReal(projectDir, "secret");
    assert.equal(plan.config["keyless-openai:sshPublicKey"], "[secret]");
    assert.ok(plan.resources.some((resource) => resource.type === "azure-native:compute:VirtualMachine"));
    assert.ok(plan.warnings.some((warning) => /sshPublicKey is a secure value/.test(warning)));
    assert.doesNotMatch(JSON.stringify(plan.config), /Y2lwaGVydGV4dA/);
  });

  it("a namespace that is neither the project's nor a provider's fails, naming the key and the intended one", async () => {
    const projectDir = realProject(
      "typo",
      "config:\n  keyless-open-ai:location: westeurope\n  azure-native:location: westeurope\n",
    );
    const error = await planStack({ projectDir, stack: "typo", program: join(ROOT, "index.ts") }).then(
      () => assert.fail("expected the plan to fail"),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof StackConfigError);
    assert.deepEqual(error.problems.length, 1, "azure-native is a provider's namespace: accepted");
    assert.match(
      error.message,
      /keyless-open-ai:location: namespace 'keyless-open-ai' is neither the project's \('keyless-openai'\).*Did you mean keyless-openai:location\?/,
    );
  });

  it("unknown keys get one 'did you mean' each, not the whole key list", async () => {
    const projectDir = realProject(
      "keys",
      "config:\n  keyless-openai:locaton: westeurope\n  keyless-openai:vmSise: x\n",
    );
    const error = await planStack({ projectDir, stack: "keys", program: join(ROOT, "index.ts") }).then(
      () => assert.fail("expected the plan to fail"),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof StackConfigError);
    assert.deepEqual(error.problems, [
      `keyless-openai:locaton: 'locaton' is not a config key of keyless-openai (did you mean "location"?)`,
      `keyless-openai:vmSise: 'vmSise' is not a config key of keyless-openai (did you mean "vmSize"?)`,
    ]);
  });

  it("--stack without Pulumi.<stack>.yaml plans the defaults with a warning that says so (CLI, exit 0)", async () => {
    const projectDir = realProject("nosuchstack", undefined);
    const result = await cli([
      "--stack",
      "nosuchstack",
      "--project-dir",
      projectDir,
      "--program",
      join(ROOT, "index.ts"),
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /warning: .*Pulumi\.nosuchstack\.yaml does not exist: planned with the defaults/);
    assert.match(result.stdout, /## Warnings\n\n- .*Pulumi\.nosuchstack\.yaml does not exist/);
  });

  it("a typo'd namespace through the CLI: exit 1 with the key named", async () => {
    const projectDir = realProject("typo", "config:\n  keyless-open-ai:location: westeurope\n");
    const result = await cli(["--stack", "typo", "--project-dir", projectDir, "--program", join(ROOT, "index.ts")]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /keyless-open-ai:location: namespace 'keyless-open-ai'/);
  });
});

describe("what a reviewer checks, in the rendered plan", () => {
  it("the committed prod stack: the placeholder model until the pin, local auth off, private network", async () => {
    const markdown = renderPlan(await sharedPlan({ projectDir: ".", stack: "prod" }));
    // Pulumi.prod.yaml pins no model and sets networkMode private; SKU and capacity are the program's defaults.
    assert.match(
      markdown,
      /## Model deployments\n\n\| deployment \| account \| model \| version \| SKU \| capacity \| version upgrade \|\n.*\n\| `chat` \| `keyless-openai-prod-[a-z0-9]+` \| `pinned-at-first-deploy` \| `pinned-at-first-deploy` \| `GlobalStandard` \| `10` \| `OnceNewDefaultVersionAvailable` \|\n\n/,
    );
    assert.match(
      markdown,
      /## Account security\n\n.*\n.*\n\| `openai` \| off \(`disableLocalAuth: true`\) \| private \| `Disabled` \| `Deny` \| 0 \| 0 \|\n/,
    );
    assert.ok(markdown.indexOf("## Model deployments") < markdown.indexOf("## Guardrails"), "before the guardrails");
  });

  it("the prod stack once pinned: the model, version, SKU and capacity of its pin", async () => {
    const projectDir = scratchDirectory("plan-prod-");
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(projectDir, "Pulumi.yaml"));
    writeFileSync(
      join(projectDir, "Pulumi.prod.yaml"),
      `${readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")}  keyless-openai:deployments:\n    - name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=GlobalStandard,capacity=25\n`,
    );
    const plan = await sharedPlan({ projectDir, stack: "prod", program: join(ROOT, "index.ts") });
    assert.match(
      renderPlan(plan),
      /\| `chat` \| `keyless-openai-prod-[a-z0-9]+` \| `gpt-5\.4-mini` \| `2026-03-17` \| `GlobalStandard` \| `25` \|/,
    );
  });

  it("the committed dev stack: the placeholder model until the pin, local auth off, public network (Pulumi.yaml's default)", async () => {
    const markdown = renderPlan(await sharedPlan({ projectDir: ".", stack: "dev" }));
    assert.match(
      markdown,
      /\| `chat` \| `keyless-openai-dev-[a-z0-9]+` \| `pinned-at-first-deploy` \| `pinned-at-first-deploy` \| `GlobalStandard` \| `10` \|/,
    );
    assert.match(
      markdown,
      /\| `openai` \| off \(`disableLocalAuth: true`\) \| public \| `Enabled` \| `Allow` \| 0 \| 0 \|/,
    );
  });

  it("shows what the program sets, also when local auth is on (the fixture's insecure stack)", async () => {
    const markdown = renderPlan(await sharedPlan({ projectDir: FIXTURE, stack: "insecure" }));
    assert.match(markdown, /\| `openai` \| \*\*on\*\* \(`disableLocalAuth: false`\) \|/);
  });

  it("the diagram calls the Function App's host identity user-assigned and the VM's system-assigned", async () => {
    const plan = await sharedPlan({ projectDir: pinnedDevProject(), stack: "dev", program: join(ROOT, "index.ts") });
    const diagram = renderPlan(plan);
    const edgeOf = (type: string) => {
      const index = plan.identities.findIndex((identity) => identity.type === type);
      assert.ok(index >= 0, `the plan has a ${type}`);
      return new RegExp(`R${index} -\\. "([a-z-]+ identity)" \\.->`).exec(diagram)?.[1];
    };
    assert.equal(edgeOf("azure-native:managedidentity:UserAssignedIdentity"), "user-assigned identity");
    assert.equal(edgeOf("azure-native:compute:VirtualMachine"), "system-assigned identity");
  });
});

describe("compare: replacement and identity", () => {
  it("says replaced for a new subdomain, a new role assignment name or a new principal; updated otherwise", () => {
    assert.deepEqual(
      replacingChanges("azure-native:cognitiveservices:Account", [
        { path: "inputs.properties.customSubDomainName", before: "a", after: "b" },
        { path: "inputs.properties.disableLocalAuth", before: true, after: false },
      ]),
      ["inputs.properties.customSubDomainName"],
    );
    assert.deepEqual(
      replacingChanges("azure-native:authorization:RoleAssignment", [
        { path: "inputs.roleAssignmentName", before: "1", after: "2" },
        { path: "inputs.description", before: "x", after: "y" },
      ]),
      ["inputs.roleAssignmentName"],
    );
    assert.deepEqual(
      replacingChanges("azure-native:cognitiveservices:Deployment", [
        { path: "inputs.sku.capacity", before: 10, after: 20 },
      ]),
      [],
      "capacity is updated in place",
    );
    assert.deepEqual(
      replacingChanges("random:index/randomString:RandomString", [{ path: "inputs.length", before: 6, after: 8 }]),
      ["inputs.length"],
    );
  });

  it("matches list items by name or principal, not by position", () => {
    const before = [
      { name: "chat", capacity: 10 },
      { name: "embed", capacity: 5 },
    ];
    const after = [
      { name: "audio", capacity: 1 },
      { name: "chat", capacity: 10 },
      { name: "embed", capacity: 6 },
    ];
    assert.deepEqual(diffValues(before, after, "deployments"), [
      { path: "deployments[name=audio]", after: { name: "audio", capacity: 1 } },
      { path: "deployments[name=embed].capacity", before: 5, after: 6 },
    ]);
    const grants = (ids: string[]) => ids.map((principalId) => ({ principalId, role: "CognitiveServicesUser" }));
    assert.deepEqual(diffValues(grants(["a", "b"]), grants(["b", "a"]), "roleAssignments"), [], "reordered: no change");
    assert.deepEqual(diffValues([1, 2], [2, 1], "plain"), [
      { path: "plain[0]", before: 1, after: 2 },
      { path: "plain[1]", before: 2, after: 1 },
    ]);
  });

  it("renders a replaced resource as Replaced with the input that forces it", async () => {
    const base = await sharedPlan({ projectDir: FIXTURE, stack: "dev" });
    const head = await sharedPlan({ projectDir: FIXTURE, stack: "changed" });
    const markdown = renderComparison(comparePlans(base, head));
    assert.match(markdown, /## Replaced: resources:ResourceGroup rg\n\nDeleted and created again: `inputs\.location`/);
    assert.match(markdown, /0 changed, 1 replaced/);
  });
});
