/**
 * Every suite that evaluates the Pulumi program under the offline engine, in ONE test process: the program and its
 * components (tests/program/*.suite.ts), the preflight checks (tests/preflight/*.suite.ts), the offline plan
 * (tests/plan.suite.ts) and the ARM bodies Azure Policy evaluates (tests/azure-policy-preflight.suite.ts). Each file
 * alone paid the start-up of tsx, @pulumi/pulumi, azure-native and the Azure SDKs (2 to 4 s of CPU) and evaluated the
 * dev and prod stacks again; here they share one program thread (tests/support/shared-runs.ts). The preflight suites
 * form one group, as they share one set of stand-ins (tests/preflight/harness.ts). One suite runs alone with
 * `node --import tsx --test <suite>`.
 */
import { join } from "node:path";
import { describeSuites, suitesIn } from "./support/suites";

describeSuites({
  program: suitesIn(join(__dirname, "program")),
  preflight: suitesIn(join(__dirname, "preflight")),
  plan: [join(__dirname, "plan.suite.ts")],
  "azure-policy-preflight": [join(__dirname, "azure-policy-preflight.suite.ts")],
});
