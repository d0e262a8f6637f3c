/**
 * One path turns any Azure failure into a verdict and a fix (scripts/core/azure-error.ts): a throttled call, Azure's
 * own fault, a missing right and a missing sign-in each get their own sentence, in every check and in
 * `npm run models`. Failures come from the stand-in as Azure sends them (tests/fixtures/arm/errors.ts) through the
 * real clients; the whole error is kept for --verbose only.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { AzureCliCredential } from "@azure/identity";
import { AZURE_ERROR_KINDS, describeAzureError, renderAzureError, SIGN_IN_FIX } from "../../scripts/core/azure-error";
import type { CommandIo } from "../../scripts/core/cli";
import { modelsCommand } from "../../scripts/core/models/command";
import { renderJson, renderText } from "../../scripts/core/preflight/render";
import { serverErrorAnswer, throttledAnswer } from "../fixtures/arm/errors";
import { createStandInAzureCli } from "../standins/az-cli";
import { SUBSCRIPTION_ID, USER_PRINCIPAL } from "../standins/principals";
import { startStandIn } from "../standins/server";
import { BASE_CONFIG, NOW, needsOpenssl, only, ownerWorld, preflight, projectWith, ROOT, useStandIns } from "./harness";

const setup = useStandIns();

const THROTTLED_FIX =
  "wait 17 s (Azure's Retry-After) and run again: Resource Manager limits requests per subscription and identity, so other tools calling it at the same time count too";
const SERVER_FIX =
  "Azure failed on its side: run again in a few minutes, and if it persists check Azure status (https://azure.status.microsoft) and the subscription's Service Health";

describe("docs/preflight.md", () => {
  test("the failure-kind table lists exactly the kinds azure-error.ts tells apart, in its order", () => {
    const page = readFileSync(join(ROOT, "docs", "preflight.md"), "utf8");
    const table = page.slice(page.indexOf("| Kind "));
    const kinds = [...table.matchAll(/^\| `([a-z-]+)` +\|/gm)].map((match) => match[1]);
    assert.deepEqual(kinds, [...AZURE_ERROR_KINDS]);
  });
});

describe("describeAzureError on errors the clients build", () => {
  const request = createPipelineRequest({ url: "https://management.azure.com/subscriptions/x/locations" });

  test("a Retry-After given as an HTTP date is read against the injected clock", () => {
    const error = new RestError("Pagination failed with unexpected statusCode 429", {
      statusCode: 429,
      code: "SubscriptionRequestsThrottled",
      request,
      response: {
        status: 429,
        request,
        headers: createHttpHeaders({ "retry-after": "Thu, 03 Dec 2026 12:00:30 GMT" }),
      },
    });
    const description = describeAzureError(error, new Date("2026-12-03T12:00:00Z"));
    assert.equal(description.kind, "throttled");
    assert.equal(description.retryAfterSeconds, 30);
    assert.equal(description.code, "SubscriptionRequestsThrottled");
  });

  test("a refused connection is the network, whatever wraps it", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const error = new RestError("request failed", { code: "REQUEST_SEND_ERROR", request });
    error.cause = refused;
    const description = describeAzureError(error);
    assert.equal(description.kind, "network");
    assert.equal(
      description.fix,
      "check the network path to Resource Manager (proxy, DNS, firewall, TLS inspection), then run again",
    );
  });
});

describe("every check says which failure it was, through the runner", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("429 SubscriptionRequestsThrottled: throttled, with Azure's Retry-After, not a rights problem", async () => {
    const world = ownerWorld();
    world.failing.push({ path: /\/locations$/, answer: throttledAnswer(SUBSCRIPTION_ID, 17), attempts: 0 });
    const { report } = await preflight(setup, world, BASE_CONFIG, { maxRetries: 0 });
    const location = only(report, "location");
    assert.equal(location.status, "fail");
    assert.match(
      location.found,
      /^could not check location: Azure is throttling requests \(HTTP 429 SubscriptionRequestsThrottled: /,
    );
    assert.equal(location.fix, THROTTLED_FIX);
    assert.equal(world.failing[0]?.attempts, 1, "one attempt: the test asked the clients not to retry");
  });

  test("500 from the model catalogue: Azure's own fault, with the status page as the fix", async () => {
    const world = ownerWorld();
    const { report } = await preflight(setup, world, BASE_CONFIG, {
      maxRetries: 0,
      extraRoutes: [
        {
          method: "GET",
          path: /\/providers\/Microsoft\.CognitiveServices\/locations\/[^/]+\/models$/i,
          handle: () => serverErrorAnswer(SUBSCRIPTION_ID),
        },
      ],
    });
    const model = only(report, "model");
    assert.equal(model.status, "fail");
    assert.match(
      model.found,
      /^the model catalogue of swedencentral could not be read: Azure failed on its side \(HTTP 500 InternalServerError: /,
    );
    assert.equal(model.fix, SERVER_FIX);
  });

  test("no sign-in: one sentence and az login; the credential's own report only with --verbose", async () => {
    const signedOut = createStandInAzureCli(USER_PRINCIPAL, { signedIn: false });
    const restore = setup.withAzureCli(signedOut);
    try {
      const { report } = await preflight(setup, ownerWorld());
      const identity = only(report, "identity");
      assert.equal(identity.fix, SIGN_IN_FIX);
      assert.equal(
        SIGN_IN_FIX,
        "sign in with az login (in GitHub Actions: permissions id-token: write and AZURE_CLIENT_ID/AZURE_TENANT_ID for OIDC), then run again",
      );
      assert.match(identity.detail ?? "", /az login/);
      const quiet = renderText(report, 1000);
      assert.equal(quiet.split("\n").filter((line) => line.startsWith("FAIL identity:")).length, 1);
      assert.doesNotMatch(quiet, /AzureCliCredential|Please run/);
      const verbose = renderText(report, 1000, { verbose: true });
      assert.match(verbose, /^ {4}.*az login/m, "the credential's report, indented under the line");
      assert.equal(JSON.parse(renderJson(report, 1000, { verbose: false })).results[1].detail, undefined);
      assert.match(JSON.parse(renderJson(report, 1000, { verbose: true })).results[1].detail, /az login/);
    } finally {
      restore();
      signedOut.dispose();
    }
  });

  test("npm run models says the same sentence for a missing sign-in; the chain only with --verbose", async () => {
    const signedOut = createStandInAzureCli(USER_PRINCIPAL, { signedIn: false });
    const restore = setup.withAzureCli(signedOut);
    const arm = await startStandIn({ routes: [], tls: setup.certificate });
    try {
      const projectDir = projectWith(setup.scratch, "models-signed-out", BASE_CONFIG);
      const run = async (verbose: boolean) => {
        let err = "";
        const io: CommandIo = { out: () => {}, err: (text) => (err += text) };
        const context = {
          credential: new AzureCliCredential(),
          subscriptionId: SUBSCRIPTION_ID,
          armEndpoint: arm.origin,
          now: NOW,
          projectDir,
        };
        return { code: await modelsCommand({ stack: "pf", verbose }, context, io), err };
      };
      const quiet = await run(false);
      assert.equal(quiet.code, 1);
      assert.match(
        quiet.err,
        /^models: reading the model catalogue failed: nobody is signed in to Azure \(.*\); sign in with az login \(in GitHub Actions: permissions id-token: write and AZURE_CLIENT_ID\/AZURE_TENANT_ID for OIDC\), then run again\.\n$/,
      );
      const verbose = await run(true);
      assert.equal(verbose.err.split("\n").length > quiet.err.split("\n").length, true, "--verbose adds the report");
      assert.equal(arm.requests.length, 0, "nothing reached Resource Manager");
    } finally {
      await arm.close();
      restore();
      signedOut.dispose();
    }
  });

  test("the one-sentence renderer names what failed, the verdict and the fix", () => {
    const request = createPipelineRequest({ url: "https://management.azure.com/x" });
    const error = new RestError("Forbidden", {
      statusCode: 403,
      code: "AuthorizationFailed",
      request,
      response: { status: 403, request, headers: createHttpHeaders() },
    });
    assert.equal(
      renderAzureError("listing the regions", describeAzureError(error)),
      "listing the regions failed: the signed-in identity is not allowed (HTTP 403 AuthorizationFailed: Forbidden); sign in with an identity that can read the subscription (Reader or above), or have an Owner grant that role.",
    );
  });
});
