/**
 * The deployer's rights. Every model-access grant is a role assignment, and creating one needs
 * `Microsoft.Authorization/roleAssignments/write` at its scope (Learn, "Assign Azure roles using the Azure portal",
 * prerequisites: Owner, User Access Administrator or Role Based Access Control Administrator); Contributor's
 * NotActions exclude it, so a Contributor's `pulumi up` fails at the first assignment with AuthorizationFailed.
 * Purging a soft-deleted account needs `Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete`
 * on the subscription (Learn, "Recover or purge deleted Azure AI services resources"); without it a teardown leaves
 * the custom subdomain blocked for 48 hours.
 */
import { describeIdentity, signedInIdentity } from "../azure";
import { permits, resourceGroupPermissions, subscriptionPermissions } from "../permissions";
import type { PreflightCheck } from "../types";

export const ROLE_ASSIGNMENT_WRITE = "Microsoft.Authorization/roleAssignments/write";
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
