/**
 * Compares two plan documents (the base branch's and the pull request's): what the change adds, removes and alters.
 * Resources are matched by URN (stack segment left out, so two stacks compare too), access rows by principal + role +
 * scope, verdicts by rule + URN.
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

/** What changed between two plans. */
export interface PlanComparison {
  resources: {
    added: PlannedResource[];
    removed: PlannedResource[];
    changed: { urn: string; changes: InputChange[] }[];
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

/** Leaf differences between two JSON values, as `a.b[0].c` paths, in sorted order. */
export function diffValues(before: unknown, after: unknown, path = ""): InputChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffValues(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
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
    .map(({ before, after }) => ({ urn: after.urn, changes: diffValues(comparable(before), comparable(after)) }))
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
