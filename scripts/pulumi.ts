/**
 * `npm run pulumi -- ARGS`: the pinned Pulumi CLI with the same state backend as every other npm script
 * (PULUMI_BACKEND_URL when set, else the project's file backend in .pulumi-state/; scripts/core/pulumi-workspace.ts). A bare
 * `npx pulumi` does not apply that rule and falls back to Pulumi Cloud, where this project's stacks are not.
 * Everything after `--` goes to pulumi as is (so `npm run pulumi -- --help` is pulumi's own help); the CLI inherits the
 * terminal, so its prompts work. Exits with pulumi's exit code.
 */
import { type CommandIo, EXIT, processIo, runMain } from "./core/cli";
import { type CliDownload, PulumiCliMissingError, runPulumiAtTerminal } from "./core/pulumi-workspace";

export const PULUMI_USAGE = `usage: npm run pulumi -- PULUMI_ARGS...
Runs the project's pinned Pulumi CLI with the project's state backend (PULUMI_BACKEND_URL, else file://<project>/.pulumi-state).
For output you redirect, add --silent so npm prints no header: npm run --silent pulumi -- stack output --json --stack dev > outputs.json`;

/** Runs the passthrough; `environment` replaces the process's (tests). */
export async function runPulumiCommand(
  args: readonly string[],
  environment: { env?: NodeJS.ProcessEnv; io?: CommandIo; download?: CliDownload } = {},
): Promise<number> {
  const io = environment.io ?? processIo;
  if (args.length === 0) {
    io.err(`${PULUMI_USAGE}\n`);
    return EXIT.usage;
  }
  try {
    // stdin is passed as it is (a terminal, or a pipe: `echo VALUE | npm run pulumi -- config set --secret KEY`).
    return await runPulumiAtTerminal(args, {
      terminal: true,
      env: environment.env ?? process.env,
      ...(environment.download ? { download: environment.download } : {}),
    });
  } catch (error) {
    if (!(error instanceof PulumiCliMissingError)) throw error;
    io.err(`pulumi: ${error.message}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) runMain(() => runPulumiCommand(process.argv.slice(2)));
