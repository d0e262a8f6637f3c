/**
 * Azure Policy, before `pulumi up`. Pulumi sends each resource straight to ARM (no template validation), so a Deny
 * assignment surfaces mid-deploy as RequestDisallowedByPolicy and leaves a half-built stack. This check sends the
 * ARM body of every planned resource (scripts/core/preflight/arm-body.ts) to Azure Policy's own evaluator,
 * `Microsoft.PolicyInsights/checkPolicyRestrictions` (@azure/arm-policyinsights 6.0.0, api-version 2024-10-01),
 * and reports every Deny it would meet: assignment, definition and the field.
 *
 * Scope: at the resource group when it exists (`policyRestrictions.checkAtResourceGroupScope`, which also sees
 * assignments on the group); at the subscription when the deploy will create the group (`checkAtSubscriptionScope`).
 * Response shape: CheckRestrictionsResult.contentEvaluationResult.policyEvaluations[] with policyInfo,
 * evaluationResult, effectDetails.policyEffect and evaluationDetails.evaluatedExpressions (azure-rest-api-specs
 * specification/policyinsights/resource-manager/Microsoft.PolicyInsights/stable/2024-10-01/checkPolicyRestrictions.json
 * and examples/PolicyRestrictions_CheckAtResourceGroupScope.json; the SDK's models in @azure/arm-policyinsights 6.0.0
 * review/arm-policyinsights.api.md: CheckRestrictionsRequest, CheckRestrictionsResourceDetails { resourceContent,
 * apiVersion, scope }, PolicyEvaluationResult). A Deny that rests only on placeholder values is a warning.
 *
 * Known limit: the Azure Developer CLI team found that this API did not report Deny assignments inherited from a
 * management group (Azure/azure-dev cli/azd/docs/local-preflight/storage-account-policy-check.md, tested with
 * 2022-03-01 and 2024-10-01). A pass therefore speaks for subscription and resource group assignments.
 */

import type {
  CheckRestrictionsRequest,
  CheckRestrictionsResult,
  PendingField,
  PolicyReference,
} from "@azure/arm-policyinsights";
import { PolicyInsightsClient } from "@azure/arm-policyinsights";
import { ARM_SCOPE } from "../../../../lib/constants";
import { azureErrorVerdict, describeAzureError } from "../../azure-error";
import { type ArmResourceRequest, armRequests } from "../arm-body";
import { resourceGroupExists } from "../permissions";
import type { CheckResult, PreflightCheck, PreflightContext } from "../types";

export const CHECK_ID = "azure-policy";
/** Requests in flight at once: enough to hide latency, few enough to stay clear of ARM throttling. */
const PARALLEL_REQUESTS = 4;

/**
 * One evaluated expression as the service sends it. The SDK's model types `expressionValue`/`targetValue` as objects
 * (the spec says `type: object`) and its deserializer turns `true` into `{}`, so these are read from the raw body.
 */
export interface EvaluatedExpression {
  result?: string;
  expressionKind?: string;
  expression?: string;
  path?: string;
  expressionValue?: unknown;
  targetValue?: unknown;
  operator?: string;
}

/** `contentEvaluationResult.policyEvaluations[]` of the raw CheckRestrictionsResult. */
interface RawPolicyEvaluation {
  policyInfo?: PolicyReference;
  evaluationResult?: string;
  evaluationDetails?: { evaluatedExpressions?: EvaluatedExpression[]; reason?: string };
  effectDetails?: { policyEffect?: string };
}

/**
 * `fieldRestrictions[]` of the raw CheckRestrictionsResult: what policy will do to a field named in the request's
 * `pendingFields` (checkPolicyRestrictions.json FieldRestrictions / FieldRestriction: `result` Required, Removed,
 * Deny or Audit, `values`, `defaultValue`, `policy`, `policyEffect`, `reason`).
 */
interface RawFieldRestrictions {
  field?: string;
  restrictions?: {
    result?: string;
    values?: string[];
    defaultValue?: string;
    policy?: PolicyReference;
    policyEffect?: string;
    reason?: string;
  }[];
}

/** One Deny the evaluator reported for one planned resource. */
export interface PolicyDenial {
  request: ArmResourceRequest;
  assignmentId: string;
  definitionId: string;
  policySetDefinitionId: string | undefined;
  /** The fields the policy looked at (besides `type`), as the evaluator reported them. */
  fields: EvaluatedExpression[];
  reason: string | undefined;
}

/** Last segment of a resource ID: the assignment or definition name. */
function nameOf(id: string): string {
  return id.split("/").filter(Boolean).pop() ?? id;
}

function display(value: unknown): string {
  return value === undefined ? "absent" : JSON.stringify(value);
}

function describeField(field: EvaluatedExpression): string {
  const path = field.path && field.path !== field.expression ? ` (${field.path})` : "";
  return `${field.expression}${path} is ${display(field.expressionValue)}, policy condition ${field.operator ?? "?"} ${display(field.targetValue)}`;
}

/** The Deny evaluations of one answer (its raw JSON body). */
export function denialsOf(request: ArmResourceRequest, body: unknown): PolicyDenial[] {
  const content = (body as { contentEvaluationResult?: { policyEvaluations?: unknown } } | undefined)
    ?.contentEvaluationResult;
  const evaluations = Array.isArray(content?.policyEvaluations)
    ? (content.policyEvaluations as RawPolicyEvaluation[])
    : [];
  return evaluations
    .filter(
      (evaluation) =>
        evaluation.effectDetails?.policyEffect?.toLowerCase() === "deny" &&
        evaluation.evaluationResult?.toLowerCase() !== "compliant",
    )
    .map((evaluation) => ({
      request,
      assignmentId: evaluation.policyInfo?.policyAssignmentId ?? "(assignment not reported)",
      definitionId: evaluation.policyInfo?.policyDefinitionId ?? "(definition not reported)",
      policySetDefinitionId: evaluation.policyInfo?.policySetDefinitionId,
      fields: (evaluation.evaluationDetails?.evaluatedExpressions ?? []).filter(
        (expression) =>
          expression.expressionKind?.toLowerCase() === "field" &&
          expression.expression?.toLowerCase() !== "type" &&
          expression.result?.toLowerCase() !== "false",
      ),
      reason: evaluation.evaluationDetails?.reason,
    }));
}

/** `properties.ipConfigurations[0].x` and `properties.ipConfigurations[*].x` name the same field. */
function normalizedPath(path: string): string {
  return path.replace(/\[(\d+|\*)\]/g, "[]").toLowerCase();
}

/** True when every field the policy objected to is a value the plan only has a placeholder for. */
function deniedOnPlaceholders(denial: PolicyDenial): boolean {
  const placeholders = new Set(denial.request.placeholders.map(normalizedPath));
  return (
    denial.fields.length > 0 &&
    denial.fields.every((field) => field.path !== undefined && placeholders.has(normalizedPath(field.path)))
  );
}

/** Where an exemption for a denied resource would go: its resource group, created first when it does not exist yet. */
export interface ExemptionTarget {
  groupExists: boolean;
  location: string;
}

/**
 * The exemption command (Azure CLI reference, `az policy exemption create`, learn.microsoft.com/cli/azure/policy/
 * exemption). An exemption on a resource group needs the group: when the check ran at subscription scope because the
 * group does not exist yet, the command creates it first (`az group create`).
 */
function exemptionCommand(assignmentId: string, request: ArmResourceRequest, target: ExemptionTarget): string {
  const exemption = `az policy exemption create --name <name> --policy-assignment ${assignmentId} --exemption-category Waiver`;
  const group = request.resourceGroupName;
  if (group === undefined) return exemption;
  const scoped = `${exemption} --resource-group ${group}`;
  return target.groupExists ? scoped : `az group create --name ${group} --location ${target.location} && ${scoped}`;
}

function denialResult(denial: PolicyDenial, target: ExemptionTarget): CheckResult {
  const { request } = denial;
  // A Deny on a stand-in value (an auto-generated name, another resource's ID) may not happen with the real one.
  const uncertain = deniedOnPlaceholders(denial);
  const initiative = denial.policySetDefinitionId ? ` in initiative '${nameOf(denial.policySetDefinitionId)}'` : "";
  const fields = denial.fields.length > 0 ? denial.fields.map(describeField).join("; ") : "field not reported";
  const reason = denial.reason ? ` (${denial.reason})` : "";
  const changed = denial.fields.map((field) => field.path ?? field.expression).filter(Boolean);
  return {
    check: CHECK_ID,
    status: uncertain ? "warn" : "fail",
    found: `${request.armType} '${String(request.body.name)}' (${request.pulumiName}) would be denied by policy assignment '${nameOf(denial.assignmentId)}' (definition '${nameOf(denial.definitionId)}'${initiative}): ${fields}${reason}${uncertain ? "; that value is a placeholder, known only after deploy" : ""}`,
    fix: `Change ${changed.length > 0 ? changed.join(", ") : "the resource"} in the program so it complies, or ask the owner of the assignment for an exemption: ${exemptionCommand(denial.assignmentId, request, target)}`,
  };
}

/** The fields whose restrictions are asked for: where the resource goes and how it is tagged. */
export function pendingFieldsOf(request: ArmResourceRequest): PendingField[] {
  const location = request.body.location;
  return [...(typeof location === "string" ? [{ field: "location", values: [location] }] : []), { field: "tags" }];
}

/** A region as ARM compares it: `West Europe` and `westeurope` are the same place. */
function sameValue(a: string, b: string): boolean {
  return a.replaceAll(" ", "").toLowerCase() === b.replaceAll(" ", "").toLowerCase();
}

/** The body's value of a restricted field: `location`, `name`, `kind`, `tags.<name>` (tag names ignore case). */
function fieldValue(body: Record<string, unknown>, field: string): { known: boolean; value?: string } {
  const tag = /^tags(?:\.|\[')(.+?)(?:'\])?$/i.exec(field);
  if (tag) {
    const tags = (body.tags ?? {}) as Record<string, unknown>;
    const key = Object.keys(tags).find((name) => name.toLowerCase() === tag[1]?.toLowerCase());
    const value = key === undefined ? undefined : tags[key];
    return { known: true, ...(typeof value === "string" ? { value } : {}) };
  }
  if (["location", "name", "kind"].includes(field.toLowerCase())) {
    const value = body[field.toLowerCase()];
    return { known: true, ...(typeof value === "string" ? { value } : {}) };
  }
  return { known: false };
}

/**
 * What the `fieldRestrictions` of one answer mean for the planned body: a Deny that lists the body's value, or a
 * Required field the body lacks (or holds a value not listed), fails; a Removed field, a Required one policy fills in
 * (defaultValue) and a restriction on a field preflight cannot read from the body are warnings.
 */
export function fieldRestrictionResults(
  request: ArmResourceRequest,
  body: unknown,
  target: ExemptionTarget,
): CheckResult[] {
  const raw = (body as { fieldRestrictions?: unknown } | undefined)?.fieldRestrictions;
  const restricted = Array.isArray(raw) ? (raw as RawFieldRestrictions[]) : [];
  const what = `${request.armType} '${String(request.body.name)}' (${request.pulumiName})`;
  const results: CheckResult[] = [];
  for (const { field, restrictions } of restricted) {
    if (!field) continue;
    const { known, value } = fieldValue(request.body, field);
    for (const restriction of restrictions ?? []) {
      const result = restriction.result?.toLowerCase();
      if (result === "audit") continue;
      const assignmentId = restriction.policy?.policyAssignmentId ?? "(assignment not reported)";
      const by = `policy assignment '${nameOf(assignmentId)}' (definition '${nameOf(restriction.policy?.policyDefinitionId ?? "(not reported)")}')`;
      const reason = restriction.reason ? ` ("${restriction.reason}")` : "";
      const exemption = `ask the owner of the assignment for an exemption: ${exemptionCommand(assignmentId, request, target)}`;
      const listed = (restriction.values ?? []).join(", ");
      if (!known) {
        results.push({
          check: CHECK_ID,
          status: "warn",
          found: `${what}: field ${field} is restricted (${restriction.result}${listed ? ` ${listed}` : ""}) by ${by}${reason}, and preflight cannot read that field from the planned body`,
          fix: `Compare ${field} in the program with the restriction, or ${exemption}`,
        });
      } else if (result === "deny") {
        if (value !== undefined && (restriction.values ?? []).some((denied) => sameValue(denied, value)))
          results.push({
            check: CHECK_ID,
            status: "fail",
            found: `${what}: ${field} = ${value} is denied by ${by}${reason}`,
            fix: `Change ${field} (for location: npm run pulumi -- config set location REGION) to a value the assignment allows, or ${exemption}`,
          });
      } else if (result === "required") {
        const allowed = restriction.values ?? [];
        const fits = value !== undefined && (allowed.length === 0 || allowed.some((entry) => sameValue(entry, value)));
        if (fits) continue;
        const filled = value === undefined && restriction.defaultValue !== undefined;
        results.push({
          check: CHECK_ID,
          status: filled ? "warn" : "fail",
          found: filled
            ? `${what}: ${field} is required by ${by}${reason}; policy will set it to ${restriction.defaultValue}, which the program does not declare (the next pulumi up would see drift)`
            : `${what}: ${field} is ${value === undefined ? "missing" : value}, but ${by} requires it${listed ? ` to be one of ${listed}` : ""}${reason}`,
          fix: `Set ${field} in the program${listed ? ` (one of ${listed})` : ""}, or ${exemption}`,
        });
      } else if (result === "removed") {
        results.push({
          check: CHECK_ID,
          status: "warn",
          found: `${what}: ${field} will be removed by ${by}${reason}`,
          fix: `Drop ${field} from the program, or ${exemption}`,
        });
      }
    }
  }
  return results;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The check: the plan comes from the context (the runner plans the stack once for every check that needs it). */
export const azurePolicyChecks: PreflightCheck = async (context) => {
  const resources = await context.plannedResources();
  const { requests, unmapped } = armRequests(resources, context.subscriptionId);
  const results: CheckResult[] = [];

  const unmappedTypes = [...new Set(unmapped.map((resource) => resource.type))].sort();
  for (const type of unmappedTypes) {
    const names = unmapped.filter((resource) => resource.type === type).map((resource) => resource.name);
    results.push({
      check: CHECK_ID,
      status: "warn",
      found: `${type} (${names.join(", ")}) has no ARM body mapping, so Azure Policy was not asked about it`,
      fix: `Add a row for ${type} to AZURE_TYPES in scripts/core/azure-types.ts (ARM type, write action, which inputs stay top-level).`,
    });
  }

  // The policy client builds URLs from `$host`, not `endpoint` (arm-policyinsights 6.0.0 policyInsightsClient.js),
  // and derives the token audience from the endpoint unless told: ARM's scope keeps the runner's one cached token.
  const policy = new PolicyInsightsClient(context.credential, context.subscriptionId, {
    endpoint: context.armEndpoint,
    $host: context.armEndpoint,
    credentialScopes: [ARM_SCOPE],
    ...(context.retryOptions ? { retryOptions: context.retryOptions } : {}),
  });

  const groupNames = [...new Set(requests.flatMap((request) => request.resourceGroupName ?? []))].sort();
  const existing = new Map<string, boolean>();
  try {
    for (const name of groupNames) existing.set(name, await resourceGroupExists(context, name));
  } catch (error) {
    const description = describeAzureError(error, context.now);
    results.push({
      check: CHECK_ID,
      status: "warn",
      found: `could not tell whether resource group(s) ${groupNames.join(", ")} exist: ${azureErrorVerdict(description)}`,
      fix: description.fix,
      detail: description.detail,
    });
    return results;
  }

  const answers = await mapLimited(requests, PARALLEL_REQUESTS, async (request) => {
    const parameters: CheckRestrictionsRequest = {
      resourceDetails: {
        resourceContent: request.body,
        apiVersion: request.apiVersion,
        ...(request.scope ? { scope: request.scope } : {}),
      },
      pendingFields: pendingFieldsOf(request),
    };
    let rawBody = "";
    const options = {
      onResponse: (response: { bodyAsText?: string | null }) => (rawBody = response.bodyAsText ?? ""),
    };
    try {
      const group = request.resourceGroupName;
      const result: CheckRestrictionsResult =
        group !== undefined && existing.get(group)
          ? await policy.policyRestrictions.checkAtResourceGroupScope(group, parameters, options)
          : await policy.policyRestrictions.checkAtSubscriptionScope(parameters, options);
      const body: unknown = rawBody === "" ? result : JSON.parse(rawBody);
      const target = targetOf(context, group !== undefined && existing.get(group) === true);
      return {
        request,
        denials: denialsOf(request, body),
        restrictions: fieldRestrictionResults(request, body, target),
      };
    } catch (error) {
      return { request, error: describeAzureError(error, context.now) };
    }
  });

  for (const answer of answers) {
    const { error } = answer;
    if (error) {
      // A missing right here is Microsoft.PolicyInsights/checkPolicyRestrictions/read (Reader has it).
      results.push({
        check: CHECK_ID,
        status: "warn",
        found: `Azure Policy could not evaluate ${answer.request.armType} '${String(answer.request.body.name)}': ${azureErrorVerdict(error)}`,
        fix: error.fix,
        detail: error.detail,
      });
    } else {
      const group = answer.request.resourceGroupName;
      const target = targetOf(context, group !== undefined && existing.get(group) === true);
      results.push(...answer.denials.map((denial) => denialResult(denial, target)), ...answer.restrictions);
    }
  }

  // "No Deny" only when every planned resource was answered.
  if (answers.every((answer) => answer.denials?.length === 0 && answer.restrictions?.length === 0)) {
    const placeholders = requests.reduce((count, request) => count + request.placeholders.length, 0);
    const missing = groupNames.filter((name) => !existing.get(name));
    const scope =
      missing.length > 0
        ? `at subscription scope for ${missing.join(", ")} (not created yet)`
        : "at resource group scope";
    results.push({
      check: CHECK_ID,
      status: "pass",
      found: `${requests.length} planned resource(s) checked against Azure Policy ${scope}: no Deny (${placeholders} value(s) known only after deploy were sent as placeholders; assignments inherited from a management group may not be evaluated)`,
    });
  }
  return results;
};

function targetOf(context: PreflightContext, groupExists: boolean): ExemptionTarget {
  return { groupExists, location: context.config.location };
}
