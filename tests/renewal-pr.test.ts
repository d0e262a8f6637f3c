/**
 * `npm run renewal-pr` against the GitHub stand-in (tests/standins/github-repo.ts) through the real @octokit/rest.
 * The check and renew documents are written per scripts/core/models/check-report.ts, with the dates of Azure's
 * retirement table (MicrosoftDocs/azure-ai-docs `articles/ai-foundry/openai/includes/retirement/models.md`:
 * gpt-4.1-mini 2025-04-14 retired 2026-10-14, replacement gpt-5-mini; gpt-5-mini 2025-08-07 retires 2027-02-06)
 * and the quota name of a real catalogue (`OpenAI.GlobalStandard.gpt-5-mini`).
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { parseDeployment } from "../lib/config";
import type { CheckReport, RenewReport } from "../scripts/core/models/check-report";
import { main } from "../scripts/renewal-pr";
import { filesOn, type GitHubRepoState, githubRepoRoutes, newRepository, pushCommit } from "./standins/github-repo";
import { type StandInServer, startStandIn } from "./standins/server";
import { scratchDirectory } from "./support/scratch";

const PINNED = `config:
  keyless-openai:location: swedencentral
  keyless-openai:compute: both
  keyless-openai:deployments:
    - name=chat,model=gpt-4.1-mini,version=2025-04-14,sku=GlobalStandard,capacity=10
`;
const RENEWED = PINNED.replace(
  "name=chat,model=gpt-4.1-mini,version=2025-04-14,sku=GlobalStandard,capacity=10",
  "name=chat,model=gpt-5-mini,version=2025-08-07,sku=GlobalStandard,capacity=10",
);

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
      pinned: "name=chat,model=gpt-4.1-mini,version=2025-04-14,sku=GlobalStandard,capacity=10",
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
        pinned: "name=chat,model=gpt-5-mini,version=2025-08-07,sku=GlobalStandard,capacity=10",
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
      from: "name=chat,model=gpt-4.1-mini,version=2025-04-14,sku=GlobalStandard,capacity=10",
      to: "name=chat,model=gpt-5-mini,version=2025-08-07,sku=GlobalStandard,capacity=10",
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
      pinned: "name=chat,model=gpt-5-mini,version=2025-08-07,sku=GlobalStandard,capacity=10",
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
  const work = scratchDirectory("renewal-pr-");
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
  test("the fixtures are what models --check/--renew really write: deployment strings the config parser accepts", () => {
    const problems: string[] = [];
    for (const pin of [...FAILING.pins, ...PASSING.pins]) {
      parseDeployment(pin.pinned, 0, problems);
      if (pin.replacement) parseDeployment(pin.replacement.pinned, 0, problems);
    }
    for (const renewal of RENEWAL.renewals)
      for (const text of [renewal.from, renewal.to]) parseDeployment(text, 0, problems);
    for (const file of [PINNED, RENEWED]) {
      const deployments = (parse(file) as { config: Record<string, unknown> }).config["keyless-openai:deployments"];
      assert.ok(Array.isArray(deployments) && deployments.length === 1, file);
      parseDeployment(String(deployments[0]), 0, problems);
    }
    assert.deepEqual(problems, []);
  });

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
      /\| chat \| `name=chat,model=gpt-4\.1-mini,version=2025-04-14,sku=GlobalStandard,capacity=10` \| retired \| `name=chat,model=gpt-5-mini,version=2025-08-07,sku=GlobalStandard,capacity=10` \| update-in-place \|/,
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
    assert.match(again.out, /updated renewal pull request #1 .*\(files unchanged, body refreshed\)/);

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

/**
 * The retirement table on main is Azure's retirement table (December 2025 edition); the dates a run learns are those
 * the live catalogue serves as `deprecation.inference` in Azure CLI's recording of westeurope's models.list
 * (azure-cli `cognitiveservices/tests/latest/recordings/test_cognitiveservices_list_models.yaml`, October 2025, kept in
 * tests/fixtures/catalogue/westeurope-2025-10-28.json): gpt-4o-mini 2024-07-18 and gpt-4.1-mini 2025-04-14 on
 * 2026-03-31 and 2026-04-11.
 */
const DOCS =
  "MicrosoftDocs/azure-ai-docs articles/foundry/openai/includes/retirement/models.md (December 2025 edition)";
const TABLE_ON_MAIN = {
  about: "Known retirement dates of Azure OpenAI model versions.",
  retirements: [
    { model: "gpt-4.1-mini", version: "2025-04-14", retiresOn: "2026-10-14", source: DOCS },
    { model: "gpt-5-mini", version: "2025-08-07", retiresOn: "2027-02-06", source: DOCS },
  ],
};
const tableJson = (table: typeof TABLE_ON_MAIN) => `${JSON.stringify(table, null, 2)}\n`;
const CATALOGUE = "live catalogue of westeurope, models.list on 2025-10-28";
const GPT_4O_MINI = { model: "gpt-4o-mini", version: "2024-07-18", retiresOn: "2026-03-31", source: CATALOGUE };
const GPT_41_MINI_REDATED = {
  model: "gpt-4.1-mini",
  version: "2025-04-14",
  retiresOn: "2026-04-11",
  source: CATALOGUE,
};
const [ON_MAIN_41_MINI, ON_MAIN_5_MINI] = TABLE_ON_MAIN.retirements;
/** Sorted by model and version, as `models --renew` writes the table. */
const DEV_TABLE = { ...TABLE_ON_MAIN, retirements: [ON_MAIN_41_MINI, GPT_4O_MINI, ON_MAIN_5_MINI] };
const PROD_TABLE = {
  ...TABLE_ON_MAIN,
  retirements: [GPT_41_MINI_REDATED, ON_MAIN_5_MINI],
};
const TABLE_PATH = "lib/model-retirements.json";
const WITH_TABLE: RenewReport = { ...RENEWAL, retirementTable: { file: TABLE_PATH, changed: true } };
const forStack = <T extends CheckReport | RenewReport>(report: T, stack: string): T => ({
  ...report,
  stack,
  ...("file" in report ? { file: `Pulumi.${stack}.yaml` } : {}),
});

describe("renewal-pr: the retirement table travels in the same commit", () => {
  let tableServer: StandInServer;
  let repo: GitHubRepoState;
  const artifacts = new Map<string, string>();

  before(async () => {
    repo = newRepository({
      "Pulumi.dev.yaml": PINNED,
      "Pulumi.prod.yaml": PINNED,
      [TABLE_PATH]: tableJson(TABLE_ON_MAIN),
    });
    tableServer = await startStandIn({ routes: githubRepoRoutes(repo) });
    for (const [stack, table] of [
      ["dev", DEV_TABLE],
      ["prod", PROD_TABLE],
    ] as const) {
      const work = scratchDirectory(`renewal-pr-${stack}-`);
      mkdirSync(join(work, "lib"));
      writeFileSync(join(work, TABLE_PATH), tableJson(table));
      writeFileSync(join(work, `Pulumi.${stack}.yaml`), RENEWED);
      writeFileSync(join(work, "check.json"), JSON.stringify(forStack(FAILING, stack)));
      writeFileSync(join(work, "renew.json"), JSON.stringify(forStack(WITH_TABLE, stack)));
      artifacts.set(stack, work);
    }
  });
  after(() => tableServer.close());

  async function propose(stack: string, retirements: string[] = []) {
    const work = artifacts.get(stack) ?? "";
    let out = "";
    let err = "";
    const argv = ["--stack", stack, "--check", join(work, "check.json"), "--renew", join(work, "renew.json")];
    for (const table of retirements) {
      const artifact = artifacts.get(table);
      argv.push("--retirements", artifact ? join(artifact, TABLE_PATH) : table);
    }
    const code = await main(
      [...argv, "--project-dir", work],
      { GITHUB_TOKEN: repo.token, GITHUB_REPOSITORY: `${repo.owner}/${repo.repo}`, GITHUB_API_URL: tableServer.origin },
      { out: (text) => (out += text), err: (text) => (err += text) },
    );
    return { code, out, err };
  }
  const head = (branch: string) => repo.commits.get(repo.branches.get(branch) ?? "");
  const pullOf = (branch: string) => repo.issues.find((issue) => issue.pull?.head === branch);

  test("a run where the stack file and the table both changed gives one commit holding both", async () => {
    const opened = await propose("dev");
    assert.equal(opened.code, 0, opened.err);
    const commit = head("renew-models/dev");
    assert.equal(commit?.parent, repo.branches.get("main"), "one commit, straight on main");
    assert.equal(commit?.files.get("Pulumi.dev.yaml"), RENEWED);
    assert.equal(commit?.files.get(TABLE_PATH), tableJson(DEV_TABLE));
    assert.equal(commit?.files.get("Pulumi.prod.yaml"), PINNED, "the other stack's file is untouched");
    assert.equal(
      commit?.message,
      "Renew the model pins of stack dev: chat name=chat,model=gpt-4.1-mini,version=2025-04-14,sku=GlobalStandard,capacity=10 -> name=chat,model=gpt-5-mini,version=2025-08-07,sku=GlobalStandard,capacity=10\n\n" +
        "Pulumi.dev.yaml: the replacement `npm run models -- --renew` picked for each failing pin.\n" +
        "lib/model-retirements.json: 1 retirement date(s) learned from the live catalogue.",
    );
    assert.match(
      pullOf("renew-models/dev")?.body ?? "",
      /### Retirement dates\n\n`lib\/model-retirements\.json`, the table the offline plan warns with, learns from this run's catalogues:\n\n- gpt-4o-mini 2024-07-18: retires 2026-03-31 \(new; live catalogue of westeurope, models\.list on 2025-10-28\)\n/,
    );
  });

  test("a rerun with nothing changed adds no commit", async () => {
    const before = repo.branches.get("renew-models/dev");
    const again = await propose("dev");
    assert.equal(again.code, 0, again.err);
    assert.equal(repo.branches.get("renew-models/dev"), before);
    assert.match(again.out, /updated renewal pull request #\d+ .*\(files unchanged, body refreshed\)/);
  });

  test("a table that learned nothing stays out of the commit and the body", async () => {
    const work = artifacts.get("prod") ?? "";
    writeFileSync(join(work, TABLE_PATH), tableJson(TABLE_ON_MAIN));
    try {
      const unchanged = await propose("prod");
      assert.equal(unchanged.code, 0, unchanged.err);
      assert.doesNotMatch(head("renew-models/prod")?.message ?? "", /model-retirements/);
      assert.doesNotMatch(pullOf("renew-models/prod")?.body ?? "", /### Retirement dates/);
    } finally {
      writeFileSync(join(work, TABLE_PATH), tableJson(PROD_TABLE));
    }
  });

  test("two failing stacks of one run carry the same merged table, so merging one leaves the other clean", async () => {
    for (const stack of ["dev", "prod"]) {
      const result = await propose(stack, ["dev", "prod"]);
      assert.equal(result.code, 0, result.err);
    }
    const merged = {
      ...TABLE_ON_MAIN,
      retirements: [GPT_41_MINI_REDATED, GPT_4O_MINI, ON_MAIN_5_MINI],
    };
    assert.equal(head("renew-models/dev")?.files.get(TABLE_PATH), tableJson(merged));
    assert.equal(head("renew-models/prod")?.files.get(TABLE_PATH), tableJson(merged));
    assert.match(
      pullOf("renew-models/prod")?.body ?? "",
      /- gpt-4\.1-mini 2025-04-14: retires 2026-04-11 \(was 2026-10-14; live catalogue of westeurope/,
    );

    const devFiles = filesOn(repo, "renew-models/dev") ?? new Map<string, string>();
    pushCommit(repo, "main", Object.fromEntries(devFiles), "Merge the renewal of stack dev");
    assert.equal(
      filesOn(repo, "main")?.get(TABLE_PATH),
      head("renew-models/prod")?.files.get(TABLE_PATH),
      "prod's table change is the one main now holds: no conflict",
    );
    const prodHead = repo.branches.get("renew-models/prod");
    const rerun = await propose("prod", ["dev", "prod"]);
    assert.equal(rerun.code, 0, rerun.err);
    assert.equal(repo.branches.get("renew-models/prod"), prodHead, "nothing new for prod: no commit");
    assert.doesNotMatch(pullOf("renew-models/prod")?.body ?? "", /### Retirement dates/, "main knows the dates now");
  });

  test("an unreadable --retirements file is a usage error naming it", async () => {
    const missing = await propose("dev", ["/nonexistent/model-retirements.json"]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--retirements \/nonexistent\/model-retirements\.json: not a readable retirement table/);
  });
});

describe("renewal-pr --table-only: the dates learned reach main when no stack's pull request carries them", () => {
  const MERGED = { ...TABLE_ON_MAIN, retirements: [GPT_41_MINI_REDATED, GPT_4O_MINI, ON_MAIN_5_MINI] };
  const TABLE_BRANCH = "renew-models/retirement-table";
  const tables = new Map<string, string>();
  let work: string;

  before(() => {
    work = scratchDirectory("renewal-pr-table-");
    for (const [stack, table] of [
      ["dev", DEV_TABLE],
      ["prod", PROD_TABLE],
    ] as const) {
      mkdirSync(join(work, stack, "lib"), { recursive: true });
      writeFileSync(join(work, stack, TABLE_PATH), tableJson(table));
      writeFileSync(join(work, stack, "Pulumi.dev.yaml"), RENEWED);
      writeFileSync(join(work, stack, "check.json"), JSON.stringify(forStack(PASSING, stack)));
      tables.set(stack, join(work, stack, TABLE_PATH));
    }
  });

  type Command = (argv: string[]) => Promise<{ code: number; out: string; err: string }>;
  async function inRepository(
    files: Record<string, string>,
    body: (repo: GitHubRepoState, command: Command) => Promise<void>,
  ) {
    const repo = newRepository(files);
    const standIn = await startStandIn({ routes: githubRepoRoutes(repo) });
    const command: Command = async (argv) => {
      let out = "";
      let err = "";
      const code = await main(
        argv,
        { GITHUB_TOKEN: repo.token, GITHUB_REPOSITORY: `${repo.owner}/${repo.repo}`, GITHUB_API_URL: standIn.origin },
        { out: (text) => (out += text), err: (text) => (err += text) },
      );
      return { code, out, err };
    };
    try {
      await body(repo, command);
    } finally {
      standIn.close();
    }
  }
  const tableOnly = (command: Command) =>
    command(["--table-only", "--retirements", tables.get("dev") ?? "", "--retirements", tables.get("prod") ?? ""]);
  const tablePulls = (repo: GitHubRepoState) => repo.issues.filter((issue) => issue.pull?.head === TABLE_BRANCH);
  const ON_MAIN = { "Pulumi.dev.yaml": PINNED, "Pulumi.prod.yaml": PINNED, [TABLE_PATH]: tableJson(TABLE_ON_MAIN) };

  test("every stack passes: one pull request with only the table; a rerun adds no commit; main having it closes it", async () => {
    await inRepository(ON_MAIN, async (repo, command) => {
      for (const stack of ["dev", "prod"]) {
        const passed = await command(["--stack", stack, "--check", join(work, stack, "check.json")]);
        assert.equal(passed.code, 0, passed.err);
      }
      const opened = await tableOnly(command);
      assert.equal(opened.code, 0, opened.err);
      assert.equal(tablePulls(repo).length, 1);
      assert.equal(repo.issues.filter((issue) => issue.pull).length, 1, "no stack pull request");
      const pull = tablePulls(repo)[0];
      assert.equal(pull?.title, "Learn the retirement dates of Azure OpenAI model versions");
      assert.deepEqual(pull?.labels, ["model-renewal"]);
      assert.match(pull?.body ?? "", /^<!-- renewal-pr retirement-table -->\n/);
      assert.match(
        pull?.body ?? "",
        /- gpt-4\.1-mini 2025-04-14: retires 2026-04-11 \(was 2026-10-14; live catalogue of westeurope, models\.list on 2025-10-28\)\n- gpt-4o-mini 2024-07-18: retires 2026-03-31 \(new; /,
      );
      const mainSha = repo.branches.get("main");
      const commit = repo.commits.get(repo.branches.get(TABLE_BRANCH) ?? "");
      assert.equal(commit?.parent, mainSha, "one commit, straight on main");
      const mainFiles = filesOn(repo, "main") ?? new Map<string, string>();
      const changed = [...(filesOn(repo, TABLE_BRANCH) ?? new Map<string, string>())]
        .filter(([path, text]) => mainFiles.get(path) !== text)
        .map(([path]) => path);
      assert.deepEqual(changed, [TABLE_PATH], "only the table");
      assert.equal(commit?.files.get(TABLE_PATH), tableJson(MERGED));
      assert.match(commit?.message ?? "", /^Learn 2 retirement date\(s\) from the live catalogue\n/);
      assert.match(
        opened.out,
        /^retirement table: opened table pull request #1 https:\/\/github\.com\/contoso\/keyless-openai\/pull\/1$/m,
      );

      const head = repo.branches.get(TABLE_BRANCH);
      const rerun = await tableOnly(command);
      assert.equal(rerun.code, 0, rerun.err);
      assert.equal(repo.branches.get(TABLE_BRANCH), head, "nothing new: no commit");
      assert.equal(tablePulls(repo).length, 1, "never a duplicate");
      assert.match(rerun.out, /updated table pull request #1 .*\(files unchanged, body refreshed\)/);

      pushCommit(repo, "main", { [TABLE_PATH]: tableJson(MERGED) }, "Merge the retirement table");
      const merged = await tableOnly(command);
      assert.equal(merged.code, 0, merged.err);
      assert.equal(tablePulls(repo)[0]?.state, "closed");
      assert.match(tablePulls(repo)[0]?.comments[0] ?? "", /^main already has every retirement date this run learned/);
      assert.equal(repo.branches.has(TABLE_BRANCH), false, "its branch is deleted");
      assert.match(merged.out, /main already has every retirement date this run learned, closed table pull request #1/);
    });
  });

  test("a failing stack's renewal pull request carries the table: no table-only pull request, an older one is closed", async () => {
    await inRepository(ON_MAIN, async (repo, command) => {
      const lastWeek = await tableOnly(command);
      assert.equal(lastWeek.code, 0, lastWeek.err);
      assert.equal(tablePulls(repo)[0]?.state, "open");

      const dev = join(work, "dev");
      writeFileSync(join(dev, "failing.json"), JSON.stringify(forStack(FAILING, "dev")));
      writeFileSync(join(dev, "renew.json"), JSON.stringify(forStack(WITH_TABLE, "dev")));
      const failing = await command([
        ...["--stack", "dev", "--check", join(dev, "failing.json"), "--renew", join(dev, "renew.json")],
        ...["--retirements", tables.get("dev") ?? "", "--retirements", tables.get("prod") ?? "", "--project-dir", dev],
      ]);
      assert.equal(failing.code, 0, failing.err);
      assert.equal(filesOn(repo, "renew-models/dev")?.get(TABLE_PATH), tableJson(MERGED));

      const thisWeek = await tableOnly(command);
      assert.equal(thisWeek.code, 0, thisWeek.err);
      assert.equal(tablePulls(repo).length, 1, "no second table pull request");
      assert.equal(tablePulls(repo)[0]?.state, "closed");
      assert.equal(repo.branches.has(TABLE_BRANCH), false);
      assert.match(
        thisWeek.out,
        /renewal pull request #2 \(renew-models\/dev\) carries the table, closed table pull request #1/,
      );
      const again = await tableOnly(command);
      assert.match(again.out, /carries the table, no table pull request open/);
      assert.equal(repo.branches.has(TABLE_BRANCH), false, "still no table branch");
    });
  });

  test("a pull request on renew-models/retirement-table the command did not open is refused (3), not touched", async () => {
    await inRepository(ON_MAIN, async (repo, command) => {
      pushCommit(repo, TABLE_BRANCH, { "notes.md": "a person's notes\n" }, "a person's branch");
      repo.issues.push({
        number: 70,
        title: "Notes",
        body: "by hand",
        state: "open",
        stateReason: null,
        labels: [],
        author: "octocat",
        pull: { head: TABLE_BRANCH, base: "main" },
        comments: [],
      });
      const head = repo.branches.get(TABLE_BRANCH);
      const refused = await tableOnly(command);
      assert.equal(refused.code, 3);
      assert.match(
        refused.err,
        /branch renew-models\/retirement-table has pull request #70 that this command did not open/,
      );
      assert.equal(repo.branches.get(TABLE_BRANCH), head);
    });
  });

  test("--table-only without --retirements, or with --stack, is a usage error naming the option", async () => {
    await inRepository(ON_MAIN, async (repo, command) => {
      const bare = await command(["--table-only"]);
      assert.equal(bare.code, 2);
      assert.match(bare.err, /--table-only needs --retirements FILE/);
      const mixed = await command(["--table-only", "--stack", "dev", "--retirements", tables.get("dev") ?? ""]);
      assert.equal(mixed.code, 2);
      assert.match(mixed.err, /--table-only takes no --stack/);
      assert.equal(repo.issues.length, 0, "nothing opened");
    });
  });
});
