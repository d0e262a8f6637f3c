/**
 * The Function App's smoke handler, in-process, with the real @azure/identity (DefaultAzureCredential picks the App
 * Service managed identity source from IDENTITY_ENDPOINT/IDENTITY_HEADER) and the real openai client on the v1 API,
 * against the App Service identity and data-plane stand-ins, for a reasoning and a non-reasoning model. The environment is set before @azure/identity is
 * loaded, and this file is its own process (node --test), so the credential source is fixed for all cases here.
 * The data plane is plain http here: openai accepts it and NODE_EXTRA_CA_CERTS cannot be set after start.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getBearerTokenProvider, ManagedIdentityCredential } from "@azure/identity";
import { build } from "esbuild";
import { APIError, AzureOpenAI, OpenAI } from "openai";
import { diagnoseHttp } from "../lib/diagnosis";
import { APP_SERVICE_IDENTITY_PATH, appServiceIdentityRoutes } from "./standins/identity";
import { CHAT_MODEL, type DataPlaneOptions, dataPlaneRoutes, REASONING_MODEL } from "./standins/openai-data-plane";
import { FUNCTION_APP_PRINCIPAL } from "./standins/principals";
import { type StandInServer, startStandIn } from "./standins/server";

type SmokeCheckModule = typeof import("../function-app/src/smoke-check.js");

const IDENTITY_HEADER = "stand-in-identity-header-secret";
const dataPlaneOptions: DataPlaneOptions = { deployments: ["chat"], grants: new Map() };
let identityServer: StandInServer;
let dataPlaneServer: StandInServer;
let smokeCheck: SmokeCheckModule;

function settingsEnvironment(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT,
    IDENTITY_HEADER: process.env.IDENTITY_HEADER,
    AZURE_OPENAI_ENDPOINT: `${dataPlaneServer.origin}/`,
    AZURE_OPENAI_DEPLOYMENT: "chat",
    ...overrides,
  };
}

before(async () => {
  identityServer = await startStandIn({
    routes: appServiceIdentityRoutes({ principal: FUNCTION_APP_PRINCIPAL, identityHeader: IDENTITY_HEADER }),
  });
  dataPlaneServer = await startStandIn({ routes: dataPlaneRoutes(dataPlaneOptions) });
  for (const name of [
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "MSI_ENDPOINT",
  ]) {
    delete process.env[name];
  }
  process.env.IDENTITY_ENDPOINT = `${identityServer.origin}${APP_SERVICE_IDENTITY_PATH}`;
  process.env.IDENTITY_HEADER = IDENTITY_HEADER;
  smokeCheck = await import("../function-app/src/smoke-check.js");
});

after(async () => {
  await identityServer.close();
  await dataPlaneServer.close();
});

function resetDataPlane(changes: Partial<DataPlaneOptions>): void {
  dataPlaneOptions.grants = new Map([[FUNCTION_APP_PRINCIPAL.objectId, 0]]);
  delete dataPlaneOptions.failure;
  delete dataPlaneOptions.rateLimit;
  dataPlaneOptions.model = CHAT_MODEL;
  Object.assign(dataPlaneOptions, changes);
}

describe("function-app smoke handler", () => {
  for (const model of [REASONING_MODEL, CHAT_MODEL]) {
    test(`passes against a ${model.reasoning ? "reasoning" : "non-reasoning"} deployment (${model.name})`, async () => {
      resetDataPlane({ model });
      const answer = await smokeCheck.handleSmokeRequest(settingsEnvironment());
      assert.equal(answer.status, 200, JSON.stringify(answer.jsonBody));
    });
  }

  test("the stand-in refuses what Azure refuses a reasoning model: max_tokens, and the seed's api-version 2024-10-21", async () => {
    resetDataPlane({ model: REASONING_MODEL });
    const azureADTokenProvider = getBearerTokenProvider(
      new ManagedIdentityCredential(),
      "https://cognitiveservices.azure.com/.default",
    );
    const messages = [{ role: "user" as const, content: "hi" }];
    // max_tokens on the v1 API.
    const v1 = new OpenAI({
      baseURL: `${dataPlaneServer.origin}/openai/v1/`,
      apiKey: azureADTokenProvider,
      maxRetries: 0,
    });
    const refusedParameter = await v1.chat.completions
      .create({ model: "chat", messages, max_tokens: 16 })
      .catch((error: unknown) => error);
    assert.ok(refusedParameter instanceof APIError);
    assert.equal(refusedParameter.status, 400);
    // Azure's body, as lobehub/lobehub#5909 quotes it.
    assert.deepEqual(refusedParameter.error, {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: "invalid_request_error",
      param: "max_tokens",
      code: "unsupported_parameter",
    });
    assert.equal(diagnoseHttp({ status: 400, body: refusedParameter.error }).code, "request_rejected");
    // The seed's call: the deployments path with api-version 2024-10-21 (without max_tokens, still refused).
    const dated = new AzureOpenAI({
      endpoint: dataPlaneServer.origin,
      deployment: "chat",
      apiVersion: "2024-10-21",
      azureADTokenProvider,
      maxRetries: 0,
    });
    const refusedVersion = await dated.chat.completions
      .create({ model: "chat", messages })
      .catch((error: unknown) => error);
    assert.ok(refusedVersion instanceof APIError);
    assert.equal(refusedVersion.status, 400);
    assert.match(String(refusedVersion.message), /enabled only for api versions 2024-12-01-preview and later/);
    assert.equal(diagnoseHttp({ status: 400, body: refusedVersion.error }).code, "request_rejected");
    // The same seed call works for a non-reasoning model: the stand-in refuses only what Azure refuses.
    resetDataPlane({ model: CHAT_MODEL });
    const accepted = await dated.chat.completions.create({ model: "chat", messages, max_tokens: 16 });
    assert.equal(accepted.choices[0]?.message.content, "Keyless access works.");
  });

  test("calls the model as the app's managed identity on the v1 API and reports who called", async () => {
    resetDataPlane({});
    const answer = await smokeCheck.handleSmokeRequest(settingsEnvironment());
    assert.equal(answer.status, 200);
    assert.ok("outcome" in answer.jsonBody);
    const report = answer.jsonBody;
    assert.equal(report.outcome, "passed");
    assert.equal(report.diagnosis, "ok");
    assert.equal(report.deployment, "chat");
    assert.equal(report.reply, "Keyless access works.");
    assert.equal(report.identity.principalId, FUNCTION_APP_PRINCIPAL.objectId);
    assert.equal(report.identity.appId, FUNCTION_APP_PRINCIPAL.appId);
    assert.equal(report.identity.managedIdentityResourceId, FUNCTION_APP_PRINCIPAL.managedIdentityResourceId);
    assert.equal(report.identity.audience, "https://cognitiveservices.azure.com");
    assert.match(report.identity.credentialSource, /ManagedIdentityCredential \(App Service/);
    assert.ok(report.latencyMs >= 0);

    const tokenRequest = identityServer.requests.at(-1);
    assert.equal(tokenRequest?.headers["x-identity-header"], IDENTITY_HEADER);
    assert.equal(tokenRequest?.url.searchParams.get("resource"), "https://cognitiveservices.azure.com");
    const call = dataPlaneServer.requests.at(-1);
    assert.equal(call?.url.pathname, "/openai/v1/chat/completions");
    assert.equal(call?.url.search, "", "no api-version on v1");
    const body = JSON.parse(call?.body ?? "{}") as Record<string, unknown>;
    assert.equal(body.model, "chat", "the deployment name goes in `model`");
    assert.equal("max_tokens" in body, false);
    assert.equal(call?.headers["api-key"], undefined);
    assert.match(call?.headers.authorization ?? "", /^Bearer ey/);
  });

  const failures: [string, Partial<DataPlaneOptions>, Record<string, string>, string, number][] = [
    ["role not effective yet", { grants: new Map() }, {}, "role_not_effective", 401],
    ["unknown deployment", {}, { AZURE_OPENAI_DEPLOYMENT: "missing" }, "deployment_not_found", 404],
    ["rate limited", { rateLimit: { count: 1, retryAfterMs: 2000 } }, {}, "rate_limited", 429],
    ["server error", { failure: "server-error" }, {}, "server_error", 500],
    ["network rules", { failure: "network-blocked" }, {}, "network_blocked", 403],
  ];
  for (const [name, dataPlane, environment, diagnosis, status] of failures) {
    test(`failure is diagnosed: ${name}`, async () => {
      resetDataPlane(dataPlane);
      const answer = await smokeCheck.handleSmokeRequest(settingsEnvironment(environment));
      assert.equal(answer.status, 502);
      assert.ok("outcome" in answer.jsonBody);
      assert.equal(answer.jsonBody.outcome, "failed");
      assert.equal(answer.jsonBody.diagnosis, diagnosis);
      assert.equal(answer.jsonBody.status, status);
      assert.ok(answer.jsonBody.meaning && answer.jsonBody.action);
      assert.equal(answer.jsonBody.identity.principalId, FUNCTION_APP_PRINCIPAL.objectId);
    });
  }

  test("a refused connection is diagnosed as connection_failed", async () => {
    resetDataPlane({});
    const closed = await startStandIn({ routes: [] });
    await closed.close();
    const answer = await smokeCheck.handleSmokeRequest(settingsEnvironment({ AZURE_OPENAI_ENDPOINT: closed.origin }));
    assert.ok("outcome" in answer.jsonBody);
    assert.equal(answer.jsonBody.diagnosis, "connection_failed");
    assert.equal(answer.jsonBody.status, 0);
  });

  test("missing app settings are named; AZURE_OPENAI_API_VERSION is not needed (v1)", async () => {
    const answer = await smokeCheck.handleSmokeRequest({ AZURE_OPENAI_ENDPOINT: "https://x.openai.azure.com/" });
    assert.equal(answer.status, 500);
    assert.deepEqual(answer.jsonBody, {
      error: "The Function App is missing app settings.",
      missingSettings: ["AZURE_OPENAI_DEPLOYMENT"],
    });
    // A stack that still sets the dated version (index.ts today) works the same.
    resetDataPlane({});
    const leftover = await smokeCheck.handleSmokeRequest(
      settingsEnvironment({ AZURE_OPENAI_API_VERSION: "2024-10-21" }),
    );
    assert.equal(leftover.status, 200);
    assert.equal(dataPlaneServer.requests.at(-1)?.url.pathname, "/openai/v1/chat/completions");
  });

  test("the function is registered with authLevel function", async () => {
    const { SMOKE_FUNCTION_OPTIONS } = await import("../function-app/src/functions/smoke.js");
    assert.equal(SMOKE_FUNCTION_OPTIONS.authLevel, "function");
  });

  test("the entry bundles with esbuild and includes the smoke function", async () => {
    const result = await build({
      entryPoints: [join(__dirname, "..", "function-app", "src", "index.ts")],
      bundle: true,
      platform: "node",
      target: "node22",
      format: "cjs",
      // Provided by the Functions Node worker at run time, never bundled (it is not on npm).
      external: ["@azure/functions-core"],
      write: false,
      logLevel: "silent",
    });
    const bundle = result.outputFiles[0]?.text ?? "";
    assert.match(bundle, /app\.http\("smoke"/);
    assert.match(bundle, /role_not_effective/, "lib/diagnosis.ts is bundled");
  });
});
