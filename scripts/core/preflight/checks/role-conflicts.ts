/**
 * Role assignments someone made by hand for a principal, role and scope this stack will grant. ARM keys a role
 * assignment on (principal, role, scope), not on its name: creating the same trio under the stack's name answers 409
 * RoleAssignmentExists (hashicorp/terraform-provider-azurerm#28694), half-way through `pulumi up`. The stack's own
 * assignments carry the deterministic name of lib/role-assignment.ts, so any other name is someone else's.
 * Asked with `roleAssignments.listForResourceGroup` (GET .../resourceGroups/{rg}/providers/Microsoft.Authorization/
 * roleAssignments; REST example RoleAssignments_ListForScope.json, 2022-04-01).
 */
import type { RoleAssignment } from "@azure/arm-authorization";
import { BUILT_IN_ROLES } from "../../../../lib/constants";
import { roleAssignmentName } from "../../../../lib/role-assignment";
import { all, armClients, resourceGroupId, signedInIdentity } from "../azure";
import { resourceGroupExists } from "../permissions";
import type { CheckResult, PreflightCheck, PreflightContext } from "../types";

/** Pulumi name of the ModelAccess component in index.ts; its assignments are named `model-access-<principal key>`. */
const MODEL_ACCESS_NAME = "model-access";
const MODEL_ACCESS_TYPE = "keyless-openai:access:ModelAccess";
export const ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment";

/** A principal the stack will grant the role to, with its object ID known before the deploy. */
interface PlannedPrincipal {
  /** The principal's key in lib/principals.ts, so the Pulumi resource is `model-access-<key>`. */
  key: string;
  principalId: string;
  /** The config entry that asks for it, and the command that drops it. */
  entry: string;
  drop: string;
}

function principalKey(kind: string, id: string): string {
  return `${kind}-${id.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

async function plannedPrincipals(context: PreflightContext): Promise<PlannedPrincipal[]> {
  const { access } = context.config;
  const { stack } = context;
  const planned: PlannedPrincipal[] = [];
  if (access.grantDeployer) {
    planned.push({
      key: "deployer",
      principalId: (await signedInIdentity(context)).objectId,
      entry: "grantDeployer = true",
      drop: `npm run pulumi -- config set grantDeployer false --stack ${stack}`,
    });
  }
  access.groups.forEach((id, index) => {
    planned.push({
      key: principalKey("group", id),
      principalId: id,
      entry: `groups[${index}] = ${id}`,
      drop: `npm run pulumi -- config rm --path 'groups[${index}]' --stack ${stack}`,
    });
  });
  access.servicePrincipals.forEach((id, index) => {
    planned.push({
      key: principalKey("sp", id),
      principalId: id,
      entry: `servicePrincipals[${index}] = ${id}`,
      drop: `npm run pulumi -- config rm --path 'servicePrincipals[${index}]' --stack ${stack}`,
    });
  });
  return planned;
}

/** The role's GUID at the end of a roleDefinitionId (`/subscriptions/…/roleDefinitions/{guid}` or `/providers/…`). */
function roleGuidOf(assignment: RoleAssignment): string {
  return (assignment.roleDefinitionId ?? "").split("/").pop()?.toLowerCase() ?? "";
}

/** True for an assignment made under the stack's naming rule (by this stack, or by the same program elsewhere). */
function namedByStack(assignment: RoleAssignment): boolean {
  return (
    assignment.name?.toLowerCase() ===
    roleAssignmentName(assignment.scope ?? "", roleGuidOf(assignment), assignment.principalId ?? "")
  );
}

export const roleConflictsCheck: PreflightCheck = async (context) => {
  const { access, resourceGroupName, accountSubdomain, project } = context.config;
  const { stack } = context;
  const roleGuid = BUILT_IN_ROLES[access.role].toLowerCase();
  const groupScope = resourceGroupId(context.subscriptionId, resourceGroupName).toLowerCase();
  const accountScopePrefix = `${groupScope}/providers/microsoft.cognitiveservices/accounts/`;
  // The grants' scope: the group, or the account in it (its name is known only when the subdomain is fixed).
  const isGrantScope = (scope: string) =>
    access.scope === "resourceGroup"
      ? scope === groupScope
      : accountSubdomain
        ? scope === `${accountScopePrefix}${accountSubdomain}`
        : scope.startsWith(accountScopePrefix) && !scope.slice(accountScopePrefix.length).includes("/");
  const results: CheckResult[] = [];
  if (access.users.length > 0) {
    results.push({
      check: "role-assignment-conflicts",
      status: "warn",
      found: `not checked for users ${access.users.join(", ")}: ARM role assignments name object IDs, and turning a user principal name into one is a Microsoft Graph look-up that preflight does not make`,
      fix: "compare by hand: az role assignment list --assignee UPN --scope SCOPE (pulumi preview resolves the users through Entra ID)",
    });
  }
  if (!(await resourceGroupExists(context, resourceGroupName))) {
    results.unshift({
      check: "role-assignment-conflicts",
      status: "pass",
      found: `resource group ${resourceGroupName} does not exist yet, so nothing can be assigned on it`,
    });
    return results;
  }
  const planned = await plannedPrincipals(context);
  const assignments = await all(
    armClients(context).authorization().roleAssignments.listForResourceGroup(resourceGroupName),
  );
  const conflicts: CheckResult[] = [];
  for (const principal of planned) {
    const clashing = assignments.filter(
      (assignment) =>
        isGrantScope((assignment.scope ?? "").toLowerCase()) &&
        roleGuidOf(assignment) === roleGuid &&
        assignment.principalId?.toLowerCase() === principal.principalId.toLowerCase() &&
        !namedByStack(assignment),
    );
    for (const assignment of clashing) {
      const parentUrn = `urn:pulumi:${stack}::${project}::${MODEL_ACCESS_TYPE}::${MODEL_ACCESS_NAME}`;
      const resourceName = `${MODEL_ACCESS_NAME}-${principal.key}`;
      conflicts.push({
        check: "role-assignment-conflicts",
        status: "fail",
        found: `role assignment ${assignment.name} (${access.role} for ${principal.principalId} on ${assignment.scope}) was not made by this stack; creating ${resourceName} for ${principal.entry} would fail with 409 RoleAssignmentExists`,
        fix: `drop the entry (${principal.drop}), or adopt the assignment: npm run pulumi -- import ${ROLE_ASSIGNMENT_TYPE} ${resourceName} ${assignment.id} --parent '${MODEL_ACCESS_NAME}=${parentUrn}' --stack ${stack} (the next pulumi up re-creates it under the stack's name), or delete it: az role assignment delete --ids ${assignment.id}`,
      });
    }
  }
  if (conflicts.length > 0) return [...conflicts, ...results];
  const checked = planned.map((principal) => principal.entry).join(", ") || "no principals with known object IDs";
  results.unshift({
    check: "role-assignment-conflicts",
    status: "pass",
    found: `no role assignment made outside this stack for ${access.role} on the ${access.scope === "resourceGroup" ? `group ${resourceGroupName}` : "account"} for ${checked} (${assignments.length} assignment(s) read; the VM and Function App identities are new and cannot clash)`,
  });
  return results;
};
