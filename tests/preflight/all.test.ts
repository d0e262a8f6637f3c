/**
 * Every preflight suite (tests/preflight/*.suite.ts, one per check or part of the engine) in ONE test process: each
 * suite alone paid the start-up of tsx, the Azure SDKs and the offline program (about 4 s of CPU) before its first
 * test. The suites share one set of stand-ins (tests/preflight/harness.ts useStandIns). One suite runs alone with
 * `node --import tsx --test tests/preflight/<name>.suite.ts`.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const suites = readdirSync(__dirname)
  .filter((name) => name.endsWith(".suite.ts"))
  .sort();
// A glob that matched nothing would pass silently.
assert.ok(suites.length > 0, `no *.suite.ts in ${__dirname}`);
for (const suite of suites) require(join(__dirname, suite));
