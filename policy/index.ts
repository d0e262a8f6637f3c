/**
 * The guardrails as a Pulumi policy pack: `pulumi preview --policy-pack policy`.
 * Policies are built in policies.ts; this file only starts the pack (PolicyPack serves at once).
 */
import { PolicyPack } from "@pulumi/policy";
import { buildPolicies, DEFAULT_ENFORCEMENT } from "./policies";

new PolicyPack("keyless-openai-guardrails", {
  policies: buildPolicies(),
  enforcementLevel: DEFAULT_ENFORCEMENT,
  description: "Keyless Azure OpenAI stack guardrails: Entra ID only, least-privilege roles, hardened compute.",
  provider: "azure",
});
