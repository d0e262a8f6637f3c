/**
 * The pack as `pulumi preview --policy-pack policy` runs it: the Node language host starts
 * @pulumi/pulumi/cmd/run-policy-pack in the pack directory (ts-node compiles index.ts), the pack prints its gRPC
 * port, and the engine calls the Analyzer service. This test plays the engine's side of that protocol on 127.0.0.1
 * with the real generated gRPC client (@pulumi/pulumi/proto/analyzer_grpc_pb).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  type AnalyzeDiagnostic,
  AnalyzeRequest,
  type AnalyzerInfo,
  AnalyzerResourceOptions,
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
} from "@pulumi/pulumi/proto/analyzer_pb";

// google-protobuf ships no type declarations: load the two classes needed through a minimal typed view.
const load = createRequire(__filename);
const { Struct } = load("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};
const { Empty } = load("google-protobuf/google/protobuf/empty_pb") as { Empty: new () => unknown };

const ROOT = process.cwd();
const UNKNOWN_BOOLEAN = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

let pack: ChildProcess | undefined;
let client: AnalyzerClient | undefined;

/** Starts the pack like the language host does and resolves with the port it prints. */
function startPack(): Promise<number> {
  const runner = join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack/index.js");
  // Arguments: <engine-address> <program>; the engine address is unused by a policy pack.
  const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], {
    cwd: join(ROOT, "policy"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  pack = child;
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^(\d+)\s*$/m.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("exit", (code) => reject(new Error(`pack exited with ${code}: ${stderr}${stdout}`)));
  });
}

function connected(): AnalyzerClient {
  assert.ok(client, "client connected");
  return client;
}

function analyze(type: string, name: string, props: Record<string, unknown>): Promise<AnalyzeDiagnostic[]> {
  const request = new AnalyzeRequest()
    .setType(type)
    .setName(name)
    .setUrn(`urn:pulumi:dev::keyless-openai::${type}::${name}`)
    .setProperties(Struct.fromJavaScript(props) as Parameters<AnalyzeRequest["setProperties"]>[0])
    // The CLI always sends resource options; @pulumi/policy refuses requests without them.
    .setOptions(new AnalyzerResourceOptions());
  return new Promise((resolve, reject) =>
    connected().analyze(request, (error, response) => (error ? reject(error) : resolve(response.getDiagnosticsList()))),
  );
}

describe("policy pack served over gRPC", { timeout: 180_000 }, () => {
  before(async () => {
    const port = await startPack();
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    if (pack?.pid !== undefined) process.kill(pack.pid);
  });

  it("describes itself with every policy, mandatory", async () => {
    const info = await new Promise<AnalyzerInfo>((resolve, reject) =>
      connected().getAnalyzerInfo(new Empty() as Parameters<AnalyzerClient["getAnalyzerInfo"]>[0], (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
    assert.equal(info.getName(), "keyless-openai-guardrails");
    assert.equal(info.getVersion(), "0.1.0");
    const policies = info.getPoliciesList();
    assert.ok(policies.some((policy) => policy.getName() === "openai-entra-id-only"));
    assert.ok(policies.some((policy) => policy.getName() === "managed-identity-principal-type"));
    for (const policy of policies) assert.equal(policy.getEnforcementlevel(), EnforcementLevel.MANDATORY);
  });

  it("blocks an account with key auth on, passes a keyless one", async () => {
    const bad = await analyze("azure-native:cognitiveservices:Account", "openai", {
      kind: "OpenAI",
      properties: { customSubDomainName: "x", disableLocalAuth: false },
    });
    assert.equal(bad.length, 1);
    assert.equal(bad[0]?.getPolicyname(), "openai-entra-id-only");
    assert.equal(bad[0]?.getEnforcementlevel(), EnforcementLevel.MANDATORY);
    assert.match(bad[0]?.getMessage() ?? "", /Account 'openai': properties\.disableLocalAuth/);
    const good = await analyze("azure-native:cognitiveservices:Account", "openai", {
      kind: "OpenAI",
      properties: { customSubDomainName: "x", disableLocalAuth: true },
    });
    assert.deepEqual(good, []);
  });

  it("judges preview unknowns as rules.ts says: subdomain counts as set, disableLocalAuth fails closed", async () => {
    const unknownSubdomain = await analyze("azure-native:cognitiveservices:Account", "openai", {
      kind: "OpenAI",
      properties: { customSubDomainName: UNKNOWN_STRING, disableLocalAuth: true },
    });
    assert.deepEqual(unknownSubdomain, []);
    const unknownSwitch = await analyze("azure-native:cognitiveservices:Account", "openai", {
      kind: "OpenAI",
      properties: { customSubDomainName: "x", disableLocalAuth: UNKNOWN_BOOLEAN },
    });
    assert.equal(unknownSwitch.length, 1);
    assert.equal(unknownSwitch[0]?.getEnforcementlevel(), EnforcementLevel.MANDATORY);
    assert.match(unknownSwitch[0]?.getMessage() ?? "", /not known before deployment/);
  });

  it("blocks an Owner assignment at subscription scope", async () => {
    const diagnostics = await analyze("azure-native:authorization:RoleAssignment", "owner", {
      principalId: "p",
      principalType: "User",
      roleDefinitionId:
        "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
      scope: "/subscriptions/s",
    });
    const text = diagnostics.map((diagnostic) => diagnostic.getMessage()).join("\n");
    assert.match(text, /Owner/);
    assert.match(text, /whole subscription/);
  });

  it("blocks Contributor and Cognitive Services Contributor at the resource group, and storage at TLS 1.0", async () => {
    // GUIDs as Learn "Azure built-in roles" prints them (privileged.md, ai-machine-learning.md).
    for (const [name, guid] of [
      ["Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"],
      ["CognitiveServicesContributor", "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68"],
    ]) {
      const diagnostics = await analyze("azure-native:authorization:RoleAssignment", "grant", {
        principalId: "p",
        principalType: "User",
        roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
        scope: "/subscriptions/s/resourceGroups/rg",
      });
      assert.equal(diagnostics.length, 1, name);
      assert.equal(diagnostics[0]?.getPolicyname(), "role-assignment-least-privilege");
      assert.match(diagnostics[0]?.getMessage() ?? "", new RegExp(name));
    }
    const storage = await analyze("azure-native:storage:StorageAccount", "host", {
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      minimumTlsVersion: "TLS1_0",
    });
    assert.deepEqual(
      storage.map((diagnostic) => diagnostic.getPolicyname()),
      ["storage-min-tls-1-2"],
    );
  });

  it("takes allowVmPublicIp from the policy config the CLI sends (Configure)", async () => {
    const blocked = await analyze("azure-native:network:PublicIPAddress", "vm-ip", { sku: { name: "Standard" } });
    assert.equal(blocked.length, 1);
    assert.equal(blocked[0]?.getPolicyname(), "vm-no-public-ip");
    const request = new ConfigureAnalyzerRequest();
    request
      .getPolicyconfigMap()
      .set(
        "vm-no-public-ip",
        new PolicyConfig()
          .setEnforcementlevel(EnforcementLevel.MANDATORY)
          .setProperties(
            Struct.fromJavaScript({ allowVmPublicIp: true }) as Parameters<PolicyConfig["setProperties"]>[0],
          ),
      );
    await new Promise<void>((resolve, reject) =>
      connected().configure(request, (error) => (error ? reject(error) : resolve())),
    );
    assert.deepEqual(await analyze("azure-native:network:PublicIPAddress", "vm-ip", { sku: { name: "Standard" } }), []);
  });
});
