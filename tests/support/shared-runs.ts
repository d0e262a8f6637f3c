/**
 * One offline evaluation of the program (index.ts) per configuration per test process: tests that only read a run
 * of the same options share it, across the suites of tests/offline-program.test.ts too. A shared run is frozen, so a
 * test that changed it would throw instead of leaking into the next test. A test about the evaluation itself (two
 * runs agree, a run fails) calls runProgram directly.
 *
 * The runs are evaluated in one worker thread (tests/support/program-thread.ts): node:test tracks every async
 * resource of its own thread to blame failures on tests (lib/internal/test_runner/harness.js `setupProcessState`,
 * an async hook with a destroy callback), which more than doubled the CPU of an evaluation, whose Pulumi SDK
 * creates tens of thousands of promises. The worker runs the same engine on the same program; only the thread differs.
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Directory, ProgramRun } from "../../scripts/core/offline-engine";
import type { PlanDocument } from "../../scripts/core/plan/model";
import type { PlanTarget } from "../../scripts/core/plan/run";
import type { PlannedAzureResource } from "../../scripts/core/preflight/arm-body";
import type { ThreadRequest } from "./program-thread";

/** The options a shared run may differ by: plain data, so that equal JSON means an equal evaluation. */
export interface SharedRunOptions {
  stack?: string;
  config?: Record<string, unknown>;
  rawConfig?: Record<string, string>;
  directory?: Directory;
}

type Reply = { id: number; result: unknown; error?: undefined } | { id: number; error: string };

const runs = new Map<string, Promise<ProgramRun>>();
const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
let thread: Worker | undefined;
let nextId = 0;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function programThread(): Worker {
  if (!thread) {
    // The worker inherits this process's --import tsx, so it loads the TypeScript sources as the tests do.
    // A larger young generation: an evaluation's promises and Outputs die young, and V8's default 16 MB semi-space
    // scavenged them about a quarter of the worker's CPU (V8 `--max-semi-space-size`; Node `resourceLimits`).
    const worker = new Worker(join(__dirname, "program-thread.ts"), {
      resourceLimits: { maxYoungGenerationSizeMb: 192 },
    });
    worker.on("message", (reply: Reply) => {
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      // An idle worker must not keep the test process alive.
      if (pending.size === 0) worker.unref();
      if (reply.error !== undefined) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.result);
    });
    // A thread that failed or ended answers nothing more: fail what waits, and start a new one for what follows.
    const fail = (error: Error) => {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
      thread = undefined;
    };
    worker.on("error", fail);
    worker.on("exit", (code) =>
      fail(new Error(`the program thread (tests/support/program-thread.ts) exited with ${code}`)),
    );
    thread = worker;
  }
  return thread;
}

/** Sends a request to the thread; the reply's type is the one `kind` produces there. */
function inThread(request: ThreadRequest): Promise<unknown> {
  const worker = programThread();
  worker.ref();
  return new Promise((resolve, reject) => {
    pending.set(request.id, { resolve, reject });
    worker.postMessage(request);
  });
}

/** `runProgram(program, options)` for index.ts's program, evaluated once per distinct `options` in this process. */
export function sharedRun(options: SharedRunOptions = {}): Promise<ProgramRun> {
  const key = JSON.stringify(options);
  let run = runs.get(key);
  if (!run) {
    run = inThread({ id: nextId++, kind: "run", options }).then((result) => deepFreeze(result as ProgramRun));
    runs.set(key, run);
  }
  return run;
}

/** `planStack(target)` (scripts/core/plan/run.ts, what `npm run plan` runs) in the program's thread; never shared. */
export function planInThread(target: PlanTarget): Promise<PlanDocument> {
  return inThread({ id: nextId++, kind: "plan", target }) as Promise<PlanDocument>;
}

/**
 * `plannedResources(projectDir, stack)` (scripts/core/preflight/arm-body.ts, what preflight's checks plan from) in the
 * program's thread; the thread keeps one evaluation per project, stack and config, as the command's process does.
 */
export function plannedResourcesInThread(projectDir: string, stack: string): Promise<PlannedAzureResource[]> {
  return inThread({ id: nextId++, kind: "planned-resources", projectDir, stack }) as Promise<PlannedAzureResource[]>;
}
