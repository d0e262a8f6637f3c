/**
 * The smoke CLI's retry schedule (scripts/smoke/wait.ts): steady tries first, then a capped doubling backoff, Retry-After,
 * bounded transient failures and the deadline. The loop runs on a virtual clock, so these tests assert the waits the
 * code computes, whatever the machine's speed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type DiagnosisCode, diagnosisFor } from "../lib/diagnosis";
import {
  type Attempt,
  DEFAULT_FIRST_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_STEADY_MS,
  nextDelayMs,
  tryUntilDone,
  virtualClock,
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

/** Answers in order (the last one repeats), each taking `tryMs` of virtual time. */
function answers(codes: DiagnosisCode[], clock: ReturnType<typeof virtualClock>, tryMs = 0, retryAfterMs?: number) {
  let index = 0;
  return async (): Promise<Attempt> => {
    const code = codes[Math.min(index, codes.length - 1)] ?? "ok";
    index += 1;
    await clock.sleep(tryMs);
    clock.waits.pop(); // the try's own duration is not a wait of the loop
    return {
      status: code === "ok" ? 200 : 401,
      diagnosis: diagnosisFor(code, retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  };
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

// The waits below are literals of the doubling schedule: a backoff that triples fails four of these tests.
describe("tryUntilDone on a virtual clock", () => {
  const quiet = () => undefined;

  test("waits through role propagation and passes: the waits are the schedule, the time is their sum", async () => {
    const clock = virtualClock();
    const codes: DiagnosisCode[] = [...Array<DiagnosisCode>(24).fill("role_not_effective"), "ok"];
    const result = await tryUntilDone("local", answers(codes, clock), POLICY, quiet, clock);
    assert.equal(result.outcome, "passed");
    assert.equal(result.attempts, 25);
    assert.deepEqual(clock.waits, [...Array<number>(20).fill(500), 1000, 2000, 4000, 8000]);
    assert.equal(result.elapsedMs, 25_000);
  });

  test("slow tries (3 s each) leave fewer steady waits, as the real loop would", async () => {
    const clock = virtualClock();
    const codes: DiagnosisCode[] = [...Array<DiagnosisCode>(5).fill("role_not_effective"), "ok"];
    const result = await tryUntilDone("local", answers(codes, clock, 3000), POLICY, quiet, clock);
    // Tries end at 3, 6.5, 10, 14, 19 s: steady until 10 s, then 1 s and 2 s.
    assert.deepEqual(clock.waits, [500, 500, 1000, 2000, 4000]);
    assert.equal(result.attempts, 6);
  });

  test("the deadline cuts the last wait and ends the run with the last diagnosis", async () => {
    const clock = virtualClock();
    const result = await tryUntilDone(
      "vm",
      answers(["role_not_effective"], clock),
      { ...POLICY, deadlineMs: 12_000 },
      quiet,
      clock,
    );
    assert.equal(result.outcome, "failed");
    assert.equal(result.diagnosis.code, "role_not_effective");
    assert.match(result.note ?? "", /^deadline reached/);
    assert.deepEqual(clock.waits, [...Array<number>(20).fill(500), 1000, 1000]);
    assert.equal(result.elapsedMs, 12_000);
  });

  test("Retry-After wins over a shorter step", async () => {
    const clock = virtualClock();
    const result = await tryUntilDone("local", answers(["rate_limited", "ok"], clock, 0, 2500), POLICY, quiet, clock);
    assert.equal(result.outcome, "passed");
    assert.deepEqual(clock.waits, [2500]);
  });

  test("transient failures end the run after three in a row; a cause waiting cannot fix ends it at once", async () => {
    const transient = virtualClock();
    const failed = await tryUntilDone("local", answers(["server_error"], transient), POLICY, quiet, transient);
    assert.equal(failed.attempts, 3);
    assert.match(failed.note ?? "", /^3 in a row/);
    assert.deepEqual(transient.waits, [500, 500]);

    const stop = virtualClock();
    const stopped = await tryUntilDone("local", answers(["wrong_audience"], stop), POLICY, quiet, stop);
    assert.equal(stopped.attempts, 1);
    assert.deepEqual(stop.waits, []);
  });

  test("one progress line per try, with the elapsed time and the next wait", async () => {
    const clock = virtualClock();
    const lines: string[] = [];
    await tryUntilDone(
      "function",
      answers(["role_not_effective", "ok"], clock),
      POLICY,
      (line) => lines.push(line),
      clock,
    );
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? "",
      /^\[smoke function\] \+0\.0s attempt 1: 401 role_not_effective - .* Next try in 0\.5s\.$/,
    );
  });
});
