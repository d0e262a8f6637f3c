/**
 * Guardrail rules as plain functions, shared by the policy pack (policy/index.ts), the offline plan (scripts/plan.ts)
 * and the tests. No @pulumi/policy import here: the pack adapts these rules, it does not define them.
 *
 * Inputs are read the way the engine sends them to an analyzer: plain JSON of the resource's inputs, SDK defaults
 * included (azure-native fills `principalType: "User"` into role assignments, authorization/roleAssignment.js).
 *
 * Values not known before deployment (preview, outputs of resources not yet created) never crash a rule. They reach
 * a rule two ways: @pulumi/policy wraps inputs in a proxy that throws `UnknownValueError` on access
 * (@pulumi/policy 1.21.0 proxy.js), and raw inputs carry the engine's unknown sentinels (same file). `read()` turns
 * both into `UNKNOWN`, and each rule decides:
 * - security switches this project sets as literals (kind, disableLocalAuth, principalType, role, identity type,
 *   disablePasswordAuthentication, httpsOnly, minTlsVersion, ftpsState, allow*, storage flags, minimumTlsVersion)
 *   fail closed: an unknown value cannot prove the guardrail holds, so it is a violation that says so;
 * - values whose presence is what matters (customSubDomainName from a random suffix, a public IP reference) count as
 *   present when unknown;
 * - a role assignment scope is legitimately unknown until its resource group exists, so an unknown scope is not
 *   judged in preview; `pulumi up` analyzes again with the real value and enforces the rule then.
 */
import { BUILT_IN_ROLES, KEY_ENABLING_ROLES, PRIVILEGED_ROLES } from "../lib/constants";

/** Marker for a value the engine does not know yet. */
export const UNKNOWN: unique symbol = Symbol("unknown value");
export type Unknown = typeof UNKNOWN;

/** Unknown sentinels the engine puts in analyzer inputs during preview (@pulumi/policy 1.21.0 proxy.js). */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (and @pulumi/pulumi's generic unknown)
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** True when `value` is the engine's marker for a value not known before deployment. */
export function isUnknownSentinel(value: unknown): boolean {
  return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/**
 * The value at `path` inside `root`: `undefined` when absent, `UNKNOWN` when it or a parent is not known yet.
 * A getter that throws can only be @pulumi/policy's unknown-checking proxy (plain JSON never throws), so a throw
 * means "unknown".
 */
export function read(root: unknown, ...path: readonly (string | number)[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (isUnknownSentinel(current)) return UNKNOWN;
    if (current === null || typeof current !== "object") return undefined;
    try {
      current = (current as Record<string | number, unknown>)[key];
    } catch {
      return UNKNOWN;
    }
  }
  return isUnknownSentinel(current) ? UNKNOWN : current;
}

/** Elements of the array at `path`; `UNKNOWN` when the array itself is not known yet. */
function readArray(root: unknown, ...path: readonly (string | number)[]): unknown[] | Unknown {
  const value = read(root, ...path);
  if (value === UNKNOWN) return UNKNOWN;
  if (!Array.isArray(value)) return [];
  return Array.from({ length: value.length }, (_, index) => read(value, index));
}

/** What a rule knows about the stack beyond the one resource it checks. */
export interface GuardrailContext {
  /** The stack allows public IPs on VMs (project config `allowVmPublicIp`). */
  allowVmPublicIp: boolean;
  /** Resource IDs of the stack's resource group(s), when known: role assignments must stay at or below them. */
  resourceGroupIds?: readonly string[];
  /** Principal IDs of managed identities the stack creates: their role assignments must say `ServicePrincipal`. */
  managedIdentityPrincipalIds?: readonly string[];
}

/** One resource as the engine presents it to an analyzer. */
export interface GuardrailSubject {
  /** Pulumi type token, e.g. `azure-native:cognitiveservices:Account`. */
  type: string;
  /** Pulumi logical name, used in messages. */
  name: string;
  /** Resource inputs as the engine sends them (plain JSON, possibly holding unknowns). */
  props: unknown;
}

/** A guardrail: what it checks, on which resource types, and the check itself. */
export interface Guardrail {
  /** Unique name, also the policy name in the pack. */
  name: string;
  description: string;
  /** Type tokens the rule looks at. */
  resourceTypes: readonly string[];
  /** Narrows applicability within `resourceTypes` (e.g. only function apps among web apps). Defaults to all. */
  appliesTo?: (subject: GuardrailSubject) => boolean;
  /** Violation messages; empty when the resource passes. Every message names the resource and the property. */
  check: (subject: GuardrailSubject, context: GuardrailContext) => string[];
}

export const TYPES = {
  account: "azure-native:cognitiveservices:Account",
  roleAssignment: "azure-native:authorization:RoleAssignment",
  virtualMachine: "azure-native:compute:VirtualMachine",
  networkInterface: "azure-native:network:NetworkInterface",
  publicIpAddress: "azure-native:network:PublicIPAddress",
  webApp: "azure-native:web:WebApp",
  webAppFtpAllowed: "azure-native:web:WebAppFtpAllowed",
  webAppScmAllowed: "azure-native:web:WebAppScmAllowed",
  storageAccount: "azure-native:storage:StorageAccount",
  userAssignedIdentity: "azure-native:managedidentity:UserAssignedIdentity",
} as const;

function label(subject: GuardrailSubject): string {
  return `${subject.type.split(":").pop()} '${subject.name}'`;
}

function describe(value: unknown): string {
  if (value === UNKNOWN) return "not known before deployment";
  if (value === undefined) return "not set";
  return JSON.stringify(value);
}

/** A literal `true` passes; anything else (absent, false, unknown) is reported. */
function requireTrue(subject: GuardrailSubject, property: string, value: unknown, why: string): string[] {
  return value === true ? [] : [`${label(subject)}: ${property} must be true (${describe(value)}): ${why}`];
}

/** A literal `false` passes; anything else (absent, true, unknown) is reported. */
function requireFalse(subject: GuardrailSubject, property: string, value: unknown, why: string): string[] {
  return value === false ? [] : [`${label(subject)}: ${property} must be false (${describe(value)}): ${why}`];
}

/** `identity.type` names a system- or user-assigned identity ("SystemAssigned", "UserAssigned" or both). */
function requireManagedIdentity(subject: GuardrailSubject): string[] {
  const type = read(subject.props, "identity", "type");
  if (typeof type === "string" && /assigned/i.test(type)) return [];
  return [
    `${label(subject)}: identity.type must name a managed identity (${describe(type)}): needed for keyless access`,
  ];
}

const OPENAI_KINDS = ["openai", "aiservices"];

/** OpenAI / AI Services accounts must take Entra ID tokens only. */
const openAiKeyless: Guardrail = {
  name: "openai-entra-id-only",
  description:
    "Azure OpenAI / AI Services accounts need a custom subdomain (Entra ID tokens need one) and local (key) auth disabled.",
  resourceTypes: [TYPES.account],
  appliesTo: (subject) => {
    const kind = read(subject.props, "kind");
    return kind === UNKNOWN || (typeof kind === "string" && OPENAI_KINDS.includes(kind.toLowerCase()));
  },
  check: (subject) => {
    const violations: string[] = [];
    const kind = read(subject.props, "kind");
    if (kind === UNKNOWN) violations.push(`${label(subject)}: kind is not known before deployment; set it literally`);
    // Unknown counts as set: a subdomain built from a random suffix is only known once the suffix exists.
    const subdomain = read(subject.props, "properties", "customSubDomainName");
    if (subdomain !== UNKNOWN && (typeof subdomain !== "string" || subdomain.trim() === "")) {
      violations.push(
        `${label(subject)}: properties.customSubDomainName must be set (${describe(subdomain)}): Entra ID tokens need a custom subdomain`,
      );
    }
    violations.push(
      ...requireTrue(
        subject,
        "properties.disableLocalAuth",
        read(subject.props, "properties", "disableLocalAuth"),
        "API keys must not work",
      ),
    );
    return violations;
  },
};

const ALL_ROLE_NAMES: ReadonlyMap<string, string> = new Map(
  [...Object.entries(BUILT_IN_ROLES), ...Object.entries(PRIVILEGED_ROLES), ...Object.entries(KEY_ENABLING_ROLES)].map(
    ([name, guid]) => [guid, name],
  ),
);

/** Built-in role name for a role definition GUID, or undefined when the GUID is not one this project knows. */
export function roleNameOf(roleGuid: string): string | undefined {
  return ALL_ROLE_NAMES.get(roleGuid.toLowerCase());
}

/** The GUID at the end of a role definition ID (`/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}`). */
export function roleGuidOf(roleDefinitionId: string): string {
  return (roleDefinitionId.split("/").pop() ?? "").toLowerCase();
}

/**
 * Why each refused role is refused, by GUID (GUIDs and actions: Learn "Azure built-in roles", see lib/constants.ts).
 * The GUID is read from the end of roleDefinitionId, so the subscription form a request sends and the tenant form ARM
 * answers with (`/providers/Microsoft.Authorization/roleDefinitions/{guid}`) are judged alike.
 */
const REFUSED_ROLES: ReadonlyMap<string, string> = new Map([
  ...Object.entries(PRIVILEGED_ROLES).map(([name, guid]): [string, string] => [
    guid,
    `${name}, a privileged role (it writes any resource or grants roles)`,
  ]),
  ...Object.entries(KEY_ENABLING_ROLES).map(([name, guid]): [string, string] => [
    guid,
    `${name}, which can write the account (turn key auth back on) and list or regenerate its keys`,
  ]),
]);

function normalizeScope(scope: string): string {
  return scope.trim().replace(/\/+$/, "").toLowerCase();
}

/** Why a role assignment scope is too broad, or undefined when it is the stack's resource group or below it. */
function scopeProblem(scope: string, resourceGroupIds: readonly string[] | undefined): string | undefined {
  const normalized = normalizeScope(scope);
  if (normalized === "") return "it is the root scope";
  if (normalized.startsWith("/providers/microsoft.management/managementgroups/")) return "it is a management group";
  if (/^\/subscriptions\/[^/]+$/.test(normalized)) return "it is a whole subscription";
  if (!/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+(\/|$)/.test(normalized)) {
    return "it is not a resource group or a resource inside one";
  }
  if (resourceGroupIds && resourceGroupIds.length > 0) {
    const inside = resourceGroupIds.some((groupId) => {
      const group = normalizeScope(groupId);
      return normalized === group || normalized.startsWith(`${group}/`);
    });
    if (!inside) return "it is outside the stack's resource group";
  }
  return undefined;
}

const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal"];

/**
 * A role assignment whose principal is one of the stack's managed identities but whose principalType is not
 * `ServicePrincipal`: the trap of leaving principalType out, since azure-native then sends `User`.
 */
export function principalTypeMismatch(
  subject: GuardrailSubject,
  managedIdentityPrincipalIds: readonly string[],
): string[] {
  const principalId = read(subject.props, "principalId");
  const principalType = read(subject.props, "principalType");
  if (typeof principalId !== "string" || principalType === "ServicePrincipal") return [];
  const isManagedIdentity = managedIdentityPrincipalIds.some((id) => id.toLowerCase() === principalId.toLowerCase());
  if (!isManagedIdentity) return [];
  return [
    `${label(subject)}: principalType is ${describe(principalType)} but principalId ${principalId} is a managed identity of this stack: use ServicePrincipal`,
  ];
}

/**
 * Principal IDs of the managed identities among `resources`: system-assigned ones from `identity.principalId`, and
 * user-assigned identity resources (type {@link TYPES.userAssignedIdentity}) from their top-level `principalId`.
 */
export function managedIdentityPrincipalIds(resources: readonly { type?: string; props: unknown }[]): string[] {
  const ids = resources
    .map((resource) =>
      resource.type === TYPES.userAssignedIdentity
        ? read(resource.props, "principalId")
        : read(resource.props, "identity", "principalId"),
    )
    .filter((id): id is string => typeof id === "string" && id !== "");
  return [...new Set(ids)].sort();
}

/**
 * Role assignments: no privileged role, no role that can turn key auth back on, nothing above the resource group, an
 * explicit principal type. Roles are matched by built-in GUID; a custom role definition is not judged here.
 */
const roleAssignmentLeastPrivilege: Guardrail = {
  name: "role-assignment-least-privilege",
  description:
    "Role assignments must not grant Owner, Contributor, User Access Administrator, Role Based Access Control Administrator or a role that can turn key auth back on (Cognitive Services Contributor, Azure AI Administrator, Foundry Account Owner, Foundry Owner), must be scoped to the stack's resource group or below, and must state principalType.",
  resourceTypes: [TYPES.roleAssignment],
  check: (subject, context) => {
    const violations: string[] = [];
    const roleDefinitionId = read(subject.props, "roleDefinitionId");
    if (typeof roleDefinitionId !== "string") {
      violations.push(
        `${label(subject)}: roleDefinitionId must be a known role definition ID (${describe(roleDefinitionId)}): an unknown role cannot be proven unprivileged`,
      );
    } else {
      const refused = REFUSED_ROLES.get(roleGuidOf(roleDefinitionId));
      if (refused) {
        violations.push(
          `${label(subject)}: roleDefinitionId grants ${refused}; grant a data role such as Cognitive Services OpenAI User`,
        );
      }
    }
    const scope = read(subject.props, "scope");
    if (scope !== UNKNOWN) {
      const problem = typeof scope === "string" ? scopeProblem(scope, context.resourceGroupIds) : "it is not set";
      if (problem) {
        violations.push(`${label(subject)}: scope ${describe(scope)} is above the resource group: ${problem}`);
      }
    }
    const principalType = read(subject.props, "principalType");
    if (typeof principalType !== "string" || !PRINCIPAL_TYPES.includes(principalType)) {
      violations.push(
        `${label(subject)}: principalType must be one of ${PRINCIPAL_TYPES.join(", ")} (${describe(principalType)}): without it ARM may answer PrincipalNotFound for new identities`,
      );
    }
    violations.push(...principalTypeMismatch(subject, context.managedIdentityPrincipalIds ?? []));
    return violations;
  },
};

function isWindowsVm(props: unknown): boolean {
  return read(props, "osProfile", "windowsConfiguration") !== undefined;
}

/** Linux VMs: SSH keys only and a managed identity. */
const linuxVmHardened: Guardrail = {
  name: "linux-vm-keyless",
  description: "Linux VMs must disable password authentication and carry a managed identity.",
  resourceTypes: [TYPES.virtualMachine],
  appliesTo: (subject) => !isWindowsVm(subject.props),
  check: (subject) => [
    ...requireTrue(
      subject,
      "osProfile.linuxConfiguration.disablePasswordAuthentication",
      read(subject.props, "osProfile", "linuxConfiguration", "disablePasswordAuthentication"),
      "SSH keys only",
    ),
    ...requireManagedIdentity(subject),
  ],
};

/** Paths of public IP references a VM, NIC or public IP resource declares (unknown references count as present). */
function publicIpReferences(subject: GuardrailSubject): string[] {
  if (subject.type === TYPES.publicIpAddress) return ["the resource itself"];
  const found: string[] = [];
  if (subject.type === TYPES.networkInterface) {
    const configurations = readArray(subject.props, "ipConfigurations");
    if (configurations === UNKNOWN) return ["ipConfigurations (not known before deployment)"];
    configurations.forEach((configuration, index) => {
      if (configuration === UNKNOWN || read(configuration, "publicIPAddress") !== undefined) {
        found.push(`ipConfigurations[${index}].publicIPAddress`);
      }
    });
    return found;
  }
  const nics = readArray(subject.props, "networkProfile", "networkInterfaceConfigurations");
  if (nics === UNKNOWN) return ["networkProfile.networkInterfaceConfigurations (not known before deployment)"];
  nics.forEach((nic, nicIndex) => {
    const configurations = readArray(nic, "ipConfigurations");
    const prefix = `networkProfile.networkInterfaceConfigurations[${nicIndex}].ipConfigurations`;
    if (configurations === UNKNOWN) {
      found.push(`${prefix} (not known before deployment)`);
      return;
    }
    configurations.forEach((configuration, index) => {
      if (configuration === UNKNOWN || read(configuration, "publicIPAddressConfiguration") !== undefined) {
        found.push(`${prefix}[${index}].publicIPAddressConfiguration`);
      }
    });
  });
  return found;
}

/** No public IPs for VMs unless the stack opts in. */
const vmNoPublicIp: Guardrail = {
  name: "vm-no-public-ip",
  description:
    "VMs get no public IP (PublicIPAddress resources, NIC ipConfigurations with publicIPAddress, VM-inline publicIPAddressConfiguration) unless the stack sets allowVmPublicIp.",
  resourceTypes: [TYPES.publicIpAddress, TYPES.networkInterface, TYPES.virtualMachine],
  check: (subject, context) => {
    if (context.allowVmPublicIp) return [];
    return publicIpReferences(subject).map(
      (path) => `${label(subject)}: public IP at ${path}: not allowed unless config allowVmPublicIp is true`,
    );
  },
};

function isFunctionApp(subject: GuardrailSubject): boolean {
  const kind = read(subject.props, "kind");
  return kind === UNKNOWN || (typeof kind === "string" && kind.toLowerCase().includes("functionapp"));
}

const TLS_VERSIONS_AT_LEAST_1_2 = ["1.2", "1.3"];

/** Function Apps: managed identity, HTTPS only, TLS 1.2+, FTP off. */
const functionAppHardened: Guardrail = {
  name: "function-app-hardened",
  description:
    "Function Apps need a managed identity, httpsOnly, minimum TLS 1.2 and FTP disabled (CKV_AZURE_71/70/145, Azure Policy built-ins); Flex Consumption sites have no FTP.",
  resourceTypes: [TYPES.webApp],
  appliesTo: isFunctionApp,
  check: (subject) => {
    const violations = [
      ...requireManagedIdentity(subject),
      ...requireTrue(subject, "httpsOnly", read(subject.props, "httpsOnly"), "plain HTTP must be redirected"),
    ];
    if (read(subject.props, "kind") === UNKNOWN) {
      violations.push(`${label(subject)}: kind is not known before deployment; set it literally`);
    }
    // Absent means the platform default, TLS 1.2 (PSRule Azure.AppService.MinTLS: "By default, a minimum of TLS 1.2
    // is enforced"); only an explicit older or unrecognised value fails.
    const tls = read(subject.props, "siteConfig", "minTlsVersion");
    if (tls !== undefined && !(typeof tls === "string" && TLS_VERSIONS_AT_LEAST_1_2.includes(tls))) {
      violations.push(`${label(subject)}: siteConfig.minTlsVersion must be 1.2 or later (${describe(tls)})`);
    }
    // Flex Consumption sites (the ones with functionAppConfig) are Linux-only and offer no FTPS deployment (Azure
    // Functions "deployment technologies" table: FTPS "Windows only" under Flex Consumption), and Flex rejects
    // ftpsState in several regions (pulumi-azure-native#4168): there, FTP is off without siteConfig.
    const isFlex = read(subject.props, "functionAppConfig") !== undefined;
    const ftps = read(subject.props, "siteConfig", "ftpsState");
    if (ftps !== "Disabled" && !isFlex) {
      violations.push(
        `${label(subject)}: siteConfig.ftpsState must be "Disabled" (${describe(ftps)}): FTP deploys with shared credentials`,
      );
    }
    return violations;
  },
};

/** Basic-auth publishing (FTP and SCM) stays off: deployments use Entra ID. */
const webBasicPublishingOff: Guardrail = {
  name: "web-basic-publishing-disabled",
  description:
    "FTP and SCM basic-auth publishing credentials (WebAppFtpAllowed / WebAppScmAllowed) must not be allowed.",
  resourceTypes: [TYPES.webAppFtpAllowed, TYPES.webAppScmAllowed],
  check: (subject) => requireFalse(subject, "allow", read(subject.props, "allow"), "publishing must use Entra ID"),
};

/** Storage accounts: Entra ID only, no anonymous blob access. */
const storageKeyless: Guardrail = {
  name: "storage-keyless-private",
  description: "Storage accounts must disable shared-key access and public blob access (set both to false).",
  resourceTypes: [TYPES.storageAccount],
  check: (subject) => [
    ...requireFalse(
      subject,
      "allowSharedKeyAccess",
      read(subject.props, "allowSharedKeyAccess"),
      "access keys and SAS must not work",
    ),
    ...requireFalse(
      subject,
      "allowBlobPublicAccess",
      read(subject.props, "allowBlobPublicAccess"),
      "no anonymous reads",
    ),
  ],
};

/** Storage `minimumTlsVersion` values of TLS 1.2 or later (@pulumi/azure-native 3.28.0 enums storage.MinimumTlsVersion). */
const STORAGE_TLS_AT_LEAST_1_2 = ["TLS1_2", "TLS1_3"];

/**
 * Storage accounts: minimum TLS 1.2, set explicitly. Left out, the service reads it as TLS 1.0 (@pulumi/azure-native
 * 3.28.0 storage/storageAccount.d.ts, API 2024-01-01: "The default interpretation is TLS 1.0 for this property").
 * Azure Policy's built-in recommends the same (Azure/azure-policy built-in-policies/policyDefinitions/Storage/
 * StorageAccountMinimumTLSVersion_Audit.json: "the recommended minimum TLS version is ... TLS 1.2").
 */
const storageMinimumTls: Guardrail = {
  name: "storage-min-tls-1-2",
  description:
    'Storage accounts must set minimumTlsVersion to TLS1_2 or later; left out, Azure reads it as TLS 1.0 (Azure Policy built-in "Storage accounts should have the specified minimum TLS version").',
  resourceTypes: [TYPES.storageAccount],
  check: (subject) => {
    const tls = read(subject.props, "minimumTlsVersion");
    if (typeof tls === "string" && STORAGE_TLS_AT_LEAST_1_2.includes(tls)) return [];
    return [
      `${label(subject)}: minimumTlsVersion must be TLS1_2 or later (${describe(tls)}): unset means TLS 1.0 to Azure`,
    ];
  },
};

/** Tag value that marks a resource of a production stack (index.ts tags every resource with `environment`). */
export const PRODUCTION_ENVIRONMENT = "production";

function isProduction(subject: GuardrailSubject): boolean {
  return read(subject.props, "tags", "environment") === PRODUCTION_ENVIRONMENT;
}

/**
 * A production stack is private: its OpenAI account and storage accounts take no public traffic (public network access
 * Disabled, network ACLs default Deny; the built-ins "Azure AI Services resources should restrict network access",
 * "Storage accounts should disable public network access", "Storage accounts should restrict network access") and its
 * Function Apps are VNet-integrated ("App Service apps should be injected into a virtual network"). Resources tagged
 * `environment: production` only; an unknown subnet ID counts as set (it is known once the subnet exists).
 */
const productionPrivateNetwork: Guardrail = {
  name: "production-private-network",
  description:
    "Resources of a production stack (tag environment: production) must be private: OpenAI and storage accounts with public network access Disabled and network ACLs defaulting to Deny, function apps VNet-integrated.",
  resourceTypes: [TYPES.account, TYPES.storageAccount, TYPES.webApp],
  appliesTo: (subject) => isProduction(subject) && (subject.type !== TYPES.webApp || isFunctionApp(subject)),
  check: (subject) => {
    const why = "a production stack is private";
    if (subject.type === TYPES.webApp) {
      const subnet = read(subject.props, "virtualNetworkSubnetId");
      return subnet === UNKNOWN || (typeof subnet === "string" && subnet !== "")
        ? []
        : [`${label(subject)}: virtualNetworkSubnetId must be set (${describe(subnet)}): ${why}`];
    }
    const base = subject.type === TYPES.account ? ["properties"] : [];
    const violations: string[] = [];
    const access = read(subject.props, ...base, "publicNetworkAccess");
    if (access !== "Disabled") {
      violations.push(
        `${label(subject)}: ${[...base, "publicNetworkAccess"].join(".")} must be "Disabled" (${describe(access)}): ${why}`,
      );
    }
    // azure-native names ARM's storage `networkAcls` input `networkRuleSet` (storage/storageAccount.d.ts).
    const acls = subject.type === TYPES.account ? [...base, "networkAcls"] : ["networkRuleSet"];
    const action = read(subject.props, ...acls, "defaultAction");
    if (action !== "Deny") {
      violations.push(
        `${label(subject)}: ${[...acls, "defaultAction"].join(".")} must be "Deny" (${describe(action)}): ${why}`,
      );
    }
    return violations;
  },
};

/** Every guardrail, in the order reports list them. */
export const GUARDRAILS: readonly Guardrail[] = [
  openAiKeyless,
  roleAssignmentLeastPrivilege,
  linuxVmHardened,
  vmNoPublicIp,
  functionAppHardened,
  webBasicPublishingOff,
  storageKeyless,
  storageMinimumTls,
  productionPrivateNetwork,
];

/** True when `rule` looks at `subject` (type matches and the rule's narrower test, if any, holds). */
export function ruleApplies(rule: Guardrail, subject: GuardrailSubject): boolean {
  return rule.resourceTypes.includes(subject.type) && (rule.appliesTo?.(subject) ?? true);
}
