/**
 * `npm run smoke -- [--stack NAME] [--outputs FILE.json] [--target local|vm|function|all] [--deadline 15m]`
 *
 * Proves, after `pulumi up`, that every identity the stack grants can call the model with an Entra ID token:
 * you (local sign-in, or GitHub OIDC in CI), the VM's managed identity (run command), the Function App's managed
 * identity (HTTP function). Waits for role assignments to take effect with visible progress, then prints a summary
 * table. Follows scripts/core/cli.ts: `--help` exits 0; exit 0 all passed, 1 some failed, 2 usage or configuration.
 */
import { type CommandIo, type parseCommandLine, processIo, runCommand, runMain, UsageError } from "./core/cli";
import type { CliDownload } from "./core/pulumi-workspace";
import { readOptions, SMOKE_COMMAND, type SmokeOptions, type TargetName } from "./smoke/options";
import type { StackOutputs } from "./smoke/outputs";
import { summaryTable } from "./smoke/report";
import {
  type Clock,
  DEFAULT_FIRST_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_STEADY_MS,
  REAL_CLOCK,
  type TargetResult,
} from "./smoke/wait";

/**
 * Targets to run: `all` means everything the stack deployed; asking for one that is not deployed is an error.
 * With a private account, `all` leaves out `local` (this machine is outside the network) unless `insideNetwork`.
 */
export function chooseTargets(
  choice: SmokeOptions["target"],
  outputs: Pick<StackOutputs, "compute" | "networkMode">,
  insideNetwork = false,
): TargetName[] {
  const { compute } = outputs;
  const deployed: TargetName[] = ["local"];
  if (compute === "vm" || compute === "both") deployed.push("vm");
  if (compute === "functionApp" || compute === "both") deployed.push("function");
  if (choice === "all") {
    const privateAccount = outputs.networkMode === "private" && !insideNetwork;
    return privateAccount && deployed.length > 1 ? deployed.filter((target) => target !== "local") : deployed;
  }
  if (!deployed.includes(choice)) {
    throw new UsageError(`--target ${choice}: the stack has compute "${compute}", so there is no ${choice} to test`);
  }
  return [choice];
}

/** What a run talks to besides Azure: where it writes, and the clock of its waiting loops (virtual in tests). */
export interface SmokeDependencies {
  io?: CommandIo;
  clock?: Clock;
  /** How often the VM's run command is polled (the ARM client's own timer; default once a second). */
  runCommandPollMs?: number;
  /** How a missing Pulumi CLI is fetched (scripts/core/pulumi-workspace.ts). */
  download?: CliDownload;
}

async function smoke(
  options: SmokeOptions,
  environment: NodeJS.ProcessEnv,
  io: CommandIo,
  clock: Clock,
  runCommandPollMs: number | undefined,
  download: CliDownload | undefined,
): Promise<number> {
  // Loaded once the command line is valid: --help and usage errors need neither Pulumi nor the Azure SDKs.
  // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
  const [
    { chooseAzureCredential },
    { loadOutputs },
    { smokeFunction },
    { PRIVATE_ACCOUNT_NOTE, smokeLocal },
    { smokeVm },
  ] = await Promise.all([
    import("./core/azure-credential.js"),
    import("./smoke/outputs.js"),
    import("./smoke/targets/function.js"),
    import("./smoke/targets/local.js"),
    import("./smoke/targets/vm.js"),
  ]);
  const log = (line: string) => io.err(`${line}\n`);
  const outputs = await loadOutputs(options.outputsFile, options.stack, {
    env: environment,
    ...(download ? { download } : {}),
  });
  const targets = chooseTargets(options.target, outputs, options.insideNetwork);

  const signIn = chooseAzureCredential(environment);
  log(
    `[smoke] ${outputs.endpoint} deployment ${outputs.defaultDeployment} (v1 API: ${outputs.endpoint.replace(/\/+$/, "")}/openai/v1/chat/completions); targets: ${targets.join(", ")}; deadline ${options.deadlineMs / 1000}s`,
  );
  log(`[smoke] signing in as ${signIn.description}`);
  if (outputs.networkMode === "private" && !options.insideNetwork && !targets.includes("local")) {
    log(`[smoke local] not run: ${PRIVATE_ACCOUNT_NOTE}`);
  }
  const policy = {
    deadlineMs: options.deadlineMs,
    firstDelayMs: DEFAULT_FIRST_DELAY_MS,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
    steadyMs: DEFAULT_STEADY_MS,
  };
  const { credential } = signIn;
  const runs: Record<TargetName, () => Promise<TargetResult>> = {
    local: () => smokeLocal(outputs, credential, policy, log, { insideNetwork: options.insideNetwork, clock }),
    vm: () =>
      smokeVm(
        outputs,
        credential,
        { ...options, ...(runCommandPollMs === undefined ? {} : { pollIntervalMs: runCommandPollMs }) },
        log,
        clock,
      ),
    function: () => smokeFunction(outputs, credential, options, policy, log, clock),
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

  io.out(`\n${summaryTable(results)}\n`);
  if (options.json) io.out(`${JSON.stringify({ results })}\n`);
  return results.every((result) => result.outcome === "passed") ? 0 : 1;
}

/** The command, under scripts/core/cli.ts's convention. */
export function main(
  argv: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
  dependencies: SmokeDependencies = {},
): Promise<number> {
  const io = dependencies.io ?? processIo;
  return runCommand(
    SMOKE_COMMAND,
    argv,
    (parsed: ReturnType<typeof parseCommandLine<typeof SMOKE_COMMAND.options>>) =>
      smoke(
        readOptions(parsed.values, environment),
        environment,
        io,
        dependencies.clock ?? REAL_CLOCK,
        dependencies.runCommandPollMs,
        dependencies.download,
      ),
    io,
  );
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
