/**
 * `npm run renewal-pr -- --stack NAME --check FILE [--renew FILE] [--retirements FILE]... [--plan-markdown FILE]
 * [--project-dir DIR]`: the scheduled model renewal's pull-request writer (.github/workflows/renew-models.yml). A
 * failing check opens or updates the stack's one pull request (branch renew-models/NAME) with one commit holding the
 * files `--renew` wrote (the stack file, and the retirement table when it learned a date), the catalogue evidence and
 * the offline plan; a passing check closes the pull request this command opened for the stack, if any.
 * `npm run renewal-pr -- --table-only --retirements FILE...`, once per run after every stack: the merged table goes to
 * one pull request (branch renew-models/retirement-table) when no stack's renewal pull request carries it.
 * Follows scripts/core/cli.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { retirementTablePath } from "../lib/model-retirements";
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
import { appendJobSummary, repositoryFromEnvironment, workflowRunLink } from "./core/github-repository";
import type { RenewReport } from "./core/models/check-report";
import { PROJECT_ROOT } from "./core/project-root";
import {
  closeRenewal,
  openStackRenewals,
  type ProposedFile,
  proposeRenewal,
  type RenewalAction,
  textOn,
} from "./renewal-pr/pull-request";
import { renderBody, renderTableBody, stackRenewal, TABLE_RENEWAL, type TableChange } from "./renewal-pr/render";
import { readCheckReport, readRenewReport } from "./renewal-pr/reports";
import { mergeTables, rowsOf, tableChanges, tableText } from "./renewal-pr/retirement-table";

/** The command's option table (scripts/core/cli.ts): its parsing and its --help. */
export const RENEWAL_PR_COMMAND = defineCommand({
  name: "renewal-pr",
  summary: `Keeps one pull request per stack (branch renew-models/NAME, label "model-renewal") in step with the model check:
a failing check opens or updates it with one commit holding the Pulumi.<NAME>.yaml that \`models --renew\` wrote and,
when it learned a date, the refreshed lib/model-retirements.json; the body gives the catalogue evidence (old and new
version, retirement dates, quota left), the retirement dates learned and the offline plan. A passing check closes the
pull request this command opened, and nothing else. A run that changes nothing on the branch adds no commit.
With --table-only (once per run, after every stack): when the run's merged --retirements table dates what the base
branch's table does not and no stack's renewal pull request carries it, one pull request on branch
renew-models/retirement-table carries it; it is closed once the base branch has the dates or a stack's pull request
carries them.`,
  options: {
    stack: {
      type: "string",
      valueName: "NAME",
      description:
        "the stack whose check and renewal the reports hold (they must name it); required without --table-only",
    },
    check: {
      type: "string",
      valueName: "FILE",
      description: "`npm run --silent models -- --stack NAME --check --json` output; required without --table-only",
    },
    "table-only": {
      type: "boolean",
      description:
        "propose only the retirement table merged from --retirements, on branch renew-models/retirement-table, when no stack's renewal pull request carries it",
    },
    renew: {
      type: "string",
      valueName: "FILE",
      description: "`npm run --silent models -- --stack NAME --renew --json` output (required when the check fails)",
    },
    retirements: {
      type: "string",
      multiple: true,
      valueName: "FILE",
      description:
        "a lib/model-retirements.json refreshed by this run, once per stack of the run, in stack order: merged in that order (a later file's date wins), so every stack's pull request carries the same table (default: the one --renew refreshed in --project-dir)",
    },
    "plan-markdown": {
      type: "string",
      valueName: "FILE",
      description: "`npm run plan -- --stack NAME --compare BEFORE.json --markdown FILE` after the renewal",
    },
    base: { type: "string", valueName: "BRANCH", default: "main", description: "the branch the pull request targets" },
    "project-dir": {
      type: "string",
      valueName: "DIR",
      description: "where the renewed Pulumi.<NAME>.yaml (and lib/model-retirements.json) are (default: the project)",
    },
  },
  exitCodes: {
    ok: "done (pull request opened, updated, closed, or nothing to do)",
    failed: "failed (including a failing pin with no replacement)",
    refused: "refused by GitHub or by a pull request this command did not open",
  },
  footer:
    "Environment: GITHUB_TOKEN (contents and pull requests: write), GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_STEP_SUMMARY.",
});

function describe(stack: string, action: RenewalAction): string {
  switch (action.kind) {
    case "nothing":
      return `stack ${stack}: pins pass, no renewal pull request open`;
    case "closed":
      return `stack ${stack}: pins pass, closed renewal pull request #${action.number} ${action.url}`;
    default:
      return `stack ${stack}: ${action.kind} renewal pull request #${action.number} ${action.url}${action.committed ? "" : " (files unchanged, body refreshed)"}`;
  }
}

function describeTable(action: RenewalAction, why: string): string {
  switch (action.kind) {
    case "nothing":
      return `retirement table: ${why}, no table pull request open`;
    case "closed":
      return `retirement table: ${why}, closed table pull request #${action.number} ${action.url}`;
    default:
      return `retirement table: ${action.kind} table pull request #${action.number} ${action.url}${action.committed ? "" : " (files unchanged, body refreshed)"}`;
  }
}

/**
 * --table-only: the run's merged table to the base branch, through its own pull request unless the base branch
 * already has it (the table pull request is then closed) or a stack's renewal pull request carries the same text.
 */
async function proposeTable(
  retirements: readonly string[] | undefined,
  base: string,
  environment: NodeJS.ProcessEnv,
): Promise<string> {
  if (!retirements || retirements.length === 0) {
    throw new UsageError(
      "--table-only needs --retirements FILE at least once: pass the lib/model-retirements.json each stack's `models --renew` refreshed in this run",
    );
  }
  const table = mergeTables(retirements);
  const tablePath = retirementTablePath("");
  const runLink = workflowRunLink(environment);
  const github = await repositoryFromEnvironment(environment, "keyless-openai-renewal-pr");
  const learned = tableChanges(rowsOf(await textOn(github, tablePath, base)), table);
  if (learned.length === 0) {
    const why = `${base} already has every retirement date this run learned`;
    const action = await closeRenewal(
      github,
      TABLE_RENEWAL,
      `${why}${runLink ? ` (${runLink})` : ""}: this pull request is no longer needed.`,
    );
    return describeTable(action, why);
  }
  const content = tableText(table);
  for (const renewal of await openStackRenewals(github)) {
    if ((await textOn(github, tablePath, renewal.branch)) !== content) continue;
    const why = `renewal pull request #${renewal.number} (${renewal.branch}) carries the table`;
    const action = await closeRenewal(
      github,
      TABLE_RENEWAL,
      `${renewal.url} carries this table${runLink ? ` since ${runLink}` : ""}: this pull request is no longer needed.`,
    );
    return describeTable(action, why);
  }
  const change = { file: tablePath, lines: learned };
  const body = renderTableBody(change, runLink);
  appendJobSummary(environment, body);
  const action = await proposeRenewal(github, TABLE_RENEWAL, {
    base,
    files: [{ path: tablePath, content }],
    body,
    message: [
      `Learn ${learned.length} retirement date(s) from the live catalogue`,
      "",
      ...learned.map((line) => `${tablePath}: ${line}`),
    ].join("\n"),
  });
  return describeTable(action, "");
}

/** The one commit's message: the renewals on its first line, then a line per file it carries. */
function commitMessage(renew: RenewReport, table: TableChange | undefined): string {
  const renewed = renew.renewals.map((renewal) => `${renewal.deployment} ${renewal.from} -> ${renewal.to}`);
  return [
    `Renew the model pins of stack ${renew.stack}: ${renewed.join(", ")}`,
    "",
    `${renew.file}: the replacement \`npm run models -- --renew\` picked for each failing pin.`,
    ...(table ? [`${table.file}: ${table.lines.length} retirement date(s) learned from the live catalogue.`] : []),
  ].join("\n");
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
      if (values["table-only"]) {
        if (values.stack || values.check || values.renew) {
          throw new UsageError(
            "--table-only takes no --stack, --check or --renew: run it once per run with every stack's --retirements FILE",
          );
        }
        const line = await proposeTable(values.retirements, values.base ?? "main", environment);
        io.out(`${line}\n`);
        appendJobSummary(environment, line);
        return EXIT.ok;
      }
      const stack = values.stack;
      if (!stack) throw new UsageError("--stack NAME is required (or --table-only)");
      if (!values.check) throw new UsageError(`--check FILE is required for --stack ${stack}`);
      const check = readCheckReport(values.check, stack);
      const runLink = workflowRunLink(environment);
      let action: RenewalAction;
      if (check.ok) {
        const github = await repositoryFromEnvironment(environment, "keyless-openai-renewal-pr");
        const reason = `\`npm run models -- --stack ${stack} --check\` passes since ${check.checkedAt}${runLink ? ` (${runLink})` : ""}: this renewal is no longer needed.`;
        action = await closeRenewal(github, stackRenewal(stack), reason);
      } else {
        if (!values.renew) throw new UsageError(`--renew FILE is required: the check of stack ${stack} fails`);
        const renew = readRenewReport(values.renew, stack);
        if (!renew.changed || renew.renewals.length === 0) {
          throw new Error(
            `stack ${stack}: the check fails but --renew found no replacement that fits (${check.pins.flatMap((pin) => pin.reasons).join(" ")}); pin a model by hand with npm run models -- --stack ${stack} --pin`,
          );
        }
        const projectDir = values["project-dir"] ?? PROJECT_ROOT;
        const readRenewed = (path: string) => {
          try {
            return readFileSync(join(projectDir, path), "utf8");
          } catch (error) {
            throw new UsageError(
              `${join(projectDir, path)}: cannot read the file --renew wrote (${describeError(error)}); pass --project-dir where --renew wrote it`,
            );
          }
        };
        const files: ProposedFile[] = [{ path: renew.file, content: readRenewed(renew.file) }];
        const tablePath = renew.retirementTable?.file ?? retirementTablePath("");
        const tables =
          values.retirements ?? (renew.retirementTable ? [join(projectDir, renew.retirementTable.file)] : []);
        const base = values.base ?? "main";
        const github = await repositoryFromEnvironment(environment, "keyless-openai-renewal-pr");
        let learned: string[] = [];
        if (tables.length > 0) {
          const table = mergeTables(tables);
          learned = tableChanges(rowsOf(await textOn(github, tablePath, base)), table);
          if (learned.length > 0) files.push({ path: tablePath, content: tableText(table) });
        }
        const planMarkdown = values["plan-markdown"] ? readFileSync(values["plan-markdown"], "utf8") : undefined;
        const body = renderBody(check, renew, planMarkdown, { file: tablePath, lines: learned });
        appendJobSummary(environment, body);
        action = await proposeRenewal(github, stackRenewal(stack), {
          base,
          files,
          body,
          message: commitMessage(renew, learned.length > 0 ? { file: tablePath, lines: learned } : undefined),
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
