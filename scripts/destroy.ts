/**
 * `npm run destroy -- --stack NAME [--yes] [--allow-protected] [--keep-stack] [--purge-wait SECONDS]`: destroys a
 * stack, purges its soft-deleted Azure OpenAI account and removes a test stack. See scripts/destroy/teardown.ts for
 * the steps, scripts/destroy/args.ts for the usage.
 *
 * Azure sign-in: scripts/core/azure-credential.ts, as every command: in GitHub Actions with OIDC a fresh GitHub assertion
 * per token (the purge comes after a destroy that can outlast the CLI's ten-minute assertion), elsewhere
 * DefaultAzureCredential (az login). `TEARDOWN_ARM_ENDPOINT` moves the ARM endpoint and
 * `TEARDOWN_RECORD_DIR` the local teardown records (default `.pulumi-teardown/` in the project).
 */
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { chooseAzureCredential } from "./core/azure-credential";
import { runCommand, runMain } from "./core/cli";
import { PROJECT_ROOT } from "./core/pulumi-cli";
import { DESTROY_SPEC, teardownOptions } from "./destroy/args";
import { purgeDeletedAccount } from "./destroy/purge";
import { runTeardown } from "./destroy/teardown";

/** Runs `npm run destroy` with `argv` (without node and the script) and returns the exit code. */
export function destroy(argv: readonly string[]): Promise<number> {
  return runCommand(DESTROY_SPEC, argv, async ({ values }) => {
    const options = teardownOptions(values);
    const credential = chooseAzureCredential().credential;
    return runTeardown(options, {
      recordDirectory: process.env.TEARDOWN_RECORD_DIR || join(PROJECT_ROOT, ".pulumi-teardown"),
      purge: (target) =>
        purgeDeletedAccount(target, { credential, endpoint: process.env.TEARDOWN_ARM_ENDPOINT || undefined }),
      confirm: async (question) => {
        if (!process.stdin.isTTY) {
          console.error("✗ stdin is not a terminal, so nothing can be confirmed: pass --yes.");
          return false;
        }
        const prompt = createInterface({ input: process.stdin, output: process.stdout });
        const answer = await prompt.question(question);
        prompt.close();
        return answer.trim() === options.stack;
      },
      sleep: (milliseconds) => sleep(milliseconds),
      log: (line) => console.log(line),
      error: (line) => console.error(line),
    });
  });
}

if (require.main === module) runMain(() => destroy(process.argv.slice(2)));
