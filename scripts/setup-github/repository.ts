/** Which GitHub repository the pipeline runs in: `--repo owner/name`, else the `origin` remote of the checkout. */
import { spawnSync } from "node:child_process";
import { UsageError } from "../core/cli";

export interface Repository {
  owner: string;
  name: string;
}

/** GitHub owner and repository names: letters, digits, `-`, `_`, `.` (GitHub's naming rules for both). */
const NAME = /^[A-Za-z0-9_.-]+$/;

/** `owner/name` from `--repo`, or from a remote URL (https://github.com/o/r.git, git@github.com:o/r.git, ssh://...). */
export function parseRepository(text: string): Repository | undefined {
  const trimmed = text
    .trim()
    .replace(/\.git$/, "")
    .replace(/\/$/, "");
  const match =
    /^(?:https?:\/\/[^/]+\/|ssh:\/\/git@[^/]+\/|git@[^:]+:)?([^/:\s]+)\/([^/:\s]+)$/.exec(trimmed) ?? undefined;
  const [, owner, name] = match ?? [];
  if (!owner || !name || !NAME.test(owner) || !NAME.test(name)) return undefined;
  return { owner, name };
}

/** The repository named by `--repo`, or by `git remote get-url origin` in `directory`. @throws UsageError */
export function resolveRepository(flag: string | undefined, directory: string): Repository {
  if (flag !== undefined) {
    const parsed = parseRepository(flag);
    if (!parsed) throw new UsageError(`--repo ${JSON.stringify(flag)}: expected owner/name`);
    return parsed;
  }
  const remote = spawnSync("git", ["remote", "get-url", "origin"], { cwd: directory, encoding: "utf8" });
  if (remote.status !== 0) {
    throw new UsageError(
      `no --repo given and \`git remote get-url origin\` failed (${(remote.stderr || String(remote.error)).trim()}): pass --repo owner/name`,
    );
  }
  const parsed = parseRepository(remote.stdout);
  if (!parsed)
    throw new UsageError(`origin is ${remote.stdout.trim()}, not a GitHub repository URL: pass --repo owner/name`);
  return parsed;
}
