/**
 * Reads what `npm run --silent smoke -- --json` printed: the summary table, then one JSON line `{"results": [...]}`
 * (scripts/smoke.ts), one result per identity with its outcome and the diagnosis of lib/diagnosis.ts.
 */

/** One identity's smoke result, as far as the drift report shows it. */
export interface SmokeResult {
  target: string;
  identity: string;
  outcome: "passed" | "failed";
  status: number;
  diagnosis: { code: string; meaning: string; action: string };
  attempts: number;
  note?: string;
}

/** The smoke run: its results, or why there are none (it failed before testing, e.g. no stack outputs). */
export type SmokeFindings = { results: SmokeResult[] } | { missing: string };

function isSmokeResult(value: unknown): value is SmokeResult {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  const diagnosis = candidate.diagnosis as Record<string, unknown> | undefined;
  return (
    typeof candidate.target === "string" &&
    typeof candidate.identity === "string" &&
    (candidate.outcome === "passed" || candidate.outcome === "failed") &&
    typeof diagnosis?.code === "string" &&
    typeof diagnosis.meaning === "string"
  );
}

/** The last `{"results": ...}` line of the smoke output. */
export function readSmoke(text: string, source: string): SmokeFindings {
  const lines = text.split("\n").filter((line) => line.startsWith('{"results"'));
  const last = lines.at(-1);
  if (last === undefined) {
    const firstLine = text.trim().split("\n")[0] ?? "";
    return {
      missing: `${source}: the smoke test printed no --json result${firstLine ? ` ("${firstLine.slice(0, 200)}")` : ""}`,
    };
  }
  const parsed = JSON.parse(last) as { results?: unknown };
  const results = Array.isArray(parsed.results) ? parsed.results : [];
  if (!results.every(isSmokeResult)) return { missing: `${source}: a smoke result lacks target, outcome or diagnosis` };
  return { results };
}

/** True when every identity reached the model. */
export function smokePassed(findings: SmokeFindings): boolean {
  return "results" in findings && findings.results.length > 0 && findings.results.every((r) => r.outcome === "passed");
}
