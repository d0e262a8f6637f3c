/**
 * Target `vm`: runs scripts/vm/smoke.sh on the VM through the Resource Manager run command action
 * (`POST .../virtualMachines/{vm}/runCommand`, commandId RunShellScript) with @azure/arm-compute, signed in as the
 * user. The script waits on the VM for RBAC propagation and prints one JSON line, read back from the result message.
 *
 * Why the action run command and not the managed run command resource (`virtualMachines/runCommands`): it returns the
 * output in the operation result (no storage blob, no leftover child resource to delete), needs only
 * Microsoft.Compute/virtualMachines/runCommand/action, and the smoke output is far below its 4 KB output limit
 * (Learn: "Run scripts in your Linux VM by using action Run Commands"). Its limit of one run at a time per VM is
 * fine for a smoke test.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ComputeManagementClient } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/identity";
import { diagnosisFor, isDiagnosisCode } from "../../../lib/diagnosis";
import type { StackOutputs } from "../outputs";
import { type Clock, REAL_CLOCK, type TargetResult } from "../wait";
import { armCallerIdentity, armFailure } from "./arm-failure";

const SCRIPT_PATH = join(__dirname, "..", "..", "vm", "smoke.sh");
/**
 * How often the run command's status is read while the script waits on the VM: the script's own schedule tries every
 * 0.5 s at first, so a slower poll would hide its success. One read a second is 4% of ARM's read refill rate
 * (25 per second per subscription and principal; Learn: "Understand how Azure Resource Manager throttles requests").
 */
const POLL_INTERVAL_MS = 1000;
const HEARTBEAT_MS = 15_000;
/** Extra time allowed for the run command itself (agent start-up, upload, polling) on top of the script's deadline. */
const RUN_COMMAND_OVERHEAD_MS = 5 * 60 * 1000;

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The script with its parameters as exported variables after the shebang (the run command runs it as a file). */
export async function vmScriptLines(outputs: StackOutputs, deadlineSeconds: number): Promise<string[]> {
  const [shebang, ...rest] = (await readFile(SCRIPT_PATH, "utf8")).split("\n");
  return [
    shebang ?? "#!/usr/bin/env bash",
    `export SMOKE_ENDPOINT=${shellQuote(outputs.endpoint)}`,
    `export SMOKE_DEPLOYMENT=${shellQuote(outputs.defaultDeployment)}`,
    `export SMOKE_DEADLINE_SECONDS=${Math.max(1, Math.floor(deadlineSeconds))}`,
    ...rest,
  ];
}

/** The script's JSON line from a run command message ("Enable succeeded: \n[stdout]\n...\n[stderr]\n..."). */
export function parseRunCommandMessage(message: string): Record<string, unknown> | undefined {
  const stdout = message.split("[stdout]\n")[1]?.split("\n[stderr]")[0] ?? "";
  for (const line of stdout.split("\n").reverse()) {
    if (!line.trim().startsWith("{")) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === "object" && parsed !== null && (parsed as { target?: unknown }).target === "vm") {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // Not the result line.
    }
  }
  return undefined;
}

export async function smokeVm(
  outputs: StackOutputs,
  credential: TokenCredential,
  options: { armEndpoint: string; deadlineMs: number; pollIntervalMs?: number },
  log: (line: string) => void,
  clock: Clock = REAL_CLOCK,
): Promise<TargetResult> {
  const started = clock.now();
  const vmName = outputs.vmName ?? "";
  const base = { target: "vm", identity: `${vmName} (managed identity)` };
  const heartbeat = setInterval(() => {
    const elapsed = ((clock.now() - started) / 1000).toFixed(1);
    log(`[smoke vm] +${elapsed}s run command on ${vmName} still running (the script waits on the VM for RBAC)`);
  }, HEARTBEAT_MS);
  try {
    const client = new ComputeManagementClient(credential, outputs.subscriptionId, { endpoint: options.armEndpoint });
    const script = await vmScriptLines(outputs, options.deadlineMs / 1000);
    log(`[smoke vm] +0.0s submitting run command to ${vmName}`);
    const result = await client.virtualMachines.runCommand(
      outputs.resourceGroupName,
      vmName,
      { commandId: "RunShellScript", script },
      {
        updateIntervalInMs: options.pollIntervalMs ?? POLL_INTERVAL_MS,
        abortSignal: AbortSignal.timeout(options.deadlineMs + RUN_COMMAND_OVERHEAD_MS),
      },
    );
    const message = result.value?.map((status) => status.message ?? "").join("\n") ?? "";
    const line = parseRunCommandMessage(message);
    const elapsedMs = clock.now() - started;
    if (!line || !isDiagnosisCode(line.diagnosis)) {
      const detail = `no result line from the script; run command said: ${message.slice(-300)}`;
      return {
        ...base,
        outcome: "failed",
        status: 0,
        diagnosis: diagnosisFor("unexpected", { detail }),
        attempts: 1,
        elapsedMs,
      };
    }
    const identity = line.identity as { principalId?: string } | undefined;
    const passed = line.outcome === "passed";
    const detail = passed ? undefined : String(line.message ?? "").slice(0, 200);
    return {
      target: "vm",
      identity: identity?.principalId
        ? `${vmName} (managed identity ${identity.principalId.slice(0, 8)}…)`
        : base.identity,
      outcome: passed ? "passed" : "failed",
      status: Number(line.status ?? 0),
      diagnosis: diagnosisFor(line.diagnosis, detail ? { detail } : {}),
      attempts: Number(line.attempts ?? 1),
      elapsedMs,
      ...(passed ? { reply: String(line.reply ?? "") } : {}),
    };
  } catch (error) {
    const diagnosis = armFailure(error, "run command");
    return {
      ...base,
      identity: armCallerIdentity(diagnosis, base.identity),
      outcome: "failed",
      status: 0,
      diagnosis,
      attempts: 1,
      elapsedMs: clock.now() - started,
      note: diagnosis.action,
    };
  } finally {
    clearInterval(heartbeat);
  }
}
