/**
 * The one place a command decides how it signs in to Azure as the person or pipeline running it.
 *
 * - In GitHub Actions with OIDC (`permissions: id-token: write` gives the job ACTIONS_ID_TOKEN_REQUEST_URL and
 *   ACTIONS_ID_TOKEN_REQUEST_TOKEN) and an Entra application named by AZURE_CLIENT_ID/AZURE_TENANT_ID (or the
 *   ARM_CLIENT_ID/ARM_TENANT_ID the workflows already set for azure-native): `ClientAssertionCredential` whose
 *   callback asks GitHub for a NEW assertion every time Entra ID is asked for a token. The assertion `azure/login`
 *   hands the Azure CLI lives about ten minutes and the CLI cannot refresh it, so a step after a long `pulumi up`
 *   fails with AADSTS700024 (Azure/login#180, Azure/azure-cli#28708).
 * - Everywhere else: `DefaultAzureCredential` (on a workstation: the Azure CLI sign-in).
 *
 * GitHub's token request (GitHub Docs, "OpenID Connect reference" / "Configuring OpenID Connect in cloud
 * providers"): GET `$ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud>` with `Authorization: bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answer `{"value": "<jwt>"}`. The audience Entra ID expects for federated
 * credentials is `api://AzureADTokenExchange` (Learn, "Configure an app to trust an external identity provider").
 */
import {
  AzureAuthorityHosts,
  ClientAssertionCredential,
  type ClientAssertionCredentialOptions,
  CredentialUnavailableError,
  DefaultAzureCredential,
  type TokenCredential,
} from "@azure/identity";

/** Audience of GitHub's OIDC token for Entra ID workload identity federation. */
export const ENTRA_FEDERATION_AUDIENCE = "api://AzureADTokenExchange";

/** Which credential was chosen, and a line that says so. */
export interface CredentialChoice {
  credential: TokenCredential;
  source: "github-oidc" | "default";
  /** Names who is signing in, for the first progress line. */
  description: string;
}

/** Everything that can be swapped in tests: the HTTP client for GitHub and the identity client options. */
export interface CredentialDependencies {
  fetch?: typeof fetch;
  clientOptions?: ClientAssertionCredentialOptions;
}

/** A failure to get an assertion from GitHub: the credential is unavailable, not the identity's rights. */
export class GitHubOidcError extends CredentialUnavailableError {}

/**
 * A callback for ClientAssertionCredential: each call asks GitHub's token endpoint for a fresh OIDC token.
 * `requestUrl` already carries a query string (`...?api-version=2.0`), so the audience is appended with `&`.
 */
export function githubAssertionProvider(
  requestUrl: string,
  requestToken: string,
  fetchImplementation: typeof fetch = fetch,
): () => Promise<string> {
  return async () => {
    const url = `${requestUrl}${requestUrl.includes("?") ? "&" : "?"}audience=${encodeURIComponent(ENTRA_FEDERATION_AUDIENCE)}`;
    let response: Response;
    try {
      response = await fetchImplementation(url, {
        headers: { Authorization: `bearer ${requestToken}`, Accept: "application/json" },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new GitHubOidcError("GitHub's OIDC token endpoint did not answer", { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new GitHubOidcError(
        `GitHub's OIDC token endpoint answered ${response.status} (does the job have \`permissions: id-token: write\`?): ${text.slice(0, 300)}`,
      );
    }
    let value: unknown;
    try {
      value = (JSON.parse(text) as { value?: unknown }).value;
    } catch {
      value = undefined;
    }
    if (typeof value !== "string" || value.length === 0) {
      throw new GitHubOidcError(`GitHub's OIDC token endpoint answered without a "value": ${text.slice(0, 300)}`);
    }
    return value;
  };
}

/**
 * Instance discovery validates an authority against Microsoft's list (@azure/identity
 * AuthorityValidationOptions.disableInstanceDiscovery: "for use in private clouds or Azure Stack", where that list
 * cannot vouch for the host). It stays on for Microsoft's own clouds and is off for any other AZURE_AUTHORITY_HOST.
 */
export function needsInstanceDiscoveryOff(authorityHost: string | undefined): boolean {
  if (!authorityHost) return false;
  const known = Object.values(AzureAuthorityHosts).map((host) => host.replace(/\/+$/, "").toLowerCase());
  return !known.includes(authorityHost.replace(/\/+$/, "").toLowerCase());
}

/** Chooses the credential for `environment` (see the module comment). */
export function chooseAzureCredential(
  environment: NodeJS.ProcessEnv = process.env,
  dependencies: CredentialDependencies = {},
): CredentialChoice {
  const requestUrl = environment.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = environment.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  const clientId = environment.AZURE_CLIENT_ID || environment.ARM_CLIENT_ID;
  const tenantId = environment.AZURE_TENANT_ID || environment.ARM_TENANT_ID;
  if (requestUrl && requestToken && clientId && tenantId) {
    const authorityHost = dependencies.clientOptions?.authorityHost ?? environment.AZURE_AUTHORITY_HOST;
    const options: ClientAssertionCredentialOptions = {
      ...(authorityHost ? { authorityHost } : {}),
      ...(needsInstanceDiscoveryOff(authorityHost) ? { disableInstanceDiscovery: true } : {}),
      ...dependencies.clientOptions,
    };
    return {
      credential: new ClientAssertionCredential(
        tenantId,
        clientId,
        githubAssertionProvider(requestUrl, requestToken, dependencies.fetch),
        options,
      ),
      source: "github-oidc",
      description: `GitHub Actions OIDC: application ${clientId} in tenant ${tenantId}, a fresh GitHub token for every Entra ID token`,
    };
  }
  return {
    credential: new DefaultAzureCredential(),
    source: "default",
    description: "your sign-in (DefaultAzureCredential: az login on a workstation)",
  };
}
