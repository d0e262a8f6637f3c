/**
 * The picker on a catalogue Azure really served (westeurope, recorded by Azure CLI's own tests), `--json` failures on
 * bodies ARM really returns, and `--check` / `--renew` against the catalogue stand-in (tests/standins/catalogue.ts)
 * driven through the real @azure/arm-cognitiveservices client. Every date is judged against an injected clock.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import * as tls from "node:tls";
import { DefaultAzureCredential } from "@azure/identity";
import type { CommandIo } from "../../scripts/core/cli";
import { planStack } from "../../scripts/core/plan/run";
import { runModels } from "../../scripts/models";
import { type CatalogueState, catalogueRoutes, type StandInModel } from "../standins/catalogue";
import { imdsRoutes } from "../standins/identity";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "../standins/server";
import { scratchDirectory } from "../support/scratch";
import { missingTool } from "../support/tools";

const ROOT = join(__dirname, "..", "..");
const SUBSCRIPTION_ID = "5c5c5c5c-0000-4000-8000-000000000005";
const DEPLOYER = {
  objectId: "d0d0d0d0-0000-4000-8000-000000000001",
  appId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
  kind: "managedIdentity" as const,
};
const WESTEUROPE = JSON.parse(
  readFileSync(join(ROOT, "tests", "fixtures", "catalogue", "westeurope-2025-10-28.json"), "utf8"),
) as { value: unknown[] };

const state: CatalogueState = {
  subscriptionId: SUBSCRIPTION_ID,
  location: "",
  models: [],
  usages: [],
  protocolErrors: [],
};
const needsOpenssl = missingTool("openssl");
let certificate: TlsMaterial;
let arm: StandInServer;
let imds: StandInServer;
let credential: DefaultAzureCredential;
let projectDir: string;

before(async () => {
  if (needsOpenssl) return;
  certificate = createSelfSignedCertificate();
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), certificate.certPem]);
  arm = await startStandIn({ routes: catalogueRoutes(state), tls: certificate });
  imds = await startStandIn({ routes: imdsRoutes({ principal: DEPLOYER }) });
  for (const name of Object.keys(process.env)) if (/^(AZURE_|ARM_|IDENTITY_|MSI_)/.test(name)) delete process.env[name];
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = imds.origin;
  credential = new DefaultAzureCredential();
});

after(async () => {
  if (needsOpenssl) return;
  await arm.close();
  await imds.close();
  certificate.dispose();
});

beforeEach(() => {
  state.recordedModels = undefined;
  state.refusals = undefined;
  state.models = [];
  state.usages = [];
  state.protocolErrors.length = 0;
  projectDir = scratchDirectory("models-check-");
  writeFileSync(join(projectDir, "Pulumi.yaml"), readFileSync(join(ROOT, "Pulumi.yaml")));
});

async function models(args: string[], now: Date) {
  let out = "";
  let err = "";
  const io: CommandIo = { out: (text) => (out += text), err: (text) => (err += text) };
  const code = await runModels(
    [...args, "--project-dir", projectDir],
    (dir) => ({
      credential,
      subscriptionId: SUBSCRIPTION_ID,
      armEndpoint: arm.origin,
      now,
      projectDir: dir,
      maxRetries: 0,
      program: join(ROOT, "index.ts"),
    }),
    io,
  );
  return { code, out, err };
}

function stack(name: string, location: string, body: string): string {
  const path = join(projectDir, `Pulumi.${name}.yaml`);
  writeFileSync(path, `config:\n  keyless-openai:location: ${location}\n  keyless-openai:compute: none\n${body}`);
  return path;
}

describe("the default pick on westeurope as Azure served it (2025-10-28)", { skip: needsOpenssl }, () => {
  const NOW = new Date("2025-10-28T12:00:00Z");
  beforeEach(() => {
    state.location = "westeurope";
    state.recordedModels = WESTEUROPE.value;
    // Quota is keyed by the SKU's usageName, which does not follow the model name (gpt4.1-mini, no hyphen).
    state.usages = ["gpt4.1-mini", "gpt4.1", "gpt4.1-nano", "gpt-4o-mini", "o4-mini", "o3-mini"].map((name) => ({
      name: `OpenAI.GlobalStandard.${name}`,
      limit: 100,
      currentValue: 0,
    }));
  });

  test("picks gpt-4.1-mini, not the newer reasoning o4-mini nor a codex, audio, realtime or transcribe mini", async () => {
    stack("we", "westeurope", "");
    const result = await models(["--stack", "we", "--json"], NOW);
    assert.equal(result.code, 0, result.err);
    const outcome = JSON.parse(result.out) as {
      choice: { chosen: { model: string; version: string }; fallback?: string };
    };
    assert.deepEqual([outcome.choice.chosen.model, outcome.choice.chosen.version], ["gpt-4.1-mini", "2025-04-14"]);
    assert.equal(outcome.choice.fallback, undefined);
    assert.deepEqual(state.protocolErrors, []);
  });

  test("with no non-reasoning mini left in quota, the small reasoning o4-mini, and it says why", async () => {
    for (const usage of state.usages)
      if (["OpenAI.GlobalStandard.gpt4.1-mini", "OpenAI.GlobalStandard.gpt-4o-mini"].includes(usage.name))
        usage.currentValue = 100;
    stack("we", "westeurope", "");
    const result = await models(["--stack", "we"], NOW);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /Chosen for deployment 'chat': o4-mini 2025-04-16, retires 2026-04-11/);
    assert.match(
      result.out,
      /Why this one: no small non-reasoning chat model is deployable, so a small reasoning model\./,
    );
  });
});

describe("--json when Azure refuses: still a JSON document", { skip: needsOpenssl }, () => {
  const NOW = new Date("2025-10-28T12:00:00Z");
  const cases = [
    {
      // ARM's authorization failure as Learn "Troubleshoot Azure RBAC" quotes it.
      name: "403 AuthorizationFailed",
      refusal: {
        status: 403,
        body: {
          error: {
            code: "AuthorizationFailed",
            message: `The client 'd0d0d0d0-0000-4000-8000-000000000001' with object id 'd0d0d0d0-0000-4000-8000-000000000001' does not have authorization to perform action 'Microsoft.CognitiveServices/locations/models/read' over scope '/subscriptions/${SUBSCRIPTION_ID}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
          },
        },
      },
      expected: { status: 403, code: "AuthorizationFailed" },
    },
    {
      // The body ARM sent in velero-io/velero#9171 (2025-08-11), with its Retry-After.
      name: "429 SubscriptionRequestsThrottled",
      refusal: {
        status: 429,
        headers: { "retry-after": "17" },
        body: {
          error: {
            code: "SubscriptionRequestsThrottled",
            message:
              "Number of 'read' requests for subscription 'xxx-xxx-xxx-xxx-xxx-xxx' actor 'yyyy-yyy-yyyy-yyyyy' exceeded. Please try again after '1' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.",
          },
        },
      },
      expected: { status: 429, code: "SubscriptionRequestsThrottled", retryAfterSeconds: 17 },
    },
    {
      // ARM's error envelope (Azure/azure-resource-manager-rpc v1.0/common-api-details.md, "Error Response Content").
      name: "500 InternalServerError",
      refusal: {
        status: 500,
        body: { error: { code: "InternalServerError", message: "Encountered internal server error." } },
      },
      expected: { status: 500, code: "InternalServerError" },
    },
  ];
  for (const { name, refusal, expected } of cases) {
    test(name, async () => {
      state.location = "westeurope";
      state.refusals = [refusal];
      stack("we", "westeurope", "");
      const result = await models(["--stack", "we", "--json"], NOW);
      assert.equal(result.code, 1);
      const document = JSON.parse(result.out) as Record<string, unknown>;
      assert.equal(document.kind, "keyless-openai-model-error/1");
      assert.equal(document.ok, false);
      for (const [key, value] of Object.entries(expected)) assert.equal(document[key], value, key);
      assert.match(String(document.message), new RegExp(String(expected.code)));
    });
  }
});

/** A region whose dates are judged on 2027-06-01. */
function region(): StandInModel[] {
  return [
    {
      name: "gpt-7-mini",
      version: "2027-04-02",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2028-04-02",
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "gpt-7-mini",
      version: "2027-01-20",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2028-01-20",
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "soon-mini",
      version: "2026-07-01",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2027-07-01",
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "shut-mini",
      version: "2026-05-01",
      lifecycleStatus: "Deprecating",
      retiresOn: "2027-11-01",
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "gone-mini",
      version: "2025-04-14",
      lifecycleStatus: "Deprecated",
      retiresOn: "2027-05-01",
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "old-mini",
      version: "2026-01-01",
      lifecycleStatus: "Legacy",
      retiresOn: "2028-01-01",
      skus: [{ name: "GlobalStandard" }],
    },
  ];
}

describe("--check and --renew", { skip: needsOpenssl }, () => {
  const NOW = new Date("2027-06-01T09:00:00Z");
  beforeEach(() => {
    state.location = "swedencentral";
    state.models = region();
    state.usages = [...new Set(state.models.map((model) => `OpenAI.GlobalStandard.${model.name}`))].map((name) => ({
      name,
      limit: 100,
      currentValue: 0,
    }));
  });

  const pins = (...lines: string[]) =>
    `  keyless-openai:deployments:\n${lines.map((line) => `    - ${line}\n`).join("")}`;

  test("open, closed, retiring in 30 days, retired and quota gone: each failing pin named with why and the replacement", async () => {
    const quota = state.usages.find((usage) => usage.name === "OpenAI.GlobalStandard.gpt-7-mini");
    assert.ok(quota);
    stack(
      "qa",
      "swedencentral",
      pins(
        "name=chat,model=gpt-7-mini,version=2027-04-02",
        "name=soon,model=soon-mini,version=2026-07-01",
        "name=shut,model=shut-mini,version=2026-05-01",
        "name=gone,model=gone-mini,version=2025-04-14",
        "name=old,model=old-mini,version=2026-01-01",
      ),
    );
    const result = await models(["--stack", "qa", "--check", "--within", "90", "--json"], NOW);
    assert.equal(result.code, 1, result.err);
    const report = JSON.parse(result.out) as {
      kind: string;
      ok: boolean;
      withinDays: number;
      pins: {
        deployment: string;
        ok: boolean;
        problems: string[];
        reasons: string[];
        warnings?: string[];
        replacement?: { pinned: string };
      }[];
    };
    assert.equal(report.kind, "keyless-openai-model-check/1");
    assert.equal(report.withinDays, 90);
    const byName = new Map(report.pins.map((pin) => [pin.deployment, pin]));
    assert.deepEqual(byName.get("chat")?.problems, []);
    assert.deepEqual(byName.get("soon")?.problems, ["retiring"]);
    assert.match(byName.get("soon")?.reasons.join() ?? "", /retires on 2027-07-01, in 30 days/);
    assert.deepEqual(byName.get("shut")?.problems, ["closed"]);
    assert.match(byName.get("shut")?.reasons.join() ?? "", /deployments that exist keep answering until 2027-11-01/);
    assert.deepEqual(byName.get("gone")?.problems, ["retired"]);
    assert.equal(byName.get("gone")?.replacement?.pinned, "name=gone,model=gpt-7-mini,version=2027-04-02");
    assert.equal(byName.get("old")?.ok, true, "Legacy warns, it does not fail");
    assert.match(byName.get("old")?.warnings?.join() ?? "", /Legacy: still deployable, but no longer recommended/);

    // 30 days out passes with --within 20; quota gone fails the pin that passed.
    const narrow = await models(["--stack", "qa", "--check", "--within", "20", "--json"], NOW);
    const soon = (JSON.parse(narrow.out) as typeof report).pins.find((pin) => pin.deployment === "soon");
    assert.deepEqual(soon?.problems, []);
    quota.currentValue = 95;
    const noQuota = await models(["--stack", "qa", "--check", "--json"], NOW);
    const chat = (JSON.parse(noQuota.out) as typeof report).pins.find((pin) => pin.deployment === "chat");
    assert.deepEqual(chat?.problems, ["quota"]);
  });

  test("only one of several pins fails: exit 1 naming it; all passing: exit 0", async () => {
    stack(
      "qa",
      "swedencentral",
      pins("name=chat,model=gpt-7-mini,version=2027-04-02", "name=batch,model=gone-mini,version=2025-04-14"),
    );
    const failing = await models(["--stack", "qa", "--check"], NOW);
    assert.equal(failing.code, 1, failing.err);
    assert.equal(failing.err, "");
    assert.match(failing.out, /ok {3}chat: name=chat,model=gpt-7-mini,version=2027-04-02/);
    assert.match(failing.out, /FAIL batch: name=batch,model=gone-mini,version=2025-04-14\n.*retired since 2027-05-01/);
    assert.match(failing.out, /replacement: name=batch,model=gpt-7-mini,version=2027-04-02/);
    stack("ok", "swedencentral", pins("name=chat,model=gpt-7-mini,version=2027-01-20"));
    assert.equal((await models(["--stack", "ok", "--check"], NOW)).code, 0);
  });

  test("--renew rewrites only the failing pin's text, says the deployment is updated in place, and refreshes the table", async () => {
    const before = `# QA: reviewed by the platform team.
config:
  keyless-openai:location: swedencentral # the region with quota
  keyless-openai:compute: none
  keyless-openai:deployments:
    # chat is what the smoke test calls
    - name=chat,model=gone-mini,version=2025-04-14,capacity=10   # keep capacity
    - "name=batch,model=gpt-7-mini,version=2027-01-20"
# end of file
`;
    const path = join(projectDir, "Pulumi.qa.yaml");
    writeFileSync(path, before);
    mkdirSync(join(projectDir, "lib"));
    const result = await models(["--stack", "qa", "--renew", "--json"], NOW);
    assert.equal(result.code, 0, result.err);
    assert.equal(
      readFileSync(path, "utf8"),
      before.replace("model=gone-mini,version=2025-04-14", "model=gpt-7-mini,version=2027-04-02"),
    );
    const report = JSON.parse(result.out) as {
      kind: string;
      changed: boolean;
      renewals: { deployment: string; effect: string; planChanges: string[] }[];
      retirementTable: { changed: boolean };
    };
    assert.equal(report.kind, "keyless-openai-model-renew/1");
    assert.equal(report.changed, true);
    assert.deepEqual(
      report.renewals.map((renewal) => [renewal.deployment, renewal.effect]),
      [["chat", "update-in-place"]],
    );
    assert.ok(
      report.renewals[0]?.planChanges.some((line) => /gone-mini.*gpt-7-mini/.test(line)),
      report.renewals[0]?.planChanges.join("\n"),
    );
    const table = JSON.parse(readFileSync(join(projectDir, "lib", "model-retirements.json"), "utf8")) as {
      retirements: { model: string; version: string; retiresOn: string }[];
    };
    assert.ok(table.retirements.some((row) => row.model === "gone-mini" && row.retiresOn === "2027-05-01"));

    const again = await models(["--stack", "qa", "--renew"], NOW);
    assert.equal(again.code, 0);
    assert.match(again.out, /Nothing renewed: Pulumi\.qa\.yaml is unchanged\./);
  });
});

describe("the offline plan warns about a pin past a known retirement date", () => {
  test("gpt-4.1-mini 2025-04-14 warns from 2026-10-14 on, not the day before", async () => {
    const dir = scratchDirectory("models-plan-");
    writeFileSync(join(dir, "Pulumi.yaml"), readFileSync(join(ROOT, "Pulumi.yaml")));
    writeFileSync(
      join(dir, "Pulumi.old.yaml"),
      "config:\n  keyless-openai:compute: none\n  keyless-openai:deployments:\n    - name=chat,model=gpt-4.1-mini,version=2025-04-14\n",
    );
    const target = { projectDir: dir, stack: "old", program: join(ROOT, "index.ts") };
    const retired = await planStack({ ...target, now: new Date("2026-10-14T00:00:00Z") });
    assert.ok(
      retired.warnings.some((warning) =>
        /deployment 'chat' pins gpt-4\.1-mini 2025-04-14, retired on 2026-10-14 .*npm run models -- --stack old --renew/.test(
          warning,
        ),
      ),
      retired.warnings.join("\n"),
    );
    const earlier = await planStack({ ...target, now: new Date("2026-10-13T00:00:00Z") });
    assert.ok(!earlier.warnings.some((warning) => /retired on/.test(warning)));
    rmSync(dir, { recursive: true, force: true });
  });
});
