/**
 * Preflight, The runner runs Azure Policy's evaluator on the planned resources.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { namingConventionDenyAssignment } from "../standins/policy-insights";
import { SUBSCRIPTION_ID } from "../standins/principals";
import { BASE_CONFIG, needsOpenssl, ownerWorld, policyFor, preflight, resultsOf, useStandIns } from "./harness";

const setup = useStandIns();

describe("preflight: azure-policy", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("azure-policy: the runner reports a Deny Azure Policy's evaluator finds for a planned resource", async () => {
    const world = ownerWorld();
    const policy = policyFor(world);
    // A corporate naming convention the stack's resource group (rg-preflight) breaks.
    policy.assignments.push(
      namingConventionDenyAssignment(
        `/subscriptions/${SUBSCRIPTION_ID}`,
        "corp-rg-names",
        "Microsoft.Resources/resourceGroups",
        "rg-corp-*",
      ),
    );
    const { report, arm } = await preflight(setup, world, BASE_CONFIG, { policy });
    const denied = resultsOf(report, "azure-policy").filter((result) => result.status === "fail");
    assert.equal(denied.length, 1, JSON.stringify(report.results, null, 2));
    assert.match(
      denied[0]?.found ?? "",
      /^Microsoft\.Resources\/resourceGroups 'rg-preflight' \(.*\) would be denied by policy assignment 'corp-rg-names'/,
    );
    assert.equal(report.exitCode, 1);
    assert.deepEqual(policy.protocolErrors, []);
    // The group does not exist yet: asked at subscription scope, one request per planned Azure resource.
    assert.ok(
      arm.requests.some((request) =>
        request.url.pathname.endsWith(
          "/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.PolicyInsights/checkPolicyRestrictions",
        ),
      ),
    );
    const compliant = await preflight(setup, ownerWorld(), BASE_CONFIG, { policy: policyFor(world) });
    assert.deepEqual(
      resultsOf(compliant.report, "azure-policy").map((result) => result.status),
      ["pass"],
    );
  });
});
