/**
 * `npm run models`: asks the region's catalogue which chat model a stack should deploy, shows the choice and the
 * alternatives, and with `--pin` writes it into Pulumi.<stack>.yaml. `npm run deploy` uses the same steps for a stack
 * that has no model pinned yet.
 */
import type { TokenCredential } from "@azure/core-auth";
import { parseDeployment } from "../../../lib/config";
import { DEFAULT_DEPLOYMENT } from "../../../lib/constants";
import { describeAzureError, renderAzureError } from "../azure-error";
import { type CommandIo, EXIT } from "../cli";
import { readStackConfig } from "../stack-config";
import { catalogueClient } from "./azure";
import { type Candidate, type Choice, chooseModel, readCatalogue } from "./catalogue";
import { type PinResult, pinDeployment } from "./pin";

export const MODELS_USAGE = `usage: npm run models -- --stack NAME [--family MODEL] [--deployment NAME] [--pin | --if-unpinned] [--json] [--project-dir DIR]

Asks Azure's model catalogue for the stack's region (models.list and usages.list of Microsoft.CognitiveServices, read
only) which chat model the deployment should use, and shows the choice and the alternatives.

Rule: a generally available chat model version that new customers can deploy today in the region with the
deployment's SKU, that does not retire within 90 days, and whose quota left covers the deployment's capacity;
  --family MODEL   the newest such version of MODEL (for example gpt-5-mini);
  no --family      the newest *-mini model (OpenAI's small, low-priced tier), else the newest general chat model
                   (not -pro, codex, deep-research or router).

Options:
  --stack NAME       stack whose Pulumi.<NAME>.yaml gives the region, SKU and capacity (defaults: Pulumi.yaml)
  --deployment NAME  which deployment of the stack (default chat)
  --pin              write the choice into Pulumi.<NAME>.yaml (comments and other keys are kept); commit it
  --if-unpinned      when the stack already pins the deployment, say so and exit 0 without asking Azure;
                     otherwise as --pin (CI workflows run it before pulumi preview/up)
  --json             print the result as JSON
  --verbose          when Azure fails, print the whole error (the sign-in chain's report, ARM's message)
  --project-dir DIR  directory of Pulumi.yaml (default: the project)

Azure: the subscription pulumi up will use (stack config azure-native:subscriptionId, else ARM_SUBSCRIPTION_ID,
else az account show); the identity DefaultAzureCredential finds (az login locally); KEYLESS_ARM_ENDPOINT moves
Resource Manager (tests). Needs read access to the subscription (Reader).

Exit codes: 0 a model was chosen (and pinned with --pin), or already pinned with --if-unpinned, 1 no model fits or Azure failed, 2 usage error.`;

/** Where the command reaches Azure and what it writes to (injected in tests). */
export interface ModelsContext {
  credential: TokenCredential;
  subscriptionId: string;
  armEndpoint: string;
  now: Date;
  projectDir: string;
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
  const client = catalogueClient(context.credential, context.subscriptionId, context.armEndpoint);
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

/** The command body: parsed options in, exit code out. */
export async function modelsCommand(
  values: { stack: string; family?: string; deployment?: string; pin?: boolean; json?: boolean; verbose?: boolean },
  context: ModelsContext,
  io: CommandIo,
): Promise<number> {
  let outcome: ModelsOutcome;
  try {
    outcome = await chooseAndPin(context, {
      stack: values.stack,
      deploymentName: values.deployment ?? DEFAULT_DEPLOYMENT.name,
      pin: values.pin === true,
      ...(values.family ? { family: values.family } : {}),
    });
  } catch (error) {
    // An Azure failure in one sentence with its fix (scripts/core/azure-error.ts); the whole error with --verbose.
    const description = describeAzureError(error, context.now);
    if (description.kind === "other") throw error;
    io.err(`models: ${renderAzureError("reading the model catalogue", description)}\n`);
    if (values.verbose) io.err(`${description.detail}\n`);
    return EXIT.failed;
  }
  io.out(values.json ? outcomeJson(outcome) : renderOutcome(outcome));
  return outcome.choice.chosen ? EXIT.ok : EXIT.failed;
}
