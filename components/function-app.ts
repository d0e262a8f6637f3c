import { Component as AppInsightsComponent } from "@pulumi/azure-native/applicationinsights/component";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import { PrivateDnsZoneGroup } from "@pulumi/azure-native/network/privateDnsZoneGroup";
import { PrivateEndpoint } from "@pulumi/azure-native/network/privateEndpoint";
import { Workspace as LogAnalyticsWorkspace } from "@pulumi/azure-native/operationalinsights/workspace";
import { BlobContainer } from "@pulumi/azure-native/storage/blobContainer";
import { StorageAccount } from "@pulumi/azure-native/storage/storageAccount";
import { AppServicePlan } from "@pulumi/azure-native/web/appServicePlan";
import { WebApp } from "@pulumi/azure-native/web/webApp";
import { WebAppApplicationSettings } from "@pulumi/azure-native/web/webAppApplicationSettings";
import { WebAppFtpAllowed } from "@pulumi/azure-native/web/webAppFtpAllowed";
import { WebAppScmAllowed } from "@pulumi/azure-native/web/webAppScmAllowed";
import * as local from "@pulumi/command/local";
import * as pulumi from "@pulumi/pulumi";
import { BUILT_IN_ROLES, DEFAULT_LOG_RETENTION_DAYS } from "../lib/constants";
import { assignRole } from "../lib/role-assignment";

/** Deployment container the platform reads the app package from (functionAppConfig.deployment.storage). */
export const DEPLOYMENT_CONTAINER = "app-package";

/**
 * Flex Consumption scale settings. Instance memory sizes: learn.microsoft.com/azure/azure-functions/flex-consumption-plan
 * ("Instance memory": 512, 2048, 4096 MB). 2048 is the documented default; the Azure-Samples Flex templates default the
 * instance limit to 100 with a floor of 40 (Azure-Samples/azure-functions-flex-consumption-samples, IaC/bicep/main.bicep).
 */
export const FLEX_INSTANCE_MEMORY_MB = [512, 2048, 4096] as const;
export const DEFAULT_INSTANCE_MEMORY_MB = 2048;
export const DEFAULT_MAXIMUM_INSTANCE_COUNT = 40;
export const DEFAULT_NODE_VERSION = "22";

/** Longest SAS validity the storage account accepts: 7 days, as `d.hh:mm:ss` (ARM sasPolicy.sasExpirationPeriod). */
export const SAS_EXPIRATION_PERIOD = "7.00:00:00";

/**
 * Settings the Flex Consumption docs list as deprecated or invalid for Flex apps
 * (learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations). Never sent.
 */
export const FLEX_DEPRECATED_SETTINGS = [
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_EXTENSION_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "WEBSITE_CONTENTSHARE",
  "WEBSITE_NODE_DEFAULT_VERSION",
  "SCM_DO_BUILD_DURING_DEPLOYMENT",
  "ENABLE_ORYX_BUILD",
  "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
  "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED",
  "FUNCTIONS_WORKER_PROCESS_COUNT",
] as const;

/** See {@link FunctionAppArgs.network}. */
export interface FunctionAppNetwork {
  integrationSubnetId: pulumi.Input<string>;
  privateStorage?: {
    privateEndpointSubnetId: pulumi.Input<string>;
    /** privatelink.blob.core.windows.net, linked to the VNet. */
    blobDnsZoneId: pulumi.Input<string>;
    /** privatelink.table.core.windows.net, linked to the VNet. */
    tableDnsZoneId: pulumi.Input<string>;
  };
}

/** Storage services the host reaches through private endpoints: blob (host, package) and table (diagnostic events). */
export const PRIVATE_STORAGE_SERVICES = ["blob", "table"] as const;

/** A built code package: see `lib/function-app-package.ts`. */
export interface FunctionAppCodePackage {
  /** Path of the zip, relative to the Pulumi project directory (the publish command runs there). */
  zipPath: string;
  /** SHA-256 (hex) of the zip: the deploy runs again exactly when this changes. */
  sha256: string;
}

/** Arguments of {@link FunctionApp}. */
export interface FunctionAppArgs {
  resourceGroupName: pulumi.Input<string>;
  location?: pulumi.Input<string>;
  /** Subscription of the role definitions (storage and monitoring roles). */
  subscriptionId: pulumi.Input<string>;
  /** Short project word in every name: lower-case letters and digits, 2-10 characters. Default `keyless`. */
  namePrefix?: string;
  /**
   * Stable random suffix that makes the globally unique names unique (function app host name, storage account):
   * lower-case letters and digits, 4-8 characters. Keep it in state (e.g. a RandomString) so names do not move.
   */
  nameSuffix: string;
  /** What the function calls: passed as app settings, never a key. */
  openAi: {
    /** `https://<subdomain>.openai.azure.com/` */
    endpoint: pulumi.Input<string>;
    deployment: pulumi.Input<string>;
  };
  /** Node.js major version of the Functions runtime. Default {@link DEFAULT_NODE_VERSION}. */
  nodeVersion?: string;
  /** Upper bound on instances. Default {@link DEFAULT_MAXIMUM_INSTANCE_COUNT}. */
  maximumInstanceCount?: number;
  /** Memory per instance, one of {@link FLEX_INSTANCE_MEMORY_MB}. Default {@link DEFAULT_INSTANCE_MEMORY_MB}. */
  instanceMemoryMB?: number;
  /**
   * Application Insights (workspace-based, local auth off, ingestion with the app's Entra identity). Default true.
   * Off: no telemetry resources and no telemetry settings.
   */
  appInsights?: boolean;
  /** Log Analytics retention for the telemetry workspace. Default {@link DEFAULT_LOG_RETENTION_DAYS} (the free retention). */
  logRetentionDays?: number;
  /**
   * ARM ID of an existing Log Analytics workspace for Application Insights (the stack's, see `StackLogs`). Left out:
   * the component creates its own, with Entra-only ingestion.
   */
  logAnalyticsWorkspaceId?: pulumi.Input<string>;
  /**
   * Storage infrastructure encryption (a second, platform-managed layer; settable only when the account is created).
   * Default false; production stacks turn it on.
   */
  infrastructureEncryption?: boolean;
  /**
   * VNet integration (outbound): the app's traffic to private addresses leaves through this subnet (delegated to
   * Microsoft.App/environments, with no private or service endpoints on it). With `privateStorage`, its storage account takes no public traffic and
   * is reached through private endpoints for blob (host storage, deployment package) and table (host diagnostics).
   * Left out: no VNet integration, storage on its public endpoint (Entra ID only either way).
   */
  network?: FunctionAppNetwork;
  /** Code to deploy with one deploy as part of `pulumi up`. Left out: the app is created empty. */
  codePackage?: FunctionAppCodePackage;
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Physical names of the component's resources, derived from prefix and suffix. */
export interface FunctionAppNames {
  plan: string;
  app: string;
  storageAccount: string;
  appInsights: string;
  logWorkspace: string;
  /** The user-assigned identity the host uses for its storage, the deployment container and telemetry. */
  hostIdentity: string;
}

const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,9}$/;
const SUFFIX_PATTERN = /^[a-z0-9]{4,8}$/;

/**
 * Names within Azure's limits (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules):
 * storage accounts 3-24 lower-case letters and digits (global); sites 2-60 letters, digits and hyphens (global, the
 * host name); server farms 1-60; Application Insights 1-255; Log Analytics workspaces 4-63.
 */
export function functionAppNames(namePrefix: string, nameSuffix: string): FunctionAppNames {
  if (!PREFIX_PATTERN.test(namePrefix)) {
    throw new Error(`namePrefix "${namePrefix}": use 2-10 lower-case letters and digits, starting with a letter`);
  }
  if (!SUFFIX_PATTERN.test(nameSuffix)) {
    throw new Error(`nameSuffix "${nameSuffix}": use 4-8 lower-case letters and digits`);
  }
  return {
    plan: `plan-${namePrefix}-${nameSuffix}`,
    app: `func-${namePrefix}-${nameSuffix}`,
    storageAccount: `st${namePrefix}fn${nameSuffix}`,
    appInsights: `appi-${namePrefix}-${nameSuffix}`,
    logWorkspace: `log-${namePrefix}-${nameSuffix}`,
    hostIdentity: `id-${namePrefix}-host-${nameSuffix}`,
  };
}

/** The app's source-control-manager (Kudu) host: the default host name with `.scm` after its first label. */
export function scmHostName(defaultHostName: string): string {
  const dot = defaultHostName.indexOf(".");
  if (dot <= 0) throw new Error(`unexpected default host name "${defaultHostName}"`);
  return `${defaultHostName.slice(0, dot)}.scm${defaultHostName.slice(dot)}`;
}

function validateScale(maximumInstanceCount: number, instanceMemoryMB: number): void {
  if (!Number.isInteger(maximumInstanceCount) || maximumInstanceCount < 1 || maximumInstanceCount > 1000) {
    throw new Error(`maximumInstanceCount ${maximumInstanceCount}: use a whole number from 1 to 1000`);
  }
  if (!(FLEX_INSTANCE_MEMORY_MB as readonly number[]).includes(instanceMemoryMB)) {
    throw new Error(`instanceMemoryMB ${instanceMemoryMB}: use one of ${FLEX_INSTANCE_MEMORY_MB.join(", ")}`);
  }
}

/**
 * An Azure Functions app on the Flex Consumption plan (Linux, Node.js) with no secrets and two managed identities:
 * - a user-assigned "host" identity, created and granted its storage and telemetry roles BEFORE the site exists, which
 *   the platform uses for the deployment container and the host uses for its storage (`AzureWebJobsStorage__*`) and
 *   for telemetry, so nothing on the way to the first code deploy waits for a role granted in the same run to an
 *   identity that did not exist a moment ago;
 * - the site's system-assigned identity, which the function code uses (DefaultAzureCredential, no AZURE_CLIENT_ID) to
 *   call the model: grant it the model role through `principalId`.
 * This is the shape of Microsoft's Flex Consumption azd samples (Azure-Samples/functions-quickstart-javascript-azd,
 * infra/main.bicep and infra/app/api.bicep: a user-assigned identity with `AzureWebJobsStorage__credential`,
 * `AzureWebJobsStorage__clientId` and deployment storage `authentication.type: UserAssignedIdentity`).
 * Shared keys are off on the storage account, basic-auth publishing is off, and the code is deployed with "one deploy"
 * using the deployer's Entra token.
 */
export class FunctionApp extends pulumi.ComponentResource {
  public readonly appName: pulumi.Output<string>;
  public readonly appId: pulumi.Output<string>;
  public readonly defaultHostName: pulumi.Output<string>;
  /** Object ID of the app's system-assigned identity, the one that calls the model: grant the model role to this. */
  public readonly principalId: pulumi.Output<string>;
  /** Object ID of the user-assigned host identity (storage, deployment container, telemetry). */
  public readonly hostIdentityPrincipalId: pulumi.Output<string>;
  /** Client ID of the user-assigned host identity (what `AzureWebJobsStorage__clientId` names). */
  public readonly hostIdentityClientId: pulumi.Output<string>;
  public readonly hostIdentityName: pulumi.Output<string>;
  public readonly storageAccountName: pulumi.Output<string>;
  /** ARM ID of the host storage account. */
  public readonly storageAccountId: pulumi.Output<string>;
  /** Only when `appInsights` is on. */
  public readonly appInsightsName: pulumi.Output<string> | undefined;
  /** The one-deploy command; depend on it to wait for the code. Only when `codePackage` is given. */
  public readonly codeDeployment: local.Command | undefined;

  constructor(name: string, args: FunctionAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keyless-openai:compute:FunctionApp", name, {}, opts);

    const names = functionAppNames(args.namePrefix ?? "keyless", args.nameSuffix);
    const maximumInstanceCount = args.maximumInstanceCount ?? DEFAULT_MAXIMUM_INSTANCE_COUNT;
    const instanceMemoryMB = args.instanceMemoryMB ?? DEFAULT_INSTANCE_MEMORY_MB;
    validateScale(maximumInstanceCount, instanceMemoryMB);
    const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
    const childOpts: pulumi.CustomResourceOptions = { parent: this };
    const privateStorage = args.network?.privateStorage;

    const account = new StorageAccount(
      `${name}-storage`,
      {
        ...common,
        accountName: names.storageAccount,
        kind: "StorageV2",
        sku: { name: "Standard_LRS" },
        // Entra ID only: no account keys, no SAS, no anonymous blobs (the host and the deploy use the host identity).
        allowSharedKeyAccess: false,
        defaultToOAuthAuthentication: true,
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        minimumTlsVersion: "TLS1_2",
        enableHttpsTrafficOnly: true,
        // SAS tokens (none are used: shared keys are off) may live at most 7 days, and longer ones are refused:
        // what the built-in "Storage SAS tokens should adhere to 7 day maximum validity" requires
        // (sasPolicy.sasExpirationPeriod at most 7 days, expirationAction "Block"). No keyPolicy: the account keys
        // are unusable with shared keys off, and an expiry without rotation would only make them "expired".
        sasPolicy: { sasExpirationPeriod: SAS_EXPIRATION_PERIOD, expirationAction: "Block" },
        ...(args.infrastructureEncryption
          ? { encryption: { keySource: "Microsoft.Storage", requireInfrastructureEncryption: true } }
          : {}),
        // Private storage (`networkRuleSet` is ARM's networkAcls): no public endpoint; the host reaches it through the
        // app's VNet integration and the blob and table private endpoints (Azure-Samples/functions-quickstart-javascript-azd
        // infra/main.bicep, vnetEnabled: publicNetworkAccess Disabled, networkAcls Deny). Bypass AzureServices, which
        // the built-in "Storage accounts should allow access from trusted Microsoft services" (c9d007d0) asks for:
        // trusted services still need an Entra role here, as shared keys are off.
        ...(privateStorage
          ? { publicNetworkAccess: "Disabled", networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" } }
          : {}),
      },
      // Infrastructure encryption is chosen at creation only: changing it replaces the account.
      { ...childOpts, replaceOnChanges: ["encryption.requireInfrastructureEncryption"] },
    );
    const container = new BlobContainer(
      `${name}-package-container`,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        containerName: DEPLOYMENT_CONTAINER,
        publicAccess: "None",
      },
      childOpts,
    );

    // The host identity exists before the site, so its roles are granted (and start propagating) before the site is
    // created, and long before the code deploy asks the platform to write the package with it.
    const hostIdentity = new UserAssignedIdentity(
      `${name}-host-identity`,
      { ...common, resourceName: names.hostIdentity },
      childOpts,
    );
    const hostGrant = (suffix: string, scope: pulumi.Input<string>, roleGuid: string, description: string) =>
      assignRole(
        `${name}-${suffix}`,
        {
          scope,
          roleGuid,
          principalId: hostIdentity.principalId,
          principalType: "ServicePrincipal",
          subscriptionId: args.subscriptionId,
          description: `Function app ${names.app} host identity: ${description}`,
        },
        childOpts,
      );
    // Host storage by identity (learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity):
    // Storage Blob Data Owner for the host's blobs and the deployment package; Storage Table Data Contributor because
    // the host writes its diagnostic events to Table storage (diagnostic event AZFD0003,
    // learn.microsoft.com/azure/azure-functions/errors-diagnostics/diagnostic-events/azfd0003). No queue role: the
    // queue service is only needed by blob triggers and other queue-based bindings, and this app has one HTTP function.
    const storageGrants = [
      hostGrant(
        "storage-blob-data-owner",
        account.id,
        BUILT_IN_ROLES.StorageBlobDataOwner,
        "host storage and deployment package",
      ),
      hostGrant(
        "storage-table-data-contributor",
        account.id,
        BUILT_IN_ROLES.StorageTableDataContributor,
        "host diagnostic events",
      ),
    ];

    // One private endpoint per storage service the host uses, each with its zone group (the A record in the zone).
    const storageEndpoints = privateStorage
      ? PRIVATE_STORAGE_SERVICES.flatMap((service) => {
          const endpoint = new PrivateEndpoint(
            `${name}-storage-${service}-endpoint`,
            {
              ...common,
              privateEndpointName: `pe-${names.storageAccount}-${service}`,
              subnet: { id: privateStorage.privateEndpointSubnetId },
              privateLinkServiceConnections: [{ name: service, privateLinkServiceId: account.id, groupIds: [service] }],
            },
            childOpts,
          );
          const zoneGroup = new PrivateDnsZoneGroup(
            `${name}-storage-${service}-dns`,
            {
              resourceGroupName: args.resourceGroupName,
              privateEndpointName: endpoint.name,
              privateDnsZoneGroupName: "default",
              privateDnsZoneConfigs: [
                {
                  name: service,
                  privateDnsZoneId: service === "blob" ? privateStorage.blobDnsZoneId : privateStorage.tableDnsZoneId,
                },
              ],
            },
            childOpts,
          );
          return [endpoint, zoneGroup];
        })
      : [];

    const plan = new AppServicePlan(
      `${name}-plan`,
      {
        ...common,
        name: names.plan,
        kind: "functionapp",
        sku: { name: "FC1", tier: "FlexConsumption" },
        reserved: true, // Linux: Flex Consumption has no Windows hosting
      },
      childOpts,
    );

    const app = new WebApp(
      `${name}-app`,
      {
        ...common,
        name: names.app,
        kind: "functionapp,linux",
        serverFarmId: plan.id,
        // System-assigned: the identity the function code calls the model with. User-assigned: the host's storage.
        identity: { type: "SystemAssigned, UserAssigned", userAssignedIdentities: [hostIdentity.id] },
        httpsOnly: true,
        // No `siteConfig` at all, on purpose. The SDK fills any siteConfig with netFrameworkVersion "v4.6",
        // http20Enabled and localMySqlEnabled (siteConfigArgsProvideDefaults in @pulumi/azure-native
        // types/input.js), and Flex sites in several regions reject NetFrameworkVersion and FtpsState with 400
        // (pulumi/pulumi-azure-native#4168, microsoft/azure-pipelines-tasks#21032). App settings go through
        // WebAppApplicationSettings instead; minimum TLS stays the platform default, 1.2; FTP is unusable because
        // basic-auth publishing is off below.
        functionAppConfig: {
          deployment: {
            storage: {
              type: "blobContainer",
              value: pulumi.interpolate`${account.primaryEndpoints.blob}${DEPLOYMENT_CONTAINER}`,
              authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: hostIdentity.id },
            },
          },
          runtime: { name: "node", version: args.nodeVersion ?? DEFAULT_NODE_VERSION },
          scaleAndConcurrency: { maximumInstanceCount, instanceMemoryMB },
        },
        // Outbound VNet integration as Microsoft's Flex sample sets it: the subnet only
        // (Azure-Samples/functions-quickstart-javascript-azd infra/app/api.bicep, virtualNetworkSubnetId). Private
        // addresses (the account's and storage's private endpoints, resolved through the zones linked to the VNet)
        // go through the VNet. No `outboundVnetRouting.allTraffic`: no Flex sample sets it, and forced tunnelling
        // of configuration traffic is reported to break managed identity tokens (Azure/Azure-Functions#2653).
        ...(args.network ? { virtualNetworkSubnetId: args.network.integrationSubnetId } : {}),
      },
      // The site starts its host at once: its storage roles (and, when private, the storage's private endpoints and
      // their DNS records) must exist first.
      { ...childOpts, dependsOn: [container, ...storageGrants, ...storageEndpoints] },
    );
    const principalId = app.identity.apply((identity) => {
      if (!identity?.principalId)
        throw new Error(`Function app ${names.app} came back without a system-assigned identity`);
      return identity.principalId;
    });

    // Basic-auth publishing credentials off for FTP and for the SCM (Kudu) site: deploys use Entra tokens.
    const ftpPolicy = new WebAppFtpAllowed(
      `${name}-ftp-basic-auth`,
      { resourceGroupName: args.resourceGroupName, name: app.name, allow: false },
      childOpts,
    );
    const scmPolicy = new WebAppScmAllowed(
      `${name}-scm-basic-auth`,
      { resourceGroupName: args.resourceGroupName, name: app.name, allow: false },
      childOpts,
    );

    const telemetry =
      args.appInsights === false ? undefined : this.telemetry(name, args, names, hostIdentity.principalId, common);

    const appSettings = new WebAppApplicationSettings(
      `${name}-app-settings`,
      {
        resourceGroupName: args.resourceGroupName,
        name: app.name,
        properties: {
          // Identity-based host storage with the user-assigned identity (functions-reference, "Connecting to host
          // storage with an identity": `__credential` managedidentity and `__clientId` select a user-assigned one).
          AzureWebJobsStorage__accountName: account.name,
          AzureWebJobsStorage__credential: "managedidentity",
          AzureWebJobsStorage__clientId: hostIdentity.clientId,
          AZURE_OPENAI_ENDPOINT: args.openAi.endpoint,
          AZURE_OPENAI_DEPLOYMENT: args.openAi.deployment,
          ...(telemetry
            ? {
                APPLICATIONINSIGHTS_CONNECTION_STRING: telemetry.connectionString,
                // Entra ingestion with the host identity (functions-app-settings, APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
                // `ClientId=<client ID>;Authorization=AAD` for a user-assigned identity); the component refuses anything else.
                APPLICATIONINSIGHTS_AUTHENTICATION_STRING: pulumi.interpolate`ClientId=${hostIdentity.clientId};Authorization=AAD`,
              }
            : {}),
        },
      },
      { ...childOpts, dependsOn: [...storageGrants, ...(telemetry ? [telemetry.publisherRole] : [])] },
    );

    this.codeDeployment = args.codePackage
      ? this.deployCode(name, args.codePackage, app, [appSettings, ...storageGrants, ftpPolicy, scmPolicy])
      : undefined;

    this.appName = app.name;
    this.appId = app.id;
    this.defaultHostName = app.defaultHostName;
    this.principalId = principalId;
    this.hostIdentityPrincipalId = hostIdentity.principalId;
    this.hostIdentityClientId = hostIdentity.clientId;
    this.hostIdentityName = hostIdentity.name;
    this.storageAccountName = account.name;
    this.storageAccountId = account.id;
    this.appInsightsName = telemetry?.name;

    this.registerOutputs({
      appName: this.appName,
      appId: this.appId,
      defaultHostName: this.defaultHostName,
      principalId: this.principalId,
      hostIdentityPrincipalId: this.hostIdentityPrincipalId,
      hostIdentityClientId: this.hostIdentityClientId,
      hostIdentityName: this.hostIdentityName,
      storageAccountName: this.storageAccountName,
      storageAccountId: this.storageAccountId,
      appInsightsName: this.appInsightsName,
    });
  }

  /** Workspace-based Application Insights that accepts only Entra-authenticated telemetry, and the host identity's role on it. */
  private telemetry(
    name: string,
    args: FunctionAppArgs,
    names: FunctionAppNames,
    principalId: pulumi.Output<string>,
    common: Pick<FunctionAppArgs, "resourceGroupName" | "location" | "tags">,
  ) {
    const childOpts: pulumi.CustomResourceOptions = { parent: this };
    const workspaceId =
      args.logAnalyticsWorkspaceId ??
      new LogAnalyticsWorkspace(
        `${name}-logs`,
        {
          ...common,
          workspaceName: names.logWorkspace,
          sku: { name: "PerGB2018" },
          retentionInDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
          // Entra-authenticated ingestion only (built-in "Log Analytics Workspaces should block non-Azure Active
          // Directory based ingestion": features.disableLocalAuth).
          features: { disableLocalAuth: true },
        },
        childOpts,
      ).id;
    const component = new AppInsightsComponent(
      `${name}-appinsights`,
      {
        ...common,
        resourceName: names.appInsights,
        kind: "web",
        applicationType: "web",
        workspaceResourceId: workspaceId,
        ingestionMode: "LogAnalytics",
        // Instrumentation-key ingestion off: only Entra-authenticated telemetry is accepted
        // (learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication).
        disableLocalAuth: true,
      },
      childOpts,
    );
    // "Monitoring Metrics Publisher" publishes all telemetry, despite its name (same doc).
    const publisherRole = assignRole(
      `${name}-monitoring-metrics-publisher`,
      {
        scope: component.id,
        roleGuid: BUILT_IN_ROLES.MonitoringMetricsPublisher,
        principalId,
        principalType: "ServicePrincipal",
        subscriptionId: args.subscriptionId,
        description: `Function app ${names.app}: Entra-authenticated telemetry`,
      },
      childOpts,
    );
    return { name: component.name, connectionString: component.connectionString, publisherRole };
  }

  /**
   * One deploy of the package with the deployer's Entra token (`scripts/publish-function-app.ts`). The package hash is
   * the trigger, so the deploy runs on create and again exactly when the code changes.
   */
  private deployCode(
    name: string,
    codePackage: FunctionAppCodePackage,
    app: WebApp,
    dependsOn: pulumi.Resource[],
  ): local.Command {
    return new local.Command(
      `${name}-code-deploy`,
      {
        // Relative paths only: the command text stays the same on every machine, so it never causes a redeploy.
        create: "node --import tsx scripts/publish-function-app.ts",
        environment: {
          PUBLISH_SCM_HOST: app.defaultHostName.apply(scmHostName),
          PUBLISH_ZIP_PATH: codePackage.zipPath,
          PUBLISH_ZIP_SHA256: codePackage.sha256,
        },
        triggers: [codePackage.sha256, app.id],
      },
      { parent: this, dependsOn },
    );
  }
}
