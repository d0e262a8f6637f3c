/**
 * Teardown of one stack, in an order that a re-run can always finish:
 *   1. read what the stack knows (stack list, outputs, `protect` config) and the local record of an earlier run;
 *   2. refuse a protected stack unless --allow-protected;
 *   3. save the purge target locally (outputs vanish with `pulumi destroy`);
 *   4. `pulumi destroy` (skipped when the stack is gone or has no resources);
 *   5. purge the soft-deleted OpenAI account ("not found" counts as done; right after a destroy it is tried again for
 *      a while, since a just-deleted account may not be listed as deleted yet);
 *   6. `pulumi stack rm` for a test stack unless --keep-stack;
 *   7. delete the record.
 * Each step that already happened is skipped, so running twice, or after a failure, finishes the job.
 */

import { existsSync } from "node:fs";
import { EXIT, NotConfirmedError, RefusedError } from "../core/cli";
import { findStack, type PulumiStacks, type StackSummary } from "../core/pulumi-workspace";
import { shortStackName, TEST_STACK_NAME } from "../core/teardown/test-stacks";
import type { TeardownOptions } from "./args";
import { explainPurgeError, type PurgeOutcome } from "./purge";
import { deleteRecord, loadRecord, type PurgeTarget, recordPath, saveRecord, type TeardownRecord } from "./record";

/** What the teardown needs from the outside world, so the purge can be given its credential and endpoint. */
export interface TeardownDependencies {
  /** The backend's stacks, opened only once a step needs them (a prod refusal asks nothing of Pulumi). */
  stacks: () => Promise<PulumiStacks>;
  recordDirectory: string;
  purge: (target: PurgeTarget) => Promise<PurgeOutcome>;
  /** Asks the user to confirm; resolves false when they do not. */
  confirm: (question: string) => Promise<boolean>;
  /** Waits between purge attempts (injected: tests record the schedule instead of waiting it out). */
  sleep: (milliseconds: number) => Promise<void>;
  log: (line: string) => void;
  /** Shows pulumi destroy's progress as it comes. */
  showOutput: (text: string) => void;
}

/** Why a stack is protected, from what the stack and the record say. */
function refusal(stack: string, reasons: readonly string[]): RefusedError {
  return new RefusedError(
    `Refusing to tear down ${stack}: it is protected (${reasons.join("; ")}).\n` +
      `  If you really mean it, run: npm run destroy -- --stack ${stack} --allow-protected`,
  );
}

/**
 * Runs the teardown and returns the process exit code.
 * @throws NotConfirmedError when the person does not confirm (exit 2); any failure with where its progress is saved.
 * @throws RefusedError for a protected stack without --allow-protected (exit 3); a stack named prod is refused
 *   before anything is asked of the Pulumi CLI or Azure.
 */
export async function runTeardown(options: TeardownOptions, dependencies: TeardownDependencies): Promise<number> {
  const { stack } = options;
  if (shortStackName(stack) === "prod" && !options.allowProtected) throw refusal(stack, ["its name is prod"]);
  try {
    return await teardown(options, dependencies);
  } catch (failure) {
    if (failure instanceof RefusedError || failure instanceof NotConfirmedError) throw failure;
    const record = recordPath(dependencies.recordDirectory, stack);
    // Only a run that got as far as saving its progress can be resumed from it.
    const resume = existsSync(record) ? `\n  Progress is saved in ${record}; re-run the same command to resume.` : "";
    throw new Error(`teardown of ${stack} stopped: ${explainPurgeError(failure)}${resume}`);
  }
}

async function teardown(options: TeardownOptions, dependencies: TeardownDependencies): Promise<number> {
  const { log, recordDirectory } = dependencies;
  const { stack } = options;
  const shortName = shortStackName(stack);

  log(`• Reading stack ${stack}`);
  const previous = loadRecord(recordDirectory, stack);
  const stacks = await dependencies.stacks();
  const summary = findStack(await stacks.listStacks(), stack);
  const outputs = summary ? await stacks.outputs(stack) : {};
  const protectConfig = summary ? await stacks.configValue(stack, "protect") : undefined;

  if (!summary && !previous) {
    log(`✓ Nothing to do: no stack named ${stack} and no unfinished teardown recorded for it.`);
    return EXIT.ok;
  }
  if (previous) log(`  Resuming the teardown recorded at ${recordPath(recordDirectory, stack)}.`);

  const protectedReasons = [
    shortName === "prod" ? "its name is prod" : undefined,
    outputs.protected === true ? "its outputs say protected: true" : undefined,
    protectConfig === "true" ? "its config sets protect: true" : undefined,
    previous?.protected ? "an earlier run recorded it as protected" : undefined,
  ].filter((reason): reason is string => reason !== undefined);
  if (protectedReasons.length > 0 && !options.allowProtected) throw refusal(stack, protectedReasons);

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
    if (!(await dependencies.confirm(`${plan}\nType the stack name (${stack}) to confirm: `)))
      throw new NotConfirmedError(
        `stack ${stack} was not confirmed, so nothing was changed: type its name, or pass --yes`,
      );
  }
  saveRecord(recordDirectory, record);

  // 4. Destroy.
  let destroyedNow = false;
  if (!summary) {
    log(`• Destroy: skipped, the stack is already gone.`);
  } else if (summary.resourceCount === 0) {
    log(`• Destroy: skipped, the stack has no resources.`);
  } else {
    log(`• Destroy: pulumi destroy --stack ${stack}`);
    await stacks.destroy(stack, dependencies.showOutput);
    log(`  ✓ resources destroyed`);
    destroyedNow = true;
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
    const outcome = await purgeAllowingForLag(target, destroyedNow ? options.purgeWaitMs : 0, dependencies);
    if (outcome === "purged") {
      log(`  ✓ purged: the name ${target.accountName} is free again`);
    } else if (!destroyedNow) {
      log(`  ✓ nothing to purge (already purged, or never soft-deleted)`);
    } else {
      log(
        `  ⚠ nothing to purge: ${target.accountName} was not listed as deleted within ${options.purgeWaitMs / 1000} s of the destroy (purged by someone else, or Azure is slow to list it).`,
      );
      log(
        `    If the next deploy fails with FlagMustBeSetForRestore: az cognitiveservices account purge --name ${target.accountName} --resource-group ${target.resourceGroupName} --location ${target.location}`,
      );
    }
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
    await stacks.removeStack(stack);
    log(`  ✓ stack removed`);
  }

  deleteRecord(recordDirectory, stack);
  log(`✓ Teardown of ${stack} complete.`);
  return EXIT.ok;
}

/** Time between purge attempts while a just-deleted account is not listed as deleted yet. */
export const PURGE_RETRY_MS = 10_000;

/**
 * The waits between purge attempts that add up to `waitMs`: 10 s each, the last one shorter (`waitMs` 25 s:
 * 10, 10, 5). Computed up front, so the number of attempts depends on the wait asked for, never on how long each
 * request took (a busy machine makes the same attempts, only later).
 */
export function purgeRetrySchedule(waitMs: number): number[] {
  const delays: number[] = [];
  for (let waited = 0; waited < waitMs; waited += PURGE_RETRY_MS)
    delays.push(Math.min(PURGE_RETRY_MS, waitMs - waited));
  return delays;
}

/**
 * Purges, and while the answer is "not found" tries again on `purgeRetrySchedule(waitMs)`: an account deleted
 * moments ago may not be listed under deletedAccounts yet, and giving up then would leave its name blocked for 48 h.
 */
export async function purgeAllowingForLag(
  target: PurgeTarget,
  waitMs: number,
  dependencies: Pick<TeardownDependencies, "purge" | "sleep" | "log">,
): Promise<PurgeOutcome> {
  let outcome = await dependencies.purge(target);
  const schedule = purgeRetrySchedule(waitMs);
  for (const [index, delay] of schedule.entries()) {
    if (outcome === "purged") return outcome;
    dependencies.log(
      `  … not listed as deleted yet (404, try ${index + 1}); next try in ${(delay / 1000).toFixed(0)} s, for up to ${(waitMs / 1000).toFixed(0)} s after the destroy`,
    );
    await dependencies.sleep(delay);
    outcome = await dependencies.purge(target);
  }
  return outcome;
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
