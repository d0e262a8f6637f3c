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
  // POSIX sh with builtins only (no awk, no date): dash starts in half the CPU of bash. "1" or "0.500" seconds ->
  // milliseconds; "1$fraction - 1000" reads the three digits as decimal, whatever zeros lead them.
  writeFileSync(
    sleep,
    `#!/bin/sh
whole=\${1%%.*}
fraction=000
case $1 in *.*) fraction=\${1#*.}000 ;; esac
while [ \${#fraction} -gt 3 ]; do fraction=\${fraction%?}; done
ms=$((whole * 1000 + 1$fraction - 1000))
echo "$ms" >>${JSON.stringify(waitsFile)}
read -r now <${JSON.stringify(clockFile)}
echo "$((now + ms))" >${JSON.stringify(clockFile)}
`,
  );
  const now = join(directory, "virtual-now");
  writeFileSync(now, `#!/bin/sh\nread -r now <${JSON.stringify(clockFile)}\necho "$now"\n`);
  chmodSync(sleep, 0o755);
  chmodSync(now, 0o755);
  return {
    sleep,
    now,
    waits: () => readFileSync(waitsFile, "utf8").split("\n").filter(Boolean).map(Number),
  };
}
