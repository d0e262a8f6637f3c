/**
 * Preflight, Who is signed in (the ARM token's claims), which subscription pulumi up will use, and the identity step.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { identityFromToken } from "../../scripts/core/preflight/azure";
import { resolveSubscription } from "../../scripts/core/preflight/target";
import { createStandInAzureCli } from "../standins/az-cli";
import { SUBSCRIPTION_ID, USER_PRINCIPAL } from "../standins/principals";
import { STAND_IN_TENANT_ID } from "../standins/tokens";
import { BASE_CONFIG, needsOpenssl, only, ownerWorld, preflight, resultsOf, useStandIns } from "./harness";

describe("the signed-in identity from the ARM token's claims", () => {
  const jwt = (claims: Record<string, unknown>) =>
    ["{}", JSON.stringify(claims), "signature"].map((part) => Buffer.from(part).toString("base64url")).join(".");
  const base = { oid: "aaaaaaaa-0000-4000-8000-000000000001", tid: STAND_IN_TENANT_ID };

  // Claims as Entra ID issues them (Learn, "Access token claims reference"): a user's token always carries `scp`
  // (delegated scopes, `user_impersonation` for ARM) and a UPN; an app-only token has no `scp`, and `idtyp: app` where
  // the resource asks for that optional claim.
  test("idtyp decides; without it scp (only in user tokens) means a user, and no scp an application", () => {
    const scp = "user_impersonation";
    assert.equal(
      identityFromToken(jwt({ ...base, idtyp: "user", scp, upn: "dev@contoso.example" })).principalType,
      "User",
    );
    assert.equal(identityFromToken(jwt({ ...base, idtyp: "app", appid: "x" })).principalType, "ServicePrincipal");
    assert.deepEqual(
      identityFromToken(
        jwt({ ...base, scp, unique_name: "dev@contoso.example", appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" }),
      ),
      {
        ...{ objectId: base.oid, tenantId: base.tid },
        principalType: "User",
        userPrincipalName: "dev@contoso.example",
        appId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      },
    );
    assert.deepEqual(identityFromToken(jwt({ ...base, azp: "cccccccc-1111-4000-8000-000000000003" })), {
      objectId: base.oid,
      tenantId: base.tid,
      principalType: "ServicePrincipal",
      appId: "cccccccc-1111-4000-8000-000000000003",
    });
    // An app-only token whose name claims look like a person's is still an application: only scp/idtyp decide.
    assert.equal(
      identityFromToken(jwt({ ...base, azp: "cccccccc-1111-4000-8000-000000000003", preferred_username: "ci@x" }))
        .principalType,
      "ServicePrincipal",
    );
  });

  test("a token without oid or tid, or not a JWT, says so", () => {
    assert.throws(() => identityFromToken(jwt({ tid: base.tid })), /no object ID \(oid\) or tenant \(tid\)/);
    assert.throws(() => identityFromToken("not-a-jwt"), /not a JWT/);
  });
});

describe("subscription pulumi up will use (azure-native's order)", () => {
  const cli = async () => ({ id: "cccccccc-0000-0000-0000-000000000003" });
  test("stack config azure-native:subscriptionId beats ARM_SUBSCRIPTION_ID, which beats az account show", async () => {
    const values = { "azure-native:subscriptionId": "aaaaaaaa-0000-0000-0000-000000000001" };
    const env = { ARM_SUBSCRIPTION_ID: "bbbbbbbb-0000-0000-0000-000000000002" };
    assert.deepEqual(await resolveSubscription(values, env, cli), {
      subscriptionId: "aaaaaaaa-0000-0000-0000-000000000001",
      source: "stack config azure-native:subscriptionId",
    });
    assert.deepEqual(await resolveSubscription({}, env, cli), {
      subscriptionId: "bbbbbbbb-0000-0000-0000-000000000002",
      source: "ARM_SUBSCRIPTION_ID",
    });
    assert.deepEqual(await resolveSubscription({}, {}, cli), {
      subscriptionId: "cccccccc-0000-0000-0000-000000000003",
      source: "az account show",
    });
    assert.equal(await resolveSubscription({}, {}, async () => undefined), undefined);
  });
});

const setup = useStandIns();

describe("preflight: identity", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("identity: a subscription that is Disabled fails, and no other check runs", async () => {
    const world = ownerWorld();
    world.subscription = { displayName: "Stand-in subscription", state: "Disabled" };
    const { report } = await preflight(setup, world);
    assert.equal(report.exitCode, 1);
    assert.equal(only(report, "identity").status, "fail");
    assert.match(only(report, "identity").found, /Disabled/);
    assert.deepEqual(resultsOf(report, "providers"), []);
  });

  test("identity: a subscription the identity cannot see fails and says how to choose another", async () => {
    const world = ownerWorld();
    world.subscription = undefined;
    const { report } = await preflight(setup, world, BASE_CONFIG, { env: { ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID } });
    const identity = only(report, "identity");
    assert.equal(identity.status, "fail");
    assert.match(
      identity.found,
      /cannot read subscription 00000000-1111-2222-3333-444444444444 \(from ARM_SUBSCRIPTION_ID\)/,
    );
    assert.match(identity.fix ?? "", /az account set --subscription ID/);
  });

  test("identity: signed out of the Azure CLI fails first and says to sign in", async () => {
    const signedOut = createStandInAzureCli(USER_PRINCIPAL, { signedIn: false });
    const restore = setup.withAzureCli(signedOut);
    try {
      const { report, arm } = await preflight(setup, ownerWorld());
      assert.deepEqual(
        report.results.map((result) => [result.check, result.status]),
        [
          ["config", "pass"],
          ["identity", "fail"],
        ],
      );
      assert.equal(
        only(report, "identity").found,
        "nobody is signed in to Azure: no credential (Azure CLI, environment, managed identity, GitHub OIDC) gave a Resource Manager token",
      );
      assert.match(only(report, "identity").fix ?? "", /az login/);
      assert.equal(arm.requests.length, 0);
    } finally {
      restore();
      signedOut.dispose();
    }
  });

  test("identity: no subscription chosen anywhere fails with the commands that choose one", async () => {
    const { report } = await preflight(setup, ownerWorld(), BASE_CONFIG, { readAzAccount: async () => undefined });
    const identity = only(report, "identity");
    assert.equal(identity.status, "fail");
    assert.match(identity.found, /no subscription is chosen/);
    assert.match(
      identity.fix ?? "",
      /az account set --subscription ID, or npm run pulumi -- config set azure-native:subscriptionId ID --stack pf/,
    );
  });

  test("identity: azure-native configured for another tenant than the token's fails", async () => {
    const other = "99999999-0000-4000-8000-0000000000ff";
    const { report } = await preflight(setup, ownerWorld(), { ...BASE_CONFIG, "azure-native:tenantId": other });
    const failures = resultsOf(report, "identity").filter((result) => result.status === "fail");
    assert.equal(failures.length, 1);
    assert.match(
      failures[0]?.found ?? "",
      new RegExp(`configured for tenant ${other} .* from tenant ${STAND_IN_TENANT_ID}`),
    );
    assert.match(failures[0]?.fix ?? "", new RegExp(`az login --tenant ${other}`));
    assert.deepEqual(resultsOf(report, "providers"), [], "no other check runs");
  });
});
