/**
 * The stack's regions exist for this subscription. Config only checks a region name's shape (lib/config.ts): which
 * regions exist, and which a subscription may use, is Azure's answer, read with `subscriptions.listLocations`
 * (GET /subscriptions/{id}/locations, Learn "Subscriptions - List Locations", api-version 2022-12-01: `name`,
 * `displayName`, `metadata.regionType` Physical / Logical). A logical region (a geography such as `europe`) holds no
 * resources, so only physical ones count.
 */
import { didYouMean } from "../../../../lib/suggest";
import { all, armClients } from "../azure";
import type { CheckResult, PreflightCheck } from "../types";

export const locationCheck: PreflightCheck = async (context) => {
  const { location, compute } = context.config;
  const listed = await all(armClients(context).subscriptions().subscriptions.listLocations(context.subscriptionId));
  const physical = listed
    .filter((region) => region.metadata?.regionType === undefined || region.metadata.regionType === "Physical")
    .flatMap((region) => (region.name ? [region.name.toLowerCase()] : []))
    .sort();
  const wanted = [{ key: "location", region: location }];
  if ((compute.kind === "functionApp" || compute.kind === "both") && compute.functionApp.location !== location) {
    wanted.push({ key: "functionAppLocation", region: compute.functionApp.location });
  }
  return wanted.map(({ key, region }): CheckResult => {
    if (physical.includes(region)) {
      return { check: "location", status: "pass", found: `${key} = ${region} is a region of this subscription` };
    }
    return {
      check: "location",
      status: "fail",
      found: `${key} = ${region} is not a region this subscription can deploy to${didYouMean(region, physical) || ` (it lists ${physical.length} regions)`}`,
      fix: `npm run pulumi -- config set ${key} REGION --stack ${context.stack} (az account list-locations -o table lists the regions)`,
    };
  });
};
