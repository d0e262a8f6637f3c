/**
 * What the signed-in identity may do at a scope, as Azure RBAC decides it (Learn, "Understand Azure role definitions",
 * sections Actions / NotActions): an action is allowed when some role's `actions` match it and the SAME role's
 * `notActions` do not (NotActions subtract only from their own role; another role can still grant the action).
 * `*` matches any characters, `/` included, and matching ignores case ("Microsoft.Authorization/*\/Write" covers
 * `Microsoft.Authorization/roleAssignments/write`). Deny assignments are not read here.
 */
import type { Permission } from "@azure/arm-authorization";
import { armStatus } from "../azure-error";
import { all, armClients } from "./azure";
import type { PreflightContext } from "./types";

/** One role's control-plane permissions (the `actions` / `notActions` of a role definition or of ARM's permissions list). */
export type PermissionSet = Pick<Permission, "actions" | "notActions">;

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** The pattern of one action entry: `*` is any run of characters, everything else literal, case-insensitive. */
export function actionPattern(entry: string): RegExp {
  return new RegExp(`^${escapeRegExp(entry).replaceAll("*", ".*")}$`, "i");
}

function matchesAny(entries: readonly string[] | undefined, action: string): boolean {
  return (entries ?? []).some((entry) => actionPattern(entry).test(action));
}

/** True when one of the permission sets grants `action` (its actions match and its own notActions do not). */
export function permits(permissions: readonly PermissionSet[], action: string): boolean {
  return permissions.some(
    (permission) => matchesAny(permission.actions, action) && !matchesAny(permission.notActions, action),
  );
}

/** One answer per context and question: three checks read the same permissions, ARM is asked once. */
const asked = new WeakMap<PreflightContext, Map<string, Promise<unknown>>>();

function once<T>(context: PreflightContext, key: string, ask: () => Promise<T>): Promise<T> {
  let answers = asked.get(context);
  if (!answers) {
    answers = new Map();
    asked.set(context, answers);
  }
  let answer = answers.get(key) as Promise<T> | undefined;
  if (!answer) {
    answer = ask();
    answers.set(key, answer);
  }
  return answer;
}

/** Where the permissions were read, for messages. */
export interface ScopedPermissions {
  scope: string;
  permissions: PermissionSet[];
  /** How they were read: ARM's permissions list of the group, or the identity's role assignments and definitions. */
  method: string;
}

/**
 * The caller's effective permissions on a resource group: ARM's own answer (`permissions.listForResourceGroup`,
 * GET .../resourcegroups/{rg}/providers/Microsoft.Authorization/permissions). Undefined when the group does not exist.
 */
export function resourceGroupPermissions(
  context: PreflightContext,
  resourceGroupName: string,
): Promise<ScopedPermissions | undefined> {
  return once(context, `group:${resourceGroupName.toLowerCase()}`, () =>
    readGroupPermissions(context, resourceGroupName),
  );
}

/** Whether the resource group exists yet (`resourceGroups.checkExistence`: HEAD, 204 or 404), asked once. */
export function resourceGroupExists(context: PreflightContext, resourceGroupName: string): Promise<boolean> {
  return once(context, `exists:${resourceGroupName.toLowerCase()}`, async () => {
    const answer = await armClients(context).resources().resourceGroups.checkExistence(resourceGroupName);
    return answer.body;
  });
}

async function readGroupPermissions(
  context: PreflightContext,
  resourceGroupName: string,
): Promise<ScopedPermissions | undefined> {
  const clients = armClients(context);
  if (!(await resourceGroupExists(context, resourceGroupName))) return undefined;
  try {
    const permissions = await all(clients.authorization().permissions.listForResourceGroup(resourceGroupName));
    return {
      scope: `resource group ${resourceGroupName}`,
      permissions,
      method: "ARM's permissions list for the group",
    };
  } catch (error) {
    if (armStatus(error) === 404) return undefined;
    throw error;
  }
}

/**
 * The identity's permissions at subscription scope. ARM has no permissions list for a subscription, so they are
 * assembled from the role assignments that apply there (`roleAssignments.listForSubscription` with
 * `$filter=atScope() and assignedTo('{objectId}')`: assignments at or above the subscription, including those made
 * to groups the principal is a member of, transitively; Learn, "List Azure role assignments using the REST API") and
 * each assigned role's definition (`roleDefinitions.getById`).
 */
export function subscriptionPermissions(context: PreflightContext, objectId: string): Promise<ScopedPermissions> {
  return once(context, `subscription:${objectId.toLowerCase()}`, () => readSubscriptionPermissions(context, objectId));
}

async function readSubscriptionPermissions(context: PreflightContext, objectId: string): Promise<ScopedPermissions> {
  const authorization = armClients(context).authorization();
  const assignments = await all(
    authorization.roleAssignments.listForSubscription({ filter: `atScope() and assignedTo('${objectId}')` }),
  );
  const subscriptionScope = `/subscriptions/${context.subscriptionId}`.toLowerCase();
  const applying = assignments.filter((assignment) => {
    const scope = (assignment.scope ?? "").toLowerCase();
    return scope === "/" || scope === subscriptionScope || scope.startsWith("/providers/microsoft.management/");
  });
  const definitionIds = [...new Set(applying.flatMap((assignment) => assignment.roleDefinitionId ?? []))];
  // getById puts the ID after a "/" of its own: a leading "/" would make the path start with "//".
  const definitions = await Promise.all(
    definitionIds.map((id) => authorization.roleDefinitions.getById(id.replace(/^\/+/, ""))),
  );
  return {
    scope: `subscription ${context.subscriptionId}`,
    permissions: definitions.flatMap((definition) => definition.permissions ?? []),
    method: `${applying.length} role assignment(s) at or above the subscription and their role definitions`,
  };
}
