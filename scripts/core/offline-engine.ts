/**
 * The offline engine: runs the Pulumi program under Pulumi's mock engine and records what it would send to the engine:
 * every resource with its inputs, parent, explicit dependencies and `protect` flag, every invoke, and the stack
 * outputs. The mock answers like the far end would (computed IDs, endpoints, principal IDs) and refuses what Azure
 * refuses (two model deployments in flight on one account: 409 RequestConflict), so a missing dependency fails here.
 */
import * as pulumi from "@pulumi/pulumi";
import { AZURE_TYPES } from "./azure-types";

export const PROJECT = "keyless-openai";
export const SUBSCRIPTION_ID = "00000000-1111-2222-3333-444444444444";
export const TENANT_ID = "99999999-8888-7777-6666-555555555555";

/** Directory objects the stand-in Entra ID knows. */
export interface Directory {
  /**
   * Who runs `pulumi up`. `tokenClaims` are the claims of the ARM access token the provider hands out
   * (`azure-native:authorization:getClientToken`); left out, the token carries only `ver`, `oid` and `appid`.
   */
  deployer: { objectId: string; clientId: string; tokenClaims?: Record<string, unknown> };
  users: Record<string, string>;
  groups: Record<string, string>;
  servicePrincipals: Record<string, string>;
}

export const DEFAULT_DIRECTORY: Directory = {
  // Azure CLI's public client ID: a person ran `az login` then `pulumi up`.
  deployer: {
    objectId: "d0d0d0d0-0000-4000-8000-000000000001",
    clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    // A v1.0 ARM token of a person: delegated scope `user_impersonation` (Access token claims reference: `scp`).
    tokenClaims: { scp: "user_impersonation", idtyp: "user" },
  },
  users: { "alice@contoso.com": "a11ce000-0000-4000-8000-000000000002" },
  groups: { "b0b0b0b0-0000-4000-8000-000000000003": "ai-developers" },
  servicePrincipals: { "5e5e5e5e-0000-4000-8000-000000000004": "ci-pipeline" },
};

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  id: string;
  parentUrn: string;
  custom: boolean;
  protect: boolean;
  /** URNs named in `dependsOn` (explicit dependencies), plus those the engine derives from input Outputs. */
  dependencies: string[];
  inputs: Record<string, unknown>;
  /** Inputs plus what the mock computed (IDs, endpoints, principal IDs). */
  state: Record<string, unknown>;
}

export interface RecordedInvoke {
  token: string;
  inputs: Record<string, unknown>;
}

/**
 * A principal named in config that the offline directory does not know. Offline there is no Entra ID to ask, so it
 * is planned with a placeholder and resolved by `pulumi up` (where an unknown one fails as the azuread lookup does).
 */
export interface UnresolvedPrincipal {
  kind: "user" | "group" | "servicePrincipal";
  /** The value from config: a user principal name or an object ID. */
  configured: string;
  /** The object ID the plan uses: the configured one for groups and service principals, a placeholder for users. */
  principalId: string;
}

export interface ProgramRun {
  resources: RecordedResource[];
  invokes: RecordedInvoke[];
  outputs: Record<string, unknown>;
  /** Principals planned as placeholders, sorted by kind and configured value. */
  unresolvedPrincipals: UnresolvedPrincipal[];
}

/**
 * The model deployment of a stack that ran `npm run models -- --pin` (Pulumi.yaml has no default model): programs run
 * as such a stack unless the test sets `deployments` itself or passes the stack's files as `rawConfig`.
 */
export const PINNED_TEST_DEPLOYMENTS = [
  "name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=GlobalStandard,capacity=10",
];

export interface RunOptions {
  /** Project name (Pulumi.yaml `name`); config without a namespace belongs to it. Default: this project's. */
  project?: string;
  stack?: string;
  /** Project config without the project prefix; objects and arrays are passed as JSON, as the CLI does. */
  config?: Record<string, unknown>;
  /** Config of other namespaces with their full key (`azure-native:location`). */
  rawConfig?: Record<string, string>;
  directory?: Directory;
  /**
   * What a look-up of a user, group or service principal the directory does not know returns: "refuse" fails the
   * run as azuread's data source fails `pulumi up` (the default, for tests of the program); "placeholder" plans it
   * as resolved at deploy (the offline plan, which has no tenant to ask).
   */
  unknownPrincipals?: "refuse" | "placeholder";
  preview?: boolean;
  /** Called as each resource reaches the engine (also when the program fails later). */
  onResource?: (type: string, name: string) => void;
  /** Extra computed state per resource type, for components whose outputs the defaults below do not cover. */
  computed?: Record<string, (inputs: Record<string, unknown>, name: string, id: string) => Record<string, unknown>>;
}

type Program = () => unknown;

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean;
  getDependenciesList(): string[];
}
interface RecordingMonitor {
  registerResource(req: MonitorRequest, callback: (err: unknown, res: unknown) => void): Promise<void>;
}

/** Resource group ID the way ARM spells it. */
export function resourceGroupId(name: string): string {
  return `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${name}`;
}

function str(value: unknown, fallback: string): string {
  return typeof value === "string" && value.length > 0 ? value : fallback;
}

/** A stable, GUID-shaped principal ID derived from a resource name, so runs are comparable. */
export function fakePrincipalId(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hex = hash.toString(16).padStart(8, "0");
  return `${hex}-0000-4000-8000-${hex}0000`;
}

/**
 * A realistic ID for a planned resource: the ARM type and the name input of its row in the one registry of Azure
 * types (scripts/core/azure-types.ts). Child resources and types without a row keep a `Microsoft.<module>/<Kind>`
 * path under the group, named after the Pulumi name: only their uniqueness matters to the programs' references.
 */
function armId(type: string, inputs: Record<string, unknown>, name: string): string {
  const rg = str(inputs.resourceGroupName, "rg");
  const [, module, kind] = type.split(":");
  const row = AZURE_TYPES[type];
  const topLevel = row !== undefined && row.armType.split("/").length === 2;
  const armType = topLevel ? row.armType : `Microsoft.${module}/${kind}`;
  const nameInput = row && "input" in row.name ? inputs[row.name.input] : undefined;
  return `${resourceGroupId(rg)}/providers/${armType}/${str(nameInput, name)}`;
}

function identityState(inputs: Record<string, unknown>, name: string): Record<string, unknown> {
  const identity = inputs.identity as { type?: string } | undefined;
  if (!identity?.type?.includes("SystemAssigned")) return {};
  return { identity: { ...identity, principalId: fakePrincipalId(name), tenantId: TENANT_ID } };
}

/** Computed outputs Azure would return, by resource type. */
const DEFAULT_COMPUTED: NonNullable<RunOptions["computed"]> = {
  "azure-native:resources:ResourceGroup": (inputs, name) => ({
    id: resourceGroupId(str(inputs.resourceGroupName, name)),
    name: str(inputs.resourceGroupName, name),
  }),
  "azure-native:cognitiveservices:Account": (inputs, name) => {
    const properties = (inputs.properties ?? {}) as Record<string, unknown>;
    const subdomain = str(properties.customSubDomainName, name);
    return {
      name: str(inputs.accountName, name),
      properties: { ...properties, endpoint: `https://${subdomain}.openai.azure.com/`, provisioningState: "Succeeded" },
      ...identityState(inputs, name),
    };
  },
  "azure-native:cognitiveservices:Deployment": (inputs, name) => ({ name: str(inputs.deploymentName, name) }),
  "azure-native:compute:VirtualMachine": (inputs, name) => ({
    name: str(inputs.vmName, name),
    ...identityState(inputs, name),
  }),
  "azure-native:web:WebApp": (inputs, name) => ({
    name: str(inputs.name, name),
    defaultHostName: `${str(inputs.name, name)}.azurewebsites.net`,
    ...identityState(inputs, name),
  }),
  "azure-native:storage:StorageAccount": (inputs, name) => {
    const accountName = str(inputs.accountName, name);
    return {
      name: accountName,
      primaryEndpoints: { blob: `https://${accountName}.blob.core.windows.net/` },
    };
  },
  "azure-native:network:PrivateEndpoint": (inputs, name) => ({ name: str(inputs.privateEndpointName, name) }),
  "azure-native:privatedns:PrivateZone": (inputs, name) => ({ name: str(inputs.privateZoneName, name) }),
  // A user-assigned identity's object ID and client ID are returned by ARM on create (top level, not under `identity`).
  "azure-native:managedidentity:UserAssignedIdentity": (inputs, name) => ({
    name: str(inputs.resourceName, name),
    principalId: fakePrincipalId(`${name}/principal`),
    clientId: fakePrincipalId(`${name}/client`),
    tenantId: TENANT_ID,
  }),
  "random:index/randomString:RandomString": (inputs) => ({
    result: "x"
      .repeat(typeof inputs.length === "number" ? inputs.length : 6)
      .replace(/x/g, (_, i: number) => "k7q2m9zp"[i % 8]),
  }),
};

/** Simulates ARM: a second deployment on one account while one is in flight is refused with 409 RequestConflict. */
class DeploymentSerializer {
  private readonly inFlight = new Map<string, string>();
  async create(inputs: Record<string, unknown>, name: string): Promise<void> {
    const account = str(inputs.accountName, "?");
    const busy = this.inFlight.get(account);
    if (busy) {
      throw new Error(
        `409 RequestConflict: Another operation is being performed on the parent resource '${account}' (deployment ${busy}); ${name} was sent in parallel`,
      );
    }
    this.inFlight.set(account, name);
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inFlight.delete(account);
  }
}

/** Placeholder display name of a directory object the offline directory does not know. */
export function resolvedAtDeploy(configured: string): string {
  return `${configured} (resolved at deploy)`;
}

function directoryInvoke(
  token: string,
  inputs: Record<string, unknown>,
  directory: Directory,
  unresolved: Map<string, UnresolvedPrincipal> | undefined,
): Record<string, unknown> {
  const placeholder = (kind: UnresolvedPrincipal["kind"], configured: string, principalId: string) => {
    if (unresolved === undefined) {
      const what = { user: "User", group: "Group", servicePrincipal: "Service principal" }[kind];
      throw new Error(`${what} not found: ${configured}`);
    }
    unresolved.set(`${kind}:${configured}`, { kind, configured, principalId });
    const displayName = resolvedAtDeploy(configured);
    return { objectId: principalId, id: principalId, displayName, userPrincipalName: configured };
  };
  switch (token) {
    case "azure-native:authorization:getClientConfig":
      return {
        clientId: directory.deployer.clientId,
        objectId: directory.deployer.objectId,
        subscriptionId: SUBSCRIPTION_ID,
        tenantId: TENANT_ID,
      };
    case "azure-native:authorization:getClientToken": {
      // An unsigned JWT with the deployer's claims: the program reads claims, the signature is ARM's business.
      const claims = {
        aud: "https://management.azure.com/",
        ver: "1.0",
        oid: directory.deployer.objectId,
        appid: directory.deployer.clientId,
        tid: TENANT_ID,
        ...directory.deployer.tokenClaims,
      };
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      return { token: `${part({ typ: "JWT", alg: "RS256" })}.${part(claims)}.c2lnbmF0dXJl` };
    }
    case "azuread:index/getClientConfig:getClientConfig":
      return { clientId: directory.deployer.clientId, objectId: directory.deployer.objectId, tenantId: TENANT_ID };
    case "azuread:index/getUser:getUser": {
      const upn = str(inputs.userPrincipalName, "");
      const objectId = directory.users[upn.toLowerCase()];
      if (!objectId) return placeholder("user", upn, fakePrincipalId(`user:${upn.toLowerCase()}`));
      return { objectId, userPrincipalName: upn, id: objectId };
    }
    case "azuread:index/getGroup:getGroup": {
      const objectId = str(inputs.objectId, "");
      const displayName = directory.groups[objectId];
      if (!displayName) return placeholder("group", objectId, objectId);
      return { objectId, displayName, id: objectId };
    }
    case "azuread:index/getServicePrincipal:getServicePrincipal": {
      const objectId = str(inputs.objectId, "");
      const displayName = directory.servicePrincipals[objectId];
      if (!displayName) return placeholder("servicePrincipal", objectId, objectId);
      return { objectId, displayName, id: objectId };
    }
    default:
      throw new Error(`unexpected invoke ${token}`);
  }
}

/**
 * Evaluates `program` (the default export of index.ts) as `pulumi up` would, under mocks, and returns what it declared.
 * Each call starts a fresh mock engine, so one test file can run the program several times.
 */
export async function runProgram(program: Program, options: RunOptions = {}): Promise<ProgramRun> {
  // The SDK formats a stack trace for every promise it creates, only for its leak report at exit
  // (@pulumi/pulumi runtime/debuggable.js `debuggablePromise`): a third of an evaluation's CPU. Nothing here records
  // stacks and the commands print messages only, so frames are off while the program runs. Resource source
  // positions are unaffected: the SDK lifts the limit itself to read them (resource.js `Resource.callsites`).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await evaluate(program, options);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function evaluate(program: Program, options: RunOptions): Promise<ProgramRun> {
  const project = options.project ?? PROJECT;
  const stack = options.stack ?? "dev";
  const unresolved = new Map<string, UnresolvedPrincipal>();
  const directory = options.directory ?? DEFAULT_DIRECTORY;
  const computed = { ...DEFAULT_COMPUTED, ...options.computed };
  const serializer = new DeploymentSerializer();
  const resources: RecordedResource[] = [];
  // What the stand-in ARM or Entra ID refused; the run fails with the first, as `pulumi up` would.
  const refusals: Error[] = [];
  const invokes: RecordedInvoke[] = [];
  const stateByName = new Map<
    string,
    { id: string; state: Record<string, unknown>; inputs: Record<string, unknown> }
  >();

  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        options.onResource?.(args.type, args.name);
        if (args.type === "azure-native:cognitiveservices:Deployment") {
          await serializer.create(inputs, args.name).catch((refusal: Error) => refusals.push(refusal));
        }
        const id = args.custom === false ? "" : armId(args.type, inputs, args.name);
        const extra = computed[args.type]?.(inputs, args.name, id) ?? {};
        const state = { ...inputs, id, ...extra };
        const finalId = args.custom === false ? "" : String(state.id);
        stateByName.set(`${args.type}::${args.name}`, { id: finalId, state, inputs });
        return { id: finalId || undefined, state };
      },
      call: (args) => {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        invokes.push({ token: args.token, inputs });
        try {
          const placeholders = options.unknownPrincipals === "placeholder" ? unresolved : undefined;
          return directoryInvoke(args.token, inputs, directory, placeholders);
        } catch (refusal) {
          // Failing here would surface as an unhandled rejection inside the SDK; fail the run at its end instead.
          refusals.push(refusal instanceof Error ? refusal : new Error(String(refusal)));
          const notFound = "00000000-0000-0000-0000-000000000000";
          return { objectId: notFound, id: notFound, displayName: "(not found)" };
        }
      },
    },
    project,
    stack,
    options.preview ?? false,
  );

  // Wrap the mock monitor to see what the mocks API does not show: parent, dependencies, protect.
  const monitor = pulumi.runtime.getMonitor() as unknown as RecordingMonitor;
  const register = monitor.registerResource.bind(monitor);

  monitor.registerResource = async (req, callback) =>
    register(req, (err, res) => {
      if (!err) {
        const urn = (res as { getUrn(): string }).getUrn();
        const recorded = stateByName.get(`${req.getType()}::${req.getName()}`);
        resources.push({
          type: req.getType(),
          name: req.getName(),
          urn,
          id: recorded?.id ?? "",
          parentUrn: req.getParent(),
          custom: req.getCustom(),
          protect: req.getProtect(),
          dependencies: req.getDependenciesList(),
          inputs: recorded?.inputs ?? {},
          state: recorded?.state ?? {},
        });
      }
      callback(err, res);
    });

  const config: Record<string, string> = { ...options.rawConfig };
  // A stack read from files (rawConfig: the offline plan) keeps exactly what its files say.
  const projectConfig = options.rawConfig
    ? options.config
    : { deployments: PINNED_TEST_DEPLOYMENTS, ...options.config };
  for (const [key, value] of Object.entries(projectConfig ?? {})) {
    config[`${project}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(config);

  // The stack resource swallows a failing program into an unhandled rejection; catch it here and rethrow it.
  let failure: unknown;
  const outputs =
    (await pulumi.runtime.runInPulumiStack(async () => {
      try {
        return await program();
      } catch (error) {
        failure = error;
        return {};
      }
    })) ?? {};
  // A resource the far end refused fails the whole run, as it fails `pulumi up`.
  await pulumi.runtime.disconnect();
  if (failure !== undefined) throw failure;
  if (refusals[0] !== undefined) throw refusals[0];
  const unresolvedPrincipals = [...unresolved.values()].sort((a, b) =>
    `${a.kind}:${a.configured}`.localeCompare(`${b.kind}:${b.configured}`),
  );
  return { resources, invokes, outputs: outputs as Record<string, unknown>, unresolvedPrincipals };
}

/**
 * Runs a program that declares one component (what `create` builds) and returns the run; its outputs are the
 * component's Output properties, so tests read them as they read a stack's outputs.
 */
export async function runComponent(
  create: () => pulumi.ComponentResource,
  options: RunOptions = {},
): Promise<ProgramRun> {
  return runProgram(() => {
    const component = create();
    const outputs: Record<string, pulumi.Output<unknown>> = {};
    for (const [key, value] of Object.entries(component)) {
      if (pulumi.Output.isInstance(value) && key !== "urn") outputs[key] = value;
    }
    return outputs;
  }, options);
}

/** Resources of one type, in registration order. */
export function ofType(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** The single resource of a type; fails the test when there is not exactly one. */
export function single(run: ProgramRun, type: string): RecordedResource {
  const found = ofType(run, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0] as RecordedResource;
}

/** Runs the program expecting it to fail, and returns the error message. */
export async function programError(program: Program, options: RunOptions = {}): Promise<string> {
  try {
    await runProgram(program, options);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("expected the program to fail, but it succeeded");
}
