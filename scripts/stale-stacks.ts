/**
 * `npm run stale-stacks -- [--max-age-days N]`: prints the test stacks (`pr-<number>`) to tear down, one per line on
 * stdout, with the reason on stderr: the pull request is closed or merged (`gh pr view`), or the stack was not
 * updated for N days (default 7). cleanup.yml feeds the list to `npm run destroy`. A stack whose PR cannot be looked
 * up is kept unless it is too old: deleting someone's live test stack is worse than keeping one a day longer.
 * The stacks come from the Automation API (scripts/core/pulumi-workspace.ts), the backend deploy and destroy use.
 */
import { spawnSync } from "node:child_process";
import { type CommandIo, defineCommand, EXIT, processIo, runCommand, runMain, UsageError } from "./core/cli";
import type { PulumiContext, StackSummary } from "./core/pulumi-workspace";
import { shortStackName, TEST_STACK_NAME } from "./core/teardown/test-stacks";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Why a test stack should go, or undefined to keep it. */
export function staleReason(
  summary: StackSummary,
  pullRequestState: string | undefined,
  maxAgeDays: number,
  now: number,
): string | undefined {
  if (pullRequestState === "CLOSED" || pullRequestState === "MERGED") {
    return `pull request is ${pullRequestState.toLowerCase()}`;
  }
  const updated = summary.lastUpdate ? Date.parse(summary.lastUpdate) : Number.NaN;
  if (!Number.isNaN(updated) && now - updated > maxAgeDays * DAY_MS) {
    return `not updated for more than ${maxAgeDays} days (last update ${summary.lastUpdate})`;
  }
  return undefined;
}

/** State of a pull request (OPEN, CLOSED, MERGED) from the gh CLI, or undefined when it cannot be looked up. */
function pullRequestState(number: string): string | undefined {
  const result = spawnSync("gh", ["pr", "view", number, "--json", "state", "--jq", ".state"], { encoding: "utf8" });
  if (result.status !== 0) {
    process.stderr.write(
      `  ? PR #${number}: gh could not look it up: ${(result.stderr || String(result.error)).trim()}\n`,
    );
    return undefined;
  }
  return result.stdout.trim();
}

const SPEC = defineCommand({
  name: "stale-stacks",
  summary: `Prints the test stacks (pr-<number>) to tear down, one per line on stdout, with the reason on stderr: the
pull request is closed or merged (gh pr view), or the stack was not updated for N days. Changes nothing itself:
cleanup.yml passes each line to npm run destroy.`,
  options: {
    "max-age-days": {
      type: "string",
      valueName: "N",
      default: "7",
      description: "tear down a test stack not updated for more than N days",
    },
  },
  exitCodes: { ok: "listed (possibly nothing)", failed: "the stacks could not be listed" },
});

/**
 * Runs `npm run stale-stacks` with `argv` (without node and the script) and returns the exit code; `pulumi` and `io`
 * replace the process's environment and output (tests).
 */
export function staleStacks(
  argv: readonly string[],
  pulumi: PulumiContext = {},
  io: CommandIo = processIo,
): Promise<number> {
  return runCommand(
    SPEC,
    argv,
    async ({ values }) => {
      const maxAgeDays = Number(values["max-age-days"]);
      if (!Number.isFinite(maxAgeDays) || maxAgeDays <= 0) {
        throw new UsageError(`--max-age-days needs a positive number (got ${JSON.stringify(values["max-age-days"])})`);
      }
      const now = Date.now();
      // Loaded once the command line is valid: --help and usage errors need no Pulumi Automation API.
      // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
      const { openPulumiStacks } = await import("./core/pulumi-workspace.js");
      for (const summary of await (await openPulumiStacks(pulumi)).listStacks()) {
        const name = shortStackName(summary.name);
        if (!TEST_STACK_NAME.test(name)) continue;
        const reason = staleReason(summary, pullRequestState(name.slice("pr-".length)), maxAgeDays, now);
        if (reason === undefined) {
          io.err(`  keep ${name}\n`);
          continue;
        }
        io.err(`  tear down ${name}: ${reason}\n`);
        io.out(`${name}\n`);
      }
      return EXIT.ok;
    },
    io,
  );
}

if (require.main === module) runMain(() => staleStacks(process.argv.slice(2)));
