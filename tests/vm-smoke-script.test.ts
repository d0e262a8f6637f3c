/**
 * Runs the real scripts/vm/smoke.sh with bash and curl against the IMDS and data-plane stand-ins (HTTPS, trusted
 * through CURL_CA_BUNDLE as a VM's CA store would be), one scenario per test.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { imdsRoutes } from "./standins/identity";
import { type DataPlaneOptions, dataPlaneRoutes } from "./standins/openai-data-plane";
import { VM_PRINCIPAL } from "./standins/principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { readTokenClaims } from "./standins/tokens";

const SCRIPT = join(__dirname, "..", "scripts", "vm", "smoke.sh");

interface ScriptRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  result: Record<string, unknown>;
}

let tls: TlsMaterial;
before(() => {
  tls = createSelfSignedCertificate();
});
after(() => tls.dispose());

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
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [SCRIPT, ...args], {
      env: { PATH: process.env.PATH ?? "", CURL_CA_BUNDLE: tls.certPath, ...environment },
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
      resolve({ exitCode, stdout, stderr, result });
    });
  });
}

function scriptArgs(dataPlane: StandInServer, deployment = "chat", deadlineSeconds = 20): string[] {
  return ["--endpoint", `${dataPlane.origin}/`, "--deployment", deployment, "--deadline", String(deadlineSeconds)];
}

function chatCalls(server: StandInServer) {
  return server.requests.filter((request) => request.url.pathname.endsWith("/chat/completions"));
}

describe("scripts/vm/smoke.sh", () => {
  test("is shellcheck-clean", async (context) => {
    const found = await promisify(execFile)("sh", ["-c", "command -v shellcheck"]).catch(() => undefined);
    if (!found) {
      context.skip("shellcheck is not installed (apt-get install -y shellcheck); CI must install it");
      return;
    }
    const result = await promisify(execFile)("shellcheck", ["--severity=style", SCRIPT]).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? "shellcheck failed" }),
    );
    assert.equal(result.stdout, "");
  });

  test("waits through 401 PermissionDenied until the role takes effect, then passes", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, Date.now() + 1500]]);
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
      const calls = chatCalls(dataPlane);
      assert.ok(calls.length >= 2, "at least one PermissionDenied answer before success");
      assert.equal(run.result.attempts, calls.length);
      for (const call of calls) {
        assert.equal(call.headers["api-key"], undefined, "never sends a key");
        const token = call.headers.authorization?.replace(/^Bearer /, "") ?? "";
        assert.equal(readTokenClaims(token)?.aud, "https://cognitiveservices.azure.com");
        assert.equal(call.url.pathname, "/openai/deployments/chat/chat/completions");
        assert.equal(call.url.searchParams.get("api-version"), "2024-10-21");
      }
      const imdsCall = imds.requests[0];
      assert.equal(imdsCall?.headers.metadata, "true");
      assert.equal(imdsCall?.url.searchParams.get("resource"), "https://cognitiveservices.azure.com");
      assert.match(run.stderr, /role_not_effective \(PermissionDenied\)/);
      assert.doesNotMatch(run.stderr + run.stdout, /eyJ/, "the token is never printed");
    });
  });

  test("keeps trying on 404 DeploymentNotFound while a new deployment appears", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, 0]]);
    const options = { deployments: ["chat"], grants, deploymentsReadyAt: Date.now() + 1200 };
    await withStandIns(options, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.result.outcome, "passed", run.stderr);
      assert.ok(Number(run.result.attempts) >= 2);
      assert.match(run.stderr, /deployment_not_found/);
    });
  });

  test("an unknown deployment ends at the deadline with deployment_not_found", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, 0]]);
    await withStandIns({ deployments: ["chat"], grants }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane, "no-such-deployment", 2), {
        SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin,
      });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.outcome, "failed");
      assert.equal(run.result.diagnosis, "deployment_not_found");
      assert.equal(run.result.status, 404);
    });
  });

  test("a token for the wrong audience stops at once", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, 0]]);
    const imds = { tokenAudience: "https://management.azure.com" };
    await withStandIns({ deployments: ["chat"], grants }, imds, async ({ imds: imdsServer, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imdsServer.origin });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.diagnosis, "wrong_audience");
      assert.equal(run.result.attempts, 1);
      assert.match(String(run.result.message), /audience is incorrect/);
    });
  });

  test("429 waits at least Retry-After before the next try", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, 0]]);
    const options = { deployments: ["chat"], grants, rateLimit: { count: 1, retryAfterMs: 1500 } };
    await withStandIns(options, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.result.outcome, "passed", run.stderr);
      const [first, second] = chatCalls(dataPlane);
      assert.ok(first && second);
      // The first backoff step is 500 ms: a gap of 1.5 s or more shows Retry-After was honoured.
      assert.ok(second.receivedAt - first.receivedAt >= 1500, `gap ${second.receivedAt - first.receivedAt} ms`);
      assert.match(run.stderr, /rate_limited/);
    });
  });

  test("500 is retried three times, then reported as server_error", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, 0]]);
    await withStandIns({ deployments: ["chat"], grants, failure: "server-error" }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.diagnosis, "server_error");
      assert.equal(run.result.status, 500);
      assert.equal(run.result.attempts, 3);
    });
  });

  test("a role that never takes effect ends at the deadline with role_not_effective", async () => {
    await withStandIns({ deployments: ["chat"], grants: new Map() }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane, "chat", 2), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.exitCode, 1);
      assert.equal(run.result.diagnosis, "role_not_effective");
      assert.match(String(run.result.message), /deadline reached/);
      assert.ok(Number(run.result.elapsedMs) >= 2000);
      assert.ok(Number(run.result.elapsedMs) < 15000, "does not overrun its deadline by much");
    });
  });

  test("tries every 0.5 s for the first 10 s, then doubles the wait (the CLI's schedule)", async () => {
    await withStandIns({ deployments: ["chat"], grants: new Map() }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript(scriptArgs(dataPlane, "chat", 13), { SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin });
      assert.equal(run.result.diagnosis, "role_not_effective");
      // Progress lines: "[smoke vm] +<elapsed>s attempt N: ...; next try in <wait>ms"
      const tries = [...run.stderr.matchAll(/\+(\d+\.\d)s attempt \d+: .*next try in (\d+)ms/g)].map((match) => ({
        elapsedMs: Number(match[1]) * 1000,
        wait: Number(match[2]),
      }));
      const waits = tries.map((entry) => entry.wait);
      const steady = tries.filter((entry) => entry.elapsedMs < 9900);
      assert.ok(steady.length >= 8, `many tries in the first 10 s: ${waits.join(", ")}`);
      assert.ok(
        steady.every((entry) => entry.wait === 500),
        `0.5 s apart in the first 10 s: ${waits.join(", ")}`,
      );
      const backoff = tries.filter((entry) => entry.elapsedMs >= 10_100).map((entry) => entry.wait);
      // Doubling from 0.5 s; the last wait may be cut short by the deadline.
      [1000, 2000, 4000].slice(0, backoff.length).forEach((expected, index) => {
        if (index === backoff.length - 1) assert.ok((backoff[index] ?? 0) <= expected, waits.join(", "));
        else assert.equal(backoff[index], expected, waits.join(", "));
      });
      assert.ok(backoff.length >= 2, `backs off after 10 s: ${waits.join(", ")}`);
    });
  });

  test("network rules that refuse the caller stop at once with network_blocked", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, 0]]);
    const options = { deployments: ["chat"], grants, failure: "network-blocked" as const };
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
    });
  });

  test("parameters also come from the environment; missing ones are a usage error", async () => {
    const grants = new Map([[VM_PRINCIPAL.objectId, 0]]);
    await withStandIns({ deployments: ["chat"], grants }, {}, async ({ imds, dataPlane }) => {
      const run = await runScript([], {
        SMOKE_TEST_ONLY_IMDS_ENDPOINT: imds.origin,
        SMOKE_ENDPOINT: dataPlane.origin,
        SMOKE_DEPLOYMENT: "chat",
        SMOKE_API_VERSION: "2025-04-01-preview",
      });
      assert.equal(run.result.outcome, "passed", run.stderr);
      assert.equal(chatCalls(dataPlane)[0]?.url.searchParams.get("api-version"), "2025-04-01-preview");
    });
    const usage = await runScript(["--deployment", "chat"], {});
    assert.equal(usage.exitCode, 2);
    assert.equal(usage.stdout, "");
  });
});
