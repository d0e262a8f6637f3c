/**
 * Flex Consumption is not offered in every region. Asked the way the Azure tools ask: the App Service geo regions of
 * the subscription filtered by SKU (`listGeoRegions({ sku: "FlexConsumption" })`, GET /subscriptions/{id}/providers/
 * Microsoft.Web/geoRegions?sku=FlexConsumption; microsoft/vscode-azurefunctions
 * src/commands/createFunctionApp/FunctionAppHostingPlanStep.ts `getFlexLocations`, the call behind
 * `az functionapp list-flexconsumption-locations`). Geo regions are named by display name ("Sweden Central").
 */
import { all, armClients, regionName } from "../azure";
import type { PreflightCheck } from "../types";

export const flexConsumptionCheck: PreflightCheck = async (context) => {
  const { kind, functionApp } = context.config.compute;
  if (kind !== "functionApp" && kind !== "both") {
    return [{ check: "flex-consumption", status: "pass", found: `compute = ${kind}: the stack has no Function App` }];
  }
  const location = regionName(functionApp.location);
  const regions = await all(armClients(context).web().listGeoRegions({ sku: "FlexConsumption" }));
  const offered = [
    ...new Set(
      regions.flatMap((region) => [region.name, region.displayName].flatMap((name) => name ?? [])).map(regionName),
    ),
  ].sort();
  if (offered.includes(location)) {
    return [
      {
        check: "flex-consumption",
        status: "pass",
        found: `Flex Consumption is offered in ${location}, the Function App's region`,
      },
    ];
  }
  return [
    {
      check: "flex-consumption",
      status: "fail",
      found: `Flex Consumption is not offered in ${location} for this subscription (offered in ${offered.length} regions: ${offered.join(", ") || "none"})`,
      fix: `run the Function App elsewhere: npm run pulumi -- config set functionAppLocation REGION --stack ${context.stack} (one of the regions above), or compute vm`,
    },
  ];
};
