/** The renewal pull request: its fixed branch and title per stack, and its body (evidence, then the plan's cost). */
import type { CatalogueEvidence, CheckReport, RenewReport } from "../core/models/check-report";

/** A renewal pull request's fixed branch (a second run updates it, so there is never a second pull request), its
 * title, and the first line of every body the command writes: a pull request without it was not opened by the command. */
export interface RenewalTarget {
  branch: string;
  title: string;
  marker: string;
}

/** How every stack's marker starts, so the table-only run can find the stack renewals of any stack. */
export const STACK_MARKER_PREFIX = "<!-- renewal-pr stack=";

/** One pull request per stack, on branch renew-models/<stack>. */
export function stackRenewal(stack: string): RenewalTarget {
  return {
    branch: `renew-models/${stack}`,
    title: `Renew the model pins of stack ${stack}`,
    marker: `${STACK_MARKER_PREFIX}${stack} -->`,
  };
}

/** The one pull request that carries the retirement dates a run learned when no stack's renewal carries them. */
export const TABLE_RENEWAL: RenewalTarget = {
  branch: "renew-models/retirement-table",
  title: "Learn the retirement dates of Azure OpenAI model versions",
  marker: "<!-- renewal-pr retirement-table -->",
};

/** GitHub refuses bodies over 65536 characters ("body is too long"); the plan is cut to stay well under. */
const PLAN_LIMIT = 50_000;

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function evidenceRow(label: string, evidence: CatalogueEvidence): string {
  return `| ${label} | ${evidence.model} | ${evidence.version} | ${evidence.sku} | ${evidence.lifecycleStatus ?? "—"} | ${evidence.retiresOn ?? "—"} | ${evidence.quotaLeft ?? "—"} |`;
}

/** The retirement table's rows this pull request adds or redates, one line each (retirement-table.ts). */
export interface TableChange {
  file: string;
  lines: string[];
}

function learnedLines(table: TableChange): string[] {
  return [
    `\`${table.file}\`, the table the offline plan warns with, learns from this run's catalogues:`,
    "",
    ...table.lines.map((line) => `- ${cell(line)}`),
  ];
}

/**
 * The body of the table-only pull request: the dates learned, when no stack's renewal pull request carries them
 * (every stack passes, or a failing one found no replacement).
 */
export function renderTableBody(table: TableChange, runLink: string | undefined): string {
  return `${[
    TABLE_RENEWAL.marker,
    `## ${TABLE_RENEWAL.title}`,
    "",
    `No stack's renewal pull request carries the retirement dates this run${runLink ? ` (${runLink})` : ""} learned, so this one does.`,
    "",
    ...learnedLines(table),
    "",
    "Opened by the scheduled model renewal (.github/workflows/renew-models.yml); the next run updates this pull request, and closes it once the base branch has these dates or a stack's renewal pull request carries them.",
  ].join("\n")}\n`;
}

/**
 * The body: what failed and why, what replaces it, the catalogue evidence, the retirement dates the table learns, and
 * what the plan changes.
 */
export function renderBody(check: CheckReport, renew: RenewReport, planMarkdown?: string, table?: TableChange): string {
  const target = stackRenewal(check.stack);
  const lines = [
    target.marker,
    `## ${target.title}`,
    "",
    `\`npm run models -- --stack ${check.stack} --check --within ${check.withinDays}\` failed on ${check.checkedAt} ` +
      `(catalogue of ${check.location}). \`--renew\` rewrote \`${renew.file}\` for the failing pins only.`,
    "",
    "| deployment | pinned today | why it fails | renewed to | Pulumi will |",
    "|---|---|---|---|---|",
  ];
  const failing = check.pins.filter((pin) => !pin.ok);
  for (const pin of failing) {
    const renewal = renew.renewals.find((candidate) => candidate.deployment === pin.deployment);
    lines.push(
      `| ${pin.deployment} | \`${pin.pinned}\` | ${pin.problems.join(", ")} | ${renewal ? `\`${renewal.to}\`` : "no replacement fits: pin one by hand"} | ${renewal?.effect ?? "—"} |`,
    );
  }
  lines.push(
    "",
    "### Catalogue evidence",
    "",
    "| | model | version | SKU | lifecycle | retires on | quota left (K TPM) |",
    "|---|---|---|---|---|---|---|",
  );
  for (const pin of failing) {
    lines.push(evidenceRow(`${pin.deployment} today`, pin.current));
    if (pin.replacement) lines.push(evidenceRow(`${pin.deployment} renewed`, pin.replacement));
  }
  lines.push("");
  for (const pin of failing) for (const reason of pin.reasons) lines.push(`- ${pin.deployment}: ${cell(reason)}`);
  if (table && table.lines.length > 0) lines.push("", "### Retirement dates", "", ...learnedLines(table));
  lines.push("", "### What the plan changes", "");
  const changes = renew.renewals.flatMap((renewal) => renewal.planChanges.map((change) => `- ${cell(change)}`));
  lines.push(...(changes.length > 0 ? changes : ["- the offline plan shows no change"]));
  if (renew.renewals.some((renewal) => renewal.effect === "replace")) {
    lines.push(
      "",
      "**A deployment is replaced**: it is deleted and created again, and calls fail while it is recreated.",
    );
  }
  if (planMarkdown?.trim()) {
    const plan =
      planMarkdown.length > PLAN_LIMIT
        ? `${planMarkdown.slice(0, PLAN_LIMIT)}\n\n_(cut: the whole plan is in the workflow run's artifact)_`
        : planMarkdown;
    lines.push(
      "",
      "<details><summary>Offline plan and its compare with the current pins</summary>",
      "",
      plan.trimEnd(),
      "",
      "</details>",
    );
  }
  lines.push(
    "",
    "Opened by the scheduled model renewal (.github/workflows/renew-models.yml); the next run updates this pull request.",
  );
  return `${lines.join("\n")}\n`;
}
