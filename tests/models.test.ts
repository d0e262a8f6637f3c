/**
 * The model comes from Azure's catalogue: `npm run models` and the preflight check `model` drive the real
 * @azure/arm-cognitiveservices client (with DefaultAzureCredential getting its ARM token from an IMDS stand-in) against
 * a catalogue stand-in on 127.0.0.1 that answers the documented models.list and usages.list bodies. The catalogue holds
 * models and dates the code cannot know in advance (future versions, other families, names never published), and
 * every date is judged against an injected clock.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import * as tls from "node:tls";
import { DefaultAzureCredential } from "@azure/identity";
import { parse } from "yaml";
import { parseConfig, type RawConfig, type StackConfig } from "../lib/config";
import type { CommandIo } from "../scripts/core/cli";
import { modelChecks } from "../scripts/core/preflight/checks/model";
import type { PreflightContext } from "../scripts/core/preflight/types";
import { readStackConfig } from "../scripts/core/stack-config";
import { runModels } from "../scripts/models";
import { type CatalogueState, catalogueRoutes, type StandInModel } from "./standins/catalogue";
import { imdsRoutes } from "./standins/identity";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { STAND_IN_TENANT_ID } from "./standins/tokens";
import { scratchDirectory } from "./support/scratch";
import { missingTool } from "./support/tools";

const ROOT = join(__dirname, "..");
const SUBSCRIPTION_ID = "5c5c5c5c-0000-4000-8000-000000000005";
const LOCATION = "swedencentral";
/** The injected clock: every date below is judged against it. */
const NOW = new Date("2027-06-01T09:00:00Z");
const DEPLOYER = {
  objectId: "d0d0d0d0-0000-4000-8000-000000000001",
  appId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
  kind: "managedIdentity" as const,
};

/** A region a year after this code was written: families and versions nobody could list in advance. */
function futureRegion(): StandInModel[] {
  return [
    // Retired and closed models, as the retirement table dates them.
    {
      name: "gpt-4.1-mini",
      version: "2025-04-14",
      lifecycleStatus: "Deprecated",
      retiresOn: "2026-10-14",
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "gpt-5.4-mini",
      version: "2026-03-17",
      lifecycleStatus: "Deprecating",
      retiresOn: "2027-03-18",
      skus: [{ name: "GlobalStandard" }],
    },
    // The current generation, two versions of the small model.
    {
      name: "gpt-7-mini",
      version: "2027-01-20",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2028-01-20",
      skus: [{ name: "GlobalStandard" }, { name: "DataZoneStandard" }],
    },
    {
      name: "gpt-7-mini",
      version: "2027-04-02",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2028-04-02",
      skus: [{ name: "GlobalStandard" }, { name: "DataZoneStandard" }],
    },
    {
      name: "gpt-7",
      version: "2027-04-02",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2028-04-02",
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "gpt-7-pro",
      version: "2027-05-10",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2028-05-10",
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "nova-chat",
      version: "2027-05-01",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2028-05-01",
      skus: [{ name: "GlobalStandard" }],
    },
    // Newer, but not a GA chat model a new customer should get.
    { name: "zeta-mini", version: "2027-05-25", lifecycleStatus: "Preview", skus: [{ name: "GlobalStandard" }] },
    {
      name: "text-embedding-9",
      version: "2027-05-28",
      lifecycleStatus: "GenerallyAvailable",
      chat: false,
      skus: [{ name: "GlobalStandard" }],
    },
    {
      name: "gpt-7-mini",
      version: "2027-05-30",
      lifecycleStatus: "GenerallyAvailable",
      kind: "AIServices",
      skus: [{ name: "GlobalStandard" }],
    },
    // GA, but its GlobalStandard SKU retired already.
    {
      name: "omega-mini",
      version: "2027-05-20",
      lifecycleStatus: "GenerallyAvailable",
      retiresOn: "2028-05-20",
      skus: [{ name: "GlobalStandard", deprecationDate: "2027-05-31" }],
    },
  ];
}

/** One usage per usage name, as Azure reports quota (per model and SKU, not per version). */
function plentyOfQuota(models: StandInModel[]) {
  const names = new Set(models.flatMap((model) => model.skus.map((sku) => `OpenAI.${sku.name}.${model.name}`)));
  return [...names].map((name) => ({ name, limit: 1000, currentValue: 0 }));
}

const state: CatalogueState = {
  subscriptionId: SUBSCRIPTION_ID,
  location: LOCATION,
  models: [],
  usages: [],
  protocolErrors: [],
};
let certificate: TlsMaterial;
let arm: StandInServer;
let imds: StandInServer;
let credential: DefaultAzureCredential;
let projectDir: string;

/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
const needsOpenssl = missingTool("openssl");

before(async () => {
  if (needsOpenssl) return;
  certificate = createSelfSignedCertificate();
  // This process trusts the stand-in's certificate as Node trusts NODE_EXTRA_CA_CERTS in a child process.
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
  if (needsOpenssl) return;
  state.models = futureRegion();
  state.usages = plentyOfQuota(state.models);
  state.pageSize = undefined;
  state.protocolErrors.length = 0;
  projectDir = scratchDirectory("models-");
  writeFileSync(join(projectDir, "Pulumi.yaml"), readFileSync(join(ROOT, "Pulumi.yaml")));
});

async function models(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CommandIo = { out: (text) => (out += text), err: (text) => (err += text) };
  const code = await runModels(
    [...args, "--project-dir", projectDir],
    (dir) => ({ credential, subscriptionId: SUBSCRIPTION_ID, armEndpoint: arm.origin, now: NOW, projectDir: dir }),
    io,
  );
  return { code, out, err };
}

/** The stack's config as `pulumi up` would hand it to the program, validated by lib/config.ts. */
function validatedConfig(stack: string): StackConfig {
  const { values, project } = readStackConfig(projectDir, stack);
  const raw: RawConfig = {};
  for (const [key, value] of Object.entries(values)) raw[key.slice(project.length + 1)] = value;
  return parseConfig(raw, project, stack);
}

function preflightContext(config: StackConfig): PreflightContext {
  return {
    stack: config.stack,
    config,
    subscriptionId: SUBSCRIPTION_ID,
    tenantId: STAND_IN_TENANT_ID,
    credential,
    armEndpoint: arm.origin,
    now: NOW,
    fix: false,
    plannedResources: () => Promise.reject(new Error("the model checks do not read the plan")),
  };
}

function stackWith(stack: string, deployments: string[]): StackConfig {
  writeFileSync(
    join(projectDir, `Pulumi.${stack}.yaml`),
    `config:\n  keyless-openai:deployments:\n${deployments.map((d) => `    - ${d}\n`).join("")}`,
  );
  return validatedConfig(stack);
}

describe("npm run models", { skip: needsOpenssl }, () => {
  test("a new stack gets the newest deployable *-mini model pinned in its config, and then validates", async () => {
    writeFileSync(
      join(projectDir, "Pulumi.qa.yaml"),
      "# QA stack: reviewed by the platform team.\nconfig:\n  keyless-openai:compute: none # no compute in QA\n",
    );
    assert.throws(() => validatedConfig("qa"), /npm run models -- --stack qa --pin/);
    state.pageSize = 3; // the catalogue arrives in pages: the client must follow nextLink
    const result = await models(["--stack", "qa", "--pin"]);
    assert.equal(result.code, 0, result.err);
    // Not the newer preview, embedding, AIServices or SKU-retired entries; the newest version of the mini family.
    assert.match(result.out, /Chosen for deployment 'chat': gpt-7-mini 2027-04-02, retires 2028-04-02/);
    assert.match(result.out, /gpt-7 2027-04-02, retires 2028-04-02: npm run models -- --stack qa --family gpt-7 --pin/);
    assert.match(result.out, /nova-chat 2027-05-01/);
    assert.doesNotMatch(result.out, /zeta-mini|text-embedding-9|omega-mini|gpt-5\.4-mini|gpt-4\.1-mini/);
    const text = readFileSync(join(projectDir, "Pulumi.qa.yaml"), "utf8");
    assert.match(text, /^# QA stack: reviewed by the platform team\.$/m, "the file's comments are kept");
    assert.match(text, /compute: none # no compute in QA/);
    assert.match(text, /# Pinned by npm run models on 2027-06-01: /);
    const config = validatedConfig("qa");
    assert.deepEqual(config.deployments, [
      {
        name: "chat",
        model: "gpt-7-mini",
        version: "2027-04-02",
        sku: "GlobalStandard",
        capacity: 10,
        versionUpgradeOption: "OnceNewDefaultVersionAvailable",
      },
    ]);
    assert.equal(config.compute.kind, "none");
    assert.deepEqual(state.protocolErrors, []);
    const modelPages = arm.requests.filter((request) => request.url.pathname.endsWith("/models"));
    assert.ok(modelPages.length >= 4, `followed nextLink (${modelPages.length} pages)`);
  });

  test("--family picks the newest deployable version of that model; an unknown family fails with the alternatives", async () => {
    const picked = await models(["--stack", "qa", "--family", "gpt-7", "--json"]);
    assert.equal(picked.code, 0, picked.err);
    const outcome = JSON.parse(picked.out) as { choice: { chosen: { model: string; version: string } } };
    assert.deepEqual([outcome.choice.chosen.model, outcome.choice.chosen.version], ["gpt-7", "2027-04-02"]);
    const missing = await models(["--stack", "qa", "--family", "gpt-5.4-mini"]);
    assert.equal(missing.code, 1);
    assert.match(missing.out, /No model fits deployment 'chat'/);
    assert.match(
      missing.out,
      /gpt-7-mini 2027-04-02, retires 2028-04-02: npm run models -- --stack qa --family gpt-7-mini --pin/,
    );
  });

  test("quota: a family whose quota left is below the capacity is passed over", async () => {
    const usage = state.usages.find((entry) => entry.name === "OpenAI.GlobalStandard.gpt-7-mini");
    assert.ok(usage);
    usage.currentValue = 995; // 5 left, the deployment wants 10
    const result = await models(["--stack", "qa", "--json"]);
    const outcome = JSON.parse(result.out) as { choice: { chosen: { model: string } } };
    // No other mini fits, so the newest general chat model (not -pro).
    assert.equal(outcome.choice.chosen.model, "nova-chat");
  });

  test("--pin replaces the stack's deployment of that name and keeps its SKU and capacity", async () => {
    stackWith("eu", [
      "name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=DataZoneStandard,capacity=30",
      "name=batch,model=gpt-7,version=2027-04-02",
    ]);
    const result = await models(["--stack", "eu", "--pin"]);
    assert.equal(result.code, 0, result.err);
    assert.match(
      result.out,
      /Replaced name=chat,model=gpt-5\.4-mini,version=2026-03-17,sku=DataZoneStandard,capacity=30 with/,
    );
    const pinned = parse(readFileSync(join(projectDir, "Pulumi.eu.yaml"), "utf8")) as {
      config: Record<string, string[]>;
    };
    assert.deepEqual(pinned.config["keyless-openai:deployments"], [
      "name=chat,model=gpt-7-mini,version=2027-04-02,sku=DataZoneStandard,capacity=30",
      "name=batch,model=gpt-7,version=2027-04-02",
    ]);
  });

  test("--if-unpinned: a stack that pins the deployment is left as it is without asking Azure; one that does not is pinned", async () => {
    const spec = "name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=DataZoneStandard,capacity=30";
    stackWith("ci", [spec]);
    const before = readFileSync(join(projectDir, "Pulumi.ci.yaml"), "utf8");
    const requestsBefore = arm.requests.length;
    let out = "";
    let contextsResolved = 0;
    const code = await runModels(
      ["--stack", "ci", "--if-unpinned", "--project-dir", projectDir],
      (dir) => {
        contextsResolved += 1; // resolving the context is where a real run signs in and runs az account show
        return { credential, subscriptionId: SUBSCRIPTION_ID, armEndpoint: arm.origin, now: NOW, projectDir: dir };
      },
      { out: (text) => (out += text), err: () => {} },
    );
    assert.equal(code, 0);
    assert.match(out, /Stack 'ci' already pins deployment 'chat': name=chat,model=gpt-5\.4-mini,version=2026-03-17/);
    assert.equal(contextsResolved, 0, "no Azure context was resolved");
    assert.equal(arm.requests.length, requestsBefore, "the catalogue was not asked");
    assert.equal(readFileSync(join(projectDir, "Pulumi.ci.yaml"), "utf8"), before, "the file is unchanged");

    // Another deployment name is not pinned by that stack: it is chosen and pinned beside the first.
    const other = await models(["--stack", "ci", "--deployment", "batch", "--if-unpinned"]);
    assert.equal(other.code, 0, other.err);
    assert.match(other.out, /Pinned name=batch,model=gpt-7-mini,version=2027-04-02/);

    // A stack with no pin at all: --if-unpinned pins as --pin does.
    writeFileSync(join(projectDir, "Pulumi.fresh.yaml"), "config:\n  keyless-openai:compute: none\n");
    const fresh = await models(["--stack", "fresh", "--if-unpinned"]);
    assert.equal(fresh.code, 0, fresh.err);
    assert.match(fresh.out, /Pinned name=chat,model=gpt-7-mini,version=2027-04-02,sku=GlobalStandard,capacity=10/);
    assert.deepEqual(
      validatedConfig("fresh").deployments.map((deployment) => deployment.model),
      ["gpt-7-mini"],
    );
    assert.ok(arm.requests.length > requestsBefore, "an unpinned deployment asks the catalogue");
  });

  test("--help exits 0 and documents the rule; no --stack is a usage error", async () => {
    const requestsBefore = arm.requests.length;
    const help = await models(["--help"]);
    assert.equal(help.code, 0);
    assert.match(
      help.out,
      /the newest small \(\*-mini\)\s+general-purpose\s+chat\s+model\s+that\s+is\s+not\s+a\s+reasoning\s+model/,
    );
    assert.match(help.out, /--check {12}for every pinned deployment[\s\S]*A pin is judged as a new deployment/);
    assert.match(help.out, /--renew .*writes each failing pin's replacement/);
    const usage = await models([]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--stack NAME is required/);
    assert.equal(arm.requests.length, requestsBefore, "neither asked Azure anything");
  });
});

describe("preflight check: model", { skip: needsOpenssl }, () => {
  test("a retired configured model fails with the deployable alternatives and the command that switches", async () => {
    const results = await modelChecks(
      preflightContext(stackWith("qa", ["name=chat,model=gpt-4.1-mini,version=2025-04-14"])),
    );
    assert.equal(results.length, 1);
    const [result] = results;
    assert.equal(result?.status, "fail");
    assert.equal(result?.check, "model");
    assert.match(result?.found ?? "", /gpt-4\.1-mini 2025-04-14 is retired since 2026-10-14/);
    assert.match(
      result?.fix ?? "",
      /deployable instead: gpt-7-mini 2027-04-02, gpt-7-pro 2027-05-10, nova-chat 2027-05-01, gpt-7 2027-04-02;/,
    );
    assert.match(result?.fix ?? "", /switch with: npm run models -- --stack qa --family gpt-7-mini --pin$/);
  });

  test("closed to new customers (Deprecating) fails; a newer version of the same family is proposed first", async () => {
    const [closed] = await modelChecks(
      preflightContext(stackWith("qa", ["name=chat,model=gpt-7-mini,version=2027-01-20"])),
    );
    assert.equal(closed?.status, "pass", closed?.found); // GA and open: the older version still passes
    state.models = state.models.map((model) =>
      model.name === "gpt-7-mini" && model.version === "2027-01-20"
        ? { ...model, lifecycleStatus: "Deprecating" }
        : model,
    );
    const [deprecating] = await modelChecks(
      preflightContext(stackWith("qa", ["name=chat,model=gpt-7-mini,version=2027-01-20"])),
    );
    assert.equal(deprecating?.status, "fail");
    assert.match(deprecating?.found ?? "", /Deprecating: closed to new customers/);
    assert.match(deprecating?.fix ?? "", /^deployable instead: gpt-7-mini 2027-04-02/);
  });

  test("retiring within 90 days warns; 91 days out passes", async () => {
    state.models.push(
      {
        name: "soon-mini",
        version: "2026-07-30",
        lifecycleStatus: "GenerallyAvailable",
        retiresOn: "2027-07-31",
        skus: [{ name: "GlobalStandard" }],
      },
      {
        name: "later-mini",
        version: "2026-08-30",
        lifecycleStatus: "GenerallyAvailable",
        retiresOn: "2027-08-31",
        skus: [{ name: "GlobalStandard" }],
      },
    );
    state.usages = plentyOfQuota(state.models);
    const [soon, later] = await modelChecks(
      preflightContext(
        stackWith("qa", [
          "name=chat,model=soon-mini,version=2026-07-30",
          "name=other,model=later-mini,version=2026-08-30",
        ]),
      ),
    );
    assert.equal(soon?.status, "warn");
    assert.match(soon?.found ?? "", /soon-mini 2026-07-30 retires on 2027-07-31, in 60 days/);
    assert.match(soon?.fix ?? "", /npm run models -- --stack qa --family gpt-7-mini --pin$/);
    assert.equal(later?.status, "pass", later?.found);
  });

  test("a SKU the region does not offer for the model fails, naming the SKUs it does offer", async () => {
    const [result] = await modelChecks(
      preflightContext(stackWith("qa", ["name=chat,model=gpt-7,version=2027-04-02,sku=DataZoneStandard"])),
    );
    assert.equal(result?.status, "fail");
    assert.match(
      result?.found ?? "",
      /gpt-7 2027-04-02 is not offered as DataZoneStandard in swedencentral \(offered: GlobalStandard\)/,
    );
    assert.match(result?.fix ?? "", /deployable instead: gpt-7-mini 2027-04-02/);
  });

  test("over the quota left fails; the fix proposes what still fits", async () => {
    const usage = state.usages.find((entry) => entry.name === "OpenAI.GlobalStandard.gpt-7-mini");
    assert.ok(usage);
    usage.limit = 50;
    usage.currentValue = 45;
    const [result] = await modelChecks(
      preflightContext(stackWith("qa", ["name=chat,model=gpt-7-mini,version=2027-04-02,capacity=20"])),
    );
    assert.equal(result?.status, "fail");
    assert.match(result?.found ?? "", /needs capacity 20 but 5 is left of quota OpenAI\.GlobalStandard\.gpt-7-mini/);
    assert.equal(
      result?.fix,
      "deployable instead: nova-chat 2027-05-01, gpt-7-pro 2027-05-10, gpt-7 2027-04-02; switch with: npm run models -- --stack qa --family nova-chat --pin",
    );
  });

  test("a deployable model passes", async () => {
    const [result] = await modelChecks(
      preflightContext(stackWith("qa", ["name=chat,model=nova-chat,version=2027-05-01"])),
    );
    assert.deepEqual(result, {
      check: "model",
      status: "pass",
      found:
        "deployment 'chat' (nova-chat 2027-05-01, GlobalStandard, capacity 10) is open to new customers in swedencentral, not retiring within 90 days, and fits the quota left",
    });
    assert.deepEqual(state.protocolErrors, []);
  });
});

describe("the default pick on swedencentral as Azure served it (2025-04-10)", { skip: needsOpenssl }, () => {
  /** The day the catalogue was saved (tests/fixtures/catalogue/swedencentral-2025-04-10.json names the source). */
  const SAVED_ON = new Date("2025-04-10T12:00:00Z");
  const SWEDENCENTRAL = JSON.parse(
    readFileSync(join(ROOT, "tests", "fixtures", "catalogue", "swedencentral-2025-04-10.json"), "utf8"),
  ) as { value: unknown[] };

  beforeEach(() => {
    state.recordedModels = SWEDENCENTRAL.value;
    // The source saved no usages list: quota is assumed, 1000 left for every GlobalStandard usageName it names, so
    // quota decides nothing unless a test uses some up.
    state.usages = [
      "gpt-4-turbo-2024-0409",
      "gpt-4o",
      "gpt-4o-mini",
      "gpt-4o-mini-realtime-preview",
      "gpt-4.5",
      "o1-mini",
      "o1",
      "o3-mini",
    ].map((name) => ({ name: `OpenAI.GlobalStandard.${name}`, limit: 1000, currentValue: 0 }));
    writeFileSync(join(projectDir, "Pulumi.se.yaml"), "config:\n  keyless-openai:compute: none\n");
  });

  afterEach(() => {
    state.recordedModels = undefined;
  });

  async function modelsOn(args: string[], now: Date) {
    let out = "";
    let err = "";
    const code = await runModels(
      [...args, "--project-dir", projectDir],
      (dir) => ({ credential, subscriptionId: SUBSCRIPTION_ID, armEndpoint: arm.origin, now, projectDir: dir }),
      { out: (text) => (out += text), err: (text) => (err += text) },
    );
    return { code, out, err };
  }

  test("picks gpt-4o-mini, not the newer reasoning o3-mini that the newest-*-mini rule picked", async () => {
    const result = await modelsOn(["--stack", "se", "--json"], SAVED_ON);
    assert.equal(result.code, 0, result.err);
    const { choice } = JSON.parse(result.out) as {
      choice: {
        chosen: { model: string; version: string; retiresOn: string };
        alternatives: { model: string; version: string }[];
        fallback?: string;
      };
    };
    assert.deepEqual(choice.chosen, {
      model: "gpt-4o-mini",
      version: "2024-07-18",
      retiresOn: "2025-07-20T00:00:00.000Z",
    });
    assert.notEqual(choice.chosen.model, "o3-mini");
    assert.equal(choice.fallback, undefined);
    // Newest version of each other family: no preview (gpt-4.5-preview 2025-02-27, gpt-4o-mini-realtime-preview),
    // no undated version (gpt-4 turbo-2024-04-09), and gpt-4o 2024-05-13 (retires 2025-06-30, within 90 days) is
    // superseded by 2024-11-20.
    assert.deepEqual(
      choice.alternatives.map((candidate) => `${candidate.model} ${candidate.version}`),
      ["o3-mini 2025-01-31", "o1 2024-12-17", "gpt-4o 2024-11-20", "o1-mini 2024-09-12"],
    );
    assert.deepEqual(state.protocolErrors, []);
  });

  test("with gpt-4o-mini's quota used up, the small reasoning o3-mini, and it says why", async () => {
    const usage = state.usages.find((entry) => entry.name === "OpenAI.GlobalStandard.gpt-4o-mini");
    assert.ok(usage);
    usage.currentValue = 995; // 5 left, the deployment wants 10
    const result = await modelsOn(["--stack", "se"], SAVED_ON);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /Chosen for deployment 'chat': o3-mini 2025-01-31, retires 2026-02-01/);
    assert.match(
      result.out,
      /Why this one: no small non-reasoning chat model is deployable, so a small reasoning model\./,
    );
  });

  test("--pin writes gpt-4o-mini 2024-07-18 into the stack", async () => {
    const result = await modelsOn(["--stack", "se", "--pin"], SAVED_ON);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /Pinned name=chat,model=gpt-4o-mini,version=2024-07-18,sku=GlobalStandard,capacity=10/);
    assert.deepEqual(
      validatedConfig("se").deployments.map((deployment) => `${deployment.model} ${deployment.version}`),
      ["gpt-4o-mini 2024-07-18"],
    );
  });
});

after(() => (needsOpenssl ? undefined : rmSync(projectDir, { recursive: true, force: true })));
