/**
 * `npm run stale-stacks -- [--max-age-days N]`: prints the test stacks (`pr-<number>`) to tear down, one per line on
 * stdout, with the reason on stderr: the pull request is closed or merged (`gh pr view`), or the stack was not
 * updated for N days (default 7). cleanup.yml feeds the list to `npm run destroy`. A stack whose PR cannot be looked
 * up is kept unless it is too old: deleting someone's live test stack is worse than keeping one a day longer.
 */
import { spawnSync } from "node:child_process";
import { listStacks, type StackSummary } from "../lib/pulumi-cli";
import { shortStackName, TEST_STACK_NAME } from "./args";

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

function parseMaxAgeDays(argv: readonly string[]): number {
  const index = argv.indexOf("--max-age-days");
  if (index === -1) return 7;
  const value = Number(argv[index + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error("--max-age-days needs a positive number");
  return value;
}

async function main(): Promise<void> {
  const maxAgeDays = parseMaxAgeDays(process.argv.slice(2));
  const now = Date.now();
  for (const summary of await listStacks()) {
    const name = shortStackName(summary.name);
    if (!TEST_STACK_NAME.test(name)) continue;
    const reason = staleReason(summary, pullRequestState(name.slice("pr-".length)), maxAgeDays, now);
    if (reason === undefined) {
      process.stderr.write(`  keep ${name}\n`);
      continue;
    }
    process.stderr.write(`  tear down ${name}: ${reason}\n`);
    process.stdout.write(`${name}\n`);
  }
}

main().catch((failure: unknown) => {
  process.stderr.write(`✗ ${failure instanceof Error ? failure.message : String(failure)}\n`);
  process.exitCode = 1;
});
