/**
 * The one place where stack configuration is read, defaulted and validated.
 *
 * `Pulumi.yaml` declares every key's type, default and description; {@link CONFIG_KEY_NAMES} lists the keys validated
 * here, and {@link configDeclarations} refuses a project file that disagrees. `parseConfig` turns raw strings, as the
 * Pulumi CLI hands them over, into a typed `StackConfig`, or throws one `ConfigError` that lists every problem with the
 * key, the value and what to do.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
  DEFAULT_DEPLOYMENT,
  DEPLOYMENT_SKUS,
  MODEL_ACCESS_ROLES,
  type ModelAccessRoleName,
  VERSION_UPGRADE_OPTIONS,
} from "./constants";
import { didYouMean } from "./suggest";

export const COMPUTE_KINDS = ["vm", "functionApp", "both", "none"] as const;
export type ComputeKind = (typeof COMPUTE_KINDS)[number];
export const ROLE_SCOPES = ["resourceGroup", "account"] as const;
export type RoleScope = (typeof ROLE_SCOPES)[number];
/**
 * How the account is reached: `public` (any network, token-only), `allowList` (these IPv4 ranges plus the stack's own
 * subnets through a service endpoint), `private` (private endpoint only; compute in the stack's VNet).
 */
export const NETWORK_MODES = ["public", "allowList", "private"] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];
export const DEPLOYER_PRINCIPAL_TYPES = ["auto", "User", "ServicePrincipal"] as const;
export type DeployerPrincipalType = (typeof DEPLOYER_PRINCIPAL_TYPES)[number];
export const PROTECT_MODES = ["auto", "true", "false"] as const;

type DeploymentSku = (typeof DEPLOYMENT_SKUS)[number];
type VersionUpgradeOption = (typeof VERSION_UPGRADE_OPTIONS)[number];

/** One model deployment on the account. */
export interface DeploymentSpec {
  /** Deployment name callers use in URLs (`/openai/deployments/{name}`). Set explicitly, never the Pulumi name. */
  name: string;
  model: string;
  version: string;
  sku: DeploymentSku;
  /** Thousands of tokens per minute for Standard-type SKUs; provisioned units for provisioned SKUs. */
  capacity: number;
  versionUpgradeOption: VersionUpgradeOption;
}

/** Validated configuration of one stack. */
export interface StackConfig {
  project: string;
  stack: string;
  location: string;
  resourceGroupName: string;
  /** Explicit custom subdomain, or undefined to derive `<project>-<stack>-<random>`. */
  accountSubdomain: string | undefined;
  network: {
    mode: NetworkMode;
    /** allowList mode: IPv4 addresses or CIDR ranges allowed besides the stack's own subnets. */
    allowedIpRanges: string[];
  };
  deployments: DeploymentSpec[];
  /** Protect the account (and its resource group) from `pulumi destroy`. */
  protect: boolean;
  /** A short-lived stack (pull request): teardown removes the stack too. */
  testStack: boolean;
  /** A production stack: infrastructure encryption, no auto-shutdown, and it must be private. */
  production: boolean;
  access: {
    role: ModelAccessRoleName;
    scope: RoleScope;
    grantDeployer: boolean;
    deployerPrincipalType: DeployerPrincipalType;
    users: string[];
    groups: string[];
    servicePrincipals: string[];
  };
  compute: {
    kind: ComputeKind;
    vm: {
      size: string;
      adminUsername: string;
      /** OpenSSH public key, or undefined to generate one (kept as a secret in state). */
      sshPublicKey: string | undefined;
      sshAllowedCidrs: string[];
      trustedLaunch: boolean;
      /** Daily shutdown time, `HH:MM` UTC, or undefined for none. */
      autoShutdownTime: string | undefined;
    };
    functionApp: {
      /** Region of the Function App (Flex Consumption is not offered everywhere). */
      location: string;
    };
  };
}

type ConfigType = "string" | "boolean" | "array";
const CONFIG_TYPES: readonly string[] = ["string", "boolean", "array"];

/** A config key as `Pulumi.yaml` declares it: its type, default and description. */
export interface ConfigKey {
  type: ConfigType;
  default: string | boolean | string[];
  description: string;
}

/**
 * The keys this validator reads. `Pulumi.yaml` is the one declaration of their types, defaults and descriptions:
 * {@link configDeclarations} reads it and refuses a file that declares a key not listed here or misses one.
 */
export const CONFIG_KEY_NAMES = [
  "location",
  "resourceGroupName",
  "accountSubdomain",
  "networkMode",
  "allowedIpRanges",
  "deployments",
  "protect",
  "testStack",
  "production",
  "roleName",
  "roleScope",
  "grantDeployer",
  "deployerPrincipalType",
  "users",
  "groups",
  "servicePrincipals",
  "compute",
  "vmSize",
  "vmAdminUsername",
  "sshPublicKey",
  "sshAllowedCidrs",
  "vmTrustedLaunch",
  "vmAutoShutdown",
  "functionAppLocation",
] as const;

export type ConfigKeyName = (typeof CONFIG_KEY_NAMES)[number];

/** The project file: beside this folder, where Pulumi runs the program and where the tests and commands find it. */
export const PROJECT_FILE = join(__dirname, "..", "Pulumi.yaml");

let declarations: Readonly<Record<ConfigKeyName, ConfigKey>> | undefined;

function isDeclaredDefault(type: ConfigType, value: unknown): value is ConfigKey["default"] {
  if (type === "array") return Array.isArray(value) && value.every((item) => typeof item === "string");
  return typeof value === type;
}

/**
 * Every config key's declaration, read from `Pulumi.yaml` (Pulumi applies its defaults only when the CLI runs the
 * program, not under the mock engine, so the validator applies them itself).
 * @throws Error naming the key when Pulumi.yaml and {@link CONFIG_KEY_NAMES} disagree or a default has the wrong type.
 */
export function configDeclarations(projectFile = PROJECT_FILE): Readonly<Record<ConfigKeyName, ConfigKey>> {
  if (declarations !== undefined && projectFile === PROJECT_FILE) return declarations;
  const parsed: unknown = parse(readFileSync(projectFile, "utf8"));
  const config = (parsed as { config?: unknown } | null)?.config;
  if (typeof config !== "object" || config === null) throw new Error(`${projectFile}: no config block`);
  const declared = config as Record<string, { type?: unknown; default?: unknown; description?: unknown }>;
  const known: readonly string[] = CONFIG_KEY_NAMES;
  const extra = Object.keys(declared).filter((key) => !known.includes(key));
  if (extra.length > 0)
    throw new Error(`${projectFile} declares ${extra.join(", ")}, which lib/config.ts does not validate; add a rule`);
  const result = {} as Record<ConfigKeyName, ConfigKey>;
  for (const key of CONFIG_KEY_NAMES) {
    const declaration = declared[key];
    const type = declaration?.type;
    if (typeof type !== "string" || !CONFIG_TYPES.includes(type))
      throw new Error(`${projectFile}: config key ${key} needs a type (string, boolean or array)`);
    const configType = type as ConfigType;
    if (!isDeclaredDefault(configType, declaration?.default))
      throw new Error(`${projectFile}: config key ${key} needs a default of type ${type}`);
    result[key] = {
      type: configType,
      default: declaration.default,
      description: String(declaration.description ?? ""),
    };
  }
  if (projectFile === PROJECT_FILE) declarations = result;
  return result;
}

/** The declared default of a string key, for components whose Args default to what the stack defaults to. */
export function declaredStringDefault(key: ConfigKeyName): string {
  const value = configDeclarations()[key].default;
  if (typeof value !== "string") throw new Error(`Pulumi.yaml: ${key} is not a string key`);
  return value;
}

/** Raw values as the CLI passes them: strings, with arrays and booleans as JSON text. Missing keys use defaults. */
export type RawConfig = Partial<Record<string, string>>;

/** Thrown when configuration is invalid; lists every problem. */
export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: string[],
  ) {
    super(
      `Invalid configuration for stack '${stack}' (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UPN = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/;
/** A DNS label: lower-case letters, digits and inner hyphens, at most 63 characters (RFC 1035). */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Azure deployment names: letters, digits, `-`, `_`, `.`; 2 to 64 characters (Azure OpenAI "create a resource" docs). */
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
/** Resource group names: letters, digits, `-`, `_`, `.`, `(`, `)`; up to 90; not ending in a period (ARM naming rules). */
const RESOURCE_GROUP_NAME = /^[-\w.()]{0,89}[-\w()]$/;
const SSH_PUBLIC_KEY =
  /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/=]+( \S.*)?$/;
const VM_SIZE = /^(Standard|Basic)_[A-Za-z0-9_]+$/;
/** A Linux user name as Azure accepts it for osProfile.adminUsername: lower case, at most 32 characters. */
export const LINUX_USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;
/**
 * Names Azure refuses as admin user: the "Disallowed values" of osProfile.adminUsername, copied from
 * @pulumi/azure-native 3.28.0 types/input.d.ts (compute OSProfileArgs, from the Compute REST spec).
 */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
  "administrator",
  "admin",
  "user",
  "user1",
  "test",
  "user2",
  "test1",
  "user3",
  "admin1",
  "1",
  "123",
  "a",
  "actuser",
  "adm",
  "admin2",
  "aspnet",
  "backup",
  "console",
  "david",
  "guest",
  "john",
  "owner",
  "root",
  "server",
  "sql",
  "support",
  "support_388945a0",
  "sys",
  "test2",
  "test3",
  "user4",
  "user5",
]);
const CAPACITY_RANGE = { min: 1, max: 50_000 };
/** `HH:MM`, 24-hour clock. */
export const SHUTDOWN_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
/** Auto-shutdown of non-production VMs: after a working day in Europe, before one in the Americas ends. */
const DEFAULT_SHUTDOWN_TIME = "19:00";

function quote(value: unknown): string {
  return JSON.stringify(value);
}

function oneOf(list: readonly string[]): string {
  return `one of ${list.join(", ")}`;
}

/** True for a dotted-quad IPv4 address. */
function isIpv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

/** True for an IPv4 address or IPv4 CIDR range. */
export function isIpv4Range(text: string): boolean {
  const [address, prefix, ...rest] = text.split("/");
  if (rest.length > 0 || address === undefined || !isIpv4(address)) return false;
  return prefix === undefined || (/^\d{1,2}$/.test(prefix) && Number(prefix) <= 32);
}

/** `[first, end)` of an IPv4 CIDR range as numbers (the host bits masked off, as Azure reads the range). */
function ipv4Interval(range: string): [number, number] {
  const [address = "", prefixText] = range.split("/");
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  const value = address.split(".").reduce((total, part) => total * 256 + Number(part), 0);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(value / size) * size;
  return [first, first + size];
}

/** Sorted, non-overlapping intervals covering the same addresses. */
function mergeIntervals(intervals: [number, number][]): [number, number][] {
  const merged: [number, number][] = [];
  for (const [first, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && first <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([first, end]);
  }
  return merged;
}

/**
 * IPv4 ranges no SSH client on the internet comes from: "this network", RFC 1918 private, RFC 6598 shared, loopback,
 * link-local, multicast and reserved (IANA IPv4 Special-Purpose Address Registry, RFC 6890; multicast RFC 5771).
 */
const NON_PUBLIC_IPV4 = mergeIntervals(
  [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
  ].map(ipv4Interval),
);

/** How many public IPv4 addresses a list of ranges covers together (overlaps counted once). */
export function publicIpv4Count(ranges: readonly string[]): number {
  let count = 0;
  for (const [first, end] of mergeIntervals(ranges.map(ipv4Interval))) {
    count += end - first;
    for (const [nonPublicFirst, nonPublicEnd] of NON_PUBLIC_IPV4) {
      count -= Math.max(0, Math.min(end, nonPublicEnd) - Math.max(first, nonPublicFirst));
    }
  }
  return count;
}

/**
 * The most public IPv4 addresses SSH may be opened to: one /16, a large organisation's block. More is the internet in
 * pieces (`0.0.0.0/1` + `128.0.0.0/1` is `0.0.0.0/0`).
 */
export const MAX_SSH_PUBLIC_ADDRESSES = 65_536;

/** What is wrong with a list of SSH source ranges, as one sentence, or undefined when it is acceptable. */
export function sshAllowedCidrsProblem(cidrs: readonly string[]): string | undefined {
  const malformed = cidrs.find((cidr) => !isIpv4Range(cidr));
  if (malformed !== undefined)
    return `sshAllowedCidrs = ${quote(cidrs)}: ${quote(malformed)} is not an IPv4 address or CIDR range; write ranges such as 203.0.113.0/24`;
  const covered = publicIpv4Count(cidrs);
  if (covered > MAX_SSH_PUBLIC_ADDRESSES)
    return `sshAllowedCidrs = ${quote(cidrs)} opens SSH to ${covered.toLocaleString("en-US")} public IPv4 addresses, more than the ${MAX_SSH_PUBLIC_ADDRESSES.toLocaleString("en-US")} (one /16) allowed; list only the ranges you connect from`;
  return undefined;
}

/**
 * Pulumi stack names: letters, digits, `-`, `_` and `.` (Pulumi CLI `pulumi stack init` reference, "stack names may
 * only contain alphanumeric, hyphens, underscores, or periods"), at most 100 characters.
 */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Why a stack name is not one, or undefined when it is. `qualified` also accepts `org/stack` and `org/project/stack`
 * (what `--stack` takes); the program itself only ever sees the short name.
 */
export function stackNameProblem(stack: string, qualified = false): string | undefined {
  const segments = stack.split("/");
  const valid = (segment: string) => STACK_NAME.test(segment) && segment !== "." && segment !== "..";
  if (segments.length <= (qualified ? 3 : 1) && segments.every(valid)) return undefined;
  return `stack name ${quote(stack)} is not a Pulumi stack name: use letters, digits, '-', '_' or '.' (npm run pulumi -- stack ls lists your stacks)`;
}

/** networkMode that replaces each value of the retired publicNetworkAccess key. */
const NETWORK_MODE_FOR_PUBLIC_ACCESS: Record<string, string> = {
  Enabled: 'networkMode = "public" (or "allowList" with allowedIpRanges)',
  Disabled: 'networkMode = "private"',
};

/**
 * Why a project key in a stack's config is refused: the retired `publicNetworkAccess` with its `networkMode`
 * equivalent, or a key `Pulumi.yaml` does not declare with the likely intended one. Undefined for a declared key.
 */
export function projectKeyProblem(project: string, key: string, value: string | undefined): string | undefined {
  const known: readonly string[] = CONFIG_KEY_NAMES;
  if (known.includes(key)) return undefined;
  if (key === "publicNetworkAccess") {
    const replacement = NETWORK_MODE_FOR_PUBLIC_ACCESS[value ?? ""] ?? "networkMode (public, allowList or private)";
    return `${project}:publicNetworkAccess = ${quote(value)} is retired: remove it (npm run pulumi -- config rm publicNetworkAccess) and set ${replacement} instead`;
  }
  const hint = didYouMean(key, known);
  return `${project}:${key}: '${key}' is not a config key of ${project}${hint || " (Pulumi.yaml declares the keys)"}`;
}

/** The provider setting the program never reads: every resource takes the project's `location`. */
const PROVIDER_LOCATION_KEY = "azure-native:location";

/** The command that asks Azure's catalogue for a current model and pins it in Pulumi.<stack>.yaml (scripts/models.ts). */
export function modelPinCommand(stack: string): string {
  return `npm run models -- --stack ${stack} --pin`;
}

/** Parses one `name=...,model=...` deployment string, reporting problems against `deployments[index]`. */
export function parseDeployment(text: string, index: number, problems: string[]): DeploymentSpec | undefined {
  const key = `deployments[${index}]`;
  const fields = new Map<string, string>();
  for (const part of text.split(",")) {
    const [field, ...valueParts] = part.split("=");
    const value = valueParts.join("=").trim();
    if (field === undefined || valueParts.length === 0 || value === "") {
      problems.push(
        `${key} = ${quote(text)}: each part must be field=value (name, model, version, sku, capacity, upgrade)`,
      );
      return undefined;
    }
    fields.set(field.trim(), value);
  }
  const known = ["name", "model", "version", "sku", "capacity", "upgrade"];
  const unknown = [...fields.keys()].filter((field) => !known.includes(field));
  if (unknown.length > 0)
    problems.push(`${key} = ${quote(text)}: unknown field ${unknown.join(", ")}; allowed: ${known.join(", ")}`);
  const before = problems.length;
  const name = fields.get("name") ?? "";
  if (!DEPLOYMENT_NAME.test(name)) {
    problems.push(
      `${key}.name = ${quote(name)}: must be 2-64 letters, digits, '-', '_' or '.', starting with a letter or digit`,
    );
  }
  const model = fields.get("model") ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(model))
    problems.push(`${key}.model = ${quote(model)}: a model name is required (as \`npm run models\` lists it)`);
  const version = fields.get("version") ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(version))
    problems.push(`${key}.version = ${quote(version)}: a model version is required (as \`npm run models\` lists it)`);
  const sku = fields.get("sku") ?? DEFAULT_DEPLOYMENT.sku;
  if (!(DEPLOYMENT_SKUS as readonly string[]).includes(sku))
    problems.push(`${key}.sku = ${quote(sku)}: must be ${oneOf(DEPLOYMENT_SKUS)}`);
  const capacityText = fields.get("capacity") ?? String(DEFAULT_DEPLOYMENT.capacity);
  const capacity = Number(capacityText);
  if (!/^\d+$/.test(capacityText) || capacity < CAPACITY_RANGE.min || capacity > CAPACITY_RANGE.max) {
    problems.push(
      `${key}.capacity = ${quote(capacityText)}: must be a whole number from ${CAPACITY_RANGE.min} to ${CAPACITY_RANGE.max}`,
    );
  }
  const upgrade = fields.get("upgrade") ?? DEFAULT_DEPLOYMENT.versionUpgradeOption;
  if (!(VERSION_UPGRADE_OPTIONS as readonly string[]).includes(upgrade)) {
    problems.push(`${key}.upgrade = ${quote(upgrade)}: must be ${oneOf(VERSION_UPGRADE_OPTIONS)}`);
  }
  if (problems.length > before) return undefined;
  return {
    name,
    model,
    version,
    sku: sku as DeploymentSku,
    capacity,
    versionUpgradeOption: upgrade as VersionUpgradeOption,
  };
}

/** Reads typed values out of raw config, collecting problems instead of throwing at the first. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly raw: RawConfig) {}

  string(key: ConfigKeyName): string {
    const value = this.raw[key];
    return value === undefined ? String(configDeclarations()[key].default) : value.trim();
  }

  enumOf<T extends string>(key: ConfigKeyName, allowed: readonly T[]): T {
    const value = this.string(key);
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) {
      this.problems.push(`${key} = ${quote(value)}: must be ${oneOf(allowed)}`);
      return allowed[0] as T;
    }
    return match;
  }

  boolean(key: ConfigKeyName): boolean {
    const value = this.raw[key];
    if (value === undefined) return configDeclarations()[key].default === true;
    if (value === "true" || value === "false") return value === "true";
    this.problems.push(`${key} = ${quote(value)}: must be true or false`);
    return false;
  }

  /** A list of strings, as JSON text; each item checked by `valid` (which returns what is allowed, or undefined). */
  list(key: ConfigKeyName, valid: (item: string) => string | undefined): string[] {
    const text = this.raw[key];
    if (text === undefined) {
      const declared = configDeclarations()[key].default;
      return Array.isArray(declared) ? [...declared] : [];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.problems.push(
        `${key} = ${quote(text)}: must be a list of strings (set it with pulumi config set --path '${key}[0]' ...)`,
      );
      return [];
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
      this.problems.push(`${key} = ${text}: must be a list of strings`);
      return [];
    }
    const items = parsed.map((item: string) => item.trim());
    items.forEach((item, index) => {
      const allowed = valid(item);
      if (allowed !== undefined) this.problems.push(`${key}[${index}] = ${quote(item)}: ${allowed}`);
    });
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.toLowerCase()))
        this.problems.push(`${key} lists ${quote(item)} more than once: each entry must be unique`);
      seen.add(item.toLowerCase());
    }
    return items;
  }
}

/**
 * The shape of an Azure region's programmatic name (`az account list-locations --query [].name`: lower-case letters
 * and digits, e.g. swedencentral, eastus2). Which regions exist, and which this subscription may use, changes: the
 * preflight's `location` check asks Azure (subscriptions.listLocations), so a new region works on the day it opens.
 */
const REGION_NAME = /^[a-z][a-z0-9]{2,39}$/;

/** " (did you mean swedencentral?)" for a display name such as "Sweden Central"; "" when nothing fits. */
function regionNameHint(value: string): string {
  const candidate = value.toLowerCase().replace(/[^a-z0-9]/g, "");
  return candidate !== value && REGION_NAME.test(candidate) ? ` (did you mean ${candidate}?)` : "";
}

/**
 * Validates raw config for `project`/`stack` and returns it typed, with defaults applied.
 * @throws ConfigError listing every problem at once.
 */
export function parseConfig(raw: RawConfig, project: string, stack: string): StackConfig {
  const read = new Reader(raw);
  const problems = read.problems;
  const stackProblem = stackNameProblem(stack);
  if (stackProblem !== undefined) problems.push(stackProblem);
  for (const key of Object.keys(raw)) {
    if (key === PROVIDER_LOCATION_KEY) continue;
    const problem = projectKeyProblem(project, key, raw[key]);
    if (problem !== undefined) problems.push(problem);
  }

  const location = read.string("location");
  const providerLocation = raw[PROVIDER_LOCATION_KEY];
  if (providerLocation !== undefined) {
    problems.push(
      `${PROVIDER_LOCATION_KEY} = ${quote(providerLocation)} is never read: every resource goes to location = ${quote(location)}; remove it (npm run pulumi -- config rm ${PROVIDER_LOCATION_KEY}) and set location instead`,
    );
  }
  if (!REGION_NAME.test(location)) {
    problems.push(
      `location = ${quote(location)}: must be an Azure region name such as swedencentral or eastus2${regionNameHint(location)} (lower-case letters and digits; az account list-locations -o table lists yours, npm run preflight checks it)`,
    );
  }
  const resourceGroupName = read.string("resourceGroupName") || `rg-${project}-${stack}`;
  if (stackProblem === undefined && !RESOURCE_GROUP_NAME.test(resourceGroupName)) {
    problems.push(
      `resourceGroupName = ${quote(resourceGroupName)}: must be 1-90 letters, digits, '-', '_', '.', '(' or ')' and not end with '.'`,
    );
  }
  const subdomain = read.string("accountSubdomain");
  if (subdomain !== "" && !DNS_LABEL.test(subdomain)) {
    problems.push(
      `accountSubdomain = ${quote(subdomain)}: must be a DNS label: 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen`,
    );
  }

  const networkMode = read.enumOf("networkMode", NETWORK_MODES);
  const allowedIpRanges = read.list("allowedIpRanges", (item) =>
    isIpv4Range(item) ? undefined : "must be an IPv4 address or CIDR range such as 203.0.113.0/24",
  );
  if (networkMode !== "allowList" && allowedIpRanges.length > 0) {
    problems.push(
      `allowedIpRanges = ${quote(allowedIpRanges)} conflicts with networkMode = ${quote(networkMode)}: an IP allow-list needs networkMode allowList`,
    );
  }
  if (networkMode === "allowList" && allowedIpRanges.length === 0) {
    problems.push(
      `networkMode = "allowList" needs allowedIpRanges: list the ranges people call the model from (the stack's VM and Function App are allowed by subnet), or use private`,
    );
  }

  const deploymentTexts = read.list("deployments", () => undefined);
  if (deploymentTexts.length === 0 && !problems.some((p) => p.startsWith("deployments"))) {
    // No model is built in: one that is current today is closed to new customers within months.
    problems.push(
      `deployments = ${raw.deployments ?? "[]"}: no model deployment is pinned for stack '${stack}'; pin the newest model Azure offers in ${quote(read.string("location"))}: ${modelPinCommand(stack)}`,
    );
  }
  const deployments = deploymentTexts.flatMap((text, index) => parseDeployment(text, index, problems) ?? []);
  const names = new Set<string>();
  for (const deployment of deployments) {
    const lower = deployment.name.toLowerCase();
    if (names.has(lower))
      problems.push(
        `deployments: name ${quote(deployment.name)} is used twice; deployment names must be unique on the account`,
      );
    names.add(lower);
  }

  const protectMode = read.enumOf("protect", PROTECT_MODES);
  const protect = protectMode === "auto" ? stack === "prod" : protectMode === "true";
  const testStack = read.boolean("testStack") || /^pr-\d+$/.test(stack);
  if (protect && testStack)
    problems.push(
      `protect = ${quote(protectMode)} conflicts with a test stack ('${stack}'): test stacks are torn down; do not protect them`,
    );

  const roleName = read.enumOf("roleName", MODEL_ACCESS_ROLES);
  const roleScope = read.enumOf("roleScope", ROLE_SCOPES);
  const grantDeployer = read.boolean("grantDeployer");
  const deployerPrincipalType = read.enumOf("deployerPrincipalType", DEPLOYER_PRINCIPAL_TYPES);
  const users = read.list("users", (item) =>
    UPN.test(item) ? undefined : "must be a user principal name such as alice@contoso.com",
  );
  const guidCheck = (item: string) =>
    GUID.test(item) ? undefined : "must be an object ID (a GUID such as 00000000-0000-0000-0000-000000000000)";
  const groups = read.list("groups", guidCheck);
  const servicePrincipals = read.list("servicePrincipals", guidCheck);

  const computeKind = read.enumOf("compute", COMPUTE_KINDS);
  const hasVm = computeKind === "vm" || computeKind === "both";
  const vmSize = read.string("vmSize");
  if (!VM_SIZE.test(vmSize))
    problems.push(`vmSize = ${quote(vmSize)}: must be an Azure VM size such as Standard_B2ats_v2`);
  const adminUsername = read.string("vmAdminUsername");
  if (!LINUX_USERNAME.test(adminUsername) || RESERVED_USERNAMES.has(adminUsername)) {
    problems.push(
      `vmAdminUsername = ${quote(adminUsername)}: must be a Linux user name (lower-case, up to 32 characters) and not one Azure reserves (${[...RESERVED_USERNAMES].join(", ")})`,
    );
  }
  const sshPublicKey = read.string("sshPublicKey");
  if (sshPublicKey !== "" && !SSH_PUBLIC_KEY.test(sshPublicKey)) {
    problems.push(
      `sshPublicKey = ${quote(`${sshPublicKey.slice(0, 24)}...`)}: must be an OpenSSH public key line (ssh-ed25519 AAAA... or ssh-rsa AAAA...)`,
    );
  }
  const sshAllowedCidrs = read.list("sshAllowedCidrs", (item) =>
    isIpv4Range(item) ? undefined : "must be an IPv4 address or CIDR range such as 203.0.113.0/24",
  );
  if (sshAllowedCidrs.every(isIpv4Range)) {
    const sshProblem = sshAllowedCidrsProblem(sshAllowedCidrs);
    if (sshProblem !== undefined) problems.push(sshProblem);
  }
  if (!hasVm && sshAllowedCidrs.length > 0) {
    problems.push(
      `sshAllowedCidrs = ${quote(sshAllowedCidrs)} conflicts with compute = ${quote(computeKind)}: there is no VM to SSH to`,
    );
  }
  const trustedLaunch = read.boolean("vmTrustedLaunch");
  const production = read.boolean("production");
  const autoShutdown = read.string("vmAutoShutdown");
  if (!["auto", "off"].includes(autoShutdown) && !SHUTDOWN_TIME.test(autoShutdown)) {
    problems.push(`vmAutoShutdown = ${quote(autoShutdown)}: must be auto, off, or a time HH:MM in UTC such as 19:00`);
  }
  const autoShutdownTime =
    autoShutdown === "auto"
      ? production
        ? undefined
        : DEFAULT_SHUTDOWN_TIME
      : autoShutdown === "off"
        ? undefined
        : autoShutdown;
  const functionAppLocation = read.string("functionAppLocation") || location;
  if (functionAppLocation !== location && !REGION_NAME.test(functionAppLocation)) {
    problems.push(
      `functionAppLocation = ${quote(functionAppLocation)}: must be an Azure region name such as swedencentral or eastus2${regionNameHint(functionAppLocation)}`,
    );
  }

  // No accepted configuration may lock the stack out of its own model.
  if (networkMode === "private" && computeKind === "none") {
    problems.push(
      `networkMode = "private" conflicts with compute = "none": only the stack's VM and Function App sit in its network, so nothing could call the model; choose vm, functionApp or both`,
    );
  }
  if (networkMode === "private" && sshAllowedCidrs.length > 0) {
    problems.push(
      `sshAllowedCidrs = ${quote(sshAllowedCidrs)} conflicts with networkMode = "private": a private stack takes no inbound traffic from the internet; reach the VM with run command`,
    );
  }
  const hasFunctionApp = computeKind === "functionApp" || computeKind === "both";
  if (networkMode !== "public" && hasFunctionApp && functionAppLocation !== location) {
    problems.push(
      `functionAppLocation = ${quote(functionAppLocation)} conflicts with networkMode = ${quote(networkMode)}: VNet integration needs the Function App in the stack network's region, ${quote(location)}; pick a location that offers Flex Consumption for both`,
    );
  }
  if (production && networkMode !== "private") {
    problems.push(
      `production = true needs networkMode = "private" (it is ${quote(networkMode)}): a production model is not reachable from the internet`,
    );
  }

  if (problems.length > 0) throw new ConfigError(stack, problems);

  return {
    project,
    stack,
    location,
    resourceGroupName,
    accountSubdomain: subdomain === "" ? undefined : subdomain,
    network: { mode: networkMode, allowedIpRanges },
    deployments,
    protect,
    testStack,
    production,
    access: {
      role: roleName,
      scope: roleScope,
      grantDeployer,
      deployerPrincipalType,
      users,
      groups,
      servicePrincipals,
    },
    compute: {
      kind: computeKind,
      vm: {
        size: vmSize,
        adminUsername,
        sshPublicKey: sshPublicKey === "" ? undefined : sshPublicKey,
        sshAllowedCidrs,
        trustedLaunch,
        autoShutdownTime,
      },
      functionApp: { location: functionAppLocation },
    },
  };
}

/**
 * What {@link parseConfig} validates out of a stack's full config (`keyless-openai:location` ...): every `<project>:`
 * key, so typos are caught too, and `azure-native:location`, which the program would silently ignore.
 */
export function rawConfigOf(values: Readonly<Record<string, string>>, project: string): RawConfig {
  const prefix = `${project}:`;
  const raw: RawConfig = {};
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    if (key === PROVIDER_LOCATION_KEY) raw[key] = value;
  }
  return raw;
}

/** Reads this stack's configuration as Pulumi hands it to the program and validates it. */
export function loadConfig(): StackConfig {
  const project = pulumi.getProject();
  return parseConfig(rawConfigOf(pulumi.runtime.allConfig(), project), project, pulumi.getStack());
}
