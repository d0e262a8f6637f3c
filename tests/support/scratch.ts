/**
 * Scratch directories that are removed when the test process exits, whatever its tests did: a test that makes one
 * per case (in beforeEach) or per run needs no cleanup of its own, and nothing is left in the system's temporary
 * directory run after run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/** A new empty directory under os.tmpdir() whose name starts with `prefix`. */
export function scratchDirectory(prefix: string): string {
  if (made.length === 0) {
    process.once("exit", () => {
      for (const directory of made) rmSync(directory, { recursive: true, force: true });
    });
  }
  const directory = mkdtempSync(join(tmpdir(), prefix));
  made.push(directory);
  return directory;
}
