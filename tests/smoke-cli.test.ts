/**
 * `npm run smoke` end to end (its `main`, in this process, as tests/standins/smoke-world.ts runs it; against a
 * reasoning deployment, the real `npm run smoke` in a child process), against the stand-ins of
 * tests/standins/smoke-world.ts: real DefaultAzureCredential (Azure CLI source, stand-in `az`) or, as a
 * GitHub Actions job, real ClientAssertionCredential; real @azure/arm-compute run command executing
 * scripts/vm/smoke.sh with bash; real @azure/arm-appservice host keys; the real Function App handler behind a
 * stand-in Functions host; the real openai client on the v1 API.
 *
 * Nothing here depends on the machine's speed: the CLI runs on a virtual clock (injected into its main;
 * its waits return at once and are printed; the child run waits for real, and nothing asserts how long), and the
 * data plane answers by attempt count. The schedule asserted
 * below is the one the code computes; `npm run bench:smoke` measures the real timings.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { installPulumiStandIn } from "./standins/arm-teardown";
import { CHAT_MODEL, REASONING_MODEL } from "./standins/openai-data-plane";
import { FUNCTION_APP_PRINCIPAL, USER_PRINCIPAL, VM_PRINCIPAL } from "./standins/principals";
import {
  type CliRun,
  FUNCTION_KEY,
  PIPELINE_PRINCIPAL,
  type SmokeWorld,
  startSmokeWorld,
  VM_NAME,
} from "./standins/smoke-world";
import { readTokenClaims } from "./standins/tokens";
import { missingTool } from "./support/tools";

let world: SmokeWorld;
/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
const needsOpenssl = missingTool("openssl");

before(async () => {
  if (needsOpenssl) return;
  world = await startSmokeWorld();
});
after(() => (needsOpenssl ? undefined : world.close()));
beforeEach(() => {
  if (needsOpenssl) return;
  world.dataPlane.grants = new Map();
  delete world.dataPlane.failure;
  delete world.dataPlane.rateLimit;
  delete world.dataPlane.deploymentNotFoundFirst;
  world.dataPlane.model = CHAT_MODEL;
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

/** Grants every identity of the world after `refusedCalls` PermissionDenied answers each. */
function grantAll(refusedCalls: number): void {
  for (const principal of [USER_PRINCIPAL, VM_PRINCIPAL, FUNCTION_APP_PRINCIPAL]) {
    world.dataPlane.grants.set(principal.objectId, refusedCalls);
  }
}

/** The waits the CLI printed for a target ("Next try in 0.5s."), in milliseconds. */
function printedWaits(run: CliRun, target: string): number[] {
  const pattern = new RegExp(`\\[smoke ${target}\\] \\+[\\d.]+s attempt \\d+: .* Next try in ([\\d.]+)s\\.`, "g");
  return [...run.stderr.matchAll(pattern)].map((match) => Math.round(Number(match[1]) * 1000));
}

/** Chat requests the data plane received since `before`, with their bodies. */
function chatCallsSince(before: number, server = world.servers.dataPlaneTls) {
  return server.requests
    .slice(before)
    .filter((request) => request.url.pathname.endsWith("/chat/completions"))
    .map((request) => ({ request, body: JSON.parse(request.body) as Record<string, unknown> }));
}

const bashAndCurl = missingTool(["bash", "curl", "python3"]);

describe("npm run smoke", { skip: needsOpenssl }, () => {
  test("--help prints the usage on stdout and exits 0 without reading any outputs", async () => {
    const run = await world.runCli(["--help"], { outputsFile: "/nonexistent/outputs.json" });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /^usage: npm run smoke --/);
    assert.match(run.stdout, /Exit codes: 0 all passed, 1 some failed, 2 usage/);
    assert.equal(run.stderr, "");
  });

  test("local: waits with a progress line per try while the user's role propagates, then passes on v1", async () => {
    world.dataPlane.grants.set(USER_PRINCIPAL.objectId, 3);
    const before = world.servers.dataPlaneTls.requests.length;
    const run = await world.runCli(["--target", "local", "--deadline", "30s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const local = result(run, "local");
    assert.equal(local.outcome, "passed");
    assert.equal(local.identity, USER_PRINCIPAL.userPrincipalName);
    assert.equal(local.reply, "Keyless access works.");
    assert.equal(local.attempts, 4, "three PermissionDenied answers, then success");
    assert.deepEqual(printedWaits(run, "local"), [500, 500, 500]);
    assert.match(
      run.stderr,
      /\[smoke local\] \+0\.0s attempt 1: 401 role_not_effective - .*RBAC propagation.* Next try in 0\.5s\./,
    );
    assert.match(run.stdout, /target\s+identity\s+outcome\s+diagnosis\s+attempts\s+time/);
    assert.match(run.stdout, /local\s+dev@contoso\.example\s+PASS\s+ok/);
    // The v1 API: no api-version, the deployment in `model`, no max_tokens.
    const calls = chatCallsSince(before);
    assert.equal(calls.length, 4);
    for (const { request, body } of calls) {
      assert.equal(request.url.pathname, "/openai/v1/chat/completions");
      assert.equal(request.url.search, "");
      assert.equal(body.model, "chat");
      assert.equal("max_tokens" in body, false);
    }
    // DefaultAzureCredential asked the Azure CLI, exactly as AzureCliCredential does, for the data-plane audience.
    const tokenCall = world.az.invocations().find((args) => args.includes("https://cognitiveservices.azure.com"));
    assert.deepEqual(tokenCall?.slice(0, 4), ["account", "get-access-token", "--output", "json"]);
  });

  test("local: tries every 0.5 s for the first 10 s, then doubles to 10 s, and stops at the deadline", async () => {
    const run = await world.runCli(["--target", "local", "--deadline", "60s"]);
    assert.equal(run.exitCode, 1);
    const local = result(run, "local");
    assert.equal(local.outcome, "failed");
    assert.equal(diagnosisCode(local), "role_not_effective");
    assert.match(String(local.note), /deadline reached/);
    // Tries at 0, 0.5, ..., 10 s (21), then 11, 13, 17, 25, 35, 45, 55 and 60 s (the last wait cut by the deadline).
    const steady = Array<number>(20).fill(500);
    assert.deepEqual(printedWaits(run, "local"), [...steady, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 5000]);
    assert.equal(local.attempts, 29);
    assert.equal(local.elapsedMs, 60_000);
    assert.match(run.stdout, /local\s+dev@contoso\.example\s+FAIL\s+role_not_effective/);
  });

  test("local: Retry-After of a 429 wins over the 0.5 s step, then passes", async () => {
    grantAll(0);
    world.dataPlane.rateLimit = { count: 1, retryAfterMs: 1500 };
    const run = await world.runCli(["--target", "local", "--deadline", "20s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stderr, /429 rate_limited .* Next try in 1\.5s/);
    assert.deepEqual(printedWaits(run, "local"), [1500]);
  });

  test("local: a deployment that appears after a few tries is waited for (404 DeploymentNotFound)", async () => {
    grantAll(0);
    world.dataPlane.deploymentNotFoundFirst = 2;
    const run = await world.runCli(["--target", "local"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(result(run, "local").attempts, 3);
    assert.match(run.stderr, /404 deployment_not_found/);
  });

  test("signed out of the Azure CLI: blames your sign-in, for local and for the ARM calls, never the identities", async () => {
    grantAll(0);
    const run = await world.runCli(["--deadline", "10s"], { signedOut: true });
    assert.equal(run.exitCode, 1);
    for (const target of ["local", "vm", "function"]) {
      const entry = result(run, target);
      assert.equal(diagnosisCode(entry), "sign_in_missing", target);
      assert.match(String(entry.note), /az login/, target);
    }
    assert.match(String(result(run, "vm").identity), /^you \(Resource Manager sign-in\)/);
    assert.match(String(result(run, "function").identity), /^you \(Resource Manager sign-in\)/);
    assert.doesNotMatch(run.stdout, /credential_unavailable/);
  });

  for (const model of [REASONING_MODEL, CHAT_MODEL]) {
    const kind = model.reasoning ? "reasoning" : "non-reasoning";
    // One run of the whole command as a user starts it: npm, the Node version guard, tsx, the process's own
    // environment and certificate trust.
    const npmRun = model.reasoning === true;
    const how = npmRun ? "npm run smoke in a child process" : "in this process";
    test(`all three paths pass against a ${kind} deployment (${model.name}), on the v1 API without max_tokens (${how})`, {
      skip: bashAndCurl,
    }, async () => {
      world.dataPlane.model = model;
      grantAll(1);
      const tlsBefore = world.servers.dataPlaneTls.requests.length;
      const plainBefore = world.servers.dataPlanePlain.requests.length;
      const run = await world.runCli(["--deadline", "60s"], { npmRun });
      assert.equal(run.exitCode, 0, run.stderr);
      for (const target of ["local", "vm", "function"]) assert.equal(result(run, target).outcome, "passed", target);
      // local and the VM script reach the TLS data plane, the in-process function the plain one.
      const calls = [...chatCallsSince(tlsBefore), ...chatCallsSince(plainBefore, world.servers.dataPlanePlain)];
      const callers = new Set(
        calls.map(({ request }) => readTokenClaims(request.headers.authorization?.slice(7) ?? "")?.oid),
      );
      assert.deepEqual(
        [...callers].sort(),
        [USER_PRINCIPAL.objectId, VM_PRINCIPAL.objectId, FUNCTION_APP_PRINCIPAL.objectId].sort(),
      );
      for (const { request, body } of calls) {
        assert.equal(request.url.pathname, "/openai/v1/chat/completions");
        assert.equal(body.model, "chat");
        assert.equal("max_tokens" in body, false, "a reasoning deployment refuses max_tokens");
      }
    });
  }

  test("vm: runs scripts/vm/smoke.sh through the run command API as the user and reads its result", {
    skip: bashAndCurl,
  }, async () => {
    world.dataPlane.grants.set(VM_PRINCIPAL.objectId, 1);
    const before = world.servers.arm.requests.length;
    const run = await world.runCli(["--target", "vm", "--deadline", "30s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const vm = result(run, "vm");
    assert.equal(vm.outcome, "passed");
    assert.match(
      String(vm.identity),
      new RegExp(`^${VM_NAME} \\(managed identity ${VM_PRINCIPAL.objectId.slice(0, 8)}`),
    );
    assert.equal(vm.attempts, 2, "one PermissionDenied answer, then success");

    const runCommand = world.servers.arm.requests.slice(before).find((request) => request.method === "POST");
    assert.ok(runCommand);
    assert.match(runCommand.url.pathname, /\/providers\/Microsoft\.Compute\/virtualMachines\/vm-smoke\/runCommand$/);
    const input = JSON.parse(runCommand.body) as { commandId: string; script: string[] };
    assert.equal(input.commandId, "RunShellScript");
    assert.equal(input.script[0], "#!/usr/bin/env bash");
    assert.ok(input.script.includes(`export SMOKE_ENDPOINT='${world.servers.dataPlaneTls.origin}/'`));
    assert.ok(input.script.includes("export SMOKE_DEPLOYMENT='chat'"));
    assert.ok(!input.script.some((line) => line.includes("SMOKE_API_VERSION")), "v1 needs no api-version");
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

  test("vm: a failure on the VM is reported with the script's diagnosis", { skip: bashAndCurl }, async () => {
    grantAll(0);
    world.dataPlane.failure = "network-blocked";
    const run = await world.runCli(["--target", "vm", "--deadline", "20s"]);
    assert.equal(run.exitCode, 1);
    assert.equal(diagnosisCode(result(run, "vm")), "network_blocked");
  });

  test("function: gets the key from ARM, calls the function, waits for the app's role", async () => {
    world.dataPlane.grants.set(FUNCTION_APP_PRINCIPAL.objectId, 2);
    const hostBefore = world.servers.functionHost.requests.length;
    const run = await world.runCli(["--target", "function", "--deadline", "30s"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const entry = result(run, "function");
    assert.equal(entry.outcome, "passed");
    assert.equal(entry.attempts, 3);
    assert.deepEqual(printedWaits(run, "function"), [500, 500]);
    assert.match(String(entry.identity), /^func-smoke \(managed identity cccccccc/);
    const calls = world.servers.functionHost.requests.slice(hostBefore);
    assert.equal(calls.length, 3);
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

  test("all: one failing identity fails the run with exit code 1", { skip: bashAndCurl }, async () => {
    grantAll(0);
    world.dataPlane.grants.delete(FUNCTION_APP_PRINCIPAL.objectId);
    const run = await world.runCli(["--deadline", "3s"]);
    assert.equal(run.exitCode, 1);
    assert.deepEqual(
      run.summary?.results.map((entry) => entry.target),
      ["local", "vm", "function"],
    );
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

  test("outputs without apiVersion, or with the dated one older stacks still print, are accepted (the v1 API needs none)", async () => {
    grantAll(0);
    for (const apiVersion of [undefined, "2024-10-21"]) {
      const outputsFile = world.writeOutputs({ compute: "none", apiVersion });
      const run = await world.runCli([], { outputsFile });
      assert.equal(run.exitCode, 0, run.stderr);
    }
  });

  test("an allowList account: every identity is tested, this machine through the IP allow-list", {
    skip: bashAndCurl,
  }, async () => {
    grantAll(0);
    const run = await world.runCli([], { outputsFile: world.writeOutputs({ networkMode: "allowList" }) });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(
      run.summary?.results.map((entry) => [entry.target, entry.outcome]),
      [
        ["local", "passed"],
        ["vm", "passed"],
        ["function", "passed"],
      ],
    );
  });

  test("a private account: local says at once how to test from inside; all runs the VM and the function", {
    skip: bashAndCurl,
  }, async () => {
    grantAll(0);
    const outputsFile = world.writeOutputs({ networkMode: "private" });
    const before = world.servers.dataPlaneTls.requests.length;
    const local = await world.runCli(["--target", "local"], { outputsFile });
    assert.equal(local.exitCode, 1);
    const entry = result(local, "local");
    assert.equal(diagnosisCode(entry), "network_blocked");
    assert.equal(entry.attempts, 0, "no try, no waiting for the deadline");
    assert.match(String(entry.note), /account is private .*--target vm.*machine in the VNet/);
    const localCalls = world.servers.dataPlaneTls.requests
      .slice(before)
      .filter(
        (request) => readTokenClaims(request.headers.authorization?.slice(7) ?? "")?.oid === USER_PRINCIPAL.objectId,
      );
    assert.equal(localCalls.length, 0);

    const all = await world.runCli([], { outputsFile });
    assert.equal(all.exitCode, 0, all.stderr);
    assert.deepEqual(
      all.summary?.results.map((result) => result.target),
      ["vm", "function"],
    );
    assert.match(all.stderr, /\[smoke local\] not run: The account is private/);

    const inside = await world.runCli(["--target", "local", "--inside-network"], { outputsFile });
    assert.equal(inside.exitCode, 0, inside.stderr);
  });

  test("in GitHub Actions: OIDC sign-in with a fresh GitHub assertion per Entra token, for the model and ARM", async () => {
    world.dataPlane.grants.set(PIPELINE_PRINCIPAL.objectId, 0);
    world.dataPlane.grants.set(FUNCTION_APP_PRINCIPAL.objectId, 0);
    const githubBefore = world.servers.github.requests.length;
    const entraBefore = world.servers.entra.requests.length;
    const armBefore = world.servers.arm.requests.length;
    const run = await world.runCli(["--target", "local"], { githubActions: true });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stderr, /signing in as GitHub Actions OIDC/);
    const viaArm = await world.runCli(["--target", "function"], { githubActions: true });
    assert.equal(viaArm.exitCode, 0, viaArm.stderr);
    const tokenRequests = world.servers.entra.requests
      .slice(entraBefore)
      .filter((request) => request.url.pathname.endsWith("/oauth2/v2.0/token"));
    const scopes = tokenRequests.map((request) => new URLSearchParams(request.body).get("scope") ?? "");
    assert.ok(scopes.some((scope) => scope.includes("https://cognitiveservices.azure.com/.default")));
    assert.ok(scopes.some((scope) => scope.includes("https://management.azure.com/.default")));
    const assertions = tokenRequests.map((request) => new URLSearchParams(request.body).get("client_assertion"));
    assert.equal(new Set(assertions).size, assertions.length, "no assertion was sent twice");
    assert.ok(world.servers.github.requests.length - githubBefore >= tokenRequests.length);
    // ARM saw the pipeline's token, not the Azure CLI user's.
    const listKeys = world.servers.arm.requests.slice(armBefore).find((request) => request.method === "POST");
    assert.equal(readTokenClaims(listKeys?.headers.authorization?.slice(7) ?? "")?.oid, PIPELINE_PRINCIPAL.objectId);
    assert.equal(result(run, "local").identity, PIPELINE_PRINCIPAL.objectId);
  });

  test("before any deploy: the stack is read through the Automation API and is not there; exit 2 with what to run", async () => {
    // The stand-in CLI where the scripts look for the pinned one ($PULUMI_HOME/versions/<version>/bin).
    const home = mkdtempSync(join(tmpdir(), "smoke-pulumi-"));
    try {
      const pulumi = installPulumiStandIn(home, "3.276.0", { stacks: {} });
      const run = await world.runCli(["--stack", "dev"], {
        outputsFile: false,
        environment: { ...pulumi.env, PULUMI_BACKEND_URL: `file://${home}` },
      });
      assert.equal(run.exitCode, 2, run.stderr);
      assert.match(
        run.stderr,
        /^smoke: stack dev does not exist in the state backend: deploy it first with npm run deploy -- --stack dev\n/,
      );
      assert.deepEqual(pulumi.calls(), [["stack", "ls", "--json", "--non-interactive"]]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("without --stack: the selected stack's outputs, through the Automation API; no stack selected is a usage error", async () => {
    const home = mkdtempSync(join(tmpdir(), "smoke-pulumi-"));
    try {
      const pulumi = installPulumiStandIn(home, "3.276.0", { stacks: { qa: { resourceCount: 0, outputs: {} } } });
      const environment = { ...pulumi.env, PULUMI_BACKEND_URL: `file://${home}` };
      const unselected = await world.runCli(["--target", "local"], { outputsFile: false, environment });
      assert.equal(unselected.exitCode, 2, unselected.stderr);
      assert.match(
        unselected.stderr,
        /^smoke: no stack is selected in this project: pass --stack NAME \(or --outputs FILE\.json\)\n/,
      );
      pulumi.writeState({ ...pulumi.readState(), current: "qa" });
      const selected = await world.runCli(["--target", "local"], { outputsFile: false, environment });
      assert.equal(selected.exitCode, 2, selected.stderr);
      assert.match(selected.stderr, /stack output "compute" is missing or not a string \(has `pulumi up` finished\?\)/);
      assert.deepEqual(pulumi.calls().slice(-3), [
        ["stack", "ls", "--json", "--non-interactive"],
        ["stack", "output", "--json", "--stack", "qa", "--non-interactive"],
        ["stack", "output", "--json", "--show-secrets", "--stack", "qa", "--non-interactive"],
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("without a Pulumi CLI (offline): one sentence says where it is looked for and how to install it", async () => {
    const home = mkdtempSync(join(tmpdir(), "smoke-no-pulumi-"));
    try {
      const run = await world.runCli(["--stack", "dev"], {
        outputsFile: false,
        environment: { PULUMI_HOME: home, PULUMI_BACKEND_URL: `file://${home}` },
        // What the `pulumi` npm launcher prints offline (its run.js: "pulumi: " + the fetch error).
        download: async () => ({ failure: "pulumi: fetch failed" }),
      });
      const root = `${home}/versions/3.276.0`;
      assert.equal(run.exitCode, 1, run.stderr);
      assert.equal(
        run.stderr,
        `smoke: No Pulumi CLI v3.276.0 is installed in ${root}/bin and downloading it failed (pulumi: fetch failed): install it there with \`curl -fsSL https://get.pulumi.com/install.sh | sh -s -- --version 3.276.0 --install-root ${root} --no-edit-path\` (offline: unpack the pulumi-v3.276.0 release archive's pulumi/ folder as ${root}/bin), or set PULUMI_HOME to a directory with versions/3.276.0/bin/pulumi, then run the command again.\n`,
      );
      assert.doesNotMatch(run.stderr, /has npm run deploy run/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  const usageErrors: [string, string[], Record<string, unknown> | undefined, RegExp][] = [
    ["unknown target", ["--target", "aks"], undefined, /--target must be one of/],
    ["unreadable deadline", ["--deadline", "soon"], undefined, /--deadline: cannot read/],
    ["target not deployed", ["--target", "vm"], { compute: "none" }, /no vm to test/],
    ["missing output", ["--target", "local"], { endpoint: undefined }, /"endpoint" is missing/],
    ["unknown network mode", ["--target", "local"], { networkMode: "hybrid" }, /"networkMode" is "hybrid"/],
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
  test("a mistyped option exits 2 with one did-you-mean sentence instead of the usage", async () => {
    const run = await world.runCli(["--targte", "vm"], { outputsFile: world.outputsFile });
    assert.equal(run.exitCode, 2);
    assert.match(
      run.stderr,
      /smoke: unknown option --targte; did you mean --target\? \(npm run smoke -- --help lists the options\)/,
    );
    assert.doesNotMatch(run.stderr, /usage: npm run smoke/);
  });
});
