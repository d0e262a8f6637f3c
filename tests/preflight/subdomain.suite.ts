/**
 * Preflight, The account's custom subdomain: soft-deleted holders, the stack's own account, checkDomainAvailability.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BASE_CONFIG, GROUP, needsOpenssl, only, ownerWorld, preflight, useStandIns } from "./harness";

const setup = useStandIns();

describe("preflight: subdomain", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("subdomain: a fixed name that is free passes; one taken elsewhere fails", async () => {
    const config = { ...BASE_CONFIG, accountSubdomain: "kl-preflight-one" };
    assert.equal(
      only((await preflight(setup, ownerWorld(), config, { only: ["subdomain"] })).report, "subdomain").status,
      "pass",
    );
    const world = ownerWorld();
    world.takenSubdomains.push("kl-preflight-one");
    const subdomain = only((await preflight(setup, world, config, { only: ["subdomain"] })).report, "subdomain");
    assert.equal(subdomain.status, "fail");
    assert.equal(
      subdomain.found,
      `accountSubdomain = kl-preflight-one is taken: Azure says "Sub domain name 'kl-preflight-one' is already used. Please pick a different name." (custom subdomains are global: another account, in any subscription, holds it)`,
    );
    assert.match(subdomain.fix ?? "", /npm run pulumi -- config set accountSubdomain NEW-NAME --stack pf/);
  });

  test("subdomain: a name held by a soft-deleted account of the subscription fails with the purge command", async () => {
    const world = ownerWorld();
    world.deletedAccounts.push({ name: "kl-preflight-two", location: "eastus2", resourceGroup: GROUP });
    const { report } = await preflight(
      setup,
      world,
      { ...BASE_CONFIG, accountSubdomain: "kl-preflight-two" },
      { only: ["subdomain"] },
    );
    const subdomain = only(report, "subdomain");
    assert.equal(subdomain.status, "fail");
    assert.match(
      subdomain.found,
      /soft-deleted account kl-preflight-two \(location eastus2, resource group rg-preflight\)/,
    );
    assert.match(
      subdomain.fix ?? "",
      /az cognitiveservices account purge --location eastus2 --resource-group rg-preflight --name kl-preflight-two/,
    );
    assert.match(subdomain.fix ?? "", /npm run destroy -- --stack pf/);
  });

  test("subdomain: the stack's own deployed account passes; a derived name says it cannot be checked yet", async () => {
    const world = ownerWorld();
    world.resourceGroups.push(GROUP);
    world.accounts[GROUP] = ["kl-preflight-three"];
    const own = only(
      (
        await preflight(
          setup,
          world,
          { ...BASE_CONFIG, accountSubdomain: "kl-preflight-three" },
          { only: ["subdomain"] },
        )
      ).report,
      "subdomain",
    );
    assert.equal(own.status, "pass");
    assert.match(own.found, /already exists in resource group rg-preflight/);
    const derived = only(
      (await preflight(setup, ownerWorld(), BASE_CONFIG, { only: ["subdomain"] })).report,
      "subdomain",
    );
    assert.equal(derived.status, "pass");
    assert.match(derived.found, /derived \(keyless-openai-pf-<random suffix>\).*nothing to check before it/);
  });

  test("subdomain: a deleted account with only a regional endpoint holds no subdomain", async () => {
    const world = ownerWorld();
    // Same name, another resource group, no custom subdomain: not a conflict for this stack's subdomain.
    world.deletedAccounts.push({
      name: "kl-preflight-four",
      location: "westus",
      resourceGroup: "rg-other",
      regional: true,
    });
    const subdomain = only(
      (
        await preflight(
          setup,
          world,
          { ...BASE_CONFIG, accountSubdomain: "kl-preflight-four" },
          { only: ["subdomain"] },
        )
      ).report,
      "subdomain",
    );
    assert.equal(subdomain.status, "pass", subdomain.found);
  });

  test("subdomain: a name Azure does not accept is told apart from a taken one by checkDomainAvailability's reason", async () => {
    const world = ownerWorld();
    world.invalidSubdomains.push("kl-preflight-bad");
    const subdomain = only(
      (await preflight(setup, world, { ...BASE_CONFIG, accountSubdomain: "kl-preflight-bad" }, { only: ["subdomain"] }))
        .report,
      "subdomain",
    );
    assert.equal(subdomain.status, "fail");
    assert.equal(
      subdomain.found,
      `accountSubdomain = kl-preflight-bad is not a name Azure accepts as a custom subdomain: Azure says "Sub domain name 'kl-preflight-bad' is not valid"`,
    );
    assert.doesNotMatch(subdomain.found, /another account/);
    assert.match(subdomain.fix ?? "", /npm run pulumi -- config set accountSubdomain NEW-NAME --stack pf/);
  });
});
