/**
 * The components of this project, for use from another Pulumi TypeScript program (docs/what-it-deploys.md, "Use the
 * components in your own stack"). Each is a `pulumi.ComponentResource` whose Args interface documents every input:
 * - {@link OpenAiAccount}: an Azure OpenAI account only Entra ID tokens can reach (custom subdomain, local auth
 *   off), and its model deployments, created one at a time;
 * - {@link ModelAccess}: one data-plane role at one scope for a list of principals, with deterministic role
 *   assignment names and explicit principal types; its `grants` output is the access matrix;
 * - {@link LinuxVm}: an Ubuntu VM with a system-assigned identity, SSH key only, no public IP unless asked;
 * - {@link FunctionApp}: a Flex Consumption Function App with a managed identity and identity-based storage.
 */
export type { DeploymentSpec } from "../lib/config";
export type { ModelAccessRoleName } from "../lib/constants";
export { buildFunctionAppPackage } from "../lib/function-app-package";
export type { ModelAccessPrincipal } from "../lib/principals";
export type { PrincipalType } from "../lib/role-assignment";
export { FunctionApp, type FunctionAppArgs, type FunctionAppCodePackage } from "./function-app";
export { LinuxVm, type LinuxVmArgs } from "./linux-vm";
export { type AccessGrant, ModelAccess, type ModelAccessArgs } from "./model-access";
export { OpenAiAccount, type OpenAiAccountArgs } from "./openai-account";
