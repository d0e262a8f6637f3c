/**
 * `npm run preflight`: every check passing and failing against an ARM stand-in on 127.0.0.1 (HTTPS, the documented
 * bodies) through the real @azure/arm-* clients, signed in through the real @azure/identity AzureCliCredential and a
 * stand-in `az`. The command itself runs as a child process for --help, --json, the exit codes and --fix.
 * Expected values are literals from the sources the checks cite (built-in role permissions from Learn's built-in
 * roles pages, the Contributor NotActions, capability names from `az vm list-skus`).
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import * as tls from "node:tls";
import { AzureCliCredential } from "@azure/identity";
import { stringify } from "yaml";
import { type ChildRun, runChild } from "./support/process";

import program = require("../index");

import { roleAssignmentName } from "../lib/role-assignment";
import { runProgram } from "../scripts/core/offline-engine";
import { plannedResources } from "../scripts/core/preflight/arm-body";
import { identityFromToken } from "../scripts/core/preflight/azure";
import { providersNeeded } from "../scripts/core/preflight/checks/providers";
import { writeActionsNeeded } from "../scripts/core/preflight/checks/rights";
import { actionPattern, permits } from "../scripts/core/preflight/permissions";
import { type PreflightReport, runPreflight } from "../scripts/core/preflight/run";
import { resolveSubscription } from "../scripts/core/preflight/target";
import type { CheckResult } from "../scripts/core/preflight/types";
import {
  BUILT_IN_ROLE_DEFINITIONS,
  healthyWorld,
  type PreflightArmState,
  preflightArmRoutes,
} from "./standins/arm-preflight";
import { createStandInAzureCli, type StandInAzureCli } from "./standins/az-cli";
import { type CatalogueState, catalogueRoutes, usageNameOf } from "./standins/catalogue";
import { imdsRoutes } from "./standins/identity";
import {
  namingConventionDenyAssignment,
  type PolicyInsightsState,
  policyInsightsRoutes,
} from "./standins/policy-insights";
import { SUBSCRIPTION_ID, USER_PRINCIPAL, VM_PRINCIPAL } from "./standins/principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { STAND_IN_TENANT_ID } from "./standins/tokens";
import { missingTool } from "./support/tools";

const ROOT = join(__dirname, "..");
const STACK = "pf";
const LOCATION = "swedencentral";
const GROUP = "rg-preflight";
const GROUP_ID = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${GROUP}`;
/** Cognitive Services User (Learn, built-in roles, AI + machine learning). */
const COGNITIVE_SERVICES_USER = "a97b65f3-24c7-4388-baec-2e87135dc908";
/** A group object ID in the offline engine's stand-in directory (scripts/core/offline-engine.ts DEFAULT_DIRECTORY). */
const DIRECTORY_GROUP = "b0b0b0b0-0000-4000-8000-000000000003";
const DEPLOYMENT = "name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=GlobalStandard,capacity=10";

let certificate: TlsMaterial;
let projects = 0;
let az: StandInAzureCli;
const scratch = mkdtempSync(join(tmpdir(), "preflight-test-"));
const originalPath = process.env.PATH;

/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
const needsOpenssl = missingTool("openssl");

before(() => {
  if (needsOpenssl) return;
  certificate = createSelfSignedCertificate();
  // The ARM clients in this process trust the stand-in's certificate (child processes get NODE_EXTRA_CA_CERTS).
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), certificate.certPem]);
  az = createStandInAzureCli(USER_PRINCIPAL);
  process.env.PATH = [az.binDirectory, dirname(process.execPath), originalPath].join(":");
});

after(() => {
  if (needsOpenssl) return;
  process.env.PATH = originalPath;
  az.dispose();
  certificate.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A project directory as a user's checkout has it: the repository's Pulumi.yaml and package.json (whose @pulumi/*
 * dependencies make provider keys such as azure-native:tenantId valid), an index.ts that is the repository's program,
 * and a stack file holding `config` (keys without namespace are the project's).
 */
function projectWith(name: string, config: Record<string, unknown>): string {
  const directory = join(scratch, name);
  mkdirSync(directory, { recursive: true });
  const full: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) full[key.includes(":") ? key : `keyless-openai:${key}`] = value;
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(directory, "Pulumi.yaml"));
  copyFileSync(join(ROOT, "package.json"), join(directory, "package.json"));
  writeFileSync(join(directory, "index.ts"), `export = require(${JSON.stringify(join(ROOT, "index"))});\n`);
  writeFileSync(join(directory, `Pulumi.${STACK}.yaml`), stringify({ config: full }));
  return directory;
}

const BASE_CONFIG = { location: LOCATION, resourceGroupName: GROUP, deployments: [DEPLOYMENT] };

/** The signed-in user as Owner of the subscription: everything the stack needs is allowed. */
function ownerWorld(): PreflightArmState {
  const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
  world.roleAssignments.push({
    name: "11111111-0000-4000-8000-00000000000a",
    scope: `/subscriptions/${SUBSCRIPTION_ID}`,
    roleGuid: BUILT_IN_ROLE_DEFINITIONS.owner.guid,
    principalId: USER_PRINCIPAL.objectId,
    principalType: "User",
  });
  return world;
}

interface Run {
  report: PreflightReport;
  world: PreflightArmState;
  arm: StandInServer;
}

/** The clock the model check judges dates by: the day this was written. */
const NOW = new Date("2026-11-29T00:00:00Z");

/** The region's catalogue: the configured model is generally available and has quota left (tests/standins/catalogue.ts). */
function catalogueFor(subscriptionId: string): CatalogueState {
  return {
    subscriptionId,
    location: LOCATION,
    models: [
      {
        name: "gpt-5.4-mini",
        version: "2026-03-17",
        lifecycleStatus: "GenerallyAvailable",
        retiresOn: "2027-09-17",
        skus: [{ name: "GlobalStandard" }],
      },
    ],
    usages: [{ name: usageNameOf("GlobalStandard", "gpt-5.4-mini"), limit: 1000, currentValue: 0 }],
    protocolErrors: [],
  };
}

/** Azure Policy's evaluator for a world: its resource groups, and no Deny assignment unless a test adds one. */
function policyFor(world: PreflightArmState): PolicyInsightsState {
  return {
    subscriptionId: world.subscriptionId,
    resourceGroups: new Set(world.resourceGroups),
    assignments: [],
    protocolErrors: [],
  };
}

/** The ARM routes of a world: preflight's own, the model catalogue and Azure Policy's evaluator. */
function armRoutesOf(
  world: PreflightArmState,
  catalogue: CatalogueState = catalogueFor(world.subscriptionId),
  policy: PolicyInsightsState = policyFor(world),
) {
  return [...preflightArmRoutes(world), ...catalogueRoutes(catalogue), ...policyInsightsRoutes(policy)];
}

/** Runs preflight in-process against a stand-in serving `world`, for a stack configured with `config`. */
async function preflight(
  world: PreflightArmState,
  config: Record<string, unknown> = BASE_CONFIG,
  options: {
    fix?: boolean;
    env?: NodeJS.ProcessEnv;
    catalogue?: CatalogueState;
    policy?: PolicyInsightsState;
    readAzAccount?: () => Promise<{ id: string } | undefined>;
  } = {},
): Promise<Run> {
  const arm = await startStandIn({ routes: armRoutesOf(world, options.catalogue, options.policy), tls: certificate });
  try {
    const report = await runPreflight({
      stack: STACK,
      fix: options.fix ?? false,
      armEndpoint: arm.origin,
      credential: new AzureCliCredential(),
      projectDir: projectWith(`project-${++projects}`, config),
      env: options.env ?? {},
      now: NOW,
      ...(options.readAzAccount ? { readAzAccount: options.readAzAccount } : {}),
    });
    return { report, world, arm };
  } finally {
    await arm.close();
  }
}

function resultsOf(report: PreflightReport, check: string): CheckResult[] {
  return report.results.filter((result) => result.check === check);
}

function only(report: PreflightReport, check: string): CheckResult {
  const results = resultsOf(report, check);
  assert.equal(results.length, 1, `one ${check} result: ${JSON.stringify(report.results, null, 2)}`);
  return results[0] as CheckResult;
}

describe("permission evaluation (Azure RBAC actions / notActions)", { skip: needsOpenssl }, () => {
  const write = "Microsoft.Authorization/roleAssignments/write";
  const purge = "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete";

  test("Owner and User Access Administrator may assign roles; Contributor and Reader may not", () => {
    // Mutation check: making permits() ignore notActions made the Contributor assertion fail.
    assert.equal(permits([{ actions: ["*"] }], write), true);
    assert.equal(permits([{ actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] }], write), true);
    assert.equal(permits(BUILT_IN_ROLE_DEFINITIONS.contributor.permissions, write), false);
    assert.equal(permits([{ actions: ["*/read"] }], write), false);
  });

  test("notActions subtract only from their own role: Contributor plus User Access Administrator may assign", () => {
    const both = [
      ...BUILT_IN_ROLE_DEFINITIONS.contributor.permissions,
      ...BUILT_IN_ROLE_DEFINITIONS.userAccessAdministrator.permissions,
    ];
    assert.equal(permits(both, write), true);
  });

  test("Contributor may purge deleted accounts; Reader may not", () => {
    assert.equal(permits(BUILT_IN_ROLE_DEFINITIONS.contributor.permissions, purge), true);
    assert.equal(permits([{ actions: ["*/read"] }], purge), false);
  });

  test("wildcards match any characters including '/', case-insensitively, and nothing else is special", () => {
    assert.equal(actionPattern("Microsoft.Authorization/*/Write").test(write), true);
    assert.equal(actionPattern("microsoft.authorization/ROLEASSIGNMENTS/WRITE").test(write), true);
    assert.equal(actionPattern("Microsoft.Authorization/roleAssignments/*").test(write), true);
    assert.equal(actionPattern("Microsoft.Authorization/roleAssignments/read").test(write), false);
    // '.' is literal: "MicrosoftXAuthorization" must not match "Microsoft.Authorization".
    assert.equal(
      actionPattern("Microsoft.Authorization/*").test("MicrosoftXAuthorization/roleAssignments/write"),
      false,
    );
  });
});

describe("the signed-in identity from the ARM token's claims", { skip: needsOpenssl }, () => {
  const jwt = (claims: Record<string, unknown>) =>
    ["{}", JSON.stringify(claims), "signature"].map((part) => Buffer.from(part).toString("base64url")).join(".");
  const base = { oid: "aaaaaaaa-0000-4000-8000-000000000001", tid: STAND_IN_TENANT_ID };

  // Claims as Entra ID issues them (Learn, "Access token claims reference"): a user's token always carries `scp`
  // (delegated scopes, `user_impersonation` for ARM) and a UPN; an app-only token has no `scp`, and `idtyp: app` where
  // the resource asks for that optional claim.
  test("idtyp decides; without it scp (only in user tokens) means a user, and no scp an application", () => {
    const scp = "user_impersonation";
    assert.equal(
      identityFromToken(jwt({ ...base, idtyp: "user", scp, upn: "dev@contoso.example" })).principalType,
      "User",
    );
    assert.equal(identityFromToken(jwt({ ...base, idtyp: "app", appid: "x" })).principalType, "ServicePrincipal");
    assert.deepEqual(
      identityFromToken(
        jwt({ ...base, scp, unique_name: "dev@contoso.example", appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" }),
      ),
      {
        ...{ objectId: base.oid, tenantId: base.tid },
        principalType: "User",
        userPrincipalName: "dev@contoso.example",
        appId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      },
    );
    assert.deepEqual(identityFromToken(jwt({ ...base, azp: "cccccccc-1111-4000-8000-000000000003" })), {
      objectId: base.oid,
      tenantId: base.tid,
      principalType: "ServicePrincipal",
      appId: "cccccccc-1111-4000-8000-000000000003",
    });
    // An app-only token whose name claims look like a person's is still an application: only scp/idtyp decide.
    assert.equal(
      identityFromToken(jwt({ ...base, azp: "cccccccc-1111-4000-8000-000000000003", preferred_username: "ci@x" }))
        .principalType,
      "ServicePrincipal",
    );
  });

  test("a token without oid or tid, or not a JWT, says so", () => {
    assert.throws(() => identityFromToken(jwt({ tid: base.tid })), /no object ID \(oid\) or tenant \(tid\)/);
    assert.throws(() => identityFromToken("not-a-jwt"), /not a JWT/);
  });
});

describe("subscription pulumi up will use (azure-native's order)", { skip: needsOpenssl }, () => {
  const cli = async () => ({ id: "cccccccc-0000-0000-0000-000000000003" });
  test("stack config azure-native:subscriptionId beats ARM_SUBSCRIPTION_ID, which beats az account show", async () => {
    const values = { "azure-native:subscriptionId": "aaaaaaaa-0000-0000-0000-000000000001" };
    const env = { ARM_SUBSCRIPTION_ID: "bbbbbbbb-0000-0000-0000-000000000002" };
    assert.deepEqual(await resolveSubscription(values, env, cli), {
      subscriptionId: "aaaaaaaa-0000-0000-0000-000000000001",
      source: "stack config azure-native:subscriptionId",
    });
    assert.deepEqual(await resolveSubscription({}, env, cli), {
      subscriptionId: "bbbbbbbb-0000-0000-0000-000000000002",
      source: "ARM_SUBSCRIPTION_ID",
    });
    assert.deepEqual(await resolveSubscription({}, {}, cli), {
      subscriptionId: "cccccccc-0000-0000-0000-000000000003",
      source: "az account show",
    });
    assert.equal(await resolveSubscription({}, {}, async () => undefined), undefined);
  });
});

describe("preflight checks against the ARM stand-in", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("a healthy subscription passes every check; identity, tenant and subscription come from the token and ARM", async () => {
    const tokensBefore = az.invocations().filter((args) => args[1] === "get-access-token").length;
    const { report, world, arm } = await preflight(ownerWorld());
    assert.equal(report.exitCode, 0, JSON.stringify(report.results, null, 2));
    // Checks share answers: ARM is asked each question once (mutation check: without the runner's memo, the
    // subscription's role assignments were listed three times).
    // (Azure Policy's evaluator is asked once per planned resource: the same URL, a different body each time.)
    const questions = arm.requests.map(
      (request) => `${request.method} ${request.url.pathname}${request.url.search} ${request.body}`,
    );
    assert.deepEqual(
      questions.filter((question, index) => questions.indexOf(question) !== index),
      [],
    );
    console.log(`preflight (in-process, stand-in ARM): ${questions.length} ARM requests`);
    assert.deepEqual(
      report.results.filter((result) => result.status !== "pass"),
      [],
      "nothing warns or fails",
    );
    assert.deepEqual(
      [...new Set(report.results.map((result) => result.check))],
      [
        "config",
        "identity",
        "location",
        "providers",
        "resource-rights",
        "role-assignment-rights",
        "purge-rights",
        "model",
        "subdomain",
        "vm-size",
        "flex-consumption",
        "role-assignment-conflicts",
        "azure-policy",
      ],
    );
    const identity = only(report, "identity");
    assert.match(identity.found, /user dev@contoso\.example \(object ID aaaaaaaa-0000-4000-8000-000000000001\)/);
    assert.match(identity.found, new RegExp(`tenant ${STAND_IN_TENANT_ID}`));
    assert.match(
      identity.found,
      /subscription 'Stand-in subscription' \(00000000-1111-2222-3333-444444444444, Enabled\)/,
    );
    assert.match(identity.found, /from az account show/);
    assert.ok(
      az.invocations().some((args) => args.join(" ") === "account show --output json"),
      "the Azure CLI's active subscription was asked for",
    );
    assert.equal(report.subscriptionId, SUBSCRIPTION_ID);
    assert.equal(report.tenantId, STAND_IN_TENANT_ID);
    assert.deepEqual(world.protocolErrors, []);
    assert.deepEqual(world.registered, [], "read-only without --fix");
    // Mutation check: without the runner's token cache every client asked the Azure CLI again (12 calls).
    assert.equal(
      az.invocations().filter((args) => args[1] === "get-access-token").length - tokensBefore,
      1,
      "one ARM token from the Azure CLI for the whole run",
    );
  });

  test("config: an invalid stack config is the first failure and nothing is asked of Azure", async () => {
    const { report, arm } = await preflight(ownerWorld(), { ...BASE_CONFIG, location: "Mars North" });
    assert.equal(report.exitCode, 1);
    assert.deepEqual(
      report.results.map((result) => [result.check, result.status]),
      [["config", "fail"]],
    );
    assert.match(only(report, "config").found, /location = "Mars North"/);
    assert.equal(arm.requests.length, 0);
  });

  test("identity: a subscription that is Disabled fails, and no other check runs", async () => {
    const world = ownerWorld();
    world.subscription = { displayName: "Stand-in subscription", state: "Disabled" };
    // Mutation check: reporting every subscription state as pass made this test fail.
    const { report } = await preflight(world);
    assert.equal(report.exitCode, 1);
    assert.equal(only(report, "identity").status, "fail");
    assert.match(only(report, "identity").found, /Disabled/);
    assert.deepEqual(resultsOf(report, "providers"), []);
  });

  test("identity: a subscription the identity cannot see fails and says how to choose another", async () => {
    const world = ownerWorld();
    world.subscription = undefined;
    const { report } = await preflight(world, BASE_CONFIG, { env: { ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID } });
    const identity = only(report, "identity");
    assert.equal(identity.status, "fail");
    assert.match(
      identity.found,
      /cannot read subscription 00000000-1111-2222-3333-444444444444 \(from ARM_SUBSCRIPTION_ID\)/,
    );
    assert.match(identity.fix ?? "", /az account set --subscription ID/);
  });

  test("identity: signed out of the Azure CLI fails first and says to sign in", async () => {
    const signedOut = createStandInAzureCli(USER_PRINCIPAL, { signedIn: false });
    process.env.PATH = [signedOut.binDirectory, dirname(process.execPath), originalPath].join(":");
    try {
      const { report, arm } = await preflight(ownerWorld());
      assert.deepEqual(
        report.results.map((result) => [result.check, result.status]),
        [
          ["config", "pass"],
          ["identity", "fail"],
        ],
      );
      assert.match(only(report, "identity").found, /nobody is signed in for Azure Resource Manager/);
      assert.match(only(report, "identity").fix ?? "", /az login/);
      assert.equal(arm.requests.length, 0);
    } finally {
      process.env.PATH = [az.binDirectory, dirname(process.execPath), originalPath].join(":");
      signedOut.dispose();
    }
  });

  test("identity: no subscription chosen anywhere fails with the commands that choose one", async () => {
    const { report } = await preflight(ownerWorld(), BASE_CONFIG, { readAzAccount: async () => undefined });
    const identity = only(report, "identity");
    assert.equal(identity.status, "fail");
    assert.match(identity.found, /no subscription is chosen/);
    assert.match(
      identity.fix ?? "",
      /az account set --subscription ID, or npm run pulumi -- config set azure-native:subscriptionId ID --stack pf/,
    );
  });

  test("identity: azure-native configured for another tenant than the token's fails", async () => {
    const other = "99999999-0000-4000-8000-0000000000ff";
    const { report } = await preflight(ownerWorld(), { ...BASE_CONFIG, "azure-native:tenantId": other });
    const failures = resultsOf(report, "identity").filter((result) => result.status === "fail");
    assert.equal(failures.length, 1);
    assert.match(
      failures[0]?.found ?? "",
      new RegExp(`configured for tenant ${other} .* from tenant ${STAND_IN_TENANT_ID}`),
    );
    assert.match(failures[0]?.fix ?? "", new RegExp(`az login --tenant ${other}`));
    assert.deepEqual(resultsOf(report, "providers"), [], "no other check runs");
  });

  test("providers: an unregistered provider fails with the --fix command; --fix registers it", async () => {
    const world = ownerWorld();
    world.providers["Microsoft.Web"] = "NotRegistered";
    delete world.providers["Microsoft.Insights"];
    // Mutation check: treating every provider as Registered made this test fail.
    const { report } = await preflight(world);
    const providers = only(report, "providers");
    assert.equal(providers.status, "fail");
    assert.match(providers.found, /Microsoft\.Insights \(NotRegistered\), Microsoft\.Web \(NotRegistered\)/);
    assert.match(providers.fix ?? "", /npm run preflight -- --stack pf --fix/);
    assert.deepEqual(world.registered, []);

    const fixed = await preflight(world, BASE_CONFIG, { fix: true });
    assert.deepEqual(world.registered, ["Microsoft.Insights", "Microsoft.Web"]);
    const afterFix = only(fixed.report, "providers");
    assert.equal(afterFix.status, "warn");
    assert.match(
      afterFix.found,
      /started registration: Microsoft\.Insights \(Registering\), Microsoft\.Web \(Registering\)/,
    );
    assert.equal(fixed.report.exitCode, 0);
  });

  test("providers: compute none needs Cognitive Services and its diagnostics (Log Analytics, Insights) only", async () => {
    const world = ownerWorld();
    world.providers["Microsoft.Compute"] = "NotRegistered";
    world.providers["Microsoft.Web"] = "NotRegistered";
    const { report } = await preflight(world, { ...BASE_CONFIG, compute: "none" });
    assert.equal(only(report, "providers").status, "pass");
    assert.match(
      only(report, "providers").found,
      /\(Microsoft\.CognitiveServices, Microsoft\.Insights, Microsoft\.OperationalInsights\)$/,
    );
  });

  test("providers: a private stack needs exactly the namespaces it plans, all reported when none is registered", async () => {
    const world = ownerWorld();
    for (const namespace of Object.keys(world.providers)) world.providers[namespace] = "NotRegistered";
    const { report } = await preflight(world, { ...BASE_CONFIG, compute: "both", networkMode: "private" });
    assert.equal(
      only(report, "providers").found,
      "not registered in subscription 00000000-1111-2222-3333-444444444444: Microsoft.CognitiveServices (NotRegistered), Microsoft.Compute (NotRegistered), Microsoft.DevTestLab (NotRegistered), Microsoft.Insights (NotRegistered), Microsoft.ManagedIdentity (NotRegistered), Microsoft.Network (NotRegistered), Microsoft.OperationalInsights (NotRegistered), Microsoft.Storage (NotRegistered), Microsoft.Web (NotRegistered)",
    );
  });

  test("resource-rights: a Contributor may not deploy a protected stack: its resource group lock needs Microsoft.Authorization/locks/write", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    world.roleAssignments.push({
      name: "77777777-0000-4000-8000-000000000019",
      scope: `/subscriptions/${SUBSCRIPTION_ID}`,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.contributor.guid,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const protectedStack = { ...BASE_CONFIG, networkMode: "private", production: true, protect: "true" };
    const rights = only((await preflight(world, protectedStack)).report, "resource-rights");
    assert.equal(rights.status, "fail");
    assert.match(rights.found, /: no role grants Microsoft\.Authorization\/locks\/write \(read from/);
    assert.match(rights.fix ?? "", /--role Owner/);
    // The same Contributor may deploy the unprotected stack: every other planned write action is granted.
    assert.equal(only((await preflight(world, BASE_CONFIG)).report, "resource-rights").status, "pass");
  });

  test("azure-policy: the runner reports a Deny Azure Policy's evaluator finds for a planned resource", async () => {
    const world = ownerWorld();
    const policy = policyFor(world);
    // A corporate naming convention the stack's resource group (rg-preflight) breaks. Mutation check: leaving
    // azure-policy out of the runner's CHECKS made this test fail (no azure-policy result).
    policy.assignments.push(
      namingConventionDenyAssignment(
        `/subscriptions/${SUBSCRIPTION_ID}`,
        "corp-rg-names",
        "Microsoft.Resources/resourceGroups",
        "rg-corp-*",
      ),
    );
    const { report, arm } = await preflight(world, BASE_CONFIG, { policy });
    const denied = resultsOf(report, "azure-policy").filter((result) => result.status === "fail");
    assert.equal(denied.length, 1, JSON.stringify(report.results, null, 2));
    assert.match(
      denied[0]?.found ?? "",
      /^Microsoft\.Resources\/resourceGroups 'rg-preflight' \(.*\) would be denied by policy assignment 'corp-rg-names'/,
    );
    assert.equal(report.exitCode, 1);
    assert.deepEqual(policy.protocolErrors, []);
    // The group does not exist yet: asked at subscription scope, one request per planned Azure resource.
    assert.ok(
      arm.requests.some((request) =>
        request.url.pathname.endsWith(
          "/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.PolicyInsights/checkPolicyRestrictions",
        ),
      ),
    );
    const compliant = await preflight(ownerWorld(), BASE_CONFIG, { policy: policyFor(world) });
    assert.deepEqual(
      resultsOf(compliant.report, "azure-policy").map((result) => result.status),
      ["pass"],
    );
  });

  test("role-assignment-rights: a Contributor on the existing group may not assign roles (NotActions), an Owner may", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    world.resourceGroups.push(GROUP);
    world.roleAssignments.push({
      name: "22222222-0000-4000-8000-00000000000b",
      scope: GROUP_ID,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.contributor.guid,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const { report } = await preflight(world);
    const rights = only(report, "role-assignment-rights");
    assert.equal(rights.status, "fail");
    assert.match(rights.found, /may not create role assignments on resource group rg-preflight/);
    assert.match(rights.found, /ARM's permissions list for the group/);
    assert.match(rights.fix ?? "", /Role Based Access Control Administrator/);
    assert.equal(report.exitCode, 1);

    world.roleAssignments.push({
      name: "33333333-0000-4000-8000-00000000000c",
      scope: GROUP_ID,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.owner.guid,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const again = await preflight(world);
    assert.equal(only(again.report, "role-assignment-rights").status, "pass");
  });

  test("role-assignment-rights: before the group exists, the subscription's assignments decide, including a group's", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    const platformTeam = "44444444-0000-4000-8000-00000000000d";
    world.groupMemberships[USER_PRINCIPAL.objectId] = [platformTeam];
    world.roleAssignments.push({
      name: "55555555-0000-4000-8000-00000000000e",
      scope: `/subscriptions/${SUBSCRIPTION_ID}`,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.contributor.guid,
      principalId: platformTeam,
      principalType: "Group",
    });
    // Mutation check: asking with `principalId eq` instead of `assignedTo()` (no group memberships) made this fail.
    const { report } = await preflight(world);
    const rights = only(report, "role-assignment-rights");
    assert.equal(rights.status, "fail");
    assert.match(rights.found, /resource group rg-preflight does not exist yet/);
    assert.equal(only(report, "purge-rights").status, "pass", "Contributor through the group may purge");

    world.roleAssignments.push({
      name: "66666666-0000-4000-8000-00000000000f",
      scope: "/",
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.userAccessAdministrator.guid,
      principalId: platformTeam,
      principalType: "Group",
    });
    assert.equal(only((await preflight(world)).report, "role-assignment-rights").status, "pass");
  });

  test("purge-rights: warns when the identity may not purge deleted accounts on the subscription", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    // A custom role some organisations use: everything but purging, plus User Access Administrator to assign roles.
    world.roleDefinitions.push({
      guid: "eeeeeeee-0000-4000-8000-000000000017",
      roleName: "Deployer without purge",
      permissions: [
        { actions: ["*"], notActions: ["Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete"] },
      ],
    });
    for (const roleGuid of [
      "eeeeeeee-0000-4000-8000-000000000017",
      BUILT_IN_ROLE_DEFINITIONS.userAccessAdministrator.guid,
    ]) {
      world.roleAssignments.push({
        name: `77777777-0000-4000-8000-${roleGuid.slice(0, 12)}`,
        scope: `/subscriptions/${SUBSCRIPTION_ID}`,
        roleGuid,
        principalId: USER_PRINCIPAL.objectId,
        principalType: "User",
      });
    }
    const { report } = await preflight(world);
    const purge = only(report, "purge-rights");
    assert.equal(purge.status, "warn");
    assert.match(purge.found, /Microsoft\.CognitiveServices\/locations\/resourceGroups\/deletedAccounts\/delete/);
    assert.match(purge.found, /blocked for 48 hours/);
    assert.equal(only(report, "role-assignment-rights").status, "pass");
    assert.equal(only(report, "resource-rights").status, "pass");
    assert.equal(report.exitCode, 0, "a warning does not stop the deploy");
  });

  test("resource-rights: User Access Administrator alone may assign roles but not create the stack's resources", async () => {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    world.roleAssignments.push({
      name: "77777777-0000-4000-8000-000000000018",
      scope: `/subscriptions/${SUBSCRIPTION_ID}`,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.userAccessAdministrator.guid,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    // Mutation check: evaluating resource rights with the role-assignment action only made this test fail.
    const { report } = await preflight(world, { ...BASE_CONFIG, compute: "none" });
    const rights = only(report, "resource-rights");
    assert.equal(rights.status, "fail");
    assert.match(
      rights.found,
      /no role grants Microsoft\.CognitiveServices\/accounts\/deployments\/write, Microsoft\.CognitiveServices\/accounts\/write, Microsoft\.Insights\/diagnosticSettings\/write, Microsoft\.OperationalInsights\/workspaces\/write, Microsoft\.Resources\/subscriptions\/resourceGroups\/write \(/,
    );
    assert.match(rights.fix ?? "", /--role Contributor --scope \/subscriptions\/00000000-1111-2222-3333-444444444444$/);
    assert.equal(only(report, "role-assignment-rights").status, "pass");
  });

  test("subdomain: a fixed name that is free passes; one taken elsewhere fails", async () => {
    const config = { ...BASE_CONFIG, accountSubdomain: "kl-preflight-one" };
    assert.equal(only((await preflight(ownerWorld(), config)).report, "subdomain").status, "pass");
    const world = ownerWorld();
    world.takenSubdomains.push("kl-preflight-one");
    // Mutation check: ignoring isSubdomainAvailable made this test fail.
    const subdomain = only((await preflight(world, config)).report, "subdomain");
    assert.equal(subdomain.status, "fail");
    assert.match(subdomain.found, /kl-preflight-one is not available/);
    assert.match(subdomain.fix ?? "", /npm run pulumi -- config set accountSubdomain NEW-NAME --stack pf/);
  });

  test("subdomain: a name held by a soft-deleted account of the subscription fails with the purge command", async () => {
    const world = ownerWorld();
    world.deletedAccounts.push({ name: "kl-preflight-two", location: "eastus2", resourceGroup: GROUP });
    // Mutation check: skipping the deleted-accounts list made this test fail (checkDomainAvailability alone says
    // "not available" without the purge command).
    const { report } = await preflight(world, { ...BASE_CONFIG, accountSubdomain: "kl-preflight-two" });
    const subdomain = only(report, "subdomain");
    assert.equal(subdomain.status, "fail");
    assert.match(
      subdomain.found,
      /soft-deleted account kl-preflight-two \(location eastus2, resource group rg-preflight\)/,
    );
    assert.match(
      subdomain.fix ?? "",
      /az cognitiveservices account purge --location eastus2 --resource-group rg-preflight --name kl-preflight-two/,
    );
    assert.match(subdomain.fix ?? "", /npm run destroy -- --stack pf/);
  });

  test("subdomain: the stack's own deployed account passes; a derived name says it cannot be checked yet", async () => {
    const world = ownerWorld();
    world.resourceGroups.push(GROUP);
    world.accounts[GROUP] = ["kl-preflight-three"];
    const own = only(
      (await preflight(world, { ...BASE_CONFIG, accountSubdomain: "kl-preflight-three" })).report,
      "subdomain",
    );
    assert.equal(own.status, "pass");
    assert.match(own.found, /already exists in resource group rg-preflight/);
    const derived = only((await preflight(ownerWorld())).report, "subdomain");
    assert.equal(derived.status, "pass");
    assert.match(derived.found, /derived \(keyless-openai-pf-<random suffix>\).*nothing to check before it/);
  });

  test("vm-size: restricted for the subscription (NotAvailableForSubscription) fails with usable sizes", async () => {
    const world = ownerWorld();
    const skus = world.vmSkus[LOCATION] ?? [];
    const wanted = skus.find((sku) => sku.name === "Standard_B2ats_v2");
    assert.ok(wanted);
    wanted.restrictedFor = "NotAvailableForSubscription";
    // Mutation check: ignoring restrictions made this test fail.
    const vm = only((await preflight(world)).report, "vm-size");
    assert.equal(vm.status, "fail");
    assert.match(vm.found, /restricted in swedencentral .*NotAvailableForSubscription/);
    assert.match(vm.fix ?? "", /usable here: Standard_B2s/);
  });

  test("vm-size: a size without Trusted Launch fails while vmTrustedLaunch is on and passes when it is off", async () => {
    const world = ownerWorld();
    world.vmSkus[LOCATION]?.push({
      name: "Standard_A2_v2",
      capabilities: { HyperVGenerations: "V1", TrustedLaunchDisabled: "True" },
    });
    const config = { ...BASE_CONFIG, vmSize: "Standard_A2_v2" };
    // Mutation check: skipping the Trusted Launch capability test made this test fail.
    const vm = only((await preflight(world, config)).report, "vm-size");
    assert.equal(vm.status, "fail");
    assert.match(vm.found, /does not support Trusted Launch \(HyperVGenerations V1, TrustedLaunchDisabled True\)/);
    assert.match(vm.fix ?? "", /vmTrustedLaunch false/);
    const off = only((await preflight(world, { ...config, vmTrustedLaunch: false })).report, "vm-size");
    assert.equal(off.status, "pass");
  });

  test("vm-size: a size the region does not offer fails; compute functionApp has no VM to check", async () => {
    const missing = only(
      (await preflight(ownerWorld(), { ...BASE_CONFIG, vmSize: "Standard_D2s_v9" })).report,
      "vm-size",
    );
    assert.equal(missing.status, "fail");
    assert.match(missing.found, /Standard_D2s_v9 is not offered in swedencentral/);
    const none = only((await preflight(ownerWorld(), { ...BASE_CONFIG, compute: "functionApp" })).report, "vm-size");
    assert.equal(none.status, "pass");
    assert.match(none.found, /no VM/);
  });

  test("location: a region the subscription lists passes, whatever any list in this repository knows", async () => {
    const world = ownerWorld();
    // denmarkeast opened after the hand-kept region list this project used to have was written.
    const report = (
      await preflight(world, { ...BASE_CONFIG, location: "denmarkeast", functionAppLocation: "swedencentral" })
    ).report;
    assert.deepEqual(
      report.results.filter((result) => result.check === "location").map((result) => [result.status, result.found]),
      [
        ["pass", "location = denmarkeast is a region of this subscription"],
        ["pass", "functionAppLocation = swedencentral is a region of this subscription"],
      ],
    );
  });

  test("location: a well-formed name the subscription does not list fails with the closest region; a geography is not a region", async () => {
    // Mutation check: accepting every name the subscription returns, logical ones included, made the europe case pass.
    const typo = only((await preflight(ownerWorld(), { ...BASE_CONFIG, location: "swedencentrl" })).report, "location");
    assert.equal(typo.status, "fail");
    assert.equal(
      typo.found,
      'location = swedencentrl is not a region this subscription can deploy to (did you mean "swedencentral"?)',
    );
    assert.equal(
      typo.fix,
      "npm run pulumi -- config set location REGION --stack pf (az account list-locations -o table lists the regions)",
    );
    const geography = only((await preflight(ownerWorld(), { ...BASE_CONFIG, location: "europe" })).report, "location");
    assert.equal(geography.status, "fail");
    assert.match(geography.found, /^location = europe is not a region this subscription can deploy to/);
  });

  test("flex-consumption: the Function App's region must be among the Flex Consumption geo regions", async () => {
    const world = ownerWorld();
    // Mutation check: passing every region made this test fail.
    const flex = only(
      (await preflight(world, { ...BASE_CONFIG, functionAppLocation: "westeurope" })).report,
      "flex-consumption",
    );
    assert.equal(flex.status, "fail");
    assert.match(flex.found, /not offered in westeurope .*eastus, northeurope, swedencentral/);
    assert.match(flex.fix ?? "", /npm run pulumi -- config set functionAppLocation REGION --stack pf/);
    const here = only((await preflight(world)).report, "flex-consumption");
    assert.equal(here.status, "pass");
    assert.match(here.found, /offered in swedencentral/);
  });

  test("model: the runner includes the model check; a retired model fails preflight with its alternatives", async () => {
    const catalogue = catalogueFor(SUBSCRIPTION_ID);
    catalogue.models = [
      {
        name: "gpt-5.4-mini",
        version: "2026-03-17",
        lifecycleStatus: "Deprecated",
        retiresOn: "2026-10-14",
        skus: [{ name: "GlobalStandard" }],
      },
      {
        name: "gpt-5.4-mini",
        version: "2026-09-30",
        lifecycleStatus: "GenerallyAvailable",
        retiresOn: "2027-12-01",
        skus: [{ name: "GlobalStandard" }],
      },
    ];
    const { report } = await preflight(ownerWorld(), BASE_CONFIG, { catalogue });
    const model = only(report, "model");
    assert.equal(model.status, "fail");
    assert.match(model.fix ?? "", /gpt-5\.4-mini 2026-09-30/);
    assert.equal(report.exitCode, 1);
    assert.deepEqual(catalogue.protocolErrors, []);
  });

  test("a check Azure refuses fails on its own with the whole error; the other checks still answer", async () => {
    const world = ownerWorld();
    world.forbidden.push(/\/providers\/Microsoft\.Web\/geoRegions$/i);
    const { report } = await preflight(world);
    const flex = only(report, "flex-consumption");
    assert.equal(flex.status, "fail");
    assert.match(flex.found, /could not check: .*\(HTTP 403 AuthorizationFailed/);
    assert.match(flex.fix ?? "", /Reader/);
    assert.deepEqual(
      report.results.filter((result) => result.status !== "pass").map((result) => result.check),
      ["flex-consumption"],
    );
  });

  test("subdomain: a deleted account with only a regional endpoint holds no subdomain", async () => {
    const world = ownerWorld();
    // Same name, another resource group, no custom subdomain: not a conflict for this stack's subdomain.
    world.deletedAccounts.push({
      name: "kl-preflight-four",
      location: "westus",
      resourceGroup: "rg-other",
      regional: true,
    });
    const subdomain = only(
      (await preflight(world, { ...BASE_CONFIG, accountSubdomain: "kl-preflight-four" })).report,
      "subdomain",
    );
    assert.equal(subdomain.status, "pass", subdomain.found);
  });

  test("role-assignment-conflicts: a hand-made assignment for the deployer is named, with the pulumi import command", async () => {
    const world = ownerWorld();
    world.resourceGroups.push(GROUP);
    const byHand = "88888888-0000-4000-8000-000000000011";
    world.roleAssignments.push({
      name: byHand,
      scope: GROUP_ID,
      roleGuid: COGNITIVE_SERVICES_USER,
      principalId: USER_PRINCIPAL.objectId,
      principalType: "User",
    });
    const { report } = await preflight(world);
    const conflict = only(report, "role-assignment-conflicts");
    assert.equal(conflict.status, "fail");
    assert.match(conflict.found, new RegExp(`role assignment ${byHand} .*not made by this stack`));
    assert.match(conflict.found, /409 RoleAssignmentExists/);
    const id = `${GROUP_ID}/providers/Microsoft.Authorization/roleAssignments/${byHand}`;
    assert.ok(
      (conflict.fix ?? "").includes(
        `npm run pulumi -- import azure-native:authorization:RoleAssignment model-access-deployer ${id} --parent 'model-access=urn:pulumi:pf::keyless-openai::keyless-openai:access:ModelAccess::model-access' --stack pf`,
      ),
      conflict.fix,
    );
    assert.match(conflict.fix ?? "", /npm run pulumi -- config set grantDeployer false --stack pf/);
    assert.equal(report.exitCode, 1);
  });

  test("role-assignment-conflicts: the stack's own assignment (deterministic name) and other roles do not clash", async () => {
    const world = ownerWorld();
    world.resourceGroups.push(GROUP);
    const group = "99999999-0000-4000-8000-000000000012";
    world.roleAssignments.push(
      {
        // Named as lib/role-assignment.ts names the stack's grants: the stack's own.
        name: roleAssignmentName(GROUP_ID, COGNITIVE_SERVICES_USER, USER_PRINCIPAL.objectId),
        scope: GROUP_ID,
        roleGuid: COGNITIVE_SERVICES_USER,
        principalId: USER_PRINCIPAL.objectId,
        principalType: "User",
      },
      {
        // Another role for the configured group: not the trio the stack creates.
        name: "aaaaaaaa-1111-4000-8000-000000000013",
        scope: GROUP_ID,
        roleGuid: BUILT_IN_ROLE_DEFINITIONS.reader.guid,
        principalId: group,
        principalType: "Group",
      },
    );
    // Mutation check: treating every assignment as someone else's (ignoring the deterministic name) made this fail.
    const { report } = await preflight(world, { ...BASE_CONFIG, groups: [group], users: ["alice@contoso.com"] });
    const results = resultsOf(report, "role-assignment-conflicts");
    assert.deepEqual(
      results.map((result) => result.status),
      ["pass", "warn"],
    );
    assert.match(results[0]?.found ?? "", /grantDeployer = true, groups\[0\] = 99999999-0000-4000-8000-000000000012/);
    assert.match(results[1]?.found ?? "", /not checked for users alice@contoso\.com/);
  });

  test("role-assignment-conflicts: a hand-made assignment for a configured group says which entry to drop", async () => {
    const world = ownerWorld();
    world.resourceGroups.push(GROUP);
    // A group the offline engine's directory knows too, so the test below can run the program with it.
    const group = DIRECTORY_GROUP;
    world.roleAssignments.push({
      name: "cccccccc-3333-4000-8000-000000000015",
      scope: GROUP_ID,
      roleGuid: COGNITIVE_SERVICES_USER,
      principalId: group,
      principalType: "Group",
    });
    const conflict = only(
      (await preflight(world, { ...BASE_CONFIG, groups: [group], grantDeployer: false })).report,
      "role-assignment-conflicts",
    );
    assert.equal(conflict.status, "fail");
    assert.match(conflict.fix ?? "", /npm run pulumi -- config rm --path 'groups\[0\]' --stack pf/);
    assert.match(conflict.fix ?? "", /model-access-group-b0b0b0b0-0000-4000-8000-000000000003 /);
  });
});

/** Resource provider namespace of each azure-native module (Learn, "Azure resource providers and types"). */
/** Configs whose plans differ in the types they declare: each compute kind, SSH, allowList, private, protected production. */
const PLANNED_CONFIGS: [string, Record<string, unknown>][] = [
  ["compute vm", { compute: "vm" }],
  ["compute vm with SSH", { compute: "vm", sshAllowedCidrs: ["203.0.113.0/24"] }],
  ["compute functionApp", { compute: "functionApp" }],
  ["compute both", { compute: "both" }],
  ["compute none", { compute: "none" }],
  ["allowList mode", { compute: "both", networkMode: "allowList", allowedIpRanges: ["203.0.113.0/24"] }],
  ["private mode", { compute: "both", networkMode: "private" }],
  ["protected production", { compute: "both", networkMode: "private", production: true, protect: "true" }],
];

describe("preflight asks for what the program plans (the program run under the mock engine)", () => {
  for (const [label, config] of PLANNED_CONFIGS) {
    test(`${label}: every planned Azure type has a namespace and a write action`, async () => {
      const resources = await plannedResources(
        projectWith(`planned-${label.replace(/\W+/g, "-")}`, { ...BASE_CONFIG, ...config }),
        STACK,
      );
      const azureTypes = new Set(
        resources.map((resource) => resource.type).filter((type) => type.startsWith("azure-native:")),
      );
      assert.ok(azureTypes.has("azure-native:cognitiveservices:Account"), "the plan is the program's");
      assert.deepEqual(providersNeeded(resources).unknown, [], "every type has a namespace");
      const { actions, unknown } = writeActionsNeeded(resources, { groupExists: false });
      assert.deepEqual(unknown, [], "every type has a write action");
      assert.ok(
        !actions.includes("Microsoft.Authorization/roleAssignments/write"),
        "role assignments are checked apart",
      );
      // Spot checks that the derivation follows the config, not a fixed list.
      assert.equal(
        actions.includes("Microsoft.Compute/virtualMachines/write"),
        config.compute === "vm" || config.compute === "both",
      );
      assert.equal(
        actions.includes("Microsoft.Web/sites/write"),
        config.compute === "functionApp" || config.compute === "both",
      );
      // allowList and private both give the account a private endpoint (docs/networking.md).
      assert.equal(
        actions.includes("Microsoft.Network/privateEndpoints/write"),
        config.networkMode === "private" || config.networkMode === "allowList",
      );
      assert.equal(actions.includes("Microsoft.Network/publicIPAddresses/write"), "sshAllowedCidrs" in config);
      assert.equal(actions.includes("Microsoft.Authorization/locks/write"), config.protect === "true");
      assert.equal(
        writeActionsNeeded(resources, { groupExists: true }).actions.includes(
          "Microsoft.Resources/subscriptions/resourceGroups/write",
        ),
        false,
        "an existing group is not created again",
      );
    });
  }

  test("the dev stack (Pulumi.dev.yaml): exactly these namespaces and write actions", async () => {
    const resources = await plannedResources(ROOT, "dev");
    // Mutation check: dropping the devtestlab:GlobalSchedule row made this test fail (unknown type, missing namespace).
    assert.deepEqual(providersNeeded(resources), {
      namespaces: [
        "Microsoft.CognitiveServices",
        "Microsoft.Compute",
        "Microsoft.DevTestLab",
        "Microsoft.Insights",
        "Microsoft.ManagedIdentity",
        "Microsoft.Network",
        "Microsoft.OperationalInsights",
        "Microsoft.Storage",
        "Microsoft.Web",
      ],
      unknown: [],
    });
    assert.deepEqual(writeActionsNeeded(resources, { groupExists: false }), {
      actions: [
        "Microsoft.CognitiveServices/accounts/deployments/write",
        "Microsoft.CognitiveServices/accounts/write",
        "Microsoft.Compute/virtualMachines/write",
        "Microsoft.DevTestLab/schedules/write",
        "Microsoft.Insights/components/write",
        "Microsoft.Insights/diagnosticSettings/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        "Microsoft.Network/networkInterfaces/write",
        "Microsoft.Network/networkSecurityGroups/write",
        "Microsoft.Network/virtualNetworks/subnets/write",
        "Microsoft.Network/virtualNetworks/write",
        "Microsoft.OperationalInsights/workspaces/write",
        "Microsoft.Resources/subscriptions/resourceGroups/write",
        "Microsoft.Storage/storageAccounts/blobServices/containers/write",
        "Microsoft.Storage/storageAccounts/write",
        "Microsoft.Web/serverfarms/write",
        "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
        "Microsoft.Web/sites/config/write",
        "Microsoft.Web/sites/write",
      ],
      unknown: [],
    });
  });

  test("the prod stack (Pulumi.prod.yaml, private, protected): exactly these namespaces and write actions", async () => {
    const resources = await plannedResources(ROOT, "prod");
    assert.deepEqual(providersNeeded(resources), {
      namespaces: [
        "Microsoft.CognitiveServices",
        "Microsoft.Compute",
        "Microsoft.Insights",
        "Microsoft.ManagedIdentity",
        "Microsoft.Network",
        "Microsoft.OperationalInsights",
        "Microsoft.Storage",
        "Microsoft.Web",
      ],
      unknown: [],
    });
    assert.deepEqual(writeActionsNeeded(resources, { groupExists: false }), {
      actions: [
        "Microsoft.Authorization/locks/write",
        "Microsoft.CognitiveServices/accounts/deployments/write",
        "Microsoft.CognitiveServices/accounts/write",
        "Microsoft.Compute/virtualMachines/write",
        "Microsoft.Insights/components/write",
        "Microsoft.Insights/diagnosticSettings/write",
        "Microsoft.ManagedIdentity/userAssignedIdentities/write",
        "Microsoft.Network/natGateways/write",
        "Microsoft.Network/networkInterfaces/write",
        "Microsoft.Network/networkSecurityGroups/write",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
        "Microsoft.Network/privateDnsZones/write",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write",
        "Microsoft.Network/privateEndpoints/write",
        "Microsoft.Network/publicIPPrefixes/write",
        "Microsoft.Network/virtualNetworks/subnets/write",
        "Microsoft.Network/virtualNetworks/write",
        "Microsoft.OperationalInsights/workspaces/write",
        "Microsoft.Resources/subscriptions/resourceGroups/write",
        "Microsoft.Storage/storageAccounts/blobServices/containers/write",
        "Microsoft.Storage/storageAccounts/write",
        "Microsoft.Web/serverfarms/write",
        "Microsoft.Web/sites/basicPublishingCredentialsPolicies/write",
        "Microsoft.Web/sites/config/write",
        "Microsoft.Web/sites/write",
      ],
      unknown: [],
    });
  });

  test("a planned type without a row is reported by both checks, never skipped", async () => {
    const resources = [
      { type: "azure-native:keyvault:Vault", name: "vault", inputs: {} },
      { type: "random:index/randomString:RandomString", name: "suffix", inputs: {} },
    ];
    assert.deepEqual(providersNeeded(resources), { namespaces: [], unknown: ["azure-native:keyvault:Vault"] });
    assert.deepEqual(writeActionsNeeded(resources, { groupExists: true }), {
      actions: [],
      unknown: ["azure-native:keyvault:Vault"],
    });
  });

  test("role-assignment-conflicts: the import command names resources the program declares, under that parent", async () => {
    const run = await runProgram(program, { stack: STACK, config: { groups: [DIRECTORY_GROUP] } });
    const assignments = run.resources.filter(
      (resource) => resource.type === "azure-native:authorization:RoleAssignment",
    );
    const parent = "urn:pulumi:pf::keyless-openai::keyless-openai:access:ModelAccess::model-access";
    for (const name of ["model-access-deployer", `model-access-group-${DIRECTORY_GROUP}`]) {
      const declared = assignments.find((resource) => resource.name === name);
      assert.ok(declared, `the program declares ${name}: ${assignments.map((resource) => resource.name).join(", ")}`);
      // The mock engine keeps the root stack's type in the URN; the real engine drops it (pulumi/pulumi
      // pkg/resource/deploy/deployment.go generateURN: "don't use the root stack type"), as the import command does.
      assert.equal(declared.parentUrn.replace("::pulumi:pulumi:Stack$", "::"), parent);
    }
  });
});

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  return runChild(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "preflight.ts"), ...args], ROOT, env);
}

describe("npm run preflight (the command)", { skip: needsOpenssl, concurrency: 1 }, () => {
  /** A machine with no Azure variables, DefaultAzureCredential reaching a stand-in IMDS (a managed identity). */
  async function cliEnvironment(world: PreflightArmState) {
    const arm = await startStandIn({ routes: armRoutesOf(world), tls: certificate });
    const imds = await startStandIn({ routes: imdsRoutes({ principal: VM_PRINCIPAL }) });
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (!/^(AZURE_|ARM_|IDENTITY_|MSI_|NODE_TEST|PULUMI_)/.test(name)) env[name] = value;
    }
    Object.assign(env, {
      NODE_EXTRA_CA_CERTS: certificate.certPath,
      AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.origin,
      KEYLESS_ARM_ENDPOINT: arm.origin,
      ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
      ARM_USE_MSI: "true",
    });
    return { env, close: async () => Promise.all([arm.close(), imds.close()]) };
  }

  /** The VM's managed identity as Owner: the deployer of a CI run. */
  function managedIdentityWorld(): PreflightArmState {
    const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
    world.roleAssignments.push({
      name: "dddddddd-0000-4000-8000-000000000016",
      scope: `/subscriptions/${SUBSCRIPTION_ID}`,
      roleGuid: BUILT_IN_ROLE_DEFINITIONS.owner.guid,
      principalId: VM_PRINCIPAL.objectId,
      principalType: "ServicePrincipal",
    });
    return world;
  }

  test("--help exits 0, touches nothing and documents every check", async () => {
    const run = await runCli(["--help"], { PATH: process.env.PATH });
    assert.equal(run.code, 0, run.stderr);
    for (const check of [
      "config",
      "identity",
      "location",
      "providers",
      "resource-rights",
      "role-assignment-rights",
      "purge-rights",
      "model",
      "subdomain",
      "vm-size",
      "flex-consumption",
      "role-assignment-conflicts",
      "azure-policy",
    ]) {
      assert.match(run.stdout, new RegExp(`^  ${check}$`, "m"), `--help lists ${check}`);
    }
    assert.match(run.stdout, /Exit codes: 0 nothing failed \(warnings allowed\), 1 a check failed, 2 usage error/);
  });

  test("usage errors exit 2: no --stack, an unknown option, an http endpoint", async () => {
    for (const args of [[], ["--stack", "pf", "--arm-endpoint", "http://127.0.0.1:1"]]) {
      const run = await runCli(args, { PATH: process.env.PATH });
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /usage: npm run preflight/);
    }
    const mistyped = await runCli(["--stack", "pf", "--jsn"], { PATH: process.env.PATH });
    assert.equal(mistyped.code, 2, mistyped.stderr);
    assert.match(
      mistyped.stderr,
      /^preflight: unknown option --jsn; did you mean --json\? \(npm run preflight -- --help lists the options\)$/m,
    );
  });

  test("--json prints the results, the summary and the exit code; a failed check exits 1", async () => {
    const projectDir = projectWith("cli-json", { ...BASE_CONFIG, functionAppLocation: "westeurope" });
    const world = managedIdentityWorld();
    const { env, close } = await cliEnvironment(world);
    try {
      const run = await runCli(["--stack", STACK, "--json", "--project-dir", projectDir], env);
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(run.stdout) as PreflightReport & {
        summary: { pass: number; warn: number; fail: number };
        elapsedMs: number;
      };
      assert.equal(report.stack, STACK);
      assert.equal(report.subscriptionId, SUBSCRIPTION_ID);
      assert.equal(report.exitCode, 1);
      // 13 passes: the 11 other checks and two location lines (location, and functionAppLocation westeurope).
      assert.deepEqual(report.summary, { pass: 13, warn: 0, fail: 1 });
      assert.equal(typeof report.elapsedMs, "number");
      const flex = report.results.find((result) => result.check === "flex-consumption");
      assert.equal(flex?.status, "fail");
      for (const result of report.results) {
        assert.deepEqual(
          Object.keys(result).filter((key) => !["check", "status", "found", "fix"].includes(key)),
          [],
        );
      }
      assert.match(
        report.results.find((result) => result.check === "identity")?.found ?? "",
        /managed identity app bbbbbbbb-1111-4000-8000-000000000002/,
      );
      assert.deepEqual(world.protocolErrors, []);
      console.log(`preflight (child process, stand-in ARM): ${report.elapsedMs} ms inside the command`);
    } finally {
      await close();
    }
  });

  test("identity warns when preflight's token is not the Azure CLI's but azure-native would use the Azure CLI", async () => {
    const projectDir = projectWith("cli-warn", BASE_CONFIG);
    const { env, close } = await cliEnvironment(managedIdentityWorld());
    try {
      const { ARM_USE_MSI: _unused, ...withoutMsi } = env;
      const run = await runCli(["--stack", STACK, "--project-dir", projectDir], withoutMsi);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        /^WARN identity: preflight signed in as managed identity app bbbbbbbb-1111-4000-8000-000000000002 .*, not through the Azure CLI, but azure-native will deploy with the Azure CLI's account/m,
      );
    } finally {
      await close();
    }
  });

  test("text report: one line per check and a summary; exit 0 when nothing fails; --fix registers", async () => {
    const projectDir = projectWith("cli-text", BASE_CONFIG);
    const world = managedIdentityWorld();
    world.providers["Microsoft.Network"] = "NotRegistered";
    const { env, close } = await cliEnvironment(world);
    try {
      const run = await runCli(["--stack", STACK, "--fix", "--project-dir", projectDir], env);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const lines = run.stdout.trim().split("\n");
      assert.match(lines[0] ?? "", /^PASS config: stack pf: swedencentral, resource group rg-preflight/);
      assert.ok(
        lines.some((line) =>
          /^WARN providers: --fix started registration: Microsoft\.Network \(Registering\) -- fix: /.test(line),
        ),
      );
      assert.match(
        lines.at(-1) ?? "",
        /^Preflight of stack pf \(subscription 00000000-1111-2222-3333-444444444444\): 12 pass, 1 warn, 0 fail in \d+\.\d s; ready for pulumi up\.$/,
      );
      assert.deepEqual(world.registered, ["Microsoft.Network"]);
    } finally {
      await close();
    }
  });
});
