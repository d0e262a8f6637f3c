/**
 * `npm run models -- --check` and `--renew`: judges every pinned deployment of a stack against the live catalogue
 * (the documents in check-report.ts), writes the picker's replacement for the pins that fail, says from the offline
 * plan's compare whether Pulumi updates the deployment in place or replaces it, and refreshes the repository's table
 * of known retirement dates (lib/model-retirements.json) from the catalogue's `deprecation.inference` dates.
 */
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { type DeploymentSpec, parseDeployment } from "../../../lib/config";
import {
  mergeRetirements,
  type Retirement,
  readRetirementTable,
  retirementTablePath,
  writeRetirementTable,
} from "../../../lib/model-retirements";
import { comparePlans } from "../plan/compare";
import type { PlanDocument } from "../plan/model";
import { planStack } from "../plan/run";
import { readStackConfig } from "../stack-config";
import { catalogueClient } from "./azure";
import {
  type Candidate,
  type Catalogue,
  chooseModel,
  type Finding,
  judge,
  readCatalogue,
  retirementFor,
  versionDate,
} from "./catalogue";
import type { CatalogueEvidence, CheckReport, PinCheck, PinProblem, RenewalEffect, RenewReport } from "./check-report";
import type { ModelsContext } from "./command";
import { replacePinText } from "./pin";

export { DEFAULT_WITHIN_DAYS } from "./catalogue";

/** Catalogue dates this far out are placeholders ("2099-06-01" on internal entries), not retirements. */
const PLACEHOLDER_YEAR = 2099;

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The stack's pinned deployments, each with the string written in Pulumi.<stack>.yaml. */
function readPins(
  projectDir: string,
  stack: string,
): { project: string; location: string; pins: { text: string; spec: DeploymentSpec }[] } {
  const config = readStackConfig(projectDir, stack);
  const texts: unknown = JSON.parse(config.values[`${config.project}:deployments`] ?? "[]");
  if (!Array.isArray(texts) || !texts.every((text) => typeof text === "string"))
    throw new Error(`deployments of stack '${stack}' is not a list of strings: ${JSON.stringify(texts)}`);
  const problems: string[] = [];
  const pins = texts.flatMap((text, index) => {
    const spec = parseDeployment(text, index, problems);
    return spec ? [{ text, spec }] : [];
  });
  if (problems.length > 0) throw new Error(`Pulumi.${stack}.yaml: ${problems.join("; ")}`);
  return { project: config.project, location: config.values[`${config.project}:location`] ?? "", pins };
}

function evidence(catalogue: Catalogue, model: string, version: string, sku: string): CatalogueEvidence {
  const entry = catalogue.models.find((candidate) => candidate.name === model && candidate.version === version);
  const usageName = entry?.skus.find((candidate) => candidate.name.toLowerCase() === sku.toLowerCase())?.usageName;
  const retiresOn = retirementFor(catalogue, model, version, sku);
  const quotaLeft = usageName === undefined ? undefined : catalogue.quotaLeft.get(usageName);
  return {
    model,
    version,
    sku,
    ...(entry ? { lifecycleStatus: entry.lifecycleStatus } : {}),
    ...(retiresOn ? { retiresOn: day(retiresOn) } : {}),
    ...(quotaLeft === undefined ? {} : { quotaLeft }),
  };
}

/** The contract's problem for a finding of the judge, or undefined for what only warns. */
function problemOf(finding: Finding, retiredByDate: boolean): PinProblem | undefined {
  switch (finding.kind) {
    case "not-offered":
      return "not-in-catalogue";
    case "sku-not-offered":
    case "closed-to-new-customers":
      return "closed";
    case "retired":
      return retiredByDate ? "retired" : "closed";
    case "retiring-soon":
      return "retiring";
    case "no-quota":
      return "quota";
    default:
      return undefined;
  }
}

function deploymentString(candidate: Candidate, original: string): string {
  return original
    .split(",")
    .map((part) => {
      const [field] = part.split("=");
      const name = field?.trim();
      if (name === "model") return `model=${candidate.model}`;
      if (name === "version") return `version=${candidate.version}`;
      return part;
    })
    .join(",");
}

/** Judges one pin: the contract's PinCheck. */
function checkPin(
  catalogue: Catalogue,
  pin: { text: string; spec: DeploymentSpec },
  now: Date,
  withinDays: number,
): PinCheck {
  const { spec } = pin;
  const findings = judge(catalogue, spec, now, withinDays);
  const retiresOn = retirementFor(catalogue, spec.model, spec.version, spec.sku);
  const retiredByDate = retiresOn !== undefined && retiresOn.getTime() <= now.getTime();
  const failing = findings.flatMap((finding) => {
    const problem = problemOf(finding, retiredByDate);
    return problem ? [{ problem, finding }] : [];
  });
  const warnings = findings.filter((finding) => problemOf(finding, retiredByDate) === undefined);
  const reasons = failing.map(({ problem, finding }) =>
    problem === "closed" && retiresOn && !retiredByDate
      ? `${finding.message}; deployments that exist keep answering until ${day(retiresOn)}, but a new stack or a re-created deployment cannot use it`
      : finding.message,
  );
  const check: PinCheck = {
    deployment: spec.name,
    pinned: pin.text,
    current: evidence(catalogue, spec.model, spec.version, spec.sku),
    ok: failing.length === 0,
    problems: [...new Set(failing.map(({ problem }) => problem))],
    reasons,
    ...(warnings.length > 0 ? { warnings: warnings.map((finding) => finding.message) } : {}),
  };
  if (!check.ok) {
    const choice = chooseModel(catalogue, { sku: spec.sku, capacity: spec.capacity, now });
    if (choice.chosen) {
      check.replacement = {
        ...evidence(catalogue, choice.chosen.model, choice.chosen.version, spec.sku),
        pinned: deploymentString(choice.chosen, pin.text),
      };
    }
  }
  return check;
}

/** Reads the catalogue of the stack's region and judges every pin. */
export async function checkStack(
  context: ModelsContext,
  request: { stack: string; withinDays: number },
): Promise<{ report: CheckReport; catalogue: Catalogue; project: string }> {
  const { project, location, pins } = readPins(context.projectDir, request.stack);
  const client = catalogueClient(context.credential, context.subscriptionId, context.armEndpoint, context.maxRetries);
  const catalogue = await readCatalogue(client, location);
  const checks = pins.map((pin) => checkPin(catalogue, pin, context.now, request.withinDays));
  return {
    project,
    catalogue,
    report: {
      kind: "keyless-openai-model-check/1",
      stack: request.stack,
      location,
      checkedAt: context.now.toISOString(),
      withinDays: request.withinDays,
      ok: checks.every((check) => check.ok),
      pins: checks,
    },
  };
}

/** Retirement rows the catalogue dates: chat model versions with a dated version and a real retirement date. */
export function catalogueRetirements(catalogue: Catalogue, now: Date): Retirement[] {
  const source = `live catalogue of ${catalogue.location}, models.list on ${day(now)}`;
  return catalogue.models.flatMap((model) => {
    if (!model.chat || !model.retiresOn || versionDate(model.version) === undefined) return [];
    if (model.lifecycleStatus === "Preview" || model.retiresOn.getUTCFullYear() >= PLACEHOLDER_YEAR) return [];
    return [{ model: model.name, version: model.version, retiresOn: day(model.retiresOn), source }];
  });
}

function describeChange(path: string, before: unknown, after: unknown): string {
  return `${path}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`;
}

/** How the plan compare says each renewed deployment changes: in place, replaced, or unknown. */
function effectsByDeployment(
  base: PlanDocument,
  head: PlanDocument,
): Map<string, { effect: RenewalEffect; lines: string[] }> {
  const comparison = comparePlans(base, head);
  const effects = new Map<string, { effect: RenewalEffect; lines: string[] }>();
  const deploymentNameOf = (urn: string) => {
    const resource = [...head.resources, ...base.resources].find((candidate) => candidate.urn === urn);
    if (resource?.type !== "azure-native:cognitiveservices:Deployment") return undefined;
    const inputs = resource.inputs;
    const name = typeof inputs === "object" && inputs !== null ? Reflect.get(inputs, "deploymentName") : undefined;
    return typeof name === "string" ? name : undefined;
  };
  for (const change of comparison.resources.changed) {
    const name = deploymentNameOf(change.urn);
    if (!name) continue;
    effects.set(name, {
      effect: change.replacedBy.length > 0 ? "replace" : "update-in-place",
      lines: change.changes.map((input) => `${change.urn} ${describeChange(input.path, input.before, input.after)}`),
    });
  }
  return effects;
}

/** `--renew`: the check, then the replacements written for the pins that fail. */
export async function renewStack(
  context: ModelsContext,
  request: { stack: string; withinDays: number },
): Promise<RenewReport> {
  const { report, catalogue, project } = await checkStack(context, request);
  const stackFile = `Pulumi.${request.stack}.yaml`;
  const path = join(context.projectDir, stackFile);
  const toRenew = report.pins.filter((pin) => !pin.ok && pin.replacement);
  let base: PlanDocument | undefined;
  let planError: string | undefined;
  const plan = () =>
    planStack({
      projectDir: context.projectDir,
      stack: request.stack,
      now: context.now,
      ...(context.program ? { program: context.program } : {}),
    });
  if (toRenew.length > 0) {
    base = await plan().catch((error: unknown) => {
      planError = error instanceof Error ? error.message : String(error);
      return undefined;
    });
    for (const pin of toRenew)
      if (pin.replacement) replacePinText(path, `${project}:deployments`, pin.pinned, pin.replacement.pinned);
  }
  const head =
    base && toRenew.length > 0
      ? await plan().catch((error: unknown) => {
          planError = error instanceof Error ? error.message : String(error);
          return undefined;
        })
      : undefined;
  const effects = base && head ? effectsByDeployment(base, head) : new Map();
  const tablePath = retirementTablePath(context.projectDir);
  const table = existsSync(tablePath)
    ? readRetirementTable(tablePath)
    : {
        about: "Known retirement dates of Azure OpenAI model versions (refreshed by npm run models -- --renew).",
        retirements: [],
      };
  const tableChanged = mergeRetirements(table, catalogueRetirements(catalogue, context.now));
  if (tableChanged) writeRetirementTable(tablePath, table);
  return {
    ...report,
    kind: "keyless-openai-model-renew/1",
    file: stackFile,
    changed: toRenew.length > 0,
    renewals: toRenew.map((pin) => {
      const found = effects.get(pin.deployment);
      return {
        deployment: pin.deployment,
        from: pin.pinned,
        to: pin.replacement?.pinned ?? pin.pinned,
        effect: found?.effect ?? "unknown",
        planChanges: found?.lines ?? (planError ? [`the offline plan failed: ${planError}`] : []),
      };
    }),
    retirementTable: { file: relative(context.projectDir, tablePath), changed: tableChanged },
  };
}
