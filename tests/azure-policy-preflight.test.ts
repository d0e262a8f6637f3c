/**
 * Azure Policy before `pulumi up`: the ARM body of every planned resource type (literal bodies written from each
 * type's REST spec), and the preflight check driving the real @azure/arm-policyinsights and @azure/arm-resources
 * clients, with a real ManagedIdentityCredential (App Service identity stand-in), against the stand-in evaluator on
 * 127.0.0.1 over TLS (the run-time certificate joins Node's default CA list through tls.setDefaultCACertificates).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as tls from "node:tls";
import { ManagedIdentityCredential } from "@azure/identity";
import { Account } from "@pulumi/azure-native/cognitiveservices/account";
import { Vault } from "@pulumi/azure-native/keyvault/vault";
import { NetworkInterface } from "@pulumi/azure-native/network/networkInterface";
import { ResourceGroup } from "@pulumi/azure-native/resources/resourceGroup";
import * as random from "@pulumi/random";
import { parseConfig } from "../lib/config";
import { runProgram } from "../scripts/core/offline-engine";
import {
  ARM_MAPPINGS,
  type ArmResourceRequest,
  armRequests,
  type PlannedAzureResource,
  plannedResources,
} from "../scripts/core/preflight/arm-body";
import { azurePolicyChecks } from "../scripts/core/preflight/checks/azure-policy";
import type { PreflightContext } from "../scripts/core/preflight/types";
import { APP_SERVICE_IDENTITY_PATH, appServiceIdentityRoutes } from "./standins/identity";
import {
  aiServicesKeyAccessDenyAssignment,
  namingConventionDenyAssignment,
  type PolicyInsightsState,
  policyInsightsRoutes,
} from "./standins/policy-insights";
import { FUNCTION_APP_PRINCIPAL } from "./standins/principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { missingTool } from "./support/tools";

const ROOT = process.cwd();
// The subscription the deploy targets; different from the offline engine's mock one, which the bodies must not keep.
const SUB = "12345678-aaaa-4bbb-8ccc-1234567890ab";
const RG = "rg-keyless-openai-dev";
const RG_ID = `/subscriptions/${SUB}/resourceGroups/${RG}`;

function request(type: string, inputs: Record<string, unknown>, name = "res"): ArmResourceRequest {
  const { requests, unmapped } = armRequests([{ type, name, inputs }], SUB);
  assert.deepEqual(unmapped, [], `${type} has a mapping`);
  return requests[0] as ArmResourceRequest;
}

describe("ARM body of each planned resource type", () => {
  // Each row: azure-native inputs as the engine receives them, and the body ARM's REST spec defines for the type.
  const rows: {
    type: string;
    inputs: Record<string, unknown>;
    name?: string;
    body: Record<string, unknown>;
    apiVersion: string;
    resourceGroupName?: string;
    scope?: string;
    placeholders?: string[];
  }[] = [
    {
      type: "azure-native:resources:ResourceGroup",
      inputs: { resourceGroupName: RG, location: "swedencentral", tags: { stack: "dev" } },
      body: {
        name: RG,
        type: "Microsoft.Resources/resourceGroups",
        location: "swedencentral",
        tags: { stack: "dev" },
      },
      apiVersion: "2024-03-01",
    },
    {
      // cognitiveservices 2025-06-01: Account { kind, sku, identity, location, tags, properties }.
      type: "azure-native:cognitiveservices:Account",
      inputs: {
        accountName: "oai-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        kind: "OpenAI",
        sku: { name: "S0" },
        identity: { type: "SystemAssigned" },
        properties: {
          customSubDomainName: "oai-dev",
          disableLocalAuth: true,
          publicNetworkAccess: "Disabled",
          networkAcls: { defaultAction: "Deny" },
        },
      },
      body: {
        name: "oai-dev",
        type: "Microsoft.CognitiveServices/accounts",
        location: "swedencentral",
        kind: "OpenAI",
        sku: { name: "S0" },
        identity: { type: "SystemAssigned" },
        properties: {
          customSubDomainName: "oai-dev",
          disableLocalAuth: true,
          publicNetworkAccess: "Disabled",
          networkAcls: { defaultAction: "Deny" },
        },
      },
      apiVersion: "2025-06-01",
      resourceGroupName: RG,
    },
    {
      type: "azure-native:cognitiveservices:Deployment",
      inputs: {
        accountName: "oai-dev",
        resourceGroupName: RG,
        deploymentName: "chat",
        sku: { name: "GlobalStandard", capacity: 10 },
        properties: { model: { format: "OpenAI", name: "gpt-4.1-mini", version: "2025-04-14" } },
      },
      body: {
        name: "chat",
        type: "Microsoft.CognitiveServices/accounts/deployments",
        sku: { name: "GlobalStandard", capacity: 10 },
        properties: { model: { format: "OpenAI", name: "gpt-4.1-mini", version: "2025-04-14" } },
      },
      apiVersion: "2025-06-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/oai-dev`,
    },
    {
      // authorization 2022-04-01: RoleAssignmentCreateParameters { properties: { roleDefinitionId, principalId, ... } }.
      type: "azure-native:authorization:RoleAssignment",
      inputs: {
        scope: "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-keyless-openai-dev",
        roleAssignmentName: "5202542c-abb8-53f8-8df6-3aec3aa8c9d2",
        roleDefinitionId:
          "/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.Authorization/roleDefinitions/a97b65f3-24c7-4388-baec-2e87135dc908",
        principalId: "7e1a6f80-0000-4000-8000-7e1a6f800000",
        principalType: "ServicePrincipal",
      },
      body: {
        name: "5202542c-abb8-53f8-8df6-3aec3aa8c9d2",
        type: "Microsoft.Authorization/roleAssignments",
        properties: {
          roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/a97b65f3-24c7-4388-baec-2e87135dc908`,
          principalId: "7e1a6f80-0000-4000-8000-7e1a6f800000",
          principalType: "ServicePrincipal",
        },
      },
      apiVersion: "2022-04-01",
      resourceGroupName: RG,
      scope: RG_ID,
      placeholders: ["properties.principalId"],
    },
    {
      // compute 2024-11-01: NetworkInterfaceReference { id, properties: { primary, deleteOption } }.
      type: "azure-native:compute:VirtualMachine",
      inputs: {
        vmName: "vm-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        identity: { type: "SystemAssigned" },
        hardwareProfile: { vmSize: "Standard_B2ats_v2" },
        networkProfile: { networkInterfaces: [{ id: `${RG_ID}/nic`, primary: true, deleteOption: "Detach" }] },
        osProfile: {
          adminUsername: "azureuser",
          adminPassword: "not-sent-anywhere",
          linuxConfiguration: { disablePasswordAuthentication: true },
        },
        securityProfile: { securityType: "TrustedLaunch" },
      },
      body: {
        name: "vm-dev",
        type: "Microsoft.Compute/virtualMachines",
        location: "swedencentral",
        identity: { type: "SystemAssigned" },
        properties: {
          hardwareProfile: { vmSize: "Standard_B2ats_v2" },
          networkProfile: {
            networkInterfaces: [{ id: `${RG_ID}/nic`, properties: { primary: true, deleteOption: "Detach" } }],
          },
          osProfile: {
            adminUsername: "azureuser",
            adminPassword: "[redacted]",
            linuxConfiguration: { disablePasswordAuthentication: true },
          },
          securityProfile: { securityType: "TrustedLaunch" },
        },
      },
      apiVersion: "2024-11-01",
      resourceGroupName: RG,
      placeholders: ["properties.networkProfile.networkInterfaces[0].id"],
    },
    {
      type: "azure-native:network:VirtualNetwork",
      inputs: {
        virtualNetworkName: "vnet-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        addressSpace: { addressPrefixes: ["10.42.0.0/24"] },
      },
      body: {
        name: "vnet-dev",
        type: "Microsoft.Network/virtualNetworks",
        location: "swedencentral",
        properties: { addressSpace: { addressPrefixes: ["10.42.0.0/24"] } },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
    },
    {
      // No subnetName and no virtualNetworkName (another resource's output): auto-named, parent only after deploy.
      type: "azure-native:network:Subnet",
      name: "vm-subnet",
      inputs: {
        resourceGroupName: RG,
        addressPrefix: "10.42.0.0/24",
        defaultOutboundAccess: false,
        networkSecurityGroup: { id: `${RG_ID}/providers/Microsoft.Network/networkSecurityGroups/nsg` },
        delegations: [{ name: "flex", serviceName: "Microsoft.App/environments" }],
      },
      body: {
        name: "vm-subnet",
        type: "Microsoft.Network/virtualNetworks/subnets",
        properties: {
          addressPrefix: "10.42.0.0/24",
          defaultOutboundAccess: false,
          networkSecurityGroup: { id: `${RG_ID}/providers/Microsoft.Network/networkSecurityGroups/nsg` },
          delegations: [{ name: "flex", properties: { serviceName: "Microsoft.App/environments" } }],
        },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Network/virtualNetworks/(known after deploy)`,
      placeholders: ["name", "properties.networkSecurityGroup.id", "scope"],
    },
    {
      // network 2024-05-01: SecurityRule { name, properties: { ... } }.
      type: "azure-native:network:NetworkSecurityGroup",
      inputs: {
        networkSecurityGroupName: "nsg-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        securityRules: [{ name: "DenyInternetInbound", access: "Deny", direction: "Inbound", priority: 4096 }],
      },
      body: {
        name: "nsg-dev",
        type: "Microsoft.Network/networkSecurityGroups",
        location: "swedencentral",
        properties: {
          securityRules: [
            { name: "DenyInternetInbound", properties: { access: "Deny", direction: "Inbound", priority: 4096 } },
          ],
        },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
    },
    {
      type: "azure-native:network:PublicIPAddress",
      inputs: {
        publicIpAddressName: "pip-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        sku: { name: "Standard", tier: "Regional" },
        publicIPAllocationMethod: "Static",
      },
      body: {
        name: "pip-dev",
        type: "Microsoft.Network/publicIPAddresses",
        location: "swedencentral",
        sku: { name: "Standard", tier: "Regional" },
        properties: { publicIPAllocationMethod: "Static" },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
    },
    {
      // network 2024-05-01: NetworkInterfaceIPConfiguration { name, properties: { subnet, primary, ... } }.
      type: "azure-native:network:NetworkInterface",
      inputs: {
        networkInterfaceName: "nic-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        ipConfigurations: [{ name: "primary", primary: true, subnet: { id: `${RG_ID}/subnet` } }],
      },
      body: {
        name: "nic-dev",
        type: "Microsoft.Network/networkInterfaces",
        location: "swedencentral",
        properties: {
          ipConfigurations: [{ name: "primary", properties: { primary: true, subnet: { id: `${RG_ID}/subnet` } } }],
        },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
      placeholders: ["properties.ipConfigurations[0].properties.subnet.id"],
    },
    {
      // network 2024-05-01 publicIpPrefix.json: sku and zones at the top, the rest under properties.
      type: "azure-native:network:PublicIPPrefix",
      inputs: {
        publicIpPrefixName: "network-egress-prefix",
        resourceGroupName: RG,
        location: "swedencentral",
        prefixLength: 31,
        publicIPAddressVersion: "IPv4",
        sku: { name: "Standard", tier: "Regional" },
      },
      body: {
        name: "network-egress-prefix",
        type: "Microsoft.Network/publicIPPrefixes",
        location: "swedencentral",
        sku: { name: "Standard", tier: "Regional" },
        properties: { prefixLength: 31, publicIPAddressVersion: "IPv4" },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
      placeholders: [],
    },
    {
      type: "azure-native:network:NatGateway",
      inputs: {
        natGatewayName: "nat-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        sku: { name: "Standard" },
        publicIpAddresses: [{ id: `${RG_ID}/pip` }],
      },
      body: {
        name: "nat-dev",
        type: "Microsoft.Network/natGateways",
        location: "swedencentral",
        sku: { name: "Standard" },
        properties: { publicIpAddresses: [{ id: `${RG_ID}/pip` }] },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
      placeholders: ["properties.publicIpAddresses[0].id"],
    },
    {
      // network 2024-05-01: PrivateLinkServiceConnection { name, properties: { privateLinkServiceId, groupIds } }.
      type: "azure-native:network:PrivateEndpoint",
      inputs: {
        privateEndpointName: "pe-oai",
        resourceGroupName: RG,
        location: "swedencentral",
        subnet: { id: `${RG_ID}/pe-subnet` },
        privateLinkServiceConnections: [
          { name: "account", privateLinkServiceId: `${RG_ID}/oai`, groupIds: ["account"] },
        ],
      },
      body: {
        name: "pe-oai",
        type: "Microsoft.Network/privateEndpoints",
        location: "swedencentral",
        properties: {
          subnet: { id: `${RG_ID}/pe-subnet` },
          privateLinkServiceConnections: [
            { name: "account", properties: { privateLinkServiceId: `${RG_ID}/oai`, groupIds: ["account"] } },
          ],
        },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
      placeholders: [
        "properties.subnet.id",
        "properties.privateLinkServiceConnections[0].properties.privateLinkServiceId",
      ],
    },
    {
      type: "azure-native:network:PrivateDnsZoneGroup",
      inputs: {
        privateDnsZoneGroupName: "default",
        privateEndpointName: "pe-oai",
        resourceGroupName: RG,
        privateDnsZoneConfigs: [{ name: "openai", privateDnsZoneId: `${RG_ID}/zone` }],
      },
      body: {
        name: "default",
        type: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        properties: { privateDnsZoneConfigs: [{ name: "openai", properties: { privateDnsZoneId: `${RG_ID}/zone` } }] },
      },
      apiVersion: "2024-05-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Network/privateEndpoints/pe-oai`,
      placeholders: ["properties.privateDnsZoneConfigs[0].properties.privateDnsZoneId"],
    },
    {
      type: "azure-native:privatedns:PrivateZone",
      inputs: { privateZoneName: "privatelink.openai.azure.com", resourceGroupName: RG, location: "global" },
      body: { name: "privatelink.openai.azure.com", type: "Microsoft.Network/privateDnsZones", location: "global" },
      apiVersion: "2024-06-01",
      resourceGroupName: RG,
    },
    {
      type: "azure-native:privatedns:VirtualNetworkLink",
      inputs: {
        virtualNetworkLinkName: "vnet-link",
        privateZoneName: "privatelink.openai.azure.com",
        resourceGroupName: RG,
        location: "global",
        registrationEnabled: false,
        virtualNetwork: { id: `${RG_ID}/vnet` },
      },
      body: {
        name: "vnet-link",
        type: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        location: "global",
        properties: { registrationEnabled: false, virtualNetwork: { id: `${RG_ID}/vnet` } },
      },
      apiVersion: "2024-06-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Network/privateDnsZones/privatelink.openai.azure.com`,
      placeholders: ["properties.virtualNetwork.id"],
    },
    {
      type: "azure-native:web:AppServicePlan",
      inputs: {
        name: "plan-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        kind: "functionapp",
        sku: { name: "FC1", tier: "FlexConsumption" },
        reserved: true,
      },
      body: {
        name: "plan-dev",
        type: "Microsoft.Web/serverfarms",
        location: "swedencentral",
        kind: "functionapp",
        sku: { name: "FC1", tier: "FlexConsumption" },
        properties: { reserved: true },
      },
      apiVersion: "2025-05-01",
      resourceGroupName: RG,
    },
    {
      // web 2025-05-01: Site { kind, identity, properties: { serverFarmId, httpsOnly, siteConfig, functionAppConfig } }.
      type: "azure-native:web:WebApp",
      inputs: {
        name: "func-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        kind: "functionapp,linux",
        identity: { type: "SystemAssigned" },
        serverFarmId: `${RG_ID}/plan`,
        httpsOnly: true,
        siteConfig: { minTlsVersion: "1.2", ftpsState: "Disabled" },
        functionAppConfig: { runtime: { name: "node", version: "22" } },
      },
      body: {
        name: "func-dev",
        type: "Microsoft.Web/sites",
        location: "swedencentral",
        kind: "functionapp,linux",
        identity: { type: "SystemAssigned" },
        properties: {
          serverFarmId: `${RG_ID}/plan`,
          httpsOnly: true,
          siteConfig: { minTlsVersion: "1.2", ftpsState: "Disabled" },
          functionAppConfig: { runtime: { name: "node", version: "22" } },
        },
      },
      apiVersion: "2025-05-01",
      resourceGroupName: RG,
      placeholders: ["properties.serverFarmId"],
    },
    {
      // web 2025-05-01: PUT .../sites/{name}/config/appsettings with a StringDictionary { properties: {...} }.
      type: "azure-native:web:WebAppApplicationSettings",
      inputs: { name: "func-dev", resourceGroupName: RG, properties: { AzureWebJobsStorage__accountName: "st" } },
      body: {
        name: "appsettings",
        type: "Microsoft.Web/sites/config",
        properties: { AzureWebJobsStorage__accountName: "st" },
      },
      apiVersion: "2025-05-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Web/sites/func-dev`,
    },
    {
      // web 2025-05-01: PUT .../sites/{name}/basicPublishingCredentialsPolicies/ftp { properties: { allow } }.
      type: "azure-native:web:WebAppFtpAllowed",
      inputs: { name: "func-dev", resourceGroupName: RG, allow: false },
      body: {
        name: "ftp",
        type: "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
        properties: { allow: false },
      },
      apiVersion: "2025-05-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Web/sites/func-dev`,
    },
    {
      type: "azure-native:web:WebAppScmAllowed",
      inputs: { name: "func-dev", resourceGroupName: RG, allow: false },
      body: {
        name: "scm",
        type: "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
        properties: { allow: false },
      },
      apiVersion: "2025-05-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Web/sites/func-dev`,
    },
    {
      type: "azure-native:web:WebAppSwiftVirtualNetworkConnection",
      inputs: { name: "func-dev", resourceGroupName: RG, subnetResourceId: `${RG_ID}/app-subnet` },
      body: {
        name: "virtualNetwork",
        type: "Microsoft.Web/sites/networkConfig",
        properties: { subnetResourceId: `${RG_ID}/app-subnet` },
      },
      apiVersion: "2025-05-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Web/sites/func-dev`,
      placeholders: ["properties.subnetResourceId"],
    },
    {
      // storage 2024-01-01: StorageAccountCreateParameters { sku, kind, location, tags, properties: {...} }.
      type: "azure-native:storage:StorageAccount",
      inputs: {
        accountName: "stdev",
        resourceGroupName: RG,
        location: "swedencentral",
        kind: "StorageV2",
        sku: { name: "Standard_LRS" },
        allowSharedKeyAccess: false,
        minimumTlsVersion: "TLS1_2",
        publicNetworkAccess: "Disabled",
        networkRuleSet: { defaultAction: "Deny" },
        sasPolicy: { expirationAction: "Block", sasExpirationPeriod: "0.01:00:00" },
        encryption: { requireInfrastructureEncryption: true },
      },
      body: {
        name: "stdev",
        type: "Microsoft.Storage/storageAccounts",
        location: "swedencentral",
        kind: "StorageV2",
        sku: { name: "Standard_LRS" },
        properties: {
          allowSharedKeyAccess: false,
          minimumTlsVersion: "TLS1_2",
          publicNetworkAccess: "Disabled",
          networkAcls: { defaultAction: "Deny" },
          sasPolicy: { expirationAction: "Block", sasExpirationPeriod: "0.01:00:00" },
          encryption: { requireInfrastructureEncryption: true },
        },
      },
      apiVersion: "2024-01-01",
      resourceGroupName: RG,
    },
    {
      type: "azure-native:storage:BlobContainer",
      inputs: { accountName: "stdev", containerName: "app-package", resourceGroupName: RG, publicAccess: "None" },
      body: {
        name: "app-package",
        type: "Microsoft.Storage/storageAccounts/blobServices/containers",
        properties: { publicAccess: "None" },
      },
      apiVersion: "2024-01-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/stdev/blobServices/default`,
    },
    {
      type: "azure-native:storage:BlobServiceProperties",
      inputs: {
        accountName: "stdev",
        resourceGroupName: RG,
        blobServicesName: "default",
        deleteRetentionPolicy: { enabled: true, days: 7 },
      },
      body: {
        name: "default",
        type: "Microsoft.Storage/storageAccounts/blobServices",
        properties: { deleteRetentionPolicy: { enabled: true, days: 7 } },
      },
      apiVersion: "2024-01-01",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/stdev`,
    },
    {
      // applicationinsights 2020-02-02 components_API.json spells Application_Type, Flow_Type, DisableLocalAuth, ...
      type: "azure-native:applicationinsights:Component",
      inputs: {
        resourceName: "appi-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        kind: "web",
        applicationType: "web",
        flowType: "Bluefield",
        requestSource: "rest",
        ingestionMode: "LogAnalytics",
        disableLocalAuth: true,
        workspaceResourceId: `${RG_ID}/log`,
        publicNetworkAccessForIngestion: "Enabled",
      },
      body: {
        name: "appi-dev",
        type: "Microsoft.Insights/components",
        location: "swedencentral",
        kind: "web",
        properties: {
          Application_Type: "web",
          Flow_Type: "Bluefield",
          Request_Source: "rest",
          IngestionMode: "LogAnalytics",
          DisableLocalAuth: true,
          WorkspaceResourceId: `${RG_ID}/log`,
          publicNetworkAccessForIngestion: "Enabled",
        },
      },
      apiVersion: "2020-02-02",
      resourceGroupName: RG,
      placeholders: ["properties.WorkspaceResourceId"],
    },
    {
      // operationalinsights 2023-09-01 Workspaces.json: properties.sku, properties.features.disableLocalAuth.
      type: "azure-native:operationalinsights:Workspace",
      inputs: {
        workspaceName: "log-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        sku: { name: "PerGB2018" },
        retentionInDays: 30,
        features: { disableLocalAuth: true },
      },
      body: {
        name: "log-dev",
        type: "Microsoft.OperationalInsights/workspaces",
        location: "swedencentral",
        properties: { sku: { name: "PerGB2018" }, retentionInDays: 30, features: { disableLocalAuth: true } },
      },
      apiVersion: "2023-09-01",
      resourceGroupName: RG,
    },
    {
      type: "azure-native:managedidentity:UserAssignedIdentity",
      inputs: { resourceName: "id-dev", resourceGroupName: RG, location: "swedencentral" },
      body: { name: "id-dev", type: "Microsoft.ManagedIdentity/userAssignedIdentities", location: "swedencentral" },
      apiVersion: "2023-01-31",
      resourceGroupName: RG,
    },
    {
      // monitor 2021-05-01-preview: an extension resource of the account.
      type: "azure-native:monitor:DiagnosticSetting",
      inputs: {
        name: "to-log-analytics",
        resourceUri: `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/oai-dev`,
        workspaceId: `${RG_ID}/log`,
        logs: [{ categoryGroup: "audit", enabled: true }],
      },
      body: {
        name: "to-log-analytics",
        type: "Microsoft.Insights/diagnosticSettings",
        properties: { workspaceId: `${RG_ID}/log`, logs: [{ categoryGroup: "audit", enabled: true }] },
      },
      apiVersion: "2021-05-01-preview",
      resourceGroupName: RG,
      scope: `${RG_ID}/providers/Microsoft.CognitiveServices/accounts/oai-dev`,
      placeholders: ["properties.workspaceId"],
    },
    {
      type: "azure-native:authorization:ManagementLockAtResourceGroupLevel",
      inputs: { lockName: "do-not-delete", resourceGroupName: RG, level: "CanNotDelete" },
      body: { name: "do-not-delete", type: "Microsoft.Authorization/locks", properties: { level: "CanNotDelete" } },
      apiVersion: "2020-05-01",
      resourceGroupName: RG,
      scope: RG_ID,
    },
    {
      type: "azure-native:authorization:ManagementLockByScope",
      inputs: { lockName: "do-not-delete", scope: RG_ID, level: "CanNotDelete" },
      body: { name: "do-not-delete", type: "Microsoft.Authorization/locks", properties: { level: "CanNotDelete" } },
      apiVersion: "2020-05-01",
      resourceGroupName: RG,
      scope: RG_ID,
    },
    {
      // devtestlab 2018-09-15: the VM auto-shutdown schedule, `shutdown-computevm-<vm>`.
      type: "azure-native:devtestlab:GlobalSchedule",
      inputs: {
        name: "shutdown-computevm-vm-dev",
        resourceGroupName: RG,
        location: "swedencentral",
        status: "Enabled",
        taskType: "ComputeVmShutdownTask",
        dailyRecurrence: { time: "1900" },
        timeZoneId: "UTC",
        targetResourceId: `${RG_ID}/vm`,
      },
      body: {
        name: "shutdown-computevm-vm-dev",
        type: "Microsoft.DevTestLab/schedules",
        location: "swedencentral",
        properties: {
          status: "Enabled",
          taskType: "ComputeVmShutdownTask",
          dailyRecurrence: { time: "1900" },
          timeZoneId: "UTC",
          targetResourceId: `${RG_ID}/vm`,
        },
      },
      apiVersion: "2018-09-15",
      resourceGroupName: RG,
      placeholders: ["properties.targetResourceId"],
    },
  ];

  // Mutation tried: skipping the sub-resource unflattening failed the VM, Subnet, NSG, NIC, PrivateEndpoint and
  // PrivateDnsZoneGroup rows.
  for (const row of rows) {
    it(`${row.type} is sent as ARM's body`, () => {
      const sent = request(row.type, row.inputs, row.name);
      assert.deepEqual(sent.body, row.body);
      assert.equal(sent.apiVersion, row.apiVersion);
      assert.equal(sent.resourceGroupName, row.resourceGroupName);
      assert.equal(sent.scope, row.scope);
      assert.deepEqual(sent.placeholders, row.placeholders ?? []);
    });
  }

  it("has a pinned body for every row of the table", () => {
    // A row in ARM_MAPPINGS without a pinned body above fails here.
    assert.deepEqual(Object.keys(ARM_MAPPINGS).sort(), rows.map((row) => row.type).sort());
  });

  it("skips other providers and reports an azure-native type it does not know", () => {
    const { requests, unmapped } = armRequests(
      [
        { type: "random:index/randomString:RandomString", name: "suffix", inputs: { length: 6 } },
        { type: "azure-native:keyvault:Vault", name: "kv", inputs: { vaultName: "kv" } },
      ],
      SUB,
    );
    assert.deepEqual(requests, []);
    assert.deepEqual(
      unmapped.map((resource) => resource.type),
      ["azure-native:keyvault:Vault"],
    );
  });

  it("derives the dev stack's bodies from its offline plan, every type mapped", async () => {
    const resources = await plannedResources(ROOT, "dev");
    const { requests, unmapped } = armRequests(resources, SUB);
    assert.deepEqual(
      unmapped.map((resource) => resource.type),
      [],
      "every Azure type the program declares has a row",
    );
    const account = requests.find((sent) => sent.armType === "Microsoft.CognitiveServices/accounts");
    assert.equal(read(account?.body, "properties", "disableLocalAuth"), true);
    const vm = requests.find((sent) => sent.armType === "Microsoft.Compute/virtualMachines");
    // The plan document masks this setting by its name; the evaluator must see the real boolean.
    assert.equal(
      read(vm?.body, "properties", "osProfile", "linuxConfiguration", "disablePasswordAuthentication"),
      true,
    );
    const everyString = JSON.stringify(requests.map((sent) => [sent.body, sent.scope]));
    assert.ok(!everyString.includes("00000000-1111-2222-3333-444444444444"), "no mock subscription ID is sent");
  });

  it("derives the private prod stack's bodies too, every type mapped (endpoints, zones, NAT, the egress prefix)", async () => {
    // Mutation check: without the PublicIPPrefix row, the egress prefix was listed here as unmapped.
    const { requests, unmapped } = armRequests(await plannedResources(ROOT, "prod"), SUB);
    assert.deepEqual(
      unmapped.map((resource) => resource.type),
      [],
    );
    const account = requests.find((sent) => sent.armType === "Microsoft.CognitiveServices/accounts");
    assert.equal(read(account?.body, "properties", "publicNetworkAccess"), "Disabled");
    const prefix = requests.find((sent) => sent.armType === "Microsoft.Network/publicIPPrefixes");
    assert.equal(read(prefix?.body, "properties", "prefixLength"), 31);
  });
});

function read(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    current = typeof current === "object" && current !== null ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

describe("Azure Policy preflight check against the stand-in evaluator", { skip: missingTool("openssl") }, () => {
  const SUBSCRIPTION_SCOPE = `/subscriptions/${SUB}`;
  let tlsMaterial: TlsMaterial;
  let identity: StandInServer;
  let arm: StandInServer;
  const state: PolicyInsightsState = {
    subscriptionId: SUB,
    resourceGroups: new Set(),
    assignments: [],
    protocolErrors: [],
  };
  let context: PreflightContext;

  before(async () => {
    tlsMaterial = createSelfSignedCertificate();
    tls.setDefaultCACertificates([...tls.getCACertificates("default"), tlsMaterial.certPem]);
    identity = await startStandIn({
      routes: appServiceIdentityRoutes({ principal: FUNCTION_APP_PRINCIPAL, identityHeader: "policy-test-header" }),
    });
    arm = await startStandIn({ tls: tlsMaterial, routes: policyInsightsRoutes(state) });
    process.env.IDENTITY_ENDPOINT = `${identity.origin}${APP_SERVICE_IDENTITY_PATH}`;
    process.env.IDENTITY_HEADER = "policy-test-header";
    context = {
      stack: "dev",
      config: parseConfig(
        { deployments: JSON.stringify(["name=chat,model=gpt-5.4-mini,version=2026-03-17"]) },
        "keyless-openai",
        "dev",
      ),
      subscriptionId: SUB,
      tenantId: "11111111-2222-3333-4444-555555555555",
      credential: new ManagedIdentityCredential(),
      armEndpoint: arm.origin,
      now: new Date("2026-11-29T00:00:00Z"),
      fix: false,
      plannedResources: () => Promise.reject(new Error("each test gives its own plan")),
    };
  });

  after(async () => {
    await arm.close();
    await identity.close();
    tlsMaterial.dispose();
  });

  /** A tenant with the built-in key-access policy assigned as Deny, and these resource groups. */
  function tenant(
    resourceGroups: string[],
    assignments = [aiServicesKeyAccessDenyAssignment(SUBSCRIPTION_SCOPE, "deny-ai-key-access")],
  ) {
    state.resourceGroups = new Set(resourceGroups);
    state.assignments = assignments;
    state.protocolErrors = [];
    arm.requests.length = 0;
  }

  /** The plan of a small program: a resource group and one OpenAI account with `disableLocalAuth` as given. */
  function accountPlan(disableLocalAuth: boolean | undefined, extra: () => void = () => {}) {
    return async (): Promise<PlannedAzureResource[]> => {
      const run = await runProgram(() => {
        new ResourceGroup("resource-group", { resourceGroupName: RG, location: "swedencentral" });
        new Account("openai", {
          accountName: "oai-keys",
          resourceGroupName: RG,
          location: "swedencentral",
          kind: "OpenAI",
          sku: { name: "S0" },
          properties: {
            customSubDomainName: "oai-keys",
            ...(disableLocalAuth === undefined ? {} : { disableLocalAuth }),
          },
        });
        new random.RandomString("suffix", { length: 6, special: false });
        extra();
        return {};
      });
      return run.resources.filter((resource) => resource.custom);
    };
  }

  const policyPosts = () => arm.requests.filter((recorded) => recorded.method === "POST");

  it("passes the dev stack (key auth off) at resource group scope", async () => {
    tenant([RG]);
    // The count follows the program (22 Azure resources as of this writing), so it is read from the plan.
    const azureResources = (await plannedResources(ROOT, "dev")).filter((resource) =>
      resource.type.startsWith("azure-native:"),
    ).length;
    const results = await azurePolicyChecks({ ...context, plannedResources: () => plannedResources(ROOT, "dev") });
    assert.deepEqual(
      results.map((result) => result.status),
      ["pass"],
      JSON.stringify(results),
    );
    assert.ok(
      results[0]?.found.startsWith(
        `${azureResources} planned resource(s) checked against Azure Policy at resource group scope: no Deny`,
      ),
      results[0]?.found,
    );
    assert.deepEqual(state.protocolErrors, []);
    const paths = new Set(policyPosts().map((recorded) => recorded.url.pathname));
    assert.deepEqual([...paths].sort(), [
      `/subscriptions/${SUB}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions`,
      `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions`,
    ]);
    // One request per planned Azure resource; the resource group itself is always asked at subscription scope.
    assert.equal(policyPosts().length, azureResources);
    const groupBody = JSON.parse(
      policyPosts().find((recorded) => !recorded.url.pathname.includes("/resourceGroups/"))?.body ?? "{}",
    );
    assert.deepEqual(groupBody.resourceDetails.resourceContent.type, "Microsoft.Resources/resourceGroups");
    assert.equal(groupBody.resourceDetails.apiVersion, "2024-03-01");
    assert.ok(policyPosts().every((recorded) => recorded.url.searchParams.get("api-version") === "2024-10-01"));
  });

  it("fails a planned account with key auth on, naming the assignment, the definition and the field", async () => {
    tenant([RG]);
    // Mutations tried: denialsOf keeping only evaluations whose effect is "audit" made this test fail; so did reading
    // targetValue from the SDK's deserialized model (its Dictionary mapper turns `true` into `{}`: "NotEquals {}").
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(false) });
    assert.deepEqual(
      results.map((result) => result.status),
      ["fail"],
    );
    assert.equal(
      results[0]?.found,
      "Microsoft.CognitiveServices/accounts 'oai-keys' (openai) would be denied by policy assignment 'deny-ai-key-access' " +
        "(definition '71ef260a-8f18-47b7-abcb-62d0673d94dc'): Microsoft.CognitiveServices/accounts/disableLocalAuth " +
        "(properties.disableLocalAuth) is false, policy condition NotEquals true",
    );
    assert.equal(
      results[0]?.fix,
      "Change properties.disableLocalAuth in the program so it complies, or ask the owner of the assignment for an " +
        "exemption: az policy exemption create --name <name> --policy-assignment " +
        `/subscriptions/${SUB}/providers/Microsoft.Authorization/policyAssignments/deny-ai-key-access ` +
        `--exemption-category Waiver --resource-group ${RG}`,
    );
  });

  it("plans a stack from its own project directory, whoever its config names, and fails its key-auth account", async () => {
    // The plan fixture program with API keys on and a user the offline engine's stand-in directory does not know.
    // Mutation tried: planning with the offline engine's default directory failed this test ("User not found").
    const project = mkdtempSync(join(tmpdir(), "policy-project-"));
    try {
      const fixture = join(ROOT, "tests", "fixtures", "plan");
      writeFileSync(
        join(project, "Pulumi.yaml"),
        `${readFileSync(join(fixture, "Pulumi.yaml"), "utf8")}\nmain: ${join(fixture, "index.ts")}\n`,
      );
      writeFileSync(
        join(project, "Pulumi.keys.yaml"),
        "config:\n  keyless-openai:localAuth: true\n  keyless-openai:users:\n    - someone@corp.example\n",
      );
      tenant(["rg-fixture"]);
      const results = await azurePolicyChecks({
        ...context,
        stack: "keys",
        plannedResources: () => plannedResources(project, "keys"),
      });
      assert.deepEqual(
        results.map((result) => result.status),
        ["fail"],
        JSON.stringify(results),
      );
      assert.match(
        results[0]?.found ?? "",
        /^Microsoft\.CognitiveServices\/accounts 'openai' \(openai\) would be denied by policy assignment 'deny-ai-key-access'/,
      );
      const grants = policyPosts()
        .map((recorded) => JSON.parse(recorded.body).resourceDetails.resourceContent)
        .filter((content) => content.type === "Microsoft.Authorization/roleAssignments");
      assert.ok(
        grants.some((content) => content.properties.principalId === "ffffffff-ffff-4fff-bfff-ffffffffffff"),
        "the configured user's grant is checked with a placeholder object ID",
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("fails an account that leaves disableLocalAuth out (key auth on by default)", async () => {
    tenant([RG]);
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(undefined) });
    assert.equal(results.length, 1);
    assert.match(
      results[0]?.found ?? "",
      /\(properties\.disableLocalAuth\) is absent, policy condition NotEquals true$/,
    );
  });

  it("asks at subscription scope when the resource group does not exist yet", async () => {
    tenant([]);
    // Mutation tried: always calling checkAtResourceGroupScope made the stand-in answer 404 ResourceGroupNotFound,
    // which the check reported as warnings instead of the Deny.
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(false) });
    assert.deepEqual(
      results.map((result) => result.status),
      ["fail"],
    );
    assert.match(results[0]?.found ?? "", /policy assignment 'deny-ai-key-access'/);
    assert.deepEqual(
      arm.requests.map((recorded) => `${recorded.method} ${recorded.url.pathname}`),
      [
        `HEAD /subscriptions/${SUB}/resourcegroups/${RG}`,
        `POST /subscriptions/${SUB}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions`,
        `POST /subscriptions/${SUB}/providers/Microsoft.PolicyInsights/checkPolicyRestrictions`,
      ],
    );
  });

  it("sees an assignment on the resource group through the resource group scope", async () => {
    tenant([RG], [aiServicesKeyAccessDenyAssignment(RG_ID, "rg-deny-ai-key-access")]);
    // Mutation tried: calling checkAtSubscriptionScope for every resource made this test fail (no Deny: the
    // subscription-scope call does not see the group's assignment).
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(false) });
    assert.deepEqual(
      results.map((result) => [result.status, /assignment '([^']+)'/.exec(result.found)?.[1]]),
      [["fail", "rg-deny-ai-key-access"]],
    );
  });

  it("warns, not fails, when the denied value is a placeholder known only after deploy", async () => {
    tenant(
      [RG],
      [
        namingConventionDenyAssignment(
          SUBSCRIPTION_SCOPE,
          "nic-naming",
          "Microsoft.Network/networkInterfaces",
          "nic-*",
        ),
      ],
    );
    // Mutation tried: without deniedOnPlaceholders the auto-named NIC was a fail like the named one.
    const plan = accountPlan(true, () => {
      // No networkInterfaceName: azure-native auto-names it (Pulumi name plus a random suffix).
      new NetworkInterface("vm-nic", { resourceGroupName: RG, location: "swedencentral" });
      new NetworkInterface("named-nic", {
        networkInterfaceName: "bad-name",
        resourceGroupName: RG,
        location: "swedencentral",
      });
    });
    const results = await azurePolicyChecks({ ...context, plannedResources: plan });
    assert.deepEqual(
      results.map((result) => [result.status, result.found]),
      [
        [
          "warn",
          "Microsoft.Network/networkInterfaces 'vm-nic' (vm-nic) would be denied by policy assignment 'nic-naming' " +
            '(definition \'nic-naming\'): name is "vm-nic", policy condition NotLike "nic-*"; that value is a ' +
            "placeholder, known only after deploy",
        ],
        [
          "fail",
          "Microsoft.Network/networkInterfaces 'bad-name' (named-nic) would be denied by policy assignment 'nic-naming' " +
            '(definition \'nic-naming\'): name is "bad-name", policy condition NotLike "nic-*"',
        ],
      ],
    );
  });

  it("passes a compliant plan and says so", async () => {
    tenant([RG]);
    const results = await azurePolicyChecks({ ...context, plannedResources: accountPlan(true) });
    assert.deepEqual(results, [
      {
        check: "azure-policy",
        status: "pass",
        found:
          "2 planned resource(s) checked against Azure Policy at resource group scope: no Deny (0 value(s) known only after deploy were sent as placeholders; assignments inherited from a management group may not be evaluated)",
      },
    ]);
  });

  it("reports a type without a mapping as a warning, not silently", async () => {
    tenant([RG]);
    // Mutation tried: dropping the unmapped-type results made this test fail (only the pass remained).
    const plan = accountPlan(true, () => {
      new Vault("key-vault", {
        vaultName: "kv-dev",
        resourceGroupName: RG,
        properties: { tenantId: "11111111-2222-3333-4444-555555555555", sku: { family: "A", name: "standard" } },
      });
    });
    const results = await azurePolicyChecks({ ...context, plannedResources: plan });
    assert.deepEqual(
      results.map((result) => result.status),
      ["warn", "pass"],
    );
    assert.equal(
      results[0]?.found,
      "azure-native:keyvault:Vault (key-vault) has no ARM body mapping, so Azure Policy was not asked about it",
    );
    assert.match(results[0]?.fix ?? "", /ARM_MAPPINGS in scripts\/preflight\/arm-body\.ts/);
    assert.equal(policyPosts().length, 2, "the mapped resources were still checked");
  });

  it("warns instead of passing when the evaluator cannot be asked", async () => {
    tenant([RG]);
    // A wrong endpoint: ARM answers 404 to every request, which must not read as "no Deny".
    const results = await azurePolicyChecks({
      ...context,
      plannedResources: accountPlan(true),
      armEndpoint: `${arm.origin}/not-arm`,
    });
    assert.ok(results.length > 0);
    assert.ok(
      results.every((result) => result.status === "warn"),
      JSON.stringify(results),
    );
  });
});
