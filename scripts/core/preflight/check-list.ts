/**
 * The preflight checks as `npm run preflight -- --help` and docs/preflight.md describe them, in report order, apart
 * from their code (run.ts attaches it by id): the help lists them without loading the Azure SDKs.
 */

/** A check as `--help` knows it. */
export interface CheckDescription {
  /** The `check` id its results carry. */
  id: string;
  /** What it asks Azure and what makes it fail, for `--help` and docs/preflight.md. */
  describes: string;
}

/** The two steps that run before any other check: without them there is nothing to check with. */
export const FIRST_STEPS = [
  {
    id: "config",
    describes:
      "Pulumi.yaml + Pulumi.<stack>.yaml read as pulumi up reads them and validated by lib/config.ts (every problem at once, including network settings that would lock the stack's identities out). No Azure call.",
  },
  {
    id: "identity",
    describes:
      "who is signed in (object ID, user or service principal, UPN or app ID, from the ARM token's claims), the tenant, and the subscription pulumi up will use (azure-native:subscriptionId, else ARM_SUBSCRIPTION_ID, else az account show): its name and state (subscriptions.get). Fails when the subscription is not visible or not Enabled.",
  },
] as const satisfies readonly CheckDescription[];

/** Every check after the first two, in report order. */
export const CHECK_LIST = [
  {
    id: "location",
    describes:
      "location (and functionAppLocation) is a physical region this subscription lists (subscriptions.listLocations); config only checks the name's shape, so a region Azure opens later works at once.",
  },
  {
    id: "providers",
    describes:
      "the resource providers of every resource the stack plans (its program run offline with its config) are Registered (providers.list); --fix registers the missing ones (providers.register). A planned type preflight has no namespace for is a warning.",
  },
  {
    id: "resource-rights",
    describes:
      "the signed-in identity may create every resource type the stack plans for its config (the write action of each, e.g. Microsoft.CognitiveServices/accounts/write, Microsoft.Authorization/locks/write on a protected stack, and the resource group's own before it exists), read the same way as the role-assignment rights below. A planned type preflight has no write action for is a warning.",
  },
  {
    id: "role-assignment-rights",
    describes:
      "the signed-in identity may create role assignments (Microsoft.Authorization/roleAssignments/write) on the resource group: ARM's permissions list for the group (permissions.listForResourceGroup), or, before the group exists, its role assignments at the subscription (roleAssignments.listForSubscription) and their definitions (roleDefinitions.getById); actions/notActions wildcards evaluated as Azure RBAC does.",
  },
  {
    id: "purge-rights",
    describes:
      "warns when the identity may not purge deleted accounts on the subscription (Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete): a teardown would leave the subdomain blocked for 48 hours.",
  },
  {
    id: "model",
    describes:
      "every configured deployment's model version is open to new customers in the region with the configured SKU, not retiring within 90 days, and fits the quota left (models.list, usages.list); a problem comes with the deployable alternatives and the command that pins one (npm run models).",
  },
  {
    id: "subdomain",
    describes:
      "a fixed accountSubdomain is not held by a soft-deleted account of the subscription (deletedAccounts.list; says how to purge) and is available (checkDomainAvailability); a derived one cannot be checked before the first deploy.",
  },
  {
    id: "vm-size",
    describes:
      "vmSize is offered in the region without restrictions for this subscription and supports Trusted Launch when vmTrustedLaunch is on (resourceSkus.list with a location filter).",
  },
  {
    id: "flex-consumption",
    describes:
      "Flex Consumption is offered in the Function App's region (listGeoRegions with sku FlexConsumption, as az functionapp list-flexconsumption-locations).",
  },
  {
    id: "role-assignment-conflicts",
    describes:
      "no role assignment for the same principal, role and scope exists under a name this stack does not use (roleAssignments.listForResourceGroup): ARM would answer 409 RoleAssignmentExists; names it and gives the pulumi import command or the config entry to drop. Users given by UPN need a Graph look-up and are reported as not checked.",
  },
  {
    id: "azure-policy",
    describes:
      "Azure Policy's own evaluator (Microsoft.PolicyInsights/checkPolicyRestrictions, at the resource group when it exists, else at the subscription) finds no Deny for the ARM body of any planned resource; names the assignment, the definition and the field. A Deny resting only on values known after deploy, or a type without an ARM body mapping, is a warning.",
  },
] as const satisfies readonly CheckDescription[];

/** The id of a check after the first two. */
export type CheckId = (typeof CHECK_LIST)[number]["id"];
