/**
 * The one registry of Azure types (scripts/core/azure-types.ts) against what the program plans: the program run
 * under the mock engine with each config, so a type the program starts declaring can never be silently missed, and a
 * row the program does not need is found too.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AZURE_TYPES, apiVersionOf } from "../../scripts/core/azure-types";
import { providersNeeded } from "../../scripts/core/preflight/checks/providers";
import { writeActionsNeeded } from "../../scripts/core/preflight/checks/rights";
import { plannedResourcesInThread } from "../support/shared-runs";
import { BASE_CONFIG, projectWith, ROOT, STACK, useStandIns } from "./harness";

const setup = useStandIns();

/** Configs whose plans differ in the types they declare: each compute kind, SSH, allowList, private, protected production. */
const PLANNED_CONFIGS: [string, Record<string, unknown>][] = [
  ["compute vm", { compute: "vm" }],
  ["compute vm with SSH", { compute: "vm", sshAllowedCidrs: ["203.0.113.0/24"] }],
  ["compute functionApp", { compute: "functionApp" }],
  ["compute both", { compute: "both" }],
  ["compute none", { compute: "none" }],
  ["allowList mode", { compute: "both", networkMode: "allowList", allowedIpRanges: ["203.0.113.0/24"] }],
  ["private mode", { compute: "both", networkMode: "private" }],
  ["protected production", { compute: "both", networkMode: "private", production: true, protect: "true" }],
];

describe("preflight asks for what the program plans (the program run under the mock engine)", () => {
  for (const [label, config] of PLANNED_CONFIGS) {
    test(`${label}: every planned Azure type has a namespace and a write action`, async () => {
      const resources = await plannedResourcesInThread(
        projectWith(setup.scratch, `planned-${label.replace(/\W+/g, "-")}`, { ...BASE_CONFIG, ...config }),
        STACK,
      );
      const azureTypes = new Set(
        resources.map((resource) => resource.type).filter((type) => type.startsWith("azure-native:")),
      );
      assert.ok(azureTypes.has("azure-native:cognitiveservices:Account"), "the plan is the program's");
      assert.deepEqual(providersNeeded(resources).unknown, [], "every type has a namespace");
      const { actions, unknown } = writeActionsNeeded(resources, { groupExists: false });
      assert.deepEqual(unknown, [], "every type has a write action");
      assert.ok(
        !actions.includes("Microsoft.Authorization/roleAssignments/write"),
        "role assignments are checked apart",
      );
      // Spot checks that the derivation follows the config, not a fixed list.
      assert.equal(
        actions.includes("Microsoft.Compute/virtualMachines/write"),
        config.compute === "vm" || config.compute === "both",
      );
      assert.equal(
        actions.includes("Microsoft.Web/sites/write"),
        config.compute === "functionApp" || config.compute === "both",
      );
      // allowList and private both give the account a private endpoint (docs/networking.md).
      assert.equal(
        actions.includes("Microsoft.Network/privateEndpoints/write"),
        config.networkMode === "private" || config.networkMode === "allowList",
      );
      assert.equal(actions.includes("Microsoft.Network/publicIPAddresses/write"), "sshAllowedCidrs" in config);
      assert.equal(actions.includes("Microsoft.Authorization/locks/write"), config.protect === "true");
      assert.equal(
        writeActionsNeeded(resources, { groupExists: true }).actions.includes(
          "Microsoft.Resources/subscriptions/resourceGroups/write",
        ),
        false,
        "an existing group is not created again",
      );
    });
  }

  test("the dev stack (Pulumi.dev.yaml): exactly these namespaces and write actions", async () => {
    const resources = await plannedResourcesInThread(ROOT, "dev");
    // Every row counts: without the devtestlab:GlobalSchedule row this fails (unknown type, missing namespace).
    assert.deepEqual(providersNeeded(resources), {
      namespaces: [
        "Microsoft.CognitiveServices",
        "Microsoft.Compute",
        "Microsoft.DevTestLab",
        "Microsoft.Insights",
        "Microsoft.ManagedIdentity",
        "Microsoft.Network",
        "Microsoft.OperationalInsights",
        "Microsoft.Storage",
        "Microsoft.Web",
      ],
      unknown: [],
    });
    assert.deepEqual(writeActionsNeeded(resources, { groupExists: false }), {
      actions: [
        "Microsoft.CognitiveServices/accounts/deployments/write",
        "Microsoft.CognitiveServices/accounts/write",
        "Microsoft.Compute/virtualMachines/write",
        "Microsoft.DevTestLab/schedules/write",
        "Microsoft.Insights/components/write",
        "Microsoft.Insights/diagnosticSettings/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        "Microsoft.Network/networkInterfaces/write",
        "Microsoft.Network/networkSecurityGroups/write",
        "Microsoft.Network/virtualNetworks/subnets/write",
        "Microsoft.Network/virtualNetworks/write",
        "Microsoft.OperationalInsights/workspaces/write",
        "Microsoft.Resources/subscriptions/resourceGroups/write",
        "Microsoft.Storage/storageAccounts/blobServices/containers/write",
        "Microsoft.Storage/storageAccounts/write",
        "Microsoft.Web/serverfarms/write",
        "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
        "Microsoft.Web/sites/config/write",
        "Microsoft.Web/sites/write",
      ],
      unknown: [],
    });
  });

  test("the prod stack (Pulumi.prod.yaml, private, protected): exactly these namespaces and write actions", async () => {
    const resources = await plannedResourcesInThread(ROOT, "prod");
    assert.deepEqual(providersNeeded(resources), {
      namespaces: [
        "Microsoft.App",
        "Microsoft.CognitiveServices",
        "Microsoft.Compute",
        "Microsoft.Insights",
        "Microsoft.ManagedIdentity",
        "Microsoft.Network",
        "Microsoft.OperationalInsights",
        "Microsoft.Storage",
        "Microsoft.Web",
      ],
      unknown: [],
    });
    assert.deepEqual(writeActionsNeeded(resources, { groupExists: false }), {
      actions: [
        "Microsoft.Authorization/locks/write",
        "Microsoft.CognitiveServices/accounts/deployments/write",
        "Microsoft.CognitiveServices/accounts/write",
        "Microsoft.Compute/virtualMachines/write",
        "Microsoft.Insights/components/write",
        "Microsoft.Insights/diagnosticSettings/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        "Microsoft.Network/natGateways/write",
        "Microsoft.Network/networkInterfaces/write",
        "Microsoft.Network/networkSecurityGroups/write",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
        "Microsoft.Network/privateDnsZones/write",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write",
        "Microsoft.Network/privateEndpoints/write",
        "Microsoft.Network/publicIPPrefixes/write",
        "Microsoft.Network/virtualNetworks/subnets/write",
        "Microsoft.Network/virtualNetworks/write",
        "Microsoft.OperationalInsights/workspaces/write",
        "Microsoft.Resources/subscriptions/resourceGroups/write",
        "Microsoft.Storage/storageAccounts/blobServices/containers/write",
        "Microsoft.Storage/storageAccounts/write",
        "Microsoft.Web/serverfarms/write",
        "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
        "Microsoft.Web/sites/config/write",
        "Microsoft.Web/sites/write",
      ],
      unknown: [],
    });
  });

  test("a planned type without a row is reported by both checks, never skipped", async () => {
    const resources = [
      { type: "azure-native:keyvault:Vault", name: "vault", inputs: {} },
      { type: "random:index/randomString:RandomString", name: "suffix", inputs: {} },
    ];
    assert.deepEqual(providersNeeded(resources), { namespaces: [], unknown: ["azure-native:keyvault:Vault"] });
    assert.deepEqual(writeActionsNeeded(resources, { groupExists: true }), {
      actions: [],
      unknown: ["azure-native:keyvault:Vault"],
    });
  });
});

describe("the registry: one row per declared type, none unused, API versions from azure-native", () => {
  test("every Azure type the dev, prod and variant programs declare has a row, and every row is declared", async () => {
    const declared = new Set<string>();
    const plans = [
      await plannedResourcesInThread(ROOT, "dev"),
      await plannedResourcesInThread(ROOT, "prod"),
      ...(await Promise.all(
        PLANNED_CONFIGS.map(([label, config]) =>
          plannedResourcesInThread(
            projectWith(setup.scratch, `registry-${label.replace(/\W+/g, "-")}`, { ...BASE_CONFIG, ...config }),
            STACK,
          ),
        ),
      )),
    ];
    for (const plan of plans) {
      for (const resource of plan) if (resource.type.startsWith("azure-native:")) declared.add(resource.type);
    }
    assert.deepEqual(
      [...declared].filter((type) => AZURE_TYPES[type] === undefined),
      [],
      "declared without a row",
    );
    assert.deepEqual(
      Object.keys(AZURE_TYPES).filter((type) => !declared.has(type)),
      [],
      "a row no program declares",
    );
  });

  test("API versions are the ones azure-native's modules name", () => {
    // "Uses Azure REST API version ..." in @pulumi/azure-native 3.28.0's modules.
    assert.equal(apiVersionOf("azure-native:cognitiveservices:Account"), "2025-06-01");
    assert.equal(apiVersionOf("azure-native:resources:ResourceGroup"), "2024-03-01");
    assert.equal(apiVersionOf("azure-native:monitor:DiagnosticSetting"), "2021-05-01-preview");
    assert.equal(apiVersionOf("azure-native:devtestlab:GlobalSchedule"), "2018-09-15");
    assert.equal(apiVersionOf("azure-native:web:WebAppFtpAllowed"), "2025-05-01");
    for (const type of Object.keys(AZURE_TYPES))
      assert.match(apiVersionOf(type), /^\d{4}-\d{2}-\d{2}(-preview)?$/, type);
  });
});
