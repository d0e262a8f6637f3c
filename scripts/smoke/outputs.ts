/** Stack outputs the smoke test needs, from `pulumi stack output --json` or a saved file. Contract: the lead's index.ts. */
import { readFile } from "node:fs/promises";
import { UsageError } from "../core/cli";
import { runPulumi } from "../core/pulumi-cli";

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

/** Reads outputs from `file`, or from the Pulumi CLI for `stack` (the selected stack when undefined). */
export async function loadOutputs(file: string | undefined, stack: string | undefined): Promise<StackOutputs> {
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
  // Same CLI wrapper as deploy and destroy, so the smoke test reads the backend the stack was deployed to.
  const args = ["stack", "output", "--json", ...(stack ? ["--stack", stack] : [])];
  const result = await runPulumi(args);
  if (result.exitCode !== 0) {
    // The CLI's whole message: its first line is often only "Downloading pulumi ...", the cause comes after it.
    const message = [result.stderr.trim(), result.stdout.trim()].filter(Boolean).join("\n");
    throw new UsageError(
      `\`npx pulumi ${args.join(" ")}\` failed with exit code ${result.exitCode} (has \`npm run deploy\` run for this stack?):\n${message}`,
    );
  }
  try {
    return validateOutputs(JSON.parse(result.stdout));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`\`npx pulumi ${args.join(" ")}\` did not print JSON`);
  }
}
