/**
 * The account's custom subdomain is global and immutable. ARM answers CustomDomainInUse for a name another account
 * holds, and FlagMustBeSetForRestore while a soft-deleted account of this subscription holds it (kept 48 hours;
 * Learn, "Recover or purge deleted Azure AI services resources"). Asked with `deletedAccounts.list`
 * (GET /subscriptions/{id}/providers/Microsoft.CognitiveServices/deletedAccounts), `accounts.get` and
 * `checkDomainAvailability` (POST .../providers/Microsoft.CognitiveServices/checkDomainAvailability; REST example
 * CheckDomainAvailability.json, 2025-09-01: `{subdomainName, type}` in, `{isSubdomainAvailable, reason}` out, and
 * `reason` says whether the name is taken or invalid).
 */
import type { Account } from "@azure/arm-cognitiveservices";
import { armStatus } from "../../azure-error";
import { all, armClients, regionName } from "../azure";
import type { CheckResult, PreflightCheck } from "../types";

const ACCOUNT_TYPE = "Microsoft.CognitiveServices/accounts";

/** Location and resource group of a deleted account, from its ID (…/locations/{l}/resourceGroups/{rg}/deletedAccounts/{n}). */
function deletedAccountPlace(account: Account): { location: string; resourceGroup: string } {
  const match = /\/locations\/([^/]+)\/resourceGroups\/([^/]+)\/deletedAccounts\//i.exec(account.id ?? "");
  return {
    location: regionName(match?.[1] ?? account.location ?? ""),
    resourceGroup: match?.[2] ?? "",
  };
}

/**
 * The custom subdomain a deleted account held: its customSubDomainName, else the first label of an endpoint on a
 * custom-subdomain host (`https://{subdomain}.openai.azure.com/`, `.cognitiveservices.azure.com`). A regional endpoint
 * (`https://westus.api.cognitive.microsoft.com/...`, as in the GetDeletedAccount.json example) holds none.
 */
function heldSubdomain(account: Account): string | undefined {
  const custom = account.properties?.customSubDomainName;
  if (custom) return custom.toLowerCase();
  const host = /^https:\/\/([^./]+)\.(?:openai\.azure\.com|cognitiveservices\.azure\.com)\//i.exec(
    account.properties?.endpoint ?? "",
  );
  return host?.[1]?.toLowerCase();
}

export const subdomainCheck: PreflightCheck = async (context) => {
  const subdomain = context.config.accountSubdomain;
  const { stack, resourceGroupName } = context.config;
  if (subdomain === undefined) {
    return [
      {
        check: "subdomain",
        status: "pass",
        found: `the subdomain is derived (${context.config.project}-${stack}-<random suffix>): the suffix is drawn on the first deploy and kept in state, so there is nothing to check before it`,
        fix: `to check a fixed name before the first deploy: npm run pulumi -- config set accountSubdomain NAME --stack ${stack}`,
      },
    ];
  }
  const client = armClients(context).cognitiveServices();
  // Blocked by a deleted account that held the subdomain, or that had the account's name in the stack's group.
  const deleted = (await all(client.deletedAccounts.list())).filter(
    (account) =>
      heldSubdomain(account) === subdomain ||
      (account.name?.toLowerCase() === subdomain &&
        deletedAccountPlace(account).resourceGroup.toLowerCase() === resourceGroupName.toLowerCase()),
  );
  if (deleted.length > 0) {
    return deleted.map((account): CheckResult => {
      const place = deletedAccountPlace(account);
      const ownGroup = place.resourceGroup.toLowerCase() === resourceGroupName.toLowerCase();
      return {
        check: "subdomain",
        status: "fail",
        found: `subdomain ${subdomain} is held by the soft-deleted account ${account.name} (location ${place.location}, resource group ${place.resourceGroup}) of this subscription: creating it again fails with FlagMustBeSetForRestore for up to 48 hours after the delete`,
        fix: `purge it: az cognitiveservices account purge --location ${place.location} --resource-group ${place.resourceGroup} --name ${account.name}${ownGroup ? ` (or npm run destroy -- --stack ${stack}, which purges what this stack deleted)` : ""}; or choose another accountSubdomain`,
      };
    });
  }
  try {
    await client.accounts.get(resourceGroupName, subdomain);
    return [
      {
        check: "subdomain",
        status: "pass",
        found: `account ${subdomain} already exists in resource group ${resourceGroupName}: the stack's own account (already deployed), so its subdomain is in use by it`,
      },
    ];
  } catch (error) {
    if (armStatus(error) !== 404) throw error;
  }
  const availability = await client.checkDomainAvailability(subdomain, ACCOUNT_TYPE);
  if (availability.isSubdomainAvailable) {
    return [{ check: "subdomain", status: "pass", found: `subdomain ${subdomain} is available` }];
  }
  return [
    {
      check: "subdomain",
      status: "fail",
      found: `accountSubdomain = ${subdomain} ${unavailableBecause(availability.reason)}`,
      fix: `choose another: npm run pulumi -- config set accountSubdomain NEW-NAME --stack ${stack} (or remove it to derive a unique one)`,
    },
  ];
};

/**
 * Why Azure said no. `isSubdomainAvailable` is false both for a name another account holds ("Sub domain name
 * 'my-custom-name' is already used. Please pick a different name.", MicrosoftDocs/azure-ai-docs
 * articles/ai-services/speech-service/speech-services-private-link.md) and for one Azure does not accept ("Sub domain
 * name 'contosodemoapp1' is not valid", azure-rest-api-specs cognitiveservices 2025-09-01
 * examples/CheckDomainAvailability.json); only `reason` tells them apart.
 */
function unavailableBecause(reason: string | undefined): string {
  const quoted = reason ? `: Azure says "${reason}"` : "";
  if (reason && /\bis not valid\b/i.test(reason)) return `is not a name Azure accepts as a custom subdomain${quoted}`;
  if (reason && /\balready used\b/i.test(reason))
    return `is taken${quoted} (custom subdomains are global: another account, in any subscription, holds it)`;
  return `is not available${quoted || " (Azure gave no reason)"}`;
}
