/**
 * The local teardown record: what the purge needs, written before `pulumi destroy` so that a re-run after a partial
 * failure (stack destroyed, outputs gone) can still purge the soft-deleted account. Kept under `.pulumi-teardown/`
 * in the project (gitignored; `TEARDOWN_RECORD_DIR` moves it), deleted once the teardown is complete.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The soft-deleted account to purge: the path parameters of DeletedAccounts_Purge. */
export interface PurgeTarget {
  subscriptionId: string;
  location: string;
  resourceGroupName: string;
  accountName: string;
}

/** What a teardown knows about a stack and how far it got. */
export interface TeardownRecord {
  stack: string;
  purgeTarget?: PurgeTarget;
  protected: boolean;
  testStack: boolean;
  destroyed: boolean;
  purged: boolean;
  updatedAt: string;
}

export function recordPath(directory: string, stack: string): string {
  // Qualified names (org/project/stack) become one file name.
  return join(directory, `${stack.replaceAll("/", "__")}.json`);
}

export function loadRecord(directory: string, stack: string): TeardownRecord | undefined {
  let text: string;
  try {
    text = readFileSync(recordPath(directory, stack), "utf8");
  } catch {
    return undefined;
  }
  const record = JSON.parse(text) as TeardownRecord;
  return record.stack === stack ? record : undefined;
}

/** Writes atomically (temp file + rename) so an interrupted run never leaves half a record. */
export function saveRecord(directory: string, record: TeardownRecord): void {
  mkdirSync(directory, { recursive: true });
  const path = recordPath(directory, record.stack);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ ...record, updatedAt: new Date().toISOString() }, null, 2)}\n`);
  renameSync(temporary, path);
}

export function deleteRecord(directory: string, stack: string): void {
  rmSync(recordPath(directory, stack), { force: true });
}
