/**
 * Target `function`: gets the Function App's default host function key from Resource Manager at run time
 * (`POST .../sites/{app}/host/default/listkeys`, @azure/arm-appservice `webApps.listHostKeys`), then calls
 * `https://{functionAppHostName}/api/smoke` until the app's managed identity gets through.
 *
 * Why host keys and not the per-function `listFunctionKeys`: that operation answers `{"default": "..."}` while the
 * spec (and so the SDK's StringDictionary deserializer) expects `properties`, so SDKs return an empty dictionary
 * (Azure/azure-rest-api-specs#11401, #12889; Azure/azure-sdk-for-net#41218; pulumi/pulumi-azure-native#2160).
 * The host's `functionKeys.default` opens every `authLevel: "function"` function; the master key is never used.
 * The key travels in the `x-functions-key` header, which the Functions host accepts like `?code=` (Azure Functions
 * HTTP trigger docs, "API key authorization"), so it does not end up in URLs and logs.
 */
import { WebSiteManagementClient } from "@azure/arm-appservice";
import type { TokenCredential } from "@azure/identity";
import { diagnoseError, diagnoseHttp, diagnosisFor, isDiagnosisCode } from "../../../lib/diagnosis";
import type { StackOutputs } from "../outputs";
import { type Attempt, type Clock, REAL_CLOCK, type TargetResult, tryUntilDone, type WaitPolicy } from "../wait";
import { armCallerIdentity, armFailure } from "./arm-failure";
import { describeIdentity } from "./identity";

const REQUEST_TIMEOUT_MS = 60_000;

/** Reads one answer of the smoke function into an attempt. */
export function readFunctionAnswer(status: number, text: string, headers: Headers, elapsedMs: number): Attempt {
  let report: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && (parsed as { target?: unknown }).target === "function") {
      report = parsed as Record<string, unknown>;
    }
  } catch {
    report = undefined;
  }
  if (!report || !isDiagnosisCode(report.diagnosis)) {
    return { status, diagnosis: diagnoseHttp({ status, body: text, headers, elapsedMs, fromFunctionHost: true }) };
  }
  const retryAfterMs = typeof report.retryAfterMs === "number" ? report.retryAfterMs : undefined;
  const identity = (report.identity ?? {}) as Parameters<typeof describeIdentity>[0];
  return {
    status: Number(report.status ?? status),
    diagnosis: diagnosisFor(report.diagnosis, { elapsedMs, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }),
    identity: describeIdentity(identity),
    ...(typeof report.reply === "string" ? { reply: report.reply } : {}),
  };
}

export async function smokeFunction(
  outputs: StackOutputs,
  credential: TokenCredential,
  options: { armEndpoint: string; functionBaseUrl?: string },
  policy: WaitPolicy,
  log: (line: string) => void,
  clock: Clock = REAL_CLOCK,
): Promise<TargetResult> {
  const appName = outputs.functionAppName ?? "";
  const started = clock.now();
  let key: string | undefined;
  try {
    const client = new WebSiteManagementClient(credential, outputs.subscriptionId, { endpoint: options.armEndpoint });
    key = (await client.webApps.listHostKeys(outputs.resourceGroupName, appName)).functionKeys?.default;
  } catch (error) {
    const diagnosis = armFailure(error, "listing the function keys");
    return failedBeforeCalling(appName, diagnosis, clock.now() - started);
  }
  if (!key) {
    const diagnosis = diagnosisFor("unexpected", { detail: `Function App ${appName} has no default function key` });
    return failedBeforeCalling(appName, diagnosis, clock.now() - started);
  }
  const functionKey = key;
  const url = `${options.functionBaseUrl ?? `https://${outputs.functionAppHostName ?? ""}`}/api/smoke`;
  log(`[smoke function] calling ${url} (function key from Resource Manager)`);
  return tryUntilDone(
    "function",
    async (elapsedMs) => {
      try {
        const response = await fetch(url, {
          headers: { "x-functions-key": functionKey },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        return readFunctionAnswer(response.status, await response.text(), response.headers, elapsedMs);
      } catch (error) {
        return { status: 0, diagnosis: diagnoseError(error) };
      }
    },
    policy,
    log,
    clock,
  );
}

function failedBeforeCalling(
  appName: string,
  diagnosis: ReturnType<typeof diagnosisFor>,
  elapsedMs: number,
): TargetResult {
  return {
    target: "function",
    identity: armCallerIdentity(diagnosis, `${appName} (managed identity)`),
    outcome: "failed",
    status: 0,
    diagnosis,
    attempts: 0,
    elapsedMs,
    note: diagnosis.action,
  };
}
