/** The identities of the stand-in scenarios: a signed-in user, the VM's and the Function App's managed identities. */
import type { StandInPrincipal } from "./tokens";

export const SUBSCRIPTION_ID = "00000000-1111-2222-3333-444444444444";
export const RESOURCE_GROUP = "rg-keyless-standin";

export const USER_PRINCIPAL: StandInPrincipal = {
  kind: "user",
  objectId: "aaaaaaaa-0000-4000-8000-000000000001",
  appId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", // Azure CLI public client (azure-cli _profile.py)
  userPrincipalName: "dev@contoso.example",
};

export const VM_PRINCIPAL: StandInPrincipal = {
  kind: "managedIdentity",
  objectId: "bbbbbbbb-0000-4000-8000-000000000002",
  appId: "bbbbbbbb-1111-4000-8000-000000000002",
  managedIdentityResourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/vm-smoke`,
};

export const FUNCTION_APP_PRINCIPAL: StandInPrincipal = {
  kind: "managedIdentity",
  objectId: "cccccccc-0000-4000-8000-000000000003",
  appId: "cccccccc-1111-4000-8000-000000000003",
  managedIdentityResourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${RESOURCE_GROUP}/providers/Microsoft.Web/sites/func-smoke`,
};
