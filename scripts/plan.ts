/**
 * The offline plan for pull-request reviewers. Evaluates the program under mocks with the stack's config (no CLI, no
 * cloud credentials), prints markdown (resources, outputs, access matrix, guardrail verdicts, Mermaid diagram).
 * Principals the offline directory does not know are planned as placeholders resolved at deploy.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { EXIT, runCommand, runMain, UsageError } from "./core/cli";
import { comparePlans } from "./core/plan/compare";
import { planJson, readPlanDocument } from "./core/plan/model";
import { planStack } from "./core/plan/run";
import { renderComparison, renderPlan } from "./plan/render";

const USAGE = `Usage: npm run plan -- --stack NAME [--json FILE] [--compare BASE.json] [--markdown FILE] [--report-only]
                     [--project-dir DIR] [--program FILE]

Plans the stack offline: runs the program under Pulumi's mocks with Pulumi.yaml and Pulumi.<NAME>.yaml (no Pulumi
CLI, no Azure credentials) and prints the resources, the access matrix, the guardrails' verdicts and a diagram.
Users, groups and service principals that only Entra ID knows are planned as placeholders "resolved at deploy";
secure: values are planned as secrets without being decrypted.

  --stack NAME        the stack whose config to plan (required); a stack without Pulumi.<NAME>.yaml is planned
                      with the project defaults and a warning
  --json FILE         also write the plan as JSON (the input of --compare)
  --compare BASE.json add what changed against a plan written earlier with --json (added, removed, changed,
                      replaced; list items matched by name or principal)
  --markdown FILE     also write the markdown to FILE
  --report-only       exit 0 even when a guardrail fails
  --project-dir DIR   directory of Pulumi.yaml (default .)
  --program FILE      program to run (default: Pulumi.yaml main, else index.ts)
  -h, --help          show this help

Exit codes: 0 planned (every guardrail passes, or --report-only), 1 a guardrail failed or the config or program is
wrong (the message names the key), 2 usage error.`;

const SPEC = {
  name: "plan",
  usage: USAGE,
  options: {
    stack: { type: "string" },
    json: { type: "string" },
    compare: { type: "string" },
    markdown: { type: "string" },
    "report-only": { type: "boolean", default: false },
    "project-dir": { type: "string", default: "." },
    program: { type: "string" },
  },
} as const;

/** Runs `npm run plan` with `argv` (without node and the script) and returns the exit code. */
export function plan(argv: readonly string[]): Promise<number> {
  return runCommand(SPEC, argv, async ({ values }) => {
    if (!values.stack) throw new UsageError("--stack NAME is required");
    const document = await planStack({
      projectDir: values["project-dir"] ?? ".",
      stack: values.stack,
      ...(values.program ? { program: values.program } : {}),
    });
    for (const warning of document.warnings) process.stderr.write(`warning: ${warning}\n`);
    let markdown = renderPlan(document);
    if (values.compare)
      markdown += `\n${renderComparison(comparePlans(readPlanDocument(readFileSync(values.compare, "utf8"), values.compare), document))}`;
    if (values.json) writeFileSync(values.json, planJson(document));
    if (values.markdown) writeFileSync(values.markdown, markdown);
    process.stdout.write(markdown);
    if (document.summary.failures > 0 && !values["report-only"]) {
      process.stderr.write(
        `${document.summary.failures} guardrail check(s) failed (--report-only to report without failing)\n`,
      );
      return EXIT.failed;
    }
    return EXIT.ok;
  });
}

if (require.main === module) runMain(() => plan(process.argv.slice(2)));
