/**
 * Deploys a Function App code package to a Flex Consumption app with "one deploy": POST the zip to the app's SCM
 * site at `/api/publish?RemoteBuild=false` with the deployer's Microsoft Entra token for Azure Resource Manager (basic
 * auth is off), then poll the deployment until it completes. This is what `az functionapp deployment source
 * config-zip` does for Flex apps (azure-cli appservice/custom.py `enable_zip_deploy_flex`: same URL, `Content-Type:
 * application/zip`, 202 then polling under `/api/deployments/`). Run by the FunctionApp component's `local.Command`;
 * settings come from the environment so the command text never changes:
 *
 *   PUBLISH_SCM_HOST      SCM host name, e.g. func-x.scm.azurewebsites.net (required)
 *   PUBLISH_ZIP_PATH      package zip (required)
 *   PUBLISH_ZIP_SHA256    expected SHA-256 of the zip: a stale or different file is refused (required)
 *   PUBLISH_ATTEMPTS      whole publishes to try before giving up (default 4): a new app's storage role can take
 *                         minutes to apply (Learn "Troubleshoot Azure RBAC": up to 10), and until then the
 *                         platform cannot write the package
 *   PUBLISH_RETRY_SECONDS wait between attempts (default 45)
 *   PUBLISH_POLL_SECONDS  wait between status polls (default 5)
 *   PUBLISH_TIMEOUT_SECONDS limit for one attempt's polling (default 900)
 *
 * Credentials: scripts/core/azure-credential.ts (in GitHub Actions a fresh OIDC assertion per token, as this runs late in a
 * long pulumi up; elsewhere DefaultAzureCredential). The
 * identity needs `Microsoft.Web/sites/publish/Action` on the app (Website Contributor, Contributor or Owner).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { TokenCredential } from "@azure/identity";
import { ARM_SCOPE } from "../lib/constants";
import { chooseAzureCredential } from "./core/azure-credential";
import { type CommandIo, processIo } from "./core/cli";

/** Kudu deployment status codes (DeployStatus): 0 pending, 1 building, 2 deploying, 3 failed, 4 success. */
const DEPLOY_STATUS_SUCCESS = 4;
const DEPLOY_STATUS_FAILED = 3;

/** What one publish needs. */
export interface PublishOptions {
  scmHost: string;
  zipPath: string;
  sha256: string;
  attempts: number;
  retryDelayMs: number;
  pollIntervalMs: number;
  timeoutMs: number;
  credential: TokenCredential;
  log: (line: string) => void;
}

/** The finished deployment. */
export interface PublishResult {
  deploymentId: string;
  attempts: number;
}

/** Kudu's deployment record (`GET /api/deployments/{id}`); only the fields read here. */
interface DeploymentRecord {
  id?: string;
  status?: number;
  status_text?: string;
  complete?: boolean;
  log_url?: string;
}

/** A failure worth another attempt (the deployment ran and failed, or the service was busy). */
class RetryableError extends Error {}

async function authorization(credential: TokenCredential): Promise<string> {
  const token = await credential.getToken(ARM_SCOPE);
  if (!token) throw new Error(`no token for ${ARM_SCOPE}: sign in with az login or set up workload identity`);
  return `Bearer ${token.token}`;
}

/** Answers that say the deployer may not publish: waiting does not help. */
function permissionHint(status: number): string {
  return status === 401 || status === 403
    ? " The deploying identity needs Microsoft.Web/sites/publish/Action on the app (Website Contributor or Contributor)."
    : "";
}

async function startDeployment(options: PublishOptions, zip: Buffer): Promise<string> {
  const url = `https://${options.scmHost}/api/publish?RemoteBuild=false&Deployer=keyless-openai`;
  const response = await fetch(url, {
    method: "POST",
    headers: {
      Authorization: await authorization(options.credential),
      "Content-Type": "application/zip",
      "Cache-Control": "no-cache",
    },
    body: zip,
  });
  const text = await response.text();
  if (response.status === 409 || response.status >= 500) {
    throw new RetryableError(`publish answered ${response.status} (busy or another deployment running): ${text}`);
  }
  if (response.status !== 200 && response.status !== 202) {
    throw new Error(`publish answered ${response.status}: ${text}.${permissionHint(response.status)}`);
  }
  // The 202 body is the deployment ID as a JSON string; fall back to Location, then to "latest".
  const fromBody = text.trim().replace(/^"|"$/g, "");
  if (/^[A-Za-z0-9-]+$/.test(fromBody)) return fromBody;
  const location = response.headers.get("location");
  return location ? (location.split("/").pop() ?? "latest") : "latest";
}

async function waitForDeployment(options: PublishOptions, deploymentId: string): Promise<void> {
  const url = `https://${options.scmHost}/api/deployments/${encodeURIComponent(deploymentId)}`;
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetch(url, {
      headers: { Authorization: await authorization(options.credential), "Cache-Control": "no-cache" },
    });
    // 404 while the record is being written, 5xx while the site restarts: poll again.
    if (response.ok) {
      const record = (await response.json()) as DeploymentRecord;
      if (record.complete === true || record.status === DEPLOY_STATUS_SUCCESS) {
        if (record.status === DEPLOY_STATUS_SUCCESS) return;
        const detail = record.status_text || `status ${record.status}`;
        throw new RetryableError(
          `deployment ${deploymentId} failed: ${detail}${record.log_url ? ` (log: ${record.log_url})` : ""}`,
        );
      }
      if (record.status === DEPLOY_STATUS_FAILED) {
        throw new RetryableError(`deployment ${deploymentId} failed: ${record.status_text || "no detail"}`);
      }
    } else if (response.status !== 404 && response.status < 500) {
      throw new Error(`deployment status answered ${response.status}.${permissionHint(response.status)}`);
    }
    await sleep(options.pollIntervalMs);
  }
  throw new RetryableError(`deployment ${deploymentId} did not complete within ${options.timeoutMs / 1000} s`);
}

/** Publishes the package, retrying failed deployments, and returns the successful deployment's ID. */
export async function publishFunctionApp(options: PublishOptions): Promise<PublishResult> {
  const zip = readFileSync(options.zipPath);
  const actual = createHash("sha256").update(zip).digest("hex");
  if (actual !== options.sha256.toLowerCase()) {
    throw new Error(`${options.zipPath} has SHA-256 ${actual}, expected ${options.sha256}: rebuild before deploying`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      options.log(
        `publishing ${options.zipPath} (${zip.length} bytes, sha256 ${actual}) to ${options.scmHost}, attempt ${attempt}`,
      );
      const deploymentId = await startDeployment(options, zip);
      await waitForDeployment(options, deploymentId);
      options.log(`deployment ${deploymentId} succeeded`);
      return { deploymentId, attempts: attempt };
    } catch (error) {
      if (!(error instanceof RetryableError) || attempt >= options.attempts) throw error;
      options.log(`${error.message}; trying again in ${options.retryDelayMs / 1000} s`);
      await sleep(options.retryDelayMs);
    }
  }
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds (got ${raw})`);
  return value * 1000;
}

/**
 * The command as the component runs it: settings from `env` (see the module comment), the result as one JSON line,
 * exit code 1 with the reason on a failure; progress goes to `io.err`. `credential` defaults to scripts/core/azure-credential.ts's choice.
 */
export async function publishCommand(
  env: NodeJS.ProcessEnv,
  io: CommandIo,
  credential: () => TokenCredential = () => chooseAzureCredential(env).credential,
): Promise<number> {
  try {
    const attempts = Number(env.PUBLISH_ATTEMPTS ?? 4);
    const result = await publishFunctionApp({
      scmHost: required(env, "PUBLISH_SCM_HOST"),
      zipPath: required(env, "PUBLISH_ZIP_PATH"),
      sha256: required(env, "PUBLISH_ZIP_SHA256"),
      attempts: Number.isInteger(attempts) && attempts > 0 ? attempts : 4,
      retryDelayMs: seconds(env, "PUBLISH_RETRY_SECONDS", 45),
      pollIntervalMs: seconds(env, "PUBLISH_POLL_SECONDS", 5),
      timeoutMs: seconds(env, "PUBLISH_TIMEOUT_SECONDS", 900),
      credential: credential(),
      log: (line) => io.err(`${line}\n`),
    });
    io.out(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    io.err(`publish-function-app: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  void publishCommand(process.env, processIo).then((code) => {
    process.exitCode = code;
  });
}
