/**
 * `npm run models`: asks the region's catalogue which chat model a stack should deploy, shows the choice and the
 * alternatives, and with `--pin` writes it into Pulumi.<stack>.yaml. `npm run deploy` uses the same steps for a stack
 * that has no model pinned yet.
 */
import type { TokenCredential } from "@azure/core-auth";
import { isRestError } from "@azure/core-rest-pipeline";
import { parseDeployment } from "../../../lib/config";
import { DEFAULT_DEPLOYMENT } from "../../../lib/constants";
import { armErrorCode, armStatus, describeArmError, describeAzureError, renderAzureError } from "../azure-error";
import { type CommandIo, EXIT } from "../cli";
import { readStackConfig } from "../stack-config";
import { catalogueClient } from "./azure";
import { type Candidate, type Choice, chooseModel, readCatalogue } from "./catalogue";
import { checkStack, DEFAULT_WITHIN_DAYS, renewStack } from "./check";
import type { CheckReport, RenewReport } from "./check-report";
import { type PinResult, pinDeployment } from "./pin";

/** Where the command reaches Azure and what it writes to (injected in tests). */
export interface ModelsContext {
  credential: TokenCredential;
  subscriptionId: string;
  armEndpoint: string;
  now: Date;
  projectDir: string;
  /** Retries of the ARM client after 429/5xx (default: the client's 3). */
  maxRetries?: number;
  /** The program `--renew` plans offline (default: Pulumi.yaml's main, else index.ts in projectDir). */
  program?: string;
}

/** What the stack asks for: region and the deployment's SKU and capacity. */
export interface StackModelSettings {
  project: string;
  location: string;
  deployment: { name: string; sku: string; capacity: number; versionUpgradeOption: string; model?: string };
  /** Deployment strings the stack pins today. */
  pinned: string[];
  /** The pinned string of this deployment, when the stack pins it. */
  current?: string;
}

/** Reads the stack's region and the deployment's SKU and capacity from Pulumi.yaml + Pulumi.<stack>.yaml. */
export function readStackModelSettings(projectDir: string, stack: string, deploymentName: string): StackModelSettings {
  const config = readStackConfig(projectDir, stack);
  const value = (key: string) => config.values[`${config.project}:${key}`];
  const pinnedText = value("deployments") ?? "[]";
  let pinned: unknown;
  try {
    pinned = JSON.parse(pinnedText);
  } catch {
    pinned = undefined;
  }
  if (!Array.isArray(pinned) || !pinned.every((item) => typeof item === "string"))
    throw new Error(`deployments of stack '${stack}' is not a list of strings: ${pinnedText}`);
  const problems: string[] = [];
  const parsed = pinned.map((text, index) => parseDeployment(text, index, problems));
  const currentIndex = parsed.findIndex((spec) => spec?.name === deploymentName);
  const current = parsed[currentIndex];
  return {
    project: config.project,
    location: value("location") ?? "",
    deployment: current
      ? {
          name: current.name,
          sku: current.sku,
          capacity: current.capacity,
          versionUpgradeOption: current.versionUpgradeOption,
          model: current.model,
        }
      : {
          name: deploymentName,
          sku: DEFAULT_DEPLOYMENT.sku,
          capacity: DEFAULT_DEPLOYMENT.capacity,
          versionUpgradeOption: DEFAULT_DEPLOYMENT.versionUpgradeOption,
        },
    pinned,
    ...(current ? { current: pinned[currentIndex] } : {}),
  };
}

/**
 * `--if-unpinned` when the stack already pins the deployment: the line to print, read from the stack's files only
 * (no Azure); undefined when it pins none and the command should pin as `--pin` does.
 */
export function alreadyPinned(projectDir: string, stack: string, deploymentName: string): string | undefined {
  const settings = readStackModelSettings(projectDir, stack, deploymentName);
  if (!settings.current) return undefined;
  return `Stack '${stack}' already pins deployment '${deploymentName}': ${settings.current} (Pulumi.${stack}.yaml); Azure was not asked. To choose again: npm run models -- --stack ${stack} --pin\n`;
}

/** The deployment string a pin writes. */
export function deploymentSpec(settings: StackModelSettings["deployment"], candidate: Candidate): string {
  const upgrade =
    settings.versionUpgradeOption === DEFAULT_DEPLOYMENT.versionUpgradeOption
      ? ""
      : `,upgrade=${settings.versionUpgradeOption}`;
  return `name=${settings.name},model=${candidate.model},version=${candidate.version},sku=${settings.sku},capacity=${settings.capacity}${upgrade}`;
}

/** The command that pins `family` for the stack (what an alternative line and the preflight check print). */
export function pinFamilyCommand(
  stack: string,
  family: string,
  deploymentName: string = DEFAULT_DEPLOYMENT.name,
): string {
  const deployment = deploymentName === DEFAULT_DEPLOYMENT.name ? "" : ` --deployment ${deploymentName}`;
  return `npm run models -- --stack ${stack} --family ${family}${deployment} --pin`;
}

/** The outcome of one run: the choice, and the pin when asked. */
export interface ModelsOutcome {
  stack: string;
  location: string;
  subscriptionId: string;
  deployment: string;
  choice: Choice;
  pinned?: PinResult & { spec: string };
}

/** Reads the catalogue, chooses, and pins when asked. Throws when Azure fails; `choice.chosen` is undefined when nothing fits. */
export async function chooseAndPin(
  context: ModelsContext,
  request: { stack: string; deploymentName: string; family?: string; pin: boolean },
): Promise<ModelsOutcome> {
  const settings = readStackModelSettings(context.projectDir, request.stack, request.deploymentName);
  const client = catalogueClient(context.credential, context.subscriptionId, context.armEndpoint, context.maxRetries);
  const catalogue = await readCatalogue(client, settings.location);
  const choice = chooseModel(catalogue, {
    sku: settings.deployment.sku,
    capacity: settings.deployment.capacity,
    now: context.now,
    ...(request.family ? { family: request.family } : {}),
  });
  const outcome: ModelsOutcome = {
    stack: request.stack,
    location: settings.location,
    subscriptionId: context.subscriptionId,
    deployment: request.deploymentName,
    choice,
  };
  if (request.pin && choice.chosen) {
    const spec = deploymentSpec(settings.deployment, choice.chosen);
    const result = pinDeployment({
      projectDir: context.projectDir,
      project: settings.project,
      stack: request.stack,
      spec,
      note: `Pinned by npm run models on ${context.now.toISOString().slice(0, 10)}: ${choice.rule}.`,
    });
    outcome.pinned = { ...result, spec };
  }
  return outcome;
}

function describeCandidate(candidate: Candidate): string {
  const retires = candidate.retiresOn ? `, retires ${candidate.retiresOn.toISOString().slice(0, 10)}` : "";
  return `${candidate.model} ${candidate.version}${retires}`;
}

/** The human report of an outcome. */
export function renderOutcome(outcome: ModelsOutcome): string {
  const lines = [`Model catalogue of ${outcome.location} (subscription ${outcome.subscriptionId}).`];
  const { chosen, alternatives, rule } = outcome.choice;
  lines.push(
    chosen
      ? `Chosen for deployment '${outcome.deployment}': ${describeCandidate(chosen)} (rule: ${rule}).`
      : `No model fits deployment '${outcome.deployment}' (rule: ${rule}).`,
  );
  if (outcome.choice.fallback) lines.push(`Why this one: ${outcome.choice.fallback}.`);
  if (alternatives.length > 0) {
    lines.push("Deployable alternatives (newest version of each model):");
    for (const candidate of alternatives) {
      lines.push(
        `  ${describeCandidate(candidate)}: ${pinFamilyCommand(outcome.stack, candidate.model, outcome.deployment)}`,
      );
    }
  } else {
    lines.push(
      "No other model is deployable there with this SKU and capacity: try another region or SKU, or ask for quota.",
    );
  }
  if (outcome.pinned) {
    lines.push(
      `${outcome.pinned.replaced ? `Replaced ${outcome.pinned.replaced} with` : "Pinned"} ${outcome.pinned.spec} in ${outcome.pinned.path}. Commit it so the pin is reviewed.`,
    );
  } else if (chosen) {
    lines.push(`To pin it: npm run models -- --stack ${outcome.stack} --pin`);
  }
  return `${lines.join("\n")}\n`;
}

/** The `--json` form of an outcome. */
export function outcomeJson(outcome: ModelsOutcome): string {
  return `${JSON.stringify(outcome, null, 2)}\n`;
}

/** A failed run as the `--json` document scripts branch on. */
export interface ModelsError {
  kind: "keyless-openai-model-error/1";
  ok: false;
  stack: string;
  /** HTTP status of Azure's answer, when Azure answered. */
  status?: number;
  /** ARM's error code (AuthorizationFailed, SubscriptionRequestsThrottled, ...). */
  code?: string;
  message: string;
  /** Azure's Retry-After, in seconds, when it sent one (429). */
  retryAfterSeconds?: number;
}

/** The error document of `error` (Azure's status, code, message and Retry-After when it is an ARM answer). */
export function modelsError(stack: string, error: unknown): ModelsError {
  const status = armStatus(error);
  const code = armErrorCode(error);
  const retryAfter = isRestError(error) ? Number(error.response?.headers.get("retry-after")) : Number.NaN;
  return {
    kind: "keyless-openai-model-error/1",
    ok: false,
    stack,
    ...(status === undefined ? {} : { status }),
    ...(code === undefined ? {} : { code }),
    message: describeArmError(error),
    ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
  };
}

/** The human report of `--check`. */
export function renderCheck(report: CheckReport): string {
  const lines = [
    `Pins of stack '${report.stack}' against the catalogue of ${report.location} (${report.checkedAt.slice(0, 10)}, failing within ${report.withinDays} days):`,
  ];
  if (report.pins.length === 0)
    lines.push("  the stack pins no model; nothing to check (npm run models -- --stack NAME --pin pins one).");
  for (const pin of report.pins) {
    lines.push(`  ${pin.ok ? "ok  " : "FAIL"} ${pin.deployment}: ${pin.pinned}`);
    for (const reason of pin.reasons) lines.push(`       ${reason}`);
    for (const warning of pin.warnings ?? []) lines.push(`       warning: ${warning}`);
    if (!pin.ok)
      lines.push(
        pin.replacement
          ? `       replacement: ${pin.replacement.pinned}`
          : "       no replacement is deployable there with this SKU and capacity: choose another region or SKU, or ask for quota",
      );
  }
  return `${lines.join("\n")}\n`;
}

/** The human report of `--renew`. */
export function renderRenew(report: RenewReport): string {
  const lines = [renderCheck({ ...report, kind: "keyless-openai-model-check/1" }).trimEnd()];
  if (!report.changed) lines.push(`Nothing renewed: ${report.file} is unchanged.`);
  for (const renewal of report.renewals) {
    const effect =
      renewal.effect === "replace"
        ? "Pulumi replaces the deployment (deleted, then created: calls fail in between)"
        : renewal.effect === "update-in-place"
          ? "Pulumi updates the deployment in place"
          : "the offline plan could not say how Pulumi applies it";
    lines.push(`Renewed ${renewal.deployment} in ${report.file}: ${renewal.from} -> ${renewal.to}; ${effect}.`);
    for (const change of renewal.planChanges) lines.push(`  ${change}`);
  }
  if (report.retirementTable)
    lines.push(
      report.retirementTable.changed
        ? `Refreshed ${report.retirementTable.file} from the catalogue's retirement dates; commit it with the pin.`
        : `${report.retirementTable.file} already knows every retirement date the catalogue gives.`,
    );
  return `${lines.join("\n")}\n`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The command body: parsed options in, exit code out. */
export async function modelsCommand(
  values: {
    stack: string;
    family?: string;
    deployment?: string;
    pin?: boolean;
    json?: boolean;
    check?: boolean;
    renew?: boolean;
    withinDays?: number;
    verbose?: boolean;
  },
  context: ModelsContext,
  io: CommandIo,
): Promise<number> {
  const withinDays = values.withinDays ?? DEFAULT_WITHIN_DAYS;
  try {
    if (values.renew) {
      const report = await renewStack(context, { stack: values.stack, withinDays });
      io.out(values.json ? json(report) : renderRenew(report));
      return report.pins.every((pin) => pin.ok || pin.replacement) ? EXIT.ok : EXIT.failed;
    }
    if (values.check) {
      const { report } = await checkStack(context, { stack: values.stack, withinDays });
      io.out(values.json ? json(report) : renderCheck(report));
      return report.ok ? EXIT.ok : EXIT.failed;
    }
    const outcome = await chooseAndPin(context, {
      stack: values.stack,
      deploymentName: values.deployment ?? DEFAULT_DEPLOYMENT.name,
      pin: values.pin === true,
      ...(values.family ? { family: values.family } : {}),
    });
    io.out(values.json ? outcomeJson(outcome) : renderOutcome(outcome));
    return outcome.choice.chosen ? EXIT.ok : EXIT.failed;
  } catch (error) {
    if (!values.json) {
      // An Azure failure in one sentence with its fix (scripts/core/azure-error.ts); the whole error with --verbose.
      const description = describeAzureError(error, context.now);
      if (description.kind === "other") throw new Error(describeArmError(error));
      io.err(`models: ${renderAzureError("reading the model catalogue", description)}\n`);
      if (values.verbose) io.err(`${description.detail}\n`);
      return EXIT.failed;
    }
    io.out(json(modelsError(values.stack, error)));
    return EXIT.failed;
  }
}
