/**
 * The deployer's rights. Every model-access grant is a role assignment, and creating one needs
 * `Microsoft.Authorization/roleAssignments/write` at its scope (Learn, "Assign Azure roles using the Azure portal",
 * prerequisites: Owner, User Access Administrator or Role Based Access Control Administrator); Contributor's
 * NotActions exclude it, so a Contributor's `pulumi up` fails at the first assignment with AuthorizationFailed.
 * Purging a soft-deleted account needs `Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete`
 * on the subscription (Learn, "Recover or purge deleted Azure AI services resources"); without it a teardown leaves
 * the custom subdomain blocked for 48 hours.
 */

import {
  plannedTypes,
  RESOURCE_GROUP_WRITE,
  ROLE_ASSIGNMENT_WRITE,
  UNKNOWN_TYPES_FIX,
  unknownTypesMessage,
} from "../../azure-types";
import type { PlannedAzureResource } from "../arm-body";
import { describeIdentity, signedInIdentity } from "../azure";
import { permits, resourceGroupPermissions, subscriptionPermissions } from "../permissions";

import type { CheckResult, PreflightCheck } from "../types";

/**
 * The write actions creating the planned resources needs, sorted: one per resource type with a row in
 * the registry (scripts/core/azure-types.ts). Role assignments are the role-assignment-rights check's; the resource group's own write only
 * while the group does not exist. `unknown`: planned Azure types without a row.
 */
export function writeActionsNeeded(
  resources: readonly PlannedAzureResource[],
  options: { groupExists: boolean },
): { actions: string[]; unknown: string[] } {
  const { rows, unknown } = plannedTypes(resources);
  const actions = rows
    .map(({ row }) => row.writeAction)
    .filter((action) => action !== ROLE_ASSIGNMENT_WRITE && !(options.groupExists && action === RESOURCE_GROUP_WRITE));
  return { actions: [...new Set(actions)].sort(), unknown };
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
  const { actions: needed, unknown } = writeActionsNeeded(await context.plannedResources(), {
    groupExists: inGroup !== undefined,
  });
  const missing = needed.filter((action) => !permits(scoped.permissions, action));
  const where = inGroup ? scoped.scope : `${scoped.scope} (resource group ${resourceGroupName} does not exist yet)`;
  const results: CheckResult[] = [];
  if (unknown.length > 0) {
    results.push({
      check: "resource-rights",
      status: "warn",
      found: unknownTypesMessage(unknown, "write action"),
      fix: UNKNOWN_TYPES_FIX,
    });
  }
  if (missing.length === 0) {
    results.push({
      check: "resource-rights",
      status: "pass",
      found: `${describeIdentity(identity)} may create the stack's resources on ${where} (all ${needed.length} write actions they need)`,
    });
    return results;
  }
  // Locks need Owner or User Access Administrator: Contributor's NotActions exclude Microsoft.Authorization/*/Write.
  const locks = missing.some((action) => action.startsWith("Microsoft.Authorization/"));
  results.push({
    check: "resource-rights",
    status: "fail",
    found: `${describeIdentity(identity)} may not create the stack's resources on ${where}: no role grants ${missing.join(", ")} (read from ${scoped.method})`,
    fix: `have an Owner grant ${locks ? "Owner (the resource group's delete lock needs Microsoft.Authorization/locks/write, which Contributor lacks)" : "Contributor"}: az role assignment create --assignee ${identity.objectId} --role ${locks ? "Owner" : "Contributor"} --scope /subscriptions/${context.subscriptionId}${inGroup ? `/resourceGroups/${resourceGroupName}` : ""}`,
  });
  return results;
};
