/**
 * Azure Policy before `pulumi up`: the ARM body of every planned resource type (literal bodies written from each
 * type's REST spec, one fixture per type in tests/fixtures/arm/bodies/), and the preflight check driving the real @azure/arm-policyinsights and @azure/arm-resources
 * clients, with a real ManagedIdentityCredential (App Service identity stand-in), against the stand-in evaluator on
 * 127.0.0.1 over TLS (the run-time certificate joins Node's default CA list through tls.setDefaultCACertificates).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tls from "node:tls";
import { ManagedIdentityCredential } from "@azure/identity";
import { Account } from "@pulumi/azure-native/cognitiveservices/account";
import { Vault } from "@pulumi/azure-native/keyvault/vault";
import { NetworkInterface } from "@pulumi/azure-native/network/networkInterface";
import { ResourceGroup } from "@pulumi/azure-native/resources/resourceGroup";
import * as random from "@pulumi/random";
import { parseConfig } from "../lib/config";
import { AZURE_TYPES } from "../scripts/core/azure-types";
import { runProgram } from "../scripts/core/offline-engine";
import { type ArmResourceRequest, armRequests, type PlannedAzureResource } from "../scripts/core/preflight/arm-body";
import { azurePolicyChecks } from "../scripts/core/preflight/checks/azure-policy";
import type { PreflightContext } from "../scripts/core/preflight/types";
import { ARM_BODY_CASES } from "./fixtures/arm/bodies";
import { RECORDED_FIELD_RESTRICTIONS } from "./fixtures/arm/policy-restrictions";
import { RG, RG_ID, SUB } from "./fixtures/arm/target";
import { APP_SERVICE_IDENTITY_PATH, appServiceIdentityRoutes } from "./standins/identity";
import {
  aiServicesKeyAccessDenyAssignment,
  namingConventionDenyAssignment,
  type PolicyInsightsState,
  policyInsightsRoutes,
} from "./standins/policy-insights";
import { FUNCTION_APP_PRINCIPAL } from "./standins/principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { plannedResourcesInThread } from "./support/shared-runs";
import { missingTool } from "./support/tools";

const ROOT = process.cwd();

function request(type: string, inputs: Record<string, unknown>, name = "res"): ArmResourceRequest {
  const { requests, unmapped } = armRequests([{ type, name, inputs }], SUB);
  assert.deepEqual(unmapped, [], `${type} has a mapping`);
  return requests[0] as ArmResourceRequest;
}

describe("ARM body of each planned resource type", () => {
  // One case per registry row (tests/fixtures/arm/bodies/): azure-native inputs and the body ARM's REST spec defines.

  for (const row of ARM_BODY_CASES) {
    it(`${row.type} is sent as ARM's body`, () => {
      const sent = request(row.type, row.inputs, row.name);
      assert.deepEqual(sent.body, row.body);
      assert.equal(sent.apiVersion, row.apiVersion);
      assert.equal(sent.resourceGroupName, row.resourceGroupName);
      assert.equal(sent.scope, row.scope);
      assert.deepEqual(sent.placeholders, row.placeholders ?? []);
    });
  }

  it("has a pinned body for every row of the registry", () => {
    // A row in AZURE_TYPES without a case in tests/fixtures/arm/bodies/ fails here.
    assert.deepEqual(Object.keys(AZURE_TYPES).sort(), ARM_BODY_CASES.map((row) => row.type).sort());
  });

  it("skips other providers and reports an azure-native type it does not know", () => {
    const { requests, unmapped } = armRequests(
      [
        { type: "random:index/randomString:RandomString", name: "suffix", inputs: { length: 6 } },
        { type: "azure-native:keyvault:Vault", name: "kv", inputs: { vaultName: "kv" } },
      ],
      SUB,
    );
    assert.deepEqual(requests, []);
    assert.deepEqual(
      unmapped.map((resource) => resource.type),
      ["azure-native:keyvault:Vault"],
    );
  });

  it("derives the dev stack's bodies from its offline plan, every type mapped", async () => {
    const resources = await plannedResourcesInThread(ROOT, "dev");
    const { requests, unmapped } = armRequests(resources, SUB);
    assert.deepEqual(
      unmapped.map((resource) => resource.type),
      [],
      "every Azure type the program declares has a row",
    );
    const account = requests.find((sent) => sent.armType === "Microsoft.CognitiveServices/accounts");
    assert.equal(read(account?.body, "properties", "disableLocalAuth"), true);
    const vm = requests.find((sent) => sent.armType === "Microsoft.Compute/virtualMachines");
    // The plan document masks this setting by its name; the evaluator must see the real boolean.
    assert.equal(
      read(vm?.body, "properties", "osProfile", "linuxConfiguration", "disablePasswordAuthentication"),
      true,
    );
    const everyString = JSON.stringify(requests.map((sent) => [sent.body, sent.scope]));
    assert.ok(!everyString.includes("00000000-1111-2222-3333-444444444444"), "no mock subscription ID is sent");
  });

  it("derives the private prod stack's bodies too, every type mapped (endpoints, zones, NAT, the egress prefix)", async () => {
    const { requests, unmapped } = armRequests(await plannedResourcesInThread(ROOT, "prod"), SUB);
    assert.deepEqual(
      unmapped.map((resource) => resource.type),
      [],
    );
    const account = requests.find((sent) => sent.armType === "Microsoft.CognitiveServices/accounts");
    assert.equal(read(account?.body, "properties", "publicNetworkAccess"), "Disabled");
    const prefix = requests.find((sent) => sent.armType === "Microsoft.Network/publicIPPrefixes");
    assert.equal(read(prefix?.body, "properties", "prefixLength"), 31);
  });
});

function read(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    current = typeof current === "object" && current !== null ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

describe("Azure Policy preflight check against the stand-in evaluator", { skip: missingTool("openssl") }, () => {
  const SUBSCRIPTION_SCOPE = `/subscriptions/${SUB}`;
  let tlsMaterial: TlsMaterial;
  let identity: StandInServer;
  let arm: StandInServer;
  const state: PolicyInsightsState = {
    subscriptionId: SUB,
    resourceGroups: new Set(),
    assignments: [],
    protocolErrors: [],
  };
  let context: PreflightContext;
  const saved = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
  const restoreEnvironment = () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };

  before(async () => {
    tlsMaterial = createSelfSignedCertificate();
    tls.setDefaultCACertificates([...tls.getCACertificates("default"), tlsMaterial.certPem]);
    identity = await startStandIn({
      routes: appServiceIdentityRoutes({ principal: FUNCTION_APP_PRINCIPAL, identityHeader: "policy-test-header" }),
    });
    arm = await startStandIn({ tls: tlsMaterial, routes: policyInsightsRoutes(state) });
    // The App Service source of ManagedIdentityCredential reads these when it asks; after() puts them back.
    process.env.IDENTITY_ENDPOINT = `${identity.origin}${APP_SERVICE_IDENTITY_PATH}`;
    process.env.IDENTITY_HEADER = "policy-test-header";
    context = {
      stack: "dev",
      config: parseConfig(
        { deployments: JSON.stringify(["name=chat,model=gpt-5.4-mini,version=2026-03-17"]) },
        "keyless-openai",
        "dev",
      ),
      subscriptionId: SUB,
      tenantId: "11111111-2222-3333-4444-555555555555",
      credential: new ManagedIdentityCredential(),
      armEndpoint: arm.origin,
      now: new Date("2026-11-29T00:00:00Z"),
      fix: false,
      plannedResources: () => Promise.reject(new Error("each test gives its own plan")),
    };
  });

  after(async () => {
    restoreEnvironment();
    await arm.close();
    await identity.close();
    tlsMaterial.dispose();
  });

  /** A tenant with the built-in key-access policy assigned as Deny, and these resource groups. */
  function tenant(
    resourceGroups: string[],
    assignments = [aiServicesKeyAccessDenyAssignment(SUBSCRIPTION_SCOPE, "deny-ai-key-access")],
  ) {
    state.resourceGroups = new Set(resourceGroups);
    state.assignments = assignments;
    state.protocolErrors = [];
    arm.requests.length = 0;
  }

  /** The plan of a small program: a resource group and one OpenAI account with `disableLocalAuth` as given. */
  function accountPlan(disableLocalAuth: boolean | undefined, extra: () => void = () => {}) {
    return async (): Promise<PlannedAzureResource[]> => {
      const run = await runProgram(() => {
        new ResourceGroup("resource-group", { resourceGroupName: RG, location: "swedencentral" });
        new Account("openai", {
          accountName: "oai-keys",
          resourceGroupName: RG,
          location: "swedencentral",
          kind: "OpenAI",
          sku: { name: "S0" },
          properties: {
            customSubDomainName: "oai-keys",
            ...(disableLocalAuth === undefined ? {} : { disableLocalAuth }),
          },
        });
        new random.RandomString("suffix", { length: 6, special: false });
        extra();
        return {};
      });
      return run.resources.filter((resource) => resource.custom);
    };
  }

  const policyPosts = () => arm.requests.filter((recorded) => recorded.method === "POST");

  it("passes the dev stack (key auth off) at resource group scope", async () => {
    tenant([RG]);
    // The count follows the program (22 Azure resources as of this writing), so it is read from the plan.
    const azureResources = (await plannedResourcesInThread(ROOT, "dev")).filter((resource) =>
      resource.type.startsWith("azure-native:"),
    ).length;
    const results = await azurePolicyChecks({
      ...context,
      plannedResources: () => plannedResourcesInThread(ROOT, "dev"),
    });
    assert.deepEqual(
      results.map((result) => result.status),
      ["pass"],
      JSON.stringify(results),
    );
    assert.ok(
      results[0]?.found.startsWith(
        `${azureResources} planned resource(s) checked against Azure Policy at resource group scope: no Deny`,
      ),
      results[0]?.found,
    );
    assert.deepEqual(state.protocolErrors, []);
    const paths = new Set(policyPosts().map((recorded) => recorded.url.pathname));
    assert.deepEqual([...paths].sort(), [
      `/subscriptions/${SUB}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions`,
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions`,
    ]);
    // One request per planned Azure resource; the resource group itself is always asked at subscription scope.
    assert.equal(policyPosts().length, azureResources);
    const groupBody = JSON.parse(
      policyPosts().find((recorded) => !recorded.url.pathname.includes("/resourceGroups/"))?.body ?? "{}",
    );
    assert.deepEqual(groupBody.resourceDetails.resourceContent.type, "Microsoft.Resources/resourceGroups");
    assert.equal(groupBody.resourceDetails.apiVersion, "2024-03-01");
    assert.ok(policyPosts().every((recorded) => recorded.url.searchParams.get("api-version") === "2024-10-01"));
  });

  it("fails a planned account with key auth on, naming the assignment, the definition and the field", async () => {
    tenant([RG]);
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(false) });
    assert.deepEqual(
      results.map((result) => result.status),
      ["fail"],
    );
    assert.equal(
      results[0]?.found,
      "Microsoft.CognitiveServices/accounts 'oai-keys' (openai) would be denied by policy assignment 'deny-ai-key-access' " +
        "(definition '71ef260a-8f18-47b7-abcb-62d0673d94dc'): Microsoft.CognitiveServices/accounts/disableLocalAuth " +
        "(properties.disableLocalAuth) is false, policy condition NotEquals true",
    );
    assert.equal(
      results[0]?.fix,
      "Change properties.disableLocalAuth in the program so it complies, or ask the owner of the assignment for an " +
        "exemption: az policy exemption create --name <name> --policy-assignment " +
        `/subscriptions/${SUB}/providers/Microsoft.Authorization/policyAssignments/deny-ai-key-access ` +
        `--exemption-category Waiver --resource-group ${RG}`,
    );
  });

  it("plans a stack from its own project directory, whoever its config names, and fails its key-auth account", async () => {
    // The plan fixture program with API keys on and a user the offline engine's stand-in directory does not know.
    const project = mkdtempSync(join(tmpdir(), "policy-project-"));
    try {
      const fixture = join(ROOT, "tests", "fixtures", "plan");
      writeFileSync(
        join(project, "Pulumi.yaml"),
        `${readFileSync(join(fixture, "Pulumi.yaml"), "utf8")}\nmain: ${join(fixture, "index.ts")}\n`,
      );
      writeFileSync(
        join(project, "Pulumi.keys.yaml"),
        "config:\n  keyless-openai:localAuth: true\n  keyless-openai:users:\n    - someone@corp.example\n",
      );
      tenant(["rg-fixture"]);
      const results = await azurePolicyChecks({
        ...context,
        stack: "keys",
        plannedResources: () => plannedResourcesInThread(project, "keys"),
      });
      assert.deepEqual(
        results.map((result) => result.status),
        ["fail"],
        JSON.stringify(results),
      );
      assert.match(
        results[0]?.found ?? "",
        /^Microsoft\.CognitiveServices\/accounts 'openai' \(openai\) would be denied by policy assignment 'deny-ai-key-access'/,
      );
      const grants = policyPosts()
        .map((recorded) => JSON.parse(recorded.body).resourceDetails.resourceContent)
        .filter((content) => content.type === "Microsoft.Authorization/roleAssignments");
      assert.ok(
        grants.some((content) => content.properties.principalId === "ffffffff-ffff-4fff-bfff-ffffffffffff"),
        "the configured user's grant is checked with a placeholder object ID",
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("fails an account that leaves disableLocalAuth out (key auth on by default)", async () => {
    tenant([RG]);
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(undefined) });
    assert.equal(results.length, 1);
    assert.match(
      results[0]?.found ?? "",
      /\(properties\.disableLocalAuth\) is absent, policy condition NotEquals true$/,
    );
  });

  it("asks at subscription scope when the resource group does not exist yet", async () => {
    tenant([]);
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(false) });
    assert.deepEqual(
      results.map((result) => result.status),
      ["fail"],
    );
    assert.match(results[0]?.found ?? "", /policy assignment 'deny-ai-key-access'/);
    // An exemption on a resource group needs the group: the command creates it first.
    assert.match(
      results[0]?.fix ?? "",
      new RegExp(
        `exemption: az group create --name ${RG} --location swedencentral && az policy exemption create --name <name> --policy-assignment \\S+ --exemption-category Waiver --resource-group ${RG}$`,
      ),
    );
    assert.deepEqual(
      arm.requests.map((recorded) => `${recorded.method} ${recorded.url.pathname}`),
      [
        `HEAD /subscriptions/${SUB}/resourcegroups/${RG}`,
        `POST /subscriptions/${SUB}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions`,
        `POST /subscriptions/${SUB}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions`,
      ],
    );
  });

  it("sees an assignment on the resource group through the resource group scope", async () => {
    tenant([RG], [aiServicesKeyAccessDenyAssignment(RG_ID, "rg-deny-ai-key-access")]);
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(false) });
    assert.deepEqual(
      results.map((result) => [result.status, /assignment '([^']+)'/.exec(result.found)?.[1]]),
      [["fail", "rg-deny-ai-key-access"]],
    );
  });

  it("warns, not fails, when the denied value is a placeholder known only after deploy", async () => {
    tenant(
      [RG],
      [
        namingConventionDenyAssignment(
          SUBSCRIPTION_SCOPE,
          "nic-naming",
          "Microsoft.Network/networkInterfaces",
          "nic-*",
        ),
      ],
    );
    const plan = accountPlan(true, () => {
      // No networkInterfaceName: azure-native auto-names it (Pulumi name plus a random suffix).
      new NetworkInterface("vm-nic", { resourceGroupName: RG, location: "swedencentral" });
      new NetworkInterface("named-nic", {
        networkInterfaceName: "bad-name",
        resourceGroupName: RG,
        location: "swedencentral",
      });
    });
    const results = await azurePolicyChecks({ ...context, plannedResources: plan });
    assert.deepEqual(
      results.map((result) => [result.status, result.found]),
      [
        [
          "warn",
          "Microsoft.Network/networkInterfaces 'vm-nic' (vm-nic) would be denied by policy assignment 'nic-naming' " +
            '(definition \'nic-naming\'): name is "vm-nic", policy condition NotLike "nic-*"; that value is a ' +
            "placeholder, known only after deploy",
        ],
        [
          "fail",
          "Microsoft.Network/networkInterfaces 'bad-name' (named-nic) would be denied by policy assignment 'nic-naming' " +
            '(definition \'nic-naming\'): name is "bad-name", policy condition NotLike "nic-*"',
        ],
      ],
    );
  });

  it("passes a compliant plan and says so", async () => {
    tenant([RG]);
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(true) });
    assert.deepEqual(results, [
      {
        check: "azure-policy",
        status: "pass",
        found:
          "2 planned resource(s) checked against Azure Policy at resource group scope: no Deny (0 value(s) known only after deploy were sent as placeholders; assignments inherited from a management group may not be evaluated)",
      },
    ]);
  });

  it("reports a type without a mapping as a warning, not silently", async () => {
    tenant([RG]);
    const plan = accountPlan(true, () => {
      new Vault("key-vault", {
        vaultName: "kv-dev",
        resourceGroupName: RG,
        properties: { tenantId: "11111111-2222-3333-4444-555555555555", sku: { family: "A", name: "standard" } },
      });
    });
    const results = await azurePolicyChecks({ ...context, plannedResources: plan });
    assert.deepEqual(
      results.map((result) => result.status),
      ["warn", "pass"],
    );
    assert.equal(
      results[0]?.found,
      "azure-native:keyvault:Vault (key-vault) has no ARM body mapping, so Azure Policy was not asked about it",
    );
    assert.match(results[0]?.fix ?? "", /AZURE_TYPES in scripts\/core\/azure-types\.ts/);
    assert.equal(policyPosts().length, 2, "the mapped resources were still checked");
  });

  it("reads fieldRestrictions: a denied location and a missing required tag fail, a tag policy fills in warns", async () => {
    tenant([RG], []);
    state.fieldRestrictions = RECORDED_FIELD_RESTRICTIONS;
    state.pendingFieldsSent = [];
    try {
      const plan = async (): Promise<PlannedAzureResource[]> => {
        const run = await runProgram(() => {
          new Account("openai", {
            accountName: "oai-west",
            resourceGroupName: RG,
            location: "westeurope",
            kind: "OpenAI",
            sku: { name: "S0" },
            tags: { stack: "dev" },
            properties: { customSubDomainName: "oai-west", disableLocalAuth: true },
          });
          return {};
        });
        return run.resources.filter((resource) => resource.custom);
      };
      const results = await azurePolicyChecks({ ...context, plannedResources: plan });
      const assignments = "/subscriptions/d8db6de6-2b96-46af-b825-07aef2033c0b/providers/microsoft.authorization";
      assert.deepEqual(
        results.map((result) => [result.status, result.found]),
        [
          [
            "warn",
            "Microsoft.CognitiveServices/accounts 'oai-west' (openai): tags.newtag is required by policy assignment '57DAC8A0' (definition '1D0906C3') (\"tags.newtag is required\"); policy will set it to defaultVal, which the program does not declare (the next pulumi up would see drift)",
          ],
          [
            "fail",
            "Microsoft.CognitiveServices/accounts 'oai-west' (openai): tags.environment is missing, but policy assignment '7EB1508A' (definition '30BD79F6') requires it to be one of Prod, Int, Test (\"tags.environment is required\")",
          ],
          [
            "fail",
            "Microsoft.CognitiveServices/accounts 'oai-west' (openai): location = westeurope is denied by policy assignment '1563EBD3' (definition '0711CCC1') (\"location must be one of the following: eastus, westus, westus2\")",
          ],
        ],
      );
      assert.equal(
        results[2]?.fix,
        `Change location (for location: npm run pulumi -- config set location REGION) to a value the assignment allows, or ask the owner of the assignment for an exemption: az policy exemption create --name <name> --policy-assignment ${assignments}/policyAssignments/1563EBD3 --exemption-category Waiver --resource-group ${RG}`,
      );
      // The fields asked about: where the resource goes and how it is tagged.
      assert.deepEqual(state.pendingFieldsSent, [[{ field: "location", values: ["westeurope"] }, { field: "tags" }]]);
    } finally {
      delete state.fieldRestrictions;
      delete state.pendingFieldsSent;
    }
  });

  it("warns instead of passing when the evaluator cannot be asked", async () => {
    tenant([RG]);
    // A wrong endpoint: ARM answers 404 to every request, which must not read as "no Deny".
    const results = await azurePolicyChecks({
      ...context,
      plannedResources: accountPlan(true),
      armEndpoint: `${arm.origin}/not-arm`,
    });
    assert.ok(results.length > 0);
    assert.ok(
      results.every((result) => result.status === "warn"),
      JSON.stringify(results),
    );
  });
});
