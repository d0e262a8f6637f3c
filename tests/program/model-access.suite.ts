import assert from "node:assert/strict";
import { describe, test } from "node:test";

import program = require("../../index");

import { deployerPrincipalType, principalTypeFromToken } from "../../lib/principals";
import { roleAssignmentName } from "../../lib/role-assignment";
import {
  DEFAULT_DIRECTORY,
  ofType,
  type ProgramRun,
  type RunOptions,
  resourceGroupId,
  runProgram,
  SUBSCRIPTION_ID,
  single,
} from "../../scripts/core/offline-engine";
import { sharedRun } from "../support/shared-runs";

const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const RG_ID = resourceGroupId("rg-keyless-openai-dev");
const ALICE = "a11ce000-0000-4000-8000-000000000002";
const GROUP = "b0b0b0b0-0000-4000-8000-000000000003";
const SP = "5e5e5e5e-0000-4000-8000-000000000004";
const DEPLOYER = DEFAULT_DIRECTORY.deployer.objectId;
/** Role GUIDs as Learn "Azure built-in roles for AI + machine learning" prints them. */
const COGNITIVE_SERVICES_USER = "a97b65f3-24c7-4388-baec-2e87135dc908";
const COGNITIVE_SERVICES_OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";

interface AssignmentInputs {
  principalId: string;
  principalType: string;
  roleDefinitionId: string;
  roleAssignmentName: string;
  scope: string;
}

function assignments(run: ProgramRun): Map<string, AssignmentInputs> {
  return new Map(
    ofType(run, ROLE_ASSIGNMENT)
      .filter((resource) => resource.name.startsWith("model-access-"))
      .map((resource) => [resource.name, resource.inputs as unknown as AssignmentInputs]),
  );
}

// compute "none" keeps the managed identities (tests/program/program.suite.ts) out of these grants.
const EVERYONE: RunOptions["config"] = {
  compute: "none",
  users: ["alice@contoso.com"],
  groups: [GROUP],
  servicePrincipals: [SP],
};

describe("model access grants", () => {
  test("the deployer gets Cognitive Services User on the resource group, as a User, by default", async () => {
    const run = await sharedRun();
    const deployer = assignments(run).get("model-access-deployer");
    assert.deepEqual(deployer, {
      principalId: DEPLOYER,
      principalType: "User",
      roleDefinitionId: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${COGNITIVE_SERVICES_USER}`,
      roleAssignmentName: roleAssignmentName(RG_ID, COGNITIVE_SERVICES_USER, DEPLOYER),
      scope: RG_ID,
      description: "Model access for deployer (keyless-openai/dev)",
    });
  });

  test("users, groups and service principals from config are resolved in Entra ID and typed correctly", async () => {
    const run = await sharedRun({ config: EVERYONE });
    const byName = assignments(run);
    assert.deepEqual(
      [...byName.entries()]
        .map(([name, inputs]) => [name, inputs.principalId, inputs.principalType, inputs.scope])
        .sort(),
      [
        ["model-access-deployer", DEPLOYER, "User", RG_ID],
        [`model-access-group-${GROUP}`, GROUP, "Group", RG_ID],
        [`model-access-sp-${SP}`, SP, "ServicePrincipal", RG_ID],
        ["model-access-user-alice-contoso-com", ALICE, "User", RG_ID],
      ].sort(),
    );
    const lookups = run.invokes.map((invoke) => [invoke.token, JSON.stringify(invoke.inputs)]);
    assert.ok(
      lookups.some(
        ([token, inputs]) => token === "azuread:index/getUser:getUser" && inputs?.includes("alice@contoso.com"),
      ),
    );
    assert.ok(lookups.some(([token]) => token === "azuread:index/getGroup:getGroup"));
    assert.ok(lookups.some(([token]) => token === "azuread:index/getServicePrincipal:getServicePrincipal"));
  });

  test("every assignment sets principalType and a name derived from scope, role and principal", async () => {
    const run = await sharedRun({ config: EVERYONE });
    for (const [name, inputs] of assignments(run)) {
      assert.match(inputs.principalType, /^(User|Group|ServicePrincipal)$/, name);
      const roleGuid = inputs.roleDefinitionId.split("/").pop() ?? "";
      assert.equal(inputs.roleAssignmentName, roleAssignmentName(inputs.scope, roleGuid, inputs.principalId), name);
    }
    const names = [...assignments(run).values()].map((inputs) => inputs.roleAssignmentName);
    assert.equal(new Set(names).size, names.length, "two principals never share a name");
  });

  // Each deployer as the provider's ARM token describes it (Access token claims reference; Optional claims
  // reference for `idtyp`).
  const DEPLOYERS = [
    {
      title: "a person through the Azure CLI is a User",
      objectId: DEPLOYER,
      clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      tokenClaims: { scp: "user_impersonation", idtyp: "user" },
      expected: "User",
    },
    {
      title: "a service principal (OIDC in CI) is a ServicePrincipal",
      objectId: SP,
      clientId: "c1c1c1c1-0000-4000-8000-000000000009",
      tokenClaims: { idtyp: "app", appidacr: "2" },
      expected: "ServicePrincipal",
    },
    {
      title: "a managed identity (a runner VM's identity) is a ServicePrincipal",
      objectId: "3a3a3a3a-0000-4000-8000-00000000000a",
      clientId: "3b3b3b3b-0000-4000-8000-00000000000b",
      tokenClaims: {
        idtyp: "app",
        xms_mirid: `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/rg-ci/providers/Microsoft.Compute/virtualMachines/runner`,
      },
      expected: "ServicePrincipal",
    },
    {
      title: "a person through an unknown public client, with no idtyp in the token, is a User",
      objectId: "4c4c4c4c-0000-4000-8000-00000000000c",
      clientId: "4d4d4d4d-0000-4000-8000-00000000000d",
      tokenClaims: { scp: "user_impersonation" },
      expected: "User",
    },
    {
      title: "an app-only token with neither idtyp nor scp is a ServicePrincipal",
      objectId: "5f5f5f5f-0000-4000-8000-00000000000f",
      clientId: "6a6a6a6a-0000-4000-8000-00000000000a",
      tokenClaims: { roles: ["some.permission"] },
      expected: "ServicePrincipal",
    },
  ] as const;
  for (const deployer of DEPLOYERS) {
    test(`deployer type from the ARM token: ${deployer.title}`, async () => {
      const directory = {
        ...DEFAULT_DIRECTORY,
        deployer: {
          objectId: deployer.objectId,
          clientId: deployer.clientId,
          tokenClaims: { ...deployer.tokenClaims },
        },
      };
      const run = await sharedRun({ directory, config: { compute: "none" } });
      const grant = assignments(run).get("model-access-deployer");
      assert.equal(grant?.principalType, deployer.expected);
      assert.equal(grant?.principalId, deployer.objectId);
      assert.ok(run.invokes.some((invoke) => invoke.token === "azure-native:authorization:getClientToken"));
    });
  }

  test("config can force the deployer's principal type, or leave the deployer out", async () => {
    const forced = await sharedRun({
      config: { deployerPrincipalType: "ServicePrincipal", compute: "none" },
    });
    assert.equal(assignments(forced).get("model-access-deployer")?.principalType, "ServicePrincipal");
    const without = await sharedRun({ config: { grantDeployer: "false", compute: "none" } });
    assert.equal(assignments(without).size, 0);
  });

  test("least privilege: Cognitive Services OpenAI User at account scope", async () => {
    const run = await sharedRun({
      config: { roleName: "CognitiveServicesOpenAIUser", roleScope: "account" },
    });
    const account = single(run, "azure-native:cognitiveservices:Account");
    const deployer = assignments(run).get("model-access-deployer");
    assert.equal(deployer?.scope, account.id);
    assert.match(account.id, /\/providers\/Microsoft\.CognitiveServices\/accounts\/keyless-openai-dev-k7q2m9$/);
    assert.ok(deployer?.roleDefinitionId.endsWith(`/roleDefinitions/${COGNITIVE_SERVICES_OPENAI_USER}`));
  });

  test("an unknown user fails the program, naming the user", async () => {
    await assert.rejects(runProgram(program, { config: { users: ["mallory@contoso.com"] } }), /mallory@contoso\.com/);
  });

  test("the roleAssignments output is the access matrix", async () => {
    const run = await sharedRun({ config: { users: ["alice@contoso.com"], compute: "none" } });
    assert.deepEqual(run.outputs.roleAssignments, [
      {
        principal: "deployer (pulumi up)",
        principalId: DEPLOYER,
        principalType: "User",
        role: "CognitiveServicesUser",
        roleGuid: COGNITIVE_SERVICES_USER,
        scope: RG_ID,
      },
      {
        principal: "alice@contoso.com",
        principalId: ALICE,
        principalType: "User",
        role: "CognitiveServicesUser",
        roleGuid: COGNITIVE_SERVICES_USER,
        scope: RG_ID,
      },
    ]);
  });

  test("every assignment is parented to the ModelAccess component", async () => {
    const run = await sharedRun({ config: EVERYONE });
    const component = single(run, "keyless-openai:access:ModelAccess");
    for (const resource of ofType(run, ROLE_ASSIGNMENT).filter((r) => r.name.startsWith("model-access-"))) {
      assert.equal(resource.parentUrn, component.urn, resource.name);
    }
  });
});

describe("deterministic role assignment names", () => {
  test("the same inputs give the same names across two runs", async () => {
    // The shared run is evaluated in a worker thread; the second evaluation runs here, afresh.
    const first = await sharedRun({ config: EVERYONE });
    const second = await runProgram(program, { config: EVERYONE });
    const names = (run: ProgramRun) =>
      [...assignments(run).entries()].map(([name, inputs]) => [name, inputs.roleAssignmentName]);
    assert.deepEqual(names(first), names(second));
  });

  test("a different principal, role or scope gives a different name; scope case does not", () => {
    const base = roleAssignmentName(RG_ID, COGNITIVE_SERVICES_USER, DEPLOYER);
    assert.match(base, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(roleAssignmentName(RG_ID, COGNITIVE_SERVICES_USER, ALICE), base);
    assert.notEqual(roleAssignmentName(RG_ID, COGNITIVE_SERVICES_OPENAI_USER, DEPLOYER), base);
    assert.notEqual(roleAssignmentName(resourceGroupId("rg-other"), COGNITIVE_SERVICES_USER, DEPLOYER), base);
    assert.equal(roleAssignmentName(RG_ID.toUpperCase(), COGNITIVE_SERVICES_USER, DEPLOYER), base);
  });

  test("a different stack (another resource group) gives different names for the same principal", async () => {
    const dev = await sharedRun();
    const staging = await sharedRun({ stack: "staging" });
    assert.notEqual(
      assignments(dev).get("model-access-deployer")?.roleAssignmentName,
      assignments(staging).get("model-access-deployer")?.roleAssignmentName,
    );
  });
});

describe("deployer principal type detection", () => {
  const jwt = (claims: object) =>
    `${Buffer.from('{"typ":"JWT","alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

  test("the override wins over the token; auto reads idtyp first, then scp", () => {
    assert.equal(deployerPrincipalType("User", jwt({ idtyp: "app" })), "User");
    assert.equal(deployerPrincipalType("ServicePrincipal", jwt({ scp: "user_impersonation" })), "ServicePrincipal");
    assert.equal(deployerPrincipalType("auto", jwt({ idtyp: "app", scp: "user_impersonation" })), "ServicePrincipal");
    assert.equal(deployerPrincipalType("auto", jwt({ idtyp: "user" })), "User");
    assert.equal(deployerPrincipalType("auto", jwt({ scp: "user_impersonation" })), "User");
    assert.equal(deployerPrincipalType("auto", jwt({ scp: " " })), "ServicePrincipal");
    assert.equal(
      deployerPrincipalType("auto", jwt({ appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" })),
      "ServicePrincipal",
    );
  });

  test("an unreadable token is refused with the override to use, unless the override is set", () => {
    assert.throws(() => principalTypeFromToken("not-a-jwt"), /set deployerPrincipalType to User or ServicePrincipal/);
    assert.throws(() => principalTypeFromToken("a.bm90IGpzb24.c"), /not a readable JWT/);
    assert.equal(deployerPrincipalType("User", "not-a-jwt"), "User");
  });
});
