/**
 * What the preflight tests share: an ARM stand-in on 127.0.0.1 (HTTPS, the documented bodies) reached through the
 * real @azure/arm-* clients, signed in through the real @azure/identity AzureCliCredential and a stand-in `az`, and a
 * project directory per stack configuration. `preflight()` runs the whole engine in-process, as the command does.
 * Expected values in the tests are literals from the sources the checks cite.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before } from "node:test";
import * as tls from "node:tls";
import type { TokenCredential } from "@azure/core-auth";
import { AzureCliCredential } from "@azure/identity";
import { stringify } from "yaml";
import { cachingCredential } from "../../scripts/core/preflight/azure";
import { type PreflightReport, runPreflight } from "../../scripts/core/preflight/run";
import { type AzAccountReader, readAzAccount } from "../../scripts/core/preflight/target";
import type { CheckResult } from "../../scripts/core/preflight/types";
import {
  BUILT_IN_ROLE_DEFINITIONS,
  healthyWorld,
  type PreflightArmState,
  preflightArmRoutes,
} from "../standins/arm-preflight";
import { createStandInAzureCli, type StandInAzureCli } from "../standins/az-cli";
import { type CatalogueState, catalogueRoutes, usageNameOf } from "../standins/catalogue";
import { type PolicyInsightsState, policyInsightsRoutes } from "../standins/policy-insights";
import { SUBSCRIPTION_ID, USER_PRINCIPAL } from "../standins/principals";
import {
  createSelfSignedCertificate,
  type Route,
  type StandInServer,
  startStandIn,
  type TlsMaterial,
} from "../standins/server";
import { STAND_IN_TENANT_ID } from "../standins/tokens";
import { plannedResourcesInThread } from "../support/shared-runs";
import { missingTool } from "../support/tools";

export const ROOT = join(__dirname, "..", "..");
export const STACK = "pf";
export const LOCATION = "swedencentral";
export const GROUP = "rg-preflight";
export const GROUP_ID = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${GROUP}`;
/** Cognitive Services User (Learn, built-in roles, AI + machine learning). */
export const COGNITIVE_SERVICES_USER = "a97b65f3-24c7-4388-baec-2e87135dc908";
/** A group object ID in the offline engine's stand-in directory (scripts/core/offline-engine.ts DEFAULT_DIRECTORY). */
export const DIRECTORY_GROUP = "b0b0b0b0-0000-4000-8000-000000000003";
export const DEPLOYMENT = "name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=GlobalStandard,capacity=10";
export const BASE_CONFIG: Record<string, unknown> = {
  location: LOCATION,
  resourceGroupName: GROUP,
  deployments: [DEPLOYMENT],
};
/** The clock the model check judges dates by: the day this was written. */
export const NOW = new Date("2026-11-29T00:00:00Z");

/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
export const needsOpenssl = missingTool("openssl");

/** The run-time pieces, set up by {@link useStandIns}. */
export interface StandInSetup {
  certificate: TlsMaterial;
  az: StandInAzureCli;
  scratch: string;
  /** Puts another stand-in `az` first on PATH until the returned function is called. */
  withAzureCli(other: StandInAzureCli): () => void;
  /**
   * The sign-in of the stand-in `az` first on PATH: the real AzureCliCredential and `az account show`. For the
   * signed-in `az` of the set-up, one token and one account answer serve every run of the process (each `az` call
   * starts a node process, about 0.1 s of CPU); another `az` is asked afresh on every run.
   */
  signIn(): { credential: TokenCredential; readAzAccount: AzAccountReader };
}

let shared: StandInSetup | undefined;

/**
 * Registers the process's before/after hooks: a certificate the ARM clients of this process trust, a signed-in
 * stand-in `az` first on PATH, and a scratch directory for project directories. Every preflight suite that
 * tests/offline-program.test.ts loads into one process calls it: the first call sets up, the others get the same set-up.
 */
export function useStandIns(): StandInSetup {
  shared ??= registerStandIns();
  return shared;
}

function registerStandIns(): StandInSetup {
  const originalPath = process.env.PATH;
  const setup = { scratch: mkdtempSync(join(tmpdir(), "preflight-test-")) } as StandInSetup;
  const pathWith = (cli: StandInAzureCli) => [cli.binDirectory, dirname(process.execPath), originalPath].join(":");
  let onPath: StandInAzureCli | undefined;
  setup.withAzureCli = (other) => {
    process.env.PATH = pathWith(other);
    onPath = other;
    return () => {
      process.env.PATH = pathWith(setup.az);
      onPath = setup.az;
    };
  };
  let sharedSignIn: { credential: TokenCredential; readAzAccount: AzAccountReader } | undefined;
  setup.signIn = () => {
    if (onPath !== setup.az) return { credential: new AzureCliCredential(), readAzAccount };
    if (!sharedSignIn) {
      let account: ReturnType<AzAccountReader> | undefined;
      sharedSignIn = {
        credential: cachingCredential(new AzureCliCredential()),
        readAzAccount: () => {
          account ??= readAzAccount();
          return account;
        },
      };
    }
    return sharedSignIn;
  };
  before(() => {
    if (needsOpenssl) return;
    setup.certificate = createSelfSignedCertificate();
    // The ARM clients in this process trust the stand-in's certificate (child processes get NODE_EXTRA_CA_CERTS).
    tls.setDefaultCACertificates([...tls.getCACertificates("default"), setup.certificate.certPem]);
    setup.az = createStandInAzureCli(USER_PRINCIPAL);
    process.env.PATH = pathWith(setup.az);
    onPath = setup.az;
  });
  after(() => {
    if (needsOpenssl) return;
    process.env.PATH = originalPath;
    setup.az.dispose();
    setup.certificate.dispose();
    rmSync(setup.scratch, { recursive: true, force: true });
  });
  return setup;
}

let projects = 0;

/**
 * A project directory as a user's checkout has it: the repository's Pulumi.yaml and package.json (whose @pulumi/*
 * dependencies make provider keys such as azure-native:tenantId valid), an index.ts that is the repository's program,
 * and a stack file holding `config` (keys without namespace are the project's).
 */
export function projectWith(scratch: string, name: string, config: Record<string, unknown>): string {
  const directory = join(scratch, `${name}-${++projects}`);
  mkdirSync(directory, { recursive: true });
  const full: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) full[key.includes(":") ? key : `keyless-openai:${key}`] = value;
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(directory, "Pulumi.yaml"));
  copyFileSync(join(ROOT, "package.json"), join(directory, "package.json"));
  writeFileSync(join(directory, "index.ts"), `export = require(${JSON.stringify(join(ROOT, "index"))});\n`);
  writeFileSync(join(directory, `Pulumi.${STACK}.yaml`), stringify({ config: full }));
  return directory;
}

/** The signed-in user as Owner of the subscription: everything the stack needs is allowed. */
export function ownerWorld(): PreflightArmState {
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

/** The region's catalogue: the configured model is generally available and has quota left (tests/standins/catalogue.ts). */
export function catalogueFor(subscriptionId: string): CatalogueState {
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
export function policyFor(world: PreflightArmState): PolicyInsightsState {
  return {
    subscriptionId: world.subscriptionId,
    resourceGroups: new Set(world.resourceGroups),
    assignments: [],
    protocolErrors: [],
  };
}

/** The ARM routes of a world: preflight's own, the model catalogue and Azure Policy's evaluator. */
export function armRoutesOf(
  world: PreflightArmState,
  catalogue: CatalogueState = catalogueFor(world.subscriptionId),
  policy: PolicyInsightsState = policyFor(world),
) {
  return [...preflightArmRoutes(world), ...catalogueRoutes(catalogue), ...policyInsightsRoutes(policy)];
}

export interface Run {
  report: PreflightReport;
  world: PreflightArmState;
  arm: StandInServer;
}

export interface PreflightRunOptions {
  fix?: boolean;
  env?: NodeJS.ProcessEnv;
  catalogue?: CatalogueState;
  policy?: PolicyInsightsState;
  readAzAccount?: () => Promise<{ id: string } | undefined>;
  /** Retries of the ARM clients: a failure test asks for none (the SDK's default is 3, waiting Retry-After). */
  maxRetries?: number;
  /** Routes answered before the world's, for a far end that fails (a catalogue answering 500). */
  extraRoutes?: Route[];
  /** A project of its own (the repository for its committed stacks) instead of one written for `config`. */
  projectDir?: string;
  stack?: string;
  /** Only these checks after config and identity: a test of one check needs neither the plan nor the others. */
  only?: readonly string[];
  /** A sign-in of its own (a new AzureCliCredential, `az account show` asked again), for a test that counts `az` calls. */
  freshSignIn?: boolean;
}

/** Runs preflight in-process against a stand-in serving `world`, for a stack configured with `config`. */
export async function preflight(
  setup: StandInSetup,
  world: PreflightArmState,
  config: Record<string, unknown> = BASE_CONFIG,
  options: PreflightRunOptions = {},
): Promise<Run> {
  const arm = await startStandIn({
    routes: [...(options.extraRoutes ?? []), ...armRoutesOf(world, options.catalogue, options.policy)],
    tls: setup.certificate,
  });
  const signIn = options.freshSignIn ? { credential: new AzureCliCredential(), readAzAccount } : setup.signIn();
  try {
    const report = await runPreflight({
      stack: options.stack ?? STACK,
      fix: options.fix ?? false,
      armEndpoint: arm.origin,
      credential: signIn.credential,
      projectDir: options.projectDir ?? projectWith(setup.scratch, "project", config),
      env: options.env ?? {},
      now: NOW,
      readAzAccount: options.readAzAccount ?? signIn.readAzAccount,
      ...(options.maxRetries !== undefined ? { retryOptions: { maxRetries: options.maxRetries } } : {}),
      ...(options.only ? { only: options.only } : {}),
      planResources: plannedResourcesInThread,
    });
    return { report, world, arm };
  } finally {
    await arm.close();
  }
}

export function resultsOf(report: PreflightReport, check: string): CheckResult[] {
  return report.results.filter((result) => result.check === check);
}

export function only(report: PreflightReport, check: string): CheckResult {
  const results = resultsOf(report, check);
  assert.equal(results.length, 1, `one ${check} result: ${JSON.stringify(report.results, null, 2)}`);
  return results[0] as CheckResult;
}
