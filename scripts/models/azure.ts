/**
 * Where `npm run models` and `npm run deploy` reach Azure: the subscription `pulumi up` deploys into and the signed-in
 * identity. azure-native reads the subscription from ARM_SUBSCRIPTION_ID, else the Azure CLI's default subscription
 * (Pulumi azure-native installation & configuration page); the same order is used here so the catalogue that is
 * asked is the one of the subscription that will deploy.
 */
import { execFileSync } from "node:child_process";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import type { TokenCredential } from "@azure/core-auth";
import { ARM_SCOPE } from "../../lib/constants";

/** Resource Manager of the public cloud. */
export const PUBLIC_ARM_ENDPOINT = "https://management.azure.com";

/** ARM endpoint: `KEYLESS_ARM_ENDPOINT` when set (a proxy, or a stand-in in tests), else the public cloud's. */
export function armEndpointFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.KEYLESS_ARM_ENDPOINT || PUBLIC_ARM_ENDPOINT;
}

/** ARM_SUBSCRIPTION_ID, AZURE_SUBSCRIPTION_ID, else `az account show`'s subscription. */
export function subscriptionFrom(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnvironment = env.ARM_SUBSCRIPTION_ID || env.AZURE_SUBSCRIPTION_ID;
  if (fromEnvironment) return fromEnvironment;
  try {
    return execFileSync("az", ["account", "show", "--query", "id", "--output", "tsv"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } catch (error) {
    throw new Error(
      "no subscription: set ARM_SUBSCRIPTION_ID, or sign in with `az login` (and `az account set --subscription ID`)",
      { cause: error },
    );
  }
}

/** The Cognitive Services management client for the catalogue, with ARM's token audience wherever ARM is. */
export function catalogueClient(
  credential: TokenCredential,
  subscriptionId: string,
  armEndpoint: string,
): CognitiveServicesManagementClient {
  return new CognitiveServicesManagementClient(credential, subscriptionId, {
    endpoint: armEndpoint,
    credentialScopes: [ARM_SCOPE],
  });
}
