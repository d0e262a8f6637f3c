/**
 * One GitHub issue per stack, found by its fixed label and title (REST "List repository issues" with `labels` and
 * `state=open`; that list also returns pull requests, which carry a `pull_request` key and are skipped):
 * a failing run opens it, a later failing run comments and refreshes its body, a clean run comments and closes it
 * (`state: closed`, `state_reason: completed`). The label is created on first use by "Create an issue" itself.
 */
import type { GitHubRepository } from "../core/github-repository";
import { DRIFT_LABEL, type DriftReport, isClean, issueTitle, renderReport } from "./render";

/** What the reporter did on GitHub. */
export type IssueAction =
  | { kind: "opened" | "commented" | "closed"; number: number; url: string }
  | { kind: "nothing" };

async function findOpenIssue(github: GitHubRepository, stack: string) {
  const title = issueTitle(stack);
  const issues = await github.octokit.paginate(github.octokit.rest.issues.listForRepo, {
    owner: github.owner,
    repo: github.repo,
    labels: DRIFT_LABEL,
    state: "open",
    per_page: 100,
  });
  return issues.find((issue) => issue.pull_request === undefined && issue.title === title);
}

/** Opens, comments on, or closes the stack's issue so that it says what this run found. */
export async function syncIssue(github: GitHubRepository, report: DriftReport): Promise<IssueAction> {
  const repository = { owner: github.owner, repo: github.repo };
  const body = renderReport(report);
  const open = await findOpenIssue(github, report.stack);
  if (isClean(report)) {
    if (!open) return { kind: "nothing" };
    await github.octokit.rest.issues.createComment({ ...repository, issue_number: open.number, body });
    await github.octokit.rest.issues.update({
      ...repository,
      issue_number: open.number,
      state: "closed",
      state_reason: "completed",
    });
    return { kind: "closed", number: open.number, url: open.html_url };
  }
  if (open) {
    await github.octokit.rest.issues.createComment({
      ...repository,
      issue_number: open.number,
      body: `Still failing.\n\n${body}`,
    });
    await github.octokit.rest.issues.update({ ...repository, issue_number: open.number, body });
    return { kind: "commented", number: open.number, url: open.html_url };
  }
  const created = await github.octokit.rest.issues.create({
    ...repository,
    title: issueTitle(report.stack),
    body,
    labels: [DRIFT_LABEL],
  });
  return { kind: "opened", number: created.data.number, url: created.data.html_url };
}
