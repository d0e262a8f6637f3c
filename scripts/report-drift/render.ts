/** The drift issue: its fixed title and label, and the markdown of one run's report. */
import type { PreviewFindings } from "./preview";
import { type SmokeFindings, smokePassed } from "./smoke";

/** Every drift issue carries this label; with the title it finds the one issue of a stack. */
export const DRIFT_LABEL = "stack-drift";

/** The one title of a stack's issue. */
export function issueTitle(stack: string): string {
  return `Drift or access failure: stack ${stack}`;
}

/** What one nightly run found for a stack. */
export interface DriftReport {
  stack: string;
  preview: PreviewFindings;
  smoke: SmokeFindings;
  /** Link to the workflow run, when known. */
  runLink?: string;
}

export function isClean(report: DriftReport): boolean {
  return report.preview.drift.length === 0 && report.preview.errors.length === 0 && smokePassed(report.smoke);
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function previewSection(preview: PreviewFindings): string[] {
  const lines = ["### Drift (`pulumi preview --refresh --expect-no-changes`)", ""];
  if (preview.drift.length === 0 && preview.errors.length === 0)
    return [...lines, "No drift: the cloud matches the program.", ""];
  if (preview.drift.length > 0) {
    lines.push("| resource | type | Pulumi would | changed properties |", "|---|---|---|---|");
    for (const resource of preview.drift) {
      const properties = resource.properties.length > 0 ? resource.properties.map((p) => `\`${p}\``).join(", ") : "—";
      lines.push(`| ${cell(resource.name)} | \`${resource.type}\` | ${resource.op} | ${cell(properties)} |`);
    }
    lines.push("");
  }
  for (const error of preview.errors) lines.push(`- preview error: ${cell(error)}`);
  if (preview.errors.length > 0) lines.push("");
  return lines;
}

function smokeSection(smoke: SmokeFindings): string[] {
  const lines = ["### Access (`npm run smoke -- --target all`)", ""];
  if ("missing" in smoke) return [...lines, `No smoke result: ${cell(smoke.missing)}`, ""];
  lines.push("| target | identity | outcome | diagnosis | what to do |", "|---|---|---|---|---|");
  for (const result of smoke.results) {
    const advice = result.outcome === "passed" ? "" : cell(result.note ?? result.diagnosis.action);
    const outcome = result.outcome === "passed" ? "PASS" : "FAIL";
    lines.push(
      `| ${result.target} | ${cell(result.identity)} | ${outcome} | \`${result.diagnosis.code}\`: ${cell(result.diagnosis.meaning)} | ${advice} |`,
    );
  }
  lines.push("");
  return lines;
}

/** The markdown of one run: the issue body, a comment, and the job summary all use it. */
export function renderReport(report: DriftReport): string {
  const verdict = isClean(report) ? "clean" : "drift or access failure";
  const lines = [
    `<!-- report-drift stack=${report.stack} -->`,
    `## Stack \`${report.stack}\`: ${verdict}`,
    "",
    ...(report.runLink ? [`Run: ${report.runLink}`, ""] : []),
    ...previewSection(report.preview),
    ...smokeSection(report.smoke),
  ];
  if (!isClean(report)) {
    lines.push(
      "To resolve: bring the cloud back with `npm run deploy -- --stack " +
        `${report.stack}\` (or change the program to accept the new values), then let the next run close this issue.`,
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
