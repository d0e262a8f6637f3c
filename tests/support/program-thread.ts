/**
 * The worker thread of tests/support/shared-runs.ts: evaluates index.ts under the offline engine, one request at a
 * time (the engine's Pulumi runtime is per thread), and posts back the recorded run or the failure's message.
 */
import { parentPort } from "node:worker_threads";

import program = require("../../index");

import { runProgram } from "../../scripts/core/offline-engine";
import type { SharedRunOptions } from "./shared-runs";

export interface ProgramRequest {
  id: number;
  options: SharedRunOptions;
}

const port = parentPort;
if (!port) throw new Error("tests/support/program-thread.ts runs as a worker thread of tests/support/shared-runs.ts");

let queue: Promise<void> = Promise.resolve();
port.on("message", ({ id, options }: ProgramRequest) => {
  queue = queue.then(async () => {
    try {
      port.postMessage({ id, run: await runProgram(program, options) });
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
