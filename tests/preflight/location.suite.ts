/**
 * Preflight, The stack's regions against the regions the subscription lists.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BASE_CONFIG, needsOpenssl, only, ownerWorld, preflight, useStandIns } from "./harness";

const setup = useStandIns();

describe("preflight: location", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("location: a region the subscription lists passes, whatever any list in this repository knows", async () => {
    const world = ownerWorld();
    // denmarkeast: a region newer than many published region lists; only the subscription's own list decides.
    const report = (
      await preflight(
        setup,
        world,
        { ...BASE_CONFIG, location: "denmarkeast", functionAppLocation: "swedencentral" },
        { only: ["location"] },
      )
    ).report;
    assert.deepEqual(
      report.results.filter((result) => result.check === "location").map((result) => [result.status, result.found]),
      [
        ["pass", "location = denmarkeast is a region of this subscription"],
        ["pass", "functionAppLocation = swedencentral is a region of this subscription"],
      ],
    );
  });

  test("location: a well-formed name the subscription does not list fails with the closest region; a geography is not a region", async () => {
    const typo = only(
      (await preflight(setup, ownerWorld(), { ...BASE_CONFIG, location: "swedencentrl" }, { only: ["location"] }))
        .report,
      "location",
    );
    assert.equal(typo.status, "fail");
    assert.equal(
      typo.found,
      'location = swedencentrl is not a region this subscription can deploy to (did you mean "swedencentral"?)',
    );
    assert.equal(
      typo.fix,
      "npm run pulumi -- config set location REGION --stack pf (az account list-locations -o table lists the regions)",
    );
    const geography = only(
      (await preflight(setup, ownerWorld(), { ...BASE_CONFIG, location: "europe" }, { only: ["location"] })).report,
      "location",
    );
    assert.equal(geography.status, "fail");
    assert.match(geography.found, /^location = europe is not a region this subscription can deploy to/);
  });
});
