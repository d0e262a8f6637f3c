/**
 * Teardown of one stack, in an order that a re-run can always finish:
 *   1. read what the stack knows (stack list, outputs, `protect` config) and the local record of an earlier run;
 *   2. refuse a protected stack unless --allow-protected;
 *   3. save the purge target locally (outputs vanish with `pulumi destroy`);
 *   4. `pulumi destroy` (skipped when the stack is gone or has no resources);
 *   5. purge the soft-deleted OpenAI account ("not found" counts as done);
 *   6. `pulumi stack rm` for a test stack unless --keep-stack;
 *   7. delete the record.
 * Each step that already happened is skipped, so running twice, or after a failure, finishes the job.
 */

import {
  findStack,
  listStacks,
  PulumiCliError,
  readStackConfig,
  readStackOutputs,
  runPulumi,
  type StackSummary,
} from "../lib/pulumi-cli";
import { shortStackName, TEST_STACK_NAME, type TeardownOptions } from "./args";
import { explainPurgeError, type PurgeOutcome } from "./purge";
import { deleteRecord, loadRecord, type PurgeTarget, recordPath, saveRecord, type TeardownRecord } from "./record";

/** Exit codes of `npm run destroy`. */
export const EXIT = { done: 0, failed: 1, usage: 2, refusedProtected: 3 } as const;

/** What the teardown needs from the outside world, so the purge can be given its credential and endpoint. */
export interface TeardownDependencies {
  recordDirectory: string;
  purge: (target: PurgeTarget) => Promise<PurgeOutcome>;
  /** Asks the user to confirm; resolves false when they do not. */
  confirm: (question: string) => Promise<boolean>;
  log: (line: string) => void;
  error: (line: string) => void;
}

/** Runs the teardown and returns the process exit code. */
export async function runTeardown(options: TeardownOptions, dependencies: TeardownDependencies): Promise<number> {
  const { log, error } = dependencies;
  const { stack } = options;
  try {
    return await teardown(options, dependencies);
  } catch (failure) {
    const message = failure instanceof PulumiCliError ? failure.message : explainPurgeError(failure);
    error(`✗ teardown of ${stack} stopped: ${message}`);
    log(
      `  Progress is saved in ${recordPath(dependencies.recordDirectory, stack)}; re-run the same command to resume.`,
    );
    return EXIT.failed;
  }
}

async function teardown(options: TeardownOptions, dependencies: TeardownDependencies): Promise<number> {
  const { log, error, recordDirectory } = dependencies;
  const { stack } = options;
  const shortName = shortStackName(stack);

  log(`• Reading stack ${stack}`);
  const previous = loadRecord(recordDirectory, stack);
  const summary = findStack(await listStacks(), stack);
  const outputs = summary ? await readStackOutputs(stack) : {};
  const protectConfig = summary ? await readStackConfig(stack, "protect") : undefined;

  if (!summary && !previous) {
    log(`✓ Nothing to do: no stack named ${stack} and no unfinished teardown recorded for it.`);
    return EXIT.done;
  }
  if (previous) log(`  Resuming the teardown recorded at ${recordPath(recordDirectory, stack)}.`);

  const protectedReasons = [
    shortName === "prod" ? "its name is prod" : undefined,
    outputs.protected === true ? "its outputs say protected: true" : undefined,
    protectConfig === "true" ? "its config sets protect: true" : undefined,
    previous?.protected ? "an earlier run recorded it as protected" : undefined,
  ].filter((reason): reason is string => reason !== undefined);
  if (protectedReasons.length > 0 && !options.allowProtected) {
    error(`✗ Refusing to tear down ${stack}: it is protected (${protectedReasons.join("; ")}).`);
    error(`  If you really mean it, run: npm run destroy -- --stack ${stack} --allow-protected`);
    return EXIT.refusedProtected;
  }

  const record: TeardownRecord = {
    stack,
    purgeTarget: purgeTargetFrom(outputs) ?? previous?.purgeTarget,
    protected: protectedReasons.length > 0,
    testStack: outputs.testStack === true || TEST_STACK_NAME.test(shortName) || previous?.testStack === true,
    destroyed: previous?.destroyed ?? false,
    purged: previous?.purged ?? false,
    updatedAt: "",
  };

  if (!options.yes) {
    const plan = describePlan(record, summary, options);
    if (!(await dependencies.confirm(`${plan}\nType the stack name (${stack}) to confirm: `))) {
      error("✗ Not confirmed: nothing was changed. Pass --yes to skip the question.");
      return EXIT.usage;
    }
  }
  saveRecord(recordDirectory, record);

  // 4. Destroy.
  if (!summary) {
    log(`• Destroy: skipped, the stack is already gone.`);
  } else if (summary.resourceCount === 0) {
    log(`• Destroy: skipped, the stack has no resources.`);
  } else {
    log(`• Destroy: pulumi destroy --stack ${stack}`);
    const result = await runPulumi(["destroy", "--yes", "--non-interactive", "--stack", stack], true);
    if (result.exitCode !== 0) throw new PulumiCliError(`destroy --stack ${stack}`, result);
    log(`  ✓ resources destroyed`);
  }
  record.destroyed = true;
  saveRecord(recordDirectory, record);

  // 5. Purge.
  const target = record.purgeTarget;
  if (record.purged) {
    log(`• Purge: already done by an earlier run.`);
  } else if (!target) {
    log(`• Purge: skipped, no OpenAI account is known for this stack (outputs have no accountName).`);
  } else {
    log(
      `• Purge: soft-deleted account ${target.accountName} (${target.location}, resource group ${target.resourceGroupName})`,
    );
    const outcome = await dependencies.purge(target);
    log(
      outcome === "purged"
        ? `  ✓ purged: the name ${target.accountName} is free again`
        : `  ✓ nothing to purge (already purged, or never soft-deleted)`,
    );
  }
  record.purged = true;
  saveRecord(recordDirectory, record);

  // 6. Remove a test stack.
  if (!record.testStack) {
    log(`• Stack rm: skipped, ${stack} is not a test stack (kept with its config).`);
  } else if (options.keepStack) {
    log(`• Stack rm: skipped (--keep-stack).`);
  } else if (!summary) {
    log(`• Stack rm: skipped, the stack is already gone.`);
  } else {
    log(`• Stack rm: pulumi stack rm --stack ${stack}`);
    const result = await runPulumi(["stack", "rm", "--yes", "--non-interactive", "--stack", stack]);
    if (result.exitCode !== 0) throw new PulumiCliError(`stack rm --stack ${stack}`, result);
    log(`  ✓ stack removed`);
  }

  deleteRecord(recordDirectory, stack);
  log(`✓ Teardown of ${stack} complete.`);
  return EXIT.done;
}

/** The purge target from stack outputs, when they name an account (contract: accountName, location, ...). */
function purgeTargetFrom(outputs: Record<string, unknown>): PurgeTarget | undefined {
  const { accountName, location, resourceGroupName, subscriptionId } = outputs;
  if (
    typeof accountName === "string" &&
    typeof location === "string" &&
    typeof resourceGroupName === "string" &&
    typeof subscriptionId === "string"
  ) {
    return { accountName, location, resourceGroupName, subscriptionId };
  }
  return undefined;
}

function describePlan(record: TeardownRecord, summary: StackSummary | undefined, options: TeardownOptions): string {
  const lines = [`About to tear down stack ${record.stack}:`];
  lines.push(
    summary ? `  - destroy its ${summary.resourceCount ?? "unknown number of"} resources` : "  - (stack already gone)",
  );
  if (record.purgeTarget) lines.push(`  - purge the soft-deleted OpenAI account ${record.purgeTarget.accountName}`);
  if (record.testStack && !options.keepStack && summary) lines.push("  - remove the stack and its config");
  return lines.join("\n");
}
