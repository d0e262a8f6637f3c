/**
 * The pack's wiring, without starting the pack: build the policy list the pack file uses and call each
 * `validateResource` / `validateStack` with a stub violation collector, as the analyzer server would.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { buildPolicies, DEFAULT_ENFORCEMENT, type GuardrailPolicyConfig } from "../policy/policies";
import { GUARDRAILS, TYPES } from "../policy/rules";

const RG = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg";
const OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

function notApplicable(reason?: string): never {
  throw new Error(`not applicable: ${reason}`);
}

function resourceArgs(
  type: string,
  props: Record<string, unknown>,
  config: GuardrailPolicyConfig = {},
): ResourceValidationArgs {
  return {
    type,
    props,
    urn: `urn:pulumi:dev::keyless-openai::${type}::subject`,
    name: "subject",
    opts: OPTIONS,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

const policies = buildPolicies();

function resourcePolicy(name: string): ResourceValidationPolicy {
  const policy = policies.find((candidate) => candidate.name === name);
  assert.ok(policy && "validateResource" in policy, `${name} is a resource policy`);
  return policy as ResourceValidationPolicy;
}

async function violations(
  policyName: string,
  type: string,
  props: Record<string, unknown>,
  config?: GuardrailPolicyConfig,
) {
  const policy = resourcePolicy(policyName);
  const collected: string[] = [];
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  for (const validate of validations) {
    await validate?.(resourceArgs(type, props, config), (message) => collected.push(message));
  }
  return collected;
}

describe("policy pack wiring", () => {
  it("has one mandatory resource policy per guardrail, plus the stack-wide principal type check", () => {
    assert.deepEqual(
      policies.map((policy) => policy.name),
      [...GUARDRAILS.map((rule) => rule.name), "managed-identity-principal-type"],
    );
    for (const policy of policies) assert.equal(policy.enforcementLevel, DEFAULT_ENFORCEMENT);
    assert.equal(DEFAULT_ENFORCEMENT, "mandatory");
  });

  it("reports an account with key auth on, and nothing for a keyless one", async () => {
    const bad = await violations("openai-entra-id-only", TYPES.account, { kind: "OpenAI", properties: {} });
    assert.equal(bad.length, 2);
    assert.match(bad.join("\n"), /disableLocalAuth/);
    const good = await violations("openai-entra-id-only", TYPES.account, {
      kind: "OpenAI",
      properties: { customSubDomainName: "x", disableLocalAuth: true },
    });
    assert.deepEqual(good, []);
  });

  it("ignores resources of other types", async () => {
    assert.deepEqual(await violations("openai-entra-id-only", TYPES.storageAccount, {}), []);
  });

  it("reads allowVmPublicIp from policy config", async () => {
    assert.equal((await violations("vm-no-public-ip", TYPES.publicIpAddress, {})).length, 1);
    assert.deepEqual(await violations("vm-no-public-ip", TYPES.publicIpAddress, {}, { allowVmPublicIp: true }), []);
  });

  it("reads resourceGroupIds from policy config", async () => {
    const props = {
      principalId: "p",
      principalType: "User",
      roleDefinitionId:
        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/a97b65f3-24c7-4388-baec-2e87135dc908",
      scope: `${RG}-other`,
    };
    assert.deepEqual(await violations("role-assignment-least-privilege", TYPES.roleAssignment, props), []);
    const outside = await violations("role-assignment-least-privilege", TYPES.roleAssignment, props, {
      resourceGroupIds: [RG],
    });
    assert.match(outside.join("\n"), /outside the stack's resource group/);
  });

  it("the stack policy flags a managed identity assigned as User, by URN", async () => {
    const policy = policies.find(
      (candidate) => candidate.name === "managed-identity-principal-type",
    ) as StackValidationPolicy;
    const resource = (type: string, name: string, props: Record<string, unknown>): PolicyResource => ({
      type,
      name,
      props,
      urn: `urn:pulumi:dev::keyless-openai::${type}::${name}`,
      opts: OPTIONS,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    });
    const args: StackValidationArgs = {
      resources: [
        resource(TYPES.virtualMachine, "vm", { identity: { type: "SystemAssigned", principalId: "mi-1" } }),
        resource(TYPES.roleAssignment, "vm-user", { principalId: "mi-1", principalType: "User" }),
        resource(TYPES.roleAssignment, "vm-sp", { principalId: "mi-1", principalType: "ServicePrincipal" }),
        resource(TYPES.roleAssignment, "person", { principalId: "someone", principalType: "User" }),
      ],
      stackTags: new Map(),
      getConfig: <T extends object>() => ({}) as T,
      notApplicable,
    };
    const reported: { message: string; urn?: string }[] = [];
    await policy.validateStack(args, (message, urn) => reported.push({ message, urn }));
    assert.equal(reported.length, 1);
    assert.match(reported[0]?.message ?? "", /ServicePrincipal/);
    assert.match(reported[0]?.urn ?? "", /::vm-user$/);
  });
});
