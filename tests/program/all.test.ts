/**
 * Every test of the program and its components under the offline engine (tests/program/*.suite.ts, one per component
 * or concern) in ONE test process: each file alone paid the start-up of tsx, @pulumi/pulumi and azure-native (about
 * 2 s of CPU) before its first test, and re-evaluated the configurations the others had evaluated
 * (tests/support/shared-runs.ts shares them across suites). One suite runs alone with
 * `node --import tsx --test tests/program/<name>.suite.ts`.
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
