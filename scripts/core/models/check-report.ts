/**
 * The JSON documents `npm run models -- --check --json` and `--renew --json` print: the contract between the models
 * command (which writes them) and the scheduled renewal workflow's pull-request writer (which reads them).
 */

/** Why a pinned deployment fails the check. */
export type PinProblem =
  | "not-in-catalogue" // the region's catalogue does not list this model version
  | "closed" // listed, but not deployable with the deployment's SKU (no new customers, or lifecycle Deprecated)
  | "retired" // the SKU's deprecation (retirement) date has passed
  | "retiring" // retires within the --within window
  | "quota"; // the quota left does not cover the deployment's capacity

/** A model version as the catalogue describes it for one SKU. */
export interface CatalogueEvidence {
  model: string;
  version: string;
  sku: string;
  lifecycleStatus?: string;
  /** The SKU's retirement date (ISO 8601 day), when the catalogue gives one. */
  retiresOn?: string;
  /** Quota left for the SKU's usage name (thousands of tokens per minute), when the usages list reports it. */
  quotaLeft?: number;
}

/** One pinned deployment of the stack, judged against the live catalogue. */
export interface PinCheck {
  deployment: string;
  /** The string pinned in Pulumi.<stack>.yaml today. */
  pinned: string;
  current: CatalogueEvidence;
  ok: boolean;
  problems: PinProblem[];
  /** One sentence per problem, naming dates and figures. */
  reasons: string[];
  /** What does not fail the check but a reviewer should know (Legacy, preview, quota not reported). */
  warnings?: string[];
  /** What the picker would choose instead (only when !ok and a replacement fits). */
  replacement?: CatalogueEvidence & { pinned: string };
}

/** `models --check --json`. */
export interface CheckReport {
  kind: "keyless-openai-model-check/1";
  stack: string;
  location: string;
  /** ISO 8601 instant the catalogue was read. */
  checkedAt: string;
  withinDays: number;
  ok: boolean;
  pins: PinCheck[];
}

/** How Pulumi will apply a renewed pin, read from the offline plan's compare. */
export type RenewalEffect = "update-in-place" | "replace" | "unknown";

/** `models --renew --json`: the check, plus what was written. */
export interface RenewReport extends Omit<CheckReport, "kind"> {
  kind: "keyless-openai-model-renew/1";
  /** Pulumi.<stack>.yaml, relative to the project. */
  file: string;
  changed: boolean;
  renewals: {
    deployment: string;
    from: string;
    to: string;
    effect: RenewalEffect;
    /** The resources and inputs that change, one line each, from the plan compare. */
    planChanges: string[];
  }[];
  /** The repository's table of known retirement dates, refreshed from the catalogue by the same run. */
  retirementTable?: { file: string; changed: boolean };
}
