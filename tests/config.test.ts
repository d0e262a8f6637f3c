import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";

import program = require("../index");

import { CONFIG_KEY_NAMES, ConfigError, configDeclarations, parseConfig, type RawConfig } from "../lib/config";
import { deriveSubdomain, stableSuffix, vmNameFor } from "../lib/names";
import { PROJECT, runProgram } from "../scripts/core/offline-engine";

const root = join(__dirname, "..");

/** A stack that has pinned its model (as `npm run models -- --pin` writes it): nothing else is set. */
const PINNED: RawConfig = { deployments: JSON.stringify(["name=chat,model=gpt-5.4-mini,version=2026-03-17"]) };

function problemsOf(raw: RawConfig, stack = "dev"): string[] {
  try {
    parseConfig({ ...PINNED, ...raw }, PROJECT, stack);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail("expected the configuration to be rejected");
}

function problemsOfUnpinned(raw: RawConfig, stack: string): string[] {
  try {
    parseConfig(raw, PROJECT, stack);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail("expected the configuration to be rejected");
}

describe("config schema", () => {
  test("Pulumi.yaml declares exactly the keys lib/config.ts validates, each with a type, a default and a description", () => {
    const project = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as {
      name: string;
      config: Record<string, { type: string; default: unknown; description: string; items?: { type: string } }>;
    };
    assert.equal(project.name, PROJECT);
    assert.deepEqual(Object.keys(project.config).sort(), [...CONFIG_KEY_NAMES].sort());
    for (const [key, declared] of Object.entries(project.config)) {
      assert.ok(["string", "boolean", "array"].includes(declared.type), `${key}.type`);
      assert.ok(declared.description.length > 0, `${key}.description`);
      if (declared.type === "array") assert.deepEqual(declared.items, { type: "string" }, `${key}.items`);
    }
  });

  test("every key of Pulumi.yaml is validated: a bad value of each is refused, naming the key", () => {
    // A value each key refuses; booleans and lists share one each.
    const badStrings: Record<string, string> = {
      location: "Sweden Central",
      resourceGroupName: "rg.",
      accountSubdomain: "-sub",
      networkMode: "hybrid",
      protect: "maybe",
      roleName: "Owner",
      roleScope: "tenant",
      deployerPrincipalType: "Group",
      compute: "vmss",
      vmSize: "B2ats",
      vmAdminUsername: "root",
      sshPublicKey: "hunter2",
      vmAutoShutdown: "7pm",
      functionAppLocation: "East US",
    };
    const declared = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")).config as Record<string, { type: string }>;
    for (const [key, { type }] of Object.entries(declared)) {
      const bad = type === "boolean" ? "yes" : type === "array" ? "not-a-list" : badStrings[key];
      assert.ok(bad !== undefined, `no bad value for ${key}: add one, and a rule in lib/config.ts`);
      const problems = problemsOf({ [key]: bad });
      assert.ok(
        problems.some((problem) => problem.startsWith(`${key} = `) || problem.startsWith(`${key}[`)),
        `${key} = ${bad}: ${problems.join(" | ")}`,
      );
    }
  });

  test("a Pulumi.yaml that declares a key the validator does not know, or misses one, is refused naming the key", (t) => {
    const directory = mkdtempSync(join(tmpdir(), "config-keys-"));
    t.after(() => rmSync(directory, { recursive: true, force: true }));
    const projectFile = join(directory, "Pulumi.yaml");
    const text = readFileSync(join(root, "Pulumi.yaml"), "utf8");
    writeFileSync(projectFile, `${text}  extraKey:\n    type: string\n    default: ""\n`);
    assert.throws(() => configDeclarations(projectFile), /declares extraKey, which lib\/config\.ts does not validate/);
    writeFileSync(projectFile, text.replace(/\n {2}vmSize:\n(?: {4}.*\n)+/, "\n"));
    assert.throws(() => configDeclarations(projectFile), /config key vmSize needs a type/);
  });

  test("docs/configuration.md lists every key of Pulumi.yaml with its type, default and description", () => {
    const rows = readFileSync(join(root, "docs", "configuration.md"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) =>
        line.split(" | ").map((cell) =>
          cell
            .replace(/^\|? ?/, "")
            .replace(/ ?\|$/, "")
            .trim(),
        ),
      );
    const declared = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")).config as Record<
      string,
      { type: string; default: unknown; description: string }
    >;
    assert.deepEqual(
      rows.map(([key]) => key),
      Object.keys(declared).map((key) => `\`${key}\``),
    );
    for (const [key, type, defaultValue, description] of rows) {
      const declaration = declared[(key ?? "").replaceAll("`", "")];
      assert.ok(declaration, key);
      assert.equal(type, declaration.type, `${key} type`);
      assert.equal(defaultValue, `\`${JSON.stringify(declaration.default)}\``, `${key} default`);
      assert.equal(description, declaration.description.replaceAll("|", "\\|"), `${key} description`);
    }
  });

  test("the declared defaults plus a pinned model are valid and give the documented stack", () => {
    const config = parseConfig(PINNED, PROJECT, "dev");
    assert.equal(config.location, "swedencentral");
    assert.equal(config.resourceGroupName, "rg-keyless-openai-dev");
    assert.equal(config.accountSubdomain, undefined);
    assert.deepEqual(config.network, { mode: "public", allowedIpRanges: [] });
    // SKU, capacity and upgrade defaults (literals: docs/configuration.md's config table).
    assert.deepEqual(config.deployments, [
      {
        name: "chat",
        model: "gpt-5.4-mini",
        version: "2026-03-17",
        sku: "GlobalStandard",
        capacity: 10,
        versionUpgradeOption: "OnceNewDefaultVersionAvailable",
      },
    ]);
    assert.equal(config.protect, false);
    assert.equal(config.testStack, false);
    assert.deepEqual(config.access, {
      role: "CognitiveServicesUser",
      scope: "resourceGroup",
      grantDeployer: true,
      deployerPrincipalType: "auto",
      users: [],
      groups: [],
      servicePrincipals: [],
    });
    assert.equal(config.compute.kind, "both");
    assert.equal(config.compute.functionApp.location, "swedencentral");
  });

  test("a stack without a pinned model is refused with the key and the command that pins one", () => {
    assert.throws(
      () => parseConfig({}, PROJECT, "qa"),
      (error: Error) =>
        error instanceof ConfigError &&
        error.problems.length === 1 &&
        /^deployments = \[\]: no model deployment is pinned for stack 'qa'/.test(error.problems[0] ?? "") &&
        error.problems[0]?.endsWith("npm run models -- --stack qa --pin") === true,
    );
  });

  test("Pulumi.dev.yaml is the dev stack: valid except for the model, which it leaves to the catalogue", () => {
    const stackFile = parse(readFileSync(join(root, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const raw: RawConfig = {};
    for (const [key, value] of Object.entries(stackFile.config)) {
      assert.ok(key.startsWith(`${PROJECT}:`), `${key} is namespaced to the project`);
      // The CLI hands arrays to the program as JSON text.
      raw[key.slice(PROJECT.length + 1)] = typeof value === "string" ? value : JSON.stringify(value);
    }
    // Unpinned on purpose (see the file's comment): the only problem is the missing pin, with its fix.
    assert.deepEqual(problemsOfUnpinned(raw, "dev"), [
      `deployments = []: no model deployment is pinned for stack 'dev'; pin the newest model Azure offers in "swedencentral": npm run models -- --stack dev --pin`,
    ]);
    assert.equal(parseConfig({ ...raw, ...PINNED }, PROJECT, "dev").compute.kind, "both");
  });
});

describe("config values", () => {
  test("deployment strings parse every field, with SKU, capacity and upgrade defaults", () => {
    const config = parseConfig(
      {
        deployments: JSON.stringify([
          "name=chat,model=gpt-5.4-mini,version=2026-03-17",
          "name=big,model=gpt-5.4,version=2026-03-05,sku=DataZoneStandard,capacity=250,upgrade=NoAutoUpgrade",
        ]),
      },
      PROJECT,
      "dev",
    );
    assert.deepEqual(config.deployments, [
      {
        name: "chat",
        model: "gpt-5.4-mini",
        version: "2026-03-17",
        sku: "GlobalStandard",
        capacity: 10,
        versionUpgradeOption: "OnceNewDefaultVersionAvailable",
      },
      {
        name: "big",
        model: "gpt-5.4",
        version: "2026-03-05",
        sku: "DataZoneStandard",
        capacity: 250,
        versionUpgradeOption: "NoAutoUpgrade",
      },
    ]);
  });

  test("protect is on by default only for the stack named prod; pr-<n> stacks are test stacks", () => {
    assert.equal(parseConfig(PINNED, PROJECT, "prod").protect, true);
    assert.equal(parseConfig(PINNED, PROJECT, "staging").protect, false);
    assert.equal(parseConfig({ ...PINNED, protect: "false" }, PROJECT, "prod").protect, false);
    assert.equal(parseConfig({ ...PINNED, protect: "true" }, PROJECT, "dev").protect, true);
    assert.equal(parseConfig(PINNED, PROJECT, "pr-42").testStack, true);
    assert.equal(parseConfig({ ...PINNED, testStack: "true" }, PROJECT, "feature-x").testStack, true);
    assert.equal(parseConfig(PINNED, PROJECT, "dev").testStack, false);
  });

  test("an IP allow-list and explicit principals are kept as given", () => {
    const config = parseConfig(
      {
        ...PINNED,
        networkMode: "allowList",
        allowedIpRanges: '["203.0.113.0/24","198.51.100.7"]',
        users: '["alice@contoso.com"]',
        groups: '["b0b0b0b0-0000-4000-8000-000000000003"]',
        roleName: "CognitiveServicesOpenAIUser",
        roleScope: "account",
      },
      PROJECT,
      "dev",
    );
    assert.deepEqual(config.network.allowedIpRanges, ["203.0.113.0/24", "198.51.100.7"]);
    assert.deepEqual(config.access.users, ["alice@contoso.com"]);
    assert.equal(config.access.role, "CognitiveServicesOpenAIUser");
    assert.equal(config.access.scope, "account");
  });
});

/**
 * Each bad configuration, written by hand, and what its single message must say: the key, the value it got, and what
 * is allowed. Every validation rule in lib/config.ts has at least one case here.

 */
const BAD_CONFIGS: { name: string; raw: RawConfig; stack?: string; expect: RegExp[] }[] = [
  {
    name: "unknown compute kind",
    raw: { compute: "vmss" },
    expect: [/compute = "vmss"/, /one of vm, functionApp, both, none/],
  },
  {
    name: "subdomain with upper case",
    raw: { accountSubdomain: "MyOpenAI" },
    expect: [/accountSubdomain = "MyOpenAI"/, /DNS label/],
  },
  {
    name: "subdomain longer than a DNS label",
    raw: { accountSubdomain: "a".repeat(64) },
    expect: [/accountSubdomain = "a{64}"/, /1-63 lower-case/],
  },
  {
    name: "subdomain ending with a hyphen",
    raw: { accountSubdomain: "openai-" },
    expect: [/accountSubdomain = "openai-"/],
  },
  {
    name: "location as its display name",
    raw: { location: "Sweden Central" },
    expect: [/location = "Sweden Central"/, /Azure region name/, /did you mean swedencentral\?/],
  },
  // Whether a well-formed name is a region this subscription may use is asked of Azure (preflight check `location`).
  {
    name: "location with punctuation",
    raw: { location: "east-us" },
    expect: [/location = "east-us"/, /did you mean eastus\?/],
  },
  {
    name: "no deployments",
    raw: { deployments: "[]" },
    expect: [/deployments = \[\]/, /no model deployment is pinned/, /npm run models -- --stack dev --pin/],
  },
  {
    name: "empty deployment name",
    raw: { deployments: '["name=,model=gpt-5.4-mini,version=2026-03-17"]' },
    expect: [/deployments\[0\] = "name=,model/, /field=value/],
  },
  {
    name: "duplicate deployment names",
    raw: {
      deployments: '["name=chat,model=gpt-5.4-mini,version=2026-03-17","name=Chat,model=gpt-5.4,version=2026-03-05"]',
    },
    expect: [/name "Chat" is used twice/, /must be unique/],
  },
  {
    name: "capacity zero",
    raw: { deployments: '["name=chat,model=gpt-5.4-mini,version=2026-03-17,capacity=0"]' },
    expect: [/deployments\[0\]\.capacity = "0"/, /whole number from 1 to 50000/],
  },
  {
    name: "capacity not a number",
    raw: { deployments: '["name=chat,model=gpt-5.4-mini,version=2026-03-17,capacity=ten"]' },
    expect: [/deployments\[0\]\.capacity = "ten"/],
  },
  {
    name: "unknown deployment SKU",
    raw: { deployments: '["name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=Premium"]' },
    expect: [/deployments\[0\]\.sku = "Premium"/, /one of Standard, GlobalStandard/],
  },
  {
    name: "missing model version",
    raw: { deployments: '["name=chat,model=gpt-5.4-mini"]' },
    expect: [/deployments\[0\]\.version = ""/, /model version is required/],
  },
  {
    name: "unknown deployment field",
    raw: { deployments: '["name=chat,model=gpt-5.4-mini,version=2026-03-17,tpm=10"]' },
    expect: [/unknown field tpm/],
  },
  { name: "malformed UPN", raw: { users: '["alice"]' }, expect: [/users\[0\] = "alice"/, /user principal name/] },
  {
    name: "malformed group object ID",
    raw: { groups: '["ai-developers"]' },
    expect: [/groups\[0\] = "ai-developers"/, /object ID/],
  },
  {
    name: "malformed service principal object ID",
    raw: { servicePrincipals: '["1234"]' },
    expect: [/servicePrincipals\[0\] = "1234"/, /GUID/],
  },
  {
    name: "users not a list",
    raw: { users: "alice@contoso.com" },
    expect: [/users = "alice@contoso.com"/, /list of strings/],
  },
  {
    name: "unknown role",
    raw: { roleName: "Owner" },
    expect: [/roleName = "Owner"/, /CognitiveServicesUser, CognitiveServicesOpenAIUser/],
  },
  {
    name: "unknown scope",
    raw: { roleScope: "subscription" },
    expect: [/roleScope = "subscription"/, /one of resourceGroup, account/],
  },
  {
    name: "IP allow-list with public access disabled",
    raw: { networkMode: "private", allowedIpRanges: '["203.0.113.0/24"]' },
    expect: [/allowedIpRanges = \["203.0.113.0\/24"\] conflicts with networkMode = "private"/],
  },
  {
    name: "bad IP range",
    raw: { networkMode: "allowList", allowedIpRanges: '["203.0.113.0/33"]' },
    expect: [/allowedIpRanges\[0\] = "203.0.113.0\/33"/],
  },
  {
    name: "public network access typo",
    raw: { networkMode: "Private" },
    expect: [/networkMode = "Private": must be one of public, allowList, private/],
  },
  {
    name: "SSH from anywhere",
    raw: { sshAllowedCidrs: '["0.0.0.0/0"]' },
    expect: [/^sshAllowedCidrs = \["0\.0\.0\.0\/0"\] opens SSH to /m],
  },
  {
    name: "SSH ranges without a VM",
    raw: { compute: "functionApp", sshAllowedCidrs: '["203.0.113.0/24"]' },
    expect: [/conflicts with compute = "functionApp"/],
  },
  { name: "not an SSH key", raw: { sshPublicKey: "hunter2" }, expect: [/sshPublicKey = /, /OpenSSH public key/] },
  { name: "reserved admin user", raw: { vmAdminUsername: "root" }, expect: [/vmAdminUsername = "root"/] },
  { name: "boolean typo", raw: { grantDeployer: "yes" }, expect: [/grantDeployer = "yes"/, /true or false/] },
  {
    name: "unknown key",
    raw: { computee: "vm" },
    expect: [
      /^keyless-openai:computee: 'computee' is not a config key of keyless-openai \(did you mean "compute"\?\)$/m,
    ],
  },
  { name: "protected test stack", raw: { protect: "true" }, stack: "pr-7", expect: [/conflicts with a test stack/] },
  {
    name: "resource group name ending with a dot",
    raw: { resourceGroupName: "rg." },
    expect: [/resourceGroupName = "rg\."/],
  },
  {
    name: "deployment name starting with a hyphen",
    raw: { deployments: '["name=-chat,model=gpt-4.1-mini,version=2025-04-14"]' },
    expect: [/deployments\[0\]\.name = "-chat"/, /starting with a letter or digit/],
  },
  {
    name: "missing model name",
    raw: { deployments: '["name=chat,version=2025-04-14"]' },
    expect: [/deployments\[0\]\.model = ""/, /model name is required/],
  },
  {
    name: "unknown version upgrade option",
    raw: { deployments: '["name=chat,model=gpt-4.1-mini,version=2025-04-14,upgrade=Always"]' },
    expect: [/deployments\[0\]\.upgrade = "Always"/, /OnceNewDefaultVersionAvailable, OnceCurrentVersionExpired/],
  },
  { name: "protect typo", raw: { protect: "yes" }, expect: [/protect = "yes"/, /auto, true, false/] },
  {
    name: "deployer principal type typo",
    raw: { deployerPrincipalType: "Robot" },
    expect: [/deployerPrincipalType = "Robot"/, /auto, User, ServicePrincipal/],
  },
  {
    name: "Contributor as the model role",
    raw: { roleName: "Contributor" },
    expect: [/roleName = "Contributor"/, /CognitiveServicesUser/],
  },
  {
    // Can write the account and turn key auth back on: refused by config as by the role guardrail.
    name: "Cognitive Services Contributor as the model role",
    raw: { roleName: "CognitiveServicesContributor" },
    expect: [/roleName = "CognitiveServicesContributor"/, /CognitiveServicesOpenAIContributor/],
  },
  {
    name: "users a JSON object",
    raw: { users: '{"alice":"alice@contoso.com"}' },
    expect: [/users = \{"alice":"alice@contoso.com"\}: must be a list of strings/],
  },
  {
    name: "the same user twice (case differs)",
    raw: { users: '["alice@contoso.com","ALICE@contoso.com"]' },
    expect: [/users lists "ALICE@contoso.com" more than once/],
  },
  { name: "VM size without its tier", raw: { vmSize: "B2s" }, expect: [/vmSize = "B2s"/, /Standard_B2ats_v2/] },
  { name: "upper-case admin user", raw: { vmAdminUsername: "Azure" }, expect: [/vmAdminUsername = "Azure"/] },
  // "Disallowed values" of osProfile.adminUsername in the Compute REST spec (as azure-native 3.28.0 documents it).
  {
    name: "admin user Azure refuses (user1)",
    raw: { vmAdminUsername: "user1" },
    expect: [/vmAdminUsername = "user1"/],
  },
  {
    name: "admin user Azure refuses (support)",
    raw: { vmAdminUsername: "support" },
    expect: [/vmAdminUsername = "support"/],
  },
  {
    name: "bad SSH range",
    raw: { sshAllowedCidrs: '["10.0.0.0/33"]' },
    expect: [/sshAllowedCidrs\[0\] = "10\.0\.0\.0\/33"/, /IPv4 address or CIDR/],
  },
  {
    name: "Function App location as its display name",
    raw: { functionAppLocation: "West Europe" },
    expect: [/functionAppLocation = "West Europe"/, /Azure region name/, /did you mean westeurope\?/],
  },
];

describe("bad configuration is refused with a message naming key, value and what is allowed", () => {
  for (const bad of BAD_CONFIGS) {
    test(bad.name, () => {
      const problems = problemsOf(bad.raw, bad.stack);
      const text = problems.join("\n");
      for (const pattern of bad.expect) assert.match(text, pattern);
    });
  }

  test("every problem is reported at once, not only the first", () => {
    const problems = problemsOf({ compute: "k8s", location: "No Where", users: '["bob"]', roleScope: "tenant" });
    assert.equal(problems.length, 4, problems.join("\n"));
  });

  test("the program fails on bad config before it declares any resource", async () => {
    const declared: string[] = [];
    await assert.rejects(
      runProgram(program, {
        config: { compute: "vmss", location: "No Where" },
        onResource: (type) => declared.push(type),
      }),
      (error: Error) => /compute = "vmss"/.test(error.message) && /location = "No Where"/.test(error.message),
    );
    // Only the stack itself (which Pulumi registers before the program runs) reached the engine.
    assert.deepEqual(declared, ["pulumi:pulumi:Stack"]);
  });
});

describe("derived subdomain", () => {
  test("is project-stack-suffix, lower-case", () => {
    assert.equal(deriveSubdomain("keyless-openai", "Dev_Team", "k7q2m9"), "keyless-openai-dev-team-k7q2m9");
  });

  test("stays a valid DNS label of at most 63 characters and keeps the whole suffix", () => {
    const subdomain = deriveSubdomain("p".repeat(40), "s".repeat(40), "abc123");
    assert.ok(subdomain.length <= 63, `${subdomain.length}`);
    assert.match(subdomain, /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
    assert.ok(subdomain.endsWith("-abc123"));
  });
});

describe("stable names", () => {
  test("the suffix for globally unique names depends on subscription, project and stack only", () => {
    const dev = stableSuffix(6, "sub-1", "keyless-openai", "dev");
    assert.match(dev, /^[a-z0-9]{6}$/);
    assert.equal(stableSuffix(6, "sub-1", "keyless-openai", "dev"), dev);
    assert.notEqual(stableSuffix(6, "sub-1", "keyless-openai", "prod"), dev);
    assert.notEqual(stableSuffix(6, "sub-2", "keyless-openai", "dev"), dev);
  });

  test("VM names are lower-case, hyphenated and at most 64 characters", () => {
    assert.equal(vmNameFor("Dev_Team"), "vm-dev-team");
    assert.ok(vmNameFor("x".repeat(100)).length <= 64);
  });
});

describe("refusals name the key, the value and the fix in one sentence", () => {
  test("the retired publicNetworkAccess key gets its networkMode equivalent", () => {
    assert.ok(
      problemsOf({ publicNetworkAccess: "Disabled" }).includes(
        'keyless-openai:publicNetworkAccess = "Disabled" is retired: remove it (npm run pulumi -- config rm publicNetworkAccess) and set networkMode = "private" instead',
      ),
    );
    assert.ok(
      problemsOf({ publicNetworkAccess: "Enabled" }).includes(
        'keyless-openai:publicNetworkAccess = "Enabled" is retired: remove it (npm run pulumi -- config rm publicNetworkAccess) and set networkMode = "public" (or "allowList" with allowedIpRanges) instead',
      ),
    );
  });

  test("SSH ranges that add up to the internet are refused with the rule; the two /1 halves are 0.0.0.0/0", () => {
    // 2^32 minus the special-purpose blocks (RFC 6890 registry: 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12,
    // 192.168/16, 224/4, 240/4) = 4,294,967,296 - 592,576,512.
    assert.deepEqual(problemsOf({ sshAllowedCidrs: '["0.0.0.0/1","128.0.0.0/1"]' }), [
      'sshAllowedCidrs = ["0.0.0.0/1","128.0.0.0/1"] opens SSH to 3,702,390,784 public IPv4 addresses, more than the 65,536 (one /16) allowed; list only the ranges you connect from',
    ]);
    assert.deepEqual(problemsOf({ sshAllowedCidrs: '["198.18.0.0/15"]' }), [
      'sshAllowedCidrs = ["198.18.0.0/15"] opens SSH to 131,072 public IPv4 addresses, more than the 65,536 (one /16) allowed; list only the ranges you connect from',
    ]);
    const accepted = (cidrs: string[]) =>
      parseConfig({ ...PINNED, sshAllowedCidrs: JSON.stringify(cidrs) }, PROJECT, "dev").compute.vm.sshAllowedCidrs;
    assert.deepEqual(accepted(["203.0.113.0/24", "198.51.100.0/24"]), ["203.0.113.0/24", "198.51.100.0/24"]);
    // Private ranges are not internet addresses; overlapping ranges count once.
    assert.deepEqual(accepted(["10.0.0.0/8", "203.0.112.0/16", "203.0.113.0/24"]), [
      "10.0.0.0/8",
      "203.0.112.0/16",
      "203.0.113.0/24",
    ]);
  });

  test("a bad stack name is a stack-name error, not a resource group name error", () => {
    assert.deepEqual(problemsOf({}, "../etc/passwd"), [
      `stack name "../etc/passwd" is not a Pulumi stack name: use letters, digits, '-', '_' or '.' (npm run pulumi -- stack ls lists your stacks)`,
    ]);
  });

  test("azure-native:location beside the project's location is refused, not silently ignored", async () => {
    await assert.rejects(
      runProgram(program, { rawConfig: { "azure-native:location": "westeurope" } }),
      (error: Error) =>
        error.message.includes(
          'azure-native:location = "westeurope" is never read: every resource goes to location = "swedencentral"; remove it (npm run pulumi -- config rm azure-native:location) and set location instead',
        ),
    );
  });
});
