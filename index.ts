/**
 * Keyless Azure OpenAI: an account only Entra ID tokens can reach, the identities that may call it, and the smoke
 * test that proves they can. Reads validated config, then composes the components.
 */
import { getClientConfig } from "@pulumi/azure-native/authorization/getClientConfig";
import { ManagementLockAtResourceGroupLevel } from "@pulumi/azure-native/authorization/managementLockAtResourceGroupLevel";
import { ResourceGroup } from "@pulumi/azure-native/resources/resourceGroup";
import * as random from "@pulumi/random";
import { FunctionApp } from "./components/function-app";
import { LinuxVm } from "./components/linux-vm";
import { ModelAccess } from "./components/model-access";
import { OpenAiAccount, type OpenAiAccountNetwork } from "./components/openai-account";
import { StackLogs } from "./components/stack-logs";
import { StackNetwork } from "./components/stack-network";
import { loadConfig } from "./lib/config";
import { buildFunctionAppPackage } from "./lib/function-app-package";
import { deriveSubdomain, logWorkspaceNameFor, stableSuffix, vmNameFor } from "./lib/names";
import { configuredPrincipals, type ModelAccessPrincipal } from "./lib/principals";

export = async () => {
  const config = loadConfig();
  const { project, stack } = config;
  // `environment` also tells the guardrails which resources belong to a production stack.
  const tags = {
    project,
    stack,
    "managed-by": "pulumi",
    environment: config.production ? "production" : "non-production",
  };
  const client = await getClientConfig();

  const resourceGroup = new ResourceGroup(
    "resource-group",
    { resourceGroupName: config.resourceGroupName, location: config.location, tags },
    { protect: config.protect },
  );

  // A protected stack's resource group cannot be deleted, by Pulumi or by hand, until the lock is removed
  // (learn.microsoft.com/azure/azure-resource-manager/management/lock-resources). Test stacks are never protected
  // (lib/config.ts refuses it), so their teardown never meets a lock.
  if (config.protect) {
    new ManagementLockAtResourceGroupLevel("resource-group-lock", {
      resourceGroupName: resourceGroup.name,
      lockName: "do-not-delete",
      level: "CanNotDelete",
      notes: `Protected stack ${project}/${stack}: remove this lock (and protect) before tearing the stack down.`,
    });
  }

  const logs = new StackLogs("logs", {
    resourceGroupName: resourceGroup.name,
    location: config.location,
    workspaceName: logWorkspaceNameFor(stack, stableSuffix(6, client.subscriptionId, project, stack)),
    tags,
  });

  // Kept in state: globally unique names (subdomain, function app, storage) stay the same on every update.
  const nameSuffix = new random.RandomString("name-suffix", {
    length: 6,
    lower: true,
    upper: false,
    numeric: true,
    special: false,
  });
  const customSubdomain =
    config.accountSubdomain ?? nameSuffix.result.apply((suffix) => deriveSubdomain(project, stack, suffix));

  const hasVm = config.compute.kind === "vm" || config.compute.kind === "both";
  const hasFunctionApp = config.compute.kind === "functionApp" || config.compute.kind === "both";
  const networkMode = config.network.mode;

  // allowList and private: one VNet for the stack's compute (public mode keeps the VM's own small network).
  const network =
    networkMode === "public"
      ? undefined
      : new StackNetwork("network", {
          resourceGroupName: resourceGroup.name,
          location: config.location,
          mode: networkMode,
          vm: hasVm,
          functionApp: hasFunctionApp,
          tags,
        });
  // allowList and private: the VM and the Function App reach the account through its private endpoint.
  const privateEndpoint = network && {
    subnetId: network.privateEndpointSubnetId,
    dnsZoneIds: network.accountDnsZoneIds,
  };
  const accountNetwork: OpenAiAccountNetwork =
    privateEndpoint === undefined
      ? { mode: "public" }
      : networkMode === "allowList"
        ? { mode: "allowList", allowedIpRanges: config.network.allowedIpRanges, privateEndpoint }
        : { mode: "private", privateEndpoint };

  const openai = new OpenAiAccount("openai", {
    resourceGroupName: resourceGroup.name,
    location: config.location,
    customSubdomain,
    network: accountNetwork,
    deployments: config.deployments,
    diagnosticsWorkspaceId: logs.workspaceId,
    protect: config.protect,
    tags,
  });

  const defaultDeployment = config.deployments[0]?.name ?? "";

  const vm = hasVm
    ? new LinuxVm("vm", {
        resourceGroupName: resourceGroup.name,
        location: config.location,
        vmName: vmNameFor(stack),
        size: config.compute.vm.size,
        adminUsername: config.compute.vm.adminUsername,
        sshPublicKey: config.compute.vm.sshPublicKey,
        sshAllowedCidrs: config.compute.vm.sshAllowedCidrs,
        trustedLaunch: config.compute.vm.trustedLaunch,
        autoShutdownTime: config.compute.vm.autoShutdownTime,
        subnetId: network?.vmSubnetId,
        tags,
      })
    : undefined;

  const functionApp = hasFunctionApp
    ? new FunctionApp("function-app", {
        resourceGroupName: resourceGroup.name,
        location: config.compute.functionApp.location,
        subscriptionId: client.subscriptionId,
        nameSuffix: stableSuffix(6, client.subscriptionId, project, stack),
        openAi: { endpoint: openai.endpoint, deployment: defaultDeployment },
        codePackage: buildFunctionAppPackage(),
        logAnalyticsWorkspaceId: logs.workspaceId,
        infrastructureEncryption: config.production,
        network: network?.functionAppSubnetId
          ? {
              integrationSubnetId: network.functionAppSubnetId,
              privateStorage: network.storageDnsZoneIds
                ? {
                    privateEndpointSubnetId: network.privateEndpointSubnetId,
                    blobDnsZoneId: network.storageDnsZoneIds.blob,
                    tableDnsZoneId: network.storageDnsZoneIds.table,
                  }
                : undefined,
            }
          : undefined,
        tags,
      })
    : undefined;

  // Managed identities are service principals: principalType must say so, or ARM is told they are users.
  const managedIdentities: ModelAccessPrincipal[] = [
    ...(vm
      ? [{ key: "vm", displayName: vm.vmName, principalId: vm.principalId, principalType: "ServicePrincipal" as const }]
      : []),
    ...(functionApp
      ? [
          {
            key: "function-app",
            displayName: functionApp.appName,
            principalId: functionApp.principalId,
            principalType: "ServicePrincipal" as const,
          },
        ]
      : []),
  ];

  const access = new ModelAccess("model-access", {
    subscriptionId: client.subscriptionId,
    scope: config.access.scope === "account" ? openai.accountId : resourceGroup.id,
    role: config.access.role,
    principals: [...configuredPrincipals(config.access, client.objectId), ...managedIdentities],
  });

  return {
    endpoint: openai.endpoint,
    accountName: openai.accountName,
    accountId: openai.accountId,
    resourceGroupName: resourceGroup.name,
    location: config.location,
    subscriptionId: client.subscriptionId,
    deploymentNames: openai.deploymentNames,
    defaultDeployment,
    roleAssignments: access.grants,
    protected: config.protect,
    production: config.production,
    // "public" | "allowList" | "private": the smoke test tells a caller outside the VNet that a private account is
    // reachable only from inside.
    networkMode,
    logAnalyticsWorkspaceName: logs.workspaceName,
    testStack: config.testStack,
    compute: config.compute.kind,
    vmName: vm?.vmName,
    vmPrincipalId: vm?.principalId,
    functionAppName: functionApp?.appName,
    functionAppHostName: functionApp?.defaultHostName,
    functionAppPrincipalId: functionApp?.principalId,
    // The Function App's second identity: host storage, deployment package and telemetry only, never the model.
    functionAppHostIdentityPrincipalId: functionApp?.hostIdentityPrincipalId,
    smokeTestCommands: [`npm run smoke -- --stack ${stack}`],
  };
};
