/**
 * Preflight, Azure RBAC evaluated as Azure does (actions / notActions) and the three rights checks built on it.
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { actionPattern, permits } from "../../scripts/core/preflight/permissions";
import { BUILT_IN_ROLE_DEFINITIONS, healthyWorld } from "../standins/arm-preflight";
import { SUBSCRIPTION_ID, USER_PRINCIPAL } from "../standins/principals";
import { STAND_IN_TENANT_ID } from "../standins/tokens";
import { BASE_CONFIG, GROUP, GROUP_ID, LOCATION, needsOpenssl, only, preflight, useStandIns } from "./harness";

describe("permission evaluation (Azure RBAC actions / notActions)", () => {
  const write = "Microsoft.Authorization/roleAssignments/write";
  const purge = "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete";

  test("Owner and User Access Administrator may assign roles; Contributor and Reader may not", () => {
    assert.equal(permits([{ actions: ["*"] }], write), true);
    assert.equal(permits([{ actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] }], write), true);
    assert.equal(permits(BUILT_IN_ROLE_DEFINITIONS.contributor.permissions, write), false);
    assert.equal(permits([{ actions: ["*/read"] }], write), false);
  });

  test("notActions subtract only from their own role: Contributor plus User Access Administrator may assign", () => {
    const both = [
      ...BUILT_IN_ROLE_DEFINITIONS.contributor.permissions,
      ...BUILT_IN_ROLE_DEFINITIONS.userAccessAdministrator.permissions,
    ];
    assert.equal(permits(both, write), true);
  });

  test("Contributor may purge deleted accounts; Reader may not", () => {
    assert.equal(permits(BUILT_IN_ROLE_DEFINITIONS.contributor.permissions, purge), true);
    assert.equal(permits([{ actions: ["*/read"] }], purge), false);
  });

  test("wildcards match any characters including '/', case-insensitively, and nothing else is special", () => {
    assert.equal(actionPattern("Microsoft.Authorization/*/Write").test(write), true);
    assert.equal(actionPattern("microsoft.authorization/ROLEASSIGNMENTS/WRITE").test(write), true);
    assert.equal(actionPattern("Microsoft.Authorization/roleAssignments/*").test(write), true);
    assert.equal(actionPattern("Microsoft.Authorization/roleAssignments/read").test(write), false);
    // '.' is literal: "MicrosoftXAuthorization" must not match "Microsoft.Authorization".
    assert.equal(
      actionPattern("Microsoft.Authorization/*").test("MicrosoftXAuthorization/roleAssignments/write"),
      false,
    );
  });
});

const setup = useStandIns();

describe("preflight: rights", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("resource-rights: a Contributor may not deploy a protected stack: its resource group lock needs Microsoft.Authorization/locks/write", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    world.roleAssignments.push({
      name: "77777777-0000-4000-8000-000000000019",
      scope: `/subscriptions/${SUBSCRIPTION_ID}`,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.contributor.guid,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const protectedStack = { ...BASE_CONFIG, networkMode: "private", production: true, protect: "true" };
    const rights = only(
      (
        await preflight(setup, world, protectedStack, {
          only: ["resource-rights", "role-assignment-rights", "purge-rights"],
        })
      ).report,
      "resource-rights",
    );
    assert.equal(rights.status, "fail");
    assert.match(rights.found, /: no role grants Microsoft\.Authorization\/locks\/write \(read from/);
    assert.match(rights.fix ?? "", /--role Owner/);
    // The same Contributor may deploy the unprotected stack: every other planned write action is granted.
    assert.equal(
      only(
        (
          await preflight(setup, world, BASE_CONFIG, {
            only: ["resource-rights", "role-assignment-rights", "purge-rights"],
          })
        ).report,
        "resource-rights",
      ).status,
      "pass",
    );
  });

  test("role-assignment-rights: a Contributor on the existing group may not assign roles (NotActions), an Owner may", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    world.resourceGroups.push(GROUP);
    world.roleAssignments.push({
      name: "22222222-0000-4000-8000-00000000000b",
      scope: GROUP_ID,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.contributor.guid,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const { report } = await preflight(setup, world, BASE_CONFIG, {
      only: ["resource-rights", "role-assignment-rights", "purge-rights"],
    });
    const rights = only(report, "role-assignment-rights");
    assert.equal(rights.status, "fail");
    assert.match(rights.found, /may not create role assignments on resource group rg-preflight/);
    assert.match(rights.found, /ARM's permissions list for the group/);
    assert.match(rights.fix ?? "", /Role Based Access Control Administrator/);
    assert.equal(report.exitCode, 1);

    world.roleAssignments.push({
      name: "33333333-0000-4000-8000-00000000000c",
      scope: GROUP_ID,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.owner.guid,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const again = await preflight(setup, world, BASE_CONFIG, {
      only: ["resource-rights", "role-assignment-rights", "purge-rights"],
    });
    assert.equal(only(again.report, "role-assignment-rights").status, "pass");
  });

  test("role-assignment-rights: before the group exists, the subscription's assignments decide, including a group's", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    const platformTeam = "44444444-0000-4000-8000-00000000000d";
    world.groupMemberships[USER_PRINCIPAL.objectId] = [platformTeam];
    world.roleAssignments.push({
      name: "55555555-0000-4000-8000-00000000000e",
      scope: `/subscriptions/${SUBSCRIPTION_ID}`,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.contributor.guid,
      principalId: platformTeam,
      principalType: "Group",
    });
    const { report } = await preflight(setup, world, BASE_CONFIG, {
      only: ["resource-rights", "role-assignment-rights", "purge-rights"],
    });
    const rights = only(report, "role-assignment-rights");
    assert.equal(rights.status, "fail");
    assert.match(rights.found, /resource group rg-preflight does not exist yet/);
    assert.equal(only(report, "purge-rights").status, "pass", "Contributor through the group may purge");

    world.roleAssignments.push({
      name: "66666666-0000-4000-8000-00000000000f",
      scope: "/",
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.userAccessAdministrator.guid,
      principalId: platformTeam,
      principalType: "Group",
    });
    assert.equal(
      only(
        (
          await preflight(setup, world, BASE_CONFIG, {
            only: ["resource-rights", "role-assignment-rights", "purge-rights"],
          })
        ).report,
        "role-assignment-rights",
      ).status,
      "pass",
    );
  });

  test("purge-rights: warns when the identity may not purge deleted accounts on the subscription", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    // A custom role some organisations use: everything but purging, plus User Access Administrator to assign roles.
    world.roleDefinitions.push({
      guid: "eeeeeeee-0000-4000-8000-000000000017",
      roleName: "Deployer without purge",
      permissions: [
        { actions: ["*"], notActions: ["Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete"] },
      ],
    });
    for (const roleGuid of [
      "eeeeeeee-0000-4000-8000-000000000017",
      BUILT_IN_ROLE_DEFINITIONS.userAccessAdministrator.guid,
    ]) {
      world.roleAssignments.push({
        name: `77777777-0000-4000-8000-${roleGuid.slice(0, 12)}`,
        scope: `/subscriptions/${SUBSCRIPTION_ID}`,
        roleGuid,
        principalId: USER_PRINCIPAL.objectId,
        principalType: "User",
      });
    }
    const { report } = await preflight(setup, world, BASE_CONFIG, {
      only: ["resource-rights", "role-assignment-rights", "purge-rights"],
    });
    const purge = only(report, "purge-rights");
    assert.equal(purge.status, "warn");
    assert.match(purge.found, /Microsoft\.CognitiveServices\/locations\/resourceGroups\/deletedAccounts\/delete/);
    assert.match(purge.found, /blocked for 48 hours/);
    assert.equal(only(report, "role-assignment-rights").status, "pass");
    assert.equal(only(report, "resource-rights").status, "pass");
    assert.equal(report.exitCode, 0, "a warning does not stop the deploy");
  });

  test("resource-rights: User Access Administrator alone may assign roles but not create the stack's resources", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    world.roleAssignments.push({
      name: "77777777-0000-4000-8000-000000000018",
      scope: `/subscriptions/${SUBSCRIPTION_ID}`,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.userAccessAdministrator.guid,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const { report } = await preflight(
      setup,
      world,
      { ...BASE_CONFIG, compute: "none" },
      { only: ["resource-rights", "role-assignment-rights", "purge-rights"] },
    );
    const rights = only(report, "resource-rights");
    assert.equal(rights.status, "fail");
    assert.match(
      rights.found,
      /no role grants Microsoft\.CognitiveServices\/accounts\/deployments\/write, Microsoft\.CognitiveServices\/accounts\/write, Microsoft\.Insights\/diagnosticSettings\/write, Microsoft\.OperationalInsights\/workspaces\/write, Microsoft\.Resources\/subscriptions\/resourceGroups\/write \(/,
    );
    assert.match(rights.fix ?? "", /--role Contributor --scope \/subscriptions\/00000000-1111-2222-3333-444444444444$/);
    assert.equal(only(report, "role-assignment-rights").status, "pass");
  });
});
