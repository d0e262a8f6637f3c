/**
 * What the scheduled workflows' reporters share about GitHub: the repository they run in and an Octokit client for
 * it, from the variables GitHub Actions sets on every runner (GitHub docs "Store information in variables", default
 * environment variables: GITHUB_REPOSITORY `owner/repo`, GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID,
 * GITHUB_STEP_SUMMARY), and the job summary they write before talking to GitHub.
 */
import { appendFileSync } from "node:fs";
import { UsageError } from "./cli";

export type Octokit = InstanceType<typeof import("@octokit/rest", { with: { "resolution-mode": "import" }})["Octokit"]>;

/** The repository a reporter writes to, and the client that writes. */
export interface GitHubRepository {
  owner: string;
  repo: string;
  octokit: Octokit;
}

/**
 * The repository named by GITHUB_REPOSITORY, signed in with GITHUB_TOKEN (the workflow passes `github.token`), at
 * GITHUB_API_URL (GitHub Enterprise, and the stand-in in tests) or api.github.com.
 */
export async function repositoryFromEnvironment(
  environment: NodeJS.ProcessEnv,
  userAgent: string,
): Promise<GitHubRepository> {
  const token = environment.GITHUB_TOKEN;
  if (!token) {
    throw new UsageError(
      "GITHUB_TOKEN is not set: give the step the workflow token as GITHUB_TOKEN (env, from github.token) or a token that may write issues and pull requests",
    );
  }
  const named = environment.GITHUB_REPOSITORY ?? "";
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(named);
  if (!match?.[1] || !match[2]) {
    throw new UsageError(
      `GITHUB_REPOSITORY "${named}" is not owner/repo: run in GitHub Actions, or set it to the repository to write to`,
    );
  }
  const { Octokit } = await import("@octokit/rest");
  const baseUrl = environment.GITHUB_API_URL;
  return {
    owner: match[1],
    repo: match[2],
    octokit: new Octokit({ auth: token, userAgent, ...(baseUrl ? { baseUrl } : {}) }),
  };
}

/** The link to this workflow run, when running in GitHub Actions. */
export function workflowRunLink(environment: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = environment;
  if (!GITHUB_SERVER_URL || !GITHUB_REPOSITORY || !GITHUB_RUN_ID) return undefined;
  return `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`;
}

/** Appends markdown to the job summary (GITHUB_STEP_SUMMARY); outside GitHub Actions there is none. */
export function appendJobSummary(environment: NodeJS.ProcessEnv, markdown: string): void {
  const file = environment.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, `${markdown.trimEnd()}\n\n`);
}

/** The HTTP status of an Octokit RequestError, if the error is one. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("status" in error)) return undefined;
  const status = Number(error.status);
  return Number.isInteger(status) ? status : undefined;
}
