/**
 * The deployer's rights. Every model-access grant is a role assignment, and creating one needs
 * `Microsoft.Authorization/roleAssignments/write` at its scope (Learn, "Assign Azure roles using the Azure portal",
 * prerequisites: Owner, User Access Administrator or Role Based Access Control Administrator); Contributor's
 * NotActions exclude it, so a Contributor's `pulumi up` fails at the first assignment with AuthorizationFailed.
 * Purging a soft-deleted account needs `Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete`
 * on the subscription (Learn, "Recover or purge deleted Azure AI services resources"); without it a teardown leaves
 * the custom subdomain blocked for 48 hours.
 */
import type { StackConfig } from "../../../lib/config";
import { describeIdentity, signedInIdentity } from "../azure";
import { permits, resourceGroupPermissions, subscriptionPermissions } from "../permissions";
import type { PreflightCheck } from "../types";

export const ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write";
const RESOURCE_GROUP_WRITE = "Microsoft.Resources/subscriptions/resourceGroups/write";

/**
 * The ARM write action behind each azure-native resource type the program declares (Learn, "Azure resource provider
 * operations", per namespace). Role assignments are the role-assignment-rights check's.
 */
export const WRITE_ACTIONS: Record<string, string> = {
  "azure-native:resources:ResourceGroup": RESOURCE_GROUP_WRITE,
  "azure-native:cognitiveservices:Account": "Microsoft.CognitiveServices/accounts/write",
  "azure-native:cognitiveservices:Deployment": "Microsoft.CognitiveServices/accounts/deployments/write",
  "azure-native:network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups/write",
  "azure-native:network:VirtualNetwork": "Microsoft.Network/virtualNetworks/write",
  "azure-native:network:Subnet": "Microsoft.Network/virtualNetworks/subnets/write",
  "azure-native:network:PublicIPAddress": "Microsoft.Network/publicIPAddresses/write",
  "azure-native:network:NetworkInterface": "Microsoft.Network/networkInterfaces/write",
  "azure-native:compute:VirtualMachine": "Microsoft.Compute/virtualMachines/write",
  "azure-native:storage:StorageAccount": "Microsoft.Storage/storageAccounts/write",
  "azure-native:storage:BlobContainer": "Microsoft.Storage/storageAccounts/blobServices/containers/write",
  "azure-native:web:AppServicePlan": "Microsoft.Web/serverfarms/write",
  "azure-native:web:WebApp": "Microsoft.Web/sites/write",
  "azure-native:web:WebAppApplicationSettings": "Microsoft.Web/sites/config/write",
  "azure-native:web:WebAppFtpAllowed": "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
  "azure-native:web:WebAppScmAllowed": "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
  "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces/write",
  "azure-native:applicationinsights:Component": "Microsoft.Insights/components/write",
};

/**
 * The azure-native resource types the program declares for this config (index.ts and components/; the VM's public
 * IP only with sshAllowedCidrs). tests/preflight.test.ts checks the list against the program under the mock engine.
 */
export function declaredResourceTypes(config: Pick<StackConfig, "compute">): string[] {
  const { kind, vm } = config.compute;
  const types = [
    "azure-native:resources:ResourceGroup",
    "azure-native:cognitiveservices:Account",
    "azure-native:cognitiveservices:Deployment",
  ];
  if (kind === "vm" || kind === "both") {
    types.push(
      "azure-native:network:NetworkSecurityGroup",
      "azure-native:network:VirtualNetwork",
      "azure-native:network:Subnet",
      "azure-native:network:NetworkInterface",
      "azure-native:compute:VirtualMachine",
      ...(vm.sshAllowedCidrs.length > 0 ? ["azure-native:network:PublicIPAddress"] : []),
    );
  }
  if (kind === "functionApp" || kind === "both") {
    types.push(
      "azure-native:storage:StorageAccount",
      "azure-native:storage:BlobContainer",
      "azure-native:web:AppServicePlan",
      "azure-native:web:WebApp",
      "azure-native:web:WebAppApplicationSettings",
      "azure-native:web:WebAppFtpAllowed",
      "azure-native:web:WebAppScmAllowed",
      "azure-native:operationalinsights:Workspace",
      "azure-native:applicationinsights:Component",
    );
  }
  return types;
}
export const DELETED_ACCOUNT_PURGE = "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete";

export const roleAssignmentRightsCheck: PreflightCheck = async (context) => {
  const identity = await signedInIdentity(context);
  const { resourceGroupName } = context.config;
  // The grants go on the resource group or on the account inside it; a right on the group covers both.
  const scoped =
    (await resourceGroupPermissions(context, resourceGroupName)) ??
    (await subscriptionPermissions(context, identity.objectId));
  const where = scoped.scope.startsWith("subscription")
    ? `${scoped.scope} (resource group ${resourceGroupName} does not exist yet)`
    : scoped.scope;
  if (permits(scoped.permissions, ROLE_ASSIGNMENT_WRITE)) {
    return [
      {
        check: "role-assignment-rights",
        status: "pass",
        found: `${describeIdentity(identity)} may create role assignments on ${where} (${ROLE_ASSIGNMENT_WRITE}, from ${scoped.method})`,
      },
    ];
  }
  return [
    {
      check: "role-assignment-rights",
      status: "fail",
      found: `${describeIdentity(identity)} may not create role assignments on ${where}: no role grants ${ROLE_ASSIGNMENT_WRITE} (read from ${scoped.method}); pulumi up would stop at the first model-access grant with AuthorizationFailed`,
      fix: `have an Owner grant it a role that can assign roles, e.g. az role assignment create --assignee ${identity.objectId} --role "Role Based Access Control Administrator" --scope /subscriptions/${context.subscriptionId}; or have someone who holds such a role run the deploy (the VM, the Function App and its storage get role assignments whatever grantDeployer says)`,
    },
  ];
};

export const purgeRightsCheck: PreflightCheck = async (context) => {
  const identity = await signedInIdentity(context);
  const scoped = await subscriptionPermissions(context, identity.objectId);
  if (permits(scoped.permissions, DELETED_ACCOUNT_PURGE)) {
    return [
      {
        check: "purge-rights",
        status: "pass",
        found: `${describeIdentity(identity)} may purge deleted accounts on ${scoped.scope}, so npm run destroy frees the subdomain`,
      },
    ];
  }
  return [
    {
      check: "purge-rights",
      status: "warn",
      found: `${describeIdentity(identity)} may not purge deleted Cognitive Services accounts on ${scoped.scope} (${DELETED_ACCOUNT_PURGE}, read from ${scoped.method}): after a teardown the account's name stays blocked for 48 hours`,
      fix: `grant Contributor (or a custom role with ${DELETED_ACCOUNT_PURGE}) on /subscriptions/${context.subscriptionId} to whoever runs npm run destroy`,
    },
  ];
};

/**
 * The deployer may create the stack's resources: the write action of every resource type it declares, on the
 * resource group (on the subscription while the group does not exist, which also needs the group's own write).
 * Catches an identity that may assign roles but not create resources (User Access Administrator alone, Reader).
 */
export const resourceRightsCheck: PreflightCheck = async (context) => {
  const identity = await signedInIdentity(context);
  const { resourceGroupName } = context.config;
  const inGroup = await resourceGroupPermissions(context, resourceGroupName);
  const scoped = inGroup ?? (await subscriptionPermissions(context, identity.objectId));
  const needed = [
    ...new Set(
      declaredResourceTypes(context.config)
        .map((type) => WRITE_ACTIONS[type] ?? type)
        .filter((action) => !inGroup || action !== RESOURCE_GROUP_WRITE),
    ),
  ];
  const missing = needed.filter((action) => !permits(scoped.permissions, action));
  const where = inGroup ? scoped.scope : `${scoped.scope} (resource group ${resourceGroupName} does not exist yet)`;
  if (missing.length === 0) {
    return [
      {
        check: "resource-rights",
        status: "pass",
        found: `${describeIdentity(identity)} may create the stack's resources on ${where} (all ${needed.length} write actions they need)`,
      },
    ];
  }
  return [
    {
      check: "resource-rights",
      status: "fail",
      found: `${describeIdentity(identity)} may not create the stack's resources on ${where}: no role grants ${missing.join(", ")} (read from ${scoped.method})`,
      fix: `have an Owner grant Contributor: az role assignment create --assignee ${identity.objectId} --role Contributor --scope /subscriptions/${context.subscriptionId}${inGroup ? `/resourceGroups/${resourceGroupName}` : ""}`,
    },
  ];
};
