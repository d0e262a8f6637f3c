/**
 * What preflight needs to know about each azure-native resource type the program can declare: the resource provider
 * namespace it lives in (must be registered in the subscription) and the ARM write action that creates it (the
 * deployer must hold it). Which types a stack declares is not written down here: it is read from the program itself,
 * run offline under the mock engine with the stack's config (scripts/core/preflight/arm-body.ts `plannedResources`), so a
 * new resource in index.ts or components/ can never be silently missed; a type without a row is reported.
 *
 * Write actions: Learn, "Azure resource provider operations" (learn.microsoft.com/azure/role-based-access-control/
 * resource-provider-operations), each namespace's section; locks: Learn REST "Management Locks - Create Or Update"
 * ("you must have access to Microsoft.Authorization/* or Microsoft.Authorization/locks/* actions. Of the built-in
 * roles, only Owner and User Access Administrator are granted those actions"). Namespaces: the ARM type of each
 * (the same types scripts/core/preflight/arm-body.ts ARM_MAPPINGS writes bodies for).
 */
import type { PlannedAzureResource } from "./arm-body";

export interface ResourceTypeRow {
  /** Resource provider namespace, `Microsoft.Network`. */
  namespace: string;
  /** ARM action that creates or updates the resource. */
  writeAction: string;
}

/** Namespaces ARM registers in every subscription (Learn, "Resource providers and types": registered by default). */
export const ALWAYS_REGISTERED = ["Microsoft.Authorization", "Microsoft.Resources"] as const;

export const RESOURCE_GROUP_WRITE = "Microsoft.Resources/subscriptions/resourceGroups/write";
export const ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write";

const row = (namespace: string, writeAction: string): ResourceTypeRow => ({ namespace, writeAction });

/** One row per azure-native type the program can declare (index.ts and components/, every config). */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeRow>> = {
  "azure-native:resources:ResourceGroup": row("Microsoft.Resources", RESOURCE_GROUP_WRITE),
  "azure-native:authorization:RoleAssignment": row("Microsoft.Authorization", ROLE_ASSIGNMENT_WRITE),
  "azure-native:authorization:ManagementLockAtResourceGroupLevel": row(
    "Microsoft.Authorization",
    "Microsoft.Authorization/locks/write",
  ),
  "azure-native:cognitiveservices:Account": row(
    "Microsoft.CognitiveServices",
    "Microsoft.CognitiveServices/accounts/write",
  ),
  "azure-native:cognitiveservices:Deployment": row(
    "Microsoft.CognitiveServices",
    "Microsoft.CognitiveServices/accounts/deployments/write",
  ),
  "azure-native:compute:VirtualMachine": row("Microsoft.Compute", "Microsoft.Compute/virtualMachines/write"),
  // The VM's auto-shutdown is a DevTest Labs global schedule (Microsoft.DevTestLab/schedules), outside any lab.
  "azure-native:devtestlab:GlobalSchedule": row("Microsoft.DevTestLab", "Microsoft.DevTestLab/schedules/write"),
  "azure-native:network:NetworkSecurityGroup": row(
    "Microsoft.Network",
    "Microsoft.Network/networkSecurityGroups/write",
  ),
  "azure-native:network:VirtualNetwork": row("Microsoft.Network", "Microsoft.Network/virtualNetworks/write"),
  "azure-native:network:Subnet": row("Microsoft.Network", "Microsoft.Network/virtualNetworks/subnets/write"),
  "azure-native:network:PublicIPAddress": row("Microsoft.Network", "Microsoft.Network/publicIPAddresses/write"),
  "azure-native:network:PublicIPPrefix": row("Microsoft.Network", "Microsoft.Network/publicIPPrefixes/write"),
  "azure-native:network:NatGateway": row("Microsoft.Network", "Microsoft.Network/natGateways/write"),
  "azure-native:network:NetworkInterface": row("Microsoft.Network", "Microsoft.Network/networkInterfaces/write"),
  "azure-native:network:PrivateEndpoint": row("Microsoft.Network", "Microsoft.Network/privateEndpoints/write"),
  "azure-native:network:PrivateDnsZoneGroup": row(
    "Microsoft.Network",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write",
  ),
  // azure-native's privatedns module is ARM's Microsoft.Network/privateDnsZones.
  "azure-native:privatedns:PrivateZone": row("Microsoft.Network", "Microsoft.Network/privateDnsZones/write"),
  "azure-native:privatedns:VirtualNetworkLink": row(
    "Microsoft.Network",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
  ),
  "azure-native:storage:StorageAccount": row("Microsoft.Storage", "Microsoft.Storage/storageAccounts/write"),
  "azure-native:storage:BlobContainer": row(
    "Microsoft.Storage",
    "Microsoft.Storage/storageAccounts/blobServices/containers/write",
  ),
  "azure-native:web:AppServicePlan": row("Microsoft.Web", "Microsoft.Web/serverfarms/write"),
  "azure-native:web:WebApp": row("Microsoft.Web", "Microsoft.Web/sites/write"),
  "azure-native:web:WebAppApplicationSettings": row("Microsoft.Web", "Microsoft.Web/sites/config/write"),
  "azure-native:web:WebAppFtpAllowed": row(
    "Microsoft.Web",
    "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
  ),
  "azure-native:web:WebAppScmAllowed": row(
    "Microsoft.Web",
    "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
  ),
  "azure-native:managedidentity:UserAssignedIdentity": row(
    "Microsoft.ManagedIdentity",
    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
  ),
  "azure-native:operationalinsights:Workspace": row(
    "Microsoft.OperationalInsights",
    "Microsoft.OperationalInsights/workspaces/write",
  ),
  // Application Insights components and diagnostic settings both live in Microsoft.Insights.
  "azure-native:applicationinsights:Component": row("Microsoft.Insights", "Microsoft.Insights/components/write"),
  "azure-native:monitor:DiagnosticSetting": row("Microsoft.Insights", "Microsoft.Insights/diagnosticSettings/write"),
};

/** The planned types, each with its row, and the Azure types that have none (to be reported, never dropped). */
export interface PlannedTypes {
  rows: { type: string; row: ResourceTypeRow }[];
  unknown: string[];
}

/** The distinct Azure resource types of a plan (random, tls and command resources are not ARM's), sorted. */
export function plannedTypes(resources: readonly PlannedAzureResource[]): PlannedTypes {
  const types = [...new Set(resources.map((resource) => resource.type))]
    .filter((type) => type.startsWith("azure-native:"))
    .sort();
  const rows: PlannedTypes["rows"] = [];
  const unknown: string[] = [];
  for (const type of types) {
    const found = RESOURCE_TYPES[type];
    if (found) rows.push({ type, row: found });
    else unknown.push(type);
  }
  return { rows, unknown };
}

/** What to tell the user about types without a row. */
export function unknownTypesMessage(unknown: readonly string[], column: string): string {
  return `the stack declares resource type(s) preflight has no ${column} for, so they were not checked: ${unknown.join(", ")}`;
}

export const UNKNOWN_TYPES_FIX =
  "add a row for each to RESOURCE_TYPES in scripts/core/preflight/resource-types.ts (namespace and write action from Learn's 'Azure resource provider operations')";
