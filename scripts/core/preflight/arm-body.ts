/**
 * The ARM request body of each resource the stack plans, as Azure Policy's evaluator needs it
 * (`checkPolicyRestrictions` `resourceDetails.resourceContent`: "whatever properties are already known", REST spec
 * azure-rest-api-specs specification/policyinsights/resource-manager/Microsoft.PolicyInsights/stable/2024-10-01/
 * checkPolicyRestrictions.json, CheckRestrictionsResourceDetails).
 *
 * azure-native flattens ARM's `properties` envelope into top-level inputs (and, for sub-resources such as a NIC's IP
 * configurations, each element's `properties` too). This module turns the inputs back into ARM's shape,
 * `{ name, type, location, tags, kind, sku, identity, properties: {...} }`, by each type's row in the one registry
 * (scripts/core/azure-types.ts). A type without a row is reported, never dropped.
 *
 * Values that only exist after deploy (another resource's ID or principal ID) come from the offline engine's mock
 * answers: they are listed per row as `placeholders`, so a report can say which values were stand-ins. The mock's
 * subscription ID is replaced with the real one, so IDs have the shape ARM will see.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AZURE_TYPES, type AzureTypeRow, apiVersionOf, type IdBuilder, text, UNKNOWN_NAME } from "../azure-types";
import {
  DEFAULT_DIRECTORY,
  type Directory,
  SUBSCRIPTION_ID as OFFLINE_SUBSCRIPTION_ID,
  runProgram,
} from "../offline-engine";
import { readStackConfig, withUnpinnedModelPlanned } from "../stack-config";

/** A resource the program declares, with its inputs as the engine received them. */
export interface PlannedAzureResource {
  /** Pulumi type token, `azure-native:cognitiveservices:Account`. */
  type: string;
  /** Pulumi resource name. */
  name: string;
  inputs: Record<string, unknown>;
}

/** One request to Azure Policy's evaluator. */
export interface ArmResourceRequest {
  pulumiType: string;
  pulumiName: string;
  /** ARM resource type, `Microsoft.CognitiveServices/accounts`. */
  armType: string;
  /** API version the body is written in: the one azure-native uses for the type. */
  apiVersion: string;
  /** Resource group the resource lives in; undefined for a resource group itself (created in the subscription). */
  resourceGroupName: string | undefined;
  /** Parent resource ID of a child or extension resource (`resourceDetails.scope`); undefined for top-level ones. */
  scope: string | undefined;
  /** `resourceDetails.resourceContent`. */
  body: Record<string, unknown>;
  /** Body paths whose value stands in for something only known after deploy. */
  placeholders: string[];
}

const SUB_RESOURCE_KEYS = new Set(["id", "name", "etag", "type"]);

// String values under these keys are credentials: they never leave the machine (booleans such as
// `disablePasswordAuthentication` are kept, they are settings).
const CREDENTIAL_KEY = /password|secret|privatekey|connectionstring|accountkey|sastoken/i;
export const REDACTED = "[redacted]";

/** Deep copy with the mock subscription ID replaced and credential strings redacted. */
function prepare(value: unknown, subscriptionId: string, key = ""): unknown {
  if (Array.isArray(value)) return value.map((item) => prepare(item, subscriptionId));
  if (typeof value === "string") {
    if (CREDENTIAL_KEY.test(key) && value !== "") return REDACTED;
    return value.split(OFFLINE_SUBSCRIPTION_ID).join(subscriptionId);
  }
  if (value === null || typeof value !== "object") return value;
  const copy: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item !== undefined) copy[name] = prepare(item, subscriptionId, name);
  }
  return copy;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A sub-resource as ARM spells it: `id`/`name` outside, everything else inside its `properties`. */
function unflattenSubResource(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const outer: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SUB_RESOURCE_KEYS.has(key)) outer[key] = item;
    else properties[key] = item;
  }
  return Object.keys(properties).length > 0 ? { ...outer, properties } : outer;
}

function unflattenAt(properties: Record<string, unknown>, path: string): void {
  const keys = path.split(".");
  let holder: unknown = properties;
  for (const key of keys.slice(0, -1)) holder = isRecord(holder) ? holder[key] : undefined;
  const last = keys[keys.length - 1] as string;
  if (!isRecord(holder) || holder[last] === undefined) return;
  const value = holder[last];
  holder[last] = Array.isArray(value) ? value.map(unflattenSubResource) : unflattenSubResource(value);
}

/** Concrete paths (`properties.ipConfigurations[0].properties.subnet.id`) where a `[]` pattern has a value. */
function presentPaths(body: unknown, pattern: string): string[] {
  const walk = (value: unknown, parts: string[], prefix: string): string[] => {
    if (parts.length === 0) return value === undefined ? [] : [prefix];
    const [part, ...rest] = parts as [string, ...string[]];
    const array = part.endsWith("[]");
    const key = array ? part.slice(0, -2) : part;
    const child = isRecord(value) ? value[key] : undefined;
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (!array) return walk(child, rest, path);
    return Array.isArray(child) ? child.flatMap((item, index) => walk(item, rest, `${path}[${index}]`)) : [];
  };
  return walk(body, pattern.split("."), "");
}

/** The ARM request of one planned resource, by its table row. */
export function armRequest(
  resource: PlannedAzureResource,
  mapping: AzureTypeRow,
  subscriptionId: string,
): ArmResourceRequest {
  const inputs = prepare(resource.inputs, subscriptionId) as Record<string, unknown>;
  const ids: IdBuilder = {
    resourceGroup: (name) => `/subscriptions/${subscriptionId}/resourceGroups/${text(name)}`,
    resource: (resourceGroupName, armType, ...names) => {
      const [namespace, ...types] = armType.split("/");
      const segments = types.map((type, index) => `${type}/${text(names[index])}`).join("/");
      return `${ids.resourceGroup(resourceGroupName)}/providers/${namespace}/${segments}`;
    },
  };
  const nameInput = "input" in mapping.name ? mapping.name.input : undefined;
  const givenName = "fixed" in mapping.name ? mapping.name.fixed : inputs[mapping.name.input];
  // Without a name input azure-native auto-names the resource: the Pulumi name plus a random suffix.
  const autoNamed = typeof givenName !== "string" || givenName === "";
  const name = autoNamed ? resource.name : givenName;

  const body: Record<string, unknown> = { name, type: mapping.armType };
  const properties: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (key === nameInput || mapping.pathInputs.includes(key)) continue;
    if (mapping.topLevel.includes(key)) body[key] = value;
    else if (mapping.propertiesInput && key === "properties" && isRecord(value)) Object.assign(properties, value);
    else properties[mapping.rename?.[key] ?? key] = value;
  }
  for (const path of mapping.subResources ?? []) unflattenAt(properties, path);
  if (Object.keys(properties).length > 0) body.properties = properties;

  const placeholders = (mapping.placeholders ?? []).flatMap((pattern) => presentPaths(body, pattern));
  if (autoNamed) placeholders.unshift("name");
  const scope = mapping.parent?.(inputs, ids);
  if (scope?.includes(UNKNOWN_NAME)) placeholders.push("scope");
  const resourceGroupName =
    mapping.armType === "Microsoft.Resources/resourceGroups"
      ? undefined
      : (mapping.resourceGroupOf?.(inputs) ??
        (typeof inputs.resourceGroupName === "string" ? inputs.resourceGroupName : undefined));
  return {
    pulumiType: resource.type,
    pulumiName: resource.name,
    armType: mapping.armType,
    apiVersion: apiVersionOf(resource.type),
    resourceGroupName,
    scope,
    body,
    placeholders,
  };
}

/** What the plan turns into: requests for mapped types, and the Azure types that have no row yet. */
export interface ArmRequests {
  requests: ArmResourceRequest[];
  /** azure-native resources whose type has no row in the registry: not checked, to be reported. */
  unmapped: PlannedAzureResource[];
}

/** ARM requests for every azure-native resource of the plan; other providers (random, tls, command) are not ARM. */
export function armRequests(resources: readonly PlannedAzureResource[], subscriptionId: string): ArmRequests {
  const requests: ArmResourceRequest[] = [];
  const unmapped: PlannedAzureResource[] = [];
  for (const resource of resources) {
    if (!resource.type.startsWith("azure-native:")) continue;
    const mapping = AZURE_TYPES[resource.type];
    if (mapping) requests.push(armRequest(resource, mapping, subscriptionId));
    else unmapped.push(resource);
  }
  return { requests, unmapped };
}

type Program = () => unknown;

/** The function a program module exports (`export =` or `export default`), as tsx's interop presents it. */
async function loadProgram(path: string): Promise<Program> {
  let candidate: unknown = await import(pathToFileURL(path).href);
  for (let depth = 0; depth < 3; depth++) {
    if (typeof candidate === "function") return candidate as Program;
    candidate = isRecord(candidate) ? candidate.default : undefined;
  }
  throw new Error(`${path}: expected the module to export a function returning the stack outputs`);
}

/** Object ID given to every user the stack names: only Entra ID knows the real one, and it is a placeholder here. */
export const PLACEHOLDER_PRINCIPAL_ID = "ffffffff-ffff-4fff-bfff-ffffffffffff";

function anyKey<T>(answer: (key: string) => T): Record<string, T> {
  return new Proxy({} as Record<string, T>, {
    get: (_target, key) => (typeof key === "string" ? answer(key) : undefined),
  });
}

/** A directory that knows every principal the stack's config names, so any real stack plans offline. */
const ANY_PRINCIPAL_DIRECTORY: Directory = {
  deployer: DEFAULT_DIRECTORY.deployer,
  users: anyKey(() => PLACEHOLDER_PRINCIPAL_ID),
  groups: anyKey((objectId) => `group ${objectId}`),
  servicePrincipals: anyKey((objectId) => `service principal ${objectId}`),
};

/**
 * What `pulumi up` would send for `stack`: the program run offline under the mock engine with the stack's config
 * (as `npm run plan` does), with the raw inputs (the plan document masks some settings by name). Users, groups and
 * service principals the config names are not looked up: their object IDs are placeholders.
 */
export async function plannedResources(projectDir: string, stack: string): Promise<PlannedAzureResource[]> {
  const directory = resolve(projectDir);
  const config = withUnpinnedModelPlanned(readStackConfig(directory, stack));
  const program = await loadProgram(resolve(directory, config.main ?? "index.ts"));
  // The same program with the same config plans the same resources (the mock engine answers deterministically), so
  // one evaluation serves every later ask in this process: a deploy's preflight and its policy check, a test file's
  // many preflights of one stack.
  const key = JSON.stringify([config.project, stack, config.values]);
  const byConfig = evaluations.get(program) ?? new Map<string, Promise<PlannedAzureResource[]>>();
  evaluations.set(program, byConfig);
  let planned = byConfig.get(key);
  if (!planned) {
    planned = runProgram(program, {
      project: config.project,
      stack,
      rawConfig: config.values,
      directory: ANY_PRINCIPAL_DIRECTORY,
    }).then((run) =>
      run.resources
        .filter((resource) => resource.custom)
        .map((resource) => ({ type: resource.type, name: resource.name, inputs: resource.inputs })),
    );
    byConfig.set(key, planned);
    planned.catch(() => byConfig.delete(key));
  }
  return planned;
}

/** Evaluations already made in this process, per program function and config. */
const evaluations = new WeakMap<Program, Map<string, Promise<PlannedAzureResource[]>>>();
