/**
 * The repository's dated table of known model retirements (lib/model-retirements.json): what the offline plan can say
 * about a committed pin without asking Azure. Azure's retirement table (MicrosoftDocs/azure-ai-docs
 * articles/foundry/openai/includes/retirement/models.md) gives per model version a "no new customers" date and a
 * retirement date; after the retirement, "deployments of a retired model always return error responses". Only the
 * retirement date is kept: it is the one the catalogue also serves (`deprecation.inference`), so
 * `npm run models -- --renew` can refresh the table from Azure.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One row: a model version and the day it stops answering. */
export interface Retirement {
  model: string;
  version: string;
  /** ISO 8601 day. */
  retiresOn: string;
  /** Where the date comes from: the retirement table's edition, or the live catalogue of a region on a day. */
  source: string;
}

export interface RetirementTable {
  about: string;
  retirements: Retirement[];
}

/** This repository's table (what the offline plan reads). */
export const REPOSITORY_RETIREMENT_TABLE = join(__dirname, "model-retirements.json");

/** The table's path in a project directory. */
export function retirementTablePath(projectDir: string): string {
  return join(projectDir, "lib", "model-retirements.json");
}

function isRetirement(value: unknown): value is Retirement {
  if (typeof value !== "object" || value === null) return false;
  const row = value as Record<string, unknown>;
  return (
    typeof row.model === "string" &&
    typeof row.version === "string" &&
    typeof row.retiresOn === "string" &&
    /^\d{4}-\d{2}-\d{2}$/.test(row.retiresOn) &&
    typeof row.source === "string"
  );
}

/** Reads and checks the table; a malformed row is an error naming it. */
export function readRetirementTable(path: string): RetirementTable {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { about?: unknown; retirements?: unknown };
  if (!Array.isArray(parsed.retirements)) throw new Error(`${path}: retirements is not a list`);
  parsed.retirements.forEach((row, index) => {
    if (!isRetirement(row))
      throw new Error(
        `${path}: retirements[${index}] = ${JSON.stringify(row)} needs model, version, retiresOn (YYYY-MM-DD) and source`,
      );
  });
  return { about: typeof parsed.about === "string" ? parsed.about : "", retirements: parsed.retirements };
}

/**
 * Merges `rows` into the table: a row for a model version already listed replaces it when its date differs; new
 * versions are added. Rows stay sorted by model and version so a refresh diff shows only what changed. Returns whether
 * anything changed.
 */
export function mergeRetirements(table: RetirementTable, rows: readonly Retirement[]): boolean {
  let changed = false;
  for (const row of rows) {
    const index = table.retirements.findIndex(
      (existing) => existing.model === row.model && existing.version === row.version,
    );
    if (index === -1) {
      table.retirements.push(row);
      changed = true;
    } else if (table.retirements[index]?.retiresOn !== row.retiresOn) {
      table.retirements[index] = row;
      changed = true;
    }
  }
  table.retirements.sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version));
  return changed;
}

/** Writes the table as the repository keeps it (two-space JSON, final newline). */
export function writeRetirementTable(path: string, table: RetirementTable): void {
  writeFileSync(path, `${JSON.stringify(table, null, 2)}\n`);
}

/** The pin strings (`name=chat,model=...,version=...`) among `pins` whose model version retired on or before `now`. */
export function retiredPins(
  table: RetirementTable,
  pins: readonly { name: string; model: string; version: string }[],
  now: Date,
): { name: string; model: string; version: string; retiresOn: string; source: string }[] {
  return pins.flatMap((pin) => {
    const row = table.retirements.find((entry) => entry.model === pin.model && entry.version === pin.version);
    if (!row || Date.parse(`${row.retiresOn}T00:00:00Z`) > now.getTime()) return [];
    return [{ ...pin, retiresOn: row.retiresOn, source: row.source }];
  });
}
