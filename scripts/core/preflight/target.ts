/**
 * Which subscription and identity `pulumi up` will deploy with, decided the way the azure-native provider decides it
 * (pulumi/pulumi-azure-native, provider/pkg/provider/provider.go `getConfig`: a provider config value such as
 * `azure-native:subscriptionId` wins, else its environment variable `ARM_SUBSCRIPTION_ID`; auth_azidentity.go: with
 * Azure CLI authentication and no subscription configured, the CLI's active subscription from `az account show`).
 * azure-native signs in with the Azure CLI unless a client secret or certificate, OIDC, managed identity or the
 * default credential is configured (auth_azidentity.go `newSingleMethodAuthCredential`).
 */
import { execFile } from "node:child_process";

/** Where the subscription came from, in the provider's order. */
export type SubscriptionSource = "stack config azure-native:subscriptionId" | "ARM_SUBSCRIPTION_ID" | "az account show";

export interface ResolvedSubscription {
  subscriptionId: string;
  source: SubscriptionSource;
}

/** The Azure CLI's active account (`az account show --output json`), or undefined without a signed-in CLI. */
export interface AzAccount {
  id: string;
  name?: string;
  tenantId?: string;
}

export type AzAccountReader = () => Promise<AzAccount | undefined>;

/** Runs `az account show --output json`; a missing or signed-out CLI gives undefined, not an error. */
export const readAzAccount: AzAccountReader = () =>
  new Promise((resolve) => {
    execFile("az", ["account", "show", "--output", "json"], { timeout: 60_000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const account = JSON.parse(stdout) as Partial<AzAccount>;
        resolve(typeof account.id === "string" ? { ...account, id: account.id } : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });

/** Provider config (`azure-native:<name>`) or its environment variable, as azure-native's getConfig reads them. */
function providerSetting(
  stackValues: Record<string, string>,
  env: NodeJS.ProcessEnv,
  name: string,
  variable: string,
): string | undefined {
  const configured = stackValues[`azure-native:${name}`];
  if (configured !== undefined && configured !== "") return configured;
  const fromEnv = env[variable];
  return fromEnv ? fromEnv : undefined;
}

/** The subscription `pulumi up` will use, or undefined when none is configured and the Azure CLI has none. */
export async function resolveSubscription(
  stackValues: Record<string, string>,
  env: NodeJS.ProcessEnv,
  readAccount: AzAccountReader,
): Promise<ResolvedSubscription | undefined> {
  const configured = stackValues["azure-native:subscriptionId"];
  if (configured) return { subscriptionId: configured, source: "stack config azure-native:subscriptionId" };
  const fromEnv = env.ARM_SUBSCRIPTION_ID;
  if (fromEnv) return { subscriptionId: fromEnv, source: "ARM_SUBSCRIPTION_ID" };
  const account = await readAccount();
  return account ? { subscriptionId: account.id, source: "az account show" } : undefined;
}

/** The tenant configured for azure-native (`azure-native:tenantId` / `ARM_TENANT_ID`), if any. */
export function configuredTenant(stackValues: Record<string, string>, env: NodeJS.ProcessEnv): string | undefined {
  return providerSetting(stackValues, env, "tenantId", "ARM_TENANT_ID");
}

/**
 * True when azure-native will sign in with the Azure CLI: no client secret, certificate, OIDC, managed identity or
 * default-credential setting in stack config or environment.
 */
export function providerUsesAzureCli(stackValues: Record<string, string>, env: NodeJS.ProcessEnv): boolean {
  const setting = (name: string, variable: string) => providerSetting(stackValues, env, name, variable);
  const credentials = [
    setting("clientSecret", "ARM_CLIENT_SECRET"),
    setting("clientCertificatePath", "ARM_CLIENT_CERTIFICATE_PATH"),
  ];
  const switches = [
    setting("useOidc", "ARM_USE_OIDC"),
    setting("useMsi", "ARM_USE_MSI"),
    setting("useDefaultAzureCredential", "ARM_USE_DEFAULT_AZURE_CREDENTIAL"),
  ];
  return !credentials.some((value) => value !== undefined) && !switches.some((value) => value === "true");
}
