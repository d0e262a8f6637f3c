import { getClientConfigOutput } from "@pulumi/azuread/getClientConfig";
import { getGroupOutput } from "@pulumi/azuread/getGroup";
import { getServicePrincipalOutput } from "@pulumi/azuread/getServicePrincipal";
import { getUserOutput } from "@pulumi/azuread/getUser";
import type * as pulumi from "@pulumi/pulumi";
import type { ModelAccessPrincipal } from "../components/model-access";
import type { DeployerPrincipalType, StackConfig } from "./config";
import { INTERACTIVE_CLIENT_IDS } from "./constants";
import type { PrincipalType } from "./role-assignment";

/**
 * The principal type of whoever runs `pulumi up`. azuread's client config reports, as `clientId`, "the application
 * used for delegated authentication" when a person signed in (azuread provider docs, data source client_config):
 * the Azure CLI or Azure PowerShell public client. Any other client ID is a service principal or managed identity.
 */
export function deployerPrincipalType(setting: DeployerPrincipalType, clientId: string): PrincipalType {
  if (setting !== "auto") return setting;
  const interactive: readonly string[] = Object.values(INTERACTIVE_CLIENT_IDS);
  return interactive.includes(clientId.toLowerCase()) ? "User" : "ServicePrincipal";
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
        ? getClientConfigOutput(opts).clientId.apply((clientId) => deployerPrincipalType("auto", clientId))
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
