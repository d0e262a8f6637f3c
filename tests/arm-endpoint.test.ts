/** The one Resource Manager endpoint of every command (scripts/core/arm-endpoint.ts). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { armEndpoint } from "../scripts/core/arm-endpoint";
import { UsageError } from "../scripts/core/cli";

describe("armEndpoint", () => {
  test("the public cloud's Resource Manager by default (Learn: management.azure.com)", () => {
    assert.equal(armEndpoint({}), "https://management.azure.com");
    assert.equal(armEndpoint({ KEYLESS_ARM_ENDPOINT: "" }), "https://management.azure.com");
  });

  test("KEYLESS_ARM_ENDPOINT moves it; --arm-endpoint wins over it; a trailing slash is dropped", () => {
    const env = { KEYLESS_ARM_ENDPOINT: "https://management.usgovcloudapi.net/" };
    assert.equal(armEndpoint(env), "https://management.usgovcloudapi.net");
    assert.equal(armEndpoint(env, "https://127.0.0.1:8443"), "https://127.0.0.1:8443");
  });

  test("one variable for every command: SMOKE_, TEARDOWN_ and SETUP_ARM_ENDPOINT move nothing", () => {
    const env = {
      SMOKE_ARM_ENDPOINT: "https://smoke.example",
      TEARDOWN_ARM_ENDPOINT: "https://teardown.example",
      SETUP_ARM_ENDPOINT: "https://setup.example",
    };
    assert.equal(armEndpoint(env), "https://management.azure.com");
  });

  test("a value that is not https is a usage error naming where it came from and the value", () => {
    assert.throws(
      () => armEndpoint({ KEYLESS_ARM_ENDPOINT: "http://127.0.0.1:1" }),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message ===
          "KEYLESS_ARM_ENDPOINT http://127.0.0.1:1 must be https: ARM tokens only travel over TLS; give the https URL of Resource Manager",
    );
    assert.throws(
      () => armEndpoint({}, "management.azure.com"),
      (error: unknown) =>
        error instanceof UsageError &&
        error.message ===
          "--arm-endpoint management.azure.com is not a URL: give the https URL of Resource Manager, or leave it unset",
    );
  });
});
