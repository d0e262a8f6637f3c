/**
 * One offline evaluation of the program per configuration per test file: tests that only read a run of the same
 * options share it (each evaluation costs about 0.4 s of CPU). A shared run is frozen, so a test that changed it
 * would throw instead of leaking into the next test. A test about the evaluation itself (two runs agree) calls
 * runProgram directly.
 */
import { type ProgramRun, runProgram } from "../../scripts/core/offline-engine";

type Program = Parameters<typeof runProgram>[0];

/** The options a shared run may differ by: plain data, so that equal JSON means an equal evaluation. */
export interface SharedRunOptions {
  stack?: string;
  config?: Record<string, unknown>;
}

const runs = new Map<Program, Map<string, Promise<ProgramRun>>>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** `runProgram(program, options)`, evaluated once per distinct `options` in this process. */
export function sharedRun(program: Program, options: SharedRunOptions = {}): Promise<ProgramRun> {
  let byOptions = runs.get(program);
  if (!byOptions) {
    byOptions = new Map();
    runs.set(program, byOptions);
  }
  const key = JSON.stringify(options);
  let run = byOptions.get(key);
  if (!run) {
    run = runProgram(program, options).then(deepFreeze);
    byOptions.set(key, run);
  }
  return run;
}
