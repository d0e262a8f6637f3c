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

/** What the renderers show besides the results: the whole error behind a failed call only when asked. */
export interface RenderOptions {
  verbose: boolean;
}

/**
 * One line per result (`PASS identity: found`, `FAIL providers: found -- fix: command`), then the summary line.
 * `--verbose` adds the whole error under a failed call (the credential chain's report, ARM's message), indented.
 */
export function renderText(
  report: PreflightReport,
  elapsedMs: number,
  options: RenderOptions = { verbose: false },
): string {
  const lines = report.results.map((result) => {
    const line = `${LABEL[result.status]} ${result.check}: ${result.found}${result.fix ? ` -- fix: ${result.fix}` : ""}`;
    if (!options.verbose || !result.detail) return line;
    const detail = result.detail
      .split("\n")
      .map((text) => `    ${text}`)
      .join("\n");
    return `${line}\n${detail}`;
  });
  const summary = summarize(report);
  const verdict = report.exitCode === 0 ? "ready for pulumi up" : "pulumi up would fail: fix the FAIL lines first";
  lines.push(
    `\nPreflight of stack ${report.stack}${report.subscriptionId ? ` (subscription ${report.subscriptionId})` : ""}: ${summary.pass} pass, ${summary.warn} warn, ${summary.fail} fail in ${(elapsedMs / 1000).toFixed(1)} s; ${verdict}.`,
  );
  return `${lines.join("\n")}\n`;
}

/** The machine-readable report: the same results (`detail` with --verbose only), the summary and the exit code. */
export function renderJson(report: PreflightReport, elapsedMs: number, options: RenderOptions): string {
  const results = options.verbose ? report.results : report.results.map(({ detail: _detail, ...result }) => result);
  const document = { ...report, results, summary: summarize(report), elapsedMs: Math.round(elapsedMs) };
  return `${JSON.stringify(document, null, 2)}\n`;
}
