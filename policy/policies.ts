/**
 * Wires the guardrails of policy/rules.ts into @pulumi/policy policies. Kept apart from index.ts because
 * `new PolicyPack(...)` starts a gRPC server at once: tests build the list here and call `validateResource` directly.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyConfigSchema,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  GUARDRAILS,
  type Guardrail,
  type GuardrailContext,
  managedIdentityPrincipalIds,
  principalTypeMismatch,
  ruleApplies,
  TYPES,
} from "./rules";

/** Policy config each policy accepts beside `enforcementLevel` (Pulumi policy config file, `--policy-pack-config`). */
export interface GuardrailPolicyConfig {
  /** vm-no-public-ip: the stack allows public IPs on VMs. */
  allowVmPublicIp?: boolean;
  /** role-assignment-least-privilege: resource group IDs role assignments must stay at or below. */
  resourceGroupIds?: string[];
}

/** Default enforcement: a violation blocks the preview or update. */
export const DEFAULT_ENFORCEMENT: EnforcementLevel = "mandatory";

const CONFIG_SCHEMAS: Record<string, PolicyConfigSchema> = {
  "vm-no-public-ip": {
    properties: { allowVmPublicIp: { type: "boolean", default: false } },
  },
  "role-assignment-least-privilege": {
    properties: { resourceGroupIds: { type: "array", items: { type: "string" }, default: [] } },
  },
};

function contextFrom(config: GuardrailPolicyConfig): GuardrailContext {
  return {
    allowVmPublicIp: config.allowVmPublicIp === true,
    resourceGroupIds: Array.isArray(config.resourceGroupIds) ? config.resourceGroupIds : [],
  };
}

/** One resource validation policy for one guardrail. */
function resourcePolicy(rule: Guardrail): ResourceValidationPolicy {
  const schema = CONFIG_SCHEMAS[rule.name];
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: DEFAULT_ENFORCEMENT,
    ...(schema ? { configSchema: schema } : {}),
    validateResource: (args: ResourceValidationArgs, reportViolation) => {
      const subject = { type: args.type, name: args.name, props: args.props };
      if (!ruleApplies(rule, subject)) return;
      for (const message of rule.check(subject, contextFrom(args.getConfig<GuardrailPolicyConfig>()))) {
        reportViolation(message);
      }
    },
  };
}

/**
 * azure-native sends `principalType: "User"` when a program leaves it out, so a single resource cannot show the
 * mistake; the whole stack can: a role assignment whose principal is one of the stack's managed identities.
 */
const principalTypeOfManagedIdentities: StackValidationPolicy = {
  name: "managed-identity-principal-type",
  description: "Role assignments to the stack's managed identities must use principalType ServicePrincipal.",
  enforcementLevel: DEFAULT_ENFORCEMENT,
  validateStack: (args, reportViolation) => {
    const identities = managedIdentityPrincipalIds(args.resources);
    for (const resource of args.resources) {
      if (resource.type !== TYPES.roleAssignment) continue;
      const subject = { type: resource.type, name: resource.name, props: resource.props };
      for (const message of principalTypeMismatch(subject, identities)) reportViolation(message, resource.urn);
    }
  },
};

/** Every policy of the pack: one per guardrail, plus the stack-wide principal type check. */
export function buildPolicies(): Policies {
  return [...GUARDRAILS.map(resourcePolicy), principalTypeOfManagedIdentities];
}
