/**
 * The one registry of the Azure resource types the program declares (index.ts and components/, every config): for
 * each azure-native type, its ARM type (whose first segment is the resource provider namespace that must be
 * registered), the ARM write action that creates it (the deployer must hold it), how its inputs become ARM's request
 * body (for Azure Policy's evaluator), and the REST API version azure-native uses for it, read from azure-native's own
 * module ("Uses Azure REST API version ..." in @pulumi/azure-native/<module>/<resource>.js), never copied by hand.
 * Which types a stack declares is not written here: preflight runs the program offline with the stack's config
 * (scripts/core/preflight/arm-body.ts `plannedResources`), and a planned type without a row is reported, never
 * dropped. tests/preflight/azure-types.suite.ts checks that every type the dev and prod programs declare has exactly
 * one row and that no row is unused.
 *
 * Write actions: Learn, "Azure resource provider operations" (learn.microsoft.com/azure/role-based-access-control/
 * resource-provider-operations), each namespace's section; locks: Learn REST "Management Locks - Create Or Update"
 * ("you must have access to Microsoft.Authorization/* or Microsoft.Authorization/locks/* actions. Of the built-in
 * roles, only Owner and User Access Administrator are granted those actions").
 * Body shapes: the type's swagger in azure-rest-api-specs (`x-ms-client-flatten` marks what azure-native flattens);
 * azure-native flattens ARM's `properties` envelope into top-level inputs (and, for sub-resources such as a NIC's IP
 * configurations, each element's `properties` too).
 */
import { readFileSync } from "node:fs";

/** Namespaces ARM registers in every subscription (Learn, "Resource providers and types": registered by default). */
export const ALWAYS_REGISTERED = ["Microsoft.Authorization", "Microsoft.Resources"] as const;

export const RESOURCE_GROUP_WRITE = "Microsoft.Resources/subscriptions/resourceGroups/write";
export const ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write";

/** Shown where a name the body needs is only known after deploy. */
export const UNKNOWN_NAME = "(known after deploy)";

/** Builds resource IDs in the target subscription. */
export interface IdBuilder {
  resourceGroup(name: unknown): string;
  resource(resourceGroupName: unknown, armType: string, ...names: unknown[]): string;
}

/** One azure-native type: what ARM calls it, what creating it needs, and how its inputs map to ARM's body. */
export interface AzureTypeRow {
  /** ARM resource type, `Microsoft.CognitiveServices/accounts`; its first segment is the provider namespace. */
  armType: string;
  /** ARM action that creates or updates the resource. */
  writeAction: string;
  /** Input that carries the resource name; a fixed string for singleton children (`appsettings`). */
  name: { input: string } | { fixed: string };
  /** Inputs that are URL segments (resource group, parent names), never body fields. */
  pathInputs: readonly string[];
  /** Inputs that stay at the top of the body; the rest go into `properties`. */
  topLevel: readonly string[];
  /** The type's azure-native input is already ARM's `properties` object (not flattened). */
  propertiesInput?: boolean;
  /** azure-native input name to ARM property name, where the spec's name is not camelCase. */
  rename?: Readonly<Record<string, string>>;
  /** Paths (inside `properties`) of sub-resources whose own `properties` azure-native flattened. */
  subResources?: readonly string[];
  /** Parent (or extended) resource ID, for child and extension resources. */
  parent?: (inputs: Record<string, unknown>, ids: IdBuilder) => string;
  /** Resource group of an extension resource, when there is no `resourceGroupName` input. */
  resourceGroupOf?: (inputs: Record<string, unknown>) => string | undefined;
  /** Body paths (`properties.ipConfigurations[].properties.subnet.id`) that are outputs of other resources. */
  placeholders?: readonly string[];
}

const RESOURCE_TOP_LEVEL = ["location", "tags"] as const;

export function text(value: unknown): string {
  return typeof value === "string" && value !== "" ? value : UNKNOWN_NAME;
}

function resourceGroupFromId(id: unknown): string | undefined {
  const match = typeof id === "string" ? /\/resourceGroups\/([^/]+)/i.exec(id) : null;
  return match?.[1];
}

/** One row per azure-native type the program declares. */
export const AZURE_TYPES: Readonly<Record<string, AzureTypeRow>> = {
  "azure-native:resources:ResourceGroup": {
    armType: "Microsoft.Resources/resourceGroups",
    writeAction: RESOURCE_GROUP_WRITE,
    name: { input: "resourceGroupName" },
    pathInputs: [],
    topLevel: [...RESOURCE_TOP_LEVEL, "managedBy"],
  },
  // cognitiveservices/stable/2025-06-01/cognitiveservices.json: Account keeps `properties` (not flattened).
  "azure-native:cognitiveservices:Account": {
    armType: "Microsoft.CognitiveServices/accounts",
    writeAction: "Microsoft.CognitiveServices/accounts/write",
    name: { input: "accountName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "sku", "identity"],
    propertiesInput: true,
  },
  "azure-native:cognitiveservices:Deployment": {
    armType: "Microsoft.CognitiveServices/accounts/deployments",
    writeAction: "Microsoft.CognitiveServices/accounts/deployments/write",
    name: { input: "deploymentName" },
    pathInputs: ["resourceGroupName", "accountName"],
    topLevel: ["sku", "tags"],
    propertiesInput: true,
    parent: (inputs, ids) =>
      ids.resource(inputs.resourceGroupName, "Microsoft.CognitiveServices/accounts", inputs.accountName),
  },
  // authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json: RoleAssignmentCreateParameters.
  "azure-native:authorization:RoleAssignment": {
    armType: "Microsoft.Authorization/roleAssignments",
    writeAction: ROLE_ASSIGNMENT_WRITE,
    name: { input: "roleAssignmentName" },
    pathInputs: ["scope"],
    topLevel: [],
    parent: (inputs) => text(inputs.scope),
    resourceGroupOf: (inputs) => resourceGroupFromId(inputs.scope),
    placeholders: ["properties.principalId"],
  },
  // compute/stable/2024-11-01/virtualMachine.json; NetworkInterfaceReference flattens its `properties`.
  "azure-native:compute:VirtualMachine": {
    armType: "Microsoft.Compute/virtualMachines",
    writeAction: "Microsoft.Compute/virtualMachines/write",
    name: { input: "vmName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "identity", "zones", "plan", "extendedLocation", "placement"],
    subResources: ["networkProfile.networkInterfaces"],
    placeholders: ["properties.networkProfile.networkInterfaces[].id"],
  },
  // network/stable/2024-05-01/virtualNetwork.json, networkSecurityGroup.json, networkInterface.json, publicIpAddress.json.
  "azure-native:network:VirtualNetwork": {
    armType: "Microsoft.Network/virtualNetworks",
    writeAction: "Microsoft.Network/virtualNetworks/write",
    name: { input: "virtualNetworkName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "extendedLocation"],
    subResources: ["subnets"],
  },
  "azure-native:network:Subnet": {
    armType: "Microsoft.Network/virtualNetworks/subnets",
    writeAction: "Microsoft.Network/virtualNetworks/subnets/write",
    name: { input: "subnetName" },
    pathInputs: ["resourceGroupName", "virtualNetworkName"],
    topLevel: [],
    subResources: ["delegations"],
    parent: (inputs, ids) =>
      ids.resource(inputs.resourceGroupName, "Microsoft.Network/virtualNetworks", inputs.virtualNetworkName),
    placeholders: ["properties.networkSecurityGroup.id", "properties.natGateway.id", "properties.routeTable.id"],
  },
  "azure-native:network:NetworkSecurityGroup": {
    armType: "Microsoft.Network/networkSecurityGroups",
    writeAction: "Microsoft.Network/networkSecurityGroups/write",
    name: { input: "networkSecurityGroupName" },
    pathInputs: ["resourceGroupName"],
    topLevel: RESOURCE_TOP_LEVEL,
    subResources: ["securityRules"],
  },
  "azure-native:network:PublicIPAddress": {
    armType: "Microsoft.Network/publicIPAddresses",
    writeAction: "Microsoft.Network/publicIPAddresses/write",
    name: { input: "publicIpAddressName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "sku", "zones", "extendedLocation"],
  },
  "azure-native:network:NetworkInterface": {
    armType: "Microsoft.Network/networkInterfaces",
    writeAction: "Microsoft.Network/networkInterfaces/write",
    name: { input: "networkInterfaceName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "extendedLocation"],
    subResources: ["ipConfigurations"],
    placeholders: [
      "properties.ipConfigurations[].properties.subnet.id",
      "properties.ipConfigurations[].properties.publicIPAddress.id",
      "properties.networkSecurityGroup.id",
    ],
  },
  "azure-native:network:NatGateway": {
    armType: "Microsoft.Network/natGateways",
    writeAction: "Microsoft.Network/natGateways/write",
    name: { input: "natGatewayName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "sku", "zones"],
    placeholders: ["properties.publicIpAddresses[].id", "properties.publicIpPrefixes[].id"],
  },
  // network/stable/2024-05-01/publicIpPrefix.json: PublicIPPrefix {extendedLocation, sku {name, tier}, zones,
  // properties {publicIPAddressVersion, prefixLength, ipTags, ...}} (Bicep's Microsoft.Network/publicIPPrefixes shape).
  "azure-native:network:PublicIPPrefix": {
    armType: "Microsoft.Network/publicIPPrefixes",
    writeAction: "Microsoft.Network/publicIPPrefixes/write",
    name: { input: "publicIpPrefixName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "sku", "zones", "extendedLocation"],
  },
  // network/stable/2024-05-01/privateEndpoint.json: connections and zone configs flatten their `properties`.
  "azure-native:network:PrivateEndpoint": {
    armType: "Microsoft.Network/privateEndpoints",
    writeAction: "Microsoft.Network/privateEndpoints/write",
    name: { input: "privateEndpointName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "extendedLocation"],
    subResources: ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"],
    placeholders: [
      "properties.subnet.id",
      "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
    ],
  },
  "azure-native:network:PrivateDnsZoneGroup": {
    armType: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    writeAction: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write",
    name: { input: "privateDnsZoneGroupName" },
    pathInputs: ["resourceGroupName", "privateEndpointName"],
    topLevel: [],
    subResources: ["privateDnsZoneConfigs"],
    parent: (inputs, ids) =>
      ids.resource(inputs.resourceGroupName, "Microsoft.Network/privateEndpoints", inputs.privateEndpointName),
    placeholders: ["properties.privateDnsZoneConfigs[].properties.privateDnsZoneId"],
  },
  // privatedns/stable/2024-06-01/privatedns.json.
  "azure-native:privatedns:PrivateZone": {
    armType: "Microsoft.Network/privateDnsZones",
    writeAction: "Microsoft.Network/privateDnsZones/write",
    name: { input: "privateZoneName" },
    pathInputs: ["resourceGroupName"],
    topLevel: RESOURCE_TOP_LEVEL,
  },
  "azure-native:privatedns:VirtualNetworkLink": {
    armType: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    writeAction: "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
    name: { input: "virtualNetworkLinkName" },
    pathInputs: ["resourceGroupName", "privateZoneName"],
    topLevel: RESOURCE_TOP_LEVEL,
    parent: (inputs, ids) =>
      ids.resource(inputs.resourceGroupName, "Microsoft.Network/privateDnsZones", inputs.privateZoneName),
    placeholders: ["properties.virtualNetwork.id"],
  },
  // web/stable/2025-05-01/AppServicePlans.json, WebApps.json (Site, StringDictionary, CsmPublishingCredentialsPoliciesEntity).
  "azure-native:web:AppServicePlan": {
    armType: "Microsoft.Web/serverfarms",
    writeAction: "Microsoft.Web/serverfarms/write",
    name: { input: "name" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "sku", "extendedLocation"],
  },
  "azure-native:web:WebApp": {
    armType: "Microsoft.Web/sites",
    writeAction: "Microsoft.Web/sites/write",
    name: { input: "name" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "identity", "extendedLocation"],
    placeholders: ["properties.serverFarmId", "properties.virtualNetworkSubnetId"],
  },
  "azure-native:web:WebAppApplicationSettings": {
    armType: "Microsoft.Web/sites/config",
    writeAction: "Microsoft.Web/sites/config/write",
    name: { fixed: "appsettings" },
    pathInputs: ["resourceGroupName", "name"],
    topLevel: ["kind"],
    propertiesInput: true,
    parent: (inputs, ids) => ids.resource(inputs.resourceGroupName, "Microsoft.Web/sites", inputs.name),
  },
  "azure-native:web:WebAppFtpAllowed": {
    armType: "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
    writeAction: "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
    name: { fixed: "ftp" },
    pathInputs: ["resourceGroupName", "name"],
    topLevel: ["kind"],
    parent: (inputs, ids) => ids.resource(inputs.resourceGroupName, "Microsoft.Web/sites", inputs.name),
  },
  "azure-native:web:WebAppScmAllowed": {
    armType: "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
    writeAction: "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
    name: { fixed: "scm" },
    pathInputs: ["resourceGroupName", "name"],
    topLevel: ["kind"],
    parent: (inputs, ids) => ids.resource(inputs.resourceGroupName, "Microsoft.Web/sites", inputs.name),
  },
  // storage/stable/2024-01-01/storage.json (StorageAccountCreateParameters) and blob.json (BlobContainer).
  "azure-native:storage:StorageAccount": {
    armType: "Microsoft.Storage/storageAccounts",
    writeAction: "Microsoft.Storage/storageAccounts/write",
    name: { input: "accountName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "sku", "identity", "extendedLocation"],
    // azure-native takes the spec's x-ms-client-name for these two.
    rename: { networkRuleSet: "networkAcls", enableHttpsTrafficOnly: "supportsHttpsTrafficOnly" },
  },
  "azure-native:storage:BlobContainer": {
    armType: "Microsoft.Storage/storageAccounts/blobServices/containers",
    writeAction: "Microsoft.Storage/storageAccounts/blobServices/containers/write",
    name: { input: "containerName" },
    pathInputs: ["resourceGroupName", "accountName"],
    topLevel: [],
    parent: (inputs, ids) =>
      `${ids.resource(inputs.resourceGroupName, "Microsoft.Storage/storageAccounts", inputs.accountName)}/blobServices/default`,
  },
  // applicationinsights/stable/2020-02-02/components_API.json: the spec spells these properties in PascalCase/snake.
  "azure-native:applicationinsights:Component": {
    armType: "Microsoft.Insights/components",
    writeAction: "Microsoft.Insights/components/write",
    name: { input: "resourceName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "etag"],
    rename: {
      applicationType: "Application_Type",
      flowType: "Flow_Type",
      requestSource: "Request_Source",
      workspaceResourceId: "WorkspaceResourceId",
      ingestionMode: "IngestionMode",
      disableLocalAuth: "DisableLocalAuth",
      disableIpMasking: "DisableIpMasking",
      samplingPercentage: "SamplingPercentage",
      retentionInDays: "RetentionInDays",
      immediatePurgeDataOn30Days: "ImmediatePurgeDataOn30Days",
      forceCustomerStorageForProfiler: "ForceCustomerStorageForProfiler",
      hockeyAppId: "HockeyAppId",
    },
    placeholders: ["properties.WorkspaceResourceId"],
  },
  // operationalinsights/stable/2023-09-01/Workspaces.json: the workspace's `sku` sits inside `properties`.
  "azure-native:operationalinsights:Workspace": {
    armType: "Microsoft.OperationalInsights/workspaces",
    writeAction: "Microsoft.OperationalInsights/workspaces/write",
    name: { input: "workspaceName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "identity", "etag"],
  },
  // msi/stable/2023-01-31/ManagedIdentity.json.
  "azure-native:managedidentity:UserAssignedIdentity": {
    armType: "Microsoft.ManagedIdentity/userAssignedIdentities",
    writeAction: "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    name: { input: "resourceName" },
    pathInputs: ["resourceGroupName"],
    topLevel: RESOURCE_TOP_LEVEL,
  },
  // monitor/preview/2021-05-01-preview/diagnosticsSettings_API.json: an extension resource of `resourceUri`.
  "azure-native:monitor:DiagnosticSetting": {
    armType: "Microsoft.Insights/diagnosticSettings",
    writeAction: "Microsoft.Insights/diagnosticSettings/write",
    name: { input: "name" },
    pathInputs: ["resourceUri"],
    topLevel: [],
    parent: (inputs) => text(inputs.resourceUri),
    resourceGroupOf: (inputs) => resourceGroupFromId(inputs.resourceUri),
    placeholders: ["properties.workspaceId"],
  },
  // resources/stable/2020-05-01/locks.json.
  "azure-native:authorization:ManagementLockAtResourceGroupLevel": {
    armType: "Microsoft.Authorization/locks",
    writeAction: "Microsoft.Authorization/locks/write",
    name: { input: "lockName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [],
    parent: (inputs, ids) => ids.resourceGroup(inputs.resourceGroupName),
  },
  // devtestlab/stable/2018-09-15/DTL.json: the VM auto-shutdown schedule.
  "azure-native:devtestlab:GlobalSchedule": {
    armType: "Microsoft.DevTestLab/schedules",
    writeAction: "Microsoft.DevTestLab/schedules/write",
    name: { input: "name" },
    pathInputs: ["resourceGroupName"],
    topLevel: RESOURCE_TOP_LEVEL,
    placeholders: ["properties.targetResourceId"],
  },
};

/** The resource provider namespace of a row: the first segment of its ARM type. */
export function namespaceOf(row: AzureTypeRow): string {
  return row.armType.split("/")[0] ?? row.armType;
}

/** `azure-native:network:PublicIPAddress` -> `@pulumi/azure-native/network/publicIPAddress` (the module's file). */
function moduleOf(pulumiType: string): string {
  const [, module, resource = ""] = pulumiType.split(":");
  return `@pulumi/azure-native/${module}/${resource.charAt(0).toLowerCase()}${resource.slice(1)}`;
}

const apiVersions = new Map<string, string>();

/**
 * The REST API version azure-native sends for a type: the "Uses Azure REST API version X." line its generated module
 * carries, read from the installed package so an upgrade of azure-native moves it too.
 */
export function apiVersionOf(pulumiType: string): string {
  let version = apiVersions.get(pulumiType);
  if (!version) {
    const source = readFileSync(require.resolve(moduleOf(pulumiType)), "utf8");
    const match = /Uses Azure REST API version ([0-9]{4}-[0-9]{2}-[0-9]{2}(?:-preview)?)\./.exec(source);
    if (!match?.[1]) throw new Error(`${moduleOf(pulumiType)} names no Azure REST API version`);
    version = match[1];
    apiVersions.set(pulumiType, version);
  }
  return version;
}

/** The planned types, each with its row, and the Azure types that have none (to be reported, never dropped). */
export interface PlannedTypes {
  rows: { type: string; row: AzureTypeRow }[];
  unknown: string[];
}

/** The distinct Azure resource types among `types` (random, tls and command resources are not ARM's), sorted. */
export function plannedTypes(resources: readonly { type: string }[]): PlannedTypes {
  const types = [...new Set(resources.map((resource) => resource.type))]
    .filter((type) => type.startsWith("azure-native:"))
    .sort();
  const rows: PlannedTypes["rows"] = [];
  const unknown: string[] = [];
  for (const type of types) {
    const found = AZURE_TYPES[type];
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
  "add a row for each to AZURE_TYPES in scripts/core/azure-types.ts (ARM type, write action from Learn's 'Azure resource provider operations', body mapping)";
