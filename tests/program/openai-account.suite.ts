import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cognitiveservices from "@pulumi/azure-native/cognitiveservices";

import { ofType, type ProgramRun, runProgram, single } from "../../scripts/core/offline-engine";
import { sharedRun } from "../support/shared-runs";

const ACCOUNT = "azure-native:cognitiveservices:Account";
const DEPLOYMENT = "azure-native:cognitiveservices:Deployment";

interface AccountInputs {
  accountName: string;
  kind: string;
  sku: { name: string };
  location: string;
  resourceGroupName: string;
  identity: { type: string };
  properties: {
    customSubDomainName: string;
    disableLocalAuth: boolean;
    publicNetworkAccess: string;
    networkAcls: { defaultAction: string; ipRules?: { value: string }[] };
  };
}

interface DeploymentInputs {
  accountName: string;
  deploymentName: string;
  sku: { name: string; capacity: number };
  properties: { model: { format: string; name: string; version: string }; versionUpgradeOption: string };
}

function account(run: ProgramRun): AccountInputs {
  return single(run, ACCOUNT).inputs as unknown as AccountInputs;
}

const THREE_DEPLOYMENTS = [
  "name=chat,model=gpt-5.4-mini,version=2026-03-17",
  "name=reasoning,model=o4-mini,version=2025-04-16,sku=GlobalStandard,capacity=20,upgrade=NoAutoUpgrade",
  "name=eu,model=gpt-5.4,version=2026-03-05,sku=DataZoneStandard,capacity=5",
];

describe("OpenAI account", () => {
  test("is kind OpenAI, SKU S0, token-only, with its custom subdomain as name and endpoint", async () => {
    const run = await sharedRun();
    const inputs = account(run);
    assert.equal(inputs.kind, "OpenAI");
    assert.deepEqual(inputs.sku, { name: "S0" });
    assert.equal(inputs.properties.disableLocalAuth, true);
    assert.equal(inputs.location, "swedencentral");
    assert.equal(inputs.resourceGroupName, "rg-keyless-openai-dev");
    assert.equal(inputs.identity.type, "SystemAssigned");
    // Derived: project-stack-<random suffix from state>; the mock's RandomString yields "k7q2m9".
    assert.equal(inputs.properties.customSubDomainName, "keyless-openai-dev-k7q2m9");
    assert.equal(inputs.accountName, inputs.properties.customSubDomainName);
    assert.equal(run.outputs.endpoint, "https://keyless-openai-dev-k7q2m9.openai.azure.com/");
    assert.equal(run.outputs.accountName, "keyless-openai-dev-k7q2m9");
  });

  test("the random suffix is kept in state as a lower-case alphanumeric RandomString", async () => {
    const run = await sharedRun();
    const suffix = single(run, "random:index/randomString:RandomString");
    assert.deepEqual(suffix.inputs, { length: 6, lower: true, upper: false, numeric: true, special: false });
  });

  test("an explicit subdomain from config is used as is", async () => {
    const run = await sharedRun({ config: { accountSubdomain: "contoso-chat-prod" } });
    assert.equal(account(run).properties.customSubDomainName, "contoso-chat-prod");
    assert.equal(run.outputs.endpoint, "https://contoso-chat-prod.openai.azure.com/");
  });

  test("public network access is Enabled with no IP rules by default", async () => {
    const run = await sharedRun();
    assert.equal(account(run).properties.publicNetworkAccess, "Enabled");
    assert.deepEqual(account(run).properties.networkAcls, { defaultAction: "Allow" });
  });

  test("allowList: the IP ranges on the public endpoint; the stack's VM and Function App through the private endpoint", async () => {
    const run = await sharedRun({
      config: { networkMode: "allowList", allowedIpRanges: ["203.0.113.0/24", "198.51.100.7"] },
    });
    assert.equal(account(run).properties.publicNetworkAccess, "Enabled");
    assert.deepEqual(account(run).properties.networkAcls, {
      defaultAction: "Deny",
      ipRules: [{ value: "203.0.113.0/24" }, { value: "198.51.100.7" }],
    });
    // No subnet carries a service endpoint: the Flex integration subnet cannot (Learn, Flex Consumption networking).
    for (const subnet of ofType(run, "azure-native:network:Subnet")) {
      assert.equal(subnet.inputs.serviceEndpoints, undefined, String(subnet.inputs.subnetName));
    }
    const endpoint = single(run, "azure-native:network:PrivateEndpoint");
    assert.deepEqual(endpoint.inputs.privateLinkServiceConnections, [
      { name: "account", privateLinkServiceId: single(run, ACCOUNT).id, groupIds: ["account"] },
    ]);
    const endpointSubnet = ofType(run, "azure-native:network:Subnet").find(
      (subnet) => subnet.inputs.subnetName === "snet-private-endpoints",
    );
    assert.equal((endpoint.inputs.subnet as { id: string }).id, endpointSubnet?.id);
    // The account's zones only: storage stays on its public endpoint in allowList mode.
    assert.deepEqual(
      ofType(run, "azure-native:privatedns:PrivateZone")
        .map((zone) => zone.inputs.privateZoneName)
        .sort(),
      ["privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com"],
    );
  });

  test("private: public network access Disabled and everything denied", async () => {
    const run = await sharedRun({ config: { networkMode: "private" } });
    assert.equal(account(run).properties.publicNetworkAccess, "Disabled");
    assert.deepEqual(account(run).properties.networkAcls, { defaultAction: "Deny" });
  });

  test("no key is ever listed or output", async () => {
    const run = await sharedRun();
    assert.ok(!run.invokes.some((invoke) => /listkeys/i.test(invoke.token)), "listKeys must never be invoked");
    const outputs = JSON.stringify(run.outputs);
    assert.doesNotMatch(outputs, /key1|key2|apiKey|api-key|primaryKey/i);
  });
});

describe("audit and request logs", () => {
  test("the account sends its Audit and RequestResponse logs to the stack's Log Analytics workspace", async () => {
    const run = await sharedRun();
    const setting = single(run, "azure-native:monitor:DiagnosticSetting").inputs;
    assert.equal(setting.resourceUri, single(run, ACCOUNT).id);
    assert.equal(setting.workspaceId, single(run, "azure-native:operationalinsights:Workspace").id);
    // Category names: Azure Monitor "Supported logs for Microsoft.CognitiveServices/accounts".
    assert.deepEqual(setting.logs, [
      { category: "Audit", enabled: true },
      { category: "RequestResponse", enabled: true },
    ]);
  });
});

describe("model deployments", () => {
  test("each deployment sends its explicit name, model, version, SKU, capacity and upgrade option", async () => {
    const run = await sharedRun({ config: { deployments: THREE_DEPLOYMENTS } });
    const deployments = ofType(run, DEPLOYMENT).map((resource) => resource.inputs as unknown as DeploymentInputs);
    assert.deepEqual(
      deployments.map((d) => [
        d.deploymentName,
        d.properties.model,
        d.sku,
        d.properties.versionUpgradeOption,
        d.accountName,
      ]),
      [
        [
          "chat",
          { format: "OpenAI", name: "gpt-5.4-mini", version: "2026-03-17" },
          { name: "GlobalStandard", capacity: 10 },
          "OnceNewDefaultVersionAvailable",
          "keyless-openai-dev-k7q2m9",
        ],
        [
          "reasoning",
          { format: "OpenAI", name: "o4-mini", version: "2025-04-16" },
          { name: "GlobalStandard", capacity: 20 },
          "NoAutoUpgrade",
          "keyless-openai-dev-k7q2m9",
        ],
        [
          "eu",
          { format: "OpenAI", name: "gpt-5.4", version: "2026-03-05" },
          { name: "DataZoneStandard", capacity: 5 },
          "OnceNewDefaultVersionAvailable",
          "keyless-openai-dev-k7q2m9",
        ],
      ],
    );
    assert.deepEqual(run.outputs.deploymentNames, ["chat", "reasoning", "eu"]);
    assert.equal(run.outputs.defaultDeployment, "chat");
  });

  test("deployments are chained: each depends on the one before it", async () => {
    const run = await sharedRun({ config: { deployments: THREE_DEPLOYMENTS } });
    const [first, second, third] = ofType(run, DEPLOYMENT);
    assert.ok(first && second && third);
    assert.ok(!first.dependencies.some((urn) => urn.includes(DEPLOYMENT)), "the first waits for no other deployment");
    assert.ok(second.dependencies.includes(first.urn), "second waits for first");
    assert.ok(third.dependencies.includes(second.urn), "third waits for second");
  });

  test("the stand-in ARM refuses parallel deployments with 409 RequestConflict, so the chain above is what passes", async () => {
    // Two deployments on one account without dependsOn: what the component would send if it lost its chain.
    const parallel = () => {
      const model = { format: "OpenAI", name: "gpt-5.4-mini", version: "2026-03-17" };
      for (const deploymentName of ["a", "b"]) {
        new cognitiveservices.Deployment(deploymentName, {
          accountName: "parallel-test",
          resourceGroupName: "rg",
          deploymentName,
          sku: { name: "GlobalStandard", capacity: 1 },
          properties: { model },
        });
      }
      return {};
    };
    await assert.rejects(runProgram(parallel), /409 RequestConflict/);
  });

  test("every child is parented to the OpenAiAccount component", async () => {
    const run = await sharedRun();
    const component = single(run, "keyless-openai:ai:OpenAiAccount");
    for (const child of [...ofType(run, ACCOUNT), ...ofType(run, DEPLOYMENT)]) {
      assert.equal(child.parentUrn, component.urn, child.name);
    }
  });
});

describe("protection", () => {
  test("a stack named prod protects the resource group, the account and its deployments", async () => {
    const run = await sharedRun({ stack: "prod" });
    assert.equal(single(run, "azure-native:resources:ResourceGroup").protect, true);
    assert.equal(single(run, ACCOUNT).protect, true);
    assert.ok(ofType(run, DEPLOYMENT).every((deployment) => deployment.protect));
    assert.equal(run.outputs.protected, true);
  });

  test("dev is not protected unless config says so", async () => {
    const dev = await sharedRun();
    assert.equal(single(dev, ACCOUNT).protect, false);
    assert.equal(dev.outputs.protected, false);
    const protectedDev = await sharedRun({ config: { protect: "true" } });
    assert.equal(single(protectedDev, ACCOUNT).protect, true);
  });
});
