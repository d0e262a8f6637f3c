import { Account } from "@pulumi/azure-native/cognitiveservices/account";
import { Deployment } from "@pulumi/azure-native/cognitiveservices/deployment";
import { DiagnosticSetting } from "@pulumi/azure-native/monitor/diagnosticSetting";
import { PrivateDnsZoneGroup } from "@pulumi/azure-native/network/privateDnsZoneGroup";
import { PrivateEndpoint } from "@pulumi/azure-native/network/privateEndpoint";
import { ResourceIdentityType } from "@pulumi/azure-native/types/enums/cognitiveservices";
import * as pulumi from "@pulumi/pulumi";
import type { DeploymentSpec } from "../lib/config";

/** Private link sub-resource (group ID) of a Cognitive Services / Azure OpenAI account (Learn private DNS zone values). */
export const OPENAI_PRIVATE_LINK_GROUP = "account";

/** Resource log categories sent to Log Analytics: control-plane audit and every data-plane request. */
export const OPENAI_LOG_CATEGORIES = ["Audit", "RequestResponse"] as const;

/** Where the account's private endpoint goes: a subnet, and the private DNS zones its zone group writes to. */
export interface AccountPrivateEndpoint {
  subnetId: pulumi.Input<string>;
  /** Zone IDs by configuration name (privatelink.openai.azure.com, ...cognitiveservices...), linked to the callers' VNet. */
  dnsZoneIds: Record<string, pulumi.Input<string>>;
}

/**
 * The account's network access:
 * - `public`: any network (token-only), `networkAcls.defaultAction: Allow`;
 * - `allowList`: public endpoint, default Deny, these IPv4 ranges allowed; the stack's VM and Function App come in
 *   through the private endpoint, which the firewall does not filter (Learn "Configure Azure AI services virtual
 *   networks", "Use private endpoints": the firewall can "block all connections on the public endpoint" while clients
 *   in the VNet use the private endpoint, with the same host name). A service endpoint on the compute subnets would
 *   be the alternative, and the Flex Consumption integration subnet cannot carry one (see `FLEX_SUBNET_DELEGATION`);
 * - `private`: public network access Disabled, default Deny, reached only through the private endpoint.
 */
export type OpenAiAccountNetwork =
  | { mode: "public" }
  | { mode: "allowList"; allowedIpRanges: string[]; privateEndpoint: AccountPrivateEndpoint }
  | { mode: "private"; privateEndpoint: AccountPrivateEndpoint };

/** The `publicNetworkAccess` and `networkAcls` an account gets for a network choice. */
export function accountNetworkProperties(network: OpenAiAccountNetwork) {
  switch (network.mode) {
    case "public":
      return { publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow" } };
    case "allowList":
      return {
        publicNetworkAccess: "Enabled",
        networkAcls: { defaultAction: "Deny", ipRules: network.allowedIpRanges.map((value) => ({ value })) },
      };
    case "private":
      return { publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny" } };
  }
}

/** Inputs of an Azure OpenAI account that only Entra ID tokens can reach. */
export interface OpenAiAccountArgs {
  /** Resource group that holds the account. */
  resourceGroupName: pulumi.Input<string>;
  /** Azure region; model availability and quota are per region. */
  location: string;
  /**
   * Custom subdomain (`https://<subdomain>.openai.azure.com/`), also used as the account name. Required for Entra ID
   * auth, globally unique and immutable: derive it once and keep it in state.
   */
  customSubdomain: pulumi.Input<string>;
  /** Who may reach the endpoint (every caller still needs an Entra token and a role). */
  network: OpenAiAccountNetwork;
  /** Model deployments, created one after another in this order (Azure rejects parallel ones with 409). */
  deployments: DeploymentSpec[];
  /**
   * ARM ID of a Log Analytics workspace that receives the account's audit and request logs (who called the model,
   * when). Left out: no diagnostic setting.
   */
  diagnosticsWorkspaceId?: pulumi.Input<string>;
  /** Protect the account and its deployments from deletion (`pulumi destroy` refuses). */
  protect?: boolean;
  tags?: Record<string, string>;
}

/**
 * An Azure OpenAI account (kind `OpenAI`, SKU `S0`) with a custom subdomain and local (key) authentication disabled,
 * plus its model deployments. Never lists or outputs keys.
 */
export class OpenAiAccount extends pulumi.ComponentResource {
  /** Account resource name (equal to the custom subdomain). */
  readonly accountName: pulumi.Output<string>;
  /** ARM resource ID of the account; a role scope when `roleScope` is `account`. */
  readonly accountId: pulumi.Output<string>;
  /** Data-plane endpoint, `https://<subdomain>.openai.azure.com/`. */
  readonly endpoint: pulumi.Output<string>;
  /** Deployment names in creation order. */
  readonly deploymentNames: pulumi.Output<string[]>;
  readonly account: Account;
  readonly deployments: Deployment[];

  constructor(name: string, args: OpenAiAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keyless-openai:ai:OpenAiAccount", name, {}, opts);
    const protect = args.protect ?? false;

    this.account = new Account(
      name,
      {
        accountName: args.customSubdomain,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: "OpenAI",
        sku: { name: "S0" },
        // Managed identity on the account itself: Checkov CKV_AZURE_238 ("Ensure that all Azure Cognitive Services
        // accounts are configured with a managed identity").
        identity: { type: ResourceIdentityType.SystemAssigned },
        properties: {
          customSubDomainName: args.customSubdomain,
          // Entra ID tokens only: API keys are refused with 403 AuthenticationTypeDisabled.
          disableLocalAuth: true,
          ...accountNetworkProperties(args.network),
        },
        tags: args.tags,
      },
      { parent: this, protect },
    );

    if (args.network.mode !== "public") {
      const { subnetId, dnsZoneIds } = args.network.privateEndpoint;
      const endpoint = new PrivateEndpoint(
        `${name}-private-endpoint`,
        {
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          privateEndpointName: pulumi.interpolate`pe-${this.account.name}`,
          subnet: { id: subnetId },
          privateLinkServiceConnections: [
            { name: "account", privateLinkServiceId: this.account.id, groupIds: [OPENAI_PRIVATE_LINK_GROUP] },
          ],
          tags: args.tags,
        },
        { parent: this },
      );
      // The zone group writes the endpoint's A records into each zone and keeps them current.
      new PrivateDnsZoneGroup(
        `${name}-private-dns`,
        {
          resourceGroupName: args.resourceGroupName,
          privateEndpointName: endpoint.name,
          privateDnsZoneGroupName: "default",
          privateDnsZoneConfigs: Object.entries(dnsZoneIds).map(([zoneName, privateDnsZoneId]) => ({
            name: zoneName,
            privateDnsZoneId,
          })),
        },
        { parent: this },
      );
    }

    if (args.diagnosticsWorkspaceId !== undefined) {
      // Resource log categories of Microsoft.CognitiveServices/accounts (Azure Monitor reference, "Supported logs for
      // Microsoft.CognitiveServices/accounts"): Audit and RequestResponse, both to the AzureDiagnostics table.
      new DiagnosticSetting(
        `${name}-diagnostics`,
        {
          name: "send-to-log-analytics",
          resourceUri: this.account.id,
          workspaceId: args.diagnosticsWorkspaceId,
          logs: OPENAI_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
        },
        { parent: this },
      );
    }

    // One deployment at a time: each waits for the previous (ARM answers 409 RequestConflict to parallel writes).
    this.deployments = [];
    let previous: Deployment | undefined;
    for (const spec of args.deployments) {
      const deployment: Deployment = new Deployment(
        `${name}-${spec.name}`,
        {
          accountName: this.account.name,
          resourceGroupName: args.resourceGroupName,
          deploymentName: spec.name,
          sku: { name: spec.sku, capacity: spec.capacity },
          properties: {
            model: { format: "OpenAI", name: spec.model, version: spec.version },
            versionUpgradeOption: spec.versionUpgradeOption,
          },
        },
        { parent: this, protect, dependsOn: previous ? [previous] : [] },
      );
      this.deployments.push(deployment);
      previous = deployment;
    }

    this.accountName = this.account.name;
    this.accountId = this.account.id;
    this.endpoint = this.account.properties.apply((properties) => properties.endpoint);
    this.deploymentNames = pulumi.all(this.deployments.map((deployment) => deployment.name));
    this.registerOutputs({
      accountName: this.accountName,
      accountId: this.accountId,
      endpoint: this.endpoint,
      deploymentNames: this.deploymentNames,
    });
  }
}
