/**
 * The plan document: what the program would declare, who gets which role where, and the guardrails' verdicts.
 * Built from one offline run; sorted everywhere so that the same input gives byte-identical output.
 */
import {
  GUARDRAILS,
  type GuardrailContext,
  managedIdentityPrincipalIds,
  read,
  roleGuidOf,
  roleNameOf,
  ruleApplies,
  TYPES,
} from "../../../policy/rules";
import {
  DEFAULT_DIRECTORY,
  type ProgramRun,
  type RecordedResource,
  resolvedAtDeploy,
  type UnresolvedPrincipal,
} from "../offline-engine";

/**
 * Version of the JSON form; bump when fields change meaning. Fields added later (warnings, unresolvedPrincipals,
 * resolvedAtDeploy) are optional to a reader, so that a base branch's older plan still compares (readPlanDocument).
 */
export const PLAN_FORMAT = "keyless-openai-plan/1";

/** Parses a plan written by --json, also by an older version of this script (fields it did not write default). */
export function readPlanDocument(text: string, source: string): PlanDocument {
  const parsed = JSON.parse(text) as Partial<PlanDocument>;
  if (parsed.format !== PLAN_FORMAT)
    throw new Error(`${source}: not a ${PLAN_FORMAT} document (format ${parsed.format}); write it again with --json`);
  const document = parsed as PlanDocument;
  return {
    ...document,
    access: document.access.map((row) => ({ ...row, resolvedAtDeploy: row.resolvedAtDeploy ?? false })),
    unresolvedPrincipals: document.unresolvedPrincipals ?? [],
    warnings: document.warnings ?? [],
  };
}
export const MASK = "[secret]";

/** One resource the program declares. */
export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent, or "" for the stack itself. */
  parentUrn: string;
  custom: boolean;
  protect: boolean;
  dependencies: string[];
  /** Inputs as the engine receives them, with keys sorted and secret-looking values masked. */
  inputs: unknown;
}

/** One row of the access matrix: a role assignment. */
export interface AccessRow {
  /** Who: the stack's label for the principal, a managed identity's owner, or the principal ID. */
  principal: string;
  principalId: string;
  principalType: string;
  /** Built-in role name, or the GUID when the role is not one this project knows. */
  role: string;
  roleGuid: string;
  scope: string;
  /** URN of the RoleAssignment resource. */
  urn: string;
  /** True when the principal is a placeholder: the directory is asked for it at deploy (`pulumi up`), not offline. */
  resolvedAtDeploy: boolean;
}

/** One guardrail applied to one resource. */
export interface Verdict {
  rule: string;
  urn: string;
  type: string;
  name: string;
  passed: boolean;
  messages: string[];
}

/** A managed identity the stack creates, and the resource that carries it. */
export interface Identity {
  principalId: string;
  /** How reports name it: `VirtualMachine 'vm' (managed identity)`. */
  label: string;
  urn: string;
  type: string;
  name: string;
}

/** The whole plan, as written by `--json` and read by `--compare`. */
export interface PlanDocument {
  format: string;
  project: string;
  stack: string;
  /** Config the program saw; secrets masked. */
  config: Record<string, string>;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  identities: Identity[];
  access: AccessRow[];
  verdicts: Verdict[];
  /** Principals from config planned as placeholders (the offline directory does not know them). */
  unresolvedPrincipals: UnresolvedPrincipal[];
  /** What the reader should know that does not stop the plan: a missing stack file, secrets planned as placeholders. */
  warnings: string[];
  summary: { resources: number; roleAssignments: number; verdicts: number; failures: number };
}

/** What the plan needs beyond the run itself. */
export interface PlanInputs {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretConfigKeys: readonly string[];
  /** Names of stack outputs that are secret Outputs. */
  secretOutputs: readonly string[];
  warnings?: readonly string[];
  run: ProgramRun;
}

// Input keys whose values may be credentials even when the program did not mark them secret (mocks unwrap secrets).
const SENSITIVE_KEY = /password|secret|privatekey|connectionstring|accesskey|sastoken/i;

/** A copy of `value` with object keys sorted (recursively) and sensitive-looking values masked. */
export function canonical(value: unknown, mask = true): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, mask));
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    sorted[key] = mask && SENSITIVE_KEY.test(key) && item !== "" ? MASK : canonical(item, mask);
  }
  return sorted;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
}

/** Labels for principal IDs: the stack's own `roleAssignments` output first, then identities, then the directory. */
function principalLabels(run: ProgramRun, identities: readonly Identity[]): Map<string, string> {
  const labels = new Map<string, string>();
  const directory = DEFAULT_DIRECTORY;
  labels.set(directory.deployer.objectId, "deployer");
  for (const [upn, id] of Object.entries(directory.users)) labels.set(id, upn);
  for (const [id, name] of Object.entries(directory.groups)) labels.set(id, `group ${name}`);
  for (const [id, name] of Object.entries(directory.servicePrincipals)) labels.set(id, `service principal ${name}`);
  for (const identity of identities) labels.set(identity.principalId, identity.label);
  const declared = run.outputs.roleAssignments;
  if (Array.isArray(declared)) {
    for (const grant of declared) {
      const id = read(grant, "principalId");
      const label = read(grant, "principal");
      if (typeof id === "string" && typeof label === "string" && label !== "") labels.set(id, label);
    }
  }
  // Last, so that the configured name and "resolved at deploy" win over the placeholder's display name.
  for (const principal of run.unresolvedPrincipals) {
    const kind =
      principal.kind === "group" ? "group " : principal.kind === "servicePrincipal" ? "service principal " : "";
    labels.set(principal.principalId, `${kind}${resolvedAtDeploy(principal.configured)}`);
  }
  return labels;
}

/**
 * How a user-assigned identity is named in reports: its Azure name, and the Function App that carries it (the site
 * lists it in `identity.userAssignedIdentities` by resource ID; the program uses it as the host's identity).
 */
function userAssignedLabel(identity: RecordedResource, resources: readonly RecordedResource[]): string {
  const name = text(read(identity.state, "name")) || identity.name;
  const id = read(identity.state, "id");
  const carriers = resources.filter((resource) => {
    const attached = read(resource.state, "identity", "userAssignedIdentities");
    const ids = Array.isArray(attached)
      ? attached
      : typeof attached === "object" && attached
        ? Object.keys(attached)
        : [];
    return typeof id === "string" && ids.includes(id);
  });
  const functionApp = carriers.some(
    (resource) => resource.type === TYPES.webApp && text(read(resource.inputs, "kind")).includes("functionapp"),
  );
  if (functionApp) return `${name} (user-assigned, function app host)`;
  const carrier = carriers[0];
  return carrier
    ? `${name} (user-assigned, of ${carrier.type.split(":").pop()} '${carrier.name}')`
    : `${name} (user-assigned managed identity)`;
}

function identitiesOf(resources: readonly RecordedResource[]): Identity[] {
  return resources
    .flatMap((resource) => {
      const userAssigned = resource.type === TYPES.userAssignedIdentity;
      // A user-assigned identity carries its principal ID at the top level; a system-assigned one under `identity`.
      const principalId = userAssigned
        ? read(resource.state, "principalId")
        : read(resource.state, "identity", "principalId");
      return typeof principalId === "string" && principalId !== ""
        ? [
            {
              principalId,
              label: userAssigned
                ? userAssignedLabel(resource, resources)
                : `${resource.type.split(":").pop()} '${resource.name}' (managed identity)`,
              urn: resource.urn,
              type: resource.type,
              name: resource.name,
            },
          ]
        : [];
    })
    .sort((a, b) => compareStrings(a.urn, b.urn));
}

function accessRows(
  resources: readonly RecordedResource[],
  labels: Map<string, string>,
  unresolved: ReadonlySet<string>,
): AccessRow[] {
  return resources
    .filter((resource) => resource.type === TYPES.roleAssignment)
    .map((resource) => {
      const principalId = text(read(resource.inputs, "principalId"));
      const roleGuid = roleGuidOf(text(read(resource.inputs, "roleDefinitionId")));
      return {
        principal: labels.get(principalId) ?? principalId,
        principalId,
        principalType: text(read(resource.inputs, "principalType")) || "(not set)",
        role: roleNameOf(roleGuid) ?? roleGuid,
        roleGuid,
        scope: text(read(resource.inputs, "scope")),
        urn: resource.urn,
        resolvedAtDeploy: unresolved.has(principalId),
      };
    })
    .sort(
      (a, b) =>
        compareStrings(a.scope, b.scope) ||
        compareStrings(a.role, b.role) ||
        compareStrings(a.principal, b.principal) ||
        compareStrings(a.urn, b.urn),
    );
}

/** The resource group IDs of the stack, from the ResourceGroup resources it declares. */
function resourceGroupIds(resources: readonly RecordedResource[]): string[] {
  return resources
    .filter((resource) => resource.type === "azure-native:resources:ResourceGroup")
    .map((resource) => resource.id)
    .filter((id) => id !== "")
    .sort();
}

function verdictsOf(resources: readonly RecordedResource[], context: GuardrailContext): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const resource of resources) {
    const subject = { type: resource.type, name: resource.name, props: resource.inputs };
    for (const rule of GUARDRAILS) {
      if (!ruleApplies(rule, subject)) continue;
      const messages = rule.check(subject, context);
      verdicts.push({
        rule: rule.name,
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        passed: messages.length === 0,
        messages,
      });
    }
  }
  return verdicts;
}

/** True when the `sshAllowedCidrs` config value (JSON text, as the CLI passes lists) names at least one range. */
function sshRangesConfigured(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.length > 0;
  } catch {
    return false;
  }
}

/** Builds the plan document of one offline run. */
export function buildPlan(inputs: PlanInputs): PlanDocument {
  const resources = [...inputs.run.resources].sort((a, b) => compareStrings(a.urn, b.urn));
  const identities = identitiesOf(resources);
  const context: GuardrailContext = {
    // The stack allows a VM public IP exactly when it opens SSH to given ranges (config `sshAllowedCidrs`).
    allowVmPublicIp: sshRangesConfigured(inputs.config[`${inputs.project}:sshAllowedCidrs`]),
    resourceGroupIds: resourceGroupIds(resources),
    managedIdentityPrincipalIds: managedIdentityPrincipalIds(
      resources.map((resource) => ({ type: resource.type, props: resource.state })),
    ),
  };
  const verdicts = verdictsOf(resources, context);
  const unresolved = new Set(inputs.run.unresolvedPrincipals.map((principal) => principal.principalId));
  const access = accessRows(resources, principalLabels(inputs.run, identities), unresolved);

  const config: Record<string, string> = {};
  for (const key of Object.keys(inputs.config).sort()) {
    config[key] = inputs.secretConfigKeys.includes(key) ? MASK : (inputs.config[key] ?? "");
  }
  const outputs: Record<string, unknown> = {};
  for (const key of Object.keys(inputs.run.outputs).sort()) {
    outputs[key] = inputs.secretOutputs.includes(key) ? MASK : canonical(inputs.run.outputs[key], false);
  }
  return {
    format: PLAN_FORMAT,
    project: inputs.project,
    stack: inputs.stack,
    config,
    resources: resources.map((resource) => ({
      urn: resource.urn,
      type: resource.type,
      name: resource.name,
      parentUrn: resource.parentUrn,
      custom: resource.custom,
      protect: resource.protect,
      dependencies: [...resource.dependencies].sort(),
      inputs: canonical(resource.inputs),
    })),
    outputs,
    identities,
    access,
    verdicts,
    unresolvedPrincipals: inputs.run.unresolvedPrincipals,
    warnings: [...(inputs.warnings ?? [])],
    summary: {
      resources: resources.length,
      roleAssignments: access.length,
      verdicts: verdicts.length,
      failures: verdicts.filter((verdict) => !verdict.passed).length,
    },
  };
}

/** The JSON form: two-space indentation, trailing newline. */
export function planJson(plan: PlanDocument): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
