/**
 * `npm run renewal-pr -- --stack NAME --check FILE [--renew FILE] [--plan-markdown FILE] [--project-dir DIR]`: the
 * scheduled model renewal's pull-request writer (.github/workflows/renew-models.yml). A failing check opens or
 * updates the stack's one pull request (branch renew-models/NAME) with the file `--renew` wrote, the catalogue
 * evidence and the offline plan; a passing check closes the pull request this command opened for the stack, if any.
 * Follows scripts/core/cli.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type CommandIo, describeError, EXIT, processIo, runCommand, runMain, UsageError } from "./core/cli";
import { appendJobSummary, repositoryFromEnvironment, workflowRunLink } from "./core/github-repository";
import { PROJECT_ROOT } from "./core/pulumi-workspace";
import { closeRenewal, proposeRenewal, type RenewalAction } from "./renewal-pr/pull-request";
import { renderBody } from "./renewal-pr/render";
import { readCheckReport, readRenewReport } from "./renewal-pr/reports";

const USAGE = `usage: npm run renewal-pr -- --stack NAME --check FILE [--renew FILE] [--plan-markdown FILE] [--base BRANCH]
                             [--project-dir DIR]

Keeps one pull request per stack (branch renew-models/NAME, label "model-renewal") in step with the model check:
a failing check opens or updates it with the Pulumi.<NAME>.yaml that \`models --renew\` wrote, the catalogue evidence
(old and new version, retirement dates, quota left) and the offline plan; a passing check closes the pull request
this command opened, and nothing else.

  --check FILE          \`npm run --silent models -- --stack NAME --check --json\` output
  --renew FILE          \`npm run --silent models -- --stack NAME --renew --json\` output (required when the check fails)
  --plan-markdown FILE  \`npm run plan -- --stack NAME --compare BEFORE.json --markdown FILE\` after the renewal
  --base BRANCH         the branch the pull request targets (default main)
  --project-dir DIR     where the renewed Pulumi.<NAME>.yaml is (default: the project)
Environment: GITHUB_TOKEN (contents and pull requests: write), GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_STEP_SUMMARY.
Exit codes: 0 done (pull request opened, updated, closed, or nothing to do), 1 failed (including a failing pin with no
replacement), 2 usage error, 3 refused by GitHub or by a pull request this command did not open.`;

export const RENEWAL_PR_COMMAND = {
  name: "renewal-pr",
  usage: USAGE,
  options: {
    stack: { type: "string" },
    check: { type: "string" },
    renew: { type: "string" },
    "plan-markdown": { type: "string" },
    base: { type: "string", default: "main" },
    "project-dir": { type: "string" },
  },
} as const;

function describe(stack: string, action: RenewalAction): string {
  switch (action.kind) {
    case "nothing":
      return `stack ${stack}: pins pass, no renewal pull request open`;
    case "closed":
      return `stack ${stack}: pins pass, closed renewal pull request #${action.number} ${action.url}`;
    default:
      return `stack ${stack}: ${action.kind} renewal pull request #${action.number} ${action.url}${action.committed ? "" : " (file unchanged, body refreshed)"}`;
  }
}

export function main(
  argv: readonly string[],
  environment: NodeJS.ProcessEnv = process.env,
  io: CommandIo = processIo,
): Promise<number> {
  return runCommand(
    RENEWAL_PR_COMMAND,
    argv,
    async ({ values }) => {
      const stack = values.stack;
      if (!stack) throw new UsageError("--stack NAME is required");
      if (!values.check) throw new UsageError("--check FILE is required");
      const check = readCheckReport(values.check, stack);
      const runLink = workflowRunLink(environment);
      let action: RenewalAction;
      if (check.ok) {
        const github = await repositoryFromEnvironment(environment, "keyless-openai-renewal-pr");
        const reason = `\`npm run models -- --stack ${stack} --check\` passes since ${check.checkedAt}${runLink ? ` (${runLink})` : ""}: this renewal is no longer needed.`;
        action = await closeRenewal(github, stack, reason);
      } else {
        if (!values.renew) throw new UsageError(`--renew FILE is required: the check of stack ${stack} fails`);
        const renew = readRenewReport(values.renew, stack);
        if (!renew.changed || renew.renewals.length === 0) {
          io.err(
            `renewal-pr: stack ${stack}: the check fails but --renew found no replacement that fits (${check.pins.flatMap((pin) => pin.reasons).join(" ")}); pin a model by hand with npm run models -- --stack ${stack} --pin\n`,
          );
          return EXIT.failed;
        }
        const file = join(values["project-dir"] ?? PROJECT_ROOT, renew.file);
        let content: string;
        try {
          content = readFileSync(file, "utf8");
        } catch (error) {
          throw new UsageError(
            `${file}: cannot read the renewed stack file (${describeError(error)}); pass --project-dir where --renew wrote it`,
          );
        }
        const planMarkdown = values["plan-markdown"] ? readFileSync(values["plan-markdown"], "utf8") : undefined;
        const body = renderBody(check, renew, planMarkdown);
        appendJobSummary(environment, body);
        const github = await repositoryFromEnvironment(environment, "keyless-openai-renewal-pr");
        action = await proposeRenewal(github, {
          stack,
          base: values.base ?? "main",
          path: renew.file,
          content,
          body,
          summary: `renew ${renew.renewals.map((renewal) => `${renewal.deployment} ${renewal.from} -> ${renewal.to}`).join(", ")}`,
        });
      }
      const line = describe(stack, action);
      io.out(`${line}\n`);
      appendJobSummary(environment, line);
      return EXIT.ok;
    },
    io,
  );
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
