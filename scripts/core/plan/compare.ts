/**
 * Compares two plan documents (the base branch's and the pull request's): what the change adds, removes and alters.
 * Resources are matched by URN (stack segment left out, so two stacks compare too), access rows by principal + role +
 * scope, verdicts by rule + URN, and items of lists by their identity (name, principal), not their position.
 * A changed resource is "replaced" when a changed input forces the provider to delete and re-create it.
 */
import type { AccessRow, PlanDocument, PlannedResource, Verdict } from "./model";

/** One input that differs between base and head, by JSON path. */
export interface InputChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Items matched by key between base and head: only in head, only in base, or in both but different. */
export interface MatchedChanges<T> {
  added: T[];
  removed: T[];
  changed: { before: T; after: T }[];
}

/** A resource in both plans whose inputs differ; `replacedBy` lists the changed inputs that force a replacement. */
export interface ResourceChange {
  urn: string;
  changes: InputChange[];
  /** Paths (`inputs.properties.customSubDomainName`) whose change replaces the resource; empty for an update. */
  replacedBy: string[];
}

/** What changed between two plans. */
export interface PlanComparison {
  resources: {
    added: PlannedResource[];
    removed: PlannedResource[];
    changed: ResourceChange[];
  };
  access: MatchedChanges<AccessRow>;
  verdicts: MatchedChanges<Verdict>;
  outputs: InputChange[];
  /** True when nothing differs. */
  unchanged: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Fields that identify an item of a list, in order of preference: a deployment's name, a grant's principal. */
const IDENTITY_FIELDS = ["name", "principalId", "principal", "key", "id"];

/** The field every item of both lists has, with distinct values in each list; undefined when there is none. */
function identityField(before: readonly unknown[], after: readonly unknown[]): string | undefined {
  const items = [...before, ...after];
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  return IDENTITY_FIELDS.find((field) =>
    [before, after].every((list) => {
      const values = list.map((item) => (item as Record<string, unknown>)[field]);
      return values.every((value) => typeof value === "string") && new Set(values).size === values.length;
    }),
  );
}

/**
 * Leaf differences between two JSON values, as `a.b[0].c` paths, in sorted order. Lists of objects that carry an
 * identity (`name`, `principalId`, ...) are matched by it (`deployments[name=chat].capacity`), so inserting an item
 * reads as one addition, not as every later item changing.
 */
export function diffValues(before: unknown, after: unknown, path = ""): InputChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffValues(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const field = identityField(before, after);
    if (field !== undefined) {
      const identity = (item: unknown) => String((item as Record<string, unknown>)[field]);
      const beforeById = new Map(before.map((item) => [identity(item), item]));
      const afterById = new Map(after.map((item) => [identity(item), item]));
      const ids = [...new Set([...beforeById.keys(), ...afterById.keys()])].sort();
      return ids.flatMap((id) => diffValues(beforeById.get(id), afterById.get(id), `${path}[${field}=${id}]`));
    }
    const length = Math.max(before.length, after.length);
    return Array.from({ length }, (_, index) => diffValues(before[index], after[index], `${path}[${index}]`)).flat();
  }
  return [
    {
      path: path || "(value)",
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
    },
  ];
}

/**
 * Inputs whose change replaces a resource instead of updating it, with why. azure-native replaces a resource when an
 * input that is part of its ARM URL changes (pulumi/pulumi-azure-native#77: the resource group, the resource's own
 * name, a role assignment's scope and name) and when the REST spec marks a property create-only
 * (`x-ms-mutability` without `update`, pulumi/pulumi-azure-native#137: `location` of every tracked resource in
 * common-types/resource-management v5 types.json). The provider's full list lives in its plugin's metadata, which is
 * not available offline; this list covers the resource types this project declares, and Azure facts beyond the spec:
 * - a custom subdomain "can't be changed" once created (Learn: "Custom subdomain names for Azure AI services");
 * - a role assignment's principal and role cannot be updated (ARM answers RoleAssignmentUpdateNotPermitted;
 *   Learn: "Troubleshoot Azure RBAC");
 * - random and tls resources are replaced on any input change (Pulumi registry: random RandomString and tls
 *   PrivateKey, every input "forces a new resource").
 */
export const REPLACEMENT_INPUTS: readonly { type: RegExp; inputs: readonly string[] | "all"; why: string }[] = [
  {
    type: /^azure-native:/,
    inputs: ["resourceGroupName", "location"],
    why: "part of the resource's ARM ID, or create-only",
  },
  { type: /^azure-native:resources:ResourceGroup$/, inputs: ["resourceGroupName"], why: "the resource group's name" },
  {
    type: /^azure-native:cognitiveservices:Account$/,
    inputs: ["accountName", "properties.customSubDomainName", "kind"],
    why: "the account's name; a custom subdomain cannot be changed once created",
  },
  {
    type: /^azure-native:cognitiveservices:Deployment$/,
    inputs: ["accountName", "deploymentName"],
    why: "the deployment's ARM ID",
  },
  {
    type: /^azure-native:authorization:RoleAssignment$/,
    inputs: ["roleAssignmentName", "scope", "principalId", "roleDefinitionId", "principalType"],
    why: "a role assignment cannot be updated, only re-created",
  },
  { type: /^azure-native:compute:VirtualMachine$/, inputs: ["vmName"], why: "the VM's name" },
  {
    type: /^azure-native:network:/,
    inputs: [
      "virtualNetworkName",
      "subnetName",
      "networkSecurityGroupName",
      "networkInterfaceName",
      "publicIpAddressName",
    ],
    why: "the network resource's name",
  },
  { type: /^azure-native:storage:/, inputs: ["accountName", "containerName"], why: "the storage resource's name" },
  { type: /^azure-native:web:/, inputs: ["name"], why: "the site's or plan's name" },
  {
    type: /^azure-native:(applicationinsights|operationalinsights):/,
    inputs: ["resourceName", "workspaceName"],
    why: "the resource's name",
  },
  { type: /^(random|tls):/, inputs: "all", why: "every input of a random or tls resource forces a new one" },
];

/** The changed input paths (`inputs.x.y`) of a resource of `type` that force its replacement. */
export function replacingChanges(type: string, changes: readonly InputChange[]): string[] {
  const replacing = new Set<string>();
  for (const rule of REPLACEMENT_INPUTS) {
    if (!rule.type.test(type)) continue;
    for (const change of changes) {
      if (!change.path.startsWith("inputs.")) continue;
      const input = change.path.slice("inputs.".length);
      const forces =
        rule.inputs === "all" ||
        rule.inputs.some((path) => input === path || input.startsWith(`${path}.`) || input.startsWith(`${path}[`));
      if (forces) replacing.add(change.path);
    }
  }
  return [...replacing].sort();
}

function byKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}

function matchUp<T>(
  base: readonly T[],
  head: readonly T[],
  key: (item: T) => string,
  same: (a: T, b: T) => boolean,
): MatchedChanges<T> {
  const baseByKey = byKey(base, key);
  const headByKey = byKey(head, key);
  const added = head.filter((item) => !baseByKey.has(key(item)));
  const removed = base.filter((item) => !headByKey.has(key(item)));
  const changed = head.flatMap((after) => {
    const before = baseByKey.get(key(after));
    return before !== undefined && !same(before, after) ? [{ before, after }] : [];
  });
  return { added, removed, changed };
}

/**
 * A URN without the stack's name, so that the same resource matches across stacks: the `urn:pulumi:<stack>::`
 * prefix goes, and so does the root stack resource's own name (`<project>-<stack>`).
 */
export function stacklessUrn(urn: string): string {
  return urn.replace(/^urn:pulumi:[^:]*::/, "").replace(/^([^:]+::pulumi:pulumi:Stack::).*$/, "$1(stack)");
}

const accessKey = (row: AccessRow) => `${row.principalId}|${row.roleGuid}|${row.scope.toLowerCase()}`;
const verdictKey = (verdict: Verdict) => `${verdict.rule}|${stacklessUrn(verdict.urn)}`;
const sameJson = <T>(a: T, b: T) => JSON.stringify(a) === JSON.stringify(b);

/** Compares `base` (e.g. the target branch) with `head` (the pull request). */
export function comparePlans(base: PlanDocument, head: PlanDocument): PlanComparison {
  const resources = matchUp(base.resources, head.resources, (resource) => stacklessUrn(resource.urn), sameJson);
  const access = matchUp(base.access, head.access, accessKey, (a, b) =>
    sameJson({ ...a, urn: stacklessUrn(a.urn) }, { ...b, urn: stacklessUrn(b.urn) }),
  );
  const verdicts = matchUp(base.verdicts, head.verdicts, verdictKey, (a, b) =>
    sameJson({ ...a, urn: stacklessUrn(a.urn) }, { ...b, urn: stacklessUrn(b.urn) }),
  );
  const outputs = diffValues(base.outputs, head.outputs);
  const comparable = (resource: PlannedResource) => ({
    inputs: resource.inputs,
    protect: resource.protect,
    parentUrn: stacklessUrn(resource.parentUrn),
    dependencies: resource.dependencies.map(stacklessUrn),
  });
  const changedResources = resources.changed
    .map(({ before, after }) => {
      const changes = diffValues(comparable(before), comparable(after));
      return { urn: after.urn, changes, replacedBy: replacingChanges(after.type, changes) };
    })
    .filter((change) => change.changes.length > 0);
  const unchanged =
    [resources.added, resources.removed, changedResources, outputs].every((list) => list.length === 0) &&
    [access, verdicts].every((group) => group.added.length + group.removed.length + group.changed.length === 0);
  return {
    resources: { added: resources.added, removed: resources.removed, changed: changedResources },
    access,
    verdicts,
    outputs,
    unchanged,
  };
}
