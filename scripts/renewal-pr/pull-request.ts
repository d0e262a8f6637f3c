/**
 * One pull request per fixed branch (a stack's, or the retirement table's), through the REST API (Octokit): when a proposed file differs from
 * what the branch holds, the branch is rebuilt as ONE commit on the base branch's head carrying every file ("Create a
 * tree" with `base_tree` and inline `content`, "Create a commit", then "Update a reference" with `force`, GitHub docs
 * "REST API endpoints for Git trees"), so the branch moves once and never shows half a renewal. The pull request is
 * found by its head branch ("List pull requests" `head=owner:branch`) and updated, or created. Only pull requests
 * whose body starts with the command's marker are updated or closed.
 */
import { RefusedError } from "../core/cli";
import { type GitHubRepository, httpStatus } from "../core/github-repository";
import { type RenewalTarget, STACK_MARKER_PREFIX } from "./render";

/** The label every renewal pull request carries. */
export const RENEWAL_LABEL = "model-renewal";

/** What the command did on GitHub. */
export type RenewalAction =
  | { kind: "opened" | "updated"; number: number; url: string; committed: boolean }
  | { kind: "closed"; number: number; url: string }
  | { kind: "nothing" };

/** A file the renewal changes: its path in the repository (e.g. Pulumi.dev.yaml) and its new text. */
export interface ProposedFile {
  path: string;
  content: string;
}

/** The renewed files to propose, committed together. */
export interface Proposal {
  base: string;
  files: ProposedFile[];
  body: string;
  /** The commit message. */
  message: string;
}

async function branchSha(github: GitHubRepository, branch: string): Promise<string | undefined> {
  try {
    const { data } = await github.octokit.rest.git.getRef({
      owner: github.owner,
      repo: github.repo,
      ref: `heads/${branch}`,
    });
    return data.object.sha;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

/** The text of a file on a branch, or undefined when it is not there. */
export async function textOn(github: GitHubRepository, path: string, branch: string): Promise<string | undefined> {
  try {
    const { data } = await github.octokit.rest.repos.getContent({
      owner: github.owner,
      repo: github.repo,
      path,
      ref: branch,
    });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return undefined;
    return Buffer.from(data.content, "base64").toString("utf8");
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

async function openPullsOn(github: GitHubRepository, branch: string) {
  const { data } = await github.octokit.rest.pulls.list({
    owner: github.owner,
    repo: github.repo,
    state: "open",
    head: `${github.owner}:${branch}`,
    per_page: 100,
  });
  return data;
}

/** An open stack renewal pull request this command opened, for any stack. */
export interface StackRenewal {
  number: number;
  url: string;
  branch: string;
}

/** Every open pull request whose body starts with a stack's marker ("List pull requests", all pages). */
export async function openStackRenewals(github: GitHubRepository): Promise<StackRenewal[]> {
  const open = await github.octokit.paginate(github.octokit.rest.pulls.list, {
    owner: github.owner,
    repo: github.repo,
    state: "open",
    per_page: 100,
  });
  return open
    .filter((pull) => (pull.body ?? "").startsWith(STACK_MARKER_PREFIX))
    .map((pull) => ({ number: pull.number, url: pull.html_url, branch: pull.head.ref }));
}

/** Whether the branch already holds every file with exactly the proposed text. */
async function holdsAll(github: GitHubRepository, branch: string, files: readonly ProposedFile[]): Promise<boolean> {
  for (const file of files) if ((await textOn(github, file.path, branch)) !== file.content) return false;
  return true;
}

const isOurs = (target: RenewalTarget, body: string | null) => (body ?? "").startsWith(target.marker);

/** Opens or updates the target's renewal pull request with `proposal`. */
export async function proposeRenewal(
  github: GitHubRepository,
  target: RenewalTarget,
  proposal: Proposal,
): Promise<RenewalAction> {
  const repository = { owner: github.owner, repo: github.repo };
  const branch = target.branch;
  const open = await openPullsOn(github, branch);
  const foreign = open.find((pull) => !isOurs(target, pull.body));
  if (foreign) {
    throw new RefusedError(
      `branch ${branch} has pull request #${foreign.number} that this command did not open; close it or rename its branch, since ${branch} is reserved for the pull request "${target.title}"`,
    );
  }
  const baseSha = await branchSha(github, proposal.base);
  if (!baseSha) throw new Error(`base branch ${proposal.base} does not exist in ${github.owner}/${github.repo}`);
  const headSha = await branchSha(github, branch);
  const committed = !headSha || !(await holdsAll(github, branch, proposal.files));
  if (committed) {
    const { data: baseCommit } = await github.octokit.rest.git.getCommit({ ...repository, commit_sha: baseSha });
    const { data: tree } = await github.octokit.rest.git.createTree({
      ...repository,
      base_tree: baseCommit.tree.sha,
      tree: proposal.files.map((file) => ({
        path: file.path,
        mode: "100644" as const,
        type: "blob" as const,
        content: file.content,
      })),
    });
    const { data: commit } = await github.octokit.rest.git.createCommit({
      ...repository,
      message: proposal.message,
      tree: tree.sha,
      parents: [baseSha],
    });
    if (headSha)
      await github.octokit.rest.git.updateRef({ ...repository, ref: `heads/${branch}`, sha: commit.sha, force: true });
    else await github.octokit.rest.git.createRef({ ...repository, ref: `refs/heads/${branch}`, sha: commit.sha });
  }
  const title = target.title;
  const ours = open[0];
  if (ours) {
    await github.octokit.rest.pulls.update({ ...repository, pull_number: ours.number, title, body: proposal.body });
    return { kind: "updated", number: ours.number, url: ours.html_url, committed };
  }
  let created: { number: number; html_url: string };
  try {
    ({ data: created } = await github.octokit.rest.pulls.create({
      ...repository,
      head: branch,
      base: proposal.base,
      title,
      body: proposal.body,
    }));
  } catch (error) {
    if (httpStatus(error) === 403 && /not permitted to create or approve pull requests/i.test(String(error))) {
      throw new RefusedError(
        `GitHub refused to open the pull request for branch ${branch}: the repository setting "Allow GitHub Actions to create and approve pull requests" is off; turn it on under Settings > Actions > General (branch ${branch} already holds the change)`,
      );
    }
    throw error;
  }
  await github.octokit.rest.issues.addLabels({ ...repository, issue_number: created.number, labels: [RENEWAL_LABEL] });
  return { kind: "opened", number: created.number, url: created.html_url, committed };
}

/** Closes the target's pull request this command opened (and deletes its branch), nothing else. */
export async function closeRenewal(
  github: GitHubRepository,
  target: RenewalTarget,
  reason: string,
): Promise<RenewalAction> {
  const repository = { owner: github.owner, repo: github.repo };
  const ours = (await openPullsOn(github, target.branch)).find((pull) => isOurs(target, pull.body));
  if (!ours) return { kind: "nothing" };
  await github.octokit.rest.issues.createComment({ ...repository, issue_number: ours.number, body: reason });
  await github.octokit.rest.pulls.update({ ...repository, pull_number: ours.number, state: "closed" });
  await github.octokit.rest.git.deleteRef({ ...repository, ref: `heads/${target.branch}` });
  return { kind: "closed", number: ours.number, url: ours.html_url };
}
