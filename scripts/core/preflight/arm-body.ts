/**
 * The ARM request body of each resource the stack plans, as Azure Policy's evaluator needs it
 * (`checkPolicyRestrictions` `resourceDetails.resourceContent`: "whatever properties are already known", REST spec
 * azure-rest-api-specs specification/policyinsights/resource-manager/Microsoft.PolicyInsights/stable/2024-10-01/
 * checkPolicyRestrictions.json, CheckRestrictionsResourceDetails).
 *
 * azure-native flattens ARM's `properties` envelope into top-level inputs (and, for sub-resources such as a NIC's IP
 * configurations, each element's `properties` too). This module turns the inputs back into ARM's shape,
 * `{ name, type, location, tags, kind, sku, identity, properties: {...} }`, one table row per resource type. A type
 * without a row is reported, never dropped: add a row to {@link ARM_MAPPINGS}.
 *
 * Values that only exist after deploy (another resource's ID or principal ID) come from the offline engine's mock
 * answers: they are listed per row as `placeholders`, so a report can say which values were stand-ins. The mock's
 * subscription ID is replaced with the real one, so IDs have the shape ARM will see.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  DEFAULT_DIRECTORY,
  type Directory,
  SUBSCRIPTION_ID as OFFLINE_SUBSCRIPTION_ID,
  runProgram,
} from "../offline-engine";
import { readStackConfig, withUnpinnedModelPlanned } from "../stack-config";

/** A resource the program declares, with its inputs as the engine received them. */
export interface PlannedAzureResource {
  /** Pulumi type token, `azure-native:cognitiveservices:Account`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  inputs: Record<string, unknown>;
}

/** One request to Azure Policy's evaluator. */
export interface ArmResourceRequest {
  pulumiType: string;
  pulumiName: string;
  /** ARM resource type, `Microsoft.CognitiveServices/accounts`. */
  armType: string;
  /** API version the body is written in: the one azure-native 3.28 uses for the type. */
  apiVersion: string;
  /** Resource group the resource lives in; undefined for a resource group itself (created in the subscription). */
  resourceGroupName: string | undefined;
  /** Parent resource ID of a child or extension resource (`resourceDetails.scope`); undefined for top-level ones. */
  scope: string | undefined;
  /** `resourceDetails.resourceContent`. */
  body: Record<string, unknown>;
  /** Body paths whose value stands in for something only known after deploy. */
  placeholders: string[];
}

/** How one azure-native type maps to its ARM body. */
export interface ArmMapping {
  armType: string;
  apiVersion: string;
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

/** Builds resource IDs in the target subscription. */
export interface IdBuilder {
  resourceGroup(name: unknown): string;
  resource(resourceGroupName: unknown, armType: string, ...names: unknown[]): string;
}

/** Shown where a name the body needs is only known after deploy. */
export const UNKNOWN_NAME = "(known after deploy)";

const RESOURCE_TOP_LEVEL = ["location", "tags"] as const;
const SUB_RESOURCE_KEYS = new Set(["id", "name", "etag", "type"]);

function text(value: unknown): string {
  return typeof value === "string" && value !== "" ? value : UNKNOWN_NAME;
}

function resourceGroupFromId(id: unknown): string | undefined {
  const match = typeof id === "string" ? /\/resourceGroups\/([^/]+)/i.exec(id) : null;
  return match?.[1];
}

/**
 * One row per azure-native type this project declares (and the private-networking types it is about to).
 * API versions: the "Uses Azure REST API version" line of each type in @pulumi/azure-native 3.28.0.
 * Body shapes: the type's swagger in azure-rest-api-specs (`x-ms-client-flatten` marks what azure-native flattens).
 */
export const ARM_MAPPINGS: Readonly<Record<string, ArmMapping>> = {
  "azure-native:resources:ResourceGroup": {
    armType: "Microsoft.Resources/resourceGroups",
    apiVersion: "2024-03-01",
    name: { input: "resourceGroupName" },
    pathInputs: [],
    topLevel: [...RESOURCE_TOP_LEVEL, "managedBy"],
  },
  // cognitiveservices/stable/2025-06-01/cognitiveservices.json: Account keeps `properties` (not flattened).
  "azure-native:cognitiveservices:Account": {
    armType: "Microsoft.CognitiveServices/accounts",
    apiVersion: "2025-06-01",
    name: { input: "accountName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "sku", "identity"],
    propertiesInput: true,
  },
  "azure-native:cognitiveservices:Deployment": {
    armType: "Microsoft.CognitiveServices/accounts/deployments",
    apiVersion: "2025-06-01",
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
    apiVersion: "2022-04-01",
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
    apiVersion: "2024-11-01",
    name: { input: "vmName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "identity", "zones", "plan", "extendedLocation", "placement"],
    subResources: ["networkProfile.networkInterfaces"],
    placeholders: ["properties.networkProfile.networkInterfaces[].id"],
  },
  // network/stable/2024-05-01/virtualNetwork.json, networkSecurityGroup.json, networkInterface.json, publicIpAddress.json.
  "azure-native:network:VirtualNetwork": {
    armType: "Microsoft.Network/virtualNetworks",
    apiVersion: "2024-05-01",
    name: { input: "virtualNetworkName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "extendedLocation"],
    subResources: ["subnets"],
  },
  "azure-native:network:Subnet": {
    armType: "Microsoft.Network/virtualNetworks/subnets",
    apiVersion: "2024-05-01",
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
    apiVersion: "2024-05-01",
    name: { input: "networkSecurityGroupName" },
    pathInputs: ["resourceGroupName"],
    topLevel: RESOURCE_TOP_LEVEL,
    subResources: ["securityRules"],
  },
  "azure-native:network:PublicIPAddress": {
    armType: "Microsoft.Network/publicIPAddresses",
    apiVersion: "2024-05-01",
    name: { input: "publicIpAddressName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "sku", "zones", "extendedLocation"],
  },
  "azure-native:network:NetworkInterface": {
    armType: "Microsoft.Network/networkInterfaces",
    apiVersion: "2024-05-01",
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
    apiVersion: "2024-05-01",
    name: { input: "natGatewayName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "sku", "zones"],
    placeholders: ["properties.publicIpAddresses[].id", "properties.publicIpPrefixes[].id"],
  },
  // network/stable/2024-05-01/publicIpPrefix.json: PublicIPPrefix {extendedLocation, sku {name, tier}, zones,
  // properties {publicIPAddressVersion, prefixLength, ipTags, ...}} (Bicep's Microsoft.Network/publicIPPrefixes shape).
  "azure-native:network:PublicIPPrefix": {
    armType: "Microsoft.Network/publicIPPrefixes",
    apiVersion: "2024-05-01",
    name: { input: "publicIpPrefixName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "sku", "zones", "extendedLocation"],
  },
  // network/stable/2024-05-01/privateEndpoint.json: connections and zone configs flatten their `properties`.
  "azure-native:network:PrivateEndpoint": {
    armType: "Microsoft.Network/privateEndpoints",
    apiVersion: "2024-05-01",
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
    apiVersion: "2024-05-01",
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
    apiVersion: "2024-06-01",
    name: { input: "privateZoneName" },
    pathInputs: ["resourceGroupName"],
    topLevel: RESOURCE_TOP_LEVEL,
  },
  "azure-native:privatedns:VirtualNetworkLink": {
    armType: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    apiVersion: "2024-06-01",
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
    apiVersion: "2025-05-01",
    name: { input: "name" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "sku", "extendedLocation"],
  },
  "azure-native:web:WebApp": {
    armType: "Microsoft.Web/sites",
    apiVersion: "2025-05-01",
    name: { input: "name" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "identity", "extendedLocation"],
    placeholders: ["properties.serverFarmId", "properties.virtualNetworkSubnetId"],
  },
  "azure-native:web:WebAppApplicationSettings": {
    armType: "Microsoft.Web/sites/config",
    apiVersion: "2025-05-01",
    name: { fixed: "appsettings" },
    pathInputs: ["resourceGroupName", "name"],
    topLevel: ["kind"],
    propertiesInput: true,
    parent: (inputs, ids) => ids.resource(inputs.resourceGroupName, "Microsoft.Web/sites", inputs.name),
  },
  "azure-native:web:WebAppFtpAllowed": {
    armType: "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
    apiVersion: "2025-05-01",
    name: { fixed: "ftp" },
    pathInputs: ["resourceGroupName", "name"],
    topLevel: ["kind"],
    parent: (inputs, ids) => ids.resource(inputs.resourceGroupName, "Microsoft.Web/sites", inputs.name),
  },
  "azure-native:web:WebAppScmAllowed": {
    armType: "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
    apiVersion: "2025-05-01",
    name: { fixed: "scm" },
    pathInputs: ["resourceGroupName", "name"],
    topLevel: ["kind"],
    parent: (inputs, ids) => ids.resource(inputs.resourceGroupName, "Microsoft.Web/sites", inputs.name),
  },
  // storage/stable/2024-01-01/storage.json (StorageAccountCreateParameters) and blob.json (BlobContainer).
  "azure-native:storage:StorageAccount": {
    armType: "Microsoft.Storage/storageAccounts",
    apiVersion: "2024-01-01",
    name: { input: "accountName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "kind", "sku", "identity", "extendedLocation"],
    // azure-native takes the spec's x-ms-client-name for these two.
    rename: { networkRuleSet: "networkAcls", enableHttpsTrafficOnly: "supportsHttpsTrafficOnly" },
  },
  "azure-native:storage:BlobContainer": {
    armType: "Microsoft.Storage/storageAccounts/blobServices/containers",
    apiVersion: "2024-01-01",
    name: { input: "containerName" },
    pathInputs: ["resourceGroupName", "accountName"],
    topLevel: [],
    parent: (inputs, ids) =>
      `${ids.resource(inputs.resourceGroupName, "Microsoft.Storage/storageAccounts", inputs.accountName)}/blobServices/default`,
  },
  // applicationinsights/stable/2020-02-02/components_API.json: the spec spells these properties in PascalCase/snake.
  "azure-native:applicationinsights:Component": {
    armType: "Microsoft.Insights/components",
    apiVersion: "2020-02-02",
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
    apiVersion: "2023-09-01",
    name: { input: "workspaceName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [...RESOURCE_TOP_LEVEL, "identity", "etag"],
  },
  // msi/stable/2023-01-31/ManagedIdentity.json.
  "azure-native:managedidentity:UserAssignedIdentity": {
    armType: "Microsoft.ManagedIdentity/userAssignedIdentities",
    apiVersion: "2023-01-31",
    name: { input: "resourceName" },
    pathInputs: ["resourceGroupName"],
    topLevel: RESOURCE_TOP_LEVEL,
  },
  // monitor/preview/2021-05-01-preview/diagnosticsSettings_API.json: an extension resource of `resourceUri`.
  "azure-native:monitor:DiagnosticSetting": {
    armType: "Microsoft.Insights/diagnosticSettings",
    apiVersion: "2021-05-01-preview",
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
    apiVersion: "2020-05-01",
    name: { input: "lockName" },
    pathInputs: ["resourceGroupName"],
    topLevel: [],
    parent: (inputs, ids) => ids.resourceGroup(inputs.resourceGroupName),
  },
  "azure-native:authorization:ManagementLockByScope": {
    armType: "Microsoft.Authorization/locks",
    apiVersion: "2020-05-01",
    name: { input: "lockName" },
    pathInputs: ["scope"],
    topLevel: [],
    parent: (inputs) => text(inputs.scope),
    resourceGroupOf: (inputs) => resourceGroupFromId(inputs.scope),
  },
  // storage/stable/2024-01-01/blob.json: BlobServiceProperties, always named `default`.
  "azure-native:storage:BlobServiceProperties": {
    armType: "Microsoft.Storage/storageAccounts/blobServices",
    apiVersion: "2024-01-01",
    name: { fixed: "default" },
    pathInputs: ["resourceGroupName", "accountName", "blobServicesName"],
    topLevel: [],
    parent: (inputs, ids) =>
      ids.resource(inputs.resourceGroupName, "Microsoft.Storage/storageAccounts", inputs.accountName),
  },
  // web/stable/2025-05-01/WebApps.json: SwiftVirtualNetwork (regional VNet integration), named `virtualNetwork`.
  "azure-native:web:WebAppSwiftVirtualNetworkConnection": {
    armType: "Microsoft.Web/sites/networkConfig",
    apiVersion: "2025-05-01",
    name: { fixed: "virtualNetwork" },
    pathInputs: ["resourceGroupName", "name"],
    topLevel: ["kind"],
    parent: (inputs, ids) => ids.resource(inputs.resourceGroupName, "Microsoft.Web/sites", inputs.name),
    placeholders: ["properties.subnetResourceId"],
  },
  // devtestlab/stable/2018-09-15/DTL.json: the VM auto-shutdown schedule.
  "azure-native:devtestlab:GlobalSchedule": {
    armType: "Microsoft.DevTestLab/schedules",
    apiVersion: "2018-09-15",
    name: { input: "name" },
    pathInputs: ["resourceGroupName"],
    topLevel: RESOURCE_TOP_LEVEL,
    placeholders: ["properties.targetResourceId"],
  },
};

// String values under these keys are credentials: they never leave the machine (booleans such as
// `disablePasswordAuthentication` are kept, they are settings).
const CREDENTIAL_KEY = /password|secret|privatekey|connectionstring|accountkey|sastoken/i;
export const REDACTED = "[redacted]";

/** Deep copy with the mock subscription ID replaced and credential strings redacted. */
function prepare(value: unknown, subscriptionId: string, key = ""): unknown {
  if (Array.isArray(value)) return value.map((item) => prepare(item, subscriptionId));
  if (typeof value === "string") {
    if (CREDENTIAL_KEY.test(key) && value !== "") return REDACTED;
    return value.split(OFFLINE_SUBSCRIPTION_ID).join(subscriptionId);
  }
  if (value === null || typeof value !== "object") return value;
  const copy: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item !== undefined) copy[name] = prepare(item, subscriptionId, name);
  }
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A sub-resource as ARM spells it: `id`/`name` outside, everything else inside its `properties`. */
function unflattenSubResource(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const outer: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SUB_RESOURCE_KEYS.has(key)) outer[key] = item;
    else properties[key] = item;
  }
  return Object.keys(properties).length > 0 ? { ...outer, properties } : outer;
}

function unflattenAt(properties: Record<string, unknown>, path: string): void {
  const keys = path.split(".");
  let holder: unknown = properties;
  for (const key of keys.slice(0, -1)) holder = isRecord(holder) ? holder[key] : undefined;
  const last = keys[keys.length - 1] as string;
  if (!isRecord(holder) || holder[last] === undefined) return;
  const value = holder[last];
  holder[last] = Array.isArray(value) ? value.map(unflattenSubResource) : unflattenSubResource(value);
}

/** Concrete paths (`properties.ipConfigurations[0].properties.subnet.id`) where a `[]` pattern has a value. */
function presentPaths(body: unknown, pattern: string): string[] {
  const walk = (value: unknown, parts: string[], prefix: string): string[] => {
    if (parts.length === 0) return value === undefined ? [] : [prefix];
    const [part, ...rest] = parts as [string, ...string[]];
    const array = part.endsWith("[]");
    const key = array ? part.slice(0, -2) : part;
    const child = isRecord(value) ? value[key] : undefined;
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (!array) return walk(child, rest, path);
    return Array.isArray(child) ? child.flatMap((item, index) => walk(item, rest, `${path}[${index}]`)) : [];
  };
  return walk(body, pattern.split("."), "");
}

/** The ARM request of one planned resource, by its table row. */
export function armRequest(
  resource: PlannedAzureResource,
  mapping: ArmMapping,
  subscriptionId: string,
): ArmResourceRequest {
  const inputs = prepare(resource.inputs, subscriptionId) as Record<string, unknown>;
  const ids: IdBuilder = {
    resourceGroup: (name) => `/subscriptions/${subscriptionId}/resourceGroups/${text(name)}`,
    resource: (resourceGroupName, armType, ...names) => {
      const [namespace, ...types] = armType.split("/");
      const segments = types.map((type, index) => `${type}/${text(names[index])}`).join("/");
      return `${ids.resourceGroup(resourceGroupName)}/providers/${namespace}/${segments}`;
    },
  };
  const nameInput = "input" in mapping.name ? mapping.name.input : undefined;
  const givenName = "fixed" in mapping.name ? mapping.name.fixed : inputs[mapping.name.input];
  // Without a name input azure-native auto-names the resource: the Pulumi name plus a random suffix.
  const autoNamed = typeof givenName !== "string" || givenName === "";
  const name = autoNamed ? resource.name : givenName;

  const body: Record<string, unknown> = { name, type: mapping.armType };
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (key === nameInput || mapping.pathInputs.includes(key)) continue;
    if (mapping.topLevel.includes(key)) body[key] = value;
    else if (mapping.propertiesInput && key === "properties" && isRecord(value)) Object.assign(properties, value);
    else properties[mapping.rename?.[key] ?? key] = value;
  }
  for (const path of mapping.subResources ?? []) unflattenAt(properties, path);
  if (Object.keys(properties).length > 0) body.properties = properties;

  const placeholders = (mapping.placeholders ?? []).flatMap((pattern) => presentPaths(body, pattern));
  if (autoNamed) placeholders.unshift("name");
  const scope = mapping.parent?.(inputs, ids);
  if (scope?.includes(UNKNOWN_NAME)) placeholders.push("scope");
  const resourceGroupName =
    mapping.armType === "Microsoft.Resources/resourceGroups"
      ? undefined
      : (mapping.resourceGroupOf?.(inputs) ??
        (typeof inputs.resourceGroupName === "string" ? inputs.resourceGroupName : undefined));
  return {
    pulumiType: resource.type,
    pulumiName: resource.name,
    armType: mapping.armType,
    apiVersion: mapping.apiVersion,
    resourceGroupName,
    scope,
    body,
    placeholders,
  };
}

/** What the plan turns into: requests for mapped types, and the Azure types that have no row yet. */
export interface ArmRequests {
  requests: ArmResourceRequest[];
  /** azure-native resources whose type has no row in {@link ARM_MAPPINGS}: not checked, to be reported. */
  unmapped: PlannedAzureResource[];
}

/** ARM requests for every azure-native resource of the plan; other providers (random, tls, command) are not ARM. */
export function armRequests(resources: readonly PlannedAzureResource[], subscriptionId: string): ArmRequests {
  const requests: ArmResourceRequest[] = [];
  const unmapped: PlannedAzureResource[] = [];
  for (const resource of resources) {
    if (!resource.type.startsWith("azure-native:")) continue;
    const mapping = ARM_MAPPINGS[resource.type];
    if (mapping) requests.push(armRequest(resource, mapping, subscriptionId));
    else unmapped.push(resource);
  }
  return { requests, unmapped };
}

type Program = () => unknown;

/** The function a program module exports (`export =` or `export default`), as tsx's interop presents it. */
async function loadProgram(path: string): Promise<Program> {
  let candidate: unknown = await import(pathToFileURL(path).href);
  for (let depth = 0; depth < 3; depth++) {
    if (typeof candidate === "function") return candidate as Program;
    candidate = isRecord(candidate) ? candidate.default : undefined;
  }
  throw new Error(`${path}: expected the module to export a function returning the stack outputs`);
}

/** Object ID given to every user the stack names: only Entra ID knows the real one, and it is a placeholder here. */
export const PLACEHOLDER_PRINCIPAL_ID = "ffffffff-ffff-4fff-bfff-ffffffffffff";

function anyKey<T>(answer: (key: string) => T): Record<string, T> {
  return new Proxy({} as Record<string, T>, {
    get: (_target, key) => (typeof key === "string" ? answer(key) : undefined),
  });
}

/** A directory that knows every principal the stack's config names, so any real stack plans offline. */
const ANY_PRINCIPAL_DIRECTORY: Directory = {
  deployer: DEFAULT_DIRECTORY.deployer,
  users: anyKey(() => PLACEHOLDER_PRINCIPAL_ID),
  groups: anyKey((objectId) => `group ${objectId}`),
  servicePrincipals: anyKey((objectId) => `service principal ${objectId}`),
};

/**
 * What `pulumi up` would send for `stack`: the program run offline under the mock engine with the stack's config
 * (as `npm run plan` does), with the raw inputs (the plan document masks some settings by name). Users, groups and
 * service principals the config names are not looked up: their object IDs are placeholders.
 */
export async function plannedResources(projectDir: string, stack: string): Promise<PlannedAzureResource[]> {
  const directory = resolve(projectDir);
  const config = withUnpinnedModelPlanned(readStackConfig(directory, stack));
  const program = await loadProgram(resolve(directory, config.main ?? "index.ts"));
  // The same program with the same config plans the same resources (the mock engine answers deterministically), so
  // one evaluation serves every later ask in this process: a deploy's preflight and its policy check, a test file's
  // many preflights of one stack.
  const key = JSON.stringify([config.project, stack, config.values]);
  const byConfig = evaluations.get(program) ?? new Map<string, Promise<PlannedAzureResource[]>>();
  evaluations.set(program, byConfig);
  let planned = byConfig.get(key);
  if (!planned) {
    planned = runProgram(program, {
      project: config.project,
      stack,
      rawConfig: config.values,
      directory: ANY_PRINCIPAL_DIRECTORY,
    }).then((run) =>
      run.resources
        .filter((resource) => resource.custom)
        .map((resource) => ({ type: resource.type, name: resource.name, inputs: resource.inputs })),
    );
    byConfig.set(key, planned);
    planned.catch(() => byConfig.delete(key));
  }
  return planned;
}

/** Evaluations already made in this process, per program function and config. */
const evaluations = new WeakMap<Program, Map<string, Promise<PlannedAzureResource[]>>>();
