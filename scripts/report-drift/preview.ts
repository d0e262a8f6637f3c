/**
 * Reads `pulumi preview --refresh --expect-no-changes --json`: the PreviewDigest of pulumi/pulumi
 * `sdk/pkg/display/json.go` (`steps[]` with `op`, `urn`, `diffReasons`, `replaceReasons`, `detailedDiff`;
 * `diagnostics[]` with `severity` and `message`). With `--refresh` the refreshed cloud state is compared with the
 * program, so any step that is not `same` is drift (a property changed outside Pulumi, or a resource deleted).
 * Refresh steps themselves carry no property diff in the JSON (pulumi/pulumi#16278), so they are not counted.
 */

/** One resource the program would change to undo drift. */
export interface ResourceDrift {
  /** What Pulumi would do: update, replace, create, delete ... */
  op: string;
  urn: string;
  type: string;
  name: string;
  /** Changed properties (detailedDiff paths with their kind, else diffReasons). */
  properties: string[];
}

/** What the preview says about a stack. */
export interface PreviewFindings {
  drift: ResourceDrift[];
  /** Error diagnostics (policy violations, failed reads), or why there is no preview at all. */
  errors: string[];
}

/** Steps that change nothing. */
const UNCHANGED_OPS = new Set(["same", "read", "refresh", "discard"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>`: the last type of the chain and the name. */
function typeAndName(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const name = parts.at(-1) ?? urn;
  const chain = parts.at(-2) ?? "";
  return { type: chain.split("$").at(-1) ?? chain, name };
}

function changedProperties(step: Record<string, unknown>): string[] {
  if (isRecord(step.detailedDiff)) {
    return Object.entries(step.detailedDiff).map(([path, diff]) =>
      isRecord(diff) && typeof diff.kind === "string" ? `${path} (${diff.kind})` : path,
    );
  }
  return Array.isArray(step.diffReasons) ? step.diffReasons.map(String) : [];
}

/** Parses the preview's stdout; an empty or unreadable output is itself a finding (the preview did not run). */
export function readPreview(text: string, source: string): PreviewFindings {
  let digest: unknown;
  try {
    digest = JSON.parse(text);
  } catch {
    const firstLine = text.trim().split("\n")[0] ?? "";
    return {
      drift: [],
      errors: [`${source}: the preview printed no JSON${firstLine ? ` ("${firstLine.slice(0, 200)}")` : ""}`],
    };
  }
  if (!isRecord(digest)) return { drift: [], errors: [`${source}: the preview's JSON is not an object`] };
  const steps = Array.isArray(digest.steps) ? digest.steps.filter(isRecord) : [];
  const drift = steps
    .filter((step) => typeof step.op === "string" && !UNCHANGED_OPS.has(step.op) && typeof step.urn === "string")
    .map((step) => {
      const urn = String(step.urn);
      return { op: String(step.op), urn, ...typeAndName(urn), properties: changedProperties(step) };
    });
  const diagnostics = Array.isArray(digest.diagnostics) ? digest.diagnostics.filter(isRecord) : [];
  const errors = diagnostics
    .filter((diagnostic) => diagnostic.severity === "error" && typeof diagnostic.message === "string")
    .map((diagnostic) => String(diagnostic.message).trim());
  if (steps.length === 0 && errors.length === 0) errors.push(`${source}: the preview lists no resources`);
  return { drift, errors };
}
