/**
 * The suites of the commands that drive a stack through the stand-in `pulumi` (tests/standins/arm-teardown.ts) in ONE
 * test process: `npm run deploy` and `npm run pulumi` (tests/deploy.suite.ts), `npm run destroy` and
 * `npm run stale-stacks` (tests/destroy.suite.ts), `npm run smoke` (tests/smoke-cli.suite.ts). Each file alone paid
 * the start-up of tsx, the Automation API, the Azure SDKs and the stand-in pulumi's thread (34.9 s of CPU for the
 * three, 30.4 s in one process). Each keeps its end-to-end runs as child processes. One suite runs alone with
 * `node --import tsx --test <suite>`.
 */
for (const suite of ["deploy.suite.ts", "destroy.suite.ts", "smoke-cli.suite.ts"]) require(`./${suite}`);
