/**
 * `npm run destroy` and `npm run stale-stacks`: the stacks are read, destroyed and removed through Pulumi's Automation
 * API (LocalWorkspace and Stack of @pulumi/pulumi/automation) driving a stand-in CLI binary installed where the
 * pinned CLI is looked for; the purge is the real @azure/arm-cognitiveservices client with DefaultAzureCredential
 * against a stand-in ARM (HTTPS, self-signed certificate) and a stand-in IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST).
 * One run of each command is the real npm script in a child process; the other destroy runs call the command's
 * function in this process (the certificate added to this process's CA list, the in-process NODE_EXTRA_CA_CERTS),
 * with the purge retry's sleep injected. Nothing leaves 127.0.0.1.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { destroy as destroyCommand } from "../scripts/destroy";
import type { PurgeOutcome } from "../scripts/destroy/purge";
import { type PurgeTarget, saveRecord } from "../scripts/destroy/record";
import { purgeAllowingForLag, purgeRetrySchedule } from "../scripts/destroy/teardown";
import { staleStacks } from "../scripts/stale-stacks";
import {
  accountKey,
  COGNITIVE_SERVICES_API_VERSION,
  type DeletedAccount,
  type DeletedAccountsState,
  deletedAccountsRoutes,
  installGhStandIn,
  installPulumiStandIn,
  type PulumiStandIn,
  type PulumiStandInState,
} from "./standins/arm-teardown";
import { imdsRoutes } from "./standins/identity";
import { RESOURCE_GROUP, SUBSCRIPTION_ID, VM_PRINCIPAL } from "./standins/principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { type ChildRun, runChild } from "./support/process";
import { missingTool } from "./support/tools";

const ROOT = join(__dirname, "..");
// The CLI the scripts run is the @pulumi/pulumi SDK's version (package.json pins the SDK at 3.276.0).
const PULUMI_CLI_VERSION = "3.276.0";
const ARM_AUDIENCE = "https://management.azure.com";
const LOCATION = "swedencentral";

let tls: TlsMaterial;
let arm: StandInServer;
let imds: StandInServer;
const armState: DeletedAccountsState = { deleted: new Map(), purged: [], protocolErrors: [] };
const scratch = mkdtempSync(join(tmpdir(), "destroy-test-"));

/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
const needsOpenssl = missingTool("openssl");

before(async () => {
  if (needsOpenssl) return;
  tls = createSelfSignedCertificate();
  setDefaultCACertificates([...getCACertificates("default"), tls.certPem]);
  arm = await startStandIn({ routes: deletedAccountsRoutes(armState, ARM_AUDIENCE), tls });
  imds = await startStandIn({ routes: imdsRoutes({ principal: VM_PRINCIPAL }) });
  // @azure/identity's managed identity reads this from the process environment, for every in-process run alike.
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = imds.origin;
});

after(async () => {
  if (needsOpenssl) return;
  delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
  await arm.close();
  await imds.close();
  tls.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** Stack outputs as index.ts exports them (the fields the teardown reads, plus a few it must ignore). */
function outputsFor(accountName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    accountName,
    location: LOCATION,
    resourceGroupName: RESOURCE_GROUP,
    subscriptionId: SUBSCRIPTION_ID,
    endpoint: `https://${accountName}.openai.azure.com/`,
    deploymentNames: ["chat"],
    protected: false,
    testStack: false,
    ...extra,
  };
}

/** Registers `accountName` as soft-deleted in the ARM stand-in (what `pulumi destroy` leaves behind in Azure). */
function softDeleted(
  accountName: string,
  behaviour: DeletedAccount["behaviour"],
  listing: Pick<DeletedAccount, "unlistedForRequests"> = {},
): string {
  const account = {
    subscriptionId: SUBSCRIPTION_ID,
    location: LOCATION,
    resourceGroupName: RESOURCE_GROUP,
    accountName,
  };
  armState.deleted.set(accountKey(account), { ...account, behaviour, ...listing });
  return accountKey(account);
}

function purgeRequests(accountName: string): { method: string; path: string; apiVersion: string | null }[] {
  return arm.requests
    .filter(
      (request) => request.method === "DELETE" && request.url.pathname.endsWith(`/deletedAccounts/${accountName}`),
    )
    .map((request) => ({
      method: request.method,
      path: request.url.pathname,
      apiVersion: request.url.searchParams.get("api-version"),
    }));
}

interface Scenario {
  directory: string;
  recordDirectory: string;
  pulumi: PulumiStandIn;
  extraEnv: Record<string, string>;
}

function scenario(name: string, state: PulumiStandInState): Scenario {
  const directory = mkdtempSync(join(scratch, `${name}-`));
  return {
    directory,
    recordDirectory: join(directory, "records"),
    pulumi: installPulumiStandIn(directory, PULUMI_CLI_VERSION, state),
    extraEnv: {},
  };
}

type Run = ChildRun;

/** The environment of a developer machine without Azure variables, pointed at the stand-ins. */
function childEnv(setup: Scenario, pathPrefixes: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AZURE_|ARM_|IDENTITY_|MSI_|NODE_TEST|PULUMI_)/.test(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    ...setup.pulumi.env,
    ...setup.extraEnv,
    PATH: [...pathPrefixes, process.env.PATH].join(":"),
    NODE_EXTRA_CA_CERTS: tls.certPath,
    AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.origin,
    KEYLESS_ARM_ENDPOINT: arm.origin,
    TEARDOWN_RECORD_DIR: setup.recordDirectory,
  };
}

function run(command: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return runChild(command[0] ?? "", command.slice(1), ROOT, env);
}

/** The command's function in this process, as `npm run destroy` runs it without a terminal; nothing waits. */
async function destroy(setup: Scenario, ...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await destroyCommand(args, {
    env: childEnv(setup, [dirname(process.execPath)]),
    io: {
      out: (text) => {
        stdout += text;
      },
      err: (text) => {
        stderr += text;
      },
    },
    interactive: false,
    sleep: async () => {},
  });
  return { code, stdout, stderr };
}

/** The real `npm run destroy`, as a user and the workflows run it. */
function destroyViaNpm(setup: Scenario, ...args: string[]): Promise<Run> {
  return run(
    ["npm", "run", "--silent", "destroy", "--", ...args],
    childEnv(setup, [setup.pulumi.env.PATH_PREFIX, dirname(process.execPath)]),
  );
}

/** The stand-in CLI calls without the call-independent noise, e.g. `destroy --yes --non-interactive --stack pr-1`. */
function pulumiCalls(setup: Scenario): string[] {
  return setup.pulumi.calls().map((call) => call.join(" "));
}

function recordOf(setup: Scenario, stack: string): Record<string, unknown> | undefined {
  const path = join(setup.recordDirectory, `${stack}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>) : undefined;
}

describe("npm run destroy", { skip: needsOpenssl, concurrency: 3 }, () => {
  test("tears a test stack down: destroy, purge through the async operation, stack rm; a second run does nothing", async () => {
    const setup = scenario("happy", {
      stacks: { "pr-101": { resourceCount: 14, outputs: outputsFor("kl-pr-101", { testStack: true }) } },
    });
    const key = softDeleted("kl-pr-101", "async-operation");

    const first = await destroyViaNpm(setup, "--stack", "pr-101", "--yes");
    assert.equal(first.code, 0, first.stderr + first.stdout);
    // What the Automation API sends (LocalWorkspace.listStacks, stackOutputs, getAllConfig; Stack.select, destroy,
    // its summary from the history; LocalWorkspace.removeStack), @pulumi/pulumi 3.276.0 automation/*.js.
    assert.deepEqual(pulumiCalls(setup), [
      "stack ls --json --non-interactive",
      "stack output --json --stack pr-101 --non-interactive",
      "stack output --json --show-secrets --stack pr-101 --non-interactive",
      "config --show-secrets --json --stack pr-101 --non-interactive",
      "stack select --stack pr-101 --non-interactive",
      "destroy --yes --skip-preview --exec-kind auto.local --stack pr-101 --non-interactive",
      "stack history --json --show-secrets --page-size 1 --page 1 --stack pr-101 --non-interactive",
      "stack rm --yes pr-101 --non-interactive",
    ]);
    assert.ok(armState.purged.includes(key), "the deleted account was purged");
    assert.deepEqual(purgeRequests("kl-pr-101"), [
      {
        method: "DELETE",
        path: `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.CognitiveServices/locations/${LOCATION}/resourceGroups/${RESOURCE_GROUP}/deletedAccounts/kl-pr-101`,
        apiVersion: COGNITIVE_SERVICES_API_VERSION,
      },
    ]);
    const polls = arm.requests.filter((request) => request.url.pathname.startsWith("/standin-operations/"));
    assert.ok(polls.length >= 2, "the operation was polled until it succeeded");
    assert.ok(
      imds.requests.some((request) => request.url.searchParams.get("resource") === ARM_AUDIENCE),
      "DefaultAzureCredential got an ARM token from the managed identity endpoint",
    );
    assert.deepEqual(armState.protocolErrors, []);
    assert.match(first.stdout, /purged: the name kl-pr-101 is free again/);
    assert.match(first.stdout, /Teardown of pr-101 complete/);
    assert.equal(setup.pulumi.readState().stacks["pr-101"], undefined, "the stack is gone");
    assert.equal(recordOf(setup, "pr-101"), undefined, "the record is deleted once the job is done");

    const callsBefore = pulumiCalls(setup).length;
    const second = await destroy(setup, "--stack", "pr-101", "--yes");
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Nothing to do/);
    assert.deepEqual(pulumiCalls(setup).slice(callsBefore), ["stack ls --json --non-interactive"]);
    assert.equal(purgeRequests("kl-pr-101").length, 1, "no second purge");
  });

  test("refuses the prod stack without --allow-protected, says why and how, and changes nothing", async () => {
    const setup = scenario("prod", { stacks: { prod: { resourceCount: 9, outputs: outputsFor("kl-prod") } } });
    const refused = await destroy(setup, "--stack", "prod", "--yes");
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /destroy: refused: Refusing to tear down prod: it is protected \(its name is prod\)/);
    assert.match(refused.stderr, /npm run destroy -- --stack prod --allow-protected/);
    // Refused by its name before anything is asked of the CLI; no progress file exists, so none is mentioned.
    assert.deepEqual(pulumiCalls(setup), []);
    assert.doesNotMatch(refused.stdout + refused.stderr, /Progress is saved|re-run/);
    assert.equal(recordOf(setup, "prod"), undefined);

    softDeleted("kl-prod", "immediate");
    const allowed = await destroy(setup, "--stack", "prod", "--yes", "--allow-protected");
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.ok(
      pulumiCalls(setup).includes("destroy --yes --skip-preview --exec-kind auto.local --stack prod --non-interactive"),
    );
    assert.ok(!pulumiCalls(setup).some((call) => call.startsWith("stack rm")), "prod is not a test stack: kept");
    assert.match(allowed.stdout, /not a test stack/);
    assert.equal(purgeRequests("kl-prod").length, 1);
  });

  test("refuses a stack whose outputs or config say it is protected", async () => {
    const setup = scenario("protected", {
      stacks: {
        staging: { resourceCount: 3, outputs: outputsFor("kl-staging", { protected: true }) },
        shared: { resourceCount: 3, outputs: {}, config: { protect: "true" } },
      },
    });
    const byOutputs = await destroy(setup, "--stack", "staging", "--yes");
    assert.equal(byOutputs.code, 3);
    assert.match(byOutputs.stderr, /its outputs say protected: true/);
    assert.doesNotMatch(byOutputs.stdout, /Progress is saved/, "nothing was saved before the refusal");
    const byConfig = await destroy(setup, "--stack", "shared", "--yes");
    assert.equal(byConfig.code, 3, byConfig.stderr);
    assert.match(byConfig.stderr, /its config sets protect: true/);
    assert.ok(!pulumiCalls(setup).some((call) => call.startsWith("destroy")));
  });

  test("a failed destroy keeps the record; the re-run destroys, purges and removes the stack", async () => {
    const setup = scenario("destroy-fails", {
      stacks: { "pr-7": { resourceCount: 5, outputs: outputsFor("kl-pr-7") } },
      failNext: { destroy: 1 },
    });
    const key = softDeleted("kl-pr-7", "async-operation");
    const failed = await destroy(setup, "--stack", "pr-7", "--yes");
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /^destroy: teardown of pr-7 stopped: `pulumi destroy --stack pr-7` failed with exit code 255/,
    );
    assert.match(failed.stderr, /re-run the same command to resume/);
    assert.deepEqual(recordOf(setup, "pr-7")?.purgeTarget, {
      accountName: "kl-pr-7",
      location: LOCATION,
      resourceGroupName: RESOURCE_GROUP,
      subscriptionId: SUBSCRIPTION_ID,
    });
    assert.equal(purgeRequests("kl-pr-7").length, 0, "no purge before the destroy succeeded");

    const resumed = await destroy(setup, "--stack", "pr-7", "--yes");
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /Resuming the teardown/);
    assert.ok(armState.purged.includes(key));
    assert.equal(setup.pulumi.readState().stacks["pr-7"], undefined);
  });

  test("403 on the purge: clear message; the re-run purges from the record although the outputs are gone", async () => {
    const setup = scenario("forbidden", {
      stacks: { "pr-8": { resourceCount: 5, outputs: outputsFor("kl-pr-8") } },
    });
    const key = softDeleted("kl-pr-8", "forbidden");
    const failed = await destroy(setup, "--stack", "pr-8", "--yes");
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /Azure answered 403 AuthorizationFailed/);
    assert.match(
      failed.stderr,
      /needs Microsoft\.CognitiveServices\/locations\/resourceGroups\/deletedAccounts\/delete/,
    );
    assert.deepEqual(setup.pulumi.readState().stacks["pr-8"], { resourceCount: 0, outputs: {} }, "destroyed");
    assert.equal(recordOf(setup, "pr-8")?.destroyed, true);

    // Someone grants the role; the deleted account is still there.
    const pending = armState.deleted.get(key);
    assert.ok(pending);
    pending.behaviour = "async-operation";
    const destroysBefore = pulumiCalls(setup).filter((call) => call.startsWith("destroy")).length;
    const resumed = await destroy(setup, "--stack", "pr-8", "--yes");
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /Destroy: skipped, the stack has no resources/);
    assert.equal(pulumiCalls(setup).filter((call) => call.startsWith("destroy")).length, destroysBefore);
    assert.ok(armState.purged.includes(key));
    assert.equal(setup.pulumi.readState().stacks["pr-8"], undefined, "removed");
    assert.equal(recordOf(setup, "pr-8"), undefined);
  });

  test("409 on the purge fails with advice to re-run", async () => {
    const setup = scenario("conflict", { stacks: { "pr-9": { resourceCount: 2, outputs: outputsFor("kl-pr-9") } } });
    softDeleted("kl-pr-9", "conflict");
    const failed = await destroy(setup, "--stack", "pr-9", "--yes");
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /Azure answered 409 Conflict/);
    assert.match(failed.stderr, /wait a few minutes and re-run/);
    assert.equal(purgeRequests("kl-pr-9").length, 1, "409 is not retried by the client");
  });

  test("500 twice: the client's retry policy gets through and the purge completes", async () => {
    const setup = scenario("flaky", { stacks: { "pr-10": { resourceCount: 2, outputs: outputsFor("kl-pr-10") } } });
    const key = softDeleted("kl-pr-10", "flaky");
    const result = await destroy(setup, "--stack", "pr-10", "--yes");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(purgeRequests("kl-pr-10").length, 3);
    assert.ok(armState.purged.includes(key));
  });

  test("Location-only polling completes; a Failed operation fails the run", async () => {
    const setup = scenario("polling", {
      stacks: {
        "pr-11": { resourceCount: 2, outputs: outputsFor("kl-pr-11") },
        "pr-12": { resourceCount: 2, outputs: outputsFor("kl-pr-12") },
      },
    });
    const key = softDeleted("kl-pr-11", "location");
    softDeleted("kl-pr-12", "operation-fails");
    const viaLocation = await destroy(setup, "--stack", "pr-11", "--yes");
    assert.equal(viaLocation.code, 0, viaLocation.stderr);
    assert.ok(armState.purged.includes(key));
    const failing = await destroy(setup, "--stack", "pr-12", "--yes");
    assert.equal(failing.code, 1);
    assert.ok(recordOf(setup, "pr-12"), "the record stays for a re-run");
  });

  test("right after the destroy, 404 is tried again until the account is listed as deleted, then purged", async () => {
    const setup = scenario("listed-late", {
      stacks: { "pr-18": { resourceCount: 2, outputs: outputsFor("kl-pr-18") } },
    });
    const key = softDeleted("kl-pr-18", "immediate", { unlistedForRequests: 1 });
    // The whole retry schedule is asserted without waiting in "the purge retry schedule" below; here one real
    // 1 s wait proves the command line and the teardown wire it up.
    const result = await destroy(setup, "--stack", "pr-18", "--yes", "--purge-wait", "1");
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /not listed as deleted yet \(404, try 1\); next try in 1 s, for up to 1 s after the destroy/,
    );
    assert.match(result.stdout, /purged: the name kl-pr-18 is free again/);
    assert.equal(purgeRequests("kl-pr-18").length, 2);
    assert.ok(armState.purged.includes(key));
  });

  test("right after the destroy, an account never listed as deleted: warns with the purge command after --purge-wait", async () => {
    const setup = scenario("not-found", { stacks: { "pr-13": { resourceCount: 2, outputs: outputsFor("kl-pr-13") } } });
    const result = await destroy(setup, "--stack", "pr-13", "--yes", "--purge-wait", "1");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(purgeRequests("kl-pr-13").length, 2, "first try, then one more when the wait is over");
    assert.match(result.stdout, /nothing to purge: kl-pr-13 was not listed as deleted within 1 s of the destroy/);
    assert.match(result.stdout, /az cognitiveservices account purge --name kl-pr-13 --resource-group /);
    assert.equal(recordOf(setup, "pr-13"), undefined, "the teardown finished");
  });

  test("when an earlier run destroyed the account, one 404 means nothing to purge", async () => {
    const setup = scenario("gone-before", { stacks: {} });
    saveRecord(setup.recordDirectory, {
      stack: "pr-17",
      purgeTarget: {
        subscriptionId: SUBSCRIPTION_ID,
        location: LOCATION,
        resourceGroupName: RESOURCE_GROUP,
        accountName: "kl-pr-17",
      },
      protected: false,
      testStack: true,
      destroyed: true,
      purged: false,
      updatedAt: "",
    });
    const result = await destroy(setup, "--stack", "pr-17", "--yes");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /nothing to purge \(already purged, or never soft-deleted\)/);
    assert.equal(purgeRequests("kl-pr-17").length, 1);
  });

  test("a failed stack rm is finished by the re-run without a second destroy or purge", async () => {
    const setup = scenario("rm-fails", {
      stacks: { "pr-14": { resourceCount: 2, outputs: outputsFor("kl-pr-14") } },
      failNext: { "stack rm": 1 },
    });
    softDeleted("kl-pr-14", "immediate");
    const failed = await destroy(setup, "--stack", "pr-14", "--yes");
    assert.equal(failed.code, 1);
    assert.equal(recordOf(setup, "pr-14")?.purged, true);
    const resumed = await destroy(setup, "--stack", "pr-14", "--yes");
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /Purge: already done by an earlier run/);
    assert.equal(purgeRequests("kl-pr-14").length, 1);
    assert.equal(pulumiCalls(setup).filter((call) => call.startsWith("destroy")).length, 1);
    assert.equal(setup.pulumi.readState().stacks["pr-14"], undefined);
  });

  test("--keep-stack keeps the emptied test stack", async () => {
    const setup = scenario("keep", { stacks: { "pr-15": { resourceCount: 2, outputs: outputsFor("kl-pr-15") } } });
    softDeleted("kl-pr-15", "immediate");
    const result = await destroy(setup, "--stack", "pr-15", "--yes", "--keep-stack");
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(setup.pulumi.readState().stacks["pr-15"], { resourceCount: 0, outputs: {} });
    assert.match(result.stdout, /Stack rm: skipped \(--keep-stack\)/);
  });

  test("without --yes and without a terminal: refused (3, as deploy) before anything is read; usage errors exit 2", async () => {
    const setup = scenario("confirm", { stacks: { "pr-16": { resourceCount: 2, outputs: outputsFor("kl-pr-16") } } });
    const unconfirmed = await destroy(setup, "--stack", "pr-16");
    assert.equal(unconfirmed.code, 3);
    assert.equal(
      unconfirmed.stderr,
      "destroy: refused: npm run destroy is not running at a terminal, so nobody can type the stack name to confirm: pass --yes to tear the stack down without asking.\n",
    );
    assert.deepEqual(pulumiCalls(setup), []);
    assert.equal(recordOf(setup, "pr-16"), undefined);

    const noStack = await destroy(setup, "--yes");
    assert.equal(noStack.code, 2);
    assert.match(noStack.stderr, /--stack NAME is required/);
    const badName = await destroy(setup, "--stack", "pr 1; rm -rf /", "--yes");
    assert.equal(badName.code, 2);
    const badWait = await destroy(setup, "--stack", "pr-16", "--yes", "--purge-wait", "2m");
    assert.equal(badWait.code, 2);
    assert.match(badWait.stderr, /--purge-wait needs whole seconds from 0 to 3600 \(got "2m"\)/);
  });
});

describe("npm run destroy and npm run stale-stacks without a Pulumi CLI", { skip: needsOpenssl }, () => {
  test("names where the CLI is looked for, why it is not there, and how to install it, in one sentence", async () => {
    const directory = mkdtempSync(join(scratch, "no-cli-"));
    const pulumiHome = join(directory, "empty-pulumi-home");
    const downloads: string[] = [];
    let stderr = "";
    const code = await destroyCommand(["--stack", "pr-40", "--yes"], {
      env: { PATH: process.env.PATH, PULUMI_HOME: pulumiHome, TEARDOWN_RECORD_DIR: join(directory, "records") },
      io: { out: () => {}, err: (text) => (stderr += text) },
      interactive: false,
      // What the `pulumi` npm launcher prints offline (its run.js: "pulumi: " + the fetch error).
      download: async (env) => {
        downloads.push(env.PULUMI_HOME ?? "");
        return { failure: "pulumi: fetch failed" };
      },
      sleep: async () => {},
    });
    assert.equal(code, 1);
    assert.deepEqual(downloads, [pulumiHome]);
    const root = `${pulumiHome}/versions/3.276.0`;
    let staleStderr = "";
    const staleCode = await staleStacks(
      [],
      {
        env: { PATH: process.env.PATH, PULUMI_HOME: pulumiHome },
        download: async () => ({ failure: "pulumi: fetch failed" }),
      },
      { out: () => {}, err: (text) => (staleStderr += text) },
    );
    assert.equal(staleCode, 1);
    assert.equal(
      staleStderr,
      `stale-stacks: No Pulumi CLI v3.276.0 is installed in ${root}/bin and downloading it failed (pulumi: fetch failed): install it there with \`curl -fsSL https://get.pulumi.com/install.sh | sh -s -- --version 3.276.0 --install-root ${root} --no-edit-path\` (offline: unpack the pulumi-v3.276.0 release archive's pulumi/ folder as ${root}/bin), or set PULUMI_HOME to a directory with versions/3.276.0/bin/pulumi, then run the command again.\n`,
    );
    assert.equal(
      stderr,
      `destroy: teardown of pr-40 stopped: No Pulumi CLI v3.276.0 is installed in ${root}/bin and downloading it failed (pulumi: fetch failed): install it there with \`curl -fsSL https://get.pulumi.com/install.sh | sh -s -- --version 3.276.0 --install-root ${root} --no-edit-path\` (offline: unpack the pulumi-v3.276.0 release archive's pulumi/ folder as ${root}/bin), or set PULUMI_HOME to a directory with versions/3.276.0/bin/pulumi, then run the command again.\n`,
    );
  });
});

describe("the purge retry schedule (sleep injected: nothing waits)", { skip: needsOpenssl }, () => {
  const target: PurgeTarget = {
    subscriptionId: SUBSCRIPTION_ID,
    location: LOCATION,
    resourceGroupName: RESOURCE_GROUP,
    accountName: "kl-schedule",
  };

  /** Purge answers by attempt number, and the waits the loop asked for. */
  async function scheduled(waitMs: number, answers: PurgeOutcome[]) {
    const waits: number[] = [];
    const lines: string[] = [];
    let attempts = 0;
    const outcome = await purgeAllowingForLag(target, waitMs, {
      purge: async () => answers[Math.min(attempts++, answers.length - 1)] ?? "not-found",
      sleep: async (milliseconds) => {
        waits.push(milliseconds);
      },
      log: (line) => lines.push(line),
    });
    return { outcome, attempts, waits, lines };
  }

  test("10 s between tries, the last wait shorter, adding up to --purge-wait", () => {
    assert.deepEqual(purgeRetrySchedule(25_000), [10_000, 10_000, 5_000]);
    assert.deepEqual(
      purgeRetrySchedule(120_000),
      Array.from({ length: 12 }, () => 10_000),
    );
    assert.deepEqual(purgeRetrySchedule(0), []);
  });

  test("listed on the third try: two waits, then purged", async () => {
    const run = await scheduled(120_000, ["not-found", "not-found", "purged"]);
    assert.deepEqual(run, {
      outcome: "purged",
      attempts: 3,
      waits: [10_000, 10_000],
      lines: [
        "  … not listed as deleted yet (404, try 1); next try in 10 s, for up to 120 s after the destroy",
        "  … not listed as deleted yet (404, try 2); next try in 10 s, for up to 120 s after the destroy",
      ],
    });
  });

  test("never listed: one try per wait plus the first, then not-found", async () => {
    const run = await scheduled(25_000, ["not-found"]);
    assert.equal(run.outcome, "not-found");
    assert.equal(run.attempts, 4);
    assert.deepEqual(run.waits, [10_000, 10_000, 5_000]);
  });

  test("purged at once, or no wait asked for: a single try and no wait", async () => {
    assert.deepEqual((await scheduled(120_000, ["purged"])).waits, []);
    const noWait = await scheduled(0, ["not-found"]);
    assert.deepEqual([noWait.attempts, noWait.waits], [1, []]);
  });
});

describe("npm run stale-stacks", { skip: needsOpenssl }, () => {
  test("lists pr-* stacks whose PR is closed or merged, or that are too old; keeps the rest", async () => {
    const now = Date.now();
    const daysAgo = (days: number) => new Date(now - days * 24 * 60 * 60 * 1000).toISOString();
    const setup = scenario("stale", {
      stacks: {
        dev: { resourceCount: 9, outputs: {}, lastUpdate: daysAgo(90) },
        "pr-1": { resourceCount: 9, outputs: {}, lastUpdate: daysAgo(1) },
        "pr-2": { resourceCount: 9, outputs: {}, lastUpdate: daysAgo(1) },
        "organization/keyless-openai/pr-3": { resourceCount: 9, outputs: {}, lastUpdate: daysAgo(1) },
        "pr-4": { resourceCount: 9, outputs: {}, lastUpdate: daysAgo(10) },
        "pr-5": { resourceCount: 9, outputs: {}, lastUpdate: daysAgo(2) },
      },
    });
    const gh = installGhStandIn(setup.directory, { "1": "OPEN", "2": "CLOSED", "3": "MERGED", "4": "OPEN" });
    setup.extraEnv = gh.env;
    const result = await run(
      ["npm", "run", "--silent", "stale-stacks", "--", "--max-age-days", "7"],
      childEnv(setup, [gh.env.PATH_PREFIX, dirname(process.execPath)]),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.split("\n").filter(Boolean), ["pr-2", "pr-3", "pr-4"]);
    assert.match(result.stderr, /tear down pr-2: pull request is closed/);
    assert.match(result.stderr, /tear down pr-4: not updated for more than 7 days/);
    assert.match(result.stderr, /keep pr-5/, "a PR that cannot be looked up is kept while the stack is recent");
    assert.deepEqual(
      gh.calls().map((call) => call.slice(0, 3).join(" ")),
      ["pr view 1", "pr view 2", "pr view 3", "pr view 4", "pr view 5"],
    );
  });
});
