/**
 * The example renewal pull request and drift issue of docs/keeping-current.md, produced by the two commands against
 * the GitHub stand-in (tests/keeping-current-doc.test.ts checks that the page shows exactly these).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diagnosisFor } from "../../lib/diagnosis";
import type { CheckReport, RenewReport } from "../../scripts/core/models/check-report";
import { main as renewalPr } from "../../scripts/renewal-pr";
import { main as reportDrift } from "../../scripts/report-drift";
import { summaryTable } from "../../scripts/smoke/report";
import type { TargetResult } from "../../scripts/smoke/wait";
import { githubRepoRoutes, newRepository } from "../standins/github-repo";
import { startStandIn } from "../standins/server";
import { scratchDirectory } from "./scratch";

const PINNED =
  "config:\n  keyless-openai:location: swedencentral\n  keyless-openai:deployments:\n    - name=chat,model=gpt-4.1-mini,version=2025-04-14,sku=GlobalStandard,capacity=10\n";

/** Dates from Azure's retirement table (MicrosoftDocs/azure-ai-docs, retirement/models.md). */
const CHECK: CheckReport = {
  kind: "keyless-openai-model-check/1",
  stack: "dev",
  location: "swedencentral",
  checkedAt: "2026-12-07T05:23:00.000Z",
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
/**
 * The table on main dates gpt-4.1-mini from Azure's retirement table; the run learns gpt-4o-mini 2024-07-18 from the
 * catalogue's `deprecation.inference` (2026-03-31 in Azure CLI's recording of models.list,
 * `cognitiveservices/tests/latest/recordings/test_cognitiveservices_list_models.yaml`).
 */
const DOCS =
  "MicrosoftDocs/azure-ai-docs articles/foundry/openai/includes/retirement/models.md (December 2025 edition)";
const TABLE_ON_MAIN = {
  about: "Known retirement dates of Azure OpenAI model versions.",
  retirements: [{ model: "gpt-4.1-mini", version: "2025-04-14", retiresOn: "2026-10-14", source: DOCS }],
};
const TABLE_REFRESHED = {
  ...TABLE_ON_MAIN,
  retirements: [
    ...TABLE_ON_MAIN.retirements,
    {
      model: "gpt-4o-mini",
      version: "2024-07-18",
      retiresOn: "2026-03-31",
      source: "live catalogue of swedencentral, models.list on 2026-12-07",
    },
  ],
};
const tableJson = (table: typeof TABLE_ON_MAIN) => `${JSON.stringify(table, null, 2)}\n`;

const RENEW: RenewReport = {
  ...CHECK,
  kind: "keyless-openai-model-renew/1",
  file: "Pulumi.dev.yaml",
  changed: true,
  retirementTable: { file: "lib/model-retirements.json", changed: true },
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

/** Runs both commands once against a fresh stand-in; returns the bodies GitHub received. */
export async function produceExamples(): Promise<{ pullRequest: string; issue: string }> {
  const state = newRepository({ "Pulumi.dev.yaml": PINNED, "lib/model-retirements.json": tableJson(TABLE_ON_MAIN) });
  const server = await startStandIn({ routes: githubRepoRoutes(state) });
  const work = scratchDirectory("keeping-current-");
  const env = {
    GITHUB_TOKEN: state.token,
    GITHUB_REPOSITORY: `${state.owner}/${state.repo}`,
    GITHUB_API_URL: server.origin,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_RUN_ID: "12345678901",
  };
  const quiet = { out: () => {}, err: () => {} };
  try {
    writeFileSync(join(work, "check.json"), JSON.stringify(CHECK));
    writeFileSync(join(work, "renew.json"), JSON.stringify(RENEW));
    writeFileSync(
      join(work, "Pulumi.dev.yaml"),
      PINNED.replace(
        "name=chat,model=gpt-4.1-mini,version=2025-04-14,sku=GlobalStandard,capacity=10",
        "name=chat,model=gpt-5-mini,version=2025-08-07,sku=GlobalStandard,capacity=10",
      ),
    );
    mkdirSync(join(work, "lib"));
    writeFileSync(join(work, "lib", "model-retirements.json"), tableJson(TABLE_REFRESHED));
    const renewArgs = ["--stack", "dev", "--check", join(work, "check.json"), "--renew", join(work, "renew.json")];
    await renewalPr([...renewArgs, "--project-dir", work], env, quiet);
    const smoke: TargetResult[] = [
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
        outcome: "failed",
        status: 401,
        diagnosis: diagnosisFor("role_not_effective"),
        attempts: 42,
        elapsedMs: 900_000,
        note: "deadline reached",
      },
    ];
    writeFileSync(join(work, "smoke.txt"), `\n${summaryTable(smoke)}\n${JSON.stringify({ results: smoke })}\n`);
    const preview = join(__dirname, "..", "fixtures", "drift", "preview-drift.json");
    await reportDrift(["--stack", "dev", "--preview", preview, "--smoke", join(work, "smoke.txt")], env, quiet);
    const find = (pull: boolean) => state.issues.find((issue) => (issue.pull !== undefined) === pull)?.body ?? "";
    return { pullRequest: find(true), issue: find(false) };
  } finally {
    await server.close();
  }
}

if (require.main === module) {
  produceExamples().then(({ pullRequest, issue }) => {
    process.stdout.write(`${JSON.stringify({ pullRequest, issue })}\n`);
  });
}
