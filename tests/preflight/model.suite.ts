/**
 * Preflight, The model check: the configured model version against the region's catalogue and quota.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SUBSCRIPTION_ID } from "../standins/principals";
import { BASE_CONFIG, catalogueFor, needsOpenssl, only, ownerWorld, preflight, useStandIns } from "./harness";

const setup = useStandIns();

describe("preflight: model", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("model: the runner includes the model check; a retired model fails preflight with its alternatives", async () => {
    const catalogue = catalogueFor(SUBSCRIPTION_ID);
    catalogue.models = [
      {
        name: "gpt-5.4-mini",
        version: "2026-03-17",
        lifecycleStatus: "Deprecated",
        retiresOn: "2026-10-14",
        skus: [{ name: "GlobalStandard" }],
      },
      {
        name: "gpt-5.4-mini",
        version: "2026-09-30",
        lifecycleStatus: "GenerallyAvailable",
        retiresOn: "2027-12-01",
        skus: [{ name: "GlobalStandard" }],
      },
    ];
    const { report } = await preflight(setup, ownerWorld(), BASE_CONFIG, { catalogue, only: ["model"] });
    const model = only(report, "model");
    assert.equal(model.status, "fail");
    assert.match(model.fix ?? "", /gpt-5\.4-mini 2026-09-30/);
    assert.equal(report.exitCode, 1);
    assert.deepEqual(catalogue.protocolErrors, []);
  });

  test("model: a quota the usages list does not report is unknown, a warning, not 'no model is deployable'", async () => {
    const catalogue = catalogueFor(SUBSCRIPTION_ID);
    catalogue.usages = [];
    const { report } = await preflight(setup, ownerWorld(), BASE_CONFIG, { catalogue, only: ["model"] });
    const model = only(report, "model");
    assert.equal(model.status, "warn");
    assert.equal(
      model.found,
      "deployment 'chat' (gpt-5.4-mini 2026-03-17, GlobalStandard, capacity 10): no quota is reported for OpenAI.GlobalStandard.gpt-5.4-mini in swedencentral, so preflight cannot tell whether capacity 10 fits",
    );
    assert.equal(
      model.fix,
      "compare with the quota Azure shows: az cognitiveservices usage list --location swedencentral (or the Quotas page of the Azure AI Foundry portal); pulumi up fails with InsufficientQuota if it does not fit",
    );
    assert.doesNotMatch(model.fix ?? "", /choose another region/);
    assert.equal(report.exitCode, 0);
  });

  test("model: a stack that pins no model warns with what the first deploy would pin and the pin command", async () => {
    const { deployments: _pinned, ...unpinned } = BASE_CONFIG;
    const { report } = await preflight(setup, ownerWorld(), unpinned, { only: ["model"] });
    const model = only(report, "model");
    assert.equal(model.status, "warn");
    assert.equal(
      model.found,
      "deployment 'chat' pins no model: the first deploy would pin gpt-5.4-mini 2026-03-17, what npm run models picks for GlobalStandard with capacity 10 in swedencentral",
    );
    assert.equal(model.fix, "npm run models -- --stack pf --pin");
  });
});
