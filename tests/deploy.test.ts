/**
 * `npm run deploy` end to end against the stand-in `pulumi` CLI (installed where `npx pulumi` looks for its binary),
 * in a scratch project directory (a copy of Pulumi.yaml, the project's node_modules linked in):
 * - at a pseudo-terminal (`script`, util-linux) the pulumi it starts sees a terminal on stdin and stdout, so it can ask
 *   for the passphrase and the confirmation; without one it does not, and --yes is required (one sentence otherwise);
 * - the stack is created on first use; a stack without a pinned model gets one from the catalogue stand-in, written
 *   to its Pulumi.<stack>.yaml; preflight runs before `pulumi up` and stops it, unless --skip-preflight;
 * - the state backend is the project's local file backend unless PULUMI_BACKEND_URL chooses another.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { LOCAL_BACKEND_DIR } from "../scripts/core/pulumi-cli";
import { NEEDS_YES } from "../scripts/deploy/run";
import { installPulumiStandIn, type PulumiStandIn } from "./standins/arm-teardown";
import { type CatalogueState, catalogueRoutes } from "./standins/catalogue";
import { imdsRoutes } from "./standins/identity";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { runChild } from "./support/process";
import { missingTool } from "./support/tools";

const ROOT = join(__dirname, "..");
const PULUMI_CLI_VERSION = "3.265.0"; // the pinned `pulumi` npm package
const PINNED = "  keyless-openai:deployments:\n    - name=chat,model=gpt-7-mini,version=2027-04-02\n";
const SUBSCRIPTION_ID = "5c5c5c5c-0000-4000-8000-000000000005";

interface Setup {
  pulumi: PulumiStandIn;
  projectDir: string;
}

const scratch = mkdtempSync(join(tmpdir(), "deploy-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A scratch project: Pulumi.yaml, the given stack files, node_modules linked (so `npx pulumi` resolves offline). */
function setup(stackFiles: Record<string, string> = { dev: `config:\n${PINNED}` }): Setup {
  const directory = mkdtempSync(join(scratch, "case-"));
  const projectDir = join(directory, "project");
  const pulumi = installPulumiStandIn(directory, PULUMI_CLI_VERSION, { stacks: {} });
  mkdirSync(projectDir);
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(projectDir, "Pulumi.yaml"));
  symlinkSync(join(ROOT, "node_modules"), join(projectDir, "node_modules"));
  for (const [stack, text] of Object.entries(stackFiles)) writeFileSync(join(projectDir, `Pulumi.${stack}.yaml`), text);
  return { pulumi, projectDir };
}

/** A developer machine without Azure variables, pointed at the stand-in pulumi. */
function environment(target: Setup, extraEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AZURE_|ARM_|PULUMI_|STACK$|NODE_TEST|KEYLESS_|IDENTITY_|MSI_)/.test(name)) env[name] = value;
  }
  return {
    ...env,
    ...target.pulumi.env,
    ...extraEnv,
    PATH: [target.pulumi.env.PATH_PREFIX, dirname(process.execPath), process.env.PATH].join(":"),
  };
}

/** `npm run deploy` with pipes: no terminal anywhere. */
function deploy(target: Setup, args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync("npm", ["run", "--silent", "deploy", "--", "--project-dir", target.projectDir, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: environment(target, extraEnv),
  });
}

/** As `deploy`, without blocking this process: the stand-ins it talks to run here. */
async function deployAsync(
  target: Setup,
  args: string[],
  extraEnv: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const run = await runChild(
    "npm",
    ["run", "--silent", "deploy", "--", "--project-dir", target.projectDir, ...args],
    ROOT,
    environment(target, extraEnv),
  );
  return { status: run.code, stdout: run.stdout, stderr: run.stderr };
}

/** `npm run deploy` inside a pseudo-terminal (`script -qfec CMD /dev/null`); `input` is what the user types. */
function deployAtTerminal(target: Setup, args: string[], input: string) {
  const command = ["npm", "run", "--silent", "deploy", "--", "--project-dir", target.projectDir, ...args].join(" ");
  return spawnSync("script", ["-qfec", command, "/dev/null"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    input,
    env: environment(target),
  });
}

describe("npm run deploy at a terminal", { skip: missingTool("script") }, () => {
  test("pulumi sees a terminal on stdin and stdout, previews and asks; the typed answer confirms the update", () => {
    // Mutation tried: runPulumiAtTerminal with stdin "ignore" at a terminal (the old behaviour) made this test fail.
    const target = setup();
    const result = deployAtTerminal(target, ["--skip-preflight"], "yes\n");
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(target.pulumi.terminals(), [
      { args: ["stack", "select", "--create", "dev"], stdin: true, stdout: true },
      { args: ["up", "--stack", "dev"], stdin: true, stdout: true },
    ]);
    assert.match(result.stdout, /Do you want to perform this update\?/);
    assert.match(result.stdout, /Preflight skipped \(--skip-preflight\)/);
    assert.match(result.stdout, /Next: prove every identity can call the model with npm run smoke -- --stack dev/);
  });

  test("--yes at a terminal is passed to pulumi up, which then does not ask", () => {
    const target = setup();
    const result = deployAtTerminal(target, ["--skip-preflight", "--yes"], "");
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(target.pulumi.calls()[1], ["up", "--stack", "dev", "--yes"]);
    assert.equal(target.pulumi.terminals()[1]?.stdin, true);
    assert.doesNotMatch(result.stdout, /Do you want to perform this update\?/);
  });
});

describe("npm run deploy without a terminal", () => {
  test("without --yes it refuses with one sentence before starting pulumi", () => {
    const target = setup();
    const result = deploy(target, ["--skip-preflight"]);
    assert.equal(result.status, 3);
    assert.equal(result.stderr, `deploy: refused: ${NEEDS_YES}\n`);
    // The sentence, as a user reads it (a literal, not the module's constant).
    assert.match(
      result.stderr,
      /not running at a terminal, so pulumi cannot ask .*: pass --yes to deploy without asking/,
    );
    assert.deepEqual(target.pulumi.calls(), []);
  });

  test("creates the dev stack on first use, runs pulumi up --yes without a terminal, keeps state in the file backend", () => {
    const target = setup();
    const result = deploy(target, ["--yes", "--skip-preflight"]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(target.pulumi.terminals(), [
      { args: ["stack", "select", "--create", "dev"], stdin: false, stdout: false },
      { args: ["up", "--stack", "dev", "--yes"], stdin: false, stdout: false },
    ]);
    assert.equal(target.pulumi.readState().backend, `file://${LOCAL_BACKEND_DIR}`);
    assert.match(result.stdout, /npm run smoke -- --stack dev/);
  });

  test("deploys the named stack to the backend PULUMI_BACKEND_URL names; arguments after -- go to pulumi up", () => {
    const target = setup({ prod: `config:\n${PINNED}` });
    const backend = "azblob://pulumi-state?storage_account=contosostate";
    const result = deploy(target, ["--stack", "prod", "--yes", "--skip-preflight", "--", "--diff"], {
      PULUMI_BACKEND_URL: backend,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(target.pulumi.calls()[1], ["up", "--stack", "prod", "--yes", "--diff"]);
    assert.equal(target.pulumi.readState().backend, backend);
  });

  test("--smoke runs the smoke test after a successful pulumi up, and its failure fails the deploy", () => {
    // The stand-in stack has no outputs, so the smoke test stops at reading them: enough to see it ran, and when.
    const target = setup();
    const result = deploy(target, ["--yes", "--skip-preflight", "--smoke"]);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.deepEqual(target.pulumi.calls(), [
      ["stack", "select", "--create", "dev"],
      ["up", "--stack", "dev", "--yes"],
      ["stack", "output", "--json", "--stack", "dev"],
    ]);
    assert.match(result.stdout, /Deployed stack dev\. Running the smoke test \(--smoke\)\./);
    assert.match(result.stderr, /The smoke test failed \(exit \d+\): .*npm run smoke -- --stack dev again once fixed/);
  });

  test("a failing pulumi up fails the command, says what to run next, and runs no smoke test", () => {
    const target = setup();
    target.pulumi.writeState({ stacks: {}, failNext: { up: 1 } });
    const result = deploy(target, ["--yes", "--skip-preflight", "--smoke"]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /stand-in failure of 'up'/);
    assert.match(result.stderr, /pulumi up failed \(exit 255\): .* npm run deploy -- --stack dev again/);
    assert.equal(target.pulumi.calls().length, 2, "no stack output: the smoke test did not start");
  });

  test("preflight runs before pulumi up and a failure stops the deploy; --skip-preflight is what skips it", () => {
    // No identity can sign in here: no Azure CLI session, and only the developer tools are tried
    // (AZURE_TOKEN_CREDENTIALS=dev, as on a laptop; @azure/identity DefaultAzureCredential), so it fails at once
    // instead of waiting out the managed identity endpoint's retries.
    const target = setup();
    const noAzure = { ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID, AZURE_TOKEN_CREDENTIALS: "dev" };
    const result = deploy(target, ["--yes"], noAzure);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /Preflight failed: nothing was deployed\. .* or deploy anyway with --skip-preflight/);
    assert.deepEqual(target.pulumi.calls(), [["stack", "select", "--create", "dev"]]);
  });

  test("--help exits 0 without starting pulumi", () => {
    const target = setup();
    const result = deploy(target, ["--help"]);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /usage: npm run deploy/);
    assert.deepEqual(target.pulumi.calls(), []);
  });
});

describe("npm run pulumi", () => {
  test("passes its arguments to the pinned CLI with the same state backend as npm run deploy", () => {
    const target = setup();
    const result = spawnSync("npm", ["run", "--silent", "pulumi", "--", "stack", "select", "--create", "qa"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: environment(target),
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(target.pulumi.calls(), [["stack", "select", "--create", "qa"]]);
    assert.equal(target.pulumi.readState().backend, `file://${LOCAL_BACKEND_DIR}`);
    const usage = spawnSync("npm", ["run", "--silent", "pulumi"], {
      cwd: ROOT,
      encoding: "utf8",
      env: environment(target),
    });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: npm run pulumi -- PULUMI_ARGS/);
  });
});

describe("npm run deploy of a stack that pins no model", { skip: missingTool("openssl") }, () => {
  let certificate: TlsMaterial;
  let arm: StandInServer;
  let imds: StandInServer;
  const catalogue: CatalogueState = {
    subscriptionId: SUBSCRIPTION_ID,
    location: "swedencentral",
    models: [
      {
        name: "gpt-5.4-mini",
        version: "2026-03-17",
        lifecycleStatus: "Deprecating",
        skus: [{ name: "GlobalStandard" }],
      },
      {
        name: "gpt-7-mini",
        version: "2027-04-02",
        lifecycleStatus: "GenerallyAvailable",
        skus: [{ name: "GlobalStandard" }],
      },
    ],
    usages: [
      { name: "OpenAI.GlobalStandard.gpt-5.4-mini", limit: 1000, currentValue: 0 },
      { name: "OpenAI.GlobalStandard.gpt-7-mini", limit: 1000, currentValue: 0 },
    ],
    protocolErrors: [],
  };

  before(async () => {
    certificate = createSelfSignedCertificate();
    arm = await startStandIn({ routes: catalogueRoutes(catalogue), tls: certificate });
    imds = await startStandIn({
      routes: imdsRoutes({
        principal: {
          objectId: "d0d0d0d0-0000-4000-8000-000000000001",
          appId: "a0a0a0a0-0000-4000-8000-00000000000a",
          kind: "managedIdentity",
        },
      }),
    });
  });

  after(async () => {
    await arm.close();
    await imds.close();
    certificate.dispose();
  });

  test("pins the newest deployable model from the catalogue in Pulumi.<stack>.yaml, says so, then deploys", async () => {
    const target = setup({ qa: "# QA\nconfig:\n  keyless-openai:compute: none\n" });
    const result = await deployAsync(target, ["--stack", "qa", "--yes", "--skip-preflight"], {
      ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
      AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.origin,
      KEYLESS_ARM_ENDPOINT: arm.origin,
      NODE_EXTRA_CA_CERTS: certificate.certPath,
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Stack qa pins no model yet: asking Azure's catalogue/);
    assert.match(
      result.stdout,
      /Pinned name=chat,model=gpt-7-mini,version=2027-04-02,sku=GlobalStandard,capacity=10 in /,
    );
    assert.match(result.stdout, /Commit .*Pulumi\.qa\.yaml: it pins the model this stack deployed/);
    const stackFile = readFileSync(join(target.projectDir, "Pulumi.qa.yaml"), "utf8");
    assert.match(stackFile, /^# QA$/m);
    assert.match(stackFile, /- name=chat,model=gpt-7-mini,version=2027-04-02,sku=GlobalStandard,capacity=10$/m);
    assert.deepEqual(target.pulumi.calls().at(-1), ["up", "--stack", "qa", "--yes"]);
    assert.deepEqual(catalogue.protocolErrors, []);
  });
});
