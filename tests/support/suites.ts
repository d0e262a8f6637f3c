/**
 * Loads suite files (`*.suite.ts`) into one test process, each group inside its own `describe`: a suite's file-level
 * hooks (`before`, `after`, `beforeEach`) then run for its own group only, not for every suite of the process, and what
 * they set up (stand-ins, PATH, environment variables) is gone before the next group starts.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe } from "node:test";

/** The `*.suite.ts` files of `directory`, sorted. */
export function suitesIn(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith(".suite.ts"))
    .sort()
    .map((name) => join(directory, name));
}

/** One `describe` per group, requiring the group's suite files inside it. */
export function describeSuites(groups: Record<string, string[]>): void {
  for (const [group, files] of Object.entries(groups)) {
    // A glob that matched nothing would pass silently.
    assert.ok(files.length > 0, `no suite file in the group ${group}`);
    describe(group, () => {
      for (const file of files) require(file);
    });
  }
}
