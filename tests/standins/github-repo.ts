/**
 * Stand-in GitHub REST API for one repository's issues, pull requests, branches and files, as @octokit/rest calls
 * it. Bodies follow the example responses of GitHub's REST reference (github/rest-api-description, api.github.com
 * examples `issue`, `issue-comment`, `pull-request`, `git-ref`, `content-file`, `git-commit`, `git-tree`): an issue
 * and a pull request share one number space, and the issue list returns pull requests too, marked by a `pull_request`
 * key ("List repository issues": "GitHub's REST API considers every pull request an issue"). Commits are written as
 * the Git database endpoints take them ("Create a tree" with `base_tree` and inline `content`, "Create a commit",
 * "Update a reference"), which change a branch only when its ref moves. Errors are GitHub's: 404 `{message: "Not
 * Found"}`, 422 "Reference already exists", 422 "Update is not a fast forward" when a ref moves sideways without
 * `force`, and the 403 that a repository with "Allow GitHub Actions to create and approve pull requests" turned off
 * answers to "Create a pull request" (message quoted in peter-evans/create-pull-request#1175 and #3979).
 * Failures are injected by attempt count (`failures`), never by time.
 */
import { createHash } from "node:crypto";
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";

/** An issue or a pull request (then `pull` is set). */
export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  stateReason: string | null;
  labels: string[];
  /** Who opened it (the token's login, or another user seeded by a test). */
  author: string;
  pull?: { head: string; base: string };
  comments: string[];
}

export interface StoredCommit {
  files: Map<string, string>;
  message: string;
  parent?: string;
}

/** A server error to answer, `remaining` times, to requests that match. */
export interface InjectedFailure {
  method: string;
  path: RegExp;
  status: number;
  remaining: number;
}

export interface GitHubRepoState {
  owner: string;
  repo: string;
  token: string;
  /** The login GitHub Actions' token acts as. */
  login: string;
  issues: StoredIssue[];
  /** Branch name → commit SHA. */
  branches: Map<string, string>;
  commits: Map<string, StoredCommit>;
  /** Tree SHA → the files it holds (every commit's tree, and those "Create a tree" made). */
  trees: Map<string, Map<string, string>>;
  /** The repository setting "Allow GitHub Actions to create and approve pull requests". */
  actionsMayCreatePullRequests: boolean;
  failures: InjectedFailure[];
}

const STAMP = "2026-12-03T02:17:00Z";

/** Git's blob id: SHA-1 of `blob <size>\0<content>`. */
export function blobSha(content: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(content)}\0${content}`)
    .digest("hex");
}

function treeSha(files: Map<string, string>): string {
  const entries = [...files.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, content]) => `${path}:${blobSha(content)}`);
  return createHash("sha1")
    .update(`tree\n${entries.join("\n")}`)
    .digest("hex");
}

function commitSha(commit: StoredCommit): string {
  return createHash("sha1")
    .update(`${commit.parent ?? ""}\n${commit.message}\n${treeSha(commit.files)}`)
    .digest("hex");
}

/** Stores `commit` (and its tree) and returns its SHA; no branch moves. */
function storeCommit(state: GitHubRepoState, commit: StoredCommit): string {
  const sha = commitSha(commit);
  state.commits.set(sha, commit);
  state.trees.set(treeSha(commit.files), commit.files);
  return sha;
}

/** A repository with `main` holding `files`. */
export function newRepository(
  files: Record<string, string>,
  owner = "contoso",
  repo = "keyless-openai",
): GitHubRepoState {
  const state: GitHubRepoState = {
    owner,
    repo,
    token: "ghs_standInInstallationToken",
    login: "github-actions[bot]",
    issues: [],
    branches: new Map(),
    commits: new Map(),
    trees: new Map(),
    actionsMayCreatePullRequests: true,
    failures: [],
  };
  state.branches.set("main", storeCommit(state, { files: new Map(Object.entries(files)), message: "Initial commit" }));
  return state;
}

/** Commits `files` on top of `branch` (a human's push in a test). */
export function pushCommit(state: GitHubRepoState, branch: string, files: Record<string, string>, message: string) {
  const parent = state.branches.get(branch);
  const base = parent ? (state.commits.get(parent)?.files ?? new Map<string, string>()) : new Map<string, string>();
  const commit: StoredCommit = {
    files: new Map([...base, ...Object.entries(files)]),
    message,
    ...(parent ? { parent } : {}),
  };
  const sha = storeCommit(state, commit);
  state.branches.set(branch, sha);
  return sha;
}

/** Whether `ancestor` is `sha` or one of its parents (a ref may move there without `force`). */
function descendsFrom(state: GitHubRepoState, sha: string, ancestor: string): boolean {
  for (let current: string | undefined = sha; current; current = state.commits.get(current)?.parent)
    if (current === ancestor) return true;
  return false;
}

/** The files of a branch's head commit. */
export function filesOn(state: GitHubRepoState, branch: string): Map<string, string> | undefined {
  const sha = state.branches.get(branch);
  return sha ? state.commits.get(sha)?.files : undefined;
}

const NOT_FOUND: StandInResponse = json(404, {
  message: "Not Found",
  documentation_url: "https://docs.github.com/rest",
  status: "404",
});

export function githubRepoRoutes(state: GitHubRepoState): Route[] {
  const base = `/repos/${state.owner}/${state.repo}`;
  const api = "https://api.github.com";
  const web = "https://github.com";
  const user = (login: string) => ({
    login,
    id: login === state.login ? 41898282 : 1,
    node_id: login === state.login ? "MDM6Qm90NDE4OTgyODI=" : "MDQ6VXNlcjE=",
    avatar_url: "https://github.com/images/error/octocat_happy.gif",
    url: `${api}/users/${login}`,
    html_url: `${web}/${login}`,
    type: login.endsWith("[bot]") ? "Bot" : "User",
    site_admin: false,
  });
  const label = (name: string) => ({
    id: 208045946,
    node_id: "MDU6TGFiZWwyMDgwNDU5NDY=",
    url: `${api}${base}/labels/${encodeURIComponent(name)}`,
    name,
    description: null,
    color: "ededed",
    default: false,
  });
  const issueJson = (issue: StoredIssue) => ({
    id: 1_000_000 + issue.number,
    node_id: "MDU6SXNzdWUx",
    url: `${api}${base}/issues/${issue.number}`,
    repository_url: `${api}${base}`,
    labels_url: `${api}${base}/issues/${issue.number}/labels{/name}`,
    comments_url: `${api}${base}/issues/${issue.number}/comments`,
    events_url: `${api}${base}/issues/${issue.number}/events`,
    html_url: `${web}/${state.owner}/${state.repo}/${issue.pull ? "pull" : "issues"}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: user(issue.author),
    labels: issue.labels.map(label),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: issue.comments.length,
    closed_at: issue.state === "closed" ? STAMP : null,
    created_at: STAMP,
    updated_at: STAMP,
    closed_by: issue.state === "closed" ? user(state.login) : null,
    author_association: "NONE",
    ...(issue.pull
      ? {
          pull_request: {
            url: `${api}${base}/pulls/${issue.number}`,
            html_url: `${web}/${state.owner}/${state.repo}/pull/${issue.number}`,
            diff_url: `${web}/${state.owner}/${state.repo}/pull/${issue.number}.diff`,
            patch_url: `${web}/${state.owner}/${state.repo}/pull/${issue.number}.patch`,
          },
        }
      : {}),
  });
  const pullJson = (issue: StoredIssue) => {
    const pull = issue.pull ?? { head: "", base: "" };
    const ref = (branch: string) => ({
      label: `${state.owner}:${branch}`,
      ref: branch,
      sha: state.branches.get(branch) ?? "0000000000000000000000000000000000000000",
      user: user(state.owner),
      repo: { id: 1296269, name: state.repo, full_name: `${state.owner}/${state.repo}`, private: false },
    });
    return {
      url: `${api}${base}/pulls/${issue.number}`,
      id: 2_000_000 + issue.number,
      node_id: "MDExOlB1bGxSZXF1ZXN0MQ==",
      html_url: `${web}/${state.owner}/${state.repo}/pull/${issue.number}`,
      diff_url: `${web}/${state.owner}/${state.repo}/pull/${issue.number}.diff`,
      issue_url: `${api}${base}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      locked: false,
      title: issue.title,
      user: user(issue.author),
      body: issue.body,
      labels: issue.labels.map(label),
      milestone: null,
      created_at: STAMP,
      updated_at: STAMP,
      closed_at: issue.state === "closed" ? STAMP : null,
      merged_at: null,
      merge_commit_sha: null,
      head: ref(pull.head),
      base: ref(pull.base),
      author_association: "NONE",
      draft: false,
    };
  };
  const body = (request: RecordedRequest) => JSON.parse(request.body || "{}") as Record<string, unknown>;
  const find = (number: string | undefined) => state.issues.find((issue) => issue.number === Number(number));
  const authorized = (request: RecordedRequest): StandInResponse | undefined => {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? "");
    if (match?.[1] === state.token) return undefined;
    return json(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
  };
  const injected = (request: RecordedRequest): StandInResponse | undefined => {
    const failure = state.failures.find(
      (candidate) =>
        candidate.remaining > 0 && candidate.method === request.method && candidate.path.test(request.url.pathname),
    );
    if (!failure) return undefined;
    failure.remaining -= 1;
    return json(failure.status, { message: "Server Error" });
  };
  const route = (method: string, path: string, handle: Route["handle"]): Route => ({
    method,
    path: new RegExp(`^${base}${path}$`),
    handle: (request, match) => authorized(request) ?? injected(request) ?? handle(request, match),
  });
  const decoded = (match: RegExpExecArray) => decodeURIComponent(match[1] ?? "");
  /** Octokit sends `{ref}` URL-encoded (`heads%2Fmain`); GitHub reads both forms. */
  const branchOf = (match: RegExpExecArray) => decoded(match).replace(/^heads\//, "");
  const refJson = (branch: string) => {
    const sha = state.branches.get(branch) ?? "";
    return {
      ref: `refs/heads/${branch}`,
      node_id: "MDM6UmVmcmVmcy9oZWFkcy9mZWF0dXJlQQ==",
      url: `${api}${base}/git/refs/heads/${branch}`,
      object: { type: "commit", sha, url: `${api}${base}/git/commits/${sha}` },
    };
  };
  /** The `git-commit` example's shape ("Get a commit object", "Create a commit"). */
  const commitJson = (sha: string, commit: StoredCommit) => {
    const signature = {
      date: STAMP,
      name: "github-actions[bot]",
      email: "41898282+github-actions[bot]@users.noreply.github.com",
    };
    const tree = treeSha(commit.files);
    return {
      sha,
      node_id: "MDY6Q29tbWl0NzYzODQxN2RiNmQ1OWYzYzQzMWQzZTFmMjYxY2M2MzcxNTU2ODRjZA==",
      url: `${api}${base}/git/commits/${sha}`,
      html_url: `${web}/${state.owner}/${state.repo}/commit/${sha}`,
      author: signature,
      committer: signature,
      message: commit.message,
      tree: { url: `${api}${base}/git/trees/${tree}`, sha: tree },
      parents: commit.parent
        ? [
            {
              url: `${api}${base}/git/commits/${commit.parent}`,
              sha: commit.parent,
              html_url: `${web}/${state.owner}/${state.repo}/commit/${commit.parent}`,
            },
          ]
        : [],
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    };
  };
  /** The `git-tree` example's shape: the top level only, a folder as a `tree` entry. */
  const treeJson = (sha: string, files: Map<string, string>) => {
    const folders = new Map<string, Map<string, string>>();
    const entries: Record<string, unknown>[] = [];
    for (const [path, content] of files) {
      const [top, ...rest] = path.split("/");
      if (rest.length > 0 && top) {
        const folder = folders.get(top) ?? new Map<string, string>();
        folder.set(rest.join("/"), content);
        folders.set(top, folder);
      } else {
        const blob = blobSha(content);
        entries.push({
          path,
          mode: "100644",
          type: "blob",
          size: Buffer.byteLength(content),
          sha: blob,
          url: `${api}${base}/git/blobs/${blob}`,
        });
      }
    }
    for (const [path, folder] of folders) {
      const subtree = treeSha(folder);
      entries.push({ path, mode: "040000", type: "tree", sha: subtree, url: `${api}${base}/git/trees/${subtree}` });
    }
    return { sha, url: `${api}${base}/git/trees/${sha}`, tree: entries, truncated: false };
  };
  const nextNumber = () => state.issues.reduce((highest, issue) => Math.max(highest, issue.number), 0) + 1;

  return [
    route("GET", "/issues", (request) => {
      const wanted = request.url.searchParams.get("state") ?? "open";
      const labels = (request.url.searchParams.get("labels") ?? "").split(",").filter((name) => name !== "");
      const matching = state.issues.filter(
        (issue) => (wanted === "all" || issue.state === wanted) && labels.every((name) => issue.labels.includes(name)),
      );
      return json(200, matching.map(issueJson));
    }),
    route("POST", "/issues", (request) => {
      const { title, body: text, labels } = body(request);
      if (typeof title !== "string") return json(422, { message: "Validation Failed" });
      const issue: StoredIssue = {
        number: nextNumber(),
        title,
        body: typeof text === "string" ? text : "",
        state: "open",
        stateReason: null,
        labels: Array.isArray(labels) ? labels.map(String) : [],
        author: state.login,
        comments: [],
      };
      state.issues.push(issue);
      return json(201, issueJson(issue));
    }),
    route("PATCH", "/issues/(\\d+)", (request, match) => {
      const issue = find(match[1]);
      if (!issue) return NOT_FOUND;
      const update = body(request);
      if (typeof update.body === "string") issue.body = update.body;
      if (typeof update.title === "string") issue.title = update.title;
      if (update.state === "open" || update.state === "closed") {
        issue.state = update.state;
        issue.stateReason = update.state === "closed" ? String(update.state_reason ?? "completed") : "reopened";
      }
      return json(200, issueJson(issue));
    }),
    route("POST", "/issues/(\\d+)/comments", (request, match) => {
      const issue = find(match[1]);
      if (!issue) return NOT_FOUND;
      const text = String(body(request).body ?? "");
      issue.comments.push(text);
      return json(201, {
        id: 3_000_000 + issue.comments.length,
        node_id: "MDEyOklzc3VlQ29tbWVudDE=",
        url: `${api}${base}/issues/comments/${3_000_000 + issue.comments.length}`,
        html_url: `${web}/${state.owner}/${state.repo}/issues/${issue.number}#issuecomment-1`,
        body: text,
        user: user(state.login),
        created_at: STAMP,
        updated_at: STAMP,
        issue_url: `${api}${base}/issues/${issue.number}`,
        author_association: "NONE",
      });
    }),
    route("POST", "/issues/(\\d+)/labels", (request, match) => {
      const issue = find(match[1]);
      if (!issue) return NOT_FOUND;
      const { labels } = body(request);
      for (const name of Array.isArray(labels) ? labels.map(String) : []) {
        if (!issue.labels.includes(name)) issue.labels.push(name);
      }
      return json(200, issue.labels.map(label));
    }),
    route("GET", "/git/ref/(.+)", (_request, match) =>
      state.branches.has(branchOf(match)) ? json(200, refJson(branchOf(match))) : NOT_FOUND,
    ),
    route("POST", "/git/refs", (request) => {
      const { ref, sha } = body(request);
      const branch = typeof ref === "string" ? ref.replace(/^refs\/heads\//, "") : "";
      if (typeof sha !== "string" || !state.commits.has(sha)) return json(422, { message: "Object does not exist" });
      if (state.branches.has(branch)) return json(422, { message: "Reference already exists" });
      state.branches.set(branch, sha);
      return json(201, refJson(branch));
    }),
    route("PATCH", "/git/refs/(.+)", (request, match) => {
      const branch = branchOf(match);
      const { sha, force } = body(request);
      const current = state.branches.get(branch);
      if (current === undefined) return json(422, { message: "Reference does not exist" });
      if (typeof sha !== "string" || !state.commits.has(sha)) return json(422, { message: "Object does not exist" });
      if (force !== true && !descendsFrom(state, sha, current))
        return json(422, { message: "Update is not a fast forward" });
      state.branches.set(branch, sha);
      return json(200, refJson(branch));
    }),
    route("GET", "/git/commits/([0-9a-f]{40})", (_request, match) => {
      const commit = state.commits.get(match[1] ?? "");
      return commit ? json(200, commitJson(match[1] ?? "", commit)) : NOT_FOUND;
    }),
    route("POST", "/git/trees", (request) => {
      const { base_tree: baseTree, tree } = body(request);
      const files = new Map(typeof baseTree === "string" ? state.trees.get(baseTree) : []);
      if (typeof baseTree === "string" && !state.trees.has(baseTree))
        return json(422, { message: `base_tree ${baseTree} is not a tree in this stand-in` });
      if (!Array.isArray(tree)) return json(422, { message: "Validation Failed" });
      for (const entry of tree as Record<string, unknown>[]) {
        if (typeof entry.path !== "string" || entry.mode !== "100644" || entry.type !== "blob")
          return json(422, { message: "Validation Failed" });
        if (typeof entry.content !== "string")
          return json(422, { message: "this stand-in takes tree entries with inline content only" });
        files.set(entry.path, entry.content);
      }
      const sha = treeSha(files);
      state.trees.set(sha, files);
      return json(201, treeJson(sha, files));
    }),
    route("POST", "/git/commits", (request) => {
      const { message, tree, parents } = body(request);
      const files = typeof tree === "string" ? state.trees.get(tree) : undefined;
      const parentList = Array.isArray(parents) ? parents.map(String) : [];
      if (typeof message !== "string" || !files || parentList.some((parent) => !state.commits.has(parent)))
        return json(422, { message: "Validation Failed" });
      const [parent] = parentList;
      const commit: StoredCommit = { files, message, ...(parent ? { parent } : {}) };
      const sha = storeCommit(state, commit);
      return json(201, commitJson(sha, commit));
    }),
    route("DELETE", "/git/refs/(.+)", (_request, match) => {
      if (!state.branches.delete(branchOf(match))) return json(422, { message: "Reference does not exist" });
      return { status: 204 };
    }),
    route("GET", "/contents/(.+)", (request, match) => {
      const path = decoded(match);
      const branch = request.url.searchParams.get("ref") ?? "main";
      const content = filesOn(state, branch)?.get(path);
      if (content === undefined) return NOT_FOUND;
      const sha = blobSha(content);
      return json(200, {
        type: "file",
        encoding: "base64",
        size: Buffer.byteLength(content),
        name: path.split("/").at(-1),
        path,
        content: Buffer.from(content).toString("base64"),
        sha,
        url: `${api}${base}/contents/${path}?ref=${branch}`,
        git_url: `${api}${base}/git/blobs/${sha}`,
        html_url: `${web}/${state.owner}/${state.repo}/blob/${branch}/${path}`,
        download_url: `https://raw.githubusercontent.com/${state.owner}/${state.repo}/${branch}/${path}`,
        _links: {
          git: `${api}${base}/git/blobs/${sha}`,
          self: `${api}${base}/contents/${path}?ref=${branch}`,
          html: `${web}/${state.owner}/${state.repo}/blob/${branch}/${path}`,
        },
      });
    }),
    route("GET", "/pulls", (request) => {
      const wanted = request.url.searchParams.get("state") ?? "open";
      const head = request.url.searchParams.get("head");
      const baseBranch = request.url.searchParams.get("base");
      const matching = state.issues.filter(
        (issue) =>
          issue.pull !== undefined &&
          (wanted === "all" || issue.state === wanted) &&
          (head === null || `${state.owner}:${issue.pull.head}` === head) &&
          (baseBranch === null || issue.pull.base === baseBranch),
      );
      return json(200, matching.map(pullJson));
    }),
    route("POST", "/pulls", (request) => {
      if (!state.actionsMayCreatePullRequests) {
        return json(403, {
          message: "GitHub Actions is not permitted to create or approve pull requests.",
          documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
          status: "403",
        });
      }
      const { title, body: text, head, base: baseBranch } = body(request);
      const headBranch = String(head ?? "").replace(`${state.owner}:`, "");
      if (!state.branches.has(headBranch)) {
        return json(422, {
          message: "Validation Failed",
          errors: [{ resource: "PullRequest", field: "head", code: "invalid" }],
        });
      }
      const duplicate = state.issues.find((issue) => issue.state === "open" && issue.pull?.head === headBranch);
      if (duplicate) {
        return json(422, {
          message: "Validation Failed",
          errors: [
            {
              resource: "PullRequest",
              code: "custom",
              message: `A pull request already exists for ${state.owner}:${headBranch}.`,
            },
          ],
        });
      }
      const issue: StoredIssue = {
        number: nextNumber(),
        title: String(title ?? ""),
        body: typeof text === "string" ? text : "",
        state: "open",
        stateReason: null,
        labels: [],
        author: state.login,
        pull: { head: headBranch, base: String(baseBranch ?? "main") },
        comments: [],
      };
      state.issues.push(issue);
      return json(201, pullJson(issue));
    }),
    route("PATCH", "/pulls/(\\d+)", (request, match) => {
      const issue = find(match[1]);
      if (!issue?.pull) return NOT_FOUND;
      const update = body(request);
      if (typeof update.body === "string") issue.body = update.body;
      if (typeof update.title === "string") issue.title = update.title;
      if (update.state === "open" || update.state === "closed") issue.state = update.state;
      return json(200, pullJson(issue));
    }),
  ];
}
