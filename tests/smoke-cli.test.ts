/**
 * `npm run smoke` end to end, each run in its own process (`node --import tsx scripts/smoke.ts`), against the
 * stand-ins of tests/standins/smoke-world.ts: real DefaultAzureCredential (Azure CLI source, stand-in `az`), real
 * @azure/arm-compute run command executing scripts/vm/smoke.sh with bash, real @azure/arm-appservice host keys, and
 * the real Function App handler behind a stand-in Functions host.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { FUNCTION_APP_PRINCIPAL, USER_PRINCIPAL, VM_PRINCIPAL } from "./standins/principals";
import { type CliRun, FUNCTION_KEY, type SmokeWorld, startSmokeWorld, VM_NAME } from "./standins/smoke-world";
import { readTokenClaims } from "./standins/tokens";

let world: SmokeWorld;
before(async () => {
  world = await startSmokeWorld();
});
after(() => world.close());
beforeEach(() => {
  world.dataPlane.grants = new Map();
  delete world.dataPlane.failure;
  delete world.dataPlane.rateLimit;
  for (const app of world.arm.functionApps ?? []) app.defaultFunctionKey = FUNCTION_KEY;
});

function result(run: CliRun, target: string): Record<string, unknown> {
  const found = run.summary?.results.find((entry) => entry.target === target);
  assert.ok(found, `no ${target} result in:\n${run.stdout}\n${run.stderr}`);
  return found;
}

function diagnosisCode(entry: Record<string, unknown>): unknown {
  return (entry.diagnosis as { code?: unknown } | undefined)?.code;
}

function grantAll(at: number): void {
  for (const principal of [USER_PRINCIPAL, VM_PRINCIPAL, FUNCTION_APP_PRINCIPAL]) {
    world.dataPlane.grants.set(principal.objectId, at);
  }
}

describe("npm run smoke", () => {
  test("local: waits with progress lines while the user's role propagates, then passes", async () => {
    world.dataPlane.grants.set(USER_PRINCIPAL.objectId, Date.now() + 2500);
    const run = await world.runCli(["--target", "local", "--deadline", "30s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const local = result(run, "local");
    assert.equal(local.outcome, "passed");
    assert.equal(local.identity, USER_PRINCIPAL.userPrincipalName);
    assert.equal(local.reply, "Keyless access works.");
    assert.ok(Number(local.attempts) >= 2);
    assert.match(
      run.stderr,
      /\[smoke local\] \+\d+\.\ds attempt 1: 401 role_not_effective - .*RBAC propagation.* Next try in/,
    );
    assert.match(run.stdout, /target\s+identity\s+outcome\s+diagnosis\s+attempts\s+time/);
    assert.match(run.stdout, /local\s+dev@contoso\.example\s+PASS\s+ok/);
    // DefaultAzureCredential asked the Azure CLI, exactly as AzureCliCredential does, for the data-plane audience.
    const tokenCall = world.az.invocations().find((args) => args.includes("https://cognitiveservices.azure.com"));
    assert.deepEqual(tokenCall?.slice(0, 4), ["account", "get-access-token", "--output", "json"]);
  });

  test("local: a role that never takes effect ends at the deadline with role_not_effective", async () => {
    const run = await world.runCli(["--target", "local", "--deadline", "3s"]);
    assert.equal(run.exitCode, 1);
    const local = result(run, "local");
    assert.equal(local.outcome, "failed");
    assert.equal(diagnosisCode(local), "role_not_effective");
    assert.match(String(local.note), /deadline reached/);
    assert.match(run.stdout, /local\s+dev@contoso\.example\s+FAIL\s+role_not_effective/);
  });

  test("local: signed out of the Azure CLI is credential_unavailable", async () => {
    const run = await world.runCli(["--target", "local", "--deadline", "10s"], { signedOut: true });
    assert.equal(run.exitCode, 1);
    assert.equal(diagnosisCode(result(run, "local")), "credential_unavailable");
  });

  test("local: 429 is honoured and then passes", async () => {
    grantAll(0);
    world.dataPlane.rateLimit = { count: 1, retryAfterMs: 1500 };
    const run = await world.runCli(["--target", "local", "--deadline", "20s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stderr, /429 rate_limited .* Next try in 1\.5s/);
  });

  test("vm: runs scripts/vm/smoke.sh through the run command API as the user and reads its result", async () => {
    world.dataPlane.grants.set(VM_PRINCIPAL.objectId, Date.now() + 1500);
    const before = world.servers.arm.requests.length;
    const run = await world.runCli(["--target", "vm", "--deadline", "30s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const vm = result(run, "vm");
    assert.equal(vm.outcome, "passed");
    assert.match(
      String(vm.identity),
      new RegExp(`^${VM_NAME} \\(managed identity ${VM_PRINCIPAL.objectId.slice(0, 8)}`),
    );
    assert.ok(Number(vm.attempts) >= 1);

    const runCommand = world.servers.arm.requests.slice(before).find((request) => request.method === "POST");
    assert.ok(runCommand);
    assert.match(runCommand.url.pathname, /\/providers\/Microsoft\.Compute\/virtualMachines\/vm-smoke\/runCommand$/);
    const input = JSON.parse(runCommand.body) as { commandId: string; script: string[] };
    assert.equal(input.commandId, "RunShellScript");
    assert.equal(input.script[0], "#!/usr/bin/env bash");
    assert.ok(input.script.includes(`export SMOKE_ENDPOINT='${world.servers.dataPlaneTls.origin}/'`));
    assert.ok(input.script.includes("export SMOKE_DEPLOYMENT='chat'"));
    // Signed in as the user, with an ARM token.
    const token = runCommand.headers.authorization?.replace(/^Bearer /, "") ?? "";
    assert.equal(readTokenClaims(token)?.aud, "https://management.azure.com");
    assert.equal(readTokenClaims(token)?.oid, USER_PRINCIPAL.objectId);
    // The VM's own identity called the model, not the user.
    const modelCaller = world.servers.dataPlaneTls.requests
      .map((request) => readTokenClaims(request.headers.authorization?.replace(/^Bearer /, "") ?? "")?.oid)
      .filter((oid) => oid === VM_PRINCIPAL.objectId);
    assert.ok(modelCaller.length >= 1);
  });

  test("vm: a failure on the VM is reported with the script's diagnosis", async () => {
    grantAll(0);
    world.dataPlane.failure = "network-blocked";
    const run = await world.runCli(["--target", "vm", "--deadline", "20s"]);
    assert.equal(run.exitCode, 1);
    assert.equal(diagnosisCode(result(run, "vm")), "network_blocked");
  });

  test("function: gets the key from ARM, calls the function, waits for the app's role", async () => {
    world.dataPlane.grants.set(FUNCTION_APP_PRINCIPAL.objectId, Date.now() + 1500);
    const hostBefore = world.servers.functionHost.requests.length;
    const run = await world.runCli(["--target", "function", "--deadline", "30s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const entry = result(run, "function");
    assert.equal(entry.outcome, "passed");
    assert.match(String(entry.identity), /^func-smoke \(managed identity cccccccc/);
    const calls = world.servers.functionHost.requests.slice(hostBefore);
    assert.ok(calls.length >= 1);
    for (const call of calls) {
      assert.equal(call.headers["x-functions-key"], FUNCTION_KEY);
      assert.equal(call.url.searchParams.get("code"), null, "the key stays out of the URL");
    }
    const listKeys = world.servers.arm.requests.find((request) =>
      request.url.pathname.endsWith("/host/default/listkeys"),
    );
    assert.ok(listKeys, "the key came from Resource Manager");
  });

  test("function: a rejected key stops at once with function_key_rejected", async () => {
    grantAll(0);
    for (const app of world.arm.functionApps ?? []) app.defaultFunctionKey = "rotated-away";
    const run = await world.runCli(["--target", "function", "--deadline", "20s"]);
    assert.equal(run.exitCode, 1);
    const entry = result(run, "function");
    assert.equal(diagnosisCode(entry), "function_key_rejected");
    assert.equal(entry.attempts, 1);
  });

  test("all: every identity the stack has, concurrently, in one table", async () => {
    grantAll(Date.now() + 1000);
    const run = await world.runCli(["--deadline", "30s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(
      run.summary?.results.map((entry) => entry.target),
      ["local", "vm", "function"],
    );
    assert.ok(run.summary?.results.every((entry) => entry.outcome === "passed"));
  });

  test("all: one failing identity fails the run with exit code 1", async () => {
    grantAll(0);
    world.dataPlane.grants.delete(FUNCTION_APP_PRINCIPAL.objectId);
    const run = await world.runCli(["--deadline", "3s"]);
    assert.equal(run.exitCode, 1);
    assert.equal(result(run, "local").outcome, "passed");
    assert.equal(result(run, "vm").outcome, "passed");
    assert.equal(diagnosisCode(result(run, "function")), "role_not_effective");
  });

  test("all on a stack without compute runs only local", async () => {
    grantAll(0);
    const outputsFile = world.writeOutputs({ compute: "none", vmName: undefined, functionAppName: undefined });
    const run = await world.runCli([], { outputsFile });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(
      run.summary?.results.map((entry) => entry.target),
      ["local"],
    );
  });

  const usageErrors: [string, string[], Record<string, unknown> | undefined, RegExp][] = [
    ["unknown target", ["--target", "aks"], undefined, /--target must be one of/],
    ["unreadable deadline", ["--deadline", "soon"], undefined, /--deadline: cannot read/],
    ["target not deployed", ["--target", "vm"], { compute: "none" }, /no vm to test/],
    ["missing output", ["--target", "local"], { apiVersion: undefined }, /"apiVersion" is missing/],
    ["http ARM endpoint", ["--arm-endpoint", "http://127.0.0.1:1"], undefined, /must be https/],
  ];
  for (const [name, args, changes, message] of usageErrors) {
    test(`usage error exits 2: ${name}`, async () => {
      const outputsFile = changes ? world.writeOutputs(changes) : world.outputsFile;
      const run = await world.runCli(args, { outputsFile });
      assert.equal(run.exitCode, 2);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /usage: npm run smoke/);
      assert.equal(run.summary, undefined);
    });
  }
});
