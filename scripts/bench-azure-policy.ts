/**
 * Measurement for the Azure Policy preflight check (prints figures; asserts nothing): the dev stack's offline plan,
 * then the whole check (plan + one checkPolicyRestrictions call per planned resource, 4 in flight) against the
 * stand-in evaluator of tests/standins/policy-insights.ts, with no added latency and with a simulated ARM round trip.
 */
import * as tls from "node:tls";
import type { PolicyInsightsState } from "../tests/standins/policy-insights";
import { FUNCTION_APP_PRINCIPAL } from "../tests/standins/principals";
import { defineCommand, EXIT, runCommand, runMain } from "./core/cli";

const SPEC = defineCommand({
  name: "bench:azure-policy",
  summary: `Prints figures, asserts nothing: the dev stack's offline plan, then the whole Azure Policy preflight check
(one checkPolicyRestrictions call per planned resource, 4 in flight) against the stand-in evaluator on 127.0.0.1, with
no added latency and with a simulated ARM round trip.`,
  options: {},
  exitCodes: { ok: "measured", failed: "a check did not pass against the stand-in" },
});

const SUBSCRIPTION_ID = "12345678-aaaa-4bbb-8ccc-1234567890ab";
const REPEATS = 5;
const LATENCIES_MS = [0, 150];

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${(median / 1000).toFixed(2)} s, worst ${((sorted.at(-1) ?? 0) / 1000).toFixed(2)} s (${samples.map((sample) => (sample / 1000).toFixed(2)).join(", ")})`;
}

async function main(): Promise<void> {
  // Loaded once the command line is valid: --help needs neither the Azure SDKs, the program nor the stand-ins.
  // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
  const [
    { ManagedIdentityCredential },
    { parseConfig },
    { APP_SERVICE_IDENTITY_PATH, appServiceIdentityRoutes },
    { aiServicesKeyAccessDenyAssignment, policyInsightsRoutes },
    { createSelfSignedCertificate, startStandIn },
    { plannedResources },
    { azurePolicyChecks },
  ] = await Promise.all([
    import("@azure/identity"),
    import("../lib/config.js"),
    import("../tests/standins/identity.js"),
    import("../tests/standins/policy-insights.js"),
    import("../tests/standins/server.js"),
    import("./core/preflight/arm-body.js"),
    import("./core/preflight/checks/azure-policy.js"),
  ]);
  const certificate = createSelfSignedCertificate();
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), certificate.certPem]);
  const identity = await startStandIn({
    routes: appServiceIdentityRoutes({ principal: FUNCTION_APP_PRINCIPAL, identityHeader: "bench" }),
  });
  const state: PolicyInsightsState = {
    subscriptionId: SUBSCRIPTION_ID,
    resourceGroups: new Set(["rg-keyless-openai-dev"]),
    assignments: [aiServicesKeyAccessDenyAssignment(`/subscriptions/${SUBSCRIPTION_ID}`, "deny-ai-key-access")],
    protocolErrors: [],
  };
  const arm = await startStandIn({ tls: certificate, routes: policyInsightsRoutes(state) });
  process.env.IDENTITY_ENDPOINT = `${identity.origin}${APP_SERVICE_IDENTITY_PATH}`;
  process.env.IDENTITY_HEADER = "bench";
  try {
    const planTimes: number[] = [];
    let resources = 0;
    for (let run = 0; run < REPEATS; run += 1) {
      const started = performance.now();
      resources = (await plannedResources(".", "dev")).length;
      planTimes.push(performance.now() - started);
    }
    console.log(`Offline plan of the dev stack (${resources} resources): ${summary(planTimes)}`);

    for (const latency of LATENCIES_MS) {
      state.latencyMs = latency;
      const times: number[] = [];
      let calls = 0;
      for (let run = 0; run < REPEATS; run += 1) {
        arm.requests.length = 0;
        const started = performance.now();
        const results = await azurePolicyChecks({
          stack: "dev",
          config: parseConfig(
            { deployments: JSON.stringify(["name=chat,model=gpt-5.4-mini,version=2026-03-17"]) },
            "keyless-openai",
            "dev",
          ),
          subscriptionId: SUBSCRIPTION_ID,
          tenantId: "11111111-2222-3333-4444-555555555555",
          credential: new ManagedIdentityCredential(),
          armEndpoint: arm.origin,
          now: new Date(),
          fix: false,
          // Planned on every run, as preflight plans once per run.
          plannedResources: () => plannedResources(".", "dev"),
        });
        times.push(performance.now() - started);
        calls = arm.requests.length;
        if (results.some((result) => result.status !== "pass")) throw new Error(JSON.stringify(results));
      }
      console.log(`Whole check, ${calls} ARM calls, ${latency} ms per answer: ${summary(times)}`);
    }
  } finally {
    await arm.close();
    await identity.close();
    certificate.dispose();
  }
}

if (require.main === module)
  runMain(() =>
    runCommand(SPEC, process.argv.slice(2), async () => {
      await main();
      return EXIT.ok;
    }),
  );
