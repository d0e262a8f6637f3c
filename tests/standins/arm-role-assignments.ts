/**
 * Stand-in ARM role assignments (Microsoft.Authorization, api-version 2022-04-01, as @azure/arm-authorization 9.0.0
 * sends): GET `{scope}/providers/Microsoft.Authorization/roleAssignments?$filter=principalId eq '<id>'` (assignments
 * of that principal at, above or below the scope) and PUT `.../roleAssignments/{name}` (201 with the assignment).
 * A second assignment of the same principal, role and scope under another name is refused with 409
 * RoleAssignmentExists, as ARM does (hashicorp/terraform-provider-azurerm#28694). Shapes: azure-rest-api-specs
 * authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json.
 */
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";
import { bearerToken, readTokenClaims } from "./tokens";

export const ROLE_ASSIGNMENTS_API_VERSION = "2022-04-01";

export interface StandInRoleAssignment {
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType?: string;
  condition?: string;
  conditionVersion?: string;
  description?: string;
}

export interface RoleAssignmentsState {
  assignments: StandInRoleAssignment[];
  protocolErrors: string[];
}

const PATH =
  /^\/+(subscriptions\/[^/]+(?:\/resourceGroups\/[^/]+(?:\/providers\/[^/]+\/[^/]+\/[^/]+)?)?)\/providers\/Microsoft\.Authorization\/roleAssignments(?:\/([^/]+))?$/i;

function armError(status: number, code: string, message: string): StandInResponse {
  return json(status, { error: { code, message } });
}

function resource(assignment: StandInRoleAssignment) {
  const { name, ...properties } = assignment;
  return {
    id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    type: "Microsoft.Authorization/roleAssignments",
    properties,
  };
}

const lower = (value: string) => value.toLowerCase();
/** True when `inner` is `outer` or below it (ARM compares scopes case-insensitively). */
const within = (inner: string, outer: string) =>
  lower(inner) === lower(outer) || lower(inner).startsWith(`${lower(outer)}/`);

export function roleAssignmentRoutes(state: RoleAssignmentsState, audience: string): Route[] {
  const check = (request: RecordedRequest): StandInResponse | undefined => {
    const claims = readTokenClaims(bearerToken(request.headers.authorization) ?? "");
    if (claims?.aud !== audience) return armError(401, "InvalidAuthenticationToken", "The access token is invalid.");
    const version = request.url.searchParams.get("api-version");
    if (version !== ROLE_ASSIGNMENTS_API_VERSION) {
      state.protocolErrors.push(`api-version ${version}`);
      return armError(400, "InvalidApiVersionParameter", `The api-version '${version}' is invalid.`);
    }
    return undefined;
  };
  return [
    {
      method: "GET",
      path: PATH,
      handle: (request, match) => {
        const refused = check(request);
        if (refused) return refused;
        const scope = `/${match[1]}`;
        const principal = /^principalId eq '([^']+)'$/.exec(request.url.searchParams.get("$filter") ?? "")?.[1];
        if (!principal) {
          state.protocolErrors.push(`unexpected $filter ${request.url.searchParams.get("$filter")}`);
        }
        const value = state.assignments
          .filter((assignment) => lower(assignment.principalId) === lower(principal ?? ""))
          .filter((assignment) => within(assignment.scope, scope) || within(scope, assignment.scope))
          .map(resource);
        return json(200, { value });
      },
    },
    {
      method: "PUT",
      path: PATH,
      handle: (request, match) => {
        const refused = check(request);
        if (refused) return refused;
        const scope = `/${match[1]}`;
        const name = match[2];
        if (!name) return armError(405, "MethodNotAllowed", "PUT needs a role assignment name.");
        const properties = (JSON.parse(request.body || "{}") as { properties?: Partial<StandInRoleAssignment> })
          .properties;
        if (!properties?.roleDefinitionId || !properties.principalId) {
          return armError(400, "InvalidRoleAssignmentRequest", "roleDefinitionId and principalId are required.");
        }
        const duplicate = state.assignments.find(
          (assignment) =>
            assignment.name !== name &&
            lower(assignment.scope) === lower(scope) &&
            lower(assignment.roleDefinitionId) === lower(properties.roleDefinitionId ?? "") &&
            lower(assignment.principalId) === lower(properties.principalId ?? ""),
        );
        if (duplicate) return armError(409, "RoleAssignmentExists", "The role assignment already exists.");
        const assignment: StandInRoleAssignment = {
          name,
          scope,
          roleDefinitionId: properties.roleDefinitionId,
          principalId: properties.principalId,
          ...(properties.principalType ? { principalType: properties.principalType } : {}),
          ...(properties.condition
            ? { condition: properties.condition, conditionVersion: properties.conditionVersion }
            : {}),
          ...(properties.description ? { description: properties.description } : {}),
        };
        const index = state.assignments.findIndex((item) => item.name === name);
        if (index === -1) state.assignments.push(assignment);
        else state.assignments[index] = assignment;
        return json(index === -1 ? 201 : 200, resource(assignment));
      },
    },
  ];
}
