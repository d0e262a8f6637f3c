/**
 * Resource providers: every namespace whose resources this stack declares must be registered in the subscription,
 * or ARM refuses the first resource of that namespace with MissingSubscriptionRegistration (Learn, "Resolve errors
 * for resource provider registration"). Read with `providers.list` (GET /subscriptions/{id}/providers); `--fix`
 * registers with `providers.register` (POST .../providers/{namespace}/register), which needs
 * `*\/register/action` on the subscription (Contributor has it).
 */
import type { PlannedAzureResource } from "../arm-body";
import { all, armClients, armStatus } from "../azure";
import { ALWAYS_REGISTERED, plannedTypes, UNKNOWN_TYPES_FIX, unknownTypesMessage } from "../resource-types";
import type { CheckResult, PreflightCheck } from "../types";

/**
 * The namespaces the planned resources live in, sorted, without ARM's core namespaces (always registered).
 * `unknown`: planned Azure types without a row in RESOURCE_TYPES.
 */
export function providersNeeded(resources: readonly PlannedAzureResource[]): {
  namespaces: string[];
  unknown: string[];
} {
  const { rows, unknown } = plannedTypes(resources);
  const core: readonly string[] = ALWAYS_REGISTERED;
  const namespaces = rows.map(({ row }) => row.namespace).filter((namespace) => !core.includes(namespace));
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
      results.push({
        check: "providers",
        status: "fail",
        found: `registering ${namespace} failed: ${error instanceof Error ? error.message : String(error)}`,
        fix:
          armStatus(error) === 403
            ? `ask someone with */register/action on the subscription (Contributor) to run: az provider register --namespace ${namespace}`
            : `az provider register --namespace ${namespace}`,
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
