/**
 * The one path that turns any failure of an Azure call (ARM through the `@azure/arm-*` clients, or the credential
 * behind them) into a verdict and a fix. A 429 or a 500 is not a rights problem, and a missing sign-in is not a
 * refusal: each kind gets its own fix, and the whole error stays available for `--verbose`.
 *
 * Sources: ARM throttling answers 429 with code `SubscriptionRequestsThrottled` and `Retry-After` in seconds (Learn,
 * "Understand how Azure Resource Manager throttles requests"; a real body in velero-io/velero#9171); a missing right
 * is 403 `AuthorizationFailed` (Learn, "Troubleshoot Azure RBAC"); 401 `InvalidAuthenticationToken*` is a token ARM
 * will not take (expired, or from another tenant); @azure/identity names its sign-in failures
 * CredentialUnavailableError (no credential in the chain could try), AuthenticationError and
 * AggregateAuthenticationError (@azure/identity errors.ts).
 */
import { isRestError } from "@azure/core-rest-pipeline";
import { describeError } from "./cli";

/** Every kind of failure, in the order docs/preflight.md lists them. */
export const AZURE_ERROR_KINDS = ["throttled", "server", "rights", "not-found", "sign-in", "network", "other"] as const;

export type AzureErrorKind = (typeof AZURE_ERROR_KINDS)[number];

export interface AzureErrorDescription {
  kind: AzureErrorKind;
  /** HTTP status of a failed ARM call. */
  status?: number;
  /** ARM's error code (`AuthorizationFailed`, `SubscriptionRequestsThrottled`, ...). */
  code?: string;
  /** What went wrong, short: status, code and ARM's own message, or the first line of a sign-in failure. */
  message: string;
  /** Seconds Azure asked to wait (`Retry-After`) before a throttled call may be retried. */
  retryAfterSeconds?: number;
  /** What to do about it. */
  fix: string;
  /** The whole error with every cause (the credential chain's report), for `--verbose`. */
  detail: string;
}

const SIGN_IN_ERRORS = new Set(["CredentialUnavailableError", "AuthenticationError", "AggregateAuthenticationError"]);
const NETWORK_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
]);

export const SIGN_IN_FIX =
  "sign in with az login (in GitHub Actions: permissions id-token: write and AZURE_CLIENT_ID/AZURE_TENANT_ID for OIDC), then run again";

function* causes(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === "object" && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    yield record;
    const nested = Array.isArray(record.errors) ? record.errors : [];
    for (const inner of nested) if (typeof inner === "object" && inner !== null) yield inner as Record<string, unknown>;
    current = record.cause;
  }
}

/** ARM's error code (`AuthorizationFailed`, `ResourceGroupNotFound`, ...) of a failed call, if any. */
export function armErrorCode(error: unknown): string | undefined {
  if (!isRestError(error)) return undefined;
  const details = error.details as { error?: { code?: unknown }; code?: unknown } | undefined;
  const code = details?.error?.code ?? details?.code ?? error.code;
  return typeof code === "string" ? code : undefined;
}

export function armStatus(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}

/**
 * A failed ARM call in words: the client's message plus the HTTP status and ARM's error code, and ARM's own message
 * when the client kept it (the paged lists of the newer clients keep only "Pagination failed with unexpected
 * statusCode 403" as message, with the code alongside). Anything else: the whole error with its causes.
 */
export function describeArmError(error: unknown): string {
  if (!isRestError(error)) return describeError(error);
  const details = error.details as { error?: { message?: unknown } } | undefined;
  const armMessage = typeof details?.error?.message === "string" ? details.error.message : undefined;
  const status = [error.statusCode, armErrorCode(error)].filter((part) => part !== undefined).join(" ");
  const extra = armMessage && !error.message.includes(armMessage) ? `: ${armMessage}` : "";
  return `${error.message}${status ? ` (HTTP ${status}${extra})` : extra}`;
}

/** `Retry-After` of a throttled answer: seconds, or an HTTP date (RFC 9110 section 10.2.3). */
function retryAfterOf(error: unknown, now: Date): number | undefined {
  if (!isRestError(error)) return undefined;
  const header = error.response?.headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now.getTime()) / 1000)) : undefined;
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").trim();
}

function kindOf(error: unknown, status: number | undefined, code: string | undefined): AzureErrorKind {
  for (const link of causes(error)) {
    if (typeof link.name === "string" && SIGN_IN_ERRORS.has(link.name)) return "sign-in";
    if (typeof link.code === "string" && NETWORK_CODES.has(link.code)) return "network";
  }
  if (status === 429) return "throttled";
  if (status !== undefined && status >= 500) return "server";
  if (status === 401 || code?.startsWith("InvalidAuthenticationToken")) return "sign-in";
  if (status === 403) return "rights";
  if (status === 404) return "not-found";
  if (isRestError(error) && error.code === "REQUEST_SEND_ERROR") return "network";
  return "other";
}

function fixFor(kind: AzureErrorKind, retryAfterSeconds: number | undefined): string {
  switch (kind) {
    case "throttled":
      return `wait ${retryAfterSeconds !== undefined ? `${retryAfterSeconds} s (Azure's Retry-After)` : "a minute"} and run again: Resource Manager limits requests per subscription and identity, so other tools calling it at the same time count too`;
    case "server":
      return "Azure failed on its side: run again in a few minutes, and if it persists check Azure status (https://azure.status.microsoft) and the subscription's Service Health";
    case "rights":
      return "sign in with an identity that can read the subscription (Reader or above), or have an Owner grant that role";
    case "not-found":
      return "check the subscription and the Resource Manager endpoint (KEYLESS_ARM_ENDPOINT, --arm-endpoint): Azure does not know what was asked for there";
    case "sign-in":
      return SIGN_IN_FIX;
    case "network":
      return "check the network path to Resource Manager (proxy, DNS, firewall, TLS inspection), then run again";
    case "other":
      return "run again; if it persists, run with --verbose to see the whole error";
  }
}

/** What a failed Azure call means and what to do about it. `now` reads a Retry-After given as a date. */
export function describeAzureError(error: unknown, now: Date = new Date()): AzureErrorDescription {
  const status = armStatus(error);
  const code = armErrorCode(error);
  const kind = kindOf(error, status, code);
  const retryAfterSeconds = kind === "throttled" ? retryAfterOf(error, now) : undefined;
  const detail = isRestError(error) ? describeArmError(error) : describeError(error);
  let message: string;
  if (isRestError(error) && status !== undefined) {
    const details = error.details as { error?: { message?: unknown } } | undefined;
    const armMessage = typeof details?.error?.message === "string" ? details.error.message : firstLine(error.message);
    message = `HTTP ${[status, code].filter((part) => part !== undefined).join(" ")}: ${armMessage}`;
  } else {
    message = firstLine(error instanceof Error ? error.message : String(error));
  }
  return {
    kind,
    ...(status !== undefined ? { status } : {}),
    ...(code !== undefined ? { code } : {}),
    message,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    fix: fixFor(kind, retryAfterSeconds),
    detail,
  };
}

const KIND_WORDS: Record<AzureErrorKind, string> = {
  throttled: "Azure is throttling requests",
  server: "Azure failed on its side",
  rights: "the signed-in identity is not allowed",
  "not-found": "Azure does not know it",
  "sign-in": "nobody is signed in to Azure",
  network: "Azure could not be reached",
  other: "Azure refused",
};

/** The verdict in words: "Azure is throttling requests (HTTP 429 SubscriptionRequestsThrottled: ...)". */
export function azureErrorVerdict(description: AzureErrorDescription): string {
  return `${KIND_WORDS[description.kind]} (${description.message})`;
}

/** One sentence: what failed, the verdict, and the fix. */
export function renderAzureError(what: string, description: AzureErrorDescription): string {
  return `${what} failed: ${azureErrorVerdict(description)}; ${description.fix}.`;
}
