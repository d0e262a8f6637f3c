/** The summary table printed at the end of `npm run smoke`. */
import type { TargetResult } from "./wait";

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** A plain-text table: target, identity, outcome, diagnosis, attempts, time; then one advice line per failure. */
export function summaryTable(results: TargetResult[]): string {
  const header = ["target", "identity", "outcome", "diagnosis", "attempts", "time"];
  const rows = results.map((result) => [
    result.target,
    result.identity,
    result.outcome === "passed" ? "PASS" : "FAIL",
    result.diagnosis.code,
    String(result.attempts),
    `${(result.elapsedMs / 1000).toFixed(1)}s`,
  ]);
  const widths = header.map((title, column) =>
    Math.min(48, Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length))),
  );
  const line = (values: string[]) =>
    values
      .map((value, column) => cell(value, widths[column] ?? value.length))
      .join("  ")
      .trimEnd();
  const lines = [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
  for (const result of results) {
    if (result.outcome === "passed") {
      lines.push(`${result.target}: model replied "${result.reply ?? ""}"`);
    } else {
      lines.push(`${result.target}: ${result.diagnosis.meaning} -> ${result.note ?? result.diagnosis.action}`);
    }
  }
  return lines.join("\n");
}
