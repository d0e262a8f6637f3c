/**
 * The offline plan for pull-request reviewers. Evaluates the program under mocks with the stack's config (no CLI, no
 * cloud credentials), prints markdown (resources, outputs, access matrix, guardrail verdicts, Mermaid diagram).
 * Principals the offline directory does not know are planned as placeholders resolved at deploy.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type CommandIo, defineCommand, EXIT, processIo, runCommand, runMain, UsageError } from "./core/cli";
import type { PlanDocument } from "./core/plan/model";
import type { PlanTarget } from "./core/plan/run";

const SPEC = defineCommand({
  name: "plan",
  summary: `Plans the stack offline: runs the program under Pulumi's mocks with Pulumi.yaml and Pulumi.<NAME>.yaml (no
Pulumi CLI, no Azure credentials) and prints what a reviewer checks: the model deployments, the account's security
settings, the guardrails' verdicts, the access matrix, a diagram, the resources and outputs. Users, groups and service
principals that only Entra ID knows are planned as placeholders "resolved at deploy"; secure: values are planned as
secrets without being decrypted.`,
  options: {
    stack: {
      type: "string",
      valueName: "NAME",
      required: true,
      description:
        "the stack whose config to plan; a stack without Pulumi.<NAME>.yaml is planned with the project defaults and a warning",
    },
    json: { type: "string", valueName: "FILE", description: "also write the plan as JSON (the input of --compare)" },
    compare: {
      type: "string",
      valueName: "BASE.json",
      description:
        "put what changed against a plan written earlier with --json first (added, removed, changed, replaced; list items matched by name or principal), the full plan after it",
    },
    markdown: { type: "string", valueName: "FILE", description: "also write the markdown to FILE" },
    "report-only": { type: "boolean", default: false, description: "exit 0 even when a guardrail fails" },
    "project-dir": { type: "string", valueName: "DIR", default: ".", description: "directory of Pulumi.yaml" },
    program: {
      type: "string",
      valueName: "FILE",
      description: "program to run (default: Pulumi.yaml main, else index.ts)",
    },
  },
  exitCodes: {
    ok: "planned (every guardrail passes, or --report-only)",
    failed: "a guardrail failed or the config or program is wrong (the message names the key)",
  },
});

/**
 * Runs `npm run plan` with `argv` (without node and the script), writing to `io`, and returns the exit code.
 * `planTarget` evaluates the program (default planStack; a test shares one evaluation per stack between its runs).
 */
export function plan(
  argv: readonly string[],
  io: CommandIo = processIo,
  planTarget?: (target: PlanTarget) => Promise<PlanDocument>,
): Promise<number> {
  return runCommand(
    SPEC,
    argv,
    async ({ values }) => {
      if (!values.stack) throw new UsageError("--stack NAME is required");
      // Loaded once the command line is valid: --help and usage errors need neither Pulumi nor the program.
      // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
      const [{ comparePlans }, { planJson, readPlanDocument }, { planStack }, { renderComparison, renderPlan }] =
        await Promise.all([
          import("./core/plan/compare.js"),
          import("./core/plan/model.js"),
          import("./core/plan/run.js"),
          import("./plan/render.js"),
        ]);
      const document = await (planTarget ?? planStack)({
        projectDir: values["project-dir"] ?? ".",
        stack: values.stack,
        ...(values.program ? { program: values.program } : {}),
      });
      for (const warning of document.warnings) io.err(`warning: ${warning}\n`);
      const comparison = values.compare
        ? renderComparison(
            comparePlans(readPlanDocument(readFileSync(values.compare, "utf8"), values.compare), document),
          )
        : undefined;
      // A reviewer reads what changed first; the full plan follows for context.
      const markdown = comparison === undefined ? renderPlan(document) : `${comparison}\n${renderPlan(document)}`;
      if (values.json) writeFileSync(values.json, planJson(document));
      if (values.markdown) writeFileSync(values.markdown, markdown);
      io.out(markdown);
      if (document.summary.failures > 0 && !values["report-only"]) {
        throw new Error(
          `${document.summary.failures} guardrail check(s) failed: fix the stack's config, or pass --report-only to report without failing`,
        );
      }
      return EXIT.ok;
    },
    io,
  );
}

if (require.main === module) runMain(() => plan(process.argv.slice(2)));
