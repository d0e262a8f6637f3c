/**
 * Everything `npm run smoke` talks to, on 127.0.0.1: a stand-in `az` for the user, the data plane (HTTPS for the CLI
 * and the VM's curl; plain http for the function handler), IMDS for the VM, ARM (run command really runs
 * scripts/vm/smoke.sh with bash; host keys), a Functions host whose `smoke` function is the real handler, using the
 * real DefaultAzureCredential through the App Service identity stand-in; and for CI runs, GitHub's OIDC token
 * endpoint and Entra ID's token endpoint (ClientAssertionCredential).
 *
 * `runCli` runs the command's `main` in this process, as `npm run smoke` would with these arguments: starting a
 * process per run cost 2-3 s of module loading on a busy machine. Its waits run on a virtual clock (they return at
 * once and are printed) unless `realClock` is asked for (the benchmark), and the data plane answers by attempt count,
 * so nothing here depends on how fast the machine is. The stand-ins' certificate is added to this process's default
 * CA list (tls.setDefaultCACertificates), the in-process equivalent of NODE_EXTRA_CA_CERTS. With `npmRun`, it runs
 * the real `npm run smoke` in a child process instead (real clock, NODE_EXTRA_CA_CERTS), the end-to-end check.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { DefaultAzureCredential } from "@azure/identity";
import { handleSmokeRequest } from "../../function-app/src/smoke-check";
import { type CliDownload, PROJECT_ROOT } from "../../scripts/core/pulumi-workspace";
import { main } from "../../scripts/smoke";
import { REAL_CLOCK, virtualClock } from "../../scripts/smoke/wait";
import { type ArmOptions, armRoutes, functionHostRoutes, type StandInVm } from "./arm";
import { createStandInAzureCli, type StandInAzureCli } from "./az-cli";
import { entraRoutes, GITHUB_TOKEN_PATH, type GitHubOidcOptions, githubOidcRoutes } from "./federated-sign-in";
import { APP_SERVICE_IDENTITY_PATH, appServiceIdentityRoutes, imdsRoutes } from "./identity";
import { type DataPlaneOptions, dataPlaneRoutes } from "./openai-data-plane";
import { FUNCTION_APP_PRINCIPAL, RESOURCE_GROUP, SUBSCRIPTION_ID, USER_PRINCIPAL, VM_PRINCIPAL } from "./principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./server";
import { STAND_IN_TENANT_ID, type StandInPrincipal } from "./tokens";

export const VM_NAME = "vm-smoke";
export const FUNCTION_APP_NAME = "func-smoke";
export const FUNCTION_KEY = "stand-in-default-function-key";
/** The GitHub Actions pipeline's service principal (app tokens carry idtyp "app", like a managed identity's). */
export const PIPELINE_PRINCIPAL: StandInPrincipal = {
  kind: "managedIdentity",
  objectId: "dddddddd-0000-4000-8000-000000000004",
  appId: "dddddddd-1111-4000-8000-000000000004",
};
const PIPELINE_SUBJECT = "repo:contoso/keyless-openai:ref:refs/heads/main";
const ACTIONS_REQUEST_TOKEN = "stand-in-actions-request-token";

/** Result of one CLI run. */
export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Parsed `--json` summary line, when printed. */
  summary?: { results: Record<string, unknown>[] };
  /** Epoch ms at which each stderr line was written. */
  stderrLines: { at: number; line: string }[];
}

/** Per-run choices for {@link SmokeWorld.runCli}. */
export interface CliRunOptions {
  environment?: Record<string, string>;
  /** Outputs file to pass (default: the world's, compute "both"); `false` passes none (outputs come from pulumi). */
  outputsFile?: string | false;
  /** Put a signed-out `az` first on PATH. */
  signedOut?: boolean;
  /** Run as a GitHub Actions job with OIDC (ACTIONS_ID_TOKEN_REQUEST_*, AZURE_CLIENT_ID/AZURE_TENANT_ID). */
  githubActions?: boolean;
  /** Wait in real time (the benchmark); by default the CLI runs on a virtual clock. */
  realClock?: boolean;
  /** Replaces fetching a missing Pulumi CLI (scripts/core/pulumi-workspace.ts). */
  download?: CliDownload;
  /** Run the real `npm run smoke` in a child process, on the real clock (not with `download`). */
  npmRun?: boolean;
}

/** A running world; `dataPlane` is mutable (grant access while the CLI waits). */
export interface SmokeWorld {
  dataPlane: DataPlaneOptions;
  /** Mutable: e.g. change the function key the ARM stand-in hands out. */
  arm: ArmOptions;
  servers: Record<
    "imds" | "appServiceIdentity" | "dataPlaneTls" | "dataPlanePlain" | "arm" | "functionHost" | "github" | "entra",
    StandInServer
  >;
  /** Assertions the GitHub stand-in handed out. */
  githubAssertions: string[];
  az: StandInAzureCli;
  tls: TlsMaterial;
  outputsFile: string;
  /** Writes another outputs file: the world's outputs with `changes` (undefined values remove a field). */
  writeOutputs(changes: Record<string, unknown>): string;
  runCli(args: string[], options?: CliRunOptions): Promise<CliRun>;
  close(): Promise<void>;
}

/**
 * Starts the world. Sets IDENTITY_ENDPOINT/IDENTITY_HEADER in this process for the in-process function handler, so
 * call it before anything here creates a DefaultAzureCredential, and only once per process.
 */
/** The result of a run from its exit code and output: the `--json` summary line parsed, when printed. */
function cliRun(exitCode: number | null, stdout: string, stderr: string, stderrLines: CliRun["stderrLines"]): CliRun {
  const jsonLine = stdout
    .split("\n")
    .reverse()
    .find((line) => line.startsWith('{"results"'));
  return {
    exitCode,
    stdout,
    stderr,
    stderrLines,
    ...(jsonLine ? { summary: JSON.parse(jsonLine) as CliRun["summary"] } : {}),
  };
}

export async function startSmokeWorld(): Promise<SmokeWorld> {
  const tls = createSelfSignedCertificate();
  setDefaultCACertificates([...getCACertificates("default"), tls.certPem]);
  const dataPlane: DataPlaneOptions = { deployments: ["chat"], grants: new Map() };
  const identityHeader = "stand-in-identity-header";
  const imds = await startStandIn({ routes: imdsRoutes({ principal: VM_PRINCIPAL }) });
  const appServiceIdentity = await startStandIn({
    routes: appServiceIdentityRoutes({ principal: FUNCTION_APP_PRINCIPAL, identityHeader }),
  });
  const dataPlaneTls = await startStandIn({ tls, routes: dataPlaneRoutes(dataPlane) });
  const dataPlanePlain = await startStandIn({ routes: dataPlaneRoutes(dataPlane) });
  process.env.IDENTITY_ENDPOINT = `${appServiceIdentity.origin}${APP_SERVICE_IDENTITY_PATH}`;
  process.env.IDENTITY_HEADER = identityHeader;
  // Built now, while nothing narrows DefaultAzureCredential (AZURE_TOKEN_CREDENTIALS is read in its constructor):
  // the function's own chain, finding the App Service identity endpoint, as on Azure.
  const functionCredential = new DefaultAzureCredential();
  const functionEnvironment: NodeJS.ProcessEnv = {
    IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT,
    IDENTITY_HEADER: identityHeader,
    AZURE_OPENAI_ENDPOINT: `${dataPlanePlain.origin}/`,
    AZURE_OPENAI_DEPLOYMENT: "chat",
  };
  const functionHost = await startStandIn({
    tls,
    routes: functionHostRoutes(FUNCTION_KEY, {
      smoke: async () => {
        const answer = await handleSmokeRequest(functionEnvironment, functionCredential);
        return { status: answer.status, body: answer.jsonBody };
      },
    }),
  });
  const vm: StandInVm = { name: VM_NAME, imdsOrigin: imds.origin, caBundlePath: tls.certPath };
  const armOptions: ArmOptions = {
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroupName: RESOURCE_GROUP,
    vms: [vm],
    functionApps: [{ name: FUNCTION_APP_NAME, defaultFunctionKey: FUNCTION_KEY }],
  };
  const arm = await startStandIn({ tls, routes: armRoutes(armOptions) });
  const githubOptions: GitHubOidcOptions = {
    requestToken: ACTIONS_REQUEST_TOKEN,
    subject: PIPELINE_SUBJECT,
    lifetimeSeconds: 300,
    now: () => Date.now(),
    issued: [],
  };
  const github = await startStandIn({ routes: githubOidcRoutes(githubOptions) });
  const entra = await startStandIn({
    tls,
    routes: entraRoutes({
      tenantId: STAND_IN_TENANT_ID,
      clientId: PIPELINE_PRINCIPAL.appId,
      federatedSubject: PIPELINE_SUBJECT,
      principal: PIPELINE_PRINCIPAL,
      now: () => Date.now(),
    }),
  });
  const az = createStandInAzureCli(USER_PRINCIPAL);
  const signedOutAz = createStandInAzureCli(USER_PRINCIPAL, { signedIn: false });

  const outputs: Record<string, unknown> = {
    endpoint: `${dataPlaneTls.origin}/`,
    accountName: "oai-standin",
    resourceGroupName: RESOURCE_GROUP,
    subscriptionId: SUBSCRIPTION_ID,
    location: "swedencentral",
    deploymentNames: ["chat"],
    defaultDeployment: "chat",
    compute: "both",
    vmName: VM_NAME,
    vmPrincipalId: VM_PRINCIPAL.objectId,
    functionAppName: FUNCTION_APP_NAME,
    functionAppHostName: "func-smoke.azurewebsites.net",
    functionAppPrincipalId: FUNCTION_APP_PRINCIPAL.objectId,
  };
  const outputsDirectory = mkdtempSync(join(tmpdir(), "smoke-outputs-"));
  let outputsFileCount = 0;
  const writeOutputs = (changes: Record<string, unknown>): string => {
    outputsFileCount += 1;
    const file = join(outputsDirectory, `outputs-${outputsFileCount}.json`);
    writeFileSync(file, JSON.stringify({ ...outputs, ...changes }, null, 2));
    return file;
  };
  const outputsFile = writeOutputs({});

  const servers = { imds, appServiceIdentity, dataPlaneTls, dataPlanePlain, arm, functionHost, github, entra };
  const githubActionsEnvironment = {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${github.origin}${GITHUB_TOKEN_PATH}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: ACTIONS_REQUEST_TOKEN,
    AZURE_CLIENT_ID: PIPELINE_PRINCIPAL.appId,
    AZURE_TENANT_ID: STAND_IN_TENANT_ID,
    AZURE_AUTHORITY_HOST: entra.origin,
  };

  /** Sets process-wide variables the Azure SDKs read (PATH for `az`, ...) for one run, and puts them back after. */
  const withProcessEnvironment = async <T>(variables: Record<string, string>, body: () => Promise<T>): Promise<T> => {
    const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    Object.assign(process.env, variables);
    try {
      return await body();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  };

  const runCli = async (args: string[], runOptions: CliRunOptions = {}): Promise<CliRun> => {
    const variables: Record<string, string> = {
      PATH: `${(runOptions.signedOut ? signedOutAz : az).binDirectory}:${process.env.PATH ?? ""}`,
      // Only the Azure CLI source: no environment credentials, no IMDS probe of 169.254.169.254, and not the
      // App Service identity this process offers the in-process function.
      AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
      ...(runOptions.githubActions ? githubActionsEnvironment : {}),
      ...runOptions.environment,
    };
    const argv = [
      ...(runOptions.outputsFile === false ? [] : ["--outputs", runOptions.outputsFile ?? outputsFile]),
      "--arm-endpoint",
      arm.origin,
      "--function-base-url",
      functionHost.origin,
      "--json",
      ...args,
    ];
    if (runOptions.npmRun) return npmRunSmoke(argv, variables);
    let stdout = "";
    let stderr = "";
    const stderrLines: CliRun["stderrLines"] = [];
    const io = {
      out: (text: string) => {
        stdout += text;
      },
      err: (text: string) => {
        stderr += text;
        for (const line of text.split("\n").filter(Boolean)) stderrLines.push({ at: Date.now(), line });
      },
    };
    const clock = runOptions.realClock ? REAL_CLOCK : virtualClock(Date.now());
    vm.realClock = runOptions.realClock === true;
    // The run command is polled every 50 ms instead of every second: the stand-in VM needs no more.
    const runCommandPollMs = runOptions.realClock ? {} : { runCommandPollMs: 50 };
    const exitCode = await withProcessEnvironment(variables, () =>
      main(
        argv,
        { ...process.env },
        { io, clock, ...runCommandPollMs, ...(runOptions.download ? { download: runOptions.download } : {}) },
      ),
    );
    return cliRun(exitCode, stdout, stderr, stderrLines);
  };

  /**
   * `npm run smoke -- ARGV` in a child process with `variables` and the stand-ins' certificate trusted, without this
   * machine's Azure, GitHub Actions and test-runner variables; the VM script waits in real time, as the command does.
   */
  const npmRunSmoke = async (argv: string[], variables: Record<string, string>): Promise<CliRun> => {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (/^(AZURE_|ARM_|IDENTITY_|MSI_|ACTIONS_|GITHUB_|NODE_TEST|npm_)/.test(name)) continue;
      env[name] = value;
    }
    Object.assign(env, variables, {
      PATH: `${dirname(process.execPath)}:${variables.PATH}`,
      NODE_EXTRA_CA_CERTS: tls.certPath,
    });
    vm.realClock = true;
    const child = spawn("npm", ["run", "--silent", "smoke", "--", ...argv], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const stderrLines: CliRun["stderrLines"] = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      for (const line of chunk.split("\n").filter(Boolean)) stderrLines.push({ at: Date.now(), line });
    });
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    return cliRun(exitCode, stdout, stderr, stderrLines);
  };

  return {
    dataPlane,
    arm: armOptions,
    servers,
    githubAssertions: githubOptions.issued,
    az,
    tls,
    outputsFile,
    writeOutputs,
    runCli,
    close: async () => {
      await Promise.all(Object.values(servers).map((server) => server.close()));
      az.dispose();
      signedOutAz.dispose();
      tls.dispose();
      rmSync(outputsDirectory, { recursive: true, force: true });
    },
  };
}
