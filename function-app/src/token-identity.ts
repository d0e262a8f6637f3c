/**
 * Who a token was issued to, read from its claims (Entra ID access tokens are JWTs; the claims are readable without
 * verifying the signature, which the service does). Claims: `oid` object ID (what role assignments name), `appid`
 * client ID, `idtyp` user/app, `upn` for users, `xms_mirid` resource ID of a managed identity's owner
 * (Microsoft identity platform "Access token claims reference").
 */

/** The caller as the service will see it. */
export interface TokenIdentity {
  principalId?: string;
  appId?: string;
  identityType?: string;
  userPrincipalName?: string;
  managedIdentityResourceId?: string;
  audience?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Identity claims of an access token; empty when the token is not a readable JWT. */
export function tokenIdentity(token: string): TokenIdentity {
  const payload = token.split(".")[1];
  if (!payload) return {};
  let claims: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return {};
    claims = parsed as Record<string, unknown>;
  } catch {
    return {};
  }
  const identity: TokenIdentity = {
    principalId: text(claims.oid),
    appId: text(claims.appid) ?? text(claims.azp),
    identityType: text(claims.idtyp),
    userPrincipalName: text(claims.upn) ?? text(claims.unique_name),
    managedIdentityResourceId: text(claims.xms_mirid),
    audience: text(claims.aud),
  };
  return Object.fromEntries(Object.entries(identity).filter(([, value]) => value !== undefined));
}
