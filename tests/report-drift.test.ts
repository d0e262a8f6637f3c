/**
 * `npm run report-drift` against the GitHub stand-in (tests/standins/github-repo.ts) through the real @octokit/rest:
 * the first failing run opens one issue per stack, the next comments, a clean run closes it, two stacks never share
 * an issue, and a GitHub 5xx leaves the report in the job summary. Inputs are a preview digest in the CLI's JSON
 * shape (tests/fixtures/drift/README.md) and the smoke command's own output (its table and JSON line).
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { diagnosisFor } from "../lib/diagnosis";
import { main } from "../scripts/report-drift";
import { summaryTable } from "../scripts/smoke/report";
import type { TargetResult } from "../scripts/smoke/wait";
import { type GitHubRepoState, githubRepoRoutes, newRepository } from "./standins/github-repo";
import { type StandInServer, startStandIn } from "./standins/server";
import { scratchDirectory } from "./support/scratch";

const FIXTURES = join(__dirname, "fixtures", "drift");

/** What `npm run --silent smoke -- --json` prints (scripts/smoke.ts): a blank line, the table, the JSON line. */
function smokeOutput(results: TargetResult[]): string {
  return `\n${summaryTable(results)}\n${JSON.stringify({ results })}\n`;
}

const PASSED: TargetResult[] = [
  {
    target: "local",
    identity: "github-actions (OIDC)",
    outcome: "passed",
    status: 200,
    diagnosis: diagnosisFor("ok"),
    attempts: 1,
    elapsedMs: 900,
    reply: "OK",
  },
  {
    target: "vm",
    identity: "vm-keyless-dev (system-assigned)",
    outcome: "passed",
    status: 200,
    diagnosis: diagnosisFor("ok"),
    attempts: 1,
    elapsedMs: 31_000,
    reply: "OK",
  },
];
const VM_DENIED: TargetResult[] = [
  PASSED[0] as TargetResult,
  {
    target: "vm",
    identity: "vm-keyless-dev (system-assigned)",
    outcome: "failed",
    status: 401,
    diagnosis: diagnosisFor("role_not_effective"),
    attempts: 42,
    elapsedMs: 900_000,
    note: "deadline reached",
  },
];

interface Run {
  code: number;
  out: string;
  err: string;
  summary: string;
}

let server: StandInServer;
let state: GitHubRepoState;
let work: string;

before(async () => {
  state = newRepository({});
  server = await startStandIn({ routes: githubRepoRoutes(state) });
});
after(() => server.close());
beforeEach(() => {
  state.issues.length = 0;
  state.failures.length = 0;
  work = scratchDirectory("report-drift-");
});

async function report(stack: string, preview: string, smoke: TargetResult[] | string): Promise<Run> {
  const previewFile = join(work, `${stack}-preview.json`);
  const smokeFile = join(work, `${stack}-smoke.txt`);
  const summaryFile = join(work, "summary.md");
  writeFileSync(previewFile, preview.endsWith(".json") ? readFileSync(join(FIXTURES, preview), "utf8") : preview);
  writeFileSync(smokeFile, typeof smoke === "string" ? smoke : smokeOutput(smoke));
  writeFileSync(summaryFile, "");
  let out = "";
  let err = "";
  const code = await main(
    ["--stack", stack, "--preview", previewFile, "--smoke", smokeFile],
    {
      GITHUB_TOKEN: state.token,
      GITHUB_REPOSITORY: `${state.owner}/${state.repo}`,
      GITHUB_API_URL: server.origin,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: "12345678901",
      GITHUB_STEP_SUMMARY: summaryFile,
    },
    { out: (text) => (out += text), err: (text) => (err += text) },
  );
  const summary = readFileSync(summaryFile, "utf8");
  rmSync(summaryFile);
  return { code, out, err, summary };
}

describe("report-drift", () => {
  test("first failure opens the issue, the second comments, a clean run closes it", async () => {
    const first = await report("dev", "preview-drift.json", VM_DENIED);
    assert.equal(first.code, 1, first.err);
    assert.equal(state.issues.length, 1);
    const issue = state.issues[0];
    assert.ok(issue);
    assert.equal(issue.title, "Drift or access failure: stack dev");
    assert.deepEqual(issue.labels, ["stack-drift"]);
    assert.match(first.out, /^stack dev: opened issue #1 https:\/\/github\.com\/contoso\/keyless-openai\/issues\/1$/m);
    // The changed resources with their properties, and the smoke diagnosis with its advice.
    assert.match(
      issue.body,
      /\| openai \| `azure-native:cognitiveservices:Account` \| update \| `properties\.disableLocalAuth \(update\)`, `properties\.publicNetworkAccess \(update\)` \|/,
    );
    assert.match(issue.body, /\| vm-openai-user \| `azure-native:authorization:RoleAssignment` \| create \| — \|/);
    assert.match(
      issue.body,
      /\| vm \| vm-keyless-dev \(system-assigned\) \| FAIL \| `role_not_effective`: .* \| deadline reached \|/,
    );
    assert.match(issue.body, /Run: https:\/\/github\.com\/contoso\/keyless-openai\/actions\/runs\/12345678901/);

    const second = await report("dev", "preview-clean.json", VM_DENIED);
    assert.equal(second.code, 1);
    assert.equal(state.issues.length, 1, "no second issue");
    assert.equal(issue.comments.length, 1);
    assert.match(issue.comments[0] ?? "", /^Still failing\./);
    assert.match(issue.body, /No drift: the cloud matches the program\./, "the body shows the latest run");
    assert.match(second.out, /commented issue #1/);

    const clean = await report("dev", "preview-clean.json", PASSED);
    assert.equal(clean.code, 0, clean.err);
    assert.equal(issue.state, "closed");
    assert.equal(issue.stateReason, "completed");
    assert.match(issue.comments[1] ?? "", /## Stack `dev`: clean/);
    assert.match(clean.out, /closed issue #1/);

    const quiet = await report("dev", "preview-clean.json", PASSED);
    assert.equal(quiet.code, 0);
    assert.equal(state.issues.length, 1, "a clean run opens nothing");
    assert.match(quiet.out, /stack dev: clean, no open issue/);
  });

  test("two stacks get one issue each, and a pull request with the label is never taken for the issue", async () => {
    state.issues.push({
      number: 1,
      title: "Drift or access failure: stack dev",
      body: "a pull request that happens to carry the label and title",
      state: "open",
      stateReason: null,
      labels: ["stack-drift"],
      author: "octocat",
      pull: { head: "fix-drift", base: "main" },
      comments: [],
    });
    await report("dev", "preview-drift.json", PASSED);
    await report("prod", "preview-drift.json", PASSED);
    await report("dev", "preview-drift.json", PASSED);
    await report("prod", "preview-drift.json", PASSED);
    const issues = state.issues.filter((issue) => issue.pull === undefined);
    assert.deepEqual(
      issues.map((issue) => [issue.title, issue.comments.length]),
      [
        ["Drift or access failure: stack dev", 1],
        ["Drift or access failure: stack prod", 1],
      ],
    );
    assert.equal(state.issues[0]?.comments.length, 0, "the pull request was left alone");
  });

  test("a GitHub 5xx does not lose the report: it is in the job summary, and the run fails", async () => {
    state.failures.push({ method: "POST", path: /\/issues$/, status: 502, remaining: 1 });
    const run = await report("dev", "preview-drift.json", VM_DENIED);
    assert.equal(run.code, 1);
    assert.equal(state.issues.length, 0);
    assert.match(run.summary, /## Stack `dev`: drift or access failure/);
    assert.match(run.summary, /properties\.disableLocalAuth \(update\)/);
    assert.match(run.summary, /\*\*GitHub could not be updated:\*\* stack dev: GitHub answered 502/);
    assert.match(run.err, /the report is in this run's job summary/);
    const retry = await report("dev", "preview-drift.json", VM_DENIED);
    assert.match(retry.out, /opened issue #1/, "the next run posts it");
  });

  test("a preview that printed no JSON and a smoke test that printed no result are failures, not a clean run", async () => {
    const run = await report(
      "dev",
      'error: failed to load checkpoint: blob (key ".pulumi/stacks/keyless-openai/dev.json") (code=Unknown)\n',
      "smoke: pulumi stack output failed: no stack named 'dev' found\n",
    );
    assert.equal(run.code, 1);
    const body = state.issues[0]?.body ?? "";
    assert.match(body, /preview error: .*the preview printed no JSON \("error: failed to load checkpoint/);
    assert.match(body, /No smoke result: .*the smoke test printed no --json result/);
  });

  test("an error diagnostic of the preview (a policy violation) is reported", async () => {
    const digest = JSON.parse(readFileSync(join(FIXTURES, "preview-clean.json"), "utf8")) as Record<string, unknown>;
    digest.diagnostics = [
      { prefix: "error: ", message: "preview failed: 1 mandatory policy violation\n", severity: "error" },
      { message: "warning only\n", severity: "warning" },
    ];
    const run = await report("dev", JSON.stringify(digest), PASSED);
    assert.equal(run.code, 1);
    assert.match(state.issues[0]?.body ?? "", /- preview error: preview failed: 1 mandatory policy violation\n/);
    assert.doesNotMatch(state.issues[0]?.body ?? "", /warning only/);
  });

  test("usage: a missing option names it; without GITHUB_TOKEN the message says how to pass it", async () => {
    let err = "";
    const io = { out: () => {}, err: (text: string) => (err += text) };
    assert.equal(await main(["--stack", "dev"], {}, io), 2);
    assert.match(err, /--preview FILE is required/);
    const preview = join(work, "p.json");
    writeFileSync(preview, "{}");
    err = "";
    assert.equal(await main(["--stack", "dev", "--preview", preview, "--smoke", preview], {}, io), 2);
    assert.match(err, /GITHUB_TOKEN is not set/);
  });
});
