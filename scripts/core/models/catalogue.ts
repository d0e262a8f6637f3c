/**
 * Which model versions a region offers, and whether one can be deployed today: Azure's catalogue, not a constant.
 *
 * ARM calls (through @azure/arm-cognitiveservices 8.1.0, api-version 2025-09-01):
 * - `models.list(location)`: GET /subscriptions/{id}/providers/Microsoft.CognitiveServices/locations/{location}/models.
 *   Per entry `kind`, `model.{format,name,version,lifecycleStatus,capabilities,deprecation.inference,skus[]}`; each SKU
 *   has `name`, `usageName`, `deprecationDate`, `capacity`. Shapes: azure-rest-api-specs cognitiveservices
 *   stable/2025-09-01 examples/ListLocationModels.json.
 * - `usages.list(location)`: GET .../locations/{location}/usages; `name.value` is a SKU's `usageName`, with `limit`
 *   and `currentValue` (examples/ListUsages.json). For Standard-type SKUs both count thousands of tokens per minute,
 *   the unit of a deployment's capacity (Azure OpenAI "quota" page).
 *
 * Lifecycle meanings (the SDK's KnownModelLifecycleStatus docs, same package): `Deprecating`: "Only customers with
 * existing deployments can create new deployments"; `Legacy`: "no longer recommended" (still deployable: a warning,
 * not a refusal); `Deprecated`: retired, "inference calls to deployments of models in this lifecycle state will return
 * 410 errors"; `Preview`: "may be subject to changes".
 * `deprecation.inference` is the date inference stops; a SKU's `deprecationDate` is when that SKU stops serving it.
 */
import type { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";

/** A model deployment as a stack configures it (the fields the catalogue judges). */
export interface WantedDeployment {
  name: string;
  model: string;
  version: string;
  sku: string;
  capacity: number;
}

/** One SKU a model version is offered with in the region. */
export interface CatalogueSku {
  name: string;
  usageName?: string;
  /** When this SKU stops serving the model version. */
  retiresOn?: Date;
}

/** One model version of the regional catalogue. */
export interface CatalogueModel {
  name: string;
  version: string;
  format: string;
  lifecycleStatus: string;
  /** The model answers chat completions (`capabilities.chatCompletion` or `capabilities.chat` is "true"). */
  chat: boolean;
  /** The catalogue marks it a reasoning model (`capabilities.reasoningSummary` is "true", as o1, o3-mini, o4-mini). */
  reasoningCapability: boolean;
  /** When inference stops for every SKU (`deprecation.inference`). */
  retiresOn?: Date;
  skus: CatalogueSku[];
  /** `replacementConfig.targetModelName`/`targetModelVersion`, when Azure names one. */
  replacement?: string;
}

/** What a region offers and how much quota is left, read once and judged offline. */
export interface Catalogue {
  location: string;
  models: CatalogueModel[];
  /** Quota left per usage name (`limit - currentValue`). */
  quotaLeft: Map<string, number>;
}

/** A deployment that would fail within this many days is reported (warn) before it is deployed. */
export const RETIREMENT_WARNING_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;

function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Reads the region's catalogue and quota. Entries of other account kinds (AIServices) are left out: the account is kind OpenAI. */
export async function readCatalogue(client: CognitiveServicesManagementClient, location: string): Promise<Catalogue> {
  const models: CatalogueModel[] = [];
  for await (const entry of client.models.list(location)) {
    const model = entry.model;
    if (!model?.name || !model.version) continue;
    if (entry.kind !== undefined && entry.kind !== "OpenAI") continue;
    const capabilities = model.capabilities ?? {};
    const replacement = model.replacementConfig?.targetModelName
      ? `${model.replacementConfig.targetModelName} ${model.replacementConfig.targetModelVersion ?? ""}`.trim()
      : undefined;
    models.push({
      name: model.name,
      version: model.version,
      format: model.format ?? "",
      lifecycleStatus: model.lifecycleStatus ?? "",
      chat: capabilities.chatCompletion === "true" || capabilities.chat === "true",
      reasoningCapability: capabilities.reasoningSummary === "true",
      retiresOn: toDate(model.deprecation?.inference),
      skus: (model.skus ?? []).flatMap((sku) =>
        sku.name ? [{ name: sku.name, usageName: sku.usageName, retiresOn: toDate(sku.deprecationDate) }] : [],
      ),
      ...(replacement ? { replacement } : {}),
    });
  }
  const quotaLeft = new Map<string, number>();
  for await (const usage of client.usages.list(location)) {
    const name = usage.name?.value;
    if (name && usage.limit !== undefined) quotaLeft.set(name, usage.limit - (usage.currentValue ?? 0));
  }
  return { location, models, quotaLeft };
}

export type Severity = "fail" | "warn";

/** One reason a model version cannot (or should not) be deployed. */
export interface Finding {
  severity: Severity;
  /** Stable id: not-offered, sku-not-offered, retired, closed-to-new-customers, retiring-soon, legacy, preview, no-quota, quota-unknown, not-chat. */
  kind: string;
  message: string;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The earliest date the model version stops working with this SKU. */
function retirementOf(model: CatalogueModel, sku: CatalogueSku | undefined): Date | undefined {
  const dates = [model.retiresOn, sku?.retiresOn].filter((date): date is Date => date !== undefined);
  return dates.length === 0 ? undefined : new Date(Math.min(...dates.map((date) => date.getTime())));
}

/** The date a model version retires with this SKU, as the catalogue says (undefined when it gives none). */
export function retirementFor(catalogue: Catalogue, model: string, version: string, sku: string): Date | undefined {
  const entry = catalogue.models.find((candidate) => candidate.name === model && candidate.version === version);
  if (!entry) return undefined;
  return retirementOf(
    entry,
    entry.skus.find((candidate) => candidate.name.toLowerCase() === sku.toLowerCase()),
  );
}

/**
 * Everything that stands between this deployment and a working `pulumi up`, judged against `now`; a retirement within
 * `withinDays` (default RETIREMENT_WARNING_DAYS) is reported as retiring-soon.
 */
export function judge(
  catalogue: Catalogue,
  wanted: WantedDeployment,
  now: Date,
  withinDays: number = RETIREMENT_WARNING_DAYS,
): Finding[] {
  const label = `${wanted.model} ${wanted.version}`;
  const model = catalogue.models.find(
    (candidate) => candidate.name === wanted.model && candidate.version === wanted.version,
  );
  if (!model) {
    return [
      {
        severity: "fail",
        kind: "not-offered",
        message: `${label} is not in the ${catalogue.location} catalogue (retired, never offered there, or misspelt)`,
      },
    ];
  }
  const findings: Finding[] = [];
  const sku = model.skus.find((candidate) => candidate.name.toLowerCase() === wanted.sku.toLowerCase());
  if (!sku) {
    const offered = model.skus.map((candidate) => candidate.name).join(", ") || "none";
    findings.push({
      severity: "fail",
      kind: "sku-not-offered",
      message: `${label} is not offered as ${wanted.sku} in ${catalogue.location} (offered: ${offered})`,
    });
  }
  const retiresOn = retirementOf(model, sku);
  if (model.lifecycleStatus === "Deprecated" || (retiresOn && retiresOn.getTime() <= now.getTime())) {
    findings.push({
      severity: "fail",
      kind: "retired",
      message: `${label} is retired${retiresOn ? ` since ${day(retiresOn)}` : ""}: calls to its deployments fail`,
    });
  } else {
    if (model.lifecycleStatus === "Deprecating") {
      findings.push({
        severity: "fail",
        kind: "closed-to-new-customers",
        message: `${label} is ${model.lifecycleStatus}: closed to new customers (only subscriptions that already deploy it may create deployments)${retiresOn ? `, retires ${day(retiresOn)}` : ""}`,
      });
    }
    if (model.lifecycleStatus === "Legacy") {
      findings.push({
        severity: "warn",
        kind: "legacy",
        message: `${label} is Legacy: still deployable, but no longer recommended`,
      });
    }
    if (retiresOn && retiresOn.getTime() - now.getTime() <= withinDays * DAY_MS) {
      const days = Math.ceil((retiresOn.getTime() - now.getTime()) / DAY_MS);
      findings.push({
        severity: "warn",
        kind: "retiring-soon",
        message: `${label} retires on ${day(retiresOn)}, in ${days} day${days === 1 ? "" : "s"}`,
      });
    }
  }
  if (model.lifecycleStatus === "Preview") {
    findings.push({
      severity: "warn",
      kind: "preview",
      message: `${label} is a preview model: it may change or retire at short notice`,
    });
  }
  if (!model.chat) {
    findings.push({
      severity: "fail",
      kind: "not-chat",
      message: `${label} does not offer chat completions, which the smoke test calls`,
    });
  }
  if (sku) {
    const left = sku.usageName === undefined ? undefined : catalogue.quotaLeft.get(sku.usageName);
    if (left === undefined) {
      findings.push({
        severity: "warn",
        kind: "quota-unknown",
        message: `no quota is reported for ${sku.usageName ?? `${label} ${sku.name}`} in ${catalogue.location}`,
      });
    } else if (left < wanted.capacity) {
      findings.push({
        severity: "fail",
        kind: "no-quota",
        message: `${label} ${sku.name} needs capacity ${wanted.capacity} but ${Math.max(left, 0)} is left of quota ${sku.usageName} in ${catalogue.location} (a deployment that already exists counts as used)`,
      });
    }
  }
  return findings;
}

/** Can a new customer deploy it today, with no warning either? */
export function isDeployable(catalogue: Catalogue, wanted: WantedDeployment, now: Date): boolean {
  return judge(catalogue, wanted, now).length === 0;
}

/**
 * Names that are not a general-purpose chat model: coding, audio, realtime, speech, image, video, embedding, search,
 * research, routing, computer-use, premium and safety models. Several of them also end in `-mini` (codex-mini,
 * gpt-4o-mini-tts, gpt-4o-mini-transcribe, gpt-4o-mini-realtime-preview, gpt-audio-mini, gpt-realtime-mini in the
 * westeurope catalogue Azure CLI recorded, tests/fixtures/catalogue/).
 */
const SPECIALISED =
  /(^|-)(pro|codex|audio|realtime|transcribe|tts|image|dall-e|whisper|sora|embedding|search|deep-?research|router|computer-use|safety)(-|$)|^text-|deepresearch|sweagent/i;

/**
 * Reasoning models cost several times more per token than the small chat models and add reasoning latency: the o-series
 * (o1, o3-mini, o4-mini) and the gpt-5 family except its `-chat` models (Azure OpenAI "reasoning models" page; they
 * refuse `max_tokens`, openai/openai-dotnet#737). The catalogue also marks some with `capabilities.reasoningSummary`.
 */
const REASONING_NAME = /^o\d|^gpt-5(?!.*-chat)/i;

/** OpenAI's small, low-priced tier in each generation (gpt-4o-mini, gpt-4.1-mini, gpt-5-mini, o4-mini). */
const SMALL = /-mini$/i;

/** Whether the catalogue entry is a reasoning model (by its capability flag or its family name). */
export function isReasoning(model: Pick<CatalogueModel, "name" | "reasoningCapability">): boolean {
  return model.reasoningCapability || REASONING_NAME.test(model.name);
}

/** Whether the name is a general-purpose chat model (not coding, audio, realtime, image, embedding, router, ...). */
export function isGeneralPurpose(name: string): boolean {
  return !SPECIALISED.test(name);
}

/** A deployable model version, as the chooser offers it. */
export interface Candidate {
  model: string;
  version: string;
  retiresOn?: Date;
}

/** What `npm run models` proposes. */
export interface Choice {
  /** The pick, or undefined when nothing fits. */
  chosen?: Candidate;
  /** The newest deployable version of every other family (newest first). */
  alternatives: Candidate[];
  /** The rule that picked it, in words. */
  rule: string;
  /** Why a fallback tier was used (no small non-reasoning chat model was deployable), when one was. */
  fallback?: string;
}

/**
 * A version's release date: Azure OpenAI versions are release dates (YYYY-MM-DD), but the catalogue also lists `0125`,
 * `latest`, `turbo-2024-04-09` and `2025-04-14-text`; those have no date here and never sort as newest.
 */
export function versionDate(version: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) return undefined;
  const time = Date.parse(`${version}T00:00:00Z`);
  return Number.isNaN(time) ? undefined : time;
}

function newestFirst(a: Candidate, b: Candidate): number {
  const dateA = versionDate(a.version) ?? Number.NEGATIVE_INFINITY;
  const dateB = versionDate(b.version) ?? Number.NEGATIVE_INFINITY;
  if (dateA !== dateB) return dateB - dateA;
  return a.model.localeCompare(b.model) || a.version.localeCompare(b.version);
}

/** Retirements this close count as failing the check unless `--within` says otherwise (also printed by `--help`). */
export const DEFAULT_WITHIN_DAYS = 90;

/** The default rule in words (also printed by `--help`). */
export const DEFAULT_PICK_RULE =
  "the newest small (*-mini) general-purpose chat model that is not a reasoning model (not o-series or gpt-5 reasoning, codex, audio, realtime, transcribe, tts, image, embedding, search or router); else the newest small reasoning chat model; else the newest general-purpose chat model";

/**
 * Picks the model for a deployment with this SKU and capacity:
 * - every candidate is a generally available (GenerallyAvailable or Stable) chat model version with a dated version
 *   that new customers can deploy in the region with the SKU today, does not retire within RETIREMENT_WARNING_DAYS,
 *   and fits the quota left;
 * - `family` given: the newest version of exactly that model name;
 * - no family: DEFAULT_PICK_RULE, tier by tier, saying in `fallback` why a later tier was used.
 */
export function chooseModel(
  catalogue: Catalogue,
  request: { sku: string; capacity: number; family?: string; now: Date },
): Choice {
  const deployable = catalogue.models.filter(
    (model) =>
      (model.lifecycleStatus === "GenerallyAvailable" || model.lifecycleStatus === "Stable") &&
      versionDate(model.version) !== undefined &&
      isDeployable(
        catalogue,
        { name: "candidate", model: model.name, version: model.version, sku: request.sku, capacity: request.capacity },
        request.now,
      ),
  );
  const reasoningNames = new Set(deployable.filter(isReasoning).map((model) => model.name));
  const candidates: Candidate[] = deployable
    .map((model) => {
      const retiresOn = retirementFor(catalogue, model.name, model.version, request.sku);
      return { model: model.name, version: model.version, ...(retiresOn ? { retiresOn } : {}) };
    })
    .sort(newestFirst);
  const newestPerFamily = candidates.filter(
    (candidate, index) => candidates.findIndex((other) => other.model === candidate.model) === index,
  );
  const place = `${request.sku}, capacity ${request.capacity}, in ${catalogue.location}`;
  if (request.family) {
    const chosen = newestPerFamily.find((candidate) => candidate.model === request.family);
    return {
      ...(chosen ? { chosen } : {}),
      alternatives: newestPerFamily.filter((candidate) => candidate !== chosen),
      rule: `the newest deployable version of ${request.family}, ${place}`,
    };
  }
  const general = newestPerFamily.filter((candidate) => isGeneralPurpose(candidate.model));
  const reasoning = (candidate: Candidate) => reasoningNames.has(candidate.model);
  const small = (candidate: Candidate) => SMALL.test(candidate.model);
  const tiers: { pick?: Candidate; fallback?: string }[] = [
    { pick: general.find((candidate) => small(candidate) && !reasoning(candidate)) },
    {
      pick: general.find((candidate) => small(candidate) && reasoning(candidate)),
      fallback: "no small non-reasoning chat model is deployable, so a small reasoning model",
    },
    {
      pick: general.find((candidate) => !reasoning(candidate)) ?? general[0],
      fallback: "no small chat model is deployable, so the newest general-purpose chat model",
    },
  ];
  const tier = tiers.find((entry) => entry.pick !== undefined);
  const chosen = tier?.pick;
  return {
    ...(chosen ? { chosen } : {}),
    alternatives: newestPerFamily.filter((candidate) => candidate !== chosen),
    rule: `${DEFAULT_PICK_RULE}; ${place}`,
    ...(tier?.fallback ? { fallback: tier.fallback } : {}),
  };
}
