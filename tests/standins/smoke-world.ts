/**
 * Everything `npm run smoke` talks to, on 127.0.0.1: a stand-in `az` for the user, the data plane (HTTPS for the CLI
 * and the VM's curl; plain http for the function handler, which runs in this process and cannot trust a run-time CA),
 * IMDS for the VM, ARM (run command really runs scripts/vm/smoke.sh with bash; host keys), and a Functions host whose
 * `smoke` function is the real handler, using the real DefaultAzureCredential through the App Service identity
 * stand-in. `runCli` spawns `node --import tsx scripts/smoke.ts` in its own process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handleSmokeRequest } from "../../function-app/src/smoke-check";
import { type ArmOptions, armRoutes, functionHostRoutes } from "./arm";
import { createStandInAzureCli, type StandInAzureCli } from "./az-cli";
import { APP_SERVICE_IDENTITY_PATH, appServiceIdentityRoutes, imdsRoutes } from "./identity";
import { type DataPlaneOptions, dataPlaneRoutes } from "./openai-data-plane";
import { FUNCTION_APP_PRINCIPAL, RESOURCE_GROUP, SUBSCRIPTION_ID, USER_PRINCIPAL, VM_PRINCIPAL } from "./principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./server";

const REPO_ROOT = join(__dirname, "..", "..");
export const VM_NAME = "vm-smoke";
export const FUNCTION_APP_NAME = "func-smoke";
export const FUNCTION_KEY = "stand-in-default-function-key";

/** Result of one CLI run. */
export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Parsed `--json` summary line, when printed. */
  summary?: { results: Record<string, unknown>[] };
  /** Epoch ms at which each stderr line arrived. */
  stderrLines: { at: number; line: string }[];
}

/** Per-run choices for {@link SmokeWorld.runCli}. */
export interface CliRunOptions {
  environment?: Record<string, string>;
  /** Outputs file to pass (default: the world's, compute "both"). */
  outputsFile?: string;
  /** Put a signed-out `az` first on PATH. */
  signedOut?: boolean;
}

/** A running world; `dataPlane` is mutable (grant access while the CLI waits). */
export interface SmokeWorld {
  dataPlane: DataPlaneOptions;
  /** Mutable: e.g. change the function key the ARM stand-in hands out. */
  arm: ArmOptions;
  servers: Record<
    "imds" | "appServiceIdentity" | "dataPlaneTls" | "dataPlanePlain" | "arm" | "functionHost",
    StandInServer
  >;
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
export async function startSmokeWorld(): Promise<SmokeWorld> {
  const tls = createSelfSignedCertificate();
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
  const functionEnvironment: NodeJS.ProcessEnv = {
    IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT,
    IDENTITY_HEADER: identityHeader,
    AZURE_OPENAI_ENDPOINT: `${dataPlanePlain.origin}/`,
    AZURE_OPENAI_DEPLOYMENT: "chat",
    AZURE_OPENAI_API_VERSION: "2024-10-21",
  };
  const functionHost = await startStandIn({
    tls,
    routes: functionHostRoutes(FUNCTION_KEY, {
      smoke: async () => {
        const answer = await handleSmokeRequest(functionEnvironment);
        return { status: answer.status, body: answer.jsonBody };
      },
    }),
  });
  const armOptions: ArmOptions = {
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroupName: RESOURCE_GROUP,
    vms: [{ name: VM_NAME, imdsOrigin: imds.origin, caBundlePath: tls.certPath }],
    functionApps: [{ name: FUNCTION_APP_NAME, defaultFunctionKey: FUNCTION_KEY }],
  };
  const arm = await startStandIn({ tls, routes: armRoutes(armOptions) });
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
    apiVersion: "2024-10-21",
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

  const servers = { imds, appServiceIdentity, dataPlaneTls, dataPlanePlain, arm, functionHost };

  const runCli = (args: string[], runOptions: CliRunOptions = {}): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          join(REPO_ROOT, "scripts", "smoke.ts"),
          "--outputs",
          runOptions.outputsFile ?? outputsFile,
          "--arm-endpoint",
          arm.origin,
          "--function-base-url",
          functionHost.origin,
          "--json",
          ...args,
        ],
        {
          cwd: REPO_ROOT,
          env: {
            PATH: `${(runOptions.signedOut ? signedOutAz : az).binDirectory}:${process.env.PATH ?? ""}`,
            HOME: outputsDirectory,
            NODE_EXTRA_CA_CERTS: tls.certPath,
            // Only the Azure CLI source: no environment credentials, no IMDS probe of 169.254.169.254.
            AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
            ...runOptions.environment,
          },
        },
      );
      let stdout = "";
      let stderr = "";
      const stderrLines: CliRun["stderrLines"] = [];
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        const text = chunk.toString();
        stderr += text;
        for (const line of text.split("\n").filter(Boolean)) stderrLines.push({ at: Date.now(), line });
      });
      child.on("error", reject);
      child.on("close", (exitCode) => {
        const jsonLine = stdout
          .split("\n")
          .reverse()
          .find((line) => line.startsWith('{"results"'));
        resolve({
          exitCode,
          stdout,
          stderr,
          stderrLines,
          ...(jsonLine ? { summary: JSON.parse(jsonLine) as CliRun["summary"] } : {}),
        });
      });
    });

  return {
    dataPlane,
    arm: armOptions,
    servers,
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
