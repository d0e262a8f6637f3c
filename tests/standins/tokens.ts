/**
 * JWT-shaped access tokens for the stand-ins. Real Entra ID tokens are signed JWTs whose payload names the audience
 * (`aud`) and the caller (`oid`, `appid`, `idtyp`, and `xms_mirid` for managed identities); the stand-ins mint
 * tokens with the same claims (unsigned: nothing here verifies signatures) so the data-plane stand-in can answer
 * "audience is incorrect" and clients can report which identity called.
 */

/** Who a stand-in token is issued to. */
export interface StandInPrincipal {
  /** Object ID: what role assignments name as principalId. */
  objectId: string;
  /** Application (client) ID: the managed identity's client ID, or the Azure CLI's for a user. */
  appId: string;
  kind: "user" | "managedIdentity";
  /** User principal name, for users. */
  userPrincipalName?: string;
  /** Resource ID of the resource that owns a system-assigned managed identity (`xms_mirid` claim). */
  managedIdentityResourceId?: string;
}

export const STAND_IN_TENANT_ID = "11111111-2222-3333-4444-555555555555";

function base64Url(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url");
}

/** Mints a JWT-shaped token for `audience` (the `resource` the client asked for). */
export function mintToken(principal: StandInPrincipal, audience: string, lifetimeSeconds: number): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    aud: audience,
    iss: `https://sts.windows.net/${STAND_IN_TENANT_ID}/`,
    iat: now,
    nbf: now,
    exp: now + lifetimeSeconds,
    tid: STAND_IN_TENANT_ID,
    oid: principal.objectId,
    sub: principal.objectId,
    appid: principal.appId,
    idtyp: principal.kind === "user" ? "user" : "app",
  };
  if (principal.userPrincipalName) claims.upn = principal.userPrincipalName;
  if (principal.managedIdentityResourceId) claims.xms_mirid = principal.managedIdentityResourceId;
  return [
    base64Url(JSON.stringify({ typ: "JWT", alg: "RS256", kid: "stand-in" })),
    base64Url(JSON.stringify(claims)),
    base64Url("stand-in signature"),
  ].join(".");
}

/** Claims of a bearer token, or undefined when it is not JWT-shaped. */
export function readTokenClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The token from an `Authorization: Bearer ...` header, if any. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return match?.[1];
}
