/**
 * Preflight, Flex Consumption offered in the Function App's region.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BASE_CONFIG, needsOpenssl, only, ownerWorld, preflight, useStandIns } from "./harness";

const setup = useStandIns();

describe("preflight: flex-consumption", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("flex-consumption: the Function App's region must be among the Flex Consumption geo regions", async () => {
    const world = ownerWorld();
    const flex = only(
      (
        await preflight(
          setup,
          world,
          { ...BASE_CONFIG, functionAppLocation: "westeurope" },
          { only: ["flex-consumption"] },
        )
      ).report,
      "flex-consumption",
    );
    assert.equal(flex.status, "fail");
    assert.match(flex.found, /not offered in westeurope .*eastus, northeurope, swedencentral/);
    assert.match(flex.fix ?? "", /npm run pulumi -- config set functionAppLocation REGION --stack pf/);
    const here = only(
      (await preflight(setup, world, BASE_CONFIG, { only: ["flex-consumption"] })).report,
      "flex-consumption",
    );
    assert.equal(here.status, "pass");
    assert.match(here.found, /offered in swedencentral/);
  });
});
