/**
 * Keyless Azure OpenAI: an account only Entra ID tokens can reach, the identities that may call it, and the smoke
 * test that proves they can. Reads validated config, then composes the components.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as random from "@pulumi/random";
import { ModelAccess } from "./components/model-access";
import { OpenAiAccount } from "./components/openai-account";
import { deriveSubdomain, loadConfig } from "./lib/config";
import { DATA_PLANE_API_VERSION } from "./lib/constants";
import { configuredPrincipals } from "./lib/principals";

export = async () => {
  const config = loadConfig();
  const { project, stack } = config;
  const tags = { project, stack, "managed-by": "pulumi" };
  const client = await authorization.getClientConfig();

  const resourceGroup = new resources.ResourceGroup(
    "resource-group",
    { resourceGroupName: config.resourceGroupName, location: config.location, tags },
    { protect: config.protect },
  );

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

  const openai = new OpenAiAccount("openai", {
    resourceGroupName: resourceGroup.name,
    location: config.location,
    customSubdomain,
    publicNetworkAccess: config.network.publicNetworkAccess,
    allowedIpRanges: config.network.allowedIpRanges,
    deployments: config.deployments,
    protect: config.protect,
    tags,
  });

  const access = new ModelAccess("model-access", {
    subscriptionId: client.subscriptionId,
    scope: config.access.scope === "account" ? openai.accountId : resourceGroup.id,
    role: config.access.role,
    principals: configuredPrincipals(config.access, client.objectId),
  });

  const smokeTestCommands = [`npm run smoke -- --stack ${stack}`];
  const defaultDeployment = config.deployments[0]?.name;

  return {
    endpoint: openai.endpoint,
    accountName: openai.accountName,
    accountId: openai.accountId,
    resourceGroupName: resourceGroup.name,
    location: config.location,
    subscriptionId: client.subscriptionId,
    deploymentNames: openai.deploymentNames,
    defaultDeployment,
    apiVersion: DATA_PLANE_API_VERSION,
    roleAssignments: access.grants,
    protected: config.protect,
    testStack: config.testStack,
    compute: config.compute.kind,
    smokeTestCommands,
  };
};
