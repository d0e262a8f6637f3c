/**
 * Preflight, Resource providers: what the plan needs is Registered; --fix registers.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BASE_CONFIG, needsOpenssl, only, ownerWorld, preflight, useStandIns } from "./harness";

const setup = useStandIns();

describe("preflight: providers", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("providers: an unregistered provider fails with the --fix command; --fix registers it", async () => {
    const world = ownerWorld();
    world.providers["Microsoft.Web"] = "NotRegistered";
    delete world.providers["Microsoft.Insights"];
    const { report } = await preflight(setup, world, BASE_CONFIG, { only: ["providers"] });
    const providers = only(report, "providers");
    assert.equal(providers.status, "fail");
    assert.match(providers.found, /Microsoft\.Insights \(NotRegistered\), Microsoft\.Web \(NotRegistered\)/);
    assert.match(providers.fix ?? "", /npm run preflight -- --stack pf --fix/);
    assert.deepEqual(world.registered, []);

    const fixed = await preflight(setup, world, BASE_CONFIG, { fix: true, only: ["providers"] });
    assert.deepEqual(world.registered, ["Microsoft.Insights", "Microsoft.Web"]);
    const afterFix = only(fixed.report, "providers");
    assert.equal(afterFix.status, "warn");
    assert.match(
      afterFix.found,
      /started registration: Microsoft\.Insights \(Registering\), Microsoft\.Web \(Registering\)/,
    );
    assert.equal(fixed.report.exitCode, 0);
  });

  test("providers: compute none needs Cognitive Services and its diagnostics (Log Analytics, Insights) only", async () => {
    const world = ownerWorld();
    world.providers["Microsoft.Compute"] = "NotRegistered";
    world.providers["Microsoft.Web"] = "NotRegistered";
    const { report } = await preflight(setup, world, { ...BASE_CONFIG, compute: "none" }, { only: ["providers"] });
    assert.equal(only(report, "providers").status, "pass");
    assert.match(
      only(report, "providers").found,
      /\(Microsoft\.CognitiveServices, Microsoft\.Insights, Microsoft\.OperationalInsights\)$/,
    );
  });

  test("providers: a private stack needs exactly the namespaces it plans, all reported when none is registered", async () => {
    const world = ownerWorld();
    for (const namespace of Object.keys(world.providers)) world.providers[namespace] = "NotRegistered";
    const { report } = await preflight(
      setup,
      world,
      { ...BASE_CONFIG, compute: "both", networkMode: "private" },
      { only: ["providers"] },
    );
    assert.equal(
      only(report, "providers").found,
      "not registered in subscription 00000000-1111-2222-3333-444444444444: Microsoft.App (NotRegistered), Microsoft.CognitiveServices (NotRegistered), Microsoft.Compute (NotRegistered), Microsoft.DevTestLab (NotRegistered), Microsoft.Insights (NotRegistered), Microsoft.ManagedIdentity (NotRegistered), Microsoft.Network (NotRegistered), Microsoft.OperationalInsights (NotRegistered), Microsoft.Storage (NotRegistered), Microsoft.Web (NotRegistered)",
    );
  });
});
