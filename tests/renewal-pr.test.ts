/**
 * `npm run renewal-pr` against the GitHub stand-in (tests/standins/github-repo.ts) through the real @octokit/rest.
 * The check and renew documents are written per scripts/core/models/check-report.ts, with the dates of Azure's
 * retirement table (MicrosoftDocs/azure-ai-docs `articles/ai-foundry/openai/includes/retirement/models.md`:
 * gpt-4.1-mini 2025-04-14 retired 2026-10-14, replacement gpt-5-mini; gpt-5-mini 2025-08-07 retires 2027-02-06)
 * and the quota name of a real catalogue (`OpenAI.GlobalStandard.gpt-5-mini`).
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CheckReport, RenewReport } from "../scripts/core/models/check-report";
import { main } from "../scripts/renewal-pr";
import { filesOn, type GitHubRepoState, githubRepoRoutes, newRepository, pushCommit } from "./standins/github-repo";
import { type StandInServer, startStandIn } from "./standins/server";

const PINNED = `config:
  keyless-openai:location: swedencentral
  keyless-openai:compute: both
  keyless-openai:model: gpt-4.1-mini@2025-04-14
`;
const RENEWED = PINNED.replace("gpt-4.1-mini@2025-04-14", "gpt-5-mini@2025-08-07");

const FAILING: CheckReport = {
  kind: "keyless-openai-model-check/1",
  stack: "dev",
  location: "swedencentral",
  checkedAt: "2026-12-07T06:00:00.000Z",
  withinDays: 30,
  ok: false,
  pins: [
    {
      deployment: "chat",
      pinned: "gpt-4.1-mini@2025-04-14",
      current: {
        model: "gpt-4.1-mini",
        version: "2025-04-14",
        sku: "GlobalStandard",
        lifecycleStatus: "Deprecated",
        retiresOn: "2026-10-14",
      },
      ok: false,
      problems: ["retired"],
      reasons: ["gpt-4.1-mini 2025-04-14 (GlobalStandard) retired on 2026-10-14: its calls fail."],
      replacement: {
        pinned: "gpt-5-mini@2025-08-07",
        model: "gpt-5-mini",
        version: "2025-08-07",
        sku: "GlobalStandard",
        lifecycleStatus: "GenerallyAvailable",
        retiresOn: "2027-02-06",
        quotaLeft: 450,
      },
    },
  ],
};
const RENEWAL: RenewReport = {
  ...FAILING,
  kind: "keyless-openai-model-renew/1",
  file: "Pulumi.dev.yaml",
  changed: true,
  renewals: [
    {
      deployment: "chat",
      from: "gpt-4.1-mini@2025-04-14",
      to: "gpt-5-mini@2025-08-07",
      effect: "update-in-place",
      planChanges: [
        "chat (azure-native:cognitiveservices:Deployment): properties.model.name gpt-4.1-mini -> gpt-5-mini, properties.model.version 2025-04-14 -> 2025-08-07",
      ],
    },
  ],
};
const PASSING: CheckReport = {
  ...FAILING,
  checkedAt: "2026-12-14T06:00:00.000Z",
  ok: true,
  pins: [
    {
      deployment: "chat",
      pinned: "gpt-5-mini@2025-08-07",
      current: {
        model: "gpt-5-mini",
        version: "2025-08-07",
        sku: "GlobalStandard",
        retiresOn: "2027-02-06",
        quotaLeft: 450,
      },
      ok: true,
      problems: [],
      reasons: [],
    },
  ],
};

let server: StandInServer;
let state: GitHubRepoState;

before(async () => {
  state = newRepository({ "Pulumi.dev.yaml": PINNED, "Pulumi.yaml": "name: keyless-openai\n" });
  server = await startStandIn({ routes: githubRepoRoutes(state) });
});
after(() => server.close());

async function run(check: CheckReport, renew?: RenewReport, renewedFile = RENEWED) {
  const work = mkdtempSync(join(tmpdir(), "renewal-pr-"));
  writeFileSync(join(work, "check.json"), JSON.stringify(check));
  writeFileSync(join(work, "Pulumi.dev.yaml"), renewedFile);
  writeFileSync(
    join(work, "plan.md"),
    "### Changed resources\n\n- chat: properties.model.version 2025-04-14 -> 2025-08-07\n",
  );
  const argv = ["--stack", check.stack, "--check", join(work, "check.json"), "--project-dir", work];
  if (renew) {
    writeFileSync(join(work, "renew.json"), JSON.stringify(renew));
    argv.push("--renew", join(work, "renew.json"), "--plan-markdown", join(work, "plan.md"));
  }
  let out = "";
  let err = "";
  const code = await main(
    argv,
    {
      GITHUB_TOKEN: state.token,
      GITHUB_REPOSITORY: `${state.owner}/${state.repo}`,
      GITHUB_API_URL: server.origin,
    },
    { out: (text) => (out += text), err: (text) => (err += text) },
  );
  return { code, out, err };
}

const pulls = () => state.issues.filter((issue) => issue.pull !== undefined);
const commitCount = (branch: string) => {
  let count = 0;
  for (let sha = state.branches.get(branch); sha; sha = state.commits.get(sha)?.parent) count += 1;
  return count;
};

describe("renewal-pr", () => {
  test("a failing stack opens one pull request on renew-models/<stack> with the renewed file and the evidence", async () => {
    const first = await run(FAILING, RENEWAL);
    assert.equal(first.code, 0, first.err);
    assert.equal(pulls().length, 1);
    const pull = pulls()[0];
    assert.ok(pull);
    assert.deepEqual(pull.pull, { head: "renew-models/dev", base: "main" });
    assert.equal(pull.title, "Renew the model pins of stack dev");
    assert.deepEqual(pull.labels, ["model-renewal"]);
    assert.equal(filesOn(state, "renew-models/dev")?.get("Pulumi.dev.yaml"), RENEWED);
    assert.equal(filesOn(state, "main")?.get("Pulumi.dev.yaml"), PINNED, "main is not touched");
    assert.equal(commitCount("renew-models/dev"), 2, "one commit on top of main");
    assert.match(pull.body, /^<!-- renewal-pr stack=dev -->/);
    assert.match(
      pull.body,
      /\| chat \| `gpt-4\.1-mini@2025-04-14` \| retired \| `gpt-5-mini@2025-08-07` \| update-in-place \|/,
    );
    assert.match(
      pull.body,
      /\| chat today \| gpt-4\.1-mini \| 2025-04-14 \| GlobalStandard \| Deprecated \| 2026-10-14 \| — \|/,
    );
    assert.match(
      pull.body,
      /\| chat renewed \| gpt-5-mini \| 2025-08-07 \| GlobalStandard \| GenerallyAvailable \| 2027-02-06 \| 450 \|/,
    );
    assert.match(pull.body, /properties\.model\.name gpt-4\.1-mini -> gpt-5-mini/);
    assert.match(pull.body, /<details><summary>Offline plan/);
    assert.match(
      first.out,
      /^stack dev: opened renewal pull request #1 https:\/\/github\.com\/contoso\/keyless-openai\/pull\/1$/m,
    );
  });

  test("the next failing run updates the same pull request, and commits only when the file changed", async () => {
    const again = await run({ ...FAILING, checkedAt: "2026-12-08T06:00:00.000Z" }, RENEWAL);
    assert.equal(again.code, 0, again.err);
    assert.equal(pulls().length, 1, "never a duplicate");
    assert.equal(commitCount("renew-models/dev"), 2, "same file: no new commit");
    assert.match(pulls()[0]?.body ?? "", /failed on 2026-12-08T06:00:00\.000Z/);
    assert.match(again.out, /updated renewal pull request #1 .*\(file unchanged, body refreshed\)/);

    pushCommit(state, "main", { "README.md": "moved on\n" }, "main moves on");
    const other = RENEWED.replace("compute: both", "compute: vm");
    const changed = await run(FAILING, RENEWAL, other);
    assert.equal(changed.code, 0, changed.err);
    assert.equal(pulls().length, 1);
    assert.equal(filesOn(state, "renew-models/dev")?.get("Pulumi.dev.yaml"), other);
    assert.equal(filesOn(state, "renew-models/dev")?.get("README.md"), "moved on\n", "rebuilt on the new main");
    assert.equal(commitCount("renew-models/dev"), 3);
  });

  test("a passing stack closes the pull request the command opened, and nothing it did not open", async () => {
    pushCommit(state, "human/other-fix", { "Pulumi.dev.yaml": RENEWED }, "a person's fix");
    state.issues.push({
      number: 50,
      title: "Pin gpt-5-mini by hand",
      body: "done by hand",
      state: "open",
      stateReason: null,
      labels: ["model-renewal"],
      author: "octocat",
      pull: { head: "human/other-fix", base: "main" },
      comments: [],
    });
    const passed = await run(PASSING);
    assert.equal(passed.code, 0, passed.err);
    const ours = state.issues.find((issue) => issue.pull?.head === "renew-models/dev");
    assert.equal(ours?.state, "closed");
    assert.match(ours?.comments[0] ?? "", /passes since 2026-12-14T06:00:00\.000Z/);
    assert.equal(state.branches.has("renew-models/dev"), false, "its branch is deleted");
    assert.equal(
      state.issues.find((issue) => issue.number === 50)?.state,
      "open",
      "the person's pull request stays open",
    );
    const nothing = await run(PASSING);
    assert.match(nothing.out, /stack dev: pins pass, no renewal pull request open/);
  });

  test("Actions not allowed to create pull requests: refused (3), naming the setting", async () => {
    state.actionsMayCreatePullRequests = false;
    try {
      const refused = await run(FAILING, RENEWAL);
      assert.equal(refused.code, 3);
      assert.match(
        refused.err,
        /"Allow GitHub Actions to create and approve pull requests" is off; turn it on under Settings > Actions > General/,
      );
      assert.equal(filesOn(state, "renew-models/dev")?.get("Pulumi.dev.yaml"), RENEWED, "the branch holds the change");
    } finally {
      state.actionsMayCreatePullRequests = true;
    }
  });

  test("a failing pin without a replacement fails (1) and opens nothing; a report of another stack is a usage error", async () => {
    const before = state.issues.length;
    const stuck = await run(FAILING, { ...RENEWAL, changed: false, renewals: [] });
    assert.equal(stuck.code, 1);
    assert.match(
      stuck.err,
      /found no replacement that fits .*retired on 2026-10-14.*npm run models -- --stack dev --pin/,
    );
    assert.equal(state.issues.length, before);
    const wrong = await run({ ...FAILING, stack: "prod" }, RENEWAL);
    assert.equal(wrong.code, 2);
  });
});
