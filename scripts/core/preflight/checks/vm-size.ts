/**
 * The VM size: offered in the region, not restricted for this subscription, and able to run Trusted Launch when the
 * stack turns it on. Asked with `resourceSkus.list` (GET /subscriptions/{id}/providers/Microsoft.Compute/skus with
 * `$filter=location eq '{region}'`). A restriction of type Location naming the region (reasonCode
 * NotAvailableForSubscription or QuotaId) means ARM refuses the VM with SkuNotAvailable (Learn, "Resolve errors for
 * SKU not available"). Trusted Launch needs a Generation 2 size (`HyperVGenerations` lists V2) whose capabilities do
 * not say `TrustedLaunchDisabled` = True (Learn, "Trusted launch FAQ": how can I find VM sizes that support it).
 */
import type { ResourceSku } from "@azure/arm-compute";
import { all, armClients, regionName } from "../azure";
import type { PreflightCheck } from "../types";

function capability(sku: ResourceSku, name: string): string | undefined {
  return sku.capabilities?.find((entry) => entry.name?.toLowerCase() === name.toLowerCase())?.value;
}

/** True when the size can run Trusted Launch: a Gen2 size not marked TrustedLaunchDisabled. */
export function supportsTrustedLaunch(sku: ResourceSku): boolean {
  const generations = (capability(sku, "HyperVGenerations") ?? "").toUpperCase().split(",");
  return generations.includes("V2") && capability(sku, "TrustedLaunchDisabled")?.toLowerCase() !== "true";
}

/** The restriction that stops this subscription from using the size in the region, if any. */
export function regionRestriction(sku: ResourceSku, location: string) {
  return sku.restrictions?.find(
    (restriction) =>
      restriction.type === "Location" &&
      [...(restriction.values ?? []), ...(restriction.restrictionInfo?.locations ?? [])].some(
        (value) => regionName(value) === location,
      ),
  );
}

export const vmSizeCheck: PreflightCheck = async (context) => {
  const { kind, vm } = context.config.compute;
  if (kind !== "vm" && kind !== "both") {
    return [{ check: "vm-size", status: "pass", found: `compute = ${kind}: the stack has no VM` }];
  }
  const location = regionName(context.config.location);
  const skus = await all(
    armClients(context)
      .compute()
      .resourceSkus.list({ filter: `location eq '${location}'` }),
  );
  const vmSkus = skus.filter((sku) => sku.resourceType === "virtualMachines");
  const sku = vmSkus.find((candidate) => candidate.name?.toLowerCase() === vm.size.toLowerCase());
  const usable = vmSkus.filter(
    (candidate) => !regionRestriction(candidate, location) && (!vm.trustedLaunch || supportsTrustedLaunch(candidate)),
  );
  const alternatives = usable
    .map((candidate) => candidate.name ?? "")
    .filter((name) => /^Standard_B/i.test(name))
    .slice(0, 5);
  const pick = alternatives.length > 0 ? ` (usable here: ${alternatives.join(", ")})` : "";
  const setSize = `npm run pulumi -- config set vmSize SIZE --stack ${context.stack}${pick}`;
  if (!sku) {
    return [
      {
        check: "vm-size",
        status: "fail",
        found: `VM size ${vm.size} is not offered in ${location}`,
        fix: setSize,
      },
    ];
  }
  const restriction = regionRestriction(sku, location);
  if (restriction) {
    return [
      {
        check: "vm-size",
        status: "fail",
        found: `VM size ${vm.size} is restricted in ${location} for subscription ${context.subscriptionId} (${restriction.reasonCode ?? "restricted"}): ARM would answer SkuNotAvailable`,
        fix: `${setSize}; or request access for the size (Azure portal, Help + support: "Compute-VM (cores-vCPUs) subscription limit increases" / region access)`,
      },
    ];
  }
  if (vm.trustedLaunch && !supportsTrustedLaunch(sku)) {
    return [
      {
        check: "vm-size",
        status: "fail",
        found: `VM size ${vm.size} does not support Trusted Launch (HyperVGenerations ${capability(sku, "HyperVGenerations") ?? "unknown"}, TrustedLaunchDisabled ${capability(sku, "TrustedLaunchDisabled") ?? "absent"}), which vmTrustedLaunch turns on`,
        fix: `${setSize}; or, for this size only, npm run pulumi -- config set vmTrustedLaunch false --stack ${context.stack}`,
      },
    ];
  }
  return [
    {
      check: "vm-size",
      status: "pass",
      found: `VM size ${vm.size} is offered in ${location} without restrictions for this subscription${vm.trustedLaunch ? " and supports Trusted Launch" : ""}`,
    },
  ];
};
