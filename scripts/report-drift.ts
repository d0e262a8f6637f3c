/**
 * `npm run report-drift -- --stack NAME --preview FILE --smoke FILE`: the nightly drift and access workflow's
 * reporter (.github/workflows/drift.yml). Reads the stack's `pulumi preview --refresh --expect-no-changes --json`
 * output and `npm run smoke -- --json` output, writes the report to the job summary first (so a GitHub outage does
 * not lose it), then opens, comments on or closes the stack's one issue. Follows scripts/core/cli.ts.
 */
import { readFileSync } from "node:fs";
import {
  type CommandIo,
  defineCommand,
  describeError,
  EXIT,
  processIo,
  runCommand,
  runMain,
  UsageError,
} from "./core/cli";
import { appendJobSummary, httpStatus, repositoryFromEnvironment, workflowRunLink } from "./core/github-repository";
import { syncIssue } from "./report-drift/issue";
import { readPreview } from "./report-drift/preview";
import { type DriftReport, isClean, renderReport } from "./report-drift/render";
import { readSmoke } from "./report-drift/smoke";

/** The command's option table (scripts/core/cli.ts): its parsing and its --help. */
export const REPORT_DRIFT_COMMAND = defineCommand({
  name: "report-drift",
  summary: `Reports one stack's nightly drift and access check to GitHub: one issue per stack (label "stack-drift", title
"Drift or access failure: stack NAME"), opened on the first failing run, commented while it persists, closed by the
first clean run. The report also goes to the job summary, before GitHub is called.`,
  options: {
    stack: { type: "string", valueName: "NAME", required: true, description: "the stack checked" },
    preview: {
      type: "string",
      valueName: "FILE",
      required: true,
      description: "stdout of `pulumi preview --refresh --expect-no-changes --json` (empty if it did not run)",
    },
    smoke: {
      type: "string",
      valueName: "FILE",
      required: true,
      description: "stdout of `npm run --silent smoke -- --stack NAME --target all --json`",
    },
  },
  exitCodes: {
    ok: "clean (and any open issue closed)",
    failed: "drift or access failure reported, or GitHub could not be updated (the report is in the job summary)",
  },
  footer:
    "Environment: GITHUB_TOKEN (issues: write), GITHUB_REPOSITORY (owner/repo), GITHUB_API_URL, GITHUB_STEP_SUMMARY.",
});

function readInput(option: string, file: string | undefined): string {
  if (!file) throw new UsageError(`--${option} FILE is required`);
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--${option} ${file}: cannot read it (${describeError(error)}); pass the file the step wrote`);
  }
}

/** The command; GitHub is the one GITHUB_API_URL names (the stand-in in tests). */
export function main(
  argv: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
  io: CommandIo = processIo,
): Promise<number> {
  return runCommand(
    REPORT_DRIFT_COMMAND,
    argv,
    async ({ values }) => {
      const stack = values.stack;
      if (!stack) throw new UsageError("--stack NAME is required");
      const previewText = readInput("preview", values.preview);
      const smokeText = readInput("smoke", values.smoke);
      const runLink = workflowRunLink(environment);
      const report: DriftReport = {
        stack,
        preview: readPreview(previewText, values.preview ?? "preview"),
        smoke: readSmoke(smokeText, values.smoke ?? "smoke"),
        ...(runLink ? { runLink } : {}),
      };
      appendJobSummary(environment, renderReport(report));
      const github = await repositoryFromEnvironment(environment, "keyless-openai-report-drift");
      try {
        const action = await syncIssue(github, report);
        const line =
          action.kind === "nothing"
            ? `stack ${stack}: clean, no open issue`
            : `stack ${stack}: ${action.kind} issue #${action.number} ${action.url}`;
        io.out(`${line}\n`);
        appendJobSummary(environment, `GitHub: ${line}`);
      } catch (error) {
        const status = httpStatus(error);
        const message = `stack ${stack}: GitHub answered ${status ?? "with an error"} (${describeError(error)}); the report is in this run's job summary, and the next run will post it`;
        appendJobSummary(environment, `**GitHub could not be updated:** ${message}`);
        throw new Error(message);
      }
      return isClean(report) ? EXIT.ok : EXIT.failed;
    },
    io,
  );
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
