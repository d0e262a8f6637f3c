import { Account } from "@pulumi/azure-native/cognitiveservices/account";
import { Deployment } from "@pulumi/azure-native/cognitiveservices/deployment";
import { DiagnosticSetting } from "@pulumi/azure-native/monitor/diagnosticSetting";
import { ResourceIdentityType } from "@pulumi/azure-native/types/enums/cognitiveservices";
import * as pulumi from "@pulumi/pulumi";
import type { DeploymentSpec } from "../lib/config";

/** Resource log categories sent to Log Analytics: control-plane audit and every data-plane request. */
export const OPENAI_LOG_CATEGORIES = ["Audit", "RequestResponse"] as const;

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
  /** `Enabled` lets any network reach the endpoint (still token-only); `Disabled` needs private networking. */
  publicNetworkAccess: "Enabled" | "Disabled";
  /** IPv4 addresses or CIDR ranges allowed in; non-empty sets `networkAcls.defaultAction` to `Deny`. Default: none. */
  allowedIpRanges?: string[];
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
    const allowedIpRanges = args.allowedIpRanges ?? [];
    const protect = args.protect ?? false;

    this.account = new Account(
      name,
      {
        accountName: args.customSubdomain,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: "OpenAI",
        sku: { name: "S0" },
        // Managed identity on the account itself: Azure Policy / Checkov CKV_AZURE_238 baseline (azure-facts.md).
        identity: { type: ResourceIdentityType.SystemAssigned },
        properties: {
          customSubDomainName: args.customSubdomain,
          // Entra ID tokens only: API keys are refused with 403 AuthenticationTypeDisabled.
          disableLocalAuth: true,
          publicNetworkAccess: args.publicNetworkAccess,
          networkAcls:
            allowedIpRanges.length > 0
              ? { defaultAction: "Deny", ipRules: allowedIpRanges.map((value) => ({ value })) }
              : { defaultAction: "Allow" },
        },
        tags: args.tags,
      },
      { parent: this, protect },
    );

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
