/**
 * Runs a stack's program offline (scripts/core/offline-engine.ts: Pulumi mocks, no CLI, no credentials) with the
 * stack's config, and builds the plan document.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { parseDeployment } from "../../../lib/config";
import { REPOSITORY_RETIREMENT_TABLE, readRetirementTable, retiredPins } from "../../../lib/model-retirements";
import { runProgram } from "../offline-engine";
import { readStackConfig, withUnpinnedModelPlanned } from "../stack-config";
import { buildPlan, type PlanDocument } from "./model";

type Program = () => unknown;

/** Where the program and its config live. */
export interface PlanTarget {
  /** Directory holding Pulumi.yaml and Pulumi.<stack>.yaml. */
  projectDir: string;
  stack: string;
  /** Program file; default: Pulumi.yaml's `main`, else index.ts in the project directory. */
  program?: string;
  /** The clock pins are judged by against the repository's retirement table (default: now). */
  now?: Date;
}

/**
 * Warnings for pins past a retirement date the repository knows (lib/model-retirements.json): such a stack cannot be
 * deployed as committed, and only the offline plan sees it before Azure does.
 */
function retiredPinWarnings(values: Record<string, string>, project: string, stack: string, now: Date): string[] {
  let texts: unknown;
  try {
    texts = JSON.parse(values[`${project}:deployments`] ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(texts)) return [];
  const pins = texts.flatMap((text, index) => {
    const spec = typeof text === "string" ? parseDeployment(text, index, []) : undefined;
    return spec ? [spec] : [];
  });
  return retiredPins(readRetirementTable(REPOSITORY_RETIREMENT_TABLE), pins, now).map(
    (pin) =>
      `deployment '${pin.name}' pins ${pin.model} ${pin.version}, retired on ${pin.retiresOn} (${pin.source}): its calls fail and it cannot be deployed. Renew it: npm run models -- --stack ${stack} --renew`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The function a program module exports: `export = fn` or `export default fn`, as seen through tsx's interop. */
async function loadProgram(path: string): Promise<Program> {
  const loaded: unknown = await import(pathToFileURL(path).href);
  let candidate: unknown = loaded;
  for (let depth = 0; depth < 3; depth++) {
    if (typeof candidate === "function") return candidate as Program;
    candidate = isRecord(candidate) ? candidate.default : undefined;
  }
  throw new Error(`${path}: expected the module to export a function returning the stack outputs`);
}

/** Names of the top-level outputs that are (or hold) secret Outputs. */
async function secretOutputNames(returned: unknown): Promise<string[]> {
  if (!isRecord(returned)) return [];
  const names: string[] = [];
  for (const [key, value] of Object.entries(returned)) {
    if (await pulumi.isSecret(pulumi.output(value))) names.push(key);
  }
  return names.sort();
}

/** Evaluates the program for one stack and returns its plan. */
export async function planStack(target: PlanTarget): Promise<PlanDocument> {
  const projectDir = resolve(target.projectDir);
  const config = withUnpinnedModelPlanned(readStackConfig(projectDir, target.stack));
  const programPath = resolve(projectDir, target.program ?? config.main ?? "index.ts");
  const program = await loadProgram(programPath);
  let returned: unknown;
  const run = await runProgram(
    async () => {
      returned = await program();
      return returned;
    },
    { project: config.project, stack: target.stack, rawConfig: config.values, unknownPrincipals: "placeholder" },
  );
  return buildPlan({
    project: config.project,
    stack: target.stack,
    config: config.values,
    secretConfigKeys: config.secretKeys,
    secretOutputs: await secretOutputNames(returned),
    warnings: [
      ...config.warnings,
      ...retiredPinWarnings(config.values, config.project, target.stack, target.now ?? new Date()),
    ],
    run,
  });
}
