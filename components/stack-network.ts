import { NatGateway } from "@pulumi/azure-native/network/natGateway";
import { PublicIPPrefix } from "@pulumi/azure-native/network/publicIPPrefix";
import { Subnet } from "@pulumi/azure-native/network/subnet";
import { VirtualNetwork } from "@pulumi/azure-native/network/virtualNetwork";
import { PrivateZone } from "@pulumi/azure-native/privatedns/privateZone";
import { VirtualNetworkLink } from "@pulumi/azure-native/privatedns/virtualNetworkLink";
import type * as azureInputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";

/**
 * Private DNS zones of the private endpoints this stack creates, by endpoint (Learn "Azure Private Endpoint private DNS
 * zone values": Azure OpenAI `account` -> privatelink.openai.azure.com; Storage `blob` and `table` ->
 * privatelink.blob.core.windows.net, privatelink.table.core.windows.net).
 */
export const PRIVATE_DNS_ZONES = {
  openai: "privatelink.openai.azure.com",
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

/** Delegation Flex Consumption VNet integration needs on its subnet (Flex Consumption networking docs). */
export const FLEX_SUBNET_DELEGATION = "Microsoft.App/environments";

/** Arguments of {@link StackNetwork}. */
export interface StackNetworkArgs {
  resourceGroupName: pulumi.Input<string>;
  location?: pulumi.Input<string>;
  /**
   * `private`: private endpoints and their DNS zones, no service endpoints. `allowList`: no private endpoints; the
   * compute subnets get the `Microsoft.CognitiveServices` service endpoint so the account can allow them by subnet.
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
 * private"): the VM's, the Function App's integration subnet and (private mode) the private endpoints'. Explicit egress
 * for the compute subnets is a NAT gateway, Microsoft's recommended replacement for default outbound access
 * (learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access); it also lets run command return
 * results. In private mode the private DNS zones are linked to the VNet, so its resources resolve the account's and
 * storage's names to private addresses.
 */
export class StackNetwork extends pulumi.ComponentResource {
  public readonly vnetId: pulumi.Output<string>;
  public readonly vmSubnetId: pulumi.Output<string> | undefined;
  public readonly functionAppSubnetId: pulumi.Output<string> | undefined;
  /** Private mode only. */
  public readonly privateEndpointSubnetId: pulumi.Output<string> | undefined;
  /** Private mode only: zone IDs by endpoint kind. */
  public readonly dnsZoneIds: Record<keyof typeof PRIVATE_DNS_ZONES, pulumi.Output<string>> | undefined;

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

    const serviceEndpoints =
      args.mode === "allowList" ? [{ service: "Microsoft.CognitiveServices" }] : ([] as { service: string }[]);
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
      ? subnet("vm", { addressPrefix: SUBNET_PREFIXES.vm, natGateway: { id: natGateway.id }, serviceEndpoints })
      : undefined;
    const functionSubnet = args.functionApp
      ? subnet("function-app", {
          addressPrefix: SUBNET_PREFIXES.functionApp,
          natGateway: { id: natGateway.id },
          serviceEndpoints,
          delegations: [{ name: "flex-consumption", serviceName: FLEX_SUBNET_DELEGATION }],
        })
      : undefined;
    const endpointSubnet =
      args.mode === "private"
        ? subnet("private-endpoints", {
            addressPrefix: SUBNET_PREFIXES.privateEndpoints,
            privateEndpointNetworkPolicies: "Disabled",
          })
        : undefined;

    if (args.mode === "private") {
      const zoneIds = {} as Record<keyof typeof PRIVATE_DNS_ZONES, pulumi.Output<string>>;
      for (const [key, zoneName] of Object.entries(PRIVATE_DNS_ZONES) as [keyof typeof PRIVATE_DNS_ZONES, string][]) {
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
        zoneIds[key] = zone.id;
      }
      this.dnsZoneIds = zoneIds;
    }

    this.vnetId = vnet.id;
    this.vmSubnetId = vmSubnet?.id;
    this.functionAppSubnetId = functionSubnet?.id;
    this.privateEndpointSubnetId = endpointSubnet?.id;
    this.registerOutputs({
      vnetId: this.vnetId,
      vmSubnetId: this.vmSubnetId,
      functionAppSubnetId: this.functionAppSubnetId,
      privateEndpointSubnetId: this.privateEndpointSubnetId,
    });
  }
}
