/**
 * Resource providers: every namespace whose resources this stack declares must be registered in the subscription,
 * or ARM refuses the first resource of that namespace with MissingSubscriptionRegistration (Learn, "Resolve errors
 * for resource provider registration"). Read with `providers.list` (GET /subscriptions/{id}/providers); `--fix`
 * registers with `providers.register` (POST .../providers/{namespace}/register), which needs
 * `*\/register/action` on the subscription (Contributor has it).
 */
import type { ComputeKind } from "../../../lib/config";
import { all, armClients, armStatus } from "../azure";
import type { CheckResult, PreflightCheck } from "../types";

/**
 * Namespaces of the azure-native modules the program uses, per compute kind (index.ts and components/). ARM's core
 * namespaces (Microsoft.Resources, Microsoft.Authorization) are always registered and are not listed. The identities
 * are system-assigned, which are part of the VM and the site: no Microsoft.ManagedIdentity resource is declared.
 * tests/preflight.test.ts runs the program under the mock engine and checks this list covers every declared type.
 */
export const PROVIDERS_BY_COMPUTE: Record<ComputeKind | "account", readonly string[]> = {
  account: ["Microsoft.CognitiveServices"],
  vm: ["Microsoft.Compute", "Microsoft.Network"],
  functionApp: ["Microsoft.Web", "Microsoft.Storage", "Microsoft.OperationalInsights", "Microsoft.Insights"],
  both: [],
  none: [],
};

/** The namespaces a stack with this compute kind declares resources in. */
export function requiredProviders(kind: ComputeKind): string[] {
  const compute =
    kind === "both" ? [...PROVIDERS_BY_COMPUTE.vm, ...PROVIDERS_BY_COMPUTE.functionApp] : PROVIDERS_BY_COMPUTE[kind];
  return [...PROVIDERS_BY_COMPUTE.account, ...compute];
}

export const providersCheck: PreflightCheck = async (context) => {
  const resources = armClients(context).resources();
  const required = requiredProviders(context.config.compute.kind);
  const states = new Map<string, string>();
  for (const provider of await all(resources.providers.list())) {
    if (provider.namespace) states.set(provider.namespace.toLowerCase(), provider.registrationState ?? "Unknown");
  }
  const stateOf = (namespace: string) => states.get(namespace.toLowerCase()) ?? "NotRegistered";
  const missing = required.filter((namespace) => stateOf(namespace) !== "Registered");
  if (missing.length === 0) {
    return [
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
  const results: CheckResult[] = [];
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
