import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { roleAssignmentName } from "../../lib/role-assignment";
import { ofType, type ProgramRun, resourceGroupId, single } from "../../scripts/core/offline-engine";
import { sharedRun } from "../support/shared-runs";

const VM = "azure-native:compute:VirtualMachine";
const WEB_APP = "azure-native:web:WebApp";
const ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";
const RG_ID = resourceGroupId("rg-keyless-openai-dev");

interface Grant {
  principalId: string;
  principalType: string;
  roleDefinitionId: string;
  roleAssignmentName: string;
  scope: string;
}

function modelGrant(run: ProgramRun, key: string): Grant | undefined {
  const found = ofType(run, ROLE_ASSIGNMENT).find((resource) => resource.name === `model-access-${key}`);
  return found?.inputs as unknown as Grant | undefined;
}

function principalOf(run: ProgramRun, type: string): string {
  const identity = single(run, type).state.identity as { type: string; principalId: string };
  // The Function App also carries its user-assigned host identity; its system-assigned one calls the model.
  assert.ok(["SystemAssigned", "SystemAssigned, UserAssigned"].includes(identity.type), identity.type);
  return identity.principalId;
}

describe("composition", () => {
  test("compute 'both': the VM's and the Function App's system identities get Cognitive Services User on the resource group as service principals", async () => {
    const run = await sharedRun({ config: { compute: "both" } });
    for (const [key, type] of [
      ["vm", VM],
      ["function-app", WEB_APP],
    ] as const) {
      const principalId = principalOf(run, type);
      assert.deepEqual(modelGrant(run, key), {
        principalId,
        principalType: "ServicePrincipal",
        // Cognitive Services User, as Learn "Azure built-in roles for AI + machine learning" prints it.
        roleDefinitionId:
          "/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.Authorization/roleDefinitions/a97b65f3-24c7-4388-baec-2e87135dc908",
        roleAssignmentName: roleAssignmentName(RG_ID, "a97b65f3-24c7-4388-baec-2e87135dc908", principalId),
        scope: RG_ID,
        description: `Model access for ${key} (keyless-openai/dev)`,
      });
    }
    assert.equal(run.outputs.vmPrincipalId, principalOf(run, VM));
    assert.equal(run.outputs.functionAppPrincipalId, principalOf(run, WEB_APP));
    assert.equal(run.outputs.vmName, "vm-dev");
    assert.match(String(run.outputs.functionAppHostName), /^func-keyless-[a-z0-9]{6}\.azurewebsites\.net$/);
  });

  test("the Function App's host identity gets storage and telemetry roles, and no model role; the system identity calls the model", async () => {
    const run = await sharedRun({ config: { compute: "functionApp" } });
    const host = single(run, "azure-native:managedidentity:UserAssignedIdentity").state.principalId as string;
    assert.equal(run.outputs.functionAppHostIdentityPrincipalId, host);
    const hostRoles = ofType(run, ROLE_ASSIGNMENT)
      .filter((grant) => grant.inputs.principalId === host)
      .map((grant) => String(grant.inputs.roleDefinitionId).split("/").pop())
      .sort();
    // Built-in roles: Monitoring Metrics Publisher, Storage Table Data Contributor, Storage Blob Data Owner.
    assert.deepEqual(hostRoles, [
      "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
      "3913510d-42f4-4e42-8a64-420c390055eb",
      "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    ]);
    const systemRoles = ofType(run, ROLE_ASSIGNMENT)
      .filter((grant) => grant.inputs.principalId === principalOf(run, WEB_APP))
      .map((grant) => String(grant.inputs.roleDefinitionId).split("/").pop());
    // Cognitive Services User only.
    assert.deepEqual(systemRoles, ["a97b65f3-24c7-4388-baec-2e87135dc908"]);
  });

  test("the Function App is told the account endpoint and the default deployment, and no dated API version", async () => {
    const run = await sharedRun({ config: { compute: "functionApp" } });
    const settings = single(run, "azure-native:web:WebAppApplicationSettings").inputs.properties as Record<
      string,
      string
    >;
    assert.equal(settings.AZURE_OPENAI_ENDPOINT, run.outputs.endpoint);
    assert.equal(settings.AZURE_OPENAI_DEPLOYMENT, "chat");
    // The function calls the v1 API (`{endpoint}openai/v1/chat/completions`), which takes no api-version.
    assert.ok(!("AZURE_OPENAI_API_VERSION" in settings), "no api-version setting");
    assert.ok(!("apiVersion" in run.outputs), "no apiVersion stack output");
  });

  for (const [kind, vms, apps] of [
    ["vm", 1, 0],
    ["functionApp", 0, 1],
    ["none", 0, 0],
  ] as const) {
    test(`compute '${kind}' deploys ${vms} VM and ${apps} Function App, and grants only what exists`, async () => {
      const run = await sharedRun({ config: { compute: kind } });
      assert.equal(ofType(run, VM).length, vms);
      assert.equal(ofType(run, WEB_APP).length, apps);
      assert.equal(modelGrant(run, "vm") !== undefined, vms === 1);
      assert.equal(modelGrant(run, "function-app") !== undefined, apps === 1);
      assert.equal(run.outputs.vmName !== undefined, vms === 1);
      assert.equal(run.outputs.functionAppHostName !== undefined, apps === 1);
      assert.equal(run.outputs.compute, kind);
    });
  }

  test("VM settings from config reach the VM", async () => {
    const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx0cmVhbHN0YW5kaW5rZXlmb3J0ZXN0c29ubHkxMjM0 me@laptop";
    const run = await sharedRun({
      config: { compute: "vm", vmSize: "Standard_D2as_v5", sshPublicKey: key, vmAdminUsername: "ops" },
    });
    const vm = single(run, VM).inputs as {
      hardwareProfile: { vmSize: string };
      osProfile: {
        adminUsername: string;
        linuxConfiguration: { ssh: { publicKeys: { keyData: string; path: string }[] } };
      };
    };
    assert.equal(vm.hardwareProfile.vmSize, "Standard_D2as_v5");
    assert.equal(vm.osProfile.adminUsername, "ops");
    assert.deepEqual(vm.osProfile.linuxConfiguration.ssh.publicKeys, [
      { keyData: key, path: "/home/ops/.ssh/authorized_keys" },
    ]);
  });

  test("the stack outputs hold no secret: no private key, no key, no connection secret", async () => {
    const run = await sharedRun();
    const text = JSON.stringify(run.outputs);
    assert.doesNotMatch(text, /PRIVATE KEY|AccountKey=|SharedAccessSignature|sig=/);
    assert.deepEqual(run.outputs.smokeTestCommands, ["npm run smoke -- --stack dev"]);
  });
});
