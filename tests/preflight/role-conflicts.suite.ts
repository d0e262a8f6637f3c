/**
 * Preflight, Role assignments made outside the stack for the same principal, role and scope (409 RoleAssignmentExists).
 * Run in-process against the ARM stand-in (tests/preflight/harness.ts).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { roleAssignmentName } from "../../lib/role-assignment";
import { BUILT_IN_ROLE_DEFINITIONS } from "../standins/arm-preflight";
import { USER_PRINCIPAL } from "../standins/principals";
import { sharedRun } from "../support/shared-runs";
import {
  BASE_CONFIG,
  COGNITIVE_SERVICES_USER,
  DIRECTORY_GROUP,
  GROUP,
  GROUP_ID,
  needsOpenssl,
  only,
  ownerWorld,
  preflight,
  resultsOf,
  STACK,
  useStandIns,
} from "./harness";

const setup = useStandIns();

describe("preflight: role-conflicts", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("role-assignment-conflicts: a hand-made assignment for the deployer is named, with the pulumi import command", async () => {
    const world = ownerWorld();
    world.resourceGroups.push(GROUP);
    const byHand = "88888888-0000-4000-8000-000000000011";
    world.roleAssignments.push({
      name: byHand,
      scope: GROUP_ID,
      roleGuid: COGNITIVE_SERVICES_USER,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const { report } = await preflight(setup, world, BASE_CONFIG, { only: ["role-assignment-conflicts"] });
    const conflict = only(report, "role-assignment-conflicts");
    assert.equal(conflict.status, "fail");
    assert.match(conflict.found, new RegExp(`role assignment ${byHand} .*not made by this stack`));
    assert.match(conflict.found, /409 RoleAssignmentExists/);
    const id = `${GROUP_ID}/providers/Microsoft.Authorization/roleAssignments/${byHand}`;
    assert.ok(
      (conflict.fix ?? "").includes(
        `npm run pulumi -- import azure-native:authorization:RoleAssignment model-access-deployer ${id} --parent 'model-access=urn:pulumi:pf::keyless-openai::keyless-openai:access:ModelAccess::model-access' --stack pf`,
      ),
      conflict.fix,
    );
    assert.match(conflict.fix ?? "", /npm run pulumi -- config set grantDeployer false --stack pf/);
    assert.equal(report.exitCode, 1);
  });

  test("role-assignment-conflicts: the stack's own assignment (deterministic name) and other roles do not clash", async () => {
    const world = ownerWorld();
    world.resourceGroups.push(GROUP);
    const group = "99999999-0000-4000-8000-000000000012";
    world.roleAssignments.push(
      {
        // Named as lib/role-assignment.ts names the stack's grants: the stack's own.
        name: roleAssignmentName(GROUP_ID, COGNITIVE_SERVICES_USER, USER_PRINCIPAL.objectId),
        scope: GROUP_ID,
        roleGuid: COGNITIVE_SERVICES_USER,
        principalId: USER_PRINCIPAL.objectId,
        principalType: "User",
      },
      {
        // Another role for the configured group: not the trio the stack creates.
        name: "aaaaaaaa-1111-4000-8000-000000000013",
        scope: GROUP_ID,
        roleGuid: BUILT_IN_ROLE_DEFINITIONS.reader.guid,
        principalId: group,
        principalType: "Group",
      },
    );
    const { report } = await preflight(
      setup,
      world,
      { ...BASE_CONFIG, groups: [group], users: ["alice@contoso.com"] },
      { only: ["role-assignment-conflicts"] },
    );
    const results = resultsOf(report, "role-assignment-conflicts");
    assert.deepEqual(
      results.map((result) => result.status),
      ["pass", "warn"],
    );
    assert.match(results[0]?.found ?? "", /grantDeployer = true, groups\[0\] = 99999999-0000-4000-8000-000000000012/);
    assert.match(results[1]?.found ?? "", /not checked for users alice@contoso\.com/);
  });

  test("role-assignment-conflicts: a hand-made assignment for a configured group says which entry to drop", async () => {
    const world = ownerWorld();
    world.resourceGroups.push(GROUP);
    // A group the offline engine's directory knows too, so the test below can run the program with it.
    const group = DIRECTORY_GROUP;
    world.roleAssignments.push({
      name: "cccccccc-3333-4000-8000-000000000015",
      scope: GROUP_ID,
      roleGuid: COGNITIVE_SERVICES_USER,
      principalId: group,
      principalType: "Group",
    });
    const conflict = only(
      (
        await preflight(
          setup,
          world,
          { ...BASE_CONFIG, groups: [group], grantDeployer: false },
          { only: ["role-assignment-conflicts"] },
        )
      ).report,
      "role-assignment-conflicts",
    );
    assert.equal(conflict.status, "fail");
    assert.match(conflict.fix ?? "", /npm run pulumi -- config rm --path 'groups\[0\]' --stack pf/);
    assert.match(conflict.fix ?? "", /model-access-group-b0b0b0b0-0000-4000-8000-000000000003 /);
  });

  test("role-assignment-conflicts: the import command names resources the program declares, under that parent", async () => {
    const run = await sharedRun({ stack: STACK, config: { groups: [DIRECTORY_GROUP] } });
    const assignments = run.resources.filter(
      (resource) => resource.type === "azure-native:authorization:RoleAssignment",
    );
    const parent = "urn:pulumi:pf::keyless-openai::keyless-openai:access:ModelAccess::model-access";
    for (const name of ["model-access-deployer", `model-access-group-${DIRECTORY_GROUP}`]) {
      const declared = assignments.find((resource) => resource.name === name);
      assert.ok(declared, `the program declares ${name}: ${assignments.map((resource) => resource.name).join(", ")}`);
      // The mock engine keeps the root stack's type in the URN; the real engine drops it (pulumi/pulumi
      // pkg/resource/deploy/deployment.go generateURN: "don't use the root stack type"), as the import command does.
      assert.equal(declared.parentUrn.replace("::pulumi:pulumi:Stack$", "::"), parent);
    }
  });
});
