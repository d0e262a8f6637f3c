import { Workspace as LogAnalyticsWorkspace } from "@pulumi/azure-native/operationalinsights/workspace";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_LOG_RETENTION_DAYS } from "../lib/constants";

/** Arguments of {@link StackLogs}. */
export interface StackLogsArgs {
  resourceGroupName: pulumi.Input<string>;
  location?: pulumi.Input<string>;
  /** Workspace name: 4-63 letters, digits and hyphens, starting and ending with a letter or digit. */
  workspaceName: string;
  /** Retention in days. Default {@link DEFAULT_LOG_RETENTION_DAYS}. */
  retentionInDays?: number;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

const WORKSPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/;

/**
 * The stack's Log Analytics workspace: where the OpenAI account's audit and request logs and the Function App's
 * telemetry go. Accepts Entra-authenticated ingestion only (`features.disableLocalAuth`, the property the built-in
 * "Log Analytics Workspaces should block non-Azure Active Directory based ingestion" checks).
 */
export class StackLogs extends pulumi.ComponentResource {
  /** ARM resource ID of the workspace (a diagnostic setting's `workspaceId`). */
  public readonly workspaceId: pulumi.Output<string>;
  public readonly workspaceName: pulumi.Output<string>;

  constructor(name: string, args: StackLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keyless-openai:monitoring:StackLogs", name, {}, opts);
    if (!WORKSPACE_NAME.test(args.workspaceName)) {
      throw new Error(`workspaceName "${args.workspaceName}": use 4-63 letters, digits and hyphens`);
    }
    const workspace = new LogAnalyticsWorkspace(
      `${name}-workspace`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        tags: args.tags,
        workspaceName: args.workspaceName,
        sku: { name: "PerGB2018" },
        retentionInDays: args.retentionInDays ?? DEFAULT_LOG_RETENTION_DAYS,
        // Shared-key (workspace key) ingestion off: agents and the Azure Monitor pipeline authenticate with Entra ID.
        features: { disableLocalAuth: true },
      },
      { parent: this },
    );
    this.workspaceId = workspace.id;
    this.workspaceName = pulumi.output(args.workspaceName);
    this.registerOutputs({ workspaceId: this.workspaceId, workspaceName: this.workspaceName });
  }
}
