/**
 * Preflight, The VM size: offered, not restricted, Trusted Launch capable.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BASE_CONFIG, LOCATION, needsOpenssl, only, ownerWorld, preflight, useStandIns } from "./harness";

const setup = useStandIns();

describe("preflight: vm-size", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("vm-size: restricted for the subscription (NotAvailableForSubscription) fails with usable sizes", async () => {
    const world = ownerWorld();
    const skus = world.vmSkus[LOCATION] ?? [];
    const wanted = skus.find((sku) => sku.name === "Standard_B2ats_v2");
    assert.ok(wanted);
    wanted.restrictedFor = "NotAvailableForSubscription";
    const vm = only((await preflight(setup, world, BASE_CONFIG, { only: ["vm-size"] })).report, "vm-size");
    assert.equal(vm.status, "fail");
    assert.match(vm.found, /restricted in swedencentral .*NotAvailableForSubscription/);
    assert.match(vm.fix ?? "", /usable here: Standard_B2s/);
  });

  test("vm-size: a size without Trusted Launch fails while vmTrustedLaunch is on and passes when it is off", async () => {
    const world = ownerWorld();
    world.vmSkus[LOCATION]?.push({
      name: "Standard_A2_v2",
      capabilities: { HyperVGenerations: "V1", TrustedLaunchDisabled: "True" },
    });
    const config = { ...BASE_CONFIG, vmSize: "Standard_A2_v2" };
    const vm = only((await preflight(setup, world, config, { only: ["vm-size"] })).report, "vm-size");
    assert.equal(vm.status, "fail");
    assert.match(vm.found, /does not support Trusted Launch \(HyperVGenerations V1, TrustedLaunchDisabled True\)/);
    assert.match(vm.fix ?? "", /vmTrustedLaunch false/);
    const off = only(
      (await preflight(setup, world, { ...config, vmTrustedLaunch: false }, { only: ["vm-size"] })).report,
      "vm-size",
    );
    assert.equal(off.status, "pass");
  });

  test("vm-size: a size the region does not offer fails; compute functionApp has no VM to check", async () => {
    const missing = only(
      (await preflight(setup, ownerWorld(), { ...BASE_CONFIG, vmSize: "Standard_D2s_v9" }, { only: ["vm-size"] }))
        .report,
      "vm-size",
    );
    assert.equal(missing.status, "fail");
    assert.match(missing.found, /Standard_D2s_v9 is not offered in swedencentral/);
    const none = only(
      (await preflight(setup, ownerWorld(), { ...BASE_CONFIG, compute: "functionApp" }, { only: ["vm-size"] })).report,
      "vm-size",
    );
    assert.equal(none.status, "pass");
    assert.match(none.found, /no VM/);
  });
});
