/**
 * Azure OpenAI data-plane stand-in: chat completions on the deployments path
 * (`POST /openai/deployments/{deployment}/chat/completions?api-version=...`) and the v1 path
 * (`POST /openai/v1/chat/completions`, deployment in `model`). Error bodies as the service's answers are quoted in
 * public reports: 401 PermissionDenied (Azure-Samples/rag-data-openai-python-promptflow#28), the 401 audience body
 * (`{"statusCode":401,"message":"Unauthorized. Access token is missing, invalid, audience is incorrect ..."}`),
 * 403 AuthenticationTypeDisabled "Key based authentication is disabled for this resource.", 404 DeploymentNotFound;
 * network-blocked body: "Traffic is not from an approved private endpoint" as reported in public threads.
 * Checks run in the order the service applies them: network, key auth, token audience, role, deployment, load.
 */
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";
import { bearerToken, readTokenClaims } from "./tokens";

/**
 * The audience the service accepts, written here rather than imported from the code under test: the `openai` package
 * 7.57.0 README (Azure OpenAI: scope `https://cognitiveservices.azure.com/.default`).
 */
const AUDIENCE = "https://cognitiveservices.azure.com";

/** Behaviour of one data-plane stand-in. Mutable: tests may grant access while a client is waiting. */
export interface DataPlaneOptions {
  deployments: string[];
  /** Epoch milliseconds from which a principal (token `oid`) may call the model; unlisted principals never may. */
  grants: Map<string, number>;
  /** Known deployments answer 404 DeploymentNotFound until this epoch millisecond (a deployment just created). */
  deploymentsReadyAt?: number;
  /** Answer the first `count` authorised calls with 429 and these Retry-After headers. */
  rateLimit?: { count: number; retryAfterMs: number };
  /** Answer every call with this failure. */
  failure?: "server-error" | "network-blocked";
  /** Text of the assistant's reply. */
  reply?: string;
}

/** Exact answers, shared with tests that assert on what the clients saw. */
export const DATA_PLANE_ANSWERS = {
  permissionDenied: json(401, {
    error: { code: "PermissionDenied", message: "Principal does not have access to API/Operation." },
  }),
  wrongAudience: json(401, {
    statusCode: 401,
    message:
      "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired.",
  }),
  keyAuthDisabled: json(403, {
    error: { code: "AuthenticationTypeDisabled", message: "Key based authentication is disabled for this resource." },
  }),
  deploymentNotFound: json(404, {
    error: {
      code: "DeploymentNotFound",
      message:
        "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
    },
  }),
  serverError: json(500, {
    error: {
      code: "InternalServerError",
      message: "The server had an error while processing your request. Sorry about that!",
    },
  }),
  networkBlocked: json(403, { error: { code: "403", message: "Traffic is not from an approved private endpoint." } }),
} as const;

function rateLimited(retryAfterMs: number): StandInResponse {
  return json(
    429,
    {
      error: {
        code: "429",
        message: `Requests to the ChatCompletions_Create Operation have exceeded the token rate limit of your current deployment. Please retry after ${Math.ceil(retryAfterMs / 1000)} seconds.`,
      },
    },
    { "retry-after": String(Math.ceil(retryAfterMs / 1000)), "retry-after-ms": String(retryAfterMs) },
  );
}

function chatCompletion(deployment: string, reply: string): StandInResponse {
  return json(200, {
    id: "chatcmpl-standin",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: "gpt-4.1-mini-2025-04-14",
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: reply } }],
    usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
    system_fingerprint: `standin-${deployment}`,
  });
}

/** Data-plane routes; `options` is read on every request, so changing it changes the next answer. */
export function dataPlaneRoutes(options: DataPlaneOptions): Route[] {
  let rateLimitedSoFar = 0;

  const answer = (request: RecordedRequest, deployment: string): StandInResponse => {
    if (options.failure === "network-blocked") return DATA_PLANE_ANSWERS.networkBlocked;
    if (request.headers["api-key"] !== undefined) return DATA_PLANE_ANSWERS.keyAuthDisabled;
    const token = bearerToken(request.headers.authorization);
    const claims = token ? readTokenClaims(token) : undefined;
    const audience = claims?.aud;
    if (audience !== AUDIENCE && audience !== `${AUDIENCE}/`) {
      return DATA_PLANE_ANSWERS.wrongAudience;
    }
    const grantedAt = typeof claims?.oid === "string" ? options.grants.get(claims.oid) : undefined;
    if (grantedAt === undefined || Date.now() < grantedAt) return DATA_PLANE_ANSWERS.permissionDenied;
    const ready = options.deploymentsReadyAt === undefined || Date.now() >= options.deploymentsReadyAt;
    if (!options.deployments.includes(deployment) || !ready) return DATA_PLANE_ANSWERS.deploymentNotFound;
    if (options.rateLimit && rateLimitedSoFar < options.rateLimit.count) {
      rateLimitedSoFar += 1;
      return rateLimited(options.rateLimit.retryAfterMs);
    }
    if (options.failure === "server-error") return DATA_PLANE_ANSWERS.serverError;
    return chatCompletion(deployment, options.reply ?? "Keyless access works.");
  };

  return [
    {
      method: "POST",
      path: /^\/openai\/deployments\/([^/]+)\/chat\/completions$/,
      handle: (request, match) => {
        if (!request.url.searchParams.get("api-version")) {
          return json(404, { error: { code: "404", message: "Resource not found" } });
        }
        return answer(request, decodeURIComponent(match[1] ?? ""));
      },
    },
    {
      method: "POST",
      path: /^\/openai\/v1\/chat\/completions$/,
      handle: (request) => {
        const body: unknown = JSON.parse(request.body || "{}");
        const model = typeof body === "object" && body !== null && "model" in body ? String(body.model) : "";
        return answer(request, model);
      },
    },
  ];
}
