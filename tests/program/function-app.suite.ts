import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type * as web from "@pulumi/azure-native/web";
import type * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_INSTANCE_MEMORY_MB,
  DEFAULT_MAXIMUM_INSTANCE_COUNT,
  FLEX_DEPRECATED_SETTINGS,
  FunctionApp,
  type FunctionAppArgs,
  functionAppNames,
  scmHostName,
} from "../../components/function-app";
import { roleAssignmentName } from "../../lib/role-assignment";
import {
  fakePrincipalId,
  type ProgramRun,
  programError,
  runComponent,
  SUBSCRIPTION_ID,
  single,
} from "../../scripts/core/offline-engine";

const COMPONENT_TYPE = "keyless-openai:compute:FunctionApp";
const PACKAGE = { zipPath: ".build/function-app/function-app.zip", sha256: "a".repeat(64) };
const OPENAI = {
  endpoint: "https://oai-test.openai.azure.com/",
  deployment: "chat",
};

const computed = {
  "azure-native:applicationinsights:Component": (inputs: Record<string, unknown>) => ({
    name: inputs.resourceName,
    connectionString: "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://x/",
  }),
  "azure-native:operationalinsights:Workspace": (inputs: Record<string, unknown>) => ({ name: inputs.workspaceName }),
};

async function runFunctionApp(
  overrides: Partial<FunctionAppArgs> = {},
): Promise<{ run: ProgramRun; outputs: Record<string, unknown> }> {
  const run = await runComponent(
    () =>
      new FunctionApp("smoke", {
        resourceGroupName: "rg-test",
        subscriptionId: SUBSCRIPTION_ID,
        nameSuffix: "k7q2m9",
        openAi: OPENAI,
        codePackage: PACKAGE,
        ...overrides,
      }),
    { computed },
  );
  return { run, outputs: run.outputs };
}

type WebAppInputs = pulumi.Unwrap<web.WebAppArgs>;

/** URNs `urn` waits for, directly or through other resources (explicit and input-derived dependencies). */
function transitiveDependencies(run: ProgramRun, urn: string): Set<string> {
  const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
  const seen = new Set<string>();
  const pending = [...(byUrn.get(urn)?.dependencies ?? [])];
  while (pending.length > 0) {
    const next = pending.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...(byUrn.get(next)?.dependencies ?? []));
  }
  return seen;
}

function roleAssignments(run: ProgramRun) {
  return run.resources
    .filter((resource) => resource.type === "azure-native:authorization:RoleAssignment")
    .map((resource) => resource.inputs as Record<string, string>);
}

// Pulumi's mock engine is process-global: each suite runs its program in `before`, one at a time.
describe("FunctionApp defaults", () => {
  let run: ProgramRun;
  let outputs: Record<string, unknown>;
  let site: WebAppInputs;
  let appPrincipal: string;
  let hostPrincipal: string;
  let hostClientId: string;
  let hostIdentityId: string;
  let storageId: string;
  before(async () => {
    ({ run, outputs } = await runFunctionApp());
    site = single(run, "azure-native:web:WebApp").inputs as unknown as WebAppInputs;
    appPrincipal = fakePrincipalId("smoke-app");
    const hostIdentity = single(run, "azure-native:managedidentity:UserAssignedIdentity");
    hostPrincipal = String(hostIdentity.state.principalId);
    hostClientId = String(hostIdentity.state.clientId);
    hostIdentityId = hostIdentity.id;
    storageId = single(run, "azure-native:storage:StorageAccount").id;
  });

  test("is a Linux function app on a Flex Consumption plan", () => {
    const plan = single(run, "azure-native:web:AppServicePlan");
    assert.deepEqual(plan.inputs.sku, { name: "FC1", tier: "FlexConsumption" });
    assert.equal(plan.inputs.reserved, true);
    assert.equal(site.kind, "functionapp,linux");
    assert.equal(site.serverFarmId, plan.id);
  });

  test("has its system-assigned identity (exposed as principalId) and the user-assigned host identity", () => {
    assert.deepEqual(site.identity, { type: "SystemAssigned, UserAssigned", userAssignedIdentities: [hostIdentityId] });
    assert.equal(outputs.principalId, appPrincipal);
    assert.equal(outputs.hostIdentityPrincipalId, hostPrincipal);
    assert.equal(outputs.hostIdentityClientId, hostClientId);
    assert.notEqual(hostPrincipal, appPrincipal);
    assert.equal(outputs.hostIdentityName, "id-keyless-host-k7q2m9");
  });

  test("is HTTPS only and sends no siteConfig (so the SDK injects no netFrameworkVersion/ftpsState)", () => {
    assert.equal(site.httpsOnly, true);
    assert.equal(site.siteConfig, undefined);
    const sent = single(run, "azure-native:web:WebApp").inputs;
    assert.ok(!JSON.stringify(sent).includes("netFrameworkVersion"));
  });

  test("turns basic-auth publishing off for FTP and SCM", () => {
    for (const type of ["azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppScmAllowed"]) {
      const policy = single(run, type);
      assert.equal(policy.inputs.allow, false, type);
      assert.equal(policy.inputs.name, outputs.appName, type);
    }
  });

  test("runs Node 22 from a deployment container reached with the user-assigned host identity", () => {
    const config = site.functionAppConfig;
    assert.deepEqual(config?.runtime, { name: "node", version: "22" });
    assert.deepEqual(config?.deployment?.storage, {
      type: "blobContainer",
      value: `https://${outputs.storageAccountName}.blob.core.windows.net/app-package`,
      // Microsoft.Web/sites functionAppConfig.deployment.storage.authentication (Azure-Samples Flex api.bicep).
      authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: hostIdentityId },
    });
    assert.deepEqual(config?.scaleAndConcurrency, {
      maximumInstanceCount: DEFAULT_MAXIMUM_INSTANCE_COUNT,
      instanceMemoryMB: DEFAULT_INSTANCE_MEMORY_MB,
    });
    const container = single(run, "azure-native:storage:BlobContainer");
    assert.equal(container.inputs.containerName, "app-package");
    assert.equal(container.inputs.publicAccess, "None");
  });

  test("storage SAS tokens may live 7 days at most and longer ones are blocked; no infrastructure encryption by default", () => {
    const account = single(run, "azure-native:storage:StorageAccount").inputs;
    // Built-in "Storage SAS tokens should adhere to 7 day maximum validity": period <= 7 days and action "Block".
    assert.deepEqual(account.sasPolicy, { sasExpirationPeriod: "7.00:00:00", expirationAction: "Block" });
    assert.equal(account.encryption, undefined);
    assert.equal(account.keyPolicy, undefined);
  });

  test("its own telemetry workspace accepts Entra-authenticated ingestion only", () => {
    const workspace = single(run, "azure-native:operationalinsights:Workspace").inputs;
    assert.deepEqual(workspace.features, { disableLocalAuth: true });
  });

  test("host storage accepts Entra ID only: no shared keys, no public blobs, TLS 1.2, HTTPS", () => {
    const account = single(run, "azure-native:storage:StorageAccount").inputs;
    assert.equal(account.allowSharedKeyAccess, false);
    assert.equal(account.allowBlobPublicAccess, false);
    assert.equal(account.minimumTlsVersion, "TLS1_2");
    assert.equal(account.enableHttpsTrafficOnly, true);
    assert.equal(account.defaultToOAuthAuthentication, true);
  });

  test("app settings: identity-based host storage, the model endpoint, Entra telemetry, no key, nothing deprecated", () => {
    const settingsResource = single(run, "azure-native:web:WebAppApplicationSettings");
    const settings = settingsResource.inputs.properties as Record<string, string>;
    assert.equal(settingsResource.inputs.name, outputs.appName);
    assert.deepEqual(Object.keys(settings).sort(), [
      "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
      "APPLICATIONINSIGHTS_CONNECTION_STRING",
      "AZURE_OPENAI_DEPLOYMENT",
      "AZURE_OPENAI_ENDPOINT",
      "AzureWebJobsStorage__accountName",
      "AzureWebJobsStorage__clientId",
      "AzureWebJobsStorage__credential",
    ]);
    assert.equal(settings.AzureWebJobsStorage__accountName, outputs.storageAccountName);
    // functions-reference, "Connecting to host storage with an identity": user-assigned identity settings.
    assert.equal(settings.AzureWebJobsStorage__credential, "managedidentity");
    assert.equal(settings.AzureWebJobsStorage__clientId, hostClientId);
    // The function calls the model with the SYSTEM identity: AZURE_CLIENT_ID would steer DefaultAzureCredential away.
    assert.ok(!("AZURE_CLIENT_ID" in settings));
    assert.equal(settings.AZURE_OPENAI_ENDPOINT, OPENAI.endpoint);
    assert.equal(settings.AZURE_OPENAI_DEPLOYMENT, OPENAI.deployment);
    assert.equal(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING, `ClientId=${hostClientId};Authorization=AAD`);
    for (const name of FLEX_DEPRECATED_SETTINGS) assert.ok(!(name in settings), name);
    for (const [name, value] of Object.entries(settings)) {
      assert.doesNotMatch(name, /KEY|SECRET|PASSWORD/i);
      assert.doesNotMatch(value, /AccountKey=|SharedAccessSignature|api-key/i, name);
    }
  });

  test("grants the host identity Blob Data Owner and Table Data Contributor on the storage account, nothing to the system identity", () => {
    const storageRoles = roleAssignments(run).filter((inputs) => inputs.scope === storageId);
    // Built-in roles reference: Storage Blob Data Owner, Storage Table Data Contributor. No queue role (HTTP only).
    assert.deepEqual(storageRoles.map((grant) => grant.roleDefinitionId).sort(), [
      `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3`,
      `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/b7e6dc6d-f1e8-4753-8033-0f276bb0955b`,
    ]);
    for (const grant of storageRoles) {
      assert.equal(grant.principalId, hostPrincipal);
      assert.equal(grant.principalType, "ServicePrincipal");
    }
    const blobOwner = storageRoles.find((grant) =>
      grant.roleDefinitionId.endsWith("b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),
    );
    assert.equal(
      blobOwner?.roleAssignmentName,
      roleAssignmentName(storageId, "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", hostPrincipal),
    );
    // The component grants nothing to the system identity: its only role (the model) is the caller's.
    assert.deepEqual(
      roleAssignments(run).filter((grant) => grant.principalId === appPrincipal),
      [],
    );
  });

  test("the site is created after the host identity's storage roles exist", () => {
    const webApp = single(run, "azure-native:web:WebApp");
    const storageGrantUrns = run.resources
      .filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.inputs.scope === storageId)
      .map((r) => r.urn);
    assert.equal(storageGrantUrns.length, 2);
    // The host starts with the site: its storage roles must exist first.
    for (const urn of storageGrantUrns) assert.ok(webApp.dependencies.includes(urn), urn);
  });

  test("Application Insights refuses local auth, and the host identity may publish telemetry", () => {
    const component = single(run, "azure-native:applicationinsights:Component");
    assert.equal(component.inputs.disableLocalAuth, true);
    assert.equal(component.inputs.workspaceResourceId, single(run, "azure-native:operationalinsights:Workspace").id);
    const publisher = roleAssignments(run).filter((inputs) => inputs.scope === component.id);
    assert.equal(publisher.length, 1);
    assert.equal(
      publisher[0]?.roleDefinitionId,
      `/subscriptions/${SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/3913510d-42f4-4e42-8a64-420c390055eb`,
    );
    assert.equal(publisher[0]?.principalId, hostPrincipal);
    assert.equal(publisher[0]?.principalType, "ServicePrincipal");
    assert.equal(outputs.appInsightsName, component.inputs.resourceName);
  });

  test("deploys the package with one deploy after the settings and the storage roles, keyed on its hash", () => {
    const command = single(run, "command:local:Command");
    assert.equal(command.inputs.create, "node --import tsx scripts/publish-function-app.ts");
    assert.deepEqual(command.inputs.environment, {
      PUBLISH_SCM_HOST: `${outputs.appName}.scm.azurewebsites.net`,
      PUBLISH_ZIP_PATH: PACKAGE.zipPath,
      PUBLISH_ZIP_SHA256: PACKAGE.sha256,
    });
    assert.deepEqual(command.inputs.triggers, [PACKAGE.sha256, outputs.appId]);
    const mustPrecede = [
      single(run, "azure-native:web:WebAppApplicationSettings").urn,
      single(run, "azure-native:web:WebAppScmAllowed").urn,
      ...run.resources
        .filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.inputs.scope === storageId)
        .map((r) => r.urn),
    ];
    for (const urn of mustPrecede) assert.ok(command.dependencies.includes(urn), urn);
  });

  test("nothing on the code deploy's path waits for a role granted to the site's system identity", () => {
    const command = single(run, "command:local:Command");
    const onPath = transitiveDependencies(run, command.urn);
    const grantsOnPath = run.resources.filter(
      (r) => r.type === "azure-native:authorization:RoleAssignment" && onPath.has(r.urn),
    );
    assert.ok(grantsOnPath.length >= 3, "the host identity's storage and telemetry grants precede the deploy");
    for (const grant of grantsOnPath) assert.equal(grant.inputs.principalId, hostPrincipal, grant.name);
  });

  test("parents every child to the component", () => {
    const component = single(run, COMPONENT_TYPE);
    const children = run.resources.filter((r) => r.type !== COMPONENT_TYPE && r.custom);
    assert.ok(children.length >= 11, children.map((c) => c.type).join(", "));
    for (const child of children) assert.equal(child.parentUrn, component.urn, `${child.type} ${child.name}`);
  });

  test("outputs name, host, identity, storage and telemetry", () => {
    assert.equal(outputs.appName, "func-keyless-k7q2m9");
    assert.equal(outputs.defaultHostName, "func-keyless-k7q2m9.azurewebsites.net");
    assert.equal(outputs.storageAccountName, "stkeylessfnk7q2m9");
  });
});

describe("FunctionApp code package", () => {
  test("a new package hash changes the deploy trigger; the same hash keeps it", async () => {
    const first = single((await runFunctionApp()).run, "command:local:Command").inputs;
    const same = single((await runFunctionApp()).run, "command:local:Command").inputs;
    const changedPackage = { ...PACKAGE, sha256: "b".repeat(64) };
    const changed = single((await runFunctionApp({ codePackage: changedPackage })).run, "command:local:Command").inputs;
    assert.deepEqual(same.triggers, first.triggers);
    assert.notDeepEqual(changed.triggers, first.triggers);
    assert.equal((changed.triggers as string[])[0], changedPackage.sha256);
  });

  test("without a package there is no deploy command", async () => {
    const { run } = await runFunctionApp({ codePackage: undefined });
    assert.equal(run.resources.filter((r) => r.type === "command:local:Command").length, 0);
  });

  test("appInsights false leaves out telemetry resources and settings", async () => {
    const { run, outputs } = await runFunctionApp({ appInsights: false });
    assert.equal(run.resources.filter((r) => r.type.includes("applicationinsights")).length, 0);
    assert.equal(run.resources.filter((r) => r.type.includes("operationalinsights")).length, 0);
    const settings = single(run, "azure-native:web:WebAppApplicationSettings").inputs.properties as object;
    assert.ok(!Object.keys(settings).some((key) => key.startsWith("APPLICATIONINSIGHTS")));
    assert.equal(outputs.appInsightsName, undefined);
  });

  test("infrastructureEncryption turns on the second encryption layer (creation-only: a change replaces)", async () => {
    const { run } = await runFunctionApp({ infrastructureEncryption: true });
    const account = single(run, "azure-native:storage:StorageAccount").inputs;
    assert.deepEqual(account.encryption, { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true });
  });

  test("a given Log Analytics workspace is used for telemetry, and none is created", async () => {
    const workspaceId = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-x";
    const { run } = await runFunctionApp({ logAnalyticsWorkspaceId: workspaceId });
    assert.equal(run.resources.filter((r) => r.type === "azure-native:operationalinsights:Workspace").length, 0);
    assert.equal(single(run, "azure-native:applicationinsights:Component").inputs.workspaceResourceId, workspaceId);
  });

  test("scale settings come from args and are checked", async () => {
    const { run } = await runFunctionApp({ maximumInstanceCount: 100, instanceMemoryMB: 4096 });
    const site = single(run, "azure-native:web:WebApp").inputs as unknown as WebAppInputs;
    assert.deepEqual(site.functionAppConfig?.scaleAndConcurrency, {
      maximumInstanceCount: 100,
      instanceMemoryMB: 4096,
    });
    assert.match(
      await programError(
        () =>
          new FunctionApp("x", {
            resourceGroupName: "rg",
            subscriptionId: SUBSCRIPTION_ID,
            nameSuffix: "abcd",
            openAi: OPENAI,
            instanceMemoryMB: 1024,
          }),
      ),
      /instanceMemoryMB/,
    );
  });
});

describe("FunctionApp names", () => {
  test("stay within Azure's limits at the longest prefix and suffix", () => {
    const names = functionAppNames("a".repeat(10), "z".repeat(8));
    assert.match(names.storageAccount, /^[a-z0-9]{3,24}$/);
    assert.equal(names.storageAccount.length, 22);
    assert.ok(names.app.length <= 60 && /^[a-z0-9-]+$/.test(names.app));
    assert.ok(names.plan.length <= 60);
    assert.ok(names.logWorkspace.length >= 4 && names.logWorkspace.length <= 63);
  });

  test("refuse prefixes and suffixes that would break the limits or the character rules", () => {
    assert.throws(() => functionAppNames("a".repeat(11), "abcd"), /namePrefix/);
    assert.throws(() => functionAppNames("Keyless", "abcd"), /namePrefix/);
    assert.throws(() => functionAppNames("keyless", "abc"), /nameSuffix/);
    assert.throws(() => functionAppNames("keyless", "abcdefghi"), /nameSuffix/);
    assert.throws(() => functionAppNames("keyless", "ab-cd"), /nameSuffix/);
  });

  test("the SCM host puts .scm after the first label, also for regional host names", () => {
    assert.equal(scmHostName("func-a.azurewebsites.net"), "func-a.scm.azurewebsites.net");
    assert.equal(
      scmHostName("func-a-abc123.eastus-01.azurewebsites.net"),
      "func-a-abc123.scm.eastus-01.azurewebsites.net",
    );
  });
});
