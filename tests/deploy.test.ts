/**
 * `npm run deploy` end to end against the stand-in `pulumi` CLI (installed where the scripts look for the pinned CLI),
 * in a scratch project directory (a copy of Pulumi.yaml, the project's node_modules linked in):
 * - at a pseudo-terminal (`script`, util-linux) the pulumi it starts sees a terminal on stdin and stdout, so it can ask
 *   for the passphrase and the confirmation; without one it does not, and --yes is required (one sentence otherwise);
 * - the stack is created on first use; a stack without a pinned model gets one from the catalogue stand-in, written
 *   to its Pulumi.<stack>.yaml; preflight runs before `pulumi up` and stops it, unless --skip-preflight;
 * - the state backend is the project's local file backend unless PULUMI_BACKEND_URL chooses another.
 * The runs at a pseudo-terminal and `npm run pulumi` are child processes; the others call the command's function in
 * this process, which still starts the stand-in CLI (and, with --smoke, the smoke test) as child processes. Azure
 * sign-in there is the GitHub Actions OIDC path chosen from the run's own environment (scripts/core/azure-credential.ts),
 * so nothing in this process's environment changes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { LOCAL_BACKEND_DIR } from "../scripts/core/pulumi-workspace";
import { runDeployCommand } from "../scripts/deploy";
import { NEEDS_YES } from "../scripts/deploy/run";
import { runPulumiCommand } from "../scripts/pulumi";
import { installPulumiStandIn, type PulumiStandIn } from "./standins/arm-teardown";
import { type CatalogueState, catalogueRoutes } from "./standins/catalogue";
import { entraRoutes, GITHUB_TOKEN_PATH, githubOidcRoutes } from "./standins/federated-sign-in";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { STAND_IN_TENANT_ID, type StandInPrincipal } from "./standins/tokens";
import { missingTool } from "./support/tools";

const ROOT = join(__dirname, "..");
const PULUMI_CLI_VERSION = "3.276.0"; // the @pulumi/pulumi SDK's version: the CLI the scripts run
const PINNED = "  keyless-openai:deployments:\n    - name=chat,model=gpt-7-mini,version=2027-04-02\n";
const SUBSCRIPTION_ID = "5c5c5c5c-0000-4000-8000-000000000005";

interface Setup {
  pulumi: PulumiStandIn;
  projectDir: string;
}

const scratch = mkdtempSync(join(tmpdir(), "deploy-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A scratch project: Pulumi.yaml, the given stack files, node_modules linked (as in a checkout). */
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

/**
 * The command's function in this process, without a terminal: what it, pulumi and the smoke test print is captured
 * as a user would see it on stdout and stderr; `download` replaces fetching a missing CLI.
 */
async function deployInProcess(
  target: Setup,
  args: string[],
  options: { extraEnv?: Record<string, string>; download?: () => Promise<{ failure?: string }> } = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io = { out: (text: string) => (stdout += text), err: (text: string) => (stderr += text) };
  const status = await runDeployCommand(
    ["--project-dir", target.projectDir, ...args],
    {
      env: environment(target, options.extraEnv),
      interactive: false,
      childOutput: io,
      ...(options.download ? { download: options.download } : {}),
    },
    io,
  );
  return { status, stdout, stderr };
}

/** A port that was just free: connections to it are refused, with or without internet. */
async function refusedPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  return port;
}

/** What a GitHub Actions job with `permissions: id-token: write` has, for the application `clientId` (GitHub Docs). */
function actionsSignIn(tokenUrl: string, clientId: string, authorityHost: string): Record<string, string> {
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${tokenUrl}${GITHUB_TOKEN_PATH}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: "stand-in-actions-request-token",
    AZURE_CLIENT_ID: clientId,
    AZURE_TENANT_ID: STAND_IN_TENANT_ID,
    AZURE_AUTHORITY_HOST: authorityHost,
  };
}

/** What the `pulumi` npm launcher prints when it cannot fetch the CLI offline (its run.js: "pulumi: " + the error). */
const offlineDownload = async () => ({ failure: "pulumi: fetch failed" });

/** The one sentence for a missing CLI, under `pulumiHome`. */
function noCliSentence(pulumiHome: string): string {
  const root = `${pulumiHome}/versions/3.276.0`;
  return `No Pulumi CLI v3.276.0 is installed in ${root}/bin and downloading it failed (pulumi: fetch failed): install it there with \`curl -fsSL https://get.pulumi.com/install.sh | sh -s -- --version 3.276.0 --install-root ${root} --no-edit-path\` (offline: unpack the pulumi-v3.276.0 release archive's pulumi/ folder as ${root}/bin), or set PULUMI_HOME to a directory with versions/3.276.0/bin/pulumi, then run the command again.`;
}

describe("without a Pulumi CLI (offline, nothing installed)", () => {
  // Node's fetch honours HTTPS_PROXY under NODE_USE_ENV_PROXY=1 from Node.js 22.21 (doc/api/cli.md; nodejs/node#57165);
  // an older Node.js would really download, so the test does not run there.
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const envProxy = major > 22 || (major === 22 && minor >= 21);
  test("the real launcher's download behind a proxy that refuses: npm run pulumi names the cause and the fix", {
    skip: envProxy ? false : `NODE_USE_ENV_PROXY needs Node.js 22.21 or newer (this is ${process.versions.node})`,
  }, async () => {
    const port = await refusedPort();
    const target = setup();
    const pulumiHome = join(dirname(target.projectDir), "empty-pulumi-home");
    let stderr = "";
    const status = await runPulumiCommand(["stack", "ls"], {
      env: {
        ...environment(target),
        PULUMI_HOME: pulumiHome,
        NODE_USE_ENV_PROXY: "1",
        HTTPS_PROXY: `http://127.0.0.1:${port}`,
      },
      io: { out: () => {}, err: (text) => (stderr += text) },
    });
    assert.equal(status, 1);
    assert.equal(stderr, `pulumi: ${noCliSentence(pulumiHome)}\n`);
  });

  test("npm run deploy and npm run pulumi name where the CLI is looked for and how to install it", async () => {
    const target = setup();
    const pulumiHome = join(dirname(target.projectDir), "empty-pulumi-home");
    target.pulumi.env.PULUMI_HOME = pulumiHome;
    const deployed = await deployInProcess(target, ["--yes", "--skip-preflight"], { download: offlineDownload });
    assert.equal(deployed.status, 1);
    assert.equal(deployed.stderr, `deploy: ${noCliSentence(pulumiHome)}\n`);
    let stderr = "";
    const passthrough = await runPulumiCommand(["stack", "ls"], {
      env: environment(target),
      io: { out: () => {}, err: (text) => (stderr += text) },
      download: offlineDownload,
    });
    assert.equal(passthrough, 1);
    assert.equal(stderr, `pulumi: ${noCliSentence(pulumiHome)}\n`);
    assert.deepEqual(target.pulumi.calls(), []);
  });
});

/**
 * `npm run deploy` inside a pseudo-terminal (`script -qfec CMD /dev/null`); `input` is what the user types. `via`
 * "node" starts scripts/deploy.ts with tsx in one Node.js process, without npm's own start-up and tsx's launcher
 * process, which the first test covers and the second does not check.
 */
function deployAtTerminal(target: Setup, args: string[], input: string, via: "npm" | "node" = "npm") {
  const start =
    via === "npm"
      ? ["npm", "run", "--silent", "deploy", "--"]
      : [process.execPath, "--import", "tsx", "scripts/deploy.ts"];
  const command = [...start, "--project-dir", target.projectDir, ...args].join(" ");
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
    // pulumi asks only when stdin is a terminal: runPulumiAtTerminal with stdin "ignore" fails this test.
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
    const result = deployAtTerminal(target, ["--skip-preflight", "--yes"], "", "node");
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.deepEqual(target.pulumi.calls()[1], ["up", "--stack", "dev", "--yes"]);
    assert.equal(target.pulumi.terminals()[1]?.stdin, true);
    assert.doesNotMatch(result.stdout, /Do you want to perform this update\?/);
  });
});

describe("npm run deploy without a terminal", () => {
  test("without --yes it refuses with one sentence before starting pulumi", async () => {
    const target = setup();
    const result = await deployInProcess(target, ["--skip-preflight"]);
    assert.equal(result.status, 3);
    assert.equal(result.stderr, `deploy: refused: ${NEEDS_YES}\n`);
    // The sentence, as a user reads it (a literal, not the module's constant).
    assert.match(
      result.stderr,
      /not running at a terminal, so pulumi cannot ask .*: pass --yes to deploy without asking/,
    );
    assert.deepEqual(target.pulumi.calls(), []);
  });

  test("creates the dev stack on first use, runs pulumi up --yes without a terminal, keeps state in the file backend", async () => {
    const target = setup();
    const result = await deployInProcess(target, ["--yes", "--skip-preflight"]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(target.pulumi.terminals(), [
      { args: ["stack", "select", "--create", "dev"], stdin: false, stdout: false },
      { args: ["up", "--stack", "dev", "--yes"], stdin: false, stdout: false },
    ]);
    assert.equal(target.pulumi.readState().backend, `file://${LOCAL_BACKEND_DIR}`);
    assert.match(result.stdout, /npm run smoke -- --stack dev/);
  });

  test("deploys the named stack to the backend PULUMI_BACKEND_URL names; arguments after -- go to pulumi up", async () => {
    const target = setup({ prod: `config:\n${PINNED}` });
    const backend = "azblob://pulumi-state?storage_account=contosostate";
    const result = await deployInProcess(target, ["--stack", "prod", "--yes", "--skip-preflight", "--", "--diff"], {
      extraEnv: { PULUMI_BACKEND_URL: backend },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(target.pulumi.calls()[1], ["up", "--stack", "prod", "--yes", "--diff"]);
    assert.equal(target.pulumi.readState().backend, backend);
  });

  test("--smoke runs the smoke test after a successful pulumi up, and its failure fails the deploy", async () => {
    // The stand-in stack has no outputs, so the smoke test stops at reading them: enough to see it ran, and when.
    const target = setup();
    const result = await deployInProcess(target, ["--yes", "--skip-preflight", "--smoke"]);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.deepEqual(target.pulumi.calls(), [
      ["stack", "select", "--create", "dev"],
      ["up", "--stack", "dev", "--yes"],
      // The smoke test reads the stack through the Automation API (LocalWorkspace.listStacks, stackOutputs).
      ["stack", "ls", "--json", "--non-interactive"],
      ["stack", "output", "--json", "--stack", "dev", "--non-interactive"],
      ["stack", "output", "--json", "--show-secrets", "--stack", "dev", "--non-interactive"],
    ]);
    assert.match(result.stdout, /Deployed stack dev\. Running the smoke test \(--smoke\)\./);
    assert.match(
      result.stderr,
      /deploy: the smoke test failed \(exit \d+\): .*npm run smoke -- --stack dev again once fixed/,
    );
  });

  test("a failing pulumi up fails the command, says what to run next, and runs no smoke test", async () => {
    const target = setup();
    target.pulumi.writeState({ stacks: {}, failNext: { up: 1 } });
    const result = await deployInProcess(target, ["--yes", "--skip-preflight", "--smoke"]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /stand-in failure of 'up'/);
    assert.match(result.stderr, /deploy: pulumi up failed \(exit 255\): .* npm run deploy -- --stack dev again/);
    assert.equal(target.pulumi.calls().length, 2, "no stack output: the smoke test did not start");
  });

  test("preflight runs before pulumi up and a failure stops the deploy; --skip-preflight is what skips it", async () => {
    // No identity can sign in here: GitHub's OIDC token endpoint and Entra ID refuse the connection, so it fails at
    // once instead of waiting out retries; ARM is never reached.
    const target = setup();
    const refused = `127.0.0.1:${await refusedPort()}`;
    const noAzure = {
      ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
      KEYLESS_ARM_ENDPOINT: `https://${refused}`,
      ...actionsSignIn(`http://${refused}`, "a0a0a0a0-0000-4000-8000-00000000000a", `https://${refused}`),
    };
    const result = await deployInProcess(target, ["--yes"], { extraEnv: noAzure });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(
      result.stderr,
      /deploy: preflight failed, so nothing was deployed: .* or deploy anyway with --skip-preflight/,
    );
    assert.deepEqual(target.pulumi.calls(), [["stack", "select", "--create", "dev"]]);
  });

  test("--help exits 0 without starting pulumi", async () => {
    const target = setup();
    const result = await deployInProcess(target, ["--help"]);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /usage: npm run deploy/);
    assert.deepEqual(target.pulumi.calls(), []);
  });
});

describe("npm run pulumi", () => {
  test("passes its arguments to the pinned CLI with the same state backend as npm run deploy", async () => {
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
    let usage = "";
    const usageStatus = await runPulumiCommand([], {
      env: environment(target),
      io: { out: () => {}, err: (text) => (usage += text) },
    });
    assert.equal(usageStatus, 2);
    assert.match(usage, /usage: npm run pulumi -- PULUMI_ARGS/);
  });
});

describe("npm run deploy of a stack that pins no model", { skip: missingTool("openssl") }, () => {
  let certificate: TlsMaterial;
  let arm: StandInServer;
  let github: StandInServer;
  let entra: StandInServer;
  const pipeline: StandInPrincipal = {
    objectId: "d0d0d0d0-0000-4000-8000-000000000001",
    appId: "a0a0a0a0-0000-4000-8000-00000000000a",
    kind: "managedIdentity",
  };
  const subject = "repo:contoso/keyless-openai:ref:refs/heads/main";
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
    // The in-process equivalent of NODE_EXTRA_CA_CERTS: this file's process trusts the stand-ins' certificate.
    setDefaultCACertificates([...getCACertificates("default"), certificate.certPem]);
    arm = await startStandIn({ routes: catalogueRoutes(catalogue), tls: certificate });
    const now = () => Date.now();
    github = await startStandIn({
      routes: githubOidcRoutes({
        requestToken: "stand-in-actions-request-token",
        subject,
        lifetimeSeconds: 300,
        now,
        issued: [],
      }),
    });
    entra = await startStandIn({
      tls: certificate,
      routes: entraRoutes({
        tenantId: STAND_IN_TENANT_ID,
        clientId: pipeline.appId,
        federatedSubject: subject,
        principal: pipeline,
        now,
      }),
    });
  });

  after(async () => {
    await arm.close();
    await github.close();
    await entra.close();
    certificate.dispose();
  });

  test("pins the newest deployable model from the catalogue in Pulumi.<stack>.yaml, says so, then deploys", async () => {
    const target = setup({ qa: "# QA\nconfig:\n  keyless-openai:compute: none\n" });
    const result = await deployInProcess(target, ["--stack", "qa", "--yes", "--skip-preflight"], {
      extraEnv: {
        ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
        KEYLESS_ARM_ENDPOINT: arm.origin,
        ...actionsSignIn(github.origin, pipeline.appId, entra.origin),
      },
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
