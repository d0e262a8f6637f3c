import type { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import * as pulumi from "@pulumi/pulumi";
import { BUILT_IN_ROLES, type ModelAccessRoleName } from "../lib/constants";
import type { ModelAccessPrincipal } from "../lib/principals";
import { assignRole, type PrincipalType } from "../lib/role-assignment";

/** Inputs of the model access grants. */
export interface ModelAccessArgs {
  /** Subscription that holds the role definition. */
  subscriptionId: pulumi.Input<string>;
  /** Resource ID where the role applies: the resource group (default in this stack) or the account. */
  scope: pulumi.Input<string>;
  /** Built-in role to grant; Cognitive Services User by default in this stack. */
  role: ModelAccessRoleName;
  principals: ModelAccessPrincipal[];
}

/** One row of the access matrix, as the stack outputs it. */
export interface AccessGrant {
  principal: string;
  principalId: string;
  principalType: PrincipalType;
  role: ModelAccessRoleName;
  roleGuid: string;
  scope: string;
}

/**
 * Grants one data-plane role to every principal at one scope, with deterministic assignment names and explicit
 * principal types. Adding or removing a principal touches only its own assignment.
 */
export class ModelAccess extends pulumi.ComponentResource {
  readonly assignments: RoleAssignment[];
  /** The access matrix: who has which role where. */
  readonly grants: pulumi.Output<AccessGrant[]>;

  constructor(name: string, args: ModelAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("keyless-openai:access:ModelAccess", name, {}, opts);
    const keys = new Set<string>();
    for (const principal of args.principals) {
      if (keys.has(principal.key))
        throw new Error(`ModelAccess ${name}: principal key '${principal.key}' is used twice`);
      keys.add(principal.key);
    }
    const roleGuid = BUILT_IN_ROLES[args.role];

    this.assignments = args.principals.map((principal) =>
      assignRole(
        `${name}-${principal.key}`,
        {
          scope: args.scope,
          roleGuid,
          principalId: principal.principalId,
          principalType: principal.principalType,
          subscriptionId: args.subscriptionId,
          description: `Model access for ${principal.key} (${pulumi.getProject()}/${pulumi.getStack()})`,
        },
        { parent: this },
      ),
    );

    this.grants = pulumi.all(
      args.principals.map((principal, index) =>
        pulumi
          .all([
            principal.displayName,
            principal.principalId,
            principal.principalType,
            args.scope,
            this.assignments[index]?.id,
          ])
          .apply(([displayName, principalId, principalType, scope]) => ({
            principal: displayName,
            principalId,
            principalType,
            role: args.role,
            roleGuid,
            scope,
          })),
      ),
    );
    this.registerOutputs({ grants: this.grants });
  }
}
