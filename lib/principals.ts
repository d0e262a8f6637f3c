import { getClientTokenOutput } from "@pulumi/azure-native/authorization/getClientToken";
import { getGroupOutput } from "@pulumi/azuread/getGroup";
import { getServicePrincipalOutput } from "@pulumi/azuread/getServicePrincipal";
import { getUserOutput } from "@pulumi/azuread/getUser";
import * as pulumi from "@pulumi/pulumi";
import type { DeployerPrincipalType, StackConfig } from "./config";
import type { PrincipalType } from "./role-assignment";

/** Someone who gets model access: what the ModelAccess component (components/model-access.ts) grants its role to. */
export interface ModelAccessPrincipal {
  /** Stable key, unique in one ModelAccess, used in the Pulumi resource name (`deployer`, `vm`, `user-alice`...). */
  key: string;
  /** What the access matrix shows: a UPN, a group or app name, or a resource name for managed identities. */
  displayName: pulumi.Input<string>;
  /** Entra object ID (a managed identity's principal ID). */
  principalId: pulumi.Input<string>;
  /** Must match the object's real type: the SDK would default to `User`, and a wrong type fails with PrincipalNotFound. */
  principalType: pulumi.Input<PrincipalType>;
}

/** The claims of a JWT access token (the signature is the service's business, not ours); undefined if unreadable. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined || payload === "") return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The principal type of whoever holds `token` (the deployer's Azure Resource Manager token), read from what the token
 * says about its holder, never from which client signed in (Microsoft identity platform, "Access token claims
 * reference" and "Optional claims reference"):
 * - `idtyp`, where the token carries it: `app` for an app-only token ("the most accurate way for an API to determine
 *   if a token is an app token or an app+user token"), `user` for a person. It is an optional claim the resource
 *   decides on, so it may be absent;
 * - otherwise `scp`, a core claim "only included for user tokens": present means a person signed in (through any
 *   client, Azure CLI or not); absent means an app-only token, i.e. a service principal or a managed identity (which
 *   ARM role assignments also call `ServicePrincipal`).
 * A directory look-up (azuread getUser/getServicePrincipal by object ID) would need Microsoft Graph read permission,
 * which a CI service principal usually lacks; the token needs nothing.
 * @throws when the token is not a readable JWT: set `deployerPrincipalType` explicitly then.
 */
export function principalTypeFromToken(token: string): PrincipalType {
  const claims = jwtClaims(token);
  if (claims === undefined) {
    throw new Error(
      "deployerPrincipalType = auto: the deployer's Azure token is not a readable JWT, so its principal type is unknown; set deployerPrincipalType to User or ServicePrincipal",
    );
  }
  if (claims.idtyp === "app") return "ServicePrincipal";
  if (claims.idtyp === "user") return "User";
  return typeof claims.scp === "string" && claims.scp.trim() !== "" ? "User" : "ServicePrincipal";
}

/** `setting` when it names a type (the override); otherwise what the deployer's ARM token says. */
export function deployerPrincipalType(setting: DeployerPrincipalType, armToken: string): PrincipalType {
  return setting === "auto" ? principalTypeFromToken(armToken) : setting;
}

/** Pulumi-name-safe key for a principal. */
function keyOf(kind: string, id: string): string {
  return `${kind}-${id.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

/**
 * The principals named in config (the deployer, users, groups, service principals), resolved through Entra ID with
 * @pulumi/azuread so that a typo fails at preview rather than as PrincipalNotFound during the update.
 */
export function configuredPrincipals(
  access: StackConfig["access"],
  deployerObjectId: string,
  opts?: pulumi.InvokeOutputOptions,
): ModelAccessPrincipal[] {
  const principals: ModelAccessPrincipal[] = [];
  if (access.grantDeployer) {
    const principalType =
      access.deployerPrincipalType === "auto"
        ? // The provider's own token for Azure Resource Manager: the identity `pulumi up` deploys with.
          // The type itself is no secret, whatever the provider says of the token it came from.
          pulumi.unsecret(getClientTokenOutput({}, opts).token.apply((token) => deployerPrincipalType("auto", token)))
        : access.deployerPrincipalType;
    principals.push({
      key: "deployer",
      displayName: "deployer (pulumi up)",
      principalId: deployerObjectId,
      principalType,
    });
  }
  for (const upn of access.users) {
    const user = getUserOutput({ userPrincipalName: upn }, opts);
    principals.push({ key: keyOf("user", upn), displayName: upn, principalId: user.objectId, principalType: "User" });
  }
  for (const objectId of access.groups) {
    const group = getGroupOutput({ objectId }, opts);
    principals.push({
      key: keyOf("group", objectId),
      displayName: group.displayName,
      principalId: group.objectId,
      principalType: "Group",
    });
  }
  for (const objectId of access.servicePrincipals) {
    const servicePrincipal = getServicePrincipalOutput({ objectId }, opts);
    principals.push({
      key: keyOf("sp", objectId),
      displayName: servicePrincipal.displayName,
      principalId: servicePrincipal.objectId,
      principalType: "ServicePrincipal",
    });
  }
  return principals;
}
