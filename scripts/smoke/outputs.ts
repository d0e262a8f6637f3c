/**
 * Stack outputs the smoke test needs, from the stack (the Automation API, scripts/core/pulumi-workspace.ts) or a
 * saved file. Contract: the lead's index.ts.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../core/cli";
import type { PulumiContext } from "../core/pulumi-workspace";

/** The stack outputs this script reads (a subset of the stack's contract). */
export interface StackOutputs {
  endpoint: string;
  resourceGroupName: string;
  subscriptionId: string;
  defaultDeployment: string;
  /**
   * `private`: the account's public network access is off; only callers inside its virtual network reach it.
   * `allowList`: the listed IP ranges reach the public endpoint, the stack's VM and Function App its private endpoint.
   */
  networkMode?: "public" | "allowList" | "private";
  compute: "vm" | "functionApp" | "both" | "none";
  vmName?: string;
  vmPrincipalId?: string;
  functionAppName?: string;
  functionAppHostName?: string;
  functionAppPrincipalId?: string;
}

const COMPUTE_VALUES = ["vm", "functionApp", "both", "none"];

function requireString(raw: Record<string, unknown>, name: string): string {
  const value = raw[name];
  if (typeof value !== "string" || value.length === 0) {
    throw new UsageError(`stack output "${name}" is missing or not a string (has \`pulumi up\` finished?)`);
  }
  return value;
}

function optionalString(raw: Record<string, unknown>, name: string): string | undefined {
  const value = raw[name];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Checks the shape of raw outputs and names what is missing. */
export function validateOutputs(raw: unknown): StackOutputs {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UsageError("stack outputs must be a JSON object");
  }
  const record = raw as Record<string, unknown>;
  const compute = requireString(record, "compute");
  if (!COMPUTE_VALUES.includes(compute)) throw new UsageError(`stack output "compute" is "${compute}"`);
  const endpoint = requireString(record, "endpoint");
  if (!endpoint.startsWith("https://")) throw new UsageError(`stack output "endpoint" must be https: ${endpoint}`);
  const outputs: StackOutputs = {
    endpoint,
    resourceGroupName: requireString(record, "resourceGroupName"),
    subscriptionId: requireString(record, "subscriptionId"),
    defaultDeployment: requireString(record, "defaultDeployment"),
    compute: compute as StackOutputs["compute"],
  };
  const networkMode = optionalString(record, "networkMode");
  if (networkMode !== undefined) {
    if (networkMode !== "public" && networkMode !== "allowList" && networkMode !== "private") {
      throw new UsageError(
        `stack output "networkMode" is "${networkMode}" (expected "public", "allowList" or "private")`,
      );
    }
    outputs.networkMode = networkMode;
  }
  for (const name of [
    "vmName",
    "vmPrincipalId",
    "functionAppName",
    "functionAppHostName",
    "functionAppPrincipalId",
  ] as const) {
    const value = optionalString(record, name);
    if (value !== undefined) outputs[name] = value;
  }
  if ((compute === "vm" || compute === "both") && !outputs.vmName) {
    throw new UsageError('stack output "vmName" is missing although compute includes a VM');
  }
  if ((compute === "functionApp" || compute === "both") && !(outputs.functionAppName && outputs.functionAppHostName)) {
    throw new UsageError(
      'stack outputs "functionAppName"/"functionAppHostName" are missing although compute includes one',
    );
  }
  return outputs;
}

/** Reads outputs from `file`, or from `stack` (the selected stack when undefined) in the backend deploy uses. */
export async function loadOutputs(
  file: string | undefined,
  stack: string | undefined,
  pulumi: PulumiContext = {},
): Promise<StackOutputs> {
  if (file) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new UsageError(`cannot read --outputs ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      return validateOutputs(JSON.parse(text));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--outputs ${file} is not JSON`);
    }
  }
  // The same workspace as deploy and destroy, so the smoke test reads the backend the stack was deployed to. Loaded
  // here only: the Automation API costs about 0.6 s of CPU to load, and a run with --outputs never uses it.
  const {
    findStack,
    openPulumiStacks,
  }: typeof import("../core/pulumi-workspace") = require("../core/pulumi-workspace");
  const stacks = await openPulumiStacks(pulumi);
  const name = stack ?? (await stacks.selectedStack());
  if (name === undefined) {
    throw new UsageError("no stack is selected in this project: pass --stack NAME (or --outputs FILE.json)");
  }
  if (!findStack(await stacks.listStacks(), name)) {
    throw new UsageError(
      `stack ${name} does not exist in the state backend: deploy it first with npm run deploy -- --stack ${name}`,
    );
  }
  return validateOutputs(await stacks.outputs(name));
}
