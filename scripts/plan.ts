/**
 * The offline plan for pull-request reviewers: `npm run plan -- --stack dev [--json FILE] [--compare BASE.json]
 * [--markdown FILE] [--report-only] [--project-dir DIR] [--program FILE]`.
 * Evaluates the program under mocks with the stack's config (no CLI, no cloud credentials), prints markdown
 * (resources, outputs, access matrix, guardrail verdicts, Mermaid diagram), and exits 1 when a guardrail fails
 * unless --report-only. Exit 2: bad arguments or the program failed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { comparePlans } from "./plan/compare";
import { PLAN_FORMAT, type PlanDocument, planJson } from "./plan/model";
import { renderComparison, renderPlan } from "./plan/render";
import { planStack } from "./plan/run";

const USAGE =
  "usage: npm run plan -- --stack NAME [--json FILE] [--compare BASE.json] [--markdown FILE] [--report-only] [--project-dir DIR] [--program FILE]";

function readPlan(path: string): PlanDocument {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as PlanDocument;
  if (parsed.format !== PLAN_FORMAT)
    throw new Error(`${path}: not a ${PLAN_FORMAT} document (format ${parsed.format})`);
  return parsed;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      json: { type: "string" },
      compare: { type: "string" },
      markdown: { type: "string" },
      "report-only": { type: "boolean", default: false },
      "project-dir": { type: "string", default: "." },
      program: { type: "string" },
    },
    strict: true,
  });
  if (!values.stack) {
    console.error(USAGE);
    return 2;
  }
  const plan = await planStack({
    projectDir: values["project-dir"] ?? ".",
    stack: values.stack,
    ...(values.program ? { program: values.program } : {}),
  });
  let markdown = renderPlan(plan);
  if (values.compare) markdown += `\n${renderComparison(comparePlans(readPlan(values.compare), plan))}`;
  if (values.json) writeFileSync(values.json, planJson(plan));
  if (values.markdown) writeFileSync(values.markdown, markdown);
  process.stdout.write(markdown);
  if (plan.summary.failures > 0 && !values["report-only"]) {
    console.error(`${plan.summary.failures} guardrail check(s) failed (--report-only to report without failing)`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
