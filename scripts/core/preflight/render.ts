/** The preflight report as text (one line per result, then a summary) and as JSON. */
import type { PreflightReport } from "./run";
import type { CheckStatus } from "./types";

const LABEL: Record<CheckStatus, string> = { pass: "PASS", warn: "WARN", fail: "FAIL" };

export interface Summary {
  pass: number;
  warn: number;
  fail: number;
}

export function summarize(report: PreflightReport): Summary {
  const count = (status: CheckStatus) => report.results.filter((result) => result.status === status).length;
  return { pass: count("pass"), warn: count("warn"), fail: count("fail") };
}

/** One line per result (`PASS identity: found`, `FAIL providers: found -- fix: command`), then the summary line. */
export function renderText(report: PreflightReport, elapsedMs: number): string {
  const lines = report.results.map(
    (result) => `${LABEL[result.status]} ${result.check}: ${result.found}${result.fix ? ` -- fix: ${result.fix}` : ""}`,
  );
  const summary = summarize(report);
  const verdict = report.exitCode === 0 ? "ready for pulumi up" : "pulumi up would fail: fix the FAIL lines first";
  lines.push(
    `\nPreflight of stack ${report.stack}${report.subscriptionId ? ` (subscription ${report.subscriptionId})` : ""}: ${summary.pass} pass, ${summary.warn} warn, ${summary.fail} fail in ${(elapsedMs / 1000).toFixed(1)} s; ${verdict}.`,
  );
  return `${lines.join("\n")}\n`;
}

/** The machine-readable report: the same results, the summary and the exit code. */
export function renderJson(report: PreflightReport, elapsedMs: number): string {
  return `${JSON.stringify({ ...report, summary: summarize(report), elapsedMs: Math.round(elapsedMs) }, null, 2)}\n`;
}
