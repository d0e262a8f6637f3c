/**
 * Every suite that evaluates the Pulumi program under the offline engine, in ONE test process: the program and its
 * components (tests/program/*.suite.ts), the preflight checks (tests/preflight/*.suite.ts), the offline plan
 * (tests/plan.suite.ts) and the ARM bodies Azure Policy evaluates (tests/azure-policy-preflight.suite.ts). Each file
 * alone paid the start-up of tsx, @pulumi/pulumi, azure-native and the Azure SDKs (2 to 4 s of CPU) and evaluated the
 * dev and prod stacks again; here they share one program thread (tests/support/shared-runs.ts). One suite runs alone
 * with `node --import tsx --test <suite>`.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const suites = [
  ...["program", "preflight"].flatMap((folder) =>
    readdirSync(join(__dirname, folder))
      .filter((name) => name.endsWith(".suite.ts"))
      .sort()
      .map((name) => join(__dirname, folder, name)),
  ),
  join(__dirname, "plan.suite.ts"),
  join(__dirname, "azure-policy-preflight.suite.ts"),
];
// A folder whose glob matched nothing would pass silently.
assert.ok(suites.length > 2, `no *.suite.ts in ${__dirname}/program or ${__dirname}/preflight`);
for (const suite of suites) require(suite);
