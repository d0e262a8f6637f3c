/**
 * Azure's regional model catalogue and quota, as ARM serves them to @azure/arm-cognitiveservices 8.1.0
 * (api-version 2025-09-01):
 * - GET /subscriptions/{id}/providers/Microsoft.CognitiveServices/locations/{location}/models → 200
 *   `{ value: Model[], nextLink? }`, each `{ kind, skuName, model: { format, name, version, isDefaultVersion,
 *   lifecycleStatus, capabilities: { chatCompletion: "true", ... }, deprecation: { inference, deprecationStatus },
 *   replacementConfig?, skus: [{ name, usageName, capacity: { minimum, maximum, step, default }, deprecationDate? }],
 *   systemData } }` (azure-rest-api-specs, specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/
 *   stable/2025-09-01/examples/ListLocationModels.json). Pages of `pageSize` entries with `nextLink`, which the
 *   client follows.
 * - GET .../locations/{location}/usages → 200 `{ value: [{ name: { value, localizedValue }, currentValue, limit,
 *   unit }] }` (examples/ListUsages.json); `name.value` is a SKU's `usageName`.
 * Every request must carry an ARM-audience token and the client's api-version, else the ARM error body.
 */
import { json, type RecordedRequest, type Route } from "./server";
import { bearerToken, readTokenClaims } from "./tokens";

const API_VERSION = "2025-09-01";
const ARM_AUDIENCES = ["https://management.azure.com", "https://management.azure.com/"];

/** One model version as a test describes it; the stand-in turns it into the documented body. */
export interface StandInModel {
  name: string;
  version: string;
  lifecycleStatus: "GenerallyAvailable" | "Stable" | "Preview" | "Deprecating" | "Deprecated" | "Legacy";
  /** ISO date inference stops (`deprecation.inference`). */
  retiresOn?: string;
  /** SKUs offered in the region; `usageName` defaults to `OpenAI.<sku>.<name>`. */
  skus: { name: string; usageName?: string; deprecationDate?: string }[];
  /** Default true: `capabilities.chatCompletion`. */
  chat?: boolean;
  kind?: "OpenAI" | "AIServices";
  replacement?: { name: string; version: string };
}

/** The region as the test sets it up; tests may change it between calls. */
export interface CatalogueState {
  subscriptionId: string;
  location: string;
  models: StandInModel[];
  /** Quota per usage name. */
  usages: { name: string; limit: number; currentValue: number }[];
  /** Entries per page of the models list (default: all in one page). */
  pageSize?: number;
  /** Problems seen in requests (api-version, audience); tests assert it stays empty. */
  protocolErrors: string[];
  /**
   * Entries served as they are instead of `models`: a recorded catalogue (tests/fixtures/catalogue/), so the code is
   * judged on what Azure really answered, not on bodies built here.
   */
  recordedModels?: unknown[];
  /** The next answers to give instead of the catalogue, one per request (counted by attempt), as Azure refuses. */
  refusals?: { status: number; body: unknown; headers?: Record<string, string> }[];
}

/** The usage name Azure gives a model's SKU, e.g. `OpenAI.GlobalStandard.gpt-5.4-mini`. */
export function usageNameOf(sku: string, model: string): string {
  return `OpenAI.${sku}.${model}`;
}

function modelBody(model: StandInModel) {
  return {
    kind: model.kind ?? "OpenAI",
    skuName: "S0",
    model: {
      format: "OpenAI",
      name: model.name,
      version: model.version,
      isDefaultVersion: false,
      lifecycleStatus: model.lifecycleStatus,
      maxCapacity: 1000,
      capabilities: (model.chat ?? true) ? { chatCompletion: "true", responses: "true" } : { embeddings: "true" },
      ...(model.retiresOn
        ? { deprecation: { inference: `${model.retiresOn}T00:00:00Z`, deprecationStatus: "Planned" } }
        : {}),
      ...(model.replacement
        ? {
            replacementConfig: {
              targetModelName: model.replacement.name,
              targetModelVersion: model.replacement.version,
            },
          }
        : {}),
      skus: model.skus.map((sku) => ({
        name: sku.name,
        usageName: sku.usageName ?? usageNameOf(sku.name, model.name),
        capacity: { minimum: 1, maximum: 1000, step: 1, default: 10 },
        ...(sku.deprecationDate ? { deprecationDate: `${sku.deprecationDate}T00:00:00Z` } : {}),
      })),
      systemData: {
        createdBy: "Microsoft",
        createdAt: `${model.version}T00:00:00Z`,
        lastModifiedBy: "Microsoft",
        lastModifiedAt: `${model.version}T00:00:00Z`,
      },
    },
  };
}

function refused(state: CatalogueState, request: RecordedRequest) {
  const apiVersion = request.url.searchParams.get("api-version");
  if (apiVersion !== API_VERSION) {
    state.protocolErrors.push(`api-version ${apiVersion} on ${request.url.pathname}`);
    return json(400, {
      error: { code: "InvalidApiVersionParameter", message: `The api-version '${apiVersion}' is invalid.` },
    });
  }
  const audience = readTokenClaims(bearerToken(request.headers.authorization) ?? "")?.aud;
  if (typeof audience !== "string" || !ARM_AUDIENCES.includes(audience)) {
    state.protocolErrors.push(`token audience ${String(audience)} on ${request.url.pathname}`);
    return json(401, { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } });
  }
  return undefined;
}

/** The next queued refusal, if any: one request consumes one. */
function nextRefusal(state: CatalogueState) {
  const refusal = state.refusals?.shift();
  return refusal ? json(refusal.status, refusal.body, refusal.headers) : undefined;
}

/** Routes for the catalogue and usages of `state.location` in `state.subscriptionId`. */
export function catalogueRoutes(state: CatalogueState): Route[] {
  const base = `^/subscriptions/${state.subscriptionId}/providers/Microsoft\\.CognitiveServices/locations/([^/]+)`;
  const wrongLocation = (location: string | undefined) =>
    location?.toLowerCase() === state.location ? undefined : json(200, { value: [] });
  return [
    {
      method: "GET",
      path: new RegExp(`${base}/models$`, "i"),
      handle: (request, match) => {
        const error = refused(state, request) ?? nextRefusal(state) ?? wrongLocation(match[1]);
        if (error) return error;
        const all = state.recordedModels ?? state.models.map(modelBody);
        const pageSize = state.pageSize ?? all.length;
        const start = Number(request.url.searchParams.get("$skipToken") ?? "0");
        const page = all.slice(start, start + pageSize);
        const next = start + pageSize < all.length ? new URL(request.url.href) : undefined;
        next?.searchParams.set("$skipToken", String(start + pageSize));
        return json(200, { value: page, ...(next ? { nextLink: next.href } : {}) });
      },
    },
    {
      method: "GET",
      path: new RegExp(`${base}/usages$`, "i"),
      handle: (request, match) => {
        const error = refused(state, request) ?? wrongLocation(match[1]);
        if (error) return error;
        return json(200, {
          value: state.usages.map((usage) => ({
            name: { value: usage.name, localizedValue: usage.name },
            currentValue: usage.currentValue,
            limit: usage.limit,
            unit: "Count",
          })),
        });
      },
    },
  ];
}
