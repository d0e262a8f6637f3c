/**
 * `npm run smoke -- [--stack NAME] [--outputs FILE.json] [--target local|vm|function|all] [--deadline 15m]`
 *
 * Proves, after `pulumi up`, that every identity the stack grants can call the model with an Entra ID token:
 * you (local sign-in), the VM's managed identity (run command), the Function App's managed identity (HTTP function).
 * Waits for role assignments to take effect with visible progress, then prints a summary table.
 * Exit code: 0 all passed, 1 some failed, 2 usage or configuration error.
 */
import { DefaultAzureCredential } from "@azure/identity";
import { parseOptions, type SmokeOptions, type TargetName, USAGE, UsageError } from "./smoke/options";
import { loadOutputs, type StackOutputs } from "./smoke/outputs";
import { summaryTable } from "./smoke/report";
import { smokeFunction } from "./smoke/targets/function";
import { smokeLocal } from "./smoke/targets/local";
import { smokeVm } from "./smoke/targets/vm";
import { DEFAULT_FIRST_DELAY_MS, DEFAULT_MAX_DELAY_MS, DEFAULT_STEADY_MS, type TargetResult } from "./smoke/wait";

/** Targets to run: `all` means everything the stack deployed; asking for one that is not deployed is an error. */
export function chooseTargets(choice: SmokeOptions["target"], compute: StackOutputs["compute"]): TargetName[] {
  const deployed: TargetName[] = ["local"];
  if (compute === "vm" || compute === "both") deployed.push("vm");
  if (compute === "functionApp" || compute === "both") deployed.push("function");
  if (choice === "all") return deployed;
  if (!deployed.includes(choice)) {
    throw new UsageError(`--target ${choice}: the stack has compute "${compute}", so there is no ${choice} to test`);
  }
  return [choice];
}

async function main(argv: string[], environment: NodeJS.ProcessEnv): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  let options: SmokeOptions;
  let outputs: StackOutputs;
  let targets: TargetName[];
  try {
    options = parseOptions(argv, environment);
    outputs = await loadOutputs(options.outputsFile, options.stack);
    targets = chooseTargets(options.target, outputs.compute);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) log(`error: ${error.message}`);
    log(USAGE);
    return 2;
  }

  log(
    `[smoke] ${outputs.endpoint} deployment ${outputs.defaultDeployment} (api ${outputs.apiVersion}); targets: ${targets.join(", ")}; deadline ${options.deadlineMs / 1000}s`,
  );
  // One credential for the run: the user's sign-in (az login, or whatever DefaultAzureCredential finds first).
  const credential = new DefaultAzureCredential();
  const policy = {
    deadlineMs: options.deadlineMs,
    firstDelayMs: DEFAULT_FIRST_DELAY_MS,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
    steadyMs: DEFAULT_STEADY_MS,
  };
  const runs: Record<TargetName, () => Promise<TargetResult>> = {
    local: () => smokeLocal(outputs, credential, policy, log),
    vm: () => smokeVm(outputs, credential, options, log),
    function: () => smokeFunction(outputs, credential, options, policy, log),
  };
  const results = await Promise.all(
    targets.map(async (target) => {
      const result = await runs[target]();
      log(
        `[smoke ${target}] ${result.outcome === "passed" ? "PASSED" : "FAILED"} after ${(result.elapsedMs / 1000).toFixed(1)}s: ${result.diagnosis.code}`,
      );
      return result;
    }),
  );

  process.stdout.write(`\n${summaryTable(results)}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify({ results })}\n`);
  return results.every((result) => result.outcome === "passed") ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // A crash is not a usage error: the smoke test did not pass.
      process.stderr.write(`smoke: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
