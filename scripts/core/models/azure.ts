/**
 * Where `npm run models` and `npm run deploy` reach Azure: the subscription `pulumi up` deploys into (so the catalogue
 * and quota asked are those of the subscription that will deploy); the ARM endpoint is scripts/core/arm-endpoint.ts's.
 */
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import type { TokenCredential } from "@azure/core-auth";
import { ARM_SCOPE } from "../../../lib/constants";
import { readAzAccount, resolveSubscription } from "../preflight/target";
import { readStackConfig } from "../stack-config";

/**
 * The subscription `pulumi up` deploys into, in azure-native's order (stack config `azure-native:subscriptionId`, else
 * ARM_SUBSCRIPTION_ID, else the Azure CLI's active subscription): the same rule preflight applies.
 */
export async function subscriptionFor(projectDir: string, stack: string, env: NodeJS.ProcessEnv): Promise<string> {
  const resolved = await resolveSubscription(readStackConfig(projectDir, stack).values, env, readAzAccount);
  if (!resolved)
    throw new Error(
      "no subscription: set azure-native:subscriptionId in the stack's config or ARM_SUBSCRIPTION_ID, or sign in with `az login` (and `az account set --subscription ID`)",
    );
  return resolved.subscriptionId;
}

/**
 * The Cognitive Services management client for the catalogue, with ARM's token audience wherever ARM is. `maxRetries`
 * caps the client's own retries of 429 (after Retry-After) and 5xx answers (@azure/core-rest-pipeline default 3).
 */
export function catalogueClient(
  credential: TokenCredential,
  subscriptionId: string,
  armEndpoint: string,
  maxRetries?: number,
): CognitiveServicesManagementClient {
  return new CognitiveServicesManagementClient(credential, subscriptionId, {
    endpoint: armEndpoint,
    credentialScopes: [ARM_SCOPE],
    ...(maxRetries === undefined ? {} : { retryOptions: { maxRetries } }),
  });
}
