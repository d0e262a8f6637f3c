/**
 * `npm run destroy -- --stack NAME [--yes] [--allow-protected] [--keep-stack] [--purge-wait SECONDS]`: destroys a
 * stack, purges its soft-deleted Azure OpenAI account and removes a test stack. See scripts/destroy/teardown.ts for
 * the steps, scripts/destroy/args.ts for the usage.
 *
 * Azure sign-in: scripts/core/azure-credential.ts, as every command: in GitHub Actions with OIDC a fresh GitHub assertion
 * per token (the purge comes after a destroy that can outlast the CLI's ten-minute assertion), elsewhere
 * DefaultAzureCredential (az login). `KEYLESS_ARM_ENDPOINT` moves the ARM endpoint (scripts/core/arm-endpoint.ts)
 * and `TEARDOWN_RECORD_DIR` the local teardown records (default `.pulumi-teardown/` in the project).
 */
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { armEndpoint } from "./core/arm-endpoint";
import { type CommandIo, processIo, RefusedError, runCommand, runMain } from "./core/cli";
import { PROJECT_ROOT } from "./core/project-root";
import type { CliDownload } from "./core/pulumi-workspace";
import { DESTROY_SPEC, teardownOptions } from "./destroy/args";

/** The one sentence a run without --yes gets when nobody can answer the confirmation. */
export const NEEDS_YES_TO_DESTROY =
  "npm run destroy is not running at a terminal, so nobody can type the stack name to confirm: pass --yes to tear the stack down without asking.";

/** What a run talks to besides its arguments (tests run it in-process with their own). */
export interface DestroyEnvironment {
  env: NodeJS.ProcessEnv;
  io: CommandIo;
  /** stdin is a terminal: the confirmation can be asked. */
  interactive: boolean;
  /** How a missing Pulumi CLI is fetched (scripts/core/pulumi-workspace.ts). */
  download?: CliDownload;
  sleep: (milliseconds: number) => Promise<void>;
}

/** Runs `npm run destroy` with `argv` (without node and the script) and returns the exit code. */
export function destroy(argv: readonly string[], environment: Partial<DestroyEnvironment> = {}): Promise<number> {
  const env = environment.env ?? process.env;
  const io = environment.io ?? processIo;
  const interactive = environment.interactive ?? process.stdin.isTTY === true;
  return runCommand(
    DESTROY_SPEC,
    argv,
    async ({ values }) => {
      const options = teardownOptions(values);
      if (!options.yes && !interactive) throw new RefusedError(NEEDS_YES_TO_DESTROY);
      // Loaded once the command line is valid: --help and usage errors need neither Pulumi nor the Azure SDKs.
      // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
      const [{ chooseAzureCredential }, { openPulumiStacks }, { purgeDeletedAccount }, { runTeardown }] =
        await Promise.all([
          import("./core/azure-credential.js"),
          import("./core/pulumi-workspace.js"),
          import("./destroy/purge.js"),
          import("./destroy/teardown.js"),
        ]);
      const credential = chooseAzureCredential(env).credential;
      return runTeardown(options, {
        stacks: () => openPulumiStacks({ env, ...(environment.download ? { download: environment.download } : {}) }),
        recordDirectory: env.TEARDOWN_RECORD_DIR || join(PROJECT_ROOT, ".pulumi-teardown"),
        purge: (target) => purgeDeletedAccount(target, { credential, endpoint: armEndpoint(env) }),
        confirm: async (question) => {
          const prompt = createInterface({ input: process.stdin, output: process.stdout });
          const answer = await prompt.question(question);
          prompt.close();
          return answer.trim() === options.stack;
        },
        sleep: environment.sleep ?? ((milliseconds) => sleep(milliseconds)),
        log: (line) => io.out(`${line}\n`),
        showOutput: (text) => io.out(text),
      });
    },
    io,
  );
}

if (require.main === module) runMain(() => destroy(process.argv.slice(2)));
