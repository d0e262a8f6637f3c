/**
 * Azure Policy's evaluator for planned resources, as routes for {@link startStandIn} (HTTPS: ARM clients refuse bearer
 * tokens over http).
 * - POST /subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.PolicyInsights/checkPolicyRestrictions
 *   ?api-version=2024-10-01 with a CheckRestrictionsRequest; answers a CheckRestrictionsResult whose
 *   `contentEvaluationResult.policyEvaluations` lists the NonCompliant evaluations (policyInfo, evaluationResult,
 *   evaluationDetails.evaluatedExpressions, effectDetails.policyEffect). Source: azure-rest-api-specs
 *   specification/policyinsights/resource-manager/Microsoft.PolicyInsights/stable/2024-10-01/checkPolicyRestrictions.json
 *   and examples/PolicyRestrictions_CheckAtResourceGroupScope.json. An assignment is evaluated when the request's scope
 *   lies within the assignment's scope (an assignment on a resource group is not seen from the subscription).
 * - HEAD /subscriptions/{sub}/resourcegroups/{rg} (Resource Groups - Check Existence): 204 or 404.
 * A request under a resource group that does not exist answers 404 ResourceGroupNotFound, as ARM does.
 */
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";
import { bearerToken } from "./tokens";

export const POLICY_INSIGHTS_API_VERSION = "2024-10-01";

/** One evaluated expression, as `evaluationDetails.evaluatedExpressions[]` spells it. */
export interface EvaluatedExpression {
  result: "True" | "False";
  expressionKind: "Field" | "Value";
  expression: string;
  path?: string;
  expressionValue?: unknown;
  targetValue?: unknown;
  operator: string;
}

/** A policy assignment the stand-in tenant has. */
export interface StandInAssignment {
  /** `/subscriptions/{sub}[/resourceGroups/{rg}]/providers/Microsoft.Authorization/policyAssignments/{name}`. */
  id: string;
  /** Assignment scope: the ID prefix it governs. */
  scope: string;
  definitionId: string;
  effect: "Deny" | "Audit";
  /** The expressions that made the resource non-compliant, or undefined when it complies. */
  evaluate(resourceContent: Record<string, unknown>): EvaluatedExpression[] | undefined;
}

export interface PolicyInsightsState {
  subscriptionId: string;
  /** Resource groups that exist (case-insensitive, as ARM names are). */
  resourceGroups: Set<string>;
  assignments: StandInAssignment[];
  /** Request bodies that broke the protocol (missing resourceContent, wrong api-version), for assertions. */
  protocolErrors: string[];
  /**
   * `fieldRestrictions` to answer for a request that names `pendingFields` (a recorded answer, e.g. the REST spec's
   * PolicyRestrictions_CheckAtResourceGroupScope.json example); none when unset.
   */
  fieldRestrictions?: unknown[];
  /** The `pendingFields` of every request, in order. */
  pendingFieldsSent?: unknown[];
  /** Benchmarks only: milliseconds before each answer, as a stand-in for ARM's round trip. Tests leave it unset. */
  latencyMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Built-in "Azure AI Services resources should have key access disabled (disable local authentication)", version
 * 1.1.0, definition 71ef260a-8f18-47b7-abcb-62d0673d94dc (github.com/Azure/azure-policy built-in-policies/
 * policyDefinitions/Azure Ai Services/DisableLocalAuth_Audit.json), assigned with effect Deny. Its rule, for accounts:
 * `type` equals Microsoft.CognitiveServices/accounts and the alias
 * Microsoft.CognitiveServices/accounts/disableLocalAuth (properties.disableLocalAuth) notEquals true.
 */
export function aiServicesKeyAccessDenyAssignment(scope: string, name: string): StandInAssignment {
  return {
    id: `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}`,
    scope,
    definitionId: "/providers/Microsoft.Authorization/policyDefinitions/71ef260a-8f18-47b7-abcb-62d0673d94dc",
    effect: "Deny",
    evaluate: (content) => {
      const type = typeof content.type === "string" ? content.type : "";
      if (type.toLowerCase() !== "microsoft.cognitiveservices/accounts") return undefined;
      const properties = isRecord(content.properties) ? content.properties : {};
      const disableLocalAuth = properties.disableLocalAuth;
      if (disableLocalAuth === true) return undefined;
      return [
        {
          result: "True",
          expressionKind: "Field",
          expression: "type",
          path: "type",
          expressionValue: type,
          targetValue: "Microsoft.CognitiveServices/accounts",
          operator: "Equals",
        },
        {
          result: "True",
          expressionKind: "Field",
          expression: "Microsoft.CognitiveServices/accounts/disableLocalAuth",
          path: "properties.disableLocalAuth",
          ...(disableLocalAuth === undefined ? {} : { expressionValue: disableLocalAuth }),
          targetValue: true,
          operator: "NotEquals",
        },
      ];
    },
  };
}

/**
 * A custom naming convention assigned as Deny: resources of `resourceType` whose `name` is not like `pattern` (a
 * policy `notLike` with one `*` wildcard, as the policy definition structure documents for like/notLike).
 */
export function namingConventionDenyAssignment(
  scope: string,
  name: string,
  resourceType: string,
  pattern: string,
): StandInAssignment {
  const [prefix = "", suffix = ""] = pattern.split("*");
  return {
    id: `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}`,
    scope,
    definitionId: `${scope}/providers/Microsoft.Authorization/policyDefinitions/${name}`,
    effect: "Deny",
    evaluate: (content) => {
      const type = typeof content.type === "string" ? content.type : "";
      const resourceName = typeof content.name === "string" ? content.name : "";
      if (type.toLowerCase() !== resourceType.toLowerCase()) return undefined;
      if (resourceName.startsWith(prefix) && resourceName.endsWith(suffix)) return undefined;
      return [
        {
          result: "True",
          expressionKind: "Field",
          expression: "type",
          path: "type",
          expressionValue: type,
          targetValue: resourceType,
          operator: "Equals",
        },
        {
          result: "True",
          expressionKind: "Field",
          expression: "name",
          path: "name",
          expressionValue: resourceName,
          targetValue: pattern,
          operator: "NotLike",
        },
      ];
    },
  };
}

function unauthorized(request: RecordedRequest): StandInResponse | undefined {
  if (bearerToken(request.headers.authorization)) return undefined;
  return json(401, {
    error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." },
  });
}

function resourceGroupNotFound(name: string): StandInResponse {
  return json(404, {
    error: { code: "ResourceGroupNotFound", message: `Resource group '${name}' could not be found.` },
  });
}

function evaluate(state: PolicyInsightsState, scope: string, request: RecordedRequest): StandInResponse {
  if (request.url.searchParams.get("api-version") !== POLICY_INSIGHTS_API_VERSION) {
    state.protocolErrors.push(`api-version ${request.url.searchParams.get("api-version")}`);
    return json(400, { error: { code: "InvalidApiVersionParameter", message: "unsupported api-version" } });
  }
  const body: unknown = JSON.parse(request.body || "{}");
  const details = isRecord(body) ? body.resourceDetails : undefined;
  const content = isRecord(details) ? details.resourceContent : undefined;
  if (!isRecord(content) || typeof content.type !== "string") {
    state.protocolErrors.push(`resourceDetails.resourceContent with a type is required: ${request.body}`);
    return json(400, {
      error: { code: "InvalidCheckRestrictionsRequest", message: "resourceDetails.resourceContent is required." },
    });
  }
  const policyEvaluations = state.assignments
    .filter((assignment) => scope.toLowerCase().startsWith(assignment.scope.toLowerCase()))
    .flatMap((assignment) => {
      const evaluatedExpressions = assignment.evaluate(content);
      if (!evaluatedExpressions) return [];
      return [
        {
          policyInfo: { policyDefinitionId: assignment.definitionId, policyAssignmentId: assignment.id },
          evaluationResult: "NonCompliant",
          evaluationDetails: { evaluatedExpressions },
          effectDetails: { policyEffect: assignment.effect },
        },
      ];
    });
  const pendingFields = isRecord(body) && Array.isArray(body.pendingFields) ? body.pendingFields : [];
  state.pendingFieldsSent?.push(pendingFields);
  const fieldRestrictions = pendingFields.length > 0 ? (state.fieldRestrictions ?? []) : [];
  return json(200, { fieldRestrictions, contentEvaluationResult: { policyEvaluations } });
}

async function afterLatency(state: PolicyInsightsState, answer: () => StandInResponse): Promise<StandInResponse> {
  if (state.latencyMs) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
  return answer();
}

/** Routes of the evaluator and the resource group existence check. */
export function policyInsightsRoutes(state: PolicyInsightsState): Route[] {
  const exists = (name: string) =>
    [...state.resourceGroups].some((group) => group.toLowerCase() === name.toLowerCase());
  const subscription = `/subscriptions/${state.subscriptionId}`;
  return [
    {
      method: "POST",
      path: /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.PolicyInsights\/checkPolicyRestrictions$/i,
      handle: (request, match) =>
        afterLatency(state, () => {
          const group = decodeURIComponent(match[2] as string);
          return (
            unauthorized(request) ??
            (exists(group)
              ? evaluate(state, `${subscription}/resourceGroups/${group}`, request)
              : resourceGroupNotFound(group))
          );
        }),
    },
    {
      method: "POST",
      path: /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.PolicyInsights\/checkPolicyRestrictions$/i,
      handle: (request) => afterLatency(state, () => unauthorized(request) ?? evaluate(state, subscription, request)),
    },
    {
      method: "HEAD",
      path: /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)$/i,
      handle: (request, match) =>
        afterLatency(
          state,
          () => unauthorized(request) ?? { status: exists(decodeURIComponent(match[2] as string)) ? 204 : 404 },
        ),
    },
  ];
}
