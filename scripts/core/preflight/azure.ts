/**
 * What every preflight check shares: the official ARM clients pointed at the context's endpoint, a credential that
 * asks for each token once, and the signed-in identity read from the token's claims (ARM errors in words:
 * scripts/core/azure-error.ts).
 */

import { WebSiteManagementClient } from "@azure/arm-appservice";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { CognitiveServicesManagementClient } from "@azure/arm-cognitiveservices";
import { ComputeManagementClient } from "@azure/arm-compute";
import { ResourceManagementClient } from "@azure/arm-resources";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { ARM_SCOPE, AZURE_CLI_CLIENT_ID } from "../../../lib/constants";
import { jwtClaims, principalTypeFromToken } from "../../../lib/principals";
import type { PrincipalType } from "../../../lib/role-assignment";
import { azureErrorVerdict, describeAzureError } from "../azure-error";
import type { CheckResult, PreflightContext } from "./types";

/**
 * The clients, each pointed at `context.armEndpoint`. The older generated clients (authorization 9, cognitiveservices 8)
 * derive the token audience from the endpoint unless told otherwise, so they get ARM's scope explicitly: a moved
 * endpoint (a stand-in, a proxy) still gets an ARM token. The newer ones ask for ARM's scope by default.
 */
export function armClients(context: PreflightContext) {
  const { credential, subscriptionId, armEndpoint: endpoint } = context;
  const options = { endpoint, ...(context.retryOptions ? { retryOptions: context.retryOptions } : {}) };
  const withArmScope = { ...options, credentialScopes: [ARM_SCOPE] };
  return {
    authorization: () => new AuthorizationManagementClient(credential, subscriptionId, withArmScope),
    cognitiveServices: () => new CognitiveServicesManagementClient(credential, subscriptionId, withArmScope),
    compute: () => new ComputeManagementClient(credential, subscriptionId, options),
    resources: () => new ResourceManagementClient(credential, subscriptionId, options),
    subscriptions: () => new SubscriptionClient(credential, options),
    web: () => new WebSiteManagementClient(credential, subscriptionId, options),
  };
}

/**
 * A credential that asks the inner one for each token once and hands the same token to every client until five
 * minutes before it expires. The Azure CLI takes about a second per token; a preflight builds a handful of clients.
 */
export function cachingCredential(inner: TokenCredential): TokenCredential {
  const cache = new Map<string, Promise<AccessToken | null>>();
  const freshFor = 5 * 60_000;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const key = JSON.stringify([[scopes].flat(), options?.tenantId ?? "", options?.claims ?? ""]);
      const cached = cache.get(key);
      if (cached) {
        const token = await cached.catch(() => null);
        if (token && token.expiresOnTimestamp - Date.now() > freshFor) return token;
      }
      const pending = inner.getToken(scopes, options);
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
      return pending;
    },
  };
}

/** Who the ARM token was issued to, from its claims (Microsoft identity platform "Access token claims reference"). */
export interface SignedInIdentity {
  /** `oid`: the object ID role assignments name as principalId. */
  objectId: string;
  /** `tid`: the tenant that issued the token. */
  tenantId: string;
  principalType: PrincipalType;
  /** `upn` / `unique_name` / `preferred_username` of a user. */
  userPrincipalName?: string;
  /** `appid` (v1 tokens) or `azp` (v2): the client the token was issued to (the Azure CLI, a service principal). */
  appId?: string;
  /** `xms_mirid`: the resource that owns a managed identity. */
  managedIdentityResourceId?: string;
}

function claim(claims: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = claims[name];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/**
 * Reads the signed-in identity from an access token. The principal type is decided as the program decides the
 * deployer's (lib/principals.ts principalTypeFromToken: `idtyp`, else `scp`), so preflight and `pulumi up` agree.
 */
export function identityFromToken(token: string): SignedInIdentity {
  const claims = jwtClaims(token);
  if (!claims) throw new Error("the access token is not a JWT: cannot tell who is signed in");
  const objectId = claim(claims, "oid");
  const tenantId = claim(claims, "tid");
  if (!objectId || !tenantId) throw new Error("the access token names no object ID (oid) or tenant (tid)");
  const userPrincipalName = claim(claims, "upn", "unique_name", "preferred_username");
  const principalType = principalTypeFromToken(token);
  const identity: SignedInIdentity = { objectId, tenantId, principalType };
  if (userPrincipalName && principalType === "User") identity.userPrincipalName = userPrincipalName;
  const appId = claim(claims, "appid", "azp");
  if (appId) identity.appId = appId;
  const managedIdentity = claim(claims, "xms_mirid");
  if (managedIdentity) identity.managedIdentityResourceId = managedIdentity;
  return identity;
}

/** The identity behind the context's credential (one ARM token, cached by the runner's credential). */
export async function signedInIdentity(context: Pick<PreflightContext, "credential">): Promise<SignedInIdentity> {
  const token = await context.credential.getToken(ARM_SCOPE);
  if (!token) throw new Error("the credential returned no ARM token");
  return identityFromToken(token.token);
}

/** "user dev@contoso.com (object ID …)" and the like, for messages. */
export function describeIdentity(identity: SignedInIdentity): string {
  if (identity.principalType === "User")
    return `user ${identity.userPrincipalName ?? "(no UPN in token)"} (object ID ${identity.objectId})`;
  const kind = identity.managedIdentityResourceId ? "managed identity" : "service principal";
  return `${kind} app ${identity.appId ?? "(no app ID in token)"} (object ID ${identity.objectId})`;
}

/** True when the token came from the Azure CLI's public client (a person after `az login`). */
export function isAzureCliToken(identity: SignedInIdentity): boolean {
  return identity.appId?.toLowerCase() === AZURE_CLI_CLIENT_ID;
}

/** The lower-case region name ARM uses (`swedencentral`) for a name or display name (`Sweden Central`). */
export function regionName(location: string): string {
  return location.replaceAll(" ", "").toLowerCase();
}

/** Collects an async iterable (the clients' paged lists). */
export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

export function resourceGroupId(subscriptionId: string, resourceGroupName: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}`;
}

/**
 * A call Azure did not answer as asked, as one failing result: which kind of failure it was (throttled, Azure's own
 * fault, a missing right, no sign-in ...) and its fix, from scripts/core/azure-error.ts; the whole error in `detail`.
 */
export function failedCall(check: string, what: string, error: unknown, now?: Date): CheckResult {
  const description = describeAzureError(error, now);
  return {
    check,
    status: "fail",
    found: `${what}: ${azureErrorVerdict(description)}`,
    fix: description.fix,
    detail: description.detail,
  };
}
