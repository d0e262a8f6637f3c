/** The smoke CLI's retry schedule (scripts/smoke/wait.ts): steady tries first, then a capped doubling backoff. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEFAULT_FIRST_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_STEADY_MS,
  nextDelayMs,
  type WaitPolicy,
} from "../scripts/smoke/wait";

const POLICY: WaitPolicy = {
  deadlineMs: 900_000,
  firstDelayMs: DEFAULT_FIRST_DELAY_MS,
  maxDelayMs: DEFAULT_MAX_DELAY_MS,
  steadyMs: DEFAULT_STEADY_MS,
};

/** The waits of a run whose tries take `tryMs` each, until `untilMs` after the start. */
function schedule(tryMs: number, untilMs: number): number[] {
  const waits: number[] = [];
  let elapsed = tryMs;
  let wait = 0;
  while (elapsed < untilMs) {
    wait = nextDelayMs(wait, elapsed, POLICY);
    waits.push(wait);
    elapsed += wait + tryMs;
  }
  return waits;
}

describe("nextDelayMs", () => {
  test("the defaults: 0.5 s apart for the first 10 s, doubling to a 10 s cap after", () => {
    assert.equal(DEFAULT_FIRST_DELAY_MS, 500);
    assert.equal(DEFAULT_STEADY_MS, 10_000);
    assert.equal(DEFAULT_MAX_DELAY_MS, 10_000);
  });

  test("every wait in the first 10 s is 0.5 s, whatever came before", () => {
    for (const elapsed of [0, 100, 3000, 9999]) {
      assert.equal(nextDelayMs(0, elapsed, POLICY), 500);
      assert.equal(nextDelayMs(500, elapsed, POLICY), 500);
    }
  });

  test("after 10 s the wait doubles and stays at the cap", () => {
    const waits = schedule(100, 120_000);
    const steady = waits.filter((wait) => wait === 500).length;
    assert.equal(steady, 17, "tries 0.6 s apart until 10 s have passed");
    assert.deepEqual(waits.slice(steady, steady + 6), [1000, 2000, 4000, 8000, 10_000, 10_000]);
    assert.ok(waits.every((wait) => wait <= DEFAULT_MAX_DELAY_MS));
  });

  test("the first wait after a try is the steady one even past the steady phase (a first try that took long)", () => {
    assert.equal(nextDelayMs(0, 30_000, POLICY), 500);
  });
});
