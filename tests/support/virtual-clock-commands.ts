/**
 * A `sleep` and a `date` for scripts/vm/smoke.sh (SMOKE_TEST_ONLY_SLEEP_COMMAND / SMOKE_TEST_ONLY_CLOCK_COMMAND): the
 * sleep records each wait and advances a virtual clock kept in a file instead of sleeping, the clock reads it. The
 * script's retries and deadline then depend on its attempts, not on how fast a busy machine runs it.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface VirtualClockCommands {
  /** Path of the sleep stand-in (takes seconds, "1" or "0.500"). */
  sleep: string;
  /** Path of the clock stand-in (prints epoch milliseconds). */
  now: string;
  /** The waits recorded so far, in milliseconds. */
  waits: () => number[];
}

/** Writes both commands into `directory`, the clock starting at `startMs`. */
export function virtualClockCommands(directory: string, startMs: number): VirtualClockCommands {
  const clockFile = join(directory, "now-ms");
  const waitsFile = join(directory, "waits");
  writeFileSync(clockFile, String(startMs));
  writeFileSync(waitsFile, "");
  const sleep = join(directory, "virtual-sleep");
  // Plain bash (no awk, no date): "1" or "0.500" seconds -> milliseconds.
  writeFileSync(
    sleep,
    `#!/usr/bin/env bash
whole="\${1%%.*}"; fraction=000
if [[ "$1" == *.* ]]; then fraction="\${1#*.}000"; fi
ms=$((10#$whole * 1000 + 10#\${fraction:0:3}))
echo "$ms" >>${JSON.stringify(waitsFile)}
echo "$(( $(<${JSON.stringify(clockFile)}) + ms ))" >${JSON.stringify(clockFile)}
`,
  );
  const now = join(directory, "virtual-now");
  writeFileSync(now, `#!/usr/bin/env bash\necho "$(<${JSON.stringify(clockFile)})"\n`);
  chmodSync(sleep, 0o755);
  chmodSync(now, 0o755);
  return {
    sleep,
    now,
    waits: () => readFileSync(waitsFile, "utf8").split("\n").filter(Boolean).map(Number),
  };
}
