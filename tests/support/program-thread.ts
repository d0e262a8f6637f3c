/**
 * The worker thread of tests/support/shared-runs.ts: evaluates index.ts under the offline engine, plans a stack
 * as `npm run plan` does, or plans the resources preflight checks (scripts/core/preflight/arm-body.ts), one request at a time (the engine's Pulumi runtime is per thread), and posts back the
 * result or the failure's message.
 */
import { parentPort } from "node:worker_threads";

import program = require("../../index");

import { runProgram } from "../../scripts/core/offline-engine";
import { type PlanTarget, planStack } from "../../scripts/core/plan/run";
import { plannedResources } from "../../scripts/core/preflight/arm-body";
import type { SharedRunOptions } from "./shared-runs";

export type ThreadRequest =
  | { id: number; kind: "run"; options: SharedRunOptions }
  | { id: number; kind: "plan"; target: PlanTarget }
  | { id: number; kind: "planned-resources"; projectDir: string; stack: string };

const port = parentPort;
if (!port) throw new Error("tests/support/program-thread.ts runs as a worker thread of tests/support/shared-runs.ts");

function perform(request: ThreadRequest): Promise<unknown> {
  switch (request.kind) {
    case "run":
      return runProgram(program, request.options);
    case "plan":
      return planStack(request.target);
    case "planned-resources":
      return plannedResources(request.projectDir, request.stack);
  }
}

let queue: Promise<void> = Promise.resolve();
port.on("message", (request: ThreadRequest) => {
  queue = queue.then(async () => {
    try {
      port.postMessage({ id: request.id, result: await perform(request) });
    } catch (error) {
      port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
