/**
 * `npm run preflight`'s engine, also called by `npm run deploy` before `pulumi up`: reads the stack's config the way
 * `pulumi up` will, finds who is signed in and which subscription the deploy will use, then asks Azure, read-only,
 * whatever would make `pulumi up` fail half-way. Each check answers pass / warn / fail with what it found and a fix.
 */
import { resolve } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelineRetryOptions } from "@azure/core-rest-pipeline";
import { ConfigError, modelPinCommand, parseConfig, rawConfigOf, type StackConfig } from "../../../lib/config";
import { PUBLIC_ARM_ENDPOINT } from "../arm-endpoint";
import { chooseAzureCredential } from "../azure-credential";
import { armStatus, azureErrorVerdict, describeAzureError } from "../azure-error";
import { describeError } from "../cli";
import { PROJECT_ROOT } from "../pulumi-workspace";
import { readStackConfig, withUnpinnedModelPlanned } from "../stack-config";
import { type PlannedAzureResource, plannedResources } from "./arm-body";
import {
  armClients,
  cachingCredential,
  describeIdentity,
  failedCall,
  isAzureCliToken,
  type SignedInIdentity,
  signedInIdentity,
} from "./azure";
import { CHECK_LIST, type CheckId, FIRST_STEPS } from "./check-list";
import { azurePolicyChecks } from "./checks/azure-policy";
import { flexConsumptionCheck } from "./checks/flex-consumption";
import { locationCheck } from "./checks/location";
import { modelChecks } from "./checks/model";
import { providersCheck } from "./checks/providers";
import { purgeRightsCheck, resourceRightsCheck, roleAssignmentRightsCheck } from "./checks/rights";
import { roleConflictsCheck } from "./checks/role-conflicts";
import { subdomainCheck } from "./checks/subdomain";
import { vmSizeCheck } from "./checks/vm-size";
import {
  type AzAccountReader,
  configuredTenant,
  providerUsesAzureCli,
  type ResolvedSubscription,
  readAzAccount,
  resolveSubscription,
} from "./target";
import type { CheckResult, PreflightCheck, PreflightContext } from "./types";

export { FIRST_STEPS };

/** A check as the runner and `--help` know it. */
export interface CheckDefinition {
  /** The `check` id its results carry. */
  id: string;
  /** What it asks Azure and what makes it fail, for `--help` and docs/preflight.md. */
  describes: string;
  run: PreflightCheck;
}

/** Each check's code, by the id check-list.ts describes it under. */
const CHECK_CODE: Record<CheckId, PreflightCheck> = {
  location: locationCheck,
  providers: providersCheck,
  "resource-rights": resourceRightsCheck,
  "role-assignment-rights": roleAssignmentRightsCheck,
  "purge-rights": purgeRightsCheck,
  model: modelChecks,
  subdomain: subdomainCheck,
  "vm-size": vmSizeCheck,
  "flex-consumption": flexConsumptionCheck,
  "role-assignment-conflicts": roleConflictsCheck,
  "azure-policy": azurePolicyChecks,
};

/** Every check after the first two, in report order. */
export const CHECKS: readonly CheckDefinition[] = CHECK_LIST.map((check) => ({ ...check, run: CHECK_CODE[check.id] }));

export interface PreflightOptions {
  stack: string;
  /** Let the checks that can repair do so (resource provider registration). */
  fix: boolean;
  /** Resource Manager endpoint; https://management.azure.com by default. */
  armEndpoint?: string;
  /** The signed-in identity; DefaultAzureCredential by default. */
  credential?: TokenCredential;
  now?: Date;
  /** Directory with Pulumi.yaml and the stack files; the repository by default. */
  projectDir?: string;
  /** Environment that decides the subscription (ARM_SUBSCRIPTION_ID ...); process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The Azure CLI's active account; `az account show` by default. */
  readAzAccount?: AzAccountReader;
  /** How the ARM clients retry a throttled or failed call; the SDK's default (3 retries) unless a test says less. */
  retryOptions?: PipelineRetryOptions;
  /** Run only these checks (by id) after config and identity; every check by default. */
  only?: readonly string[];
  /** How the stack's resources are planned (the offline engine, arm-body.ts); tests plan in a thread of their own. */
  planResources?: (projectDir: string, stack: string) => Promise<PlannedAzureResource[]>;
}

export interface PreflightReport {
  stack: string;
  subscriptionId?: string;
  tenantId?: string;
  results: CheckResult[];
  exitCode: number;
}

function exitCodeOf(results: readonly CheckResult[]): number {
  return results.some((result) => result.status === "fail") ? 1 : 0;
}

function finish(stack: string, results: CheckResult[], target: Partial<PreflightReport> = {}): PreflightReport {
  return { stack, ...target, results, exitCode: exitCodeOf(results) };
}

/**
 * Reads and validates the stack's config; a failure is the `config` result. A stack that pins no model yet is read
 * as `npm run plan` reads it (scripts/core/stack-config.ts withUnpinnedModelPlanned): the deploy pins one first, so
 * it is the same warning with the pin command, and the model check says what the deploy would pin.
 */
function loadStackConfig(
  projectDir: string,
  stack: string,
): { config?: StackConfig; values: Record<string, string>; result: CheckResult } {
  let values: Record<string, string> = {};
  try {
    const read = readStackConfig(projectDir, stack);
    const stackConfig = withUnpinnedModelPlanned(read);
    values = read.values;
    const config = parseConfig(rawConfigOf(stackConfig.values, stackConfig.project), stackConfig.project, stack);
    const found = `stack ${stack}: ${config.location}, resource group ${config.resourceGroupName}, compute ${config.compute.kind}, ${config.deployments.length} model deployment(s)`;
    const unpinned = stackConfig !== read;
    return {
      config,
      values,
      result: unpinned
        ? {
            check: "config",
            status: "warn",
            found: `${found}; ${stackConfig.warnings.at(-1) ?? ""}`,
            fix: modelPinCommand(stack),
          }
        : { check: "config", status: "pass", found },
    };
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems.join("; ") : describeError(error);
    return {
      values,
      result: {
        check: "config",
        status: "fail",
        found: `the configuration of stack ${stack} does not validate: ${problems}`,
        fix: `correct Pulumi.${stack}.yaml (npm run pulumi -- config set KEY VALUE --stack ${stack}); npm run plan -- --stack ${stack} shows the same problems offline`,
      },
    };
  }
}

/** Subscription states ARM reports (Learn, "Azure subscription states"): only Enabled takes new resources. */
const SUBSCRIPTION_STATE_STATUS: Record<string, CheckResult["status"]> = {
  Enabled: "pass",
  Warned: "warn",
  PastDue: "warn",
  Disabled: "fail",
  Deleted: "fail",
};

async function identityResults(
  context: PreflightContext,
  identity: SignedInIdentity,
  subscription: ResolvedSubscription,
  values: Record<string, string>,
  env: NodeJS.ProcessEnv,
): Promise<CheckResult[]> {
  const who = `${describeIdentity(identity)} in tenant ${identity.tenantId}`;
  let details: { displayName?: string; state?: string; tenantId?: string };
  try {
    details = await armClients(context).subscriptions().subscriptions.get(subscription.subscriptionId);
  } catch (error) {
    const status = armStatus(error);
    if (status === 404 || status === 403) {
      return [
        {
          check: "identity",
          status: "fail",
          found: `${who} cannot read subscription ${subscription.subscriptionId} (from ${subscription.source}): it is not visible to this identity`,
          fix: "sign in to the tenant that holds it (az login --tenant TENANT) or choose a subscription you can use: az account set --subscription ID (or ARM_SUBSCRIPTION_ID / azure-native:subscriptionId)",
        },
      ];
    }
    return [
      failedCall(
        "identity",
        `${who} could not read subscription ${subscription.subscriptionId} (from ${subscription.source})`,
        error,
        context.now,
      ),
    ];
  }
  const state = details.state ?? "unknown";
  const results: CheckResult[] = [
    {
      check: "identity",
      status: SUBSCRIPTION_STATE_STATUS[state] ?? "fail",
      found: `${who}; subscription '${details.displayName ?? "?"}' (${subscription.subscriptionId}, ${state}), the one pulumi up will use (from ${subscription.source})`,
      ...(state === "Enabled"
        ? {}
        : { fix: "only an Enabled subscription takes new resources: see the subscription in the Azure portal" }),
    },
  ];
  const tenant = configuredTenant(values, env);
  if (tenant && tenant.toLowerCase() !== identity.tenantId.toLowerCase()) {
    results.push({
      check: "identity",
      status: "fail",
      found: `azure-native is configured for tenant ${tenant} (azure-native:tenantId / ARM_TENANT_ID) but the signed-in identity's token is from tenant ${identity.tenantId}`,
      fix: `sign in to that tenant: az login --tenant ${tenant}`,
    });
  }
  if (providerUsesAzureCli(values, env) && !isAzureCliToken(identity)) {
    results.push({
      check: "identity",
      status: "warn",
      found: `preflight signed in as ${describeIdentity(identity)}, not through the Azure CLI, but azure-native will deploy with the Azure CLI's account (no client secret, OIDC or managed identity is configured for it)`,
      fix: "make them the same: az login as this identity, or configure azure-native with the same identity (e.g. ARM_USE_MSI=true, ARM_CLIENT_ID/ARM_CLIENT_SECRET)",
    });
  }
  return results;
}

/** A check that throws becomes one failing result that says what kind of failure it was. */
async function runCheck(definition: CheckDefinition, context: PreflightContext): Promise<CheckResult[]> {
  try {
    return await definition.run(context);
  } catch (error) {
    return [failedCall(definition.id, `could not check ${definition.id}`, error, context.now)];
  }
}

/** Runs every check for a stack and returns the results and the exit code (0: nothing failed; 1: something did). */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const { stack } = options;
  const env = options.env ?? process.env;
  const projectDir = resolve(options.projectDir ?? PROJECT_ROOT);
  const loaded = loadStackConfig(projectDir, stack);
  if (!loaded.config) return finish(stack, [loaded.result]);
  const config = loaded.config;
  const results: CheckResult[] = [loaded.result];

  const credential = cachingCredential(options.credential ?? chooseAzureCredential().credential);
  let identity: SignedInIdentity;
  try {
    identity = await signedInIdentity({ credential });
  } catch (error) {
    const description = describeAzureError(error);
    results.push({
      check: "identity",
      status: "fail",
      found:
        description.kind === "sign-in"
          ? "nobody is signed in to Azure: no credential (Azure CLI, environment, managed identity, GitHub OIDC) gave a Resource Manager token"
          : `the sign-in to Azure Resource Manager failed: ${azureErrorVerdict(description)}`,
      fix: description.fix,
      detail: description.detail,
    });
    return finish(stack, results);
  }
  const subscription = await resolveSubscription(loaded.values, env, options.readAzAccount ?? readAzAccount);
  if (!subscription) {
    results.push({
      check: "identity",
      status: "fail",
      found: `${describeIdentity(identity)} is signed in, but no subscription is chosen: azure-native:subscriptionId is not set, ARM_SUBSCRIPTION_ID is empty and the Azure CLI has no active subscription`,
      fix: `az account set --subscription ID, or npm run pulumi -- config set azure-native:subscriptionId ID --stack ${stack}`,
    });
    return finish(stack, results);
  }
  // The program runs offline once per preflight; every check that needs the plan shares it.
  let planned: Promise<PlannedAzureResource[]> | undefined;
  const context: PreflightContext = {
    stack,
    config,
    subscriptionId: subscription.subscriptionId,
    tenantId: identity.tenantId,
    credential,
    armEndpoint: (options.armEndpoint ?? PUBLIC_ARM_ENDPOINT).replace(/\/+$/, ""),
    now: options.now ?? new Date(),
    fix: options.fix,
    ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
    plannedResources: () => {
      planned ??= (options.planResources ?? plannedResources)(projectDir, stack);
      return planned;
    },
  };
  const target = { subscriptionId: context.subscriptionId, tenantId: context.tenantId };
  const identityChecked = await identityResults(context, identity, subscription, loaded.values, env);
  results.push(...identityChecked);
  if (identityChecked.some((result) => result.status === "fail")) return finish(stack, results, target);

  const selected = options.only ? CHECKS.filter((definition) => options.only?.includes(definition.id)) : CHECKS;
  const checked = await Promise.all(selected.map((definition) => runCheck(definition, context)));
  results.push(...checked.flat());
  return finish(stack, results, target);
}
