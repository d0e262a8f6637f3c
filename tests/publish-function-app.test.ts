/**
 * Runs scripts/publish-function-app.ts as the FunctionApp component's command runs it (a child process, settings in
 * the environment) against stand-ins on 127.0.0.1: an App Service managed identity endpoint (so the real
 * DefaultAzureCredential gets a token) and an HTTPS SCM site that speaks the one-deploy protocol.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import * as tls from "node:tls";
import { tlsPolicy } from "@azure/core-rest-pipeline";
import { chooseAzureCredential } from "../scripts/core/azure-credential";
import { publishCommand } from "../scripts/publish-function-app";
import {
  type EntraOptions,
  entraRoutes,
  GITHUB_TOKEN_PATH,
  type GitHubOidcOptions,
  githubOidcRoutes,
} from "./standins/federated-sign-in";
import { APP_SERVICE_IDENTITY_PATH, appServiceIdentityRoutes } from "./standins/identity";
import {
  createSelfSignedCertificate,
  json,
  type RecordedRequest,
  type StandInServer,
  startStandIn,
  type TlsMaterial,
} from "./standins/server";
import { bearerToken, readTokenClaims, STAND_IN_TENANT_ID, type StandInPrincipal } from "./standins/tokens";
import { missingTool } from "./support/tools";

const REPO_ROOT = resolve(__dirname, "..");
const IDENTITY_HEADER = "stand-in-identity-header";
const DEPLOYER: StandInPrincipal = {
  objectId: "d0d0d0d0-0000-4000-8000-00000000000d",
  appId: "ci-app",
  kind: "managedIdentity",
};
/** ASCII-only bytes, so the stand-in's text log of the body can be compared exactly. */
const PACKAGE_BYTES = Buffer.from("PK stand-in package: host.json package.json dist/index.js\n".repeat(50), "ascii");

/** How the SCM stand-in answers, per POST in order: the publish status, then what polls of that deployment return. */
interface ScmScript {
  publishStatus: number[];
  /** Per POST: the `status`/`complete` successive polls return, the last one repeated. */
  deployments: { status: number; complete: boolean; status_text?: string }[][];
}

/** The same deployer signing in from GitHub Actions (the in-process runs): a federated credential's subject. */
const CI_SUBJECT = "repo:contoso/keyless-openai:ref:refs/heads/main";
const CI_REQUEST_TOKEN = "stand-in-actions-request-token";

let identity: StandInServer;
let github: StandInServer;
let entra: StandInServer;
let scm: StandInServer;
let tlsMaterial: TlsMaterial;
let scratch: string;
let zipPath: string;
let sha256: string;
let script: ScmScript;
let publishCount = 0;
const pollCounts = new Map<string, number>();

/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
const needsOpenssl = missingTool("openssl");

function reset(next: ScmScript): void {
  script = next;
  publishCount = 0;
  pollCounts.clear();
  scm.requests.length = 0;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The settings the component's local.Command puts in the environment, pointed at the stand-ins. */
function publishSettings(overrides: Record<string, string>): Record<string, string> {
  return {
    PUBLISH_SCM_HOST: `127.0.0.1:${scm.port}`,
    PUBLISH_ZIP_PATH: zipPath,
    PUBLISH_ZIP_SHA256: sha256,
    PUBLISH_ATTEMPTS: "3",
    PUBLISH_RETRY_SECONDS: "0",
    PUBLISH_POLL_SECONDS: "0.05",
    PUBLISH_TIMEOUT_SECONDS: "20",
    ...overrides,
  };
}

/**
 * Runs the command in this process with the settings it reads from the environment, signed in as CI signs in: the
 * real ClientAssertionCredential against the GitHub OIDC and Entra ID stand-ins (scripts/core/azure-credential.ts).
 */
async function runPublish(overrides: Record<string, string> = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const env: NodeJS.ProcessEnv = {
    ...publishSettings(overrides),
    ACTIONS_ID_TOKEN_REQUEST_URL: `${github.origin}${GITHUB_TOKEN_PATH}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: CI_REQUEST_TOKEN,
    AZURE_CLIENT_ID: DEPLOYER.appId,
    AZURE_TENANT_ID: STAND_IN_TENANT_ID,
  };
  const code = await publishCommand(
    env,
    { out: (text) => (stdout += text), err: (text) => (stderr += text) },
    () =>
      chooseAzureCredential(env, {
        clientOptions: {
          authorityHost: entra.origin,
          additionalPolicies: [{ policy: tlsPolicy({ ca: tlsMaterial.certPem }), position: "perCall" }],
        },
      }).credential,
  );
  return { code, stdout, stderr };
}

/** Runs the publish script the way the component's local.Command does: a child process, signed in as the app. */
function runPublishChild(overrides: Record<string, string> = {}): Promise<RunResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    IDENTITY_ENDPOINT: `${identity.origin}${APP_SERVICE_IDENTITY_PATH}`,
    IDENTITY_HEADER,
    NODE_EXTRA_CA_CERTS: tlsMaterial.certPath,
    ...publishSettings(overrides),
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/publish-function-app.ts"],
      { cwd: REPO_ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function publishes(): RecordedRequest[] {
  return scm.requests.filter((request) => request.method === "POST");
}

describe("publish-function-app (one deploy)", { skip: needsOpenssl }, () => {
  // Suite hooks, not file-level ones: they run only when a test of the suite runs, so a --test-name-pattern that
  // matches none of them neither starts the stand-ins nor waits on them.
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "publish-test-"));
    zipPath = join(scratch, "function-app.zip");
    writeFileSync(zipPath, PACKAGE_BYTES);
    sha256 = createHash("sha256").update(PACKAGE_BYTES).digest("hex");
    tlsMaterial = createSelfSignedCertificate();
    identity = await startStandIn({
      routes: appServiceIdentityRoutes({ principal: DEPLOYER, identityHeader: IDENTITY_HEADER }),
    });
    const githubOptions: GitHubOidcOptions = {
      requestToken: CI_REQUEST_TOKEN,
      subject: CI_SUBJECT,
      lifetimeSeconds: 300,
      now: () => Date.now(),
      issued: [],
    };
    const entraOptions: EntraOptions = {
      tenantId: STAND_IN_TENANT_ID,
      clientId: DEPLOYER.appId,
      federatedSubject: CI_SUBJECT,
      principal: DEPLOYER,
      now: () => Date.now(),
    };
    github = await startStandIn({ routes: githubOidcRoutes(githubOptions) });
    entra = await startStandIn({ tls: tlsMaterial, routes: entraRoutes(entraOptions) });
    // The in-process runs reach the SCM stand-in with this process's fetch: trust its certificate here, as the child
    // run trusts it through NODE_EXTRA_CA_CERTS (Node.js docs, tls.setDefaultCACertificates).
    tls.setDefaultCACertificates([...tls.getCACertificates("default"), tlsMaterial.certPem]);
    scm = await startStandIn({
      tls: tlsMaterial,
      routes: [
        {
          method: "POST",
          path: /^\/api\/publish$/,
          handle: () => {
            const status = script.publishStatus[publishCount] ?? 202;
            publishCount += 1;
            if (status !== 202) return json(status, { Code: status === 403 ? "Forbidden" : "Conflict" });
            const id = `deployment-${publishCount}`;
            return {
              status: 202,
              body: JSON.stringify(id),
              headers: { location: `${scm.origin}/api/deployments/${id}` },
            };
          },
        },
        {
          method: "GET",
          path: /^\/api\/deployments\/deployment-(\d+)$/,
          handle: (_request, match) => {
            const index = Number(match[1]) - 1;
            const id = `deployment-${index + 1}`;
            const polls = pollCounts.get(id) ?? 0;
            pollCounts.set(id, polls + 1);
            const sequence = script.deployments[index] ?? [];
            const state = sequence[Math.min(polls, sequence.length - 1)] ?? { status: 4, complete: true };
            return json(200, { id, ...state, log_url: `${scm.origin}/api/deployments/${id}/log` });
          },
        },
      ],
    });
  });

  after(async () => {
    await identity.close();
    await github.close();
    await entra.close();
    await scm.close();
    tlsMaterial.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("posts the zip with an Entra ARM token, polls the deployment to success, and reports its ID", async () => {
    reset({
      publishStatus: [202],
      deployments: [
        [
          { status: 1, complete: false },
          { status: 2, complete: false },
          { status: 4, complete: true },
        ],
      ],
    });
    // The end-to-end run: the script as a child process, DefaultAzureCredential on the App Service identity endpoint.
    const result = await runPublishChild();
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { deploymentId: "deployment-1", attempts: 1 });

    const [post] = publishes();
    assert.ok(post);
    assert.equal(post.url.searchParams.get("RemoteBuild"), "false");
    assert.equal(post.headers["content-type"], "application/zip");
    assert.equal(post.body, PACKAGE_BYTES.toString("ascii"));
    assert.equal(Number(post.headers["content-length"]), PACKAGE_BYTES.length);
    const claims = readTokenClaims(bearerToken(post.headers.authorization) ?? "");
    assert.equal(claims?.aud, "https://management.azure.com");
    assert.equal(claims?.oid, DEPLOYER.objectId);
    assert.equal(pollCounts.get("deployment-1"), 3, "polls until complete");
    assert.ok(scm.requests.every((request) => request.headers.authorization?.startsWith("Bearer ")));
  });

  test("tries again when a deployment fails (e.g. the storage role is not yet in effect), then succeeds", async () => {
    reset({
      publishStatus: [202, 202],
      deployments: [
        [{ status: 3, complete: true, status_text: "403 writing to the deployment container" }],
        [{ status: 4, complete: true }],
      ],
    });
    const result = await runPublish();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(publishes().length, 2);
    assert.match(result.stderr, /failed: 403 writing to the deployment container.*; trying again/);
    assert.deepEqual(JSON.parse(result.stdout), { deploymentId: "deployment-2", attempts: 2 });
  });

  test("gives up after the configured attempts and exits non-zero with the failure", async () => {
    reset({
      publishStatus: [202, 202],
      deployments: [
        [{ status: 3, complete: true, status_text: "bad package" }],
        [{ status: 3, complete: true, status_text: "bad package" }],
      ],
    });
    const result = await runPublish({ PUBLISH_ATTEMPTS: "2" });
    assert.notEqual(result.code, 0);
    assert.equal(publishes().length, 2);
    assert.match(result.stderr, /deployment deployment-2 failed: bad package/);
  });

  test("a 409 (another deployment running) is retried", async () => {
    reset({
      publishStatus: [409, 202],
      deployments: [[{ status: 4, complete: true }], [{ status: 4, complete: true }]],
    });
    const result = await runPublish();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(publishes().length, 2);
  });

  test("a 403 fails at once and says which permission is missing", async () => {
    reset({ publishStatus: [403], deployments: [] });
    const result = await runPublish();
    assert.notEqual(result.code, 0);
    assert.equal(publishes().length, 1);
    assert.match(result.stderr, /publish answered 403.*Microsoft\.Web\/sites\/publish\/Action/);
  });

  test("refuses a zip whose hash is not the one Pulumi planned, before sending anything", async () => {
    reset({ publishStatus: [202], deployments: [[{ status: 4, complete: true }]] });
    const result = await runPublish({ PUBLISH_ZIP_SHA256: "0".repeat(64) });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /expected 0{64}: rebuild before deploying/);
    assert.equal(scm.requests.length, 0);
  });
});
