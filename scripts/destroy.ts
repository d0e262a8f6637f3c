/**
 * `npm run destroy -- --stack NAME [--yes] [--allow-protected] [--keep-stack]`: destroys a stack, purges its
 * soft-deleted Azure OpenAI account and removes a test stack. See scripts/destroy/teardown.ts for the steps.
 *
 * Azure sign-in: DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI, ...); in GitHub
 * Actions, azure/login with OIDC signs in the Azure CLI. `TEARDOWN_ARM_ENDPOINT` moves the ARM endpoint and
 * `TEARDOWN_RECORD_DIR` the local teardown records (default `.pulumi-teardown/` in the project).
 */
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { DefaultAzureCredential } from "@azure/identity";
import { parseTeardownArgs, USAGE } from "./destroy/args";
import { purgeDeletedAccount } from "./destroy/purge";
import { EXIT, runTeardown } from "./destroy/teardown";
import { PROJECT_ROOT } from "./lib/pulumi-cli";

async function main(): Promise<number> {
  const parsed = parseTeardownArgs(process.argv.slice(2));
  if ("error" in parsed) {
    console.error(`✗ ${parsed.error}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const credential = new DefaultAzureCredential();
  return runTeardown(parsed, {
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
      return answer.trim() === parsed.stack;
    },
    log: (line) => console.log(line),
    error: (line) => console.error(line),
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (failure: unknown) => {
    console.error(failure);
    process.exitCode = EXIT.failed;
  },
);
