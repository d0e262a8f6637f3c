/**
 * The Function App's smoke check, free of the Functions host so tests can call it: one chat completion through the
 * app's managed identity, reported as JSON with the identity that was used and, on failure, a diagnosis from
 * lib/diagnosis.ts. Waiting for RBAC propagation is the caller's job (`npm run smoke` calls again); this function
 * answers after one try.
 *
 * The call uses the v1 data-plane API, GA since August 2025: `POST {endpoint}openai/v1/chat/completions`, no
 * api-version, `model` = the deployment name. It works for reasoning models (gpt-5 family, o-series) and older chat
 * models alike, where a dated api-version must be at least the model's own minimum. The client is the one Microsoft
 * shows for Entra ID on v1: `new OpenAI({ baseURL: "https://NAME.openai.azure.com/openai/v1/", apiKey: tokenProvider })`
 * with `getBearerTokenProvider(credential, "https://cognitiveservices.azure.com/.default")` (Learn, "Azure OpenAI
 * API version lifecycle" / "How to generate chat completions with Foundry Models", JavaScript, Microsoft Entra
 * authentication); openai 7.x takes an async function as `apiKey` and sends it as the Bearer token.
 * No `max_tokens`: reasoning models refuse it with 400 `unsupported_parameter` ("Use 'max_completion_tokens'
 * instead"; lobehub/lobehub#5909, langgenius/dify#9746), and a `max_completion_tokens` cap small enough to matter
 * also caps the hidden reasoning tokens, which can leave no visible reply. The prompt asks for four words.
 */
import {
  type AccessToken,
  DefaultAzureCredential,
  getBearerTokenProvider,
  type TokenCredential,
} from "@azure/identity";
import { APIError, OpenAI } from "openai";
import { type Diagnosis, diagnoseError, diagnoseHttp } from "../../lib/diagnosis";
import { type TokenIdentity, tokenIdentity } from "./token-identity";

/** Token scope for Azure OpenAI (`openai` 7.57.0 README, Azure OpenAI: `https://cognitiveservices.azure.com/.default`). */
const COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default";
const REQUEST_TIMEOUT_MS = 30_000;
/** The one question every smoke path asks (scripts/vm/smoke.sh sends the same words). */
export const SMOKE_PROMPT = "Reply with the words: keyless access works";

/** App settings the check needs (set by the stack on the Function App). */
export interface SmokeSettings {
  endpoint: string;
  deployment: string;
}

/** The v1 API's base URL for an account endpoint (`https://NAME.openai.azure.com/` -> `.../openai/v1/`). */
export function v1BaseUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, "")}/openai/v1/`;
}

/** The JSON the function returns. */
export interface SmokeReport {
  target: "function";
  outcome: "passed" | "failed";
  /** HTTP status of the model call (0 when no answer came back). */
  status: number;
  deployment: string;
  latencyMs: number;
  /** First words of the model's reply. */
  reply?: string;
  identity: TokenIdentity & { credentialSource: string };
  diagnosis: Diagnosis["code"];
  meaning?: string;
  action?: string;
  /** Server-requested delay before the next try (rate limiting). */
  retryAfterMs?: number;
}

/**
 * Reads the settings; names the missing ones. AZURE_OPENAI_API_VERSION, which the stack may still set, is not
 * needed: the v1 API has no api-version.
 */
export function readSettings(environment: NodeJS.ProcessEnv): SmokeSettings | { missing: string[] } {
  const endpoint = environment.AZURE_OPENAI_ENDPOINT;
  const deployment = environment.AZURE_OPENAI_DEPLOYMENT;
  if (endpoint && deployment) return { endpoint, deployment };
  const names = ["AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT"];
  return { missing: names.filter((name) => !environment[name]) };
}

/**
 * Which credential DefaultAzureCredential will use here. It does not report its choice, so this reads the same
 * environment it does: App Service/Functions set IDENTITY_ENDPOINT and IDENTITY_HEADER for the managed identity
 * (@azure/identity managed identity sources via msal-node).
 */
export function credentialSource(environment: NodeJS.ProcessEnv): string {
  if (environment.AZURE_CLIENT_ID && (environment.AZURE_CLIENT_SECRET || environment.AZURE_FEDERATED_TOKEN_FILE)) {
    return "DefaultAzureCredential: environment/workload identity (AZURE_CLIENT_ID is set: not the app's own identity)";
  }
  if (environment.IDENTITY_ENDPOINT && environment.IDENTITY_HEADER) {
    return "DefaultAzureCredential: ManagedIdentityCredential (App Service identity endpoint, system-assigned)";
  }
  return "DefaultAzureCredential: no managed identity endpoint in this environment";
}

/** Wraps a credential to remember the last token's identity, so the report can say who called. */
class RecordingCredential implements TokenCredential {
  lastIdentity: TokenIdentity = {};
  constructor(private readonly inner: TokenCredential) {}
  async getToken(
    scopes: string | string[],
    options?: Parameters<TokenCredential["getToken"]>[1],
  ): Promise<AccessToken | null> {
    const token = await this.inner.getToken(scopes, options);
    if (token) this.lastIdentity = tokenIdentity(token.token);
    return token;
  }
}

let sharedCredential: TokenCredential | undefined;
/** One credential per process: it keeps the token cache across invocations. */
function defaultCredential(): TokenCredential {
  sharedCredential ??= new DefaultAzureCredential();
  return sharedCredential;
}

function firstWords(text: string, count = 8): string {
  return text.split(/\s+/).filter(Boolean).slice(0, count).join(" ");
}

/** One model call and what came of it. */
export interface ModelCall {
  /** HTTP status of the model's answer (0 when none came back). */
  status: number;
  diagnosis: Diagnosis;
  latencyMs: number;
  reply?: string;
  /** Identity of the token that was sent (empty when no token was obtained). */
  identity: TokenIdentity;
}

/**
 * A caller of the deployment with one client and one token provider, so a loop of tries reuses the token until it
 * nears expiry (getBearerTokenProvider keeps it) instead of asking the credential, e.g. spawning `az`, every try.
 * Each call never throws. `elapsedMs`: how long the caller has been trying (a missing deployment is worth waiting for
 * at first). `tokenFrom`: whose credential this is, so a failure to get a token blames the right party
 * (lib/diagnosis.ts).
 */
export function modelCaller(
  settings: SmokeSettings,
  credential: TokenCredential,
  tokenFrom: "identity" | "caller" = "identity",
): (elapsedMs?: number) => Promise<ModelCall> {
  const recording = new RecordingCredential(credential);
  const client = new OpenAI({
    baseURL: v1BaseUrl(settings.endpoint),
    apiKey: getBearerTokenProvider(recording, COGNITIVE_SERVICES_SCOPE),
    // The caller retries with its own deadline and diagnosis; one try per call keeps attempts countable.
    maxRetries: 0,
    timeout: REQUEST_TIMEOUT_MS,
  });
  return async (elapsedMs = 0) => {
    const started = Date.now();
    try {
      const completion = await client.chat.completions.create({
        model: settings.deployment,
        messages: [{ role: "user", content: SMOKE_PROMPT }],
      });
      return {
        status: 200,
        diagnosis: diagnoseHttp({ status: 200 }),
        latencyMs: Date.now() - started,
        reply: firstWords(completion.choices[0]?.message.content ?? ""),
        identity: recording.lastIdentity,
      };
    } catch (error) {
      const answered = error instanceof APIError && typeof error.status === "number";
      return {
        status: answered ? (error.status ?? 0) : 0,
        diagnosis: answered
          ? diagnoseHttp({ status: error.status ?? 0, body: error.error, headers: error.headers, elapsedMs })
          : diagnoseError(error, tokenFrom),
        latencyMs: Date.now() - started,
        identity: recording.lastIdentity,
      };
    }
  };
}

/** Runs one chat completion as this app and reports it. `credential` defaults to the process-wide DefaultAzureCredential. */
export async function runSmokeCheck(
  settings: SmokeSettings,
  environment: NodeJS.ProcessEnv = process.env,
  credential: TokenCredential = defaultCredential(),
): Promise<SmokeReport> {
  const call = await modelCaller(settings, credential)();
  const report: SmokeReport = {
    target: "function",
    outcome: call.diagnosis.code === "ok" ? "passed" : "failed",
    status: call.status,
    deployment: settings.deployment,
    latencyMs: call.latencyMs,
    identity: { ...call.identity, credentialSource: credentialSource(environment) },
    diagnosis: call.diagnosis.code,
  };
  if (call.reply !== undefined) report.reply = call.reply;
  if (call.diagnosis.code !== "ok") {
    report.meaning = call.diagnosis.meaning;
    report.action = call.diagnosis.action;
  }
  if (call.diagnosis.retryAfterMs !== undefined) report.retryAfterMs = call.diagnosis.retryAfterMs;
  return report;
}

/** HTTP answer of the function: 200 when the model answered, 502 when it did not (the report says why), 500 when misconfigured. */
export async function handleSmokeRequest(
  environment: NodeJS.ProcessEnv = process.env,
  credential?: TokenCredential,
): Promise<{ status: number; jsonBody: SmokeReport | { error: string; missingSettings: string[] } }> {
  const settings = readSettings(environment);
  if ("missing" in settings) {
    return {
      status: 500,
      jsonBody: { error: "The Function App is missing app settings.", missingSettings: settings.missing },
    };
  }
  const report = await runSmokeCheck(settings, environment, credential);
  return { status: report.outcome === "passed" ? 200 : 502, jsonBody: report };
}
