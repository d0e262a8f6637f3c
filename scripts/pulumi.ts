/**
 * `npm run pulumi -- ARGS`: the pinned Pulumi CLI with the same state backend as every other npm script
 * (PULUMI_BACKEND_URL when set, else the project's file backend in .pulumi-state/; scripts/core/pulumi-cli.ts). A bare
 * `npx pulumi` does not apply that rule and falls back to Pulumi Cloud, where this project's stacks are not.
 * Everything after `--` goes to pulumi as is (so `npm run pulumi -- --help` is pulumi's own help); the CLI inherits the
 * terminal, so its prompts work. Exits with pulumi's exit code.
 */
import { EXIT, runMain } from "./core/cli";
import { runPulumiAtTerminal } from "./core/pulumi-cli";

export const PULUMI_USAGE = `usage: npm run pulumi -- PULUMI_ARGS...
Runs the project's pinned Pulumi CLI with the project's state backend (PULUMI_BACKEND_URL, else file://<project>/.pulumi-state).
For output you redirect, add --silent so npm prints no header: npm run --silent pulumi -- stack output --json --stack dev > outputs.json`;

async function main(args: readonly string[]): Promise<number> {
  if (args.length === 0) {
    process.stderr.write(`${PULUMI_USAGE}\n`);
    return EXIT.usage;
  }
  // stdin is passed as it is (a terminal, or a pipe: `echo VALUE | npm run pulumi -- config set --secret KEY`).
  return runPulumiAtTerminal(args, { terminal: true });
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
