/**
 * Purge of a soft-deleted Cognitive Services (Azure OpenAI) account through @azure/arm-cognitiveservices
 * (`deletedAccounts.beginPurgeAndWait`, DELETE /subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/
 * {location}/resourceGroups/{rg}/deletedAccounts/{name}, api-version 2025-09-01 in client 8.1.0; answers 200/202/204,
 * 202 is polled through Azure-AsyncOperation or Location by @azure/core-lro). Azure keeps a deleted account 48 h and
 * refuses its name with FlagMustBeSetForRestore until it is purged; azure-native never purges
 * (pulumi-azure-native#2529; Learn "Recover or purge deleted Azure AI services resources": 48 hours).
 */
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import type { TokenCredential } from "@azure/core-auth";
import { isRestError } from "@azure/core-rest-pipeline";
import { ARM_SCOPE } from "../../lib/constants";
import type { PurgeTarget } from "./record";

export type PurgeOutcome = "purged" | "not-found";

/** Where ARM is and how to reach it. */
export interface PurgeClientOptions {
  credential: TokenCredential;
  /** ARM endpoint; the public cloud's by default. */
  endpoint?: string;
}

/**
 * Purges the deleted account and waits for the long-running operation to finish. "Not found" means there is nothing
 * to purge (already purged, or the account was never soft-deleted) and counts as done. Transient 5xx/429 answers are
 * retried by the client's retry policy; anything else is thrown as the client's RestError.
 */
export async function purgeDeletedAccount(target: PurgeTarget, options: PurgeClientOptions): Promise<PurgeOutcome> {
  const client = new CognitiveServicesManagementClient(options.credential, target.subscriptionId, {
    endpoint: options.endpoint,
    // Token audience is ARM's even when the endpoint is moved (a stand-in, a proxy).
    credentialScopes: [ARM_SCOPE],
  });
  try {
    await client.deletedAccounts.beginPurgeAndWait(
      normalizeLocation(target.location),
      target.resourceGroupName,
      target.accountName,
    );
    return "purged";
  } catch (error) {
    if (isRestError(error) && error.statusCode === 404) return "not-found";
    throw error;
  }
}

/** ARM wants the location's name (`swedencentral`), outputs may hold the display name (`Sweden Central`). */
export function normalizeLocation(location: string): string {
  return location.replaceAll(" ", "").toLowerCase();
}

/** One line that says what went wrong and what to do about it. */
export function explainPurgeError(error: unknown): string {
  if (!isRestError(error)) return error instanceof Error ? error.message : String(error);
  const code = errorCode(error.details) ?? error.code ?? "";
  const base = `Azure answered ${error.statusCode ?? "no status"} ${code}: ${error.message}`;
  switch (error.statusCode) {
    case 401:
    case 403:
      // Permission named in Azure docs "Recover or purge deleted Azure AI services resources".
      return `${base}\n  The signed-in identity needs Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete on the subscription (for example Contributor).`;
    case 409:
      return `${base}\n  Another operation holds the deleted account; wait a few minutes and re-run.`;
    default:
      return base;
  }
}

function errorCode(details: unknown): string | undefined {
  if (typeof details !== "object" || details === null) return undefined;
  const inner = (details as { error?: { code?: unknown } }).error;
  return typeof inner?.code === "string" ? inner.code : undefined;
}
