/**
 * What the GitHub workflows need on the Azure and GitHub side, decided from .github/workflows:
 * - preview.yml runs on `pull_request`; pr-stack.yml too (same-repository PRs): subject context `pull_request`.
 *   deploy.yml (push to main) and cleanup.yml (schedule, default branch): context `ref:refs/heads/main`. The
 *   repository part of the subject is what GitHub reports (oidc-subject.ts). Issuer
 *   https://token.actions.githubusercontent.com and audience api://AzureADTokenExchange: Learn "Configure an app to
 *   trust an external identity provider" (GitHub Actions).
 * - every Azure job reads vars AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID, PULUMI_BACKEND_URL and the
 *   secret PULUMI_CONFIG_PASSPHRASE.
 */
import { BUILT_IN_ROLES, PRIVILEGED_ROLES, roleDefinitionId } from "../../lib/constants";
import type { IssuedSubject, WorkflowContext } from "./oidc-subject";
import type { Repository } from "./repository";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** One federated identity credential on the application (Microsoft Graph federatedIdentityCredential). */
export interface FederatedCredential {
  /** Unique per application; 3-120 characters (Graph federatedIdentityCredential resource, `name`). */
  name: string;
  subject: string;
  description: string;
}

const CONTEXT_NAMES: Record<WorkflowContext, { suffix: string; description: string }> = {
  pull_request: {
    suffix: "pull-request",
    description: "preview.yml and pr-stack.yml: pull requests from this repository",
  },
  "ref:refs/heads/main": {
    suffix: "main",
    description: "deploy.yml (push to main) and cleanup.yml (scheduled, default branch)",
  },
};

/**
 * One credential per distinct subject. Names carry the context and, for the immutable form, `-immutable`, so both
 * forms can sit side by side during a migration; a template without `context` gives one subject for both contexts.
 */
export function federatedCredentials(
  repository: Repository,
  subjects: readonly IssuedSubject[],
): FederatedCredential[] {
  const slug = `${repository.owner}-${repository.name}`;
  const bySubject = new Map<string, FederatedCredential>();
  for (const { context, form, subject } of subjects) {
    const { suffix, description } = CONTEXT_NAMES[context];
    const existing = bySubject.get(subject);
    if (existing) {
      existing.description = `${existing.description}; ${description}`;
      continue;
    }
    const name = `${slug}-${suffix}${form === "immutable" ? "-immutable" : ""}`;
    bySubject.set(subject, { name: name.slice(0, 120), subject, description });
  }
  return [...bySubject.values()];
}

/**
 * Built-in roles the pipeline's principal gets. Contributor and Role Based Access Control Administrator come from
 * lib/constants.ts; Storage Blob Data Contributor's ID as Learn "Azure built-in roles for Storage" prints it.
 */
export const PIPELINE_ROLES = {
  Contributor: PRIVILEGED_ROLES.Contributor,
  RoleBasedAccessControlAdministrator: PRIVILEGED_ROLES.RoleBasedAccessControlAdministrator,
  StorageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
} as const;

/**
 * The only roles the stack itself assigns (lib/constants.ts BUILT_IN_ROLES: model access for people and identities,
 * the Function App's storage and monitoring roles). The pipeline may assign these and nothing else.
 */
export const ASSIGNABLE_ROLES: readonly string[] = Object.values(BUILT_IN_ROLES);

/**
 * The condition that restricts Role Based Access Control Administrator to ASSIGNABLE_ROLES, for both adding and
 * removing assignments. Format: Learn "Examples to delegate Azure role assignment management with conditions",
 * "Example: Constrain roles" (condition version 2.0).
 */
export function constrainRolesCondition(roleGuids: readonly string[]): string {
  const list = [...roleGuids].sort().join(", ");
  return (
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR ` +
    `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${list}})) AND ` +
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR ` +
    `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${list}}))`
  );
}

/** One role the pipeline's service principal needs, where, and why. */
export interface RoleNeed {
  role: keyof typeof PIPELINE_ROLES;
  roleGuid: string;
  scope: string;
  why: string;
  condition?: string;
}

/**
 * Least privilege for what the workflows do, at `scope` (a subscription or a resource group):
 * - Contributor: `pulumi up` creates the resource group, account, deployments, VM, Function App and storage;
 *   `pulumi destroy` deletes them; `npm run destroy` purges the soft-deleted account
 *   (Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete, a subscription-level path, so the
 *   purge needs subscription scope); `npm run smoke` runs a command on the VM and lists function keys. Contributor
 *   cannot assign roles (NotActions Microsoft.Authorization/x/Write).
 * - Role Based Access Control Administrator, constrained to the roles the stack assigns: ModelAccess and the
 *   Function App's storage roles are role assignments; without the condition it could grant Owner.
 * - Storage Blob Data Contributor on the state storage account only (PULUMI_BACKEND_URL azblob://): read and write
 *   the state blobs with the Azure CLI login (no account keys).
 */
export function roleNeeds(scope: string, stateStorageAccountId: string | undefined): RoleNeed[] {
  const needs: RoleNeed[] = [
    {
      role: "Contributor",
      roleGuid: PIPELINE_ROLES.Contributor,
      scope,
      why: "create, update and delete the stack's resources (pulumi up/destroy), purge the soft-deleted account, run the smoke test on the VM and the Function App",
    },
    {
      role: "RoleBasedAccessControlAdministrator",
      roleGuid: PIPELINE_ROLES.RoleBasedAccessControlAdministrator,
      scope,
      why: `create and delete the stack's role assignments, constrained to the ${ASSIGNABLE_ROLES.length} roles the stack assigns (model access, Function App storage and monitoring)`,
      condition: constrainRolesCondition(ASSIGNABLE_ROLES),
    },
  ];
  if (stateStorageAccountId) {
    needs.push({
      role: "StorageBlobDataContributor",
      roleGuid: PIPELINE_ROLES.StorageBlobDataContributor,
      scope: stateStorageAccountId,
      why: "read and write Pulumi state in the azblob:// backend with the Azure CLI login",
    });
  }
  return needs;
}

/** Full role definition ID of a need, in the subscription that holds the scope. */
export function roleDefinitionOf(need: RoleNeed, subscriptionId: string): string {
  return roleDefinitionId(subscriptionId, need.roleGuid);
}

/** Repository variables the workflows read (`vars.X`). */
export const VARIABLE_NAMES = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "PULUMI_BACKEND_URL"];
/** Repository secret the workflows read (`secrets.X`): the passphrase of Pulumi's passphrase secrets provider. */
export const PASSPHRASE_SECRET = "PULUMI_CONFIG_PASSPHRASE";
