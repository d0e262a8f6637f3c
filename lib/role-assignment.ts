import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import * as pulumi from "@pulumi/pulumi";
import { v5 as uuidv5 } from "uuid";
import { roleDefinitionId } from "./constants";

/**
 * `principalType` values ARM accepts. Always set: the SDK fills in `User` when it is left out
 * (@pulumi/azure-native 3.28.0 authorization/roleAssignment.js: `args?.principalType ?? "User"`).
 */
export type PrincipalType = "User" | "Group" | "ServicePrincipal";

/**
 * Namespace for role assignment names: a fixed UUID so names are the same on every machine and run.
 * Generated once for this project; changing it renames (and so re-creates) every assignment.
 */
const ROLE_ASSIGNMENT_NAMESPACE = "0f1e8b3a-6c52-4d0e-9a7b-3c4d5e6f7a8b";

/**
 * Deterministic role assignment name: a UUIDv5 of scope, role and principal, like Bicep's `guid(scope, principal, role)`.
 * The same grant always has the same name, so an assignment made outside Pulumi (or lost from state) can be adopted
 * with `pulumi import` by a name anyone can compute, and two principals never share a name
 * (`RoleAssignmentUpdateNotPermitted`). It does NOT prevent `409 RoleAssignmentExists`: ARM refuses a second
 * assignment of the same role to the same principal at the same scope under any other name
 * (hashicorp/terraform-provider-azurerm#28694); import that one instead. Scope is compared case-insensitively, as ARM does.
 */
export function roleAssignmentName(scope: string, roleGuid: string, principalId: string): string {
  return uuidv5(
    `${scope.toLowerCase()}|${roleGuid.toLowerCase()}|${principalId.toLowerCase()}`,
    ROLE_ASSIGNMENT_NAMESPACE,
  );
}

/** One grant: who gets which built-in role where. */
export interface RoleGrant {
  /** Resource ID the role applies to (resource group or resource). */
  scope: pulumi.Input<string>;
  /** Built-in role definition GUID (see `BUILT_IN_ROLES`). */
  roleGuid: string;
  /** Object ID of the user, group or service principal (a managed identity's principal ID). */
  principalId: pulumi.Input<string>;
  principalType: pulumi.Input<PrincipalType>;
  /** Subscription that holds the role definition. */
  subscriptionId: pulumi.Input<string>;
  /** Free text shown in the portal; says which stack made the assignment. */
  description?: string;
}

/**
 * Declares one role assignment with a deterministic name and an explicit `principalType`.
 * Use this for every assignment in the project so that the naming and the type rules hold everywhere.
 */
export function assignRole(logicalName: string, grant: RoleGrant, opts: pulumi.CustomResourceOptions): RoleAssignment {
  const scope = pulumi.output(grant.scope);
  return new RoleAssignment(
    logicalName,
    {
      scope,
      principalId: grant.principalId,
      principalType: grant.principalType,
      roleDefinitionId: pulumi.output(grant.subscriptionId).apply((sub) => roleDefinitionId(sub, grant.roleGuid)),
      roleAssignmentName: pulumi
        .all([scope, grant.principalId])
        .apply(([scopeId, principal]) => roleAssignmentName(scopeId, grant.roleGuid, principal)),
      description: grant.description,
    },
    // A replacement keeps the same derived name, so the old assignment must go first or the create collides.
    { deleteBeforeReplace: true, ...opts },
  );
}
