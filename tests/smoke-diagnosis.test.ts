/** Table-driven tests of lib/diagnosis.ts: every known answer maps to its cause and to whether waiting helps. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEPLOYMENT_GRACE_MS,
  type DiagnosisCode,
  diagnoseError,
  diagnoseHttp,
  type HttpAnswer,
  retryAfterMs,
} from "../lib/diagnosis";
import { DATA_PLANE_ANSWERS } from "./standins/openai-data-plane";

interface HttpCase {
  name: string;
  answer: HttpAnswer;
  code: DiagnosisCode;
  retry: "wait" | "stop";
}

const httpCases: HttpCase[] = [
  { name: "200 chat completion", answer: { status: 200, body: { choices: [] } }, code: "ok", retry: "stop" },
  {
    name: "401 PermissionDenied (role not yet effective)",
    answer: { status: 401, body: DATA_PLANE_ANSWERS.permissionDenied.body },
    code: "role_not_effective",
    retry: "wait",
  },
  {
    name: "401 audience is incorrect",
    answer: { status: 401, body: DATA_PLANE_ANSWERS.wrongAudience.body },
    code: "wrong_audience",
    retry: "stop",
  },
  {
    name: "401 body as a raw JSON string",
    answer: { status: 401, body: JSON.stringify(DATA_PLANE_ANSWERS.permissionDenied.body) },
    code: "role_not_effective",
    retry: "wait",
  },
  {
    name: "403 AuthenticationTypeDisabled (a key was sent)",
    answer: { status: 403, body: DATA_PLANE_ANSWERS.keyAuthDisabled.body },
    code: "key_auth_attempted",
    retry: "stop",
  },
  {
    name: "403 private endpoint only",
    answer: { status: 403, body: DATA_PLANE_ANSWERS.networkBlocked.body },
    code: "network_blocked",
    retry: "stop",
  },
  {
    name: "403 public access disabled",
    answer: {
      status: 403,
      body: { error: { code: "403", message: "Public access is disabled. Please configure private endpoint." } },
    },
    code: "network_blocked",
    retry: "stop",
  },
  {
    name: "403 virtual network configured (top-level shape)",
    answer: {
      status: 403,
      body: {
        code: "403",
        message: "A Virtual Network is configured for this resource. Please use the correct endpoint.",
      },
    },
    code: "network_blocked",
    retry: "stop",
  },
  {
    name: "403 firewall rules",
    answer: {
      status: 403,
      body: { error: { code: "403", message: "Access denied due to Virtual Network/Firewall rules." } },
    },
    code: "network_blocked",
    retry: "stop",
  },
  {
    name: "404 DeploymentNotFound within the grace period",
    answer: { status: 404, body: DATA_PLANE_ANSWERS.deploymentNotFound.body, elapsedMs: 60_000 },
    code: "deployment_not_found",
    retry: "wait",
  },
  {
    name: "404 DeploymentNotFound after the grace period",
    answer: { status: 404, body: DATA_PLANE_ANSWERS.deploymentNotFound.body, elapsedMs: DEPLOYMENT_GRACE_MS },
    code: "deployment_not_found",
    retry: "stop",
  },
  {
    name: "429 rate limit",
    answer: { status: 429, body: {}, headers: { "retry-after": "3" } },
    code: "rate_limited",
    retry: "wait",
  },
  {
    name: "500 server error",
    answer: { status: 500, body: DATA_PLANE_ANSWERS.serverError.body },
    code: "server_error",
    retry: "wait",
  },
  { name: "503 without body", answer: { status: 503 }, code: "server_error", retry: "wait" },
  {
    name: "401 from the Functions host (function key refused)",
    answer: { status: 401, body: "", fromFunctionHost: true },
    code: "function_key_rejected",
    retry: "stop",
  },
  {
    // Azure's body as lobehub/lobehub#5909 and langgenius/dify#9746 quote it.
    name: "400 unsupported_parameter (max_tokens sent to a reasoning model)",
    answer: {
      status: 400,
      body: {
        error: {
          message:
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
          type: "invalid_request_error",
          param: "max_tokens",
          code: "unsupported_parameter",
        },
      },
    },
    code: "request_rejected",
    retry: "stop",
  },
  {
    // chatboxai/chatbox#1745 (with the model's name), langchain4j/langchain4j#2636 (placeholder as printed).
    name: "400 BadRequest: api-version older than the model's minimum",
    answer: {
      status: 400,
      body: {
        error: {
          code: "BadRequest",
          message: "Model o1 is enabled only for api versions 2024-12-01-preview and later",
        },
      },
    },
    code: "request_rejected",
    retry: "stop",
  },
  {
    name: "400 something else",
    answer: { status: 400, body: { error: { code: "BadRequest" } } },
    code: "unexpected",
    retry: "stop",
  },
  {
    name: "404 other resource",
    answer: { status: 404, body: { error: { code: "404" } } },
    code: "unexpected",
    retry: "stop",
  },
];

describe("diagnoseHttp", () => {
  for (const { name, answer, code, retry } of httpCases) {
    test(name, () => {
      const diagnosis = diagnoseHttp(answer);
      assert.equal(diagnosis.code, code);
      assert.equal(diagnosis.retry, retry);
      assert.ok(diagnosis.meaning.length > 0 && diagnosis.action.length > 0);
    });
  }

  test("5xx is retried a bounded number of times; role propagation until the deadline", () => {
    assert.equal(diagnoseHttp({ status: 502 }).maxConsecutive, 3);
    assert.equal(
      diagnoseHttp({ status: 401, body: DATA_PLANE_ANSWERS.permissionDenied.body }).maxConsecutive,
      undefined,
    );
  });

  test("429 carries the server's delay", () => {
    assert.equal(
      diagnoseHttp({ status: 429, headers: { "retry-after-ms": "1500", "retry-after": "2" } }).retryAfterMs,
      1500,
    );
    assert.equal(diagnoseHttp({ status: 429, headers: new Headers({ "Retry-After": "7" }) }).retryAfterMs, 7000);
    assert.equal(diagnoseHttp({ status: 429 }).retryAfterMs, undefined);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-11-27T10:00:00Z");
  const cases: [string, Record<string, string>, number | undefined][] = [
    ["retry-after-ms wins", { "retry-after-ms": "250", "Retry-After": "9" }, 250],
    ["x-ms-retry-after-ms", { "x-ms-retry-after-ms": "800" }, 800],
    ["seconds", { "Retry-After": "4" }, 4000],
    ["HTTP date", { "retry-after": "Fri, 27 Nov 2026 10:00:05 GMT" }, 5000],
    ["date in the past", { "retry-after": "Fri, 27 Nov 2026 09:00:00 GMT" }, 0],
    ["garbage", { "retry-after": "soon" }, undefined],
    ["absent", {}, undefined],
  ];
  for (const [name, headers, expected] of cases) {
    test(name, () => assert.equal(retryAfterMs(headers, now), expected));
  }
});

describe("diagnoseError", () => {
  const withCause = (cause: object) => Object.assign(new TypeError("fetch failed"), { cause });
  const named = (name: string) => Object.assign(new Error("no token"), { name });
  const cases: [string, unknown, DiagnosisCode, "wait" | "stop"][] = [
    ["ENOTFOUND inside fetch's cause", withCause({ code: "ENOTFOUND" }), "dns_failure", "stop"],
    ["EAI_AGAIN", { code: "EAI_AGAIN" }, "dns_failure", "stop"],
    ["ECONNREFUSED", withCause({ code: "ECONNREFUSED" }), "connection_failed", "wait"],
    [
      "connect timeout two causes deep",
      withCause(withCause({ code: "UND_ERR_CONNECT_TIMEOUT" })),
      "connection_failed",
      "wait",
    ],
    ["ETIMEDOUT", { code: "ETIMEDOUT" }, "connection_failed", "wait"],
    ["openai timeout", named("APIConnectionTimeoutError"), "connection_failed", "wait"],
    ["not signed in", named("CredentialUnavailableError"), "credential_unavailable", "stop"],
    ["no credential in the chain", named("AggregateAuthenticationError"), "credential_unavailable", "stop"],
    ["anything else", new Error("boom"), "unexpected", "stop"],
    ["a string", "boom", "unexpected", "stop"],
  ];
  for (const [name, error, code, retry] of cases) {
    test(name, () => {
      const diagnosis = diagnoseError(error);
      assert.equal(diagnosis.code, code);
      assert.equal(diagnosis.retry, retry);
    });
  }

  test("a missing token of the person running the command is their sign-in, never the identity under test", () => {
    const notSignedIn = Object.assign(new Error("Please run 'az login' to set up an account."), {
      name: "CredentialUnavailableError",
    });
    const caller = diagnoseError(notSignedIn, "caller");
    assert.equal(caller.code, "sign_in_missing");
    assert.equal(caller.retry, "stop");
    assert.match(caller.action, /az login/);
    assert.match(caller.meaning, /Please run 'az login'/, "the credential's own message is kept");
    assert.equal(diagnoseError(notSignedIn, "identity").code, "credential_unavailable");
  });
});
