/**
 * Azure OpenAI data-plane stand-in: chat completions on the deployments path
 * (`POST /openai/deployments/{deployment}/chat/completions?api-version=...`) and the v1 path
 * (`POST /openai/v1/chat/completions`, deployment in `model`, no api-version; Learn "Azure OpenAI API version
 * lifecycle"). Error bodies as the service's answers are quoted in public reports: 401 PermissionDenied
 * (Azure-Samples/rag-data-openai-python-promptflow#28), the 401 audience body
 * (`{"statusCode":401,"message":"Unauthorized. Access token is missing, invalid, audience is incorrect ..."}`),
 * 403 AuthenticationTypeDisabled "Key based authentication is disabled for this resource.", 404 DeploymentNotFound,
 * and for reasoning models 400 unsupported_parameter (lobehub/lobehub#5909) and the api-version refusal
 * (chatboxai/chatbox#1745); network-blocked body: "Traffic is not from an approved private endpoint" as reported in
 * public threads.
 * Checks run in the order the service applies them: network, key auth, token audience, role, deployment, load, then
 * the request itself. A reasoning model (gpt-5 family, o-series) refuses `max_tokens` and dated api-versions older
 * than its minimum, with Azure's bodies; both kinds of model answer on v1.
 * Answers are driven by attempt count, never by wall time, so tests do not depend on how fast the machine is.
 */
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";
import { bearerToken, readTokenClaims } from "./tokens";

/**
 * The audience the service accepts, written here rather than imported from the code under test: the `openai` package
 * 7.57.0 README (Azure OpenAI: scope `https://cognitiveservices.azure.com/.default`).
 */
const AUDIENCE = "https://cognitiveservices.azure.com";

/** The model behind every deployment of a stand-in. */
export interface StandInModel {
  name: string;
  version: string;
  /** Reasoning models refuse `max_tokens` ("Use 'max_completion_tokens' instead"). */
  reasoning: boolean;
  /** Oldest dated api-version the model answers on the deployments path (none: any). */
  minimumApiVersion?: string;
}

/** gpt-5-mini 2025-08-07: a reasoning model; o-series and gpt-5 need 2024-12-01-preview or later (chatboxai/chatbox#1745). */
export const REASONING_MODEL: StandInModel = {
  name: "gpt-5-mini",
  version: "2025-08-07",
  reasoning: true,
  minimumApiVersion: "2024-12-01-preview",
};

/** gpt-4.1-mini 2025-04-14: a chat model that takes `max_tokens` and any GA api-version. */
export const CHAT_MODEL: StandInModel = { name: "gpt-4.1-mini", version: "2025-04-14", reasoning: false };

/** Behaviour of one data-plane stand-in. Mutable: tests may change it between calls. */
export interface DataPlaneOptions {
  deployments: string[];
  /**
   * Principals (token `oid`) that may call the model, each with how many of its next calls are still answered 401
   * PermissionDenied (0: granted already); each refusal counts it down. Unlisted principals never may.
   */
  grants: Map<string, number>;
  /** The next this many calls that pass the role check answer 404 DeploymentNotFound (a deployment just created). */
  deploymentNotFoundFirst?: number;
  /** Answer the next `count` authorised calls with 429 and these Retry-After headers (counts down). */
  rateLimit?: { count: number; retryAfterMs: number };
  /** Answer every call with this failure. */
  failure?: "server-error" | "network-blocked";
  /** The model behind the deployments (default CHAT_MODEL). */
  model?: StandInModel;
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
  /** A reasoning model sent max_tokens (lobehub/lobehub#5909, langgenius/dify#9746, OpenHands#11662). */
  maxTokensUnsupported: json(400, {
    error: {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: "invalid_request_error",
      param: "max_tokens",
      code: "unsupported_parameter",
    },
  }),
  /** A dated api-version older than the model's minimum; the service prints the placeholder as is (langchain4j#2636). */
  apiVersionTooOld: json(400, {
    error: {
      code: "BadRequest",
      message: "Model {modelName} is enabled only for api versions 2024-12-01-preview and later",
    },
  }),
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

function chatCompletion(deployment: string, model: StandInModel, reply: string): StandInResponse {
  return json(200, {
    id: "chatcmpl-standin",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: `${model.name}-${model.version}`,
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: reply } }],
    usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
    system_fingerprint: `standin-${deployment}`,
  });
}

/** Parsed JSON body of a request, or an empty object. */
function requestBody(request: RecordedRequest): Record<string, unknown> {
  try {
    const body: unknown = JSON.parse(request.body || "{}");
    return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Data-plane routes; `options` is read on every request, so changing it changes the next answer. */
export function dataPlaneRoutes(options: DataPlaneOptions): Route[] {
  const answer = (request: RecordedRequest, deployment: string, apiVersion: string | undefined): StandInResponse => {
    if (options.failure === "network-blocked") return DATA_PLANE_ANSWERS.networkBlocked;
    if (request.headers["api-key"] !== undefined) return DATA_PLANE_ANSWERS.keyAuthDisabled;
    const token = bearerToken(request.headers.authorization);
    const claims = token ? readTokenClaims(token) : undefined;
    const audience = claims?.aud;
    if (audience !== AUDIENCE && audience !== `${AUDIENCE}/`) {
      return DATA_PLANE_ANSWERS.wrongAudience;
    }
    const principal = typeof claims?.oid === "string" ? claims.oid : "";
    const refusalsLeft = options.grants.get(principal);
    if (refusalsLeft === undefined) return DATA_PLANE_ANSWERS.permissionDenied;
    if (refusalsLeft > 0) {
      options.grants.set(principal, refusalsLeft - 1);
      return DATA_PLANE_ANSWERS.permissionDenied;
    }
    if (!options.deployments.includes(deployment)) return DATA_PLANE_ANSWERS.deploymentNotFound;
    if ((options.deploymentNotFoundFirst ?? 0) > 0) {
      options.deploymentNotFoundFirst = (options.deploymentNotFoundFirst ?? 0) - 1;
      return DATA_PLANE_ANSWERS.deploymentNotFound;
    }
    if (options.rateLimit && options.rateLimit.count > 0) {
      options.rateLimit.count -= 1;
      return rateLimited(options.rateLimit.retryAfterMs);
    }
    if (options.failure === "server-error") return DATA_PLANE_ANSWERS.serverError;
    const model = options.model ?? CHAT_MODEL;
    // Dated versions compare as text (YYYY-MM-DD first).
    if (apiVersion !== undefined && model.minimumApiVersion !== undefined && apiVersion < model.minimumApiVersion) {
      return DATA_PLANE_ANSWERS.apiVersionTooOld;
    }
    if (model.reasoning && "max_tokens" in requestBody(request)) return DATA_PLANE_ANSWERS.maxTokensUnsupported;
    return chatCompletion(deployment, model, options.reply ?? "Keyless access works.");
  };

  return [
    {
      method: "POST",
      path: /^\/openai\/deployments\/([^/]+)\/chat\/completions$/,
      handle: (request, match) => {
        const apiVersion = request.url.searchParams.get("api-version");
        if (!apiVersion) return json(404, { error: { code: "404", message: "Resource not found" } });
        return answer(request, decodeURIComponent(match[1] ?? ""), apiVersion);
      },
    },
    {
      method: "POST",
      path: /^\/openai\/v1\/chat\/completions$/,
      handle: (request) => {
        const model = requestBody(request).model;
        return answer(request, typeof model === "string" ? model : "", undefined);
      },
    },
  ];
}
