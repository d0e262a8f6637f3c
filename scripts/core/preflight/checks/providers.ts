/**
 * Resource providers: every namespace whose resources this stack declares must be registered in the subscription,
 * or ARM refuses the first resource of that namespace with MissingSubscriptionRegistration (Learn, "Resolve errors
 * for resource provider registration"). Read with `providers.list` (GET /subscriptions/{id}/providers); `--fix`
 * registers with `providers.register` (POST .../providers/{namespace}/register), which needs
 * `*\/register/action` on the subscription (Contributor has it).
 */

import { azureErrorVerdict, describeAzureError } from "../../azure-error";
import {
  ALWAYS_REGISTERED,
  namespaceOf,
  plannedTypes,
  UNKNOWN_TYPES_FIX,
  unknownTypesMessage,
} from "../../azure-types";
import type { PlannedAzureResource } from "../arm-body";
import { all, armClients } from "../azure";
import type { CheckResult, PreflightCheck } from "../types";

/** `delegations[].serviceName` of a planned subnet, or of a planned virtual network's inline subnets. */
function delegatedServices(resource: PlannedAzureResource): string[] {
  const subnets =
    resource.type === "azure-native:network:Subnet"
      ? [resource.inputs]
      : resource.type === "azure-native:network:VirtualNetwork" && Array.isArray(resource.inputs.subnets)
        ? (resource.inputs.subnets as Record<string, unknown>[])
        : [];
  return subnets.flatMap((subnet) =>
    (Array.isArray(subnet.delegations) ? (subnet.delegations as { serviceName?: unknown }[]) : []).flatMap(
      (delegation) => (typeof delegation.serviceName === "string" ? [delegation.serviceName] : []),
    ),
  );
}

/**
 * The namespaces the planned resources live in, and those a subnet delegation needs, sorted, without ARM's core
 * namespaces (always registered). A subnet delegated to a service needs the service's provider registered though no
 * resource of it is created: Flex Consumption's VNet integration delegates to `Microsoft.App/environments` and needs
 * Microsoft.App ("needed for subnet delegation", azure-docs articles/azure-functions/functions-networking-options.md;
 * Azure/bicep#16340). `unknown`: planned Azure types without a row in the type registry.
 */
export function providersNeeded(resources: readonly PlannedAzureResource[]): {
  namespaces: string[];
  unknown: string[];
} {
  const { rows, unknown } = plannedTypes(resources);
  const core: readonly string[] = ALWAYS_REGISTERED;
  const delegated = resources.flatMap(delegatedServices).map((service) => service.split("/")[0] ?? service);
  const namespaces = [...rows.map(({ row }) => namespaceOf(row)), ...delegated].filter(
    (namespace) => !core.includes(namespace),
  );
  return { namespaces: [...new Set(namespaces)].sort(), unknown };
}

export const providersCheck: PreflightCheck = async (context) => {
  const resources = armClients(context).resources();
  const { namespaces: required, unknown } = providersNeeded(await context.plannedResources());
  const notChecked: CheckResult[] =
    unknown.length === 0
      ? []
      : [
          {
            check: "providers",
            status: "warn",
            found: unknownTypesMessage(unknown, "namespace"),
            fix: UNKNOWN_TYPES_FIX,
          },
        ];
  const states = new Map<string, string>();
  for (const provider of await all(resources.providers.list())) {
    if (provider.namespace) states.set(provider.namespace.toLowerCase(), provider.registrationState ?? "Unknown");
  }
  const stateOf = (namespace: string) => states.get(namespace.toLowerCase()) ?? "NotRegistered";
  const missing = required.filter((namespace) => stateOf(namespace) !== "Registered");
  if (missing.length === 0) {
    return [
      ...notChecked,
      {
        check: "providers",
        status: "pass",
        found: `all ${required.length} resource providers the stack uses are registered (${required.join(", ")})`,
      },
    ];
  }
  const registerCommands = missing.map((namespace) => `az provider register --namespace ${namespace}`).join(" && ");
  if (!context.fix) {
    const registering = missing.filter((namespace) => stateOf(namespace) === "Registering");
    const described = missing.map((namespace) => `${namespace} (${stateOf(namespace)})`).join(", ");
    return [
      ...notChecked,
      {
        check: "providers",
        status: registering.length === missing.length ? "warn" : "fail",
        found: `not registered in subscription ${context.subscriptionId}: ${described}`,
        fix:
          registering.length === missing.length
            ? "registration is under way; re-run preflight in a few minutes"
            : `npm run preflight -- --stack ${context.stack} --fix (or ${registerCommands})`,
      },
    ];
  }
  const results: CheckResult[] = [...notChecked];
  const started: string[] = [];
  for (const namespace of missing) {
    try {
      const provider = await resources.providers.register(namespace);
      started.push(`${namespace} (${provider.registrationState ?? "Registering"})`);
    } catch (error) {
      const description = describeAzureError(error, context.now);
      results.push({
        check: "providers",
        status: "fail",
        found: `registering ${namespace} failed: ${azureErrorVerdict(description)}`,
        fix:
          description.kind === "rights"
            ? `ask someone with */register/action on the subscription (Contributor) to run: az provider register --namespace ${namespace}`
            : `${description.fix}; or az provider register --namespace ${namespace}`,
        detail: description.detail,
      });
    }
  }
  if (started.length > 0) {
    results.unshift({
      check: "providers",
      status: "warn",
      found: `--fix started registration: ${started.join(", ")}`,
      fix: "registration takes a few minutes; re-run preflight until it passes",
    });
  }
  return results;
};
