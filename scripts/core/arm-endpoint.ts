/**
 * The one Resource Manager endpoint of every command that calls ARM (deploy, preflight, models, smoke, destroy's
 * purge, setup-github): a command's `--arm-endpoint` when it has one, else `KEYLESS_ARM_ENDPOINT` (a proxy, a
 * sovereign cloud, a stand-in in tests), else the public cloud's.
 */
import { UsageError } from "./cli";

/** Resource Manager of the public cloud (Learn: "What is Azure Resource Manager?", the management.azure.com endpoint). */
export const PUBLIC_ARM_ENDPOINT = "https://management.azure.com";

/** The environment variable that moves Resource Manager for every command. */
export const ARM_ENDPOINT_VARIABLE = "KEYLESS_ARM_ENDPOINT";

/**
 * The ARM endpoint without a trailing slash. `option` is the command line's `--arm-endpoint`, which wins over the
 * environment. @throws UsageError when the chosen value is not an https URL.
 */
export function armEndpoint(env: NodeJS.ProcessEnv, option?: string): string {
  const fromEnvironment = env[ARM_ENDPOINT_VARIABLE] || undefined;
  const source = option !== undefined ? "--arm-endpoint" : fromEnvironment !== undefined ? ARM_ENDPOINT_VARIABLE : "";
  const value = option ?? fromEnvironment ?? PUBLIC_ARM_ENDPOINT;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source} ${value} is not a URL: give the https URL of Resource Manager, or leave it unset`);
  }
  // Bearer tokens only travel over TLS.
  if (url.protocol !== "https:")
    throw new UsageError(
      `${source} ${value} must be https: ARM tokens only travel over TLS; give the https URL of Resource Manager`,
    );
  return value.replace(/\/+$/, "");
}
