/**
 * Guardrail rules, table-driven: each case is a resource as the engine would send it and the property the rule must
 * name (or none when the resource passes). Unknown values appear the two ways they reach a rule: the engine's
 * sentinel strings in raw inputs, and @pulumi/policy's proxy that throws on access.
 *
 * Every resource here is written by hand and every role GUID is a literal copied from the role's JSON on Learn
 * "Azure built-in roles" (privileged.md, ai-machine-learning.md): nothing is derived from lib/constants.ts, so a wrong
 * constant makes these tests fail instead of agreeing with it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { Account } from "@pulumi/azure-native/cognitiveservices/account";
import { VirtualMachine } from "@pulumi/azure-native/compute/virtualMachine";
import { NetworkInterface } from "@pulumi/azure-native/network/networkInterface";
import { PublicIPAddress } from "@pulumi/azure-native/network/publicIPAddress";
import { StorageAccount } from "@pulumi/azure-native/storage/storageAccount";
import { WebApp } from "@pulumi/azure-native/web/webApp";
import { WebAppFtpAllowed } from "@pulumi/azure-native/web/webAppFtpAllowed";
import { WebAppScmAllowed } from "@pulumi/azure-native/web/webAppScmAllowed";
import { BUILT_IN_ROLES, MODEL_ACCESS_ROLES } from "../lib/constants";
import {
  GUARDRAILS,
  type Guardrail,
  type GuardrailContext,
  managedIdentityPrincipalIds,
  read,
  ruleApplies,
  TYPES,
  UNKNOWN,
} from "../policy/rules";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_BOOLEAN = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
const SUB = "00000000-1111-2222-3333-444444444444";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-openai-dev`;
const MI_PRINCIPAL = "12345678-0000-4000-8000-123456780000";
/** A role definition ID as ARM takes it, written out by hand. */
function roleId(guid: string): string {
  return `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}
const COGNITIVE_SERVICES_USER = roleId("a97b65f3-24c7-4388-baec-2e87135dc908");

/** Roles that must be refused, as Learn "Azure built-in roles" prints them (name, GUID). */
const REFUSED: [string, string, string][] = [
  ["Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "privileged"],
  ["Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", "privileged"],
  ["User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "privileged"],
  ["Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168", "privileged"],
  ["Cognitive Services Contributor", "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68", "turn key auth back on"],
  ["Azure AI Administrator", "b78c5d69-af96-48a3-bf8d-a8b4d589de94", "turn key auth back on"],
  ["Foundry Account Owner", "e47c6f54-e4a2-4754-9501-8e0985b135e1", "turn key auth back on"],
  ["Foundry Owner", "c883944f-8b7b-4483-af10-35834be79c4a", "turn key auth back on"],
];

/** Roles that must pass (same page): none can write the account. */
const ALLOWED: [string, string][] = [
  ["Azure AI Developer", "64702f94-c441-49e6-a78b-ef80e0188fee"],
  ["Cognitive Services User", "a97b65f3-24c7-4388-baec-2e87135dc908"],
  ["Cognitive Services OpenAI User", "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"],
  ["Cognitive Services OpenAI Contributor", "a001fd3d-188f-4b5d-821b-7da978bf7442"],
  ["Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"],
  ["Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb"],
];

const BASE_CONTEXT: GuardrailContext = { allowVmPublicIp: false };

interface Case {
  title: string;
  type: string;
  props: unknown;
  context?: Partial<GuardrailContext>;
  /** Substrings every one of which must appear in some violation; empty = the resource passes. */
  expect: string[];
}

function rule(name: string): Guardrail {
  const found = GUARDRAILS.find((candidate) => candidate.name === name);
  assert.ok(found, `rule ${name} exists`);
  return found;
}

/** Stand-in for @pulumi/policy's unknown-checking proxy: throws when an unknown field is read. */
function throwingOnUnknown<T extends object>(target: T, unknownKeys: string[]): T {
  return new Proxy(target, {
    get(object, key) {
      if (typeof key === "string" && unknownKeys.includes(key))
        throw new Error(`string value at .${key} can't be known during preview`);
      return Reflect.get(object, key);
    },
  });
}

function runCases(ruleName: string, cases: Case[]): void {
  const guardrail = rule(ruleName);
  describe(ruleName, () => {
    for (const testCase of cases) {
      it(testCase.title, () => {
        const subject = { type: testCase.type, name: "thing", props: testCase.props };
        assert.ok(ruleApplies(guardrail, subject), "rule applies to the case");
        const violations = guardrail.check(subject, { ...BASE_CONTEXT, ...testCase.context });
        if (testCase.expect.length === 0) {
          assert.deepEqual(violations, []);
          return;
        }
        for (const fragment of testCase.expect) {
          assert.ok(
            violations.some((message) => message.includes(fragment) && message.includes("'thing'")),
            `a violation names the resource and "${fragment}"; got ${JSON.stringify(violations)}`,
          );
        }
      });
    }
  });
}

const goodAccount = { kind: "OpenAI", properties: { customSubDomainName: "kopenai-k7q2", disableLocalAuth: true } };
runCases("openai-entra-id-only", [
  { title: "OpenAI with subdomain and local auth off passes", type: TYPES.account, props: goodAccount, expect: [] },
  {
    title: "AIServices kind is judged too",
    type: TYPES.account,
    props: { ...goodAccount, kind: "AIServices", properties: { disableLocalAuth: true } },
    expect: ["properties.customSubDomainName"],
  },
  {
    title: "local auth left on fails",
    type: TYPES.account,
    props: { kind: "OpenAI", properties: { customSubDomainName: "x" } },
    expect: ["properties.disableLocalAuth"],
  },
  {
    title: "disableLocalAuth false fails",
    type: TYPES.account,
    props: { kind: "OpenAI", properties: { customSubDomainName: "x", disableLocalAuth: false } },
    expect: ["properties.disableLocalAuth"],
  },
  {
    title: "empty subdomain fails",
    type: TYPES.account,
    props: { kind: "OpenAI", properties: { customSubDomainName: " ", disableLocalAuth: true } },
    expect: ["properties.customSubDomainName"],
  },
  {
    title: "no properties at all fails on both",
    type: TYPES.account,
    props: { kind: "openai" },
    expect: ["properties.customSubDomainName", "properties.disableLocalAuth"],
  },
  {
    title: "unknown subdomain (random suffix in preview) counts as set",
    type: TYPES.account,
    props: { kind: "OpenAI", properties: { customSubDomainName: UNKNOWN_STRING, disableLocalAuth: true } },
    expect: [],
  },
  {
    title: "unknown disableLocalAuth fails closed",
    type: TYPES.account,
    props: { kind: "OpenAI", properties: { customSubDomainName: "x", disableLocalAuth: UNKNOWN_BOOLEAN } },
    expect: ["properties.disableLocalAuth", "not known before deployment"],
  },
  {
    title: "the policy proxy throwing on an unknown subdomain does not crash the rule",
    type: TYPES.account,
    props: {
      kind: "OpenAI",
      properties: throwingOnUnknown({ customSubDomainName: "?", disableLocalAuth: true }, ["customSubDomainName"]),
    },
    expect: [],
  },
]);

const goodAssignment = {
  principalId: "a11ce000-0000-4000-8000-000000000002",
  principalType: "User",
  roleDefinitionId: COGNITIVE_SERVICES_USER,
  scope: RG,
};
runCases("role-assignment-least-privilege", [
  {
    title: "Cognitive Services User on the resource group passes",
    type: TYPES.roleAssignment,
    props: goodAssignment,
    expect: [],
  },
  {
    title: "a resource below the resource group passes",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, scope: `${RG}/providers/Microsoft.CognitiveServices/accounts/kopenai` },
    context: { resourceGroupIds: [RG] },
    expect: [],
  },
  ...REFUSED.map(([name, guid, why]) => ({
    title: `${name} (${guid}) is refused`,
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, roleDefinitionId: roleId(guid) },
    expect: ["roleDefinitionId", name.replaceAll(" ", ""), why],
  })),
  {
    title: "an upper-case Contributor GUID is refused too",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, roleDefinitionId: roleId("B24988AC-6180-42A0-AB88-20F7382DD24C") },
    expect: ["roleDefinitionId", "Contributor"],
  },
  {
    title: "the tenant form of the Cognitive Services Contributor ID is refused",
    type: TYPES.roleAssignment,
    props: {
      ...goodAssignment,
      roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
    },
    expect: ["roleDefinitionId", "CognitiveServicesContributor"],
  },
  ...ALLOWED.map(([name, guid]) => ({
    title: `${name} (${guid}) passes`,
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, roleDefinitionId: roleId(guid) },
    expect: [],
  })),
  {
    title: "subscription scope is refused",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, scope: `/subscriptions/${SUB}` },
    expect: ["scope", "whole subscription"],
  },
  {
    title: "subscription scope with a trailing slash is refused",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, scope: `/subscriptions/${SUB}/` },
    expect: ["scope", "whole subscription"],
  },
  {
    title: "management group scope is refused",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, scope: "/providers/Microsoft.Management/managementGroups/contoso" },
    expect: ["scope", "management group"],
  },
  {
    title: "another resource group than the stack's is refused",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, scope: `/subscriptions/${SUB}/resourceGroups/rg-openai-devx` },
    context: { resourceGroupIds: [RG] },
    expect: ["scope", "outside the stack's resource group"],
  },
  {
    title: "missing principalType is refused",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, principalType: undefined },
    expect: ["principalType"],
  },
  {
    title: "a managed identity assigned as User is refused",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, principalId: MI_PRINCIPAL },
    context: { managedIdentityPrincipalIds: [MI_PRINCIPAL] },
    expect: ["principalType", "ServicePrincipal"],
  },
  {
    title: "a managed identity assigned as ServicePrincipal passes",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, principalId: MI_PRINCIPAL, principalType: "ServicePrincipal" },
    context: { managedIdentityPrincipalIds: [MI_PRINCIPAL] },
    expect: [],
  },
  {
    title: "unknown scope (resource group not created yet) is left to the update",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, scope: UNKNOWN_STRING },
    expect: [],
  },
  {
    title: "unknown role fails closed",
    type: TYPES.roleAssignment,
    props: { ...goodAssignment, roleDefinitionId: UNKNOWN_STRING },
    expect: ["roleDefinitionId", "not known before deployment"],
  },
]);

const goodVm = {
  identity: { type: "SystemAssigned" },
  osProfile: { linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [] } } },
  networkProfile: { networkInterfaces: [{ id: `${RG}/providers/Microsoft.Network/networkInterfaces/nic` }] },
};
runCases("linux-vm-keyless", [
  { title: "SSH-only VM with a system identity passes", type: TYPES.virtualMachine, props: goodVm, expect: [] },
  {
    title: "password authentication fails",
    type: TYPES.virtualMachine,
    props: { ...goodVm, osProfile: { linuxConfiguration: { disablePasswordAuthentication: false } } },
    expect: ["osProfile.linuxConfiguration.disablePasswordAuthentication"],
  },
  {
    title: "no linuxConfiguration fails",
    type: TYPES.virtualMachine,
    props: { ...goodVm, osProfile: { adminUsername: "azureuser" } },
    expect: ["osProfile.linuxConfiguration.disablePasswordAuthentication"],
  },
  {
    title: "no identity fails",
    type: TYPES.virtualMachine,
    props: { ...goodVm, identity: undefined },
    expect: ["identity.type"],
  },
  {
    title: "identity None fails",
    type: TYPES.virtualMachine,
    props: { ...goodVm, identity: { type: "None" } },
    expect: ["identity.type"],
  },
  {
    title: "user-assigned identity passes",
    type: TYPES.virtualMachine,
    props: { ...goodVm, identity: { type: "UserAssigned" } },
    expect: [],
  },
]);

runCases("vm-no-public-ip", [
  { title: "VM without public IP passes", type: TYPES.virtualMachine, props: goodVm, expect: [] },
  {
    title: "a PublicIPAddress fails",
    type: TYPES.publicIpAddress,
    props: { sku: { name: "Standard" } },
    expect: ["public IP"],
  },
  {
    title: "a PublicIPAddress passes when the stack allows it",
    type: TYPES.publicIpAddress,
    props: {},
    context: { allowVmPublicIp: true },
    expect: [],
  },
  {
    title: "a NIC with a public IP fails",
    type: TYPES.networkInterface,
    props: { ipConfigurations: [{ name: "a" }, { name: "b", publicIPAddress: { id: UNKNOWN_STRING } }] },
    expect: ["ipConfigurations[1].publicIPAddress"],
  },
  {
    title: "a NIC without a public IP passes",
    type: TYPES.networkInterface,
    props: { ipConfigurations: [{ name: "a", subnet: { id: "s" } }] },
    expect: [],
  },
  {
    title: "a VM-inline public IP configuration fails",
    type: TYPES.virtualMachine,
    props: {
      ...goodVm,
      networkProfile: {
        networkInterfaceConfigurations: [
          { name: "nic", ipConfigurations: [{ name: "ip", publicIPAddressConfiguration: { name: "pip" } }] },
        ],
      },
    },
    expect: ["networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0].publicIPAddressConfiguration"],
  },
]);

const goodFunctionApp = {
  kind: "functionapp,linux",
  identity: { type: "SystemAssigned" },
  httpsOnly: true,
  siteConfig: { minTlsVersion: "1.2", ftpsState: "Disabled" },
};
runCases("function-app-hardened", [
  { title: "hardened function app passes", type: TYPES.webApp, props: goodFunctionApp, expect: [] },
  {
    title: "system- plus user-assigned identities (host storage identity beside the app's own) pass",
    type: TYPES.webApp,
    props: { ...goodFunctionApp, identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: ["/x"] } },
    expect: [],
  },
  {
    title: "TLS left to the platform default (1.2) passes",
    type: TYPES.webApp,
    props: { ...goodFunctionApp, siteConfig: { ftpsState: "Disabled" } },
    expect: [],
  },
  {
    title: "no identity fails",
    type: TYPES.webApp,
    props: { ...goodFunctionApp, identity: undefined },
    expect: ["identity.type"],
  },
  {
    title: "httpsOnly missing fails",
    type: TYPES.webApp,
    props: { ...goodFunctionApp, httpsOnly: undefined },
    expect: ["httpsOnly"],
  },
  {
    title: "TLS 1.1 fails",
    type: TYPES.webApp,
    props: { ...goodFunctionApp, siteConfig: { minTlsVersion: "1.1", ftpsState: "Disabled" } },
    expect: ["siteConfig.minTlsVersion"],
  },
  {
    title: "FTPS only still fails (FTP is on)",
    type: TYPES.webApp,
    props: { ...goodFunctionApp, siteConfig: { minTlsVersion: "1.2", ftpsState: "FtpsOnly" } },
    expect: ["siteConfig.ftpsState"],
  },
  {
    title: "a Flex Consumption site (functionAppConfig) without siteConfig passes: Flex has no FTP",
    type: TYPES.webApp,
    props: { ...goodFunctionApp, siteConfig: undefined, functionAppConfig: { runtime: { name: "node" } } },
    expect: [],
  },
  {
    title: "no siteConfig fails on FTP",
    type: TYPES.webApp,
    props: { ...goodFunctionApp, siteConfig: undefined },
    expect: ["siteConfig.ftpsState"],
  },
]);

runCases("web-basic-publishing-disabled", [
  { title: "FTP basic auth off passes", type: TYPES.webAppFtpAllowed, props: { allow: false }, expect: [] },
  { title: "FTP basic auth on fails", type: TYPES.webAppFtpAllowed, props: { allow: true }, expect: ["allow"] },
  { title: "SCM basic auth on fails", type: TYPES.webAppScmAllowed, props: { allow: true }, expect: ["allow"] },
]);

runCases("storage-min-tls-1-2", [
  { title: "TLS1_2 passes", type: TYPES.storageAccount, props: { minimumTlsVersion: "TLS1_2" }, expect: [] },
  { title: "TLS1_3 passes", type: TYPES.storageAccount, props: { minimumTlsVersion: "TLS1_3" }, expect: [] },
  {
    title: "TLS1_0 fails",
    type: TYPES.storageAccount,
    props: { minimumTlsVersion: "TLS1_0" },
    expect: ["minimumTlsVersion", '"TLS1_0"'],
  },
  {
    title: "TLS1_1 fails",
    type: TYPES.storageAccount,
    props: { minimumTlsVersion: "TLS1_1" },
    expect: ["minimumTlsVersion", '"TLS1_1"'],
  },
  {
    title: "TLS left unset fails (Azure reads it as TLS 1.0)",
    type: TYPES.storageAccount,
    props: { allowSharedKeyAccess: false, allowBlobPublicAccess: false },
    expect: ["minimumTlsVersion", "not set"],
  },
  {
    title: "an unknown minimumTlsVersion fails closed",
    type: TYPES.storageAccount,
    props: { minimumTlsVersion: UNKNOWN_STRING },
    expect: ["minimumTlsVersion", "not known before deployment"],
  },
]);

runCases("storage-keyless-private", [
  {
    title: "shared key and public blob access off passes",
    type: TYPES.storageAccount,
    props: { allowSharedKeyAccess: false, allowBlobPublicAccess: false },
    expect: [],
  },
  {
    title: "defaults (both unset) fail",
    type: TYPES.storageAccount,
    props: {},
    expect: ["allowSharedKeyAccess", "allowBlobPublicAccess"],
  },
  {
    title: "shared key on fails",
    type: TYPES.storageAccount,
    props: { allowSharedKeyAccess: true, allowBlobPublicAccess: false },
    expect: ["allowSharedKeyAccess"],
  },
  {
    title: "public blob access on fails",
    type: TYPES.storageAccount,
    props: { allowSharedKeyAccess: false, allowBlobPublicAccess: true },
    expect: ["allowBlobPublicAccess"],
  },
]);

describe("type tokens", () => {
  // A wrong token would make a rule skip every real resource while these table tests still pass.
  it("are the tokens @pulumi/azure-native registers for each resource class", () => {
    const classes: [string, { isInstance(obj: unknown): boolean }][] = [
      [TYPES.account, Account],
      [TYPES.roleAssignment, RoleAssignment],
      [TYPES.virtualMachine, VirtualMachine],
      [TYPES.networkInterface, NetworkInterface],
      [TYPES.publicIpAddress, PublicIPAddress],
      [TYPES.webApp, WebApp],
      [TYPES.webAppFtpAllowed, WebAppFtpAllowed],
      [TYPES.webAppScmAllowed, WebAppScmAllowed],
      [TYPES.storageAccount, StorageAccount],
    ];
    for (const [token, resourceClass] of classes) {
      // isInstance compares the object's __pulumiType with the class's own (azure-native 3.28.0 *.js).
      assert.ok(resourceClass.isInstance({ __pulumiType: token }), token);
    }
  });
});

describe("config and guardrail agree", () => {
  it("every roleName config accepts passes the role guardrail", () => {
    const guardrail = rule("role-assignment-least-privilege");
    for (const role of MODEL_ACCESS_ROLES) {
      const props = { ...goodAssignment, roleDefinitionId: roleId(BUILT_IN_ROLES[role]) };
      assert.deepEqual(guardrail.check({ type: TYPES.roleAssignment, name: role, props }, BASE_CONTEXT), [], role);
    }
  });
});

describe("applicability", () => {
  it("leaves other Cognitive Services kinds, web apps and Windows VMs to other rules", () => {
    assert.equal(
      ruleApplies(rule("openai-entra-id-only"), { type: TYPES.account, name: "s", props: { kind: "SpeechServices" } }),
      false,
    );
    assert.equal(
      ruleApplies(rule("function-app-hardened"), { type: TYPES.webApp, name: "w", props: { kind: "app,linux" } }),
      false,
    );
    assert.equal(
      ruleApplies(rule("linux-vm-keyless"), {
        type: TYPES.virtualMachine,
        name: "w",
        props: { osProfile: { windowsConfiguration: {} } },
      }),
      false,
    );
    assert.equal(ruleApplies(rule("storage-keyless-private"), { type: TYPES.account, name: "a", props: {} }), false);
  });

  it("rule names are unique", () => {
    const names = GUARDRAILS.map((guardrail) => guardrail.name);
    assert.equal(new Set(names).size, names.length);
  });
});

describe("read", () => {
  it("reports unknown for sentinels, parents of sentinels and throwing getters, undefined for absent paths", () => {
    assert.equal(read({ a: UNKNOWN_STRING }, "a"), UNKNOWN);
    assert.equal(read({ a: UNKNOWN_STRING }, "a", "b"), UNKNOWN);
    assert.equal(read(throwingOnUnknown({ a: 1 }, ["a"]), "a"), UNKNOWN);
    assert.equal(read({ a: { b: 2 } }, "a", "c"), undefined);
    assert.equal(read({ a: [{ b: 3 }] }, "a", 0, "b"), 3);
  });

  it("collects managed identity principal IDs, sorted and unique", () => {
    const ids = managedIdentityPrincipalIds([
      { props: { identity: { principalId: "b" } } },
      { props: { identity: { type: "SystemAssigned" } } },
      { props: { identity: { principalId: "a" } } },
      { props: { identity: { principalId: "b" } } },
    ]);
    assert.deepEqual(ids, ["a", "b"]);
  });

  it("counts a user-assigned identity's top-level principalId as a managed identity of the stack", () => {
    const ids = managedIdentityPrincipalIds([
      { type: "azure-native:managedidentity:UserAssignedIdentity", props: { principalId: "u", clientId: "c" } },
      {
        type: "azure-native:web:WebApp",
        props: { identity: { type: "SystemAssigned, UserAssigned", principalId: "s" } },
      },
      // Only the identity resource itself names a user-assigned principal: a top-level principalId elsewhere is not one.
      { type: "azure-native:authorization:RoleAssignment", props: { principalId: "not-an-identity" } },
    ]);
    assert.deepEqual(ids, ["s", "u"]);
  });
});

// Hand-written resources of a production stack (tag environment: production).
const PRODUCTION_TAGS = { environment: "production" };
runCases("production-private-network", [
  {
    title: "a private production OpenAI account passes",
    type: TYPES.account,
    props: {
      kind: "OpenAI",
      tags: PRODUCTION_TAGS,
      properties: { publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny" } },
    },
    expect: [],
  },
  {
    title: "a public production OpenAI account fails",
    type: TYPES.account,
    props: {
      kind: "OpenAI",
      tags: PRODUCTION_TAGS,
      properties: { publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Allow" } },
    },
    expect: ["properties.publicNetworkAccess", "properties.networkAcls.defaultAction"],
  },
  {
    title: "a production OpenAI account with only an IP allow-list fails",
    type: TYPES.account,
    props: {
      kind: "OpenAI",
      tags: PRODUCTION_TAGS,
      properties: {
        publicNetworkAccess: "Enabled",
        networkAcls: { defaultAction: "Deny", ipRules: [{ value: "203.0.113.0/24" }] },
      },
    },
    expect: ["properties.publicNetworkAccess"],
  },
  {
    title: "a production storage account on its public endpoint fails",
    type: TYPES.storageAccount,
    props: { tags: PRODUCTION_TAGS, allowSharedKeyAccess: false, allowBlobPublicAccess: false },
    expect: ["publicNetworkAccess", "networkRuleSet.defaultAction"],
  },
  {
    title: "a private production storage account passes",
    type: TYPES.storageAccount,
    props: {
      tags: PRODUCTION_TAGS,
      publicNetworkAccess: "Disabled",
      networkRuleSet: { defaultAction: "Deny", bypass: "None" },
    },
    expect: [],
  },
  {
    title: "a production function app without VNet integration fails",
    type: TYPES.webApp,
    props: { kind: "functionapp,linux", tags: PRODUCTION_TAGS },
    expect: ["virtualNetworkSubnetId"],
  },
  {
    title: "a production function app integrated into a subnet (known or not yet known) passes",
    type: TYPES.webApp,
    props: {
      kind: "functionapp,linux",
      tags: PRODUCTION_TAGS,
      virtualNetworkSubnetId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    },
    expect: [],
  },
]);

describe("production-private-network applicability", () => {
  it("leaves non-production resources alone", () => {
    const guardrail = rule("production-private-network");
    for (const tags of [{ environment: "non-production" }, undefined]) {
      const subject = {
        type: TYPES.account,
        name: "a",
        props: { kind: "OpenAI", tags, properties: { publicNetworkAccess: "Enabled" } },
      };
      assert.equal(ruleApplies(guardrail, subject), false);
    }
  });
});
