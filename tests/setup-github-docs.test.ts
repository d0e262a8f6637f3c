/**
 * docs/github.md restates which subjects setup-github registers for each answer GitHub gives: every row of its
 * subjects table is served by the GitHub stand-in (with the REST reference's octocat/Hello-World repository) and
 * resolved through the real @octokit/rest, and the claim keys the page lists as accepted are the ones the code accepts.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { githubClient } from "../scripts/setup-github/github";
import { resolveIssuedSubjects } from "../scripts/setup-github/oidc-subject";
import { type GitHubState, githubRoutes, repositoryKeyPair } from "./standins/github";
import { type StandInServer, startStandIn } from "./standins/server";

const PAGE = readFileSync(join(__dirname, "..", "docs", "github.md"), "utf8");
const TOKEN = "ghp_standintoken";

/** The table between the subjects-table markers: [GitHub's answer, subjects] per row. */
function subjectRows(): [string, string[]][] {
  const start = PAGE.indexOf("<!-- subjects-table");
  const end = PAGE.indexOf("<!-- end subjects-table -->");
  assert.ok(start >= 0 && end > start, "docs/github.md has the subjects table markers");
  return PAGE.slice(start, end)
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const [answer = "", subjects = ""] = line.split(" | ").map((cell) => cell.replace(/^\| |\s*\|$/g, ""));
      return [answer.replaceAll("`", ""), subjects.split(", ").map((subject) => subject.replaceAll("`", ""))];
    });
}

const state: GitHubState = {
  owner: "octocat",
  repo: "Hello-World",
  token: TOKEN,
  variables: new Map(),
  secrets: new Map(),
  keyId: "568250167242549743",
  repository: JSON.parse(
    readFileSync(join(__dirname, "fixtures", "github", "repository-octocat-hello-world.json"), "utf8"),
  ) as object,
};
let github: StandInServer;

before(async () => {
  github = await startStandIn({ routes: githubRoutes(state, await repositoryKeyPair()) });
});
after(() => github.close());

async function subjectsFor(answer: object) {
  state.oidcSubject = answer;
  const issued = await resolveIssuedSubjects(await githubClient(TOKEN, github.origin), {
    owner: "octocat",
    name: "Hello-World",
  });
  return { subjects: [...new Set(issued.subjects.map((item) => item.subject))], refusal: issued.refusal };
}

describe("docs/github.md", () => {
  test("each row of the subjects table is what the command registers for that answer", async () => {
    const rows = subjectRows();
    assert.equal(rows.length, 5);
    for (const [answer, subjects] of rows) {
      assert.deepEqual((await subjectsFor(JSON.parse(answer) as object)).subjects, subjects, answer);
    }
  });

  test("the claim keys the page lists are accepted in a template; ref, which it names as refused, is refused", async () => {
    const listed = /can be matched: ((?:`\w+`(?:, )?)+)\./.exec(PAGE.replaceAll("\n  ", " "))?.[1];
    assert.ok(listed, "the page lists the accepted keys");
    const keys = [...listed.matchAll(/`(\w+)`/g)].map((match) => match[1] ?? "");
    assert.equal(keys.length, 7);
    for (const key of keys) {
      const { refusal } = await subjectsFor({ use_default: false, include_claim_keys: [key] });
      assert.equal(refusal, undefined, key);
    }
    const { refusal } = await subjectsFor({ use_default: false, include_claim_keys: ["repo", "ref"] });
    assert.match(refusal ?? "", /includes "ref"/);
  });
});
