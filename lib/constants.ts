/**
 * Every Azure identifier and default this project relies on, each with its source.
 * Change a value here, not at its point of use.
 */

/** Built-in role definition GUIDs. Source: Azure built-in roles reference (learn.microsoft.com/azure/role-based-access-control/built-in-roles), copied in shared/reference/azure-facts.md. */
export const BUILT_IN_ROLES = {
  CognitiveServicesUser: "a97b65f3-24c7-4388-baec-2e87135dc908",
  CognitiveServicesOpenAIUser: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
  CognitiveServicesOpenAIContributor: "a001fd3d-188f-4b5d-821b-7da978bf7442",
  StorageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  StorageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  StorageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  MonitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

export type BuiltInRoleName = keyof typeof BUILT_IN_ROLES;

/** Roles that may be granted for model access through config (`roleName`). Broader roles are refused on purpose. */
export const MODEL_ACCESS_ROLES = [
  "CognitiveServicesUser",
  "CognitiveServicesOpenAIUser",
  "CognitiveServicesOpenAIContributor",
] as const satisfies readonly BuiltInRoleName[];
export type ModelAccessRoleName = (typeof MODEL_ACCESS_ROLES)[number];

/** Highly privileged roles the guardrails refuse. Source: Azure built-in roles reference (Owner, Contributor, User Access Administrator, Role Based Access Control Administrator). */
export const PRIVILEGED_ROLES = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-420e-b2c7-a37a9b8d3a8f",
  UserAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  RoleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
} as const;

/** Full resource ID of a built-in role definition in a subscription. Format: azure-facts.md ("roleDefinitionId format"). */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/** Audience (resource) of Entra ID tokens for Azure OpenAI. Source: azure-facts.md ("Token scope"). */
export const COGNITIVE_SERVICES_RESOURCE = "https://cognitiveservices.azure.com";
export const COGNITIVE_SERVICES_SCOPE = `${COGNITIVE_SERVICES_RESOURCE}/.default`;
/** Audience for Azure Resource Manager calls (run command, function keys, purge). */
export const ARM_SCOPE = "https://management.azure.com/.default";

/** Data-plane API version: latest GA dated version. Source: Azure REST specs, inference/stable/2024-10-21 (azure-facts.md). */
export const DATA_PLANE_API_VERSION = "2024-10-21";

/** Instance metadata service token endpoint and its API version. Source: azure-facts.md ("Managed identity token endpoints"). */
export const IMDS_ENDPOINT = "http://169.254.169.254";
export const IMDS_API_VERSION = "2018-02-01";

/** Azure OpenAI public endpoint suffix for kind OpenAI with a custom subdomain. Source: azure-facts.md (Account endpoint output). */
export const OPENAI_ENDPOINT_SUFFIX = "openai.azure.com";

/**
 * Defaults of a model deployment, except the model itself: which model and version a stack deploys is asked of Azure's
 * catalogue for the stack's region (`npm run models -- --stack NAME --pin`) and pinned in Pulumi.<stack>.yaml, because
 * any model written here goes stale within months (Azure's retirement table, MicrosoftDocs/azure-ai-docs
 * `articles/foundry/openai/includes/retirement/models.md`: every GA text model of the December 2025 edition is closed
 * to new customers by November 2026). GlobalStandard is pay-per-token with no hourly charge; capacity is thousands of
 * tokens per minute (Azure OpenAI "deployment types" and "quota" pages).
 */
export const DEFAULT_DEPLOYMENT = {
  name: "chat",
  sku: "GlobalStandard",
  capacity: 10,
  versionUpgradeOption: "OnceNewDefaultVersionAvailable",
} as const;

/** Deployment SKUs accepted by Microsoft.CognitiveServices accounts/deployments (azure-native v3 DeploymentSku docs, azure-facts.md). */
export const DEPLOYMENT_SKUS = [
  "Standard",
  "GlobalStandard",
  "DataZoneStandard",
  "ProvisionedManaged",
  "GlobalProvisionedManaged",
  "DataZoneProvisionedManaged",
  "GlobalBatch",
  "DataZoneBatch",
] as const;

/** `versionUpgradeOption` values of azure-native v3 `cognitiveservices.DeploymentModelVersionUpgradeOption`. */
export const VERSION_UPGRADE_OPTIONS = [
  "OnceNewDefaultVersionAvailable",
  "OnceCurrentVersionExpired",
  "NoAutoUpgrade",
] as const;

/**
 * First-party public client IDs that mean "a person signed in" when azure-native reports them as the client.
 * Azure CLI: azure-cli `_profile.py` (`_AZ_CLI_CLIENT_ID`); Azure PowerShell: the well-known PowerShell client ID.
 */
export const INTERACTIVE_CLIENT_IDS = {
  azureCli: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
  azurePowerShell: "1950a258-227b-4e31-a9cf-717495945fc2",
} as const;

/**
 * Azure public-cloud region names (`az account list-locations --query [].name`), used to reject typos before Azure does.
 * Whether a model is offered in a region is Azure's answer, not this list's: see the README.
 */
export const AZURE_REGIONS = [
  "australiacentral",
  "australiacentral2",
  "australiaeast",
  "australiasoutheast",
  "austriaeast",
  "belgiumcentral",
  "brazilsouth",
  "brazilsoutheast",
  "canadacentral",
  "canadaeast",
  "centralindia",
  "centralus",
  "chilecentral",
  "eastasia",
  "eastus",
  "eastus2",
  "francecentral",
  "francesouth",
  "germanynorth",
  "germanywestcentral",
  "indonesiacentral",
  "israelcentral",
  "italynorth",
  "japaneast",
  "japanwest",
  "koreacentral",
  "koreasouth",
  "malaysiawest",
  "mexicocentral",
  "newzealandnorth",
  "northcentralus",
  "northeurope",
  "norwayeast",
  "norwaywest",
  "polandcentral",
  "qatarcentral",
  "southafricanorth",
  "southafricawest",
  "southcentralus",
  "southeastasia",
  "southindia",
  "spaincentral",
  "swedencentral",
  "swedensouth",
  "switzerlandnorth",
  "switzerlandwest",
  "uaecentral",
  "uaenorth",
  "uksouth",
  "ukwest",
  "westcentralus",
  "westeurope",
  "westindia",
  "westus",
  "westus2",
  "westus3",
] as const;
