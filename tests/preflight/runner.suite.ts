/**
 * Preflight, The runner: every check in order, answers shared between checks, one ARM token per run, config first.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SUBSCRIPTION_ID } from "../standins/principals";
import { STAND_IN_TENANT_ID } from "../standins/tokens";
import { BASE_CONFIG, needsOpenssl, only, ownerWorld, preflight, ROOT, useStandIns } from "./harness";

const setup = useStandIns();

describe("preflight: runner", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("a healthy subscription passes every check; identity, tenant and subscription come from the token and ARM", async () => {
    const tokensBefore = setup.az.invocations().filter((args) => args[1] === "get-access-token").length;
    const { report, world, arm } = await preflight(setup, ownerWorld(), BASE_CONFIG, { freshSignIn: true });
    assert.equal(report.exitCode, 0, JSON.stringify(report.results, null, 2));
    // Checks share answers: ARM is asked each question once (mutation check: without the runner's memo, the
    // subscription's role assignments were listed three times).
    // (Azure Policy's evaluator is asked once per planned resource: the same URL, a different body each time.)
    const questions = arm.requests.map(
      (request) => `${request.method} ${request.url.pathname}${request.url.search} ${request.body}`,
    );
    assert.deepEqual(
      questions.filter((question, index) => questions.indexOf(question) !== index),
      [],
    );
    console.log(`preflight (in-process, stand-in ARM): ${questions.length} ARM requests`);
    assert.deepEqual(
      report.results.filter((result) => result.status !== "pass"),
      [],
      "nothing warns or fails",
    );
    assert.deepEqual(
      [...new Set(report.results.map((result) => result.check))],
      [
        "config",
        "identity",
        "location",
        "providers",
        "resource-rights",
        "role-assignment-rights",
        "purge-rights",
        "model",
        "subdomain",
        "vm-size",
        "flex-consumption",
        "role-assignment-conflicts",
        "azure-policy",
      ],
    );
    const identity = only(report, "identity");
    assert.match(identity.found, /user dev@contoso\.example \(object ID aaaaaaaa-0000-4000-8000-000000000001\)/);
    assert.match(identity.found, new RegExp(`tenant ${STAND_IN_TENANT_ID}`));
    assert.match(
      identity.found,
      /subscription 'Stand-in subscription' \(00000000-1111-2222-3333-444444444444, Enabled\)/,
    );
    assert.match(identity.found, /from az account show/);
    assert.ok(
      setup.az.invocations().some((args) => args.join(" ") === "account show --output json"),
      "the Azure CLI's active subscription was asked for",
    );
    assert.equal(report.subscriptionId, SUBSCRIPTION_ID);
    assert.equal(report.tenantId, STAND_IN_TENANT_ID);
    assert.deepEqual(world.protocolErrors, []);
    assert.deepEqual(world.registered, [], "read-only without --fix");
    assert.equal(
      setup.az.invocations().filter((args) => args[1] === "get-access-token").length - tokensBefore,
      1,
      "one ARM token from the Azure CLI for the whole run",
    );
  });

  test("config: an invalid stack config is the first failure and nothing is asked of Azure", async () => {
    const { report, arm } = await preflight(setup, ownerWorld(), { ...BASE_CONFIG, location: "Mars North" });
    assert.equal(report.exitCode, 1);
    assert.deepEqual(
      report.results.map((result) => [result.check, result.status]),
      [["config", "fail"]],
    );
    assert.match(only(report, "config").found, /location = "Mars North"/);
    assert.equal(arm.requests.length, 0);
  });

  test("a check Azure refuses fails on its own with the whole error; the other checks still answer", async () => {
    const world = ownerWorld();
    world.forbidden.push(/\/providers\/Microsoft\.Web\/geoRegions$/i);
    const { report } = await preflight(setup, world);
    const flex = only(report, "flex-consumption");
    assert.equal(flex.status, "fail");
    assert.match(
      flex.found,
      /^could not check flex-consumption: the signed-in identity is not allowed \(HTTP 403 AuthorizationFailed: /,
    );
    assert.equal(
      flex.fix,
      "sign in with an identity that can read the subscription (Reader or above), or have an Owner grant that role",
    );
    assert.deepEqual(
      report.results.filter((result) => result.status !== "pass").map((result) => result.check),
      ["flex-consumption"],
    );
  });

  test("config: the committed dev stack (no model pinned) warns as npm run plan does, with the pin command as the fix", async () => {
    const world = ownerWorld();
    const { report } = await preflight(setup, world, {}, { projectDir: ROOT, stack: "dev" });
    const config = only(report, "config");
    assert.equal(config.status, "warn");
    // The warning npm run plan prints for the same stack (scripts/core/stack-config.ts withUnpinnedModelPlanned).
    assert.ok(
      config.found.endsWith(
        "stack 'dev' pins no model: planned with deployment 'chat' of model 'pinned-at-first-deploy'. The first `npm run deploy -- --stack dev` pins the newest model Azure offers in its region (or run `npm run models -- --stack dev --pin`); commit the pin so reviewers see it.",
      ),
      config.found,
    );
    assert.equal(config.fix, "npm run models -- --stack dev --pin");
    assert.doesNotMatch(JSON.stringify(report.results), /correct Pulumi\.dev\.yaml/);
    assert.ok(report.results.length > 2, "the other checks ran");
  });
});
