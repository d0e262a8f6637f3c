/**
 * The components' entry point (components/index.ts), used as docs/what-it-deploys.md's "Use the components in your own stack"
 * example does: OpenAiAccount and ModelAccess composed into a program that already has its resource group, run
 * under the offline engine.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type DeploymentSpec,
  FunctionApp,
  LinuxVm,
  ModelAccess,
  type ModelAccessPrincipal,
  OpenAiAccount,
} from "../../components";
import { runProgram, single } from "../../scripts/core/offline-engine";

const SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";
const EXISTING_RESOURCE_GROUP = "rg-existing-app";
const API_IDENTITY = "7d3e9a1c-5b2f-4e8d-9c6a-1f0b2d4e6a8c";

/** The docs/what-it-deploys.md example, as written there. */
function readmeExample() {
  const deployments: DeploymentSpec[] = [
    {
      name: "chat",
      model: "gpt-5.2", // what `npm run models` picks for your region
      version: "2025-12-11",
      sku: "GlobalStandard",
      capacity: 10,
      versionUpgradeOption: "OnceNewDefaultVersionAvailable",
    },
  ];
  const account = new OpenAiAccount("openai", {
    resourceGroupName: EXISTING_RESOURCE_GROUP,
    location: "swedencentral",
    customSubdomain: "contoso-chat-prod",
    network: { mode: "public" },
    deployments,
  });
  const principals: ModelAccessPrincipal[] = [
    { key: "api", displayName: "api (managed identity)", principalId: API_IDENTITY, principalType: "ServicePrincipal" },
  ];
  const access = new ModelAccess("model-access", {
    subscriptionId: SUBSCRIPTION,
    scope: account.accountId,
    role: "CognitiveServicesOpenAIUser",
    principals,
  });
  return { endpoint: account.endpoint, grants: access.grants };
}

describe("components entry point", () => {
  test("exports the four components", () => {
    for (const component of [OpenAiAccount, ModelAccess, LinuxVm, FunctionApp]) {
      assert.equal(typeof component, "function");
    }
  });

  test("OpenAiAccount and ModelAccess compose into an existing stack", async () => {
    const run = await runProgram(readmeExample);
    const account = single(run, "azure-native:cognitiveservices:Account");
    assert.equal(account.inputs.resourceGroupName, EXISTING_RESOURCE_GROUP);
    assert.deepEqual(
      (account.inputs.properties as { customSubDomainName: string; disableLocalAuth: boolean }).disableLocalAuth,
      true,
    );
    const assignment = single(run, "azure-native:authorization:RoleAssignment");
    assert.equal(assignment.inputs.scope, account.id);
    assert.equal(assignment.inputs.principalId, API_IDENTITY);
    assert.equal(assignment.inputs.principalType, "ServicePrincipal");
    // Cognitive Services OpenAI User, as Learn's built-in roles page prints its ID.
    assert.equal(
      assignment.inputs.roleDefinitionId,
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/5e0bd9bd-7b93-4f28-af87-19fc36ad61bd`,
    );
    assert.equal(run.outputs.endpoint, "https://contoso-chat-prod.openai.azure.com/");
  });
});
