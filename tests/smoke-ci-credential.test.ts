/**
 * scripts/core/azure-credential.ts in GitHub Actions: the real @azure/identity ClientAssertionCredential (msal-node
 * underneath) against a stand-in GitHub OIDC token endpoint and a stand-in Entra ID token endpoint on 127.0.0.1 that
 * refuses an assertion past its lifetime with AADSTS700024. Time is the stand-ins' injected clock, moved by the test.
 * Entra is HTTPS (msal-node refuses an http authority); the test trusts its certificate through the identity
 * client's own pipeline (@azure/core-rest-pipeline tlsPolicy), the CLI test below through NODE_EXTRA_CA_CERTS.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { tlsPolicy } from "@azure/core-rest-pipeline";
import { ClientAssertionCredential } from "@azure/identity";
import {
  chooseAzureCredential,
  githubAssertionProvider,
  needsInstanceDiscoveryOff,
} from "../scripts/core/azure-credential";
import {
  type EntraOptions,
  entraRoutes,
  GITHUB_TOKEN_PATH,
  type GitHubOidcOptions,
  githubOidcRoutes,
} from "./standins/federated-sign-in";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { readTokenClaims, STAND_IN_TENANT_ID, type StandInPrincipal } from "./standins/tokens";
import { missingTool } from "./support/tools";

/** The pipeline's service principal (tokens for apps carry idtyp "app", like a managed identity's). */
const PIPELINE_PRINCIPAL: StandInPrincipal = {
  kind: "managedIdentity",
  objectId: "dddddddd-0000-4000-8000-000000000004",
  appId: "dddddddd-1111-4000-8000-000000000004",
};
const SUBJECT = "repo:contoso/keyless-openai:ref:refs/heads/main";
const REQUEST_TOKEN = "stand-in-actions-request-token";
const TEN_MINUTES_MS = 10 * 60 * 1000;

let tls: TlsMaterial;
let github: StandInServer;
let entra: StandInServer;
let now = Date.parse("2026-11-29T01:00:00Z");
const githubOptions: GitHubOidcOptions = {
  requestToken: REQUEST_TOKEN,
  subject: SUBJECT,
  lifetimeSeconds: 300,
  now: () => now,
  issued: [],
};
const entraOptions: EntraOptions = {
  tenantId: STAND_IN_TENANT_ID,
  clientId: PIPELINE_PRINCIPAL.appId,
  federatedSubject: SUBJECT,
  principal: PIPELINE_PRINCIPAL,
  now: () => now,
};

/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
const needsOpenssl = missingTool("openssl");

before(async () => {
  if (needsOpenssl) return;
  tls = createSelfSignedCertificate();
  github = await startStandIn({ routes: githubOidcRoutes(githubOptions) });
  entra = await startStandIn({ tls, routes: entraRoutes(entraOptions) });
});
after(async () => {
  if (needsOpenssl) return;
  await github.close();
  await entra.close();
  tls.dispose();
});

/** What GitHub Actions puts in a job's environment with `permissions: id-token: write`, plus the app's IDs. */
function actionsEnvironment(): NodeJS.ProcessEnv {
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${github.origin}${GITHUB_TOKEN_PATH}?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
    AZURE_CLIENT_ID: PIPELINE_PRINCIPAL.appId,
    AZURE_TENANT_ID: STAND_IN_TENANT_ID,
  };
}

const trustStandIn = () => ({
  authorityHost: entra.origin,
  additionalPolicies: [{ policy: tlsPolicy({ ca: readFileSync(tls.certPath, "utf8") }), position: "perCall" as const }],
});

function tokenRequests() {
  return entra.requests.filter((request) => request.url.pathname.endsWith("/oauth2/v2.0/token"));
}

describe("CI sign-in: a fresh GitHub assertion for every Entra token", { skip: needsOpenssl }, () => {
  test("in GitHub Actions with OIDC the choice is ClientAssertionCredential; elsewhere DefaultAzureCredential", () => {
    const ci = chooseAzureCredential(actionsEnvironment());
    assert.equal(ci.source, "github-oidc");
    assert.ok(ci.credential instanceof ClientAssertionCredential);
    // The workflows' azure-native variables name the same application.
    const armNames = chooseAzureCredential({
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://example.invalid/idtoken?api-version=2.0",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "x",
      ARM_CLIENT_ID: PIPELINE_PRINCIPAL.appId,
      ARM_TENANT_ID: STAND_IN_TENANT_ID,
    });
    assert.equal(armNames.source, "github-oidc");
    // Without id-token: write there is no request URL: a workstation, or a job that did not ask for OIDC.
    const { ACTIONS_ID_TOKEN_REQUEST_URL: _dropped, ...withoutOidc } = actionsEnvironment();
    assert.equal(chooseAzureCredential(withoutOidc).source, "default");
  });

  test("each token request to Entra ID carries an assertion fetched from GitHub for it, so age never matters", async () => {
    const ci = chooseAzureCredential(actionsEnvironment(), { clientOptions: trustStandIn() });
    const githubBefore = github.requests.length;
    const entraBefore = tokenRequests().length;

    const firstAt = now;
    const modelToken = await ci.credential.getToken("https://cognitiveservices.azure.com/.default");
    // A long `pulumi up` later: twice the assertion's lifetime.
    now += TEN_MINUTES_MS;
    const secondAt = now;
    const armToken = await ci.credential.getToken("https://management.azure.com/.default");

    assert.equal(readTokenClaims(modelToken?.token ?? "")?.aud, "https://cognitiveservices.azure.com");
    assert.equal(readTokenClaims(armToken?.token ?? "")?.aud, "https://management.azure.com");
    assert.equal(readTokenClaims(armToken?.token ?? "")?.oid, PIPELINE_PRINCIPAL.objectId);

    const asked = github.requests.slice(githubBefore);
    const sent = tokenRequests().slice(entraBefore);
    assert.equal(sent.length, 2, "one Entra token request per scope");
    // msal-node evaluates the callback more than once per token request (@azure/identity 4.14 hands it to msal both
    // in the configuration and in the request): at least one GitHub request per Entra request.
    assert.ok(asked.length >= sent.length, `${asked.length} GitHub requests for ${sent.length} Entra requests`);
    for (const request of asked) {
      assert.equal(request.headers.authorization, `bearer ${REQUEST_TOKEN}`);
      assert.equal(request.url.searchParams.get("audience"), "api://AzureADTokenExchange");
      assert.equal(request.url.searchParams.get("api-version"), "2.0", "GitHub's own query is kept");
    }
    const assertions = sent.map((request) => new URLSearchParams(request.body).get("client_assertion") ?? "");
    for (const assertion of assertions) assert.ok(githubOptions.issued.includes(assertion), "an assertion from GitHub");
    assert.notEqual(assertions[0], assertions[1]);
    // Each was issued at the moment of its own token request, not reused from an earlier one: a provider that caches
    // its first assertion fails here with the stand-in's AADSTS700024.
    assert.deepEqual(
      assertions.map((assertion) => Number(readTokenClaims(assertion)?.iat) * 1000),
      [firstAt, secondAt],
    );
    for (const request of sent) {
      const form = new URLSearchParams(request.body);
      assert.equal(form.get("grant_type"), "client_credentials");
      assert.equal(form.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    }
    // Instance discovery is off for a non-Microsoft authority: nothing went to login.microsoftonline.com.
    assert.ok(entra.requests.every((request) => request.url.origin === entra.origin));
  });

  test("the stand-in refuses an assertion past its lifetime with AADSTS700024 (what the Azure CLI's one assertion gets)", async () => {
    // The azure/login way: one assertion, fetched once, reused for every later token.
    const once = await githubAssertionProvider(`${github.origin}${GITHUB_TOKEN_PATH}?api-version=2.0`, REQUEST_TOKEN)();
    const stale = new ClientAssertionCredential(STAND_IN_TENANT_ID, PIPELINE_PRINCIPAL.appId, async () => once, {
      ...trustStandIn(),
      disableInstanceDiscovery: true,
    });
    await stale.getToken("https://cognitiveservices.azure.com/.default");
    now += TEN_MINUTES_MS;
    await assert.rejects(stale.getToken("https://management.azure.com/.default"), /AADSTS700024/);
  });

  test("GitHub refusing the request (no id-token: write) is a credential failure that says what to check", async () => {
    const provider = githubAssertionProvider(`${github.origin}${GITHUB_TOKEN_PATH}?api-version=2.0`, "wrong-token");
    await assert.rejects(provider(), (error: Error) => {
      assert.equal(error.name, "CredentialUnavailableError");
      assert.match(error.message, /answered 401 .*id-token: write/);
      return true;
    });
  });

  test("instance discovery stays on for Microsoft's clouds and is off for any other authority host", () => {
    assert.equal(needsInstanceDiscoveryOff(undefined), false);
    assert.equal(needsInstanceDiscoveryOff("https://login.microsoftonline.com"), false);
    assert.equal(needsInstanceDiscoveryOff("https://login.microsoftonline.us/"), false);
    assert.equal(needsInstanceDiscoveryOff("https://127.0.0.1:8443"), true);
  });
});
