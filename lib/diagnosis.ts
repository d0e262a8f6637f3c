/**
 * One classifier for every answer the smoke test can get from Azure OpenAI (or on the way to it): it names the cause
 * and says whether waiting helps. Used by `npm run smoke`, by the Function App handler, and mirrored (same codes) by
 * `scripts/vm/smoke.sh`, which cannot run TypeScript.
 *
 * Sources for the answers: the service's error bodies as public reports quote them (401 PermissionDenied,
 * Azure-Samples/rag-data-openai-python-promptflow#28; 403 AuthenticationTypeDisabled; 404 DeploymentNotFound; 400
 * unsupported_parameter and the api-version refusal of reasoning models, lobehub/lobehub#5909 and
 * chatboxai/chatbox#1745); network-blocked messages as the service
 * words them in public reports ("Traffic is not from an approved private endpoint", "Public access is disabled.
 * Please configure private endpoint.", "A Virtual Network is configured for this resource...", "Access denied due to
 * Virtual Network/Firewall rules."); the 5-minute grace for new deployments is the service's own DeploymentNotFound
 * message ("If you created the deployment within the last 5 minutes, please wait a moment and try again").
 */

/** Every cause the smoke test can name. */
export type DiagnosisCode =
  | "ok"
  | "role_not_effective"
  | "wrong_audience"
  | "deployment_not_found"
  | "key_auth_attempted"
  | "network_blocked"
  | "rate_limited"
  | "server_error"
  | "dns_failure"
  | "connection_failed"
  | "credential_unavailable"
  | "sign_in_missing"
  | "request_rejected"
  | "function_key_rejected"
  | "unexpected";

/** What a cause means and what to do about it. */
export interface Diagnosis {
  code: DiagnosisCode;
  /** `wait`: trying again can succeed (within `maxConsecutive` tries if set); `stop`: it cannot, fix something first. */
  retry: "wait" | "stop";
  /** For causes that clear quickly or not at all (5xx, connection failures): how many such answers in a row to accept. */
  maxConsecutive?: number;
  /** Server-requested delay before the next try (429 Retry-After). */
  retryAfterMs?: number;
  /** One line: what the answer means. */
  meaning: string;
  /** One line: what to do. */
  action: string;
}

/** Service's own grace period for a deployment created moments ago (its DeploymentNotFound message). */
export const DEPLOYMENT_GRACE_MS = 5 * 60 * 1000;
/** How many 5xx or connection failures in a row are worth retrying. */
export const TRANSIENT_FAILURE_LIMIT = 3;

/** Header lookup over fetch `Headers`, Node's lower-cased header objects, or plain records. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Delay the server asked for: `retry-after-ms` (Azure OpenAI), `x-ms-retry-after-ms`, then `Retry-After` in seconds
 * or as an HTTP date.
 */
export function retryAfterMs(headers: HeaderSource, now: number = Date.now()): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = Number(header(headers, name));
    if (header(headers, name) !== undefined && Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = header(headers, "retry-after");
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface ErrorFields {
  code: string;
  message: string;
}

/** Error code and message from the two body shapes the service uses (`{error:{code,message}}`, `{statusCode,message}`). */
function errorFields(body: unknown): ErrorFields {
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { code: "", message: body };
    }
  }
  if (typeof parsed !== "object" || parsed === null) return { code: "", message: "" };
  const record = parsed as Record<string, unknown>;
  const inner =
    typeof record.error === "object" && record.error !== null ? (record.error as Record<string, unknown>) : record;
  const code = inner.code ?? record.statusCode ?? "";
  const message = inner.message ?? record.message ?? "";
  return { code: String(code), message: String(message) };
}

const NETWORK_BLOCKED_PATTERNS = [
  /not from an approved private endpoint/i,
  /public access is disabled/i,
  /virtual network is configured/i,
  /virtual network\/firewall rules/i,
];

/** An HTTP answer to classify. */
export interface HttpAnswer {
  status: number;
  body?: unknown;
  headers?: HeaderSource;
  /** How long the caller has been trying: DeploymentNotFound is worth waiting for only in the first minutes. */
  elapsedMs?: number;
  /** The answer came from the Functions host in front of the function, not from the model. */
  fromFunctionHost?: boolean;
}

interface CauseEntry {
  retry: Diagnosis["retry"];
  maxConsecutive?: number;
  meaning: string;
  action: string;
}

/** Meaning, advice and retry policy of every cause, so a code alone (from the VM script or the function) is enough. */
const CAUSES: Record<DiagnosisCode, CauseEntry> = {
  ok: { retry: "stop", meaning: "The identity called the model.", action: "Nothing to do." },
  role_not_effective: {
    retry: "wait",
    meaning: "The token is valid but the identity has no data-plane role yet (RBAC propagation takes ~5-10 min).",
    action: "Wait; if it persists past the deadline, check the role assignment's principal, role and scope.",
  },
  wrong_audience: {
    retry: "stop",
    meaning: "The token was refused: missing, invalid, expired, or not issued for https://cognitiveservices.azure.com.",
    action: "Request the token for scope https://cognitiveservices.azure.com/.default; waiting does not help.",
  },
  deployment_not_found: {
    retry: "wait",
    meaning: "No deployment by that name answers (yet): new deployments can take a few minutes to appear.",
    action: "Wait a few minutes after creating the deployment; after that, check the name against deploymentNames.",
  },
  key_auth_attempted: {
    retry: "stop",
    meaning: "An API key was sent, and key authentication is disabled on this account (disableLocalAuth).",
    action: "Send an Entra ID bearer token instead of an api-key header.",
  },
  network_blocked: {
    retry: "stop",
    meaning: "The account's network rules refused the caller's network (public access off or not an allowed network).",
    action: "Call from an allowed network or private endpoint, or add the caller's IP/subnet to the network rules.",
  },
  rate_limited: {
    retry: "wait",
    meaning: "The deployment's rate limit or quota (tokens/requests per minute) was exceeded.",
    action: "Wait for Retry-After; if it is constant, raise the deployment's capacity.",
  },
  server_error: {
    retry: "wait",
    maxConsecutive: TRANSIENT_FAILURE_LIMIT,
    meaning: "The service failed (5xx).",
    action: "Retry a few times; if it persists, check Azure status for the region.",
  },
  dns_failure: {
    retry: "stop",
    meaning: "The endpoint's host name does not resolve.",
    action: "Check the endpoint (custom subdomain) and, with private endpoints, the private DNS zone link.",
  },
  connection_failed: {
    retry: "wait",
    maxConsecutive: TRANSIENT_FAILURE_LIMIT,
    meaning: "No connection to the endpoint (refused, reset or timed out).",
    action: "Retry a few times; then check outbound network rules, proxies and firewalls on the way.",
  },
  credential_unavailable: {
    retry: "stop",
    meaning: "No token could be obtained for the identity (not signed in, or no managed identity).",
    action: "Run `az login` (local), or check the resource's system-assigned identity is enabled.",
  },
  sign_in_missing: {
    retry: "stop",
    meaning:
      "Your own sign-in gave no token: this command calls the model (local) and Resource Manager (to reach the VM and the Function App) as you, so the managed identities were not tried.",
    action:
      "Sign in with `az login` (in GitHub Actions: `permissions: id-token: write` and AZURE_CLIENT_ID/AZURE_TENANT_ID), then run again.",
  },
  request_rejected: {
    retry: "stop",
    meaning:
      "The model refused the request itself (400): a parameter it does not take (reasoning models refuse max_tokens) or an api-version older than the model's minimum.",
    action:
      "Call the v1 API ({endpoint}openai/v1/chat/completions, model = deployment name) without max_tokens; use max_completion_tokens for a cap.",
  },
  function_key_rejected: {
    retry: "stop",
    meaning: "The Functions host refused the function key (authLevel function); the model was not called.",
    action: "Fetch the key again (keys can be rotated) and check the app name.",
  },
  unexpected: {
    retry: "stop",
    meaning: "An answer that is none of the known causes.",
    action: "Read the message in the detail.",
  },
};

/** Context that refines a cause: how long the caller has tried, the server's delay, and the raw detail. */
export interface DiagnosisContext {
  /** DeploymentNotFound is worth waiting for only in the first minutes. */
  elapsedMs?: number;
  retryAfterMs?: number;
  /** Status, code or message to append to the meaning (for unexpected answers and failures). */
  detail?: string;
}

/** The diagnosis for a cause code, e.g. one reported by the VM script or the Function App. */
export function diagnosisFor(code: DiagnosisCode, context: DiagnosisContext = {}): Diagnosis {
  const entry = CAUSES[code];
  const diagnosis: Diagnosis = { code, ...entry };
  if (context.detail) diagnosis.meaning = `${entry.meaning} (${context.detail})`;
  if (code === "deployment_not_found" && (context.elapsedMs ?? 0) >= DEPLOYMENT_GRACE_MS) diagnosis.retry = "stop";
  if (code === "rate_limited" && context.retryAfterMs !== undefined) diagnosis.retryAfterMs = context.retryAfterMs;
  return diagnosis;
}

/** Whether a string is one of the known cause codes. */
export function isDiagnosisCode(value: unknown): value is DiagnosisCode {
  return typeof value === "string" && Object.hasOwn(CAUSES, value);
}

/** Classifies an HTTP answer from the data plane (or the Functions host in front of the smoke function). */
export function diagnoseHttp(answer: HttpAnswer): Diagnosis {
  const { status } = answer;
  const { code, message } = errorFields(answer.body);
  const context = { elapsedMs: answer.elapsedMs };
  if (status >= 200 && status < 300) return diagnosisFor("ok");
  if (answer.fromFunctionHost && status === 401) return diagnosisFor("function_key_rejected");
  if (status === 401 && code === "PermissionDenied") return diagnosisFor("role_not_effective");
  if (status === 401) return diagnosisFor("wrong_audience");
  if (status === 403 && code === "AuthenticationTypeDisabled") return diagnosisFor("key_auth_attempted");
  if (status === 403 && NETWORK_BLOCKED_PATTERNS.some((pattern) => pattern.test(message))) {
    return diagnosisFor("network_blocked");
  }
  if (status === 404 && code === "DeploymentNotFound") return diagnosisFor("deployment_not_found", context);
  // 400 unsupported_parameter ("Unsupported parameter: 'max_tokens' is not supported with this model. Use
  // 'max_completion_tokens' instead.": lobehub/lobehub#5909) and 400 BadRequest "Model {modelName} is enabled only
  // for api versions 2024-12-01-preview and later" (chatboxai/chatbox#1745, langchain4j/langchain4j#2636).
  if (status === 400 && (code === "unsupported_parameter" || /enabled only for api versions/i.test(message))) {
    return diagnosisFor("request_rejected", { detail: `${code}: ${message.slice(0, 160)}` });
  }
  if (status === 429) return diagnosisFor("rate_limited", { retryAfterMs: retryAfterMs(answer.headers) });
  if (status >= 500) return diagnosisFor("server_error", { detail: `HTTP ${status}` });
  const detail = `HTTP ${status}${code ? ` ${code}` : ""}${message ? `: ${message.slice(0, 160)}` : ""}`;
  return diagnosisFor("unexpected", { detail });
}

const DNS_ERROR_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME"]);
const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
]);
const CREDENTIAL_ERROR_NAMES = new Set([
  "CredentialUnavailableError",
  "AggregateAuthenticationError",
  "AuthenticationError",
]);

/** Walks `cause` chains (fetch and openai wrap the socket error) and yields each error-like object. */
function* causeChain(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth += 1) {
    const record = current as Record<string, unknown>;
    yield record;
    current = record.cause;
  }
}

/**
 * Classifies a thrown error: network failures (DNS, connection) and failures to get a token. `tokenFrom` says whose
 * credential failed: a managed identity's (`identity`: credential_unavailable) or the person's or pipeline's running
 * the command (`caller`: sign_in_missing), so a missing `az login` is never blamed on the VM or the app.
 */
export function diagnoseError(error: unknown, tokenFrom: "identity" | "caller" = "identity"): Diagnosis {
  for (const link of causeChain(error)) {
    const code = typeof link.code === "string" ? link.code : "";
    const name = typeof link.name === "string" ? link.name : "";
    if (DNS_ERROR_CODES.has(code)) return diagnosisFor("dns_failure", { detail: code });
    if (CONNECTION_ERROR_CODES.has(code) || name === "APIConnectionTimeoutError") {
      return diagnosisFor("connection_failed", { detail: code || name });
    }
    if (CREDENTIAL_ERROR_NAMES.has(name)) {
      const message = typeof link.message === "string" ? link.message.split("\n")[0]?.slice(0, 200) : undefined;
      return diagnosisFor(tokenFrom === "caller" ? "sign_in_missing" : "credential_unavailable", {
        ...(message ? { detail: message } : {}),
      });
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return diagnosisFor("unexpected", { detail: message.slice(0, 200) });
}
