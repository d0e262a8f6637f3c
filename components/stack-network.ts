import { NatGateway } from "@pulumi/azure-native/network/natGateway";
import { PublicIPPrefix } from "@pulumi/azure-native/network/publicIPPrefix";
import { Subnet } from "@pulumi/azure-native/network/subnet";
import { VirtualNetwork } from "@pulumi/azure-native/network/virtualNetwork";
import { PrivateZone } from "@pulumi/azure-native/privatedns/privateZone";
import { VirtualNetworkLink } from "@pulumi/azure-native/privatedns/virtualNetworkLink";
import type * as azureInputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";

/**
 * Private DNS zones of the account's private endpoint (group `account`). Microsoft's DNS table lists
 * privatelink.cognitiveservices.azure.com, privatelink.openai.azure.com and privatelink.services.ai.azure.com for
 * Microsoft.CognitiveServices/accounts (azure-docs articles/private-link/private-endpoint-dns.md, "AI + Machine
 * Learning"). A kind `OpenAI` account answers at `<name>.openai.azure.com` and `<name>.cognitiveservices.azure.com`;
 * services.ai.azure.com is the host of kind `AIServices` (Foundry) accounts, which this stack does not create.
 */
export const ACCOUNT_DNS_ZONES = {
  openai: "privatelink.openai.azure.com",
  cognitiveServices: "privatelink.cognitiveservices.azure.com",
} as const;

/** Private DNS zones of the storage endpoints (same table, "Storage": `blob` and `table`). */
export const STORAGE_DNS_ZONES = {
  blob: "privatelink.blob.core.windows.net",
  table: "privatelink.table.core.windows.net",
} as const;

/** Address plan: one /16, one /24 per purpose. */
export const NETWORK_ADDRESS_SPACE = "10.42.0.0/16";
export const SUBNET_PREFIXES = {
  vm: "10.42.1.0/24",
  privateEndpoints: "10.42.2.0/24",
  functionApp: "10.42.3.0/24",
} as const;

/**
 * Delegation of the Flex Consumption integration subnet. The subnet carries neither private endpoints nor service
 * endpoints: Learn "Azure Functions networking options" (Flex Consumption: the subnet "can't already be used for
 * ... private endpoints or service endpoints") and Microsoft's Flex sample (Azure-Samples/functions-quickstart-javascript-azd,
 * infra/app/vnet.bicep: a /24 delegated to Microsoft.App/environments with neither).
 */
export const FLEX_SUBNET_DELEGATION = "Microsoft.App/environments";

/** Arguments of {@link StackNetwork}. */
export interface StackNetworkArgs {
  resourceGroupName: pulumi.Input<string>;
  location?: pulumi.Input<string>;
  /**
   * Both modes: the account's private endpoint subnet and the account's DNS zones, linked to the VNet, so the stack's
   * compute reaches the account privately. `private` also gets the storage zones (blob, table) for the Function App's
   * private storage. No subnet has a service endpoint in either mode.
   */
  mode: "allowList" | "private";
  /** Create the VM subnet. */
  vm: boolean;
  /** Create the Function App's integration subnet (delegated to {@link FLEX_SUBNET_DELEGATION}). */
  functionApp: boolean;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The stack's one virtual network, with purpose-named subnets that have no default outbound access ("Subnets should be
 * private"): the VM's, the Function App's integration subnet and the private endpoints'. Explicit egress
 * for the compute subnets is a NAT gateway, Microsoft's recommended replacement for default outbound access
 * (learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access); it also lets run command return
 * results. The private DNS zones are linked to the VNet, so its resources resolve the account's (and, in private mode,
 * storage's) names to private addresses; outside the VNet the same names resolve to the public endpoints (Learn
 * "Configure Azure AI services virtual networks", "DNS changes for private endpoints").
 */
export class StackNetwork extends pulumi.ComponentResource {
  public readonly vnetId: pulumi.Output<string>;
  public readonly vmSubnetId: pulumi.Output<string> | undefined;
  public readonly functionAppSubnetId: pulumi.Output<string> | undefined;
  public readonly privateEndpointSubnetId: pulumi.Output<string>;
  /** IDs of {@link ACCOUNT_DNS_ZONES}, for the account endpoint's zone group. */
  public readonly accountDnsZoneIds: Record<keyof typeof ACCOUNT_DNS_ZONES, pulumi.Output<string>>;
  /** Private mode only: IDs of {@link STORAGE_DNS_ZONES}. */
  public readonly storageDnsZoneIds: Record<keyof typeof STORAGE_DNS_ZONES, pulumi.Output<string>> | undefined;

  constructor(name: string, args: StackNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keyless-openai:network:StackNetwork", name, {}, opts);
    const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
    const childOpts: pulumi.CustomResourceOptions = { parent: this };

    // A public IP prefix (/31: two addresses) rather than a public IP address: egress only, never attachable to a NIC.
    const egressPrefix = new PublicIPPrefix(
      `${name}-egress-prefix`,
      {
        ...common,
        prefixLength: 31,
        publicIPAddressVersion: "IPv4",
        sku: { name: "Standard", tier: "Regional" },
      },
      childOpts,
    );
    const natGateway = new NatGateway(
      `${name}-nat`,
      { ...common, sku: { name: "Standard" }, publicIpPrefixes: [{ id: egressPrefix.id }], idleTimeoutInMinutes: 4 },
      childOpts,
    );
    const vnet = new VirtualNetwork(
      `${name}-vnet`,
      { ...common, addressSpace: { addressPrefixes: [NETWORK_ADDRESS_SPACE] } },
      childOpts,
    );

    // Subnets one after another: ARM refuses concurrent changes to one VNet's subnets (AnotherOperationInProgress).
    let previous: Subnet | undefined;
    const subnet = (key: string, subnetArgs: Omit<azureInputs.network.SubnetArgs, "id">): Subnet => {
      const created: Subnet = new Subnet(
        `${name}-${key}-subnet`,
        {
          resourceGroupName: args.resourceGroupName,
          virtualNetworkName: vnet.name,
          subnetName: `snet-${key}`,
          // Private subnet: no implicit internet egress (settable only at creation).
          defaultOutboundAccess: false,
          ...subnetArgs,
        },
        { ...childOpts, dependsOn: previous ? [previous] : [] },
      );
      previous = created;
      return created;
    };

    const vmSubnet = args.vm
      ? subnet("vm", { addressPrefix: SUBNET_PREFIXES.vm, natGateway: { id: natGateway.id } })
      : undefined;
    const functionSubnet = args.functionApp
      ? subnet("function-app", {
          addressPrefix: SUBNET_PREFIXES.functionApp,
          natGateway: { id: natGateway.id },
          delegations: [{ name: "flex-consumption", serviceName: FLEX_SUBNET_DELEGATION }],
        })
      : undefined;
    const endpointSubnet = subnet("private-endpoints", {
      addressPrefix: SUBNET_PREFIXES.privateEndpoints,
      privateEndpointNetworkPolicies: "Disabled",
    });

    const linkedZone = (key: string, zoneName: string): pulumi.Output<string> => {
      const zone = new PrivateZone(
        `${name}-${key}-zone`,
        { resourceGroupName: args.resourceGroupName, privateZoneName: zoneName, location: "global", tags: args.tags },
        childOpts,
      );
      new VirtualNetworkLink(
        `${name}-${key}-zone-link`,
        {
          resourceGroupName: args.resourceGroupName,
          privateZoneName: zone.name,
          virtualNetworkLinkName: `link-${key}`,
          location: "global",
          virtualNetwork: { id: vnet.id },
          registrationEnabled: false,
          tags: args.tags,
        },
        childOpts,
      );
      return zone.id;
    };
    this.accountDnsZoneIds = {
      openai: linkedZone("openai", ACCOUNT_DNS_ZONES.openai),
      cognitiveServices: linkedZone("cognitive-services", ACCOUNT_DNS_ZONES.cognitiveServices),
    };
    this.storageDnsZoneIds =
      args.mode === "private"
        ? {
            blob: linkedZone("blob", STORAGE_DNS_ZONES.blob),
            table: linkedZone("table", STORAGE_DNS_ZONES.table),
          }
        : undefined;

    this.vnetId = vnet.id;
    this.vmSubnetId = vmSubnet?.id;
    this.functionAppSubnetId = functionSubnet?.id;
    this.privateEndpointSubnetId = endpointSubnet.id;
    this.registerOutputs({
      vnetId: this.vnetId,
      vmSubnetId: this.vmSubnetId,
      functionAppSubnetId: this.functionAppSubnetId,
      privateEndpointSubnetId: this.privateEndpointSubnetId,
    });
  }
}
