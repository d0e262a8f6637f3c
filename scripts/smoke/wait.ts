/**
 * The waiting loop: try, read the diagnosis, and wait while waiting can help (RBAC propagation, a new deployment,
 * rate limits, brief outages), printing one progress line per try. For the first 10 s it tries every 0.5 s, so an
 * assignment that takes effect within seconds is seen at once; then it backs off, doubling to at most 10 s, for the
 * minutes propagation can take. Retry-After wins when longer; the deadline caps everything.
 * scripts/vm/smoke.sh keeps the same schedule on the VM.
 */

import { setTimeout as realSleep } from "node:timers/promises";
import type { Diagnosis } from "../../lib/diagnosis";

/** Where the waiting loop reads the time and how it waits: the real clock, or a virtual one in tests. */
export interface Clock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (milliseconds) => realSleep(milliseconds) };

/**
 * A clock that only moves when the loop sleeps: a wait returns at once and advances the time by its length. Tests
 * use it so a 15-minute schedule runs in milliseconds and every wait the code computes can be read back from `waits`.
 */
export function virtualClock(startMs = 0): Clock & { waits: number[] } {
  let current = startMs;
  const waits: number[] = [];
  return {
    waits,
    now: () => current,
    sleep: async (milliseconds) => {
      waits.push(milliseconds);
      current += milliseconds;
    },
  };
}

/** One try and what came of it. */
export interface Attempt {
  /** HTTP status of the model's answer (0: none). */
  status: number;
  diagnosis: Diagnosis;
  /** Who called, as the target knows it. */
  identity?: string;
  reply?: string;
}

/** Final result for one target. */
export interface TargetResult {
  target: string;
  identity: string;
  outcome: "passed" | "failed";
  status: number;
  diagnosis: Diagnosis;
  attempts: number;
  elapsedMs: number;
  reply?: string;
  /** Why it ended when it failed: the diagnosis's advice or "deadline reached". */
  note?: string;
}

/** Timing policy; the defaults are the CLI's. */
export interface WaitPolicy {
  deadlineMs: number;
  /** Wait between tries during the steady phase, and the start of the backoff after it. */
  firstDelayMs: number;
  /** Cap of the backoff. */
  maxDelayMs: number;
  /** How long from the start tries stay `firstDelayMs` apart before backing off. */
  steadyMs: number;
}

export const DEFAULT_FIRST_DELAY_MS = 500;
export const DEFAULT_MAX_DELAY_MS = 10_000;
export const DEFAULT_STEADY_MS = 10_000;

/** The wait after a try that ended `elapsedMs` after the start, given the wait before it (0 for none). */
export function nextDelayMs(previousDelayMs: number, elapsedMs: number, policy: WaitPolicy): number {
  if (elapsedMs < policy.steadyMs || previousDelayMs <= 0) return policy.firstDelayMs;
  return Math.min(previousDelayMs * 2, policy.maxDelayMs);
}

const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)}s`;

/** Tries until success, a cause waiting cannot fix, too many transient failures, or the deadline. */
export async function tryUntilDone(
  target: string,
  attempt: (elapsedMs: number) => Promise<Attempt>,
  policy: WaitPolicy,
  log: (line: string) => void,
  clock: Clock = REAL_CLOCK,
): Promise<TargetResult> {
  const started = clock.now();
  let delay = 0;
  let consecutiveTransient = 0;
  let identity = "";
  for (let attempts = 1; ; attempts += 1) {
    const result = await attempt(clock.now() - started);
    identity = result.identity || identity;
    const elapsedMs = clock.now() - started;
    const { diagnosis } = result;
    const finish = (outcome: "passed" | "failed", note?: string): TargetResult => ({
      target,
      identity: identity || "unknown",
      outcome,
      status: result.status,
      diagnosis,
      attempts,
      elapsedMs,
      ...(result.reply === undefined ? {} : { reply: result.reply }),
      ...(note === undefined ? {} : { note }),
    });
    if (diagnosis.code === "ok") return finish("passed");
    if (diagnosis.retry === "stop") return finish("failed", diagnosis.action);
    consecutiveTransient = diagnosis.maxConsecutive === undefined ? 0 : consecutiveTransient + 1;
    if (diagnosis.maxConsecutive !== undefined && consecutiveTransient >= diagnosis.maxConsecutive) {
      return finish("failed", `${consecutiveTransient} in a row; ${diagnosis.action}`);
    }
    const remaining = policy.deadlineMs - elapsedMs;
    if (remaining <= 0) return finish("failed", `deadline reached; ${diagnosis.action}`);
    delay = nextDelayMs(delay, elapsedMs, policy);
    const wait = Math.min(Math.max(delay, diagnosis.retryAfterMs ?? 0), remaining);
    log(
      `[smoke ${target}] +${seconds(elapsedMs)} attempt ${attempts}: ${result.status || "no answer"} ${diagnosis.code} - ${diagnosis.meaning} Next try in ${seconds(wait)}.`,
    );
    await clock.sleep(wait);
  }
}
