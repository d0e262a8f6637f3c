/**
 * The retirement table a renewal pull request carries (lib/model-retirements.json, lib/model-retirements.ts). In one
 * scheduled run every stack refreshes the table from its own region's catalogue, each on its own branch. Merging all
 * of the run's tables in one order (the workflow passes them sorted by stack) gives every renewal pull request of the
 * run the same table text: whichever is merged first, the table change of the others is then the same change as on
 * the base branch, which Git's three-way merge accepts without a conflict; the next run rebuilds every branch on the
 * new base anyway.
 */
import {
  mergeRetirements,
  type Retirement,
  type RetirementTable,
  readRetirementTable,
} from "../../lib/model-retirements";
import { describeError, UsageError } from "../core/cli";

/** The run's tables merged in the order given: a later table's date wins for a model version two tables date. */
export function mergeTables(files: readonly string[]): RetirementTable {
  const [first, ...rest] = files.map((file) => {
    try {
      return readRetirementTable(file);
    } catch (error) {
      throw new UsageError(
        `--retirements ${file}: not a readable retirement table (${describeError(error)}); pass the lib/model-retirements.json that this run's \`models --renew\` refreshed`,
      );
    }
  });
  if (!first) throw new Error("no retirement table to merge");
  for (const table of rest) mergeRetirements(first, table.retirements);
  return first;
}

/** The table's text as the repository keeps it (two-space JSON, final newline, as writeRetirementTable writes). */
export function tableText(table: RetirementTable): string {
  return `${JSON.stringify(table, null, 2)}\n`;
}

/** The rows of the base branch's table text (none when the branch has no table). */
export function rowsOf(text: string | undefined): Retirement[] {
  if (text === undefined) return [];
  const rows: unknown = (JSON.parse(text) as { retirements?: unknown }).retirements;
  return Array.isArray(rows) ? (rows as Retirement[]) : [];
}

/** What `after` dates that `before` did not, or dated otherwise: one line each, for the pull request body. */
export function tableChanges(before: readonly Retirement[], after: RetirementTable): string[] {
  return after.retirements.flatMap((row) => {
    const known = before.find((old) => old.model === row.model && old.version === row.version);
    if (known?.retiresOn === row.retiresOn) return [];
    const was = known ? `was ${known.retiresOn}` : "new";
    return [`${row.model} ${row.version}: retires ${row.retiresOn} (${was}; ${row.source})`];
  });
}
