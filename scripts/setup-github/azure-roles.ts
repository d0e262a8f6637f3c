/**
 * Role assignments of the pipeline's service principal through @azure/arm-authorization (role assignments
 * api-version 2022-04-01 in client 9.0.0): list the principal's assignments at each scope
 * (`$filter=principalId eq '<id>'`, which also returns those above and below it), create what is missing with a
 * deterministic name. `principalType: ServicePrincipal` is set so that ARM does not look the principal up, which
 * fails for a service principal created moments ago (Learn "Assign Azure roles using the REST API",
 * principalType: "avoid a replication delay").
 */
import { AuthorizationManagementClient, type RoleAssignment } from "@azure/arm-authorization";
import type { TokenCredential } from "@azure/core-auth";
import { ARM_SCOPE } from "../../lib/constants";
import { roleAssignmentName } from "../../lib/role-assignment";
import type { Change } from "./changes";
import { type RoleNeed, roleDefinitionOf } from "./desired";

/** Condition version of the "Constrain roles" condition (Learn: conditions format, version 2.0). */
const CONDITION_VERSION = "2.0";

export function authorizationClient(credential: TokenCredential, subscriptionId: string, endpoint?: string) {
  return new AuthorizationManagementClient(credential, subscriptionId, {
    ...(endpoint ? { endpoint } : {}),
    // Token audience is ARM's even when the endpoint is moved (a stand-in, a proxy).
    credentialScopes: [ARM_SCOPE],
  });
}

/**
 * The client puts `scope` into the path template `/{scope}/providers/...` unencoded, so "/subscriptions/x" would
 * become `//subscriptions/x`, which an HTTP server may read as a host ("//host/path"). Without the leading slash
 * the URL is the one the REST reference shows.
 */
const pathScope = (scope: string) => scope.replace(/^\/+/, "");

const sameId = (a: string | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();
const squeeze = (condition: string | undefined) => (condition ?? "").replace(/\s+/g, " ").trim();

/** Grants each need to `principalId` unless an assignment of that role at that scope already exists. */
export async function ensureRoleAssignments(
  client: AuthorizationManagementClient,
  subscriptionId: string,
  principalId: string | undefined,
  needs: readonly RoleNeed[],
  dryRun: boolean,
): Promise<Change[]> {
  const changes: Change[] = [];
  for (const need of needs) {
    const definition = roleDefinitionOf(need, subscriptionId);
    const subject = `${need.role} at ${need.scope}`;
    const existing: RoleAssignment[] = [];
    if (principalId) {
      for await (const assignment of client.roleAssignments.listForScope(pathScope(need.scope), {
        filter: `principalId eq '${principalId}'`,
      })) {
        if (sameId(assignment.scope, need.scope) && sameId(assignment.roleDefinitionId, definition))
          existing.push(assignment);
      }
    }
    const found = existing[0];
    if (found && squeeze(found.condition) === squeeze(need.condition)) {
      changes.push({ area: "Azure RBAC", subject, action: "unchanged", detail: need.why });
      continue;
    }
    const name = found?.name ?? roleAssignmentName(need.scope, need.roleGuid, principalId ?? "(new)");
    if (!dryRun && principalId) {
      await client.roleAssignments.create(pathScope(need.scope), name, {
        roleDefinitionId: definition,
        principalId,
        principalType: "ServicePrincipal",
        description: "GitHub Actions pipeline (npm run setup-github)",
        ...(need.condition ? { condition: need.condition, conditionVersion: CONDITION_VERSION } : {}),
      });
    }
    changes.push({
      area: "Azure RBAC",
      subject,
      action: found ? "update" : "create",
      detail: found ? `condition differs; ${need.why}` : need.why,
    });
  }
  return changes;
}
