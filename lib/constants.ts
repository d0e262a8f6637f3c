/**
 * Every Azure identifier and default this project relies on, each with its source.
 * Change a value here, not at its point of use.
 */

/**
 * Built-in role definition GUIDs, each compared with the role's JSON on Learn "Azure built-in roles"
 * (learn.microsoft.com/azure/role-based-access-control/built-in-roles, category pages "AI + machine learning",
 * "Storage", "Monitor"; MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/*.md).
 */
export const BUILT_IN_ROLES = {
  /** "Lets you read and list keys of Cognitive Services" (AI + machine learning). */
  CognitiveServicesUser: "a97b65f3-24c7-4388-baec-2e87135dc908",
  /** "Read access to view files, models, deployments. The ability to create completion and embedding calls." */
  CognitiveServicesOpenAIUser: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
  /** "Full access including the ability to fine-tune, deploy and generate text" (AI + machine learning). */
  CognitiveServicesOpenAIContributor: "a001fd3d-188f-4b5d-821b-7da978bf7442",
  /** Storage category. */
  StorageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
  /** Storage category. */
  StorageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
  /** Storage category. */
  StorageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
  /** Monitor category: "Enables publishing metrics against Azure resources". */
  MonitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;

export type BuiltInRoleName = keyof typeof BUILT_IN_ROLES;

/**
 * Roles that may be granted for model access through config (`roleName`). None of them can write the account
 * (built-in roles page, AI + machine learning):
 * - Cognitive Services OpenAI User: read actions on Microsoft.CognitiveServices plus OpenAI data actions; no keys,
 *   no writes.
 * - Cognitive Services OpenAI Contributor: also `accounts/deployments/write|delete`, `raiPolicies/*`,
 *   `commitmentplans/*` and data actions `accounts/OpenAI/*`, but neither `accounts/write` nor
 *   `accounts/listKeys/action`: it can change deployments, never switch local auth back on or read a key. Allowed.
 * - Cognitive Services User: has `accounts/listkeys/action`, but ARM refuses to list keys while `disableLocalAuth` is
 *   true (400 "Failed to list key. disableLocalAuth is set to be true",
 *   Azure/terraform-azurerm-avm-res-cognitiveservices-account#130) and it cannot write the account to turn that off;
 *   the account guardrail keeps `disableLocalAuth: true`. Allowed.
 */
export const MODEL_ACCESS_ROLES = [
  "CognitiveServicesUser",
  "CognitiveServicesOpenAIUser",
  "CognitiveServicesOpenAIContributor",
] as const satisfies readonly BuiltInRoleName[];
export type ModelAccessRoleName = (typeof MODEL_ACCESS_ROLES)[number];

/**
 * Highly privileged roles the guardrails refuse: they write any resource or grant roles. Values copied from the JSON
 * on Learn "Azure built-in roles for Privileged" (built-in-roles/privileged.md).
 */
export const PRIVILEGED_ROLES = {
  /** `*`. */
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  /** Every action but Microsoft.Authorization writes: can write the account, turn key auth back on and list keys. */
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  /** `Microsoft.Authorization/*`: can grant itself any role. */
  UserAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  /** `Microsoft.Authorization/roleAssignments/write`: can grant itself any role. */
  RoleBasedAccessControlAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
} as const;

/**
 * Built-in roles that undo keyless access without being privileged: they can write a Cognitive Services account
 * (switch `disableLocalAuth` back to false) and then list or regenerate its keys. GUIDs and names: Learn "Azure
 * built-in roles" (AI + machine learning).
 * - Cognitive Services Contributor: `Microsoft.CognitiveServices/*` ("Lets you create, read, update, delete and manage
 *   keys of Cognitive Services"; role JSON on the built-in roles page).
 * - Azure AI Administrator: `Microsoft.CognitiveServices/*` among its actions (role JSON on Learn "Role-based access
 *   control for Microsoft Foundry (Hubs and Projects)").
 * - Foundry Account Owner and Foundry Owner (formerly Azure AI Account Owner and Azure AI Owner): "full access to
 *   manage projects and resources", can create Foundry accounts and manage models (permission table on Learn
 *   "Role-based access control for Microsoft Foundry"; their action lists were not read here).
 * Not listed, because what is documented for them holds no account write: Azure AI Developer (no
 * Microsoft.CognitiveServices control-plane action), Foundry Project Manager (Learn's table: creates projects, not
 * accounts, and does not manage models).
 */
export const KEY_ENABLING_ROLES = {
  CognitiveServicesContributor: "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
  AzureAIAdministrator: "b78c5d69-af96-48a3-bf8d-a8b4d589de94",
  FoundryAccountOwner: "e47c6f54-e4a2-4754-9501-8e0985b135e1",
  FoundryOwner: "c883944f-8b7b-4483-af10-35834be79c4a",
} as const;

/**
 * Full resource ID of a built-in role definition in a subscription, as a role assignment request sends it; ARM answers
 * with the tenant form `/providers/Microsoft.Authorization/roleDefinitions/{guid}` (Azure/azure-rest-api-specs
 * authorization stable/2022-04-01 examples/RoleAssignments_CreateForResourceGroup.json).
 */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/**
 * Audience (resource) of Entra ID tokens for Azure OpenAI. Source: the `openai` package 7.57.0 README (Azure OpenAI
 * section: `getBearerTokenProvider(credential, 'https://cognitiveservices.azure.com/.default')`); the service's 401 for
 * a wrong audience names the same resource ("audience is incorrect (https://cognitiveservices.azure.com)").
 */
export const COGNITIVE_SERVICES_RESOURCE = "https://cognitiveservices.azure.com";
export const COGNITIVE_SERVICES_SCOPE = `${COGNITIVE_SERVICES_RESOURCE}/.default`;
/**
 * Audience for Azure Resource Manager calls (run command, function keys, purge): the default scope of the
 * @azure/arm-* clients (@azure/arm-compute 25.1.1 dist/commonjs/api/computeManagementContext.js).
 */
export const ARM_SCOPE = "https://management.azure.com/.default";

/**
 * Instance metadata service (IMDS) host and the token API version @azure/identity's managed identity client sends:
 * @azure/msal-node 7.2.3 lib/msal-node.cjs
 * (`DEFAULT_IMDS_ENDPOINT = http://169.254.169.254/metadata/identity/oauth2/token`,
 * `IMDS_API_VERSION = "2018-02-01"`, header `Metadata: true`). scripts/vm/smoke.sh sends the same.
 */
export const IMDS_ENDPOINT = "http://169.254.169.254";
export const IMDS_API_VERSION = "2018-02-01";

/**
 * Azure OpenAI public endpoint suffix for kind OpenAI with a custom subdomain. Source: Learn "Azure OpenAI REST API
 * reference", parameter `endpoint`: "https://{your-resource-name}.openai.azure.com".
 */
export const OPENAI_ENDPOINT_SUFFIX = "openai.azure.com";

/**
 * Defaults of a model deployment, except the model itself: which model and version a stack deploys is asked of Azure's
 * catalogue for the stack's region (`npm run models -- --stack NAME --pin`) and pinned in Pulumi.<stack>.yaml, because
 * any model written here goes stale within months (Azure's retirement table, MicrosoftDocs/azure-ai-docs
 * `articles/foundry/openai/includes/retirement/models.md`: in its latest edition every GA text model is closed to new
 * customers on or before 2026-11-18; the December 2025 edition still listed gpt-5.2 as open until 2026-12-12). Known
 * retirement dates live in lib/model-retirements.json. GlobalStandard is pay-per-token with no hourly charge; capacity is thousands of
 * tokens per minute (Azure OpenAI "deployment types" and "quota" pages).
 */
export const DEFAULT_DEPLOYMENT = {
  name: "chat",
  sku: "GlobalStandard",
  capacity: 10,
  versionUpgradeOption: "OnceNewDefaultVersionAvailable",
} as const;

/**
 * Deployment SKU names ("SKU name in code") from Learn "Deployment types in Microsoft Foundry Models"
 * (learn.microsoft.com/azure/foundry/foundry-models/concepts/deployment-types). `DeveloperTier`, for evaluating
 * fine-tuned models only, is left out on purpose.
 */
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

/**
 * `versionUpgradeOption` values: @pulumi/azure-native 3.28.0 types/enums/cognitiveservices
 * `DeploymentModelVersionUpgradeOption`.
 */
export const VERSION_UPGRADE_OPTIONS = [
  "OnceNewDefaultVersionAvailable",
  "OnceCurrentVersionExpired",
  "NoAutoUpgrade",
] as const;

/** Log Analytics retention included in the price (learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure). */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/**
 * The Azure CLI's public client ID: a token issued to it came from `az login` (preflight warns when `pulumi up` would
 * sign in through the CLI but preflight did not). Source: Azure/azure-cli
 * src/azure-cli-core/azure/cli/core/auth/identity.py (`AZURE_CLI_CLIENT_ID`).
 */
export const AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
