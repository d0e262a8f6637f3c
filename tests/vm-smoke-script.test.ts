/**
 * Runs the real scripts/vm/smoke.sh with bash and curl against the IMDS and data-plane stand-ins (HTTPS, trusted
 * through CURL_CA_BUNDLE as a VM's CA store would be), one scenario per test.
 *
 * Nothing here depends on the machine's speed: the script's `sleep` and `date` are replaced through its test-only
 * hooks (SMOKE_TEST_ONLY_SLEEP_COMMAND records each wait and moves a virtual clock that
 * SMOKE_TEST_ONLY_CLOCK_COMMAND reads), and the data plane answers by attempt count. The tests assert the schedule the
 * script computes; `npm run bench:smoke` runs it in real time.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { imdsRoutes } from "./standins/identity";
import { CHAT_MODEL, type DataPlaneOptions, dataPlaneRoutes, REASONING_MODEL } from "./standins/openai-data-plane";
import { VM_PRINCIPAL } from "./standins/principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { readTokenClaims } from "./standins/tokens";
import { missingTool, pathWithPythonFirst } from "./support/tools";
import { virtualClockCommands } from "./support/virtual-clock-commands";

const SCRIPT = join(__dirname, "..", "scripts", "vm", "smoke.sh");
/** Where the virtual clock starts (epoch ms). */
const CLOCK_START_MS = 1_764_000_000_000;

interface ScriptRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  result: Record<string, unknown>;
  /** Every wait the script asked for, in milliseconds, in order. */
  waits: number[];
}

let tls: TlsMaterial;
/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
const needsOpenssl = missingTool("openssl");

before(() => {
  if (needsOpenssl) return;
  tls = createSelfSignedCertificate();
});
after(() => (needsOpenssl ? undefined : tls.dispose()));

async function withStandIns(
  dataPlane: DataPlaneOptions,
  imds: Partial<Parameters<typeof imdsRoutes>[0]>,
  body: (servers: { imds: StandInServer; dataPlane: StandInServer }) => Promise<void>,
): Promise<void> {
  const imdsServer = await startStandIn({ routes: imdsRoutes({ principal: VM_PRINCIPAL, ...imds }) });
  const dataPlaneServer = await startStandIn({ tls, routes: dataPlaneRoutes(dataPlane) });
  try {
    await body({ imds: imdsServer, dataPlane: dataPlaneServer });
  } finally {
    await imdsServer.close();
    await dataPlaneServer.close();
  }
}

function runScript(args: string[], environment: Record<string, string>): Promise<ScriptRun> {
  const directory = mkdtempSync(join(tmpdir(), "vm-smoke-clock-"));
  const clock = virtualClockCommands(directory, CLOCK_START_MS);
  return new Promise<ScriptRun>((resolve, reject) => {
    const child = spawn("bash", [SCRIPT, ...args], {
      env: {
        PATH: pathWithPythonFirst(),
        CURL_CA_BUNDLE: tls.certPath,
        SMOKE_TEST_ONLY_SLEEP_COMMAND: clock.sleep,
        SMOKE_TEST_ONLY_CLOCK_COMMAND: clock.now,
        ...environment,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (exitCode) => {
      const lines = stdout.trim().split("\n").filter(Boolean);
      let result: Record<string, unknown> = {};
      if (lines.length === 1 && lines[0]) result = JSON.parse(lines[0]) as Record<string, unknown>;
      resolve({ exitCode, stdout, stderr, result, waits: clock.waits() });
    });
  }).finally(() => rmSync(directory, { recursive: true, force: true }));
}

function scriptArgs(dataPlane: StandInServer, deployment = "chat", deadlineSeconds = 20): string[] {
  return ["--endpoint", `${dataPlane.origin}/`, "--deployment", deployment, "--deadline", String(deadlineSeconds)];
}

function chatCalls(server: StandInServer) {
  return server.requests.filter((request) => request.url.pathname.endsWith("/chat/completions"));
}

const granted = () => new Map([[VM_PRINCIPAL.objectId, 0]]);

// Every test has its own stand-ins and its own virtual clock, so they run side by side.
describe("scripts/vm/smoke.sh", {
  skip: missingTool(["bash", "curl", "python3", "openssl"]),
  concurrency: true,
}, () => {
  test("is shellcheck-clean", { skip: missingTool("shellcheck") }, async () => {
    const result = await promisify(execFile)("shellcheck", ["--severity=style", SCRIPT]).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? "shellcheck failed" }),
    );
    assert.equal(result.stdout, "");
  });

  test("waits through 401 PermissionDenied until the role takes effect, then passes on the v1 API", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, 2]]);
    await withStandIns({ deployments: ["chat"], grants }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(run.result.outcome, "passed");
      assert.equal(run.result.diagnosis, "ok");
      assert.equal(run.result.status, 200);
      assert.equal(run.result.reply, "Keyless access works.");
      assert.deepEqual(run.result.identity, {
        principalId: VM_PRINCIPAL.objectId,
        managedIdentityResourceId: VM_PRINCIPAL.managedIdentityResourceId,
        source: "imds",
      });
      assert.equal(run.result.attempts, 3, "two PermissionDenied answers, then success");
      assert.deepEqual(run.waits, [500, 500]);
      assert.equal(run.result.elapsedMs, 1000);
      const calls = chatCalls(dataPlane);
      assert.equal(calls.length, 3);
      for (const call of calls) {
        assert.equal(call.headers["api-key"], undefined, "never sends a key");
        const token = call.headers.authorization?.replace(/^Bearer /, "") ?? "";
        assert.equal(readTokenClaims(token)?.aud, "https://cognitiveservices.azure.com");
        assert.equal(call.url.pathname, "/openai/v1/chat/completions");
        assert.equal(call.url.search, "", "no api-version on v1");
        const body = JSON.parse(call.body) as Record<string, unknown>;
        assert.equal(body.model, "chat");
        assert.equal("max_tokens" in body, false);
      }
      const imdsCall = imds.requests[0];
      assert.equal(imdsCall?.headers.metadata, "true");
      assert.equal(imdsCall?.url.searchParams.get("resource"), "https://cognitiveservices.azure.com");
      assert.match(run.stderr, /role_not_effective \(PermissionDenied\)/);
      assert.doesNotMatch(run.stderr + run.stdout, /eyJ/, "the token is never printed");
    });
  });

  for (const model of [REASONING_MODEL, CHAT_MODEL]) {
    test(`passes against a ${model.reasoning ? "reasoning" : "non-reasoning"} deployment (${model.name})`, async () => {
      await withStandIns({ deployments: ["chat"], grants: granted(), model }, {}, async ({ imds, dataPlane }) => {
        const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
        assert.equal(run.result.outcome, "passed", run.stderr);
        assert.equal(run.result.attempts, 1);
      });
    });
  }

  test("keeps trying on 404 DeploymentNotFound while a new deployment appears", async () => {
    const options = { deployments: ["chat"], grants: granted(), deploymentNotFoundFirst: 2 };
    await withStandIns(options, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.result.outcome, "passed", run.stderr);
      assert.equal(run.result.attempts, 3);
      assert.deepEqual(run.waits, [500, 500]);
      assert.match(run.stderr, /deployment_not_found/);
    });
  });

  test("an unknown deployment ends at the deadline with deployment_not_found", async () => {
    await withStandIns({ deployments: ["chat"], grants: granted() }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane, "no-such-deployment", 2), {
        SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin,
      });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.outcome, "failed");
      assert.equal(run.result.diagnosis, "deployment_not_found");
      assert.equal(run.result.status, 404);
      assert.deepEqual(run.waits, [500, 500, 500, 500]);
    });
  });

  test("a token for the wrong audience stops at once", async () => {
    const imds = { tokenAudience: "https://management.azure.com" };
    await withStandIns({ deployments: ["chat"], grants: granted() }, imds, async ({ imds: imdsServer, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imdsServer.origin });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.diagnosis, "wrong_audience");
      assert.equal(run.result.attempts, 1);
      assert.deepEqual(run.waits, []);
      assert.match(String(run.result.message), /audience is incorrect/);
    });
  });

  test("429 waits Retry-After (1.5 s) instead of the 0.5 s step", async () => {
    const options = { deployments: ["chat"], grants: granted(), rateLimit: { count: 1, retryAfterMs: 1500 } };
    await withStandIns(options, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.result.outcome, "passed", run.stderr);
      assert.deepEqual(run.waits, [1500]);
      assert.match(run.stderr, /rate_limited/);
    });
  });

  test("500 is retried three times, then reported as server_error", async () => {
    const options = { deployments: ["chat"], grants: granted(), failure: "server-error" as const };
    await withStandIns(options, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.diagnosis, "server_error");
      assert.equal(run.result.status, 500);
      assert.equal(run.result.attempts, 3);
      assert.deepEqual(run.waits, [500, 500]);
    });
  });

  test("a role that never takes effect ends exactly at the deadline with role_not_effective", async () => {
    await withStandIns({ deployments: ["chat"], grants: new Map() }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane, "chat", 2), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.diagnosis, "role_not_effective");
      assert.match(String(run.result.message), /deadline reached/);
      assert.equal(run.result.elapsedMs, 2000);
      assert.equal(run.result.attempts, 5);
    });
  });

  test("tries every 0.5 s for the first 10 s, then doubles the wait to 10 s (the CLI's schedule)", async () => {
    await withStandIns({ deployments: ["chat"], grants: new Map() }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane, "chat", 60), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.result.diagnosis, "role_not_effective");
      // The same waits tests/smoke-cli.test.ts asserts for the CLI: 20 steady tries, then doubling, the last one
      // cut by the deadline.
      const steady = Array<number>(20).fill(500);
      assert.deepEqual(run.waits, [...steady, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 5000]);
      assert.equal(run.result.attempts, 29);
      assert.equal(run.result.elapsedMs, 60_000);
      // Progress lines say the same: "[smoke vm] +<elapsed>s attempt N: ...; next try in <wait>ms"
      assert.match(run.stderr, /\+10\.0s attempt 21: 401 role_not_effective \(PermissionDenied\); next try in 1000ms/);
    });
  });

  test("network rules that refuse the caller stop at once with network_blocked", async () => {
    const options = { deployments: ["chat"], grants: granted(), failure: "network-blocked" as const };
    await withStandIns(options, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.result.diagnosis, "network_blocked");
      assert.equal(run.result.attempts, 1);
    });
  });

  test("a VM without a managed identity reports credential_unavailable", async () => {
    await withStandIns({ deployments: ["chat"], grants: new Map() }, { identityAssigned: false }, async (servers) => {
      const run = await runScript(scriptArgs(servers.dataPlane), {
        SMOKE_TEST_ONLY_IMDS_ENDPOINT: servers.imds.origin,
      });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.diagnosis, "credential_unavailable");
      assert.equal(chatCalls(servers.dataPlane).length, 0);
    });
  });

  test("IMDS that does not answer is tried five times, waiting 1, 2, 3, 4 and 5 s", async () => {
    const closed = await startStandIn({ routes: [] });
    await closed.close();
    await withStandIns({ deployments: ["chat"], grants: granted() }, {}, async ({ dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: closed.origin });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.diagnosis, "credential_unavailable");
      assert.deepEqual(run.waits, [1000, 2000, 3000, 4000, 5000]);
    });
  });

  test("a refused connection is retried three times, then reported as connection_failed", async () => {
    await withStandIns({ deployments: ["chat"], grants: new Map() }, {}, async ({ imds, dataPlane }) => {
      const closedPort = dataPlane.port;
      await dataPlane.close();
      const run = await runScript(
        ["--endpoint", `https://127.0.0.1:${closedPort}`, "--deployment", "chat", "--deadline", "20"],
        { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin },
      );
      assert.equal(run.result.diagnosis, "connection_failed");
      assert.equal(run.result.attempts, 3);
      assert.deepEqual(run.waits, [500, 500]);
    });
  });

  test("parameters also come from the environment; missing or malformed ones are a usage error", async () => {
    await withStandIns({ deployments: ["chat"], grants: granted() }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript([], {
        SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin,
        SMOKE_ENDPOINT: dataPlane.origin,
        SMOKE_DEPLOYMENT: "chat",
      });
      assert.equal(run.result.outcome, "passed", run.stderr);
      assert.equal(chatCalls(dataPlane)[0]?.url.pathname, "/openai/v1/chat/completions");
    });
    const usage = await runScript(["--deployment", "chat"], {});
    assert.equal(usage.exitCode, 2);
    assert.equal(usage.stdout, "");
    // A name that could break out of the JSON body is refused before any call.
    const quoted = await runScript(["--endpoint", "https://x.openai.azure.com/", "--deployment", 'chat"}'], {});
    assert.equal(quoted.exitCode, 2);
  });
});
