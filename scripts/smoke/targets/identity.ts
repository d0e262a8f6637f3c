/** Short, human-readable name of the identity behind a token, for the summary table. */
import type { TokenIdentity } from "../../../function-app/src/token-identity";

/** `dev@contoso.com`, `vm-smoke (managed identity 1234abcd…)`, or the object ID. */
export function describeIdentity(identity: TokenIdentity): string {
  if (identity.userPrincipalName) return identity.userPrincipalName;
  const owner = identity.managedIdentityResourceId?.split("/").at(-1);
  const shortId = identity.principalId ? `${identity.principalId.slice(0, 8)}…` : "";
  if (owner) return `${owner} (managed identity ${shortId})`;
  return identity.principalId ?? "";
}
