/**
 * The private stack as committed (Pulumi.prod.yaml, read the way the CLI hands it to the program), under the mock
 * engine, and the configurations that would lock a stack out of its own model, refused. Expected values are literals
 * from the sources named beside them (Learn private DNS zone values, the Azure Policy built-ins' fields).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";

import { ConfigError, parseConfig } from "../../lib/config";
import { GUARDRAILS, ruleApplies } from "../../policy/rules";
import { ofType, type ProgramRun, type RecordedResource, single } from "../../scripts/core/offline-engine";
import { readStackConfig, withUnpinnedModelPlanned } from "../../scripts/core/stack-config";
import { sharedRun } from "../support/shared-runs";

const root = join(__dirname, "..", "..");
const SUBNET = "azure-native:network:Subnet";
/** A model pinned as `npm run models -- --pin` writes it: lib/config.ts accepts no stack without one. */
const PINNED = { deployments: JSON.stringify(["name=chat,model=gpt-5.4-mini,version=2026-03-17"]) };
const ENDPOINT = "azure-native:network:PrivateEndpoint";
const ZONE = "azure-native:privatedns:PrivateZone";
const ZONE_LINK = "azure-native:privatedns:VirtualNetworkLink";
const ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup";

function subnetNamed(run: ProgramRun, name: string): RecordedResource {
  const found = ofType(run, SUBNET).find((subnet) => subnet.inputs.subnetName === name);
  assert.ok(found, `subnet ${name}`);
  return found;
}

/** The zones a private endpoint's zone group writes to, sorted. */
function zonesOf(run: ProgramRun, endpoint: RecordedResource): string[] {
  const group = ofType(run, ZONE_GROUP).find(
    (g) => g.inputs.privateEndpointName === endpoint.inputs.privateEndpointName,
  );
  assert.ok(group, `zone group of ${endpoint.name}`);
  return (group.inputs.privateDnsZoneConfigs as { privateDnsZoneId: string }[])
    .map((config) => {
      const zone = ofType(run, ZONE).find((z) => z.id === config.privateDnsZoneId);
      assert.ok(zone, `zone of ${endpoint.name}`);
      return String(zone.inputs.privateZoneName);
    })
    .sort();
}

describe("the committed prod stack (Pulumi.prod.yaml)", () => {
  let run: ProgramRun;
  before(async () => {
    // The prod stack pins no model until its first deploy; plan it as the offline plan does.
    const { values } = withUnpinnedModelPlanned(readStackConfig(root, "prod"));
    run = await sharedRun({ stack: "prod", rawConfig: values });
  });

  test("is private, production and protected, and says so in its outputs", () => {
    assert.equal(run.outputs.networkMode, "private");
    assert.equal(run.outputs.production, true);
    assert.equal(run.outputs.protected, true);
    assert.equal(
      single(run, "azure-native:authorization:ManagementLockAtResourceGroupLevel").inputs.level,
      "CanNotDelete",
    );
  });

  test("one VNet with purpose-named private subnets; the compute subnets leave through one NAT gateway", () => {
    const vnet = single(run, "azure-native:network:VirtualNetwork");
    assert.deepEqual(
      ofType(run, SUBNET)
        .map((subnet) => subnet.inputs.subnetName)
        .sort(),
      ["snet-function-app", "snet-private-endpoints", "snet-vm"],
    );
    const nat = single(run, "azure-native:network:NatGateway");
    for (const subnet of ofType(run, SUBNET)) {
      assert.equal(subnet.inputs.virtualNetworkName, vnet.inputs.virtualNetworkName ?? vnet.state.name);
      // Built-in "Subnets should be private": defaultOutboundAccess must be false.
      assert.equal(subnet.inputs.defaultOutboundAccess, false, String(subnet.inputs.subnetName));
    }
    for (const name of ["snet-vm", "snet-function-app"]) {
      assert.deepEqual(subnetNamed(run, name).inputs.natGateway, { id: nat.id }, name);
    }
    // Flex Consumption VNet integration: the subnet is delegated to Microsoft.App/environments.
    assert.deepEqual(subnetNamed(run, "snet-function-app").inputs.delegations, [
      { name: "flex-consumption", serviceName: "Microsoft.App/environments" },
    ]);
    assert.equal(subnetNamed(run, "snet-private-endpoints").inputs.privateEndpointNetworkPolicies, "Disabled");
    // The NAT gateway's addresses are a prefix: no PublicIPAddress resource anywhere in the stack.
    assert.deepEqual(nat.inputs.publicIpPrefixes, [{ id: single(run, "azure-native:network:PublicIPPrefix").id }]);
    assert.equal(ofType(run, "azure-native:network:PublicIPAddress").length, 0);
  });

  test("the account: public access Disabled, ACL Deny, a private endpoint (group account) in privatelink.openai.azure.com", () => {
    const account = single(run, "azure-native:cognitiveservices:Account");
    const properties = account.inputs.properties as Record<string, unknown>;
    assert.equal(properties.publicNetworkAccess, "Disabled");
    assert.deepEqual(properties.networkAcls, { defaultAction: "Deny" });
    const endpoint = ofType(run, ENDPOINT).find(
      (e) =>
        (e.inputs.privateLinkServiceConnections as { privateLinkServiceId: string }[])[0]?.privateLinkServiceId ===
        account.id,
    );
    assert.ok(endpoint);
    assert.deepEqual(
      (endpoint.inputs.privateLinkServiceConnections as { groupIds: string[] }[]).map((c) => c.groupIds),
      [["account"]],
    );
    assert.equal((endpoint.inputs.subnet as { id: string }).id, subnetNamed(run, "snet-private-endpoints").id);
    assert.deepEqual(zonesOf(run, endpoint), [
      "privatelink.cognitiveservices.azure.com",
      "privatelink.openai.azure.com",
    ]);
  });

  test("every private DNS zone is linked to the stack's VNet (no auto-registration)", () => {
    const vnet = single(run, "azure-native:network:VirtualNetwork");
    const zones = ofType(run, ZONE)
      .map((zone) => zone.inputs.privateZoneName)
      .sort();
    // azure-docs articles/private-link/private-endpoint-dns.md: the account group's zones, blob's and table's.
    assert.deepEqual(zones, [
      "privatelink.blob.core.windows.net",
      "privatelink.cognitiveservices.azure.com",
      "privatelink.openai.azure.com",
      "privatelink.table.core.windows.net",
    ]);
    const links = ofType(run, ZONE_LINK);
    assert.equal(links.length, 4);
    for (const link of links) {
      assert.deepEqual(link.inputs.virtualNetwork, { id: vnet.id });
      assert.equal(link.inputs.registrationEnabled, false);
    }
  });

  test("the Function App: VNet-integrated as the Flex sample is, storage private behind blob and table endpoints", () => {
    const site = single(run, "azure-native:web:WebApp");
    // Built-in "App Service apps should be injected into a virtual network" (virtualNetworkSubnetId); no
    // outboundVnetRouting, as in Azure-Samples/functions-quickstart-javascript-azd infra/app/api.bicep.
    assert.equal(site.inputs.virtualNetworkSubnetId, subnetNamed(run, "snet-function-app").id);
    assert.equal(site.inputs.outboundVnetRouting, undefined);
    // The Flex integration subnet carries no service endpoint and no private endpoint (Learn, Flex networking).
    assert.equal(subnetNamed(run, "snet-function-app").inputs.serviceEndpoints, undefined);
    for (const endpoint of ofType(run, ENDPOINT)) {
      assert.notEqual((endpoint.inputs.subnet as { id: string }).id, subnetNamed(run, "snet-function-app").id);
    }
    // Inbound stays public over HTTPS with a function key (docs/networking.md).
    assert.equal(site.inputs.httpsOnly, true);
    assert.equal(site.inputs.publicNetworkAccess, undefined);

    const storage = single(run, "azure-native:storage:StorageAccount");
    // "Storage accounts should disable public network access" / "...should restrict network access".
    assert.equal(storage.inputs.publicNetworkAccess, "Disabled");
    // azure-native's networkRuleSet is ARM's networkAcls.
    // Built-in c9d007d0 "Storage accounts should allow access from trusted Microsoft services": bypass AzureServices.
    assert.deepEqual(storage.inputs.networkRuleSet, { defaultAction: "Deny", bypass: "AzureServices" });
    const storageEndpoints = ofType(run, ENDPOINT).filter(
      (e) =>
        (e.inputs.privateLinkServiceConnections as { privateLinkServiceId: string }[])[0]?.privateLinkServiceId ===
        storage.id,
    );
    const byGroup = new Map(
      storageEndpoints.map((e) => [
        (e.inputs.privateLinkServiceConnections as { groupIds: string[] }[])[0]?.groupIds[0],
        e,
      ]),
    );
    assert.deepEqual([...byGroup.keys()].sort(), ["blob", "table"]);
    assert.deepEqual(zonesOf(run, byGroup.get("blob") as RecordedResource), ["privatelink.blob.core.windows.net"]);
    assert.deepEqual(zonesOf(run, byGroup.get("table") as RecordedResource), ["privatelink.table.core.windows.net"]);
    // The host starts with the site: its storage endpoints and their DNS records must exist first.
    const zoneGroups = ofType(run, ZONE_GROUP).filter(
      (g) =>
        String(g.inputs.privateEndpointName).includes("-blob") ||
        String(g.inputs.privateEndpointName).includes("-table"),
    );
    for (const dependency of [...storageEndpoints, ...zoneGroups]) {
      assert.ok(site.dependencies.includes(dependency.urn), dependency.name);
    }
  });

  test("the VM sits in snet-vm with its NSG on the NIC and no public IP", () => {
    const nic = single(run, "azure-native:network:NetworkInterface").inputs as {
      networkSecurityGroup?: { id: string };
      ipConfigurations: { subnet: { id: string }; publicIPAddress?: unknown }[];
    };
    assert.deepEqual(nic.ipConfigurations[0]?.subnet, { id: subnetNamed(run, "snet-vm").id });
    assert.equal(nic.ipConfigurations[0]?.publicIPAddress, undefined);
    assert.deepEqual(nic.networkSecurityGroup, { id: single(run, "azure-native:network:NetworkSecurityGroup").id });
  });

  test("passes every guardrail, including production-private-network", () => {
    const failures: string[] = [];
    for (const resource of run.resources.filter((r) => r.custom)) {
      const subject = { type: resource.type, name: resource.name, props: resource.inputs };
      for (const rule of GUARDRAILS) {
        if (!ruleApplies(rule, subject)) continue;
        failures.push(...rule.check(subject, { allowVmPublicIp: false }));
      }
    }
    assert.deepEqual(failures, []);
  });
});

describe("the dev stack stays public", () => {
  test("no stack network, no private endpoint or zone; the VM keeps its own small network", async () => {
    const run = await sharedRun();
    assert.equal(run.outputs.networkMode, "public");
    for (const type of [ENDPOINT, ZONE, "azure-native:network:NatGateway", "azure-native:network:PublicIPPrefix"]) {
      assert.equal(ofType(run, type).length, 0, type);
    }
    assert.equal(single(run, SUBNET).inputs.defaultOutboundAccess, true);
    assert.equal(single(run, "azure-native:web:WebApp").inputs.virtualNetworkSubnetId, undefined);
  });
});

describe("no accepted configuration locks the stack out of its model", () => {
  const refused: { title: string; raw: Record<string, string>; stack?: string; message: string }[] = [
    {
      title: "private with no compute in the VNet",
      raw: { networkMode: "private", compute: "none" },
      message:
        'networkMode = "private" conflicts with compute = "none": only the stack\'s VM and Function App sit in its network, so nothing could call the model; choose vm, functionApp or both',
    },
    {
      title: "an allow-list without ranges",
      raw: { networkMode: "allowList" },
      message:
        'networkMode = "allowList" needs allowedIpRanges: list the ranges people call the model from (the stack\'s VM and Function App are allowed by subnet), or use private',
    },
    {
      title: "IP ranges outside allowList mode",
      raw: { allowedIpRanges: '["203.0.113.0/24"]' },
      message:
        'allowedIpRanges = ["203.0.113.0/24"] conflicts with networkMode = "public": an IP allow-list needs networkMode allowList',
    },
    {
      title: "the retired publicNetworkAccess key, with what replaces it",
      raw: { publicNetworkAccess: "Disabled" },
      message:
        'keyless-openai:publicNetworkAccess = "Disabled" is retired: remove it (npm run pulumi -- config rm publicNetworkAccess) and set networkMode = "private" instead',
    },
    {
      title: "production that is not private",
      raw: { production: "true" },
      stack: "prod",
      message:
        'production = true needs networkMode = "private" (it is "public"): a production model is not reachable from the internet',
    },
    {
      title: "SSH from the internet into a private stack",
      raw: { networkMode: "private", sshAllowedCidrs: '["203.0.113.7/32"]' },
      message:
        'sshAllowedCidrs = ["203.0.113.7/32"] conflicts with networkMode = "private": a private stack takes no inbound traffic from the internet; reach the VM with run command',
    },
    {
      title: "a Function App in another region than the stack's network",
      raw: { networkMode: "private", functionAppLocation: "eastus2" },
      message:
        'functionAppLocation = "eastus2" conflicts with networkMode = "private": VNet integration needs the Function App in the stack network\'s region, "swedencentral"; pick a location that offers Flex Consumption for both',
    },
  ];
  for (const { title, raw, stack, message } of refused) {
    test(title, () => {
      assert.throws(
        () => parseConfig(raw, "keyless-openai", stack ?? "dev"),
        (error: unknown) => error instanceof ConfigError && error.problems.includes(message),
      );
    });
  }

  test("accepted: allowList with ranges, private with compute, and each mode's account can be reached by the stack's identities", () => {
    assert.equal(
      parseConfig(
        { ...PINNED, networkMode: "allowList", allowedIpRanges: '["203.0.113.0/24"]' },
        "keyless-openai",
        "dev",
      ).network.mode,
      "allowList",
    );
    assert.equal(
      parseConfig({ ...PINNED, networkMode: "private", compute: "vm" }, "keyless-openai", "dev").network.mode,
      "private",
    );
  });
});

describe("docs/networking.md's mode table matches the plan", () => {
  /** The table's rows: mode, then the private DNS zones it lists (last column). */
  function documentedZones(): Map<string, string[]> {
    const rows = readFileSync(join(root, "docs", "networking.md"), "utf8")
      .split("\n")
      .filter((line) => /^\| `(public|allowList|private)`/.test(line));
    return new Map(
      rows.map((line) => {
        const cells = line.split("|").map((cell) => cell.trim());
        const mode = /`(\w+)`/.exec(cells[1] ?? "")?.[1] ?? "";
        return [mode, [...(cells.at(-2) ?? "").matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "").sort()];
      }),
    );
  }

  const modes: Record<string, Record<string, unknown>> = {
    public: {},
    allowList: { networkMode: "allowList", allowedIpRanges: ["203.0.113.0/24"] },
    private: { networkMode: "private" },
  };
  for (const [mode, config] of Object.entries(modes)) {
    test(`${mode}: the zones the table lists are the zones the program creates`, async () => {
      const run = await sharedRun({ config });
      const planned = ofType(run, ZONE)
        .map((zone) => String(zone.inputs.privateZoneName))
        .sort();
      assert.deepEqual(documentedZones().get(mode), planned);
    });
  }
});
