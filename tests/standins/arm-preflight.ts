/**
 * The Azure Resource Manager that `npm run preflight` talks to, as one consistent world: a subscription, its resource
 * providers, resource groups, role definitions and assignments (the caller's effective permissions are derived from
 * them, as ARM does), Cognitive Services accounts (live and soft-deleted), VM SKUs and Flex Consumption regions.
 * Each route answers with the documented body (REST specs and Learn pages named per route), checks the api-version
 * the real client sends and the token's ARM audience, and records problems in `protocolErrors` (tests assert it stays
 * empty) and every provider registration in `registered`.
 */
import { invalidSubdomainAnswer, takenSubdomainAnswer } from "../fixtures/arm/check-domain-availability";
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";
import { bearerToken, readTokenClaims } from "./tokens";

const ARM_AUDIENCES = [
  "https://management.azure.com",
  "https://management.azure.com/",
  "https://management.core.windows.net/",
];

/** api-versions the pinned clients send (their generated defaults). */
export const API_VERSIONS = {
  /** @azure/arm-authorization 9.0.0 (permissions, roleAssignments, roleDefinitions). */
  authorization: "2022-04-01",
  /** @azure/arm-resources 8.0.0 (providers, resourceGroups). */
  resources: "2025-04-01",
  /** @azure/arm-resources-subscriptions 3.0.0. */
  subscriptions: "2022-12-01",
  /** @azure/arm-cognitiveservices 8.1.0. */
  cognitiveServices: "2025-09-01",
  /** @azure/arm-compute 25.1.1 resourceSkus. */
  computeSkus: "2021-07-01",
  /** @azure/arm-appservice 19.0.0. */
  web: "2025-05-01",
} as const;

/** One role's control-plane permissions, as a role definition lists them. */
export interface RolePermissions {
  actions: string[];
  notActions: string[];
}

/** A role definition the stand-in serves (at /providers/Microsoft.Authorization/roleDefinitions/{guid}). */
export interface StandInRoleDefinition {
  guid: string;
  roleName: string;
  permissions: RolePermissions[];
}

/** A role assignment: `scope` is an ARM ID ("/", a subscription, a group, a resource). */
export interface StandInRoleAssignment {
  name: string;
  scope: string;
  roleGuid: string;
  principalId: string;
  principalType: "User" | "Group" | "ServicePrincipal";
}

export interface StandInSku {
  name: string;
  /** Capabilities as ARM lists them (`HyperVGenerations`, `TrustedLaunchDisabled`, ...). */
  capabilities: Record<string, string>;
  /** reasonCode of a Location restriction in the region, if the subscription may not use the size there. */
  restrictedFor?: "NotAvailableForSubscription" | "QuotaId";
}

export interface DeletedStandInAccount {
  name: string;
  location: string;
  resourceGroup: string;
  /** An account without a custom subdomain: a regional endpoint, as in the GetDeletedAccount.json example. */
  regional?: boolean;
}

/** The world the stand-in answers from; tests build it, mutate it and read it back. */
export interface PreflightArmState {
  subscriptionId: string;
  tenantId: string;
  subscription: { displayName: string; state: "Enabled" | "Warned" | "PastDue" | "Disabled" | "Deleted" } | undefined;
  /** Namespace → registrationState. Namespaces not listed are NotRegistered. */
  providers: Record<string, string>;
  resourceGroups: string[];
  roleDefinitions: StandInRoleDefinition[];
  roleAssignments: StandInRoleAssignment[];
  /** Object ID → groups the principal belongs to (assignedTo() follows them). */
  groupMemberships: Record<string, string[]>;
  /** Live accounts: resource group → account names (the name is the custom subdomain). */
  accounts: Record<string, string[]>;
  deletedAccounts: DeletedStandInAccount[];
  /** Subdomains taken by accounts elsewhere (other subscriptions). */
  takenSubdomains: string[];
  /** Region → VM SKUs offered there. */
  vmSkus: Record<string, StandInSku[]>;
  /** Display names of the regions offering Flex Consumption ("Sweden Central"). */
  flexRegions: string[];
  /** Programmatic names of the physical regions the subscription lists (subscriptions.listLocations). */
  regions: string[];
  /** Namespaces registered through POST .../register, in order. */
  registered: string[];
  /** Paths (matched against the request path) that answer 403 AuthorizationFailed, as for a caller without read rights. */
  forbidden: RegExp[];
  /** Paths that answer with a recorded failure (tests/fixtures/arm/errors.ts: 429 throttled, 500), counted per path. */
  failing: { path: RegExp; answer: StandInResponse; attempts: number }[];
  /** Subdomains Azure does not accept (checkDomainAvailability answers "is not valid"). */
  invalidSubdomains: string[];
  protocolErrors: string[];
}

/** Built-in role definitions as Learn's built-in roles pages print them (General and Privileged categories). */
export const BUILT_IN_ROLE_DEFINITIONS = {
  owner: {
    guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    roleName: "Owner",
    permissions: [{ actions: ["*"], notActions: [] }],
  },
  contributor: {
    guid: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    roleName: "Contributor",
    permissions: [
      {
        actions: ["*"],
        notActions: [
          "Microsoft.Authorization/*/Delete",
          "Microsoft.Authorization/*/Write",
          "Microsoft.Authorization/elevateAccess/Action",
          "Microsoft.Blueprint/blueprintAssignments/write",
          "Microsoft.Blueprint/blueprintAssignments/delete",
          "Microsoft.Compute/galleries/share/action",
          "Microsoft.Purview/consents/write",
          "Microsoft.Purview/consents/delete",
        ],
      },
    ],
  },
  userAccessAdministrator: {
    guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    roleName: "User Access Administrator",
    permissions: [{ actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], notActions: [] }],
  },
  reader: {
    guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    roleName: "Reader",
    permissions: [{ actions: ["*/read"], notActions: [] }],
  },
} satisfies Record<string, StandInRoleDefinition>;

/** A world where everything the stack needs is in place; tests change one thing at a time. */
export function healthyWorld(subscriptionId: string, tenantId: string, location: string): PreflightArmState {
  return {
    subscriptionId,
    tenantId,
    subscription: { displayName: "Stand-in subscription", state: "Enabled" },
    providers: Object.fromEntries(
      [
        "Microsoft.CognitiveServices",
        "Microsoft.Compute",
        "Microsoft.Network",
        "Microsoft.Web",
        "Microsoft.Storage",
        "Microsoft.OperationalInsights",
        "Microsoft.Insights",
        "Microsoft.ManagedIdentity",
        "Microsoft.DevTestLab",
        "Microsoft.Resources",
        "Microsoft.Authorization",
      ].map((namespace) => [namespace, "Registered"]),
    ),
    resourceGroups: [],
    roleDefinitions: Object.values(BUILT_IN_ROLE_DEFINITIONS),
    roleAssignments: [],
    groupMemberships: {},
    accounts: {},
    deletedAccounts: [],
    takenSubdomains: [],
    vmSkus: {
      [location]: [
        // Capability names and values as `az vm list-skus` prints them for a Gen2 size that supports Trusted Launch.
        { name: "Standard_B2ats_v2", capabilities: { HyperVGenerations: "V1,V2", TrustedLaunchDisabled: "False" } },
        { name: "Standard_B2s", capabilities: { HyperVGenerations: "V1,V2" } },
      ],
    },
    flexRegions: ["East US", "North Europe", "Sweden Central"],
    // A region opened after any hand-kept list was written (denmarkeast) is listed like any other.
    regions: ["denmarkeast", "eastus", "northeurope", "swedencentral", "westeurope"],
    registered: [],
    forbidden: [],
    failing: [],
    invalidSubdomains: [],
    protocolErrors: [],
  };
}

const ERROR_NOT_FOUND = (code: string, message: string) => json(404, { error: { code, message } });

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Azure RBAC's matching, written independently of the code under test: `*` is any run of characters, no case. */
function grants(definitions: StandInRoleDefinition[], action: string): boolean {
  const matches = (entry: string) => new RegExp(`^${entry.split("*").map(escapeRegExp).join(".*")}$`, "i").test(action);
  return definitions.some((definition) =>
    definition.permissions.some(
      (permission) => permission.actions.some(matches) && !permission.notActions.some(matches),
    ),
  );
}

/** ARM routes of the preflight world. */
export function preflightArmRoutes(state: PreflightArmState): Route[] {
  const sub = () => `/subscriptions/${state.subscriptionId}`;
  const lower = (text: string) => text.toLowerCase();

  /** Scope `a` is at or above scope `b` (a prefix on a path boundary, "/" above everything). */
  const covers = (a: string, b: string) => {
    const [outer, inner] = [lower(a), lower(b)];
    return outer === "/" || inner === outer || inner.startsWith(`${outer}/`);
  };
  const principalsOf = (objectId: string) => [objectId, ...(state.groupMemberships[objectId] ?? [])].map(lower);
  const definitionsFor = (objectId: string, scope: string) => {
    const principals = principalsOf(objectId);
    const guids = state.roleAssignments
      .filter((assignment) => principals.includes(lower(assignment.principalId)) && covers(assignment.scope, scope))
      .map((assignment) => lower(assignment.roleGuid));
    return state.roleDefinitions.filter((definition) => guids.includes(lower(definition.guid)));
  };
  const roleDefinitionId = (guid: string) => `${sub()}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
  // RoleAssignments_ListForScope.json (2022-04-01): properties {roleDefinitionId, principalId, principalType, scope}.
  // The example names the role in its tenant form (/providers/Microsoft.Authorization/roleDefinitions/{guid}); the
  // stand-in does so for assignments at the root scope and uses the subscription form elsewhere, so both are read.
  const assignmentBody = (assignment: StandInRoleAssignment) => ({
    properties: {
      roleDefinitionId:
        assignment.scope === "/"
          ? `/providers/Microsoft.Authorization/roleDefinitions/${assignment.roleGuid}`
          : roleDefinitionId(assignment.roleGuid),
      principalId: assignment.principalId,
      principalType: assignment.principalType,
      scope: assignment.scope,
    },
    id: `${assignment.scope === "/" ? "" : assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`,
    type: "Microsoft.Authorization/roleAssignments",
    name: assignment.name,
  });

  const caller = (request: RecordedRequest): string | undefined => {
    const token = bearerToken(request.headers.authorization);
    const claims = token ? readTokenClaims(token) : undefined;
    const audience = claims?.aud;
    if (typeof audience !== "string" || !ARM_AUDIENCES.includes(audience)) {
      state.protocolErrors.push(`token audience ${String(audience)} on ${request.method} ${request.url.pathname}`);
      return undefined;
    }
    return typeof claims?.oid === "string" ? claims.oid : undefined;
  };

  const forbidden = (callerId: string, action: string, scope: string) =>
    json(403, {
      error: {
        code: "AuthorizationFailed",
        message: `The client '${callerId}' with object id '${callerId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    });

  type Handler = (request: RecordedRequest, match: RegExpExecArray, callerId: string) => StandInResponse;
  const route = (method: string, path: string, apiVersion: string, handle: Handler): Route => ({
    method,
    path: new RegExp(`^${path}$`, "i"),
    handle: (request, match) => {
      const callerId = caller(request);
      if (!callerId) {
        return json(401, {
          error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." },
        });
      }
      const sent = request.url.searchParams.get("api-version");
      if (sent !== apiVersion) {
        state.protocolErrors.push(
          `api-version ${sent} (expected ${apiVersion}) on ${request.method} ${request.url.pathname}`,
        );
        return json(400, {
          error: { code: "InvalidApiVersionParameter", message: `The api-version '${sent}' is invalid.` },
        });
      }
      if (state.forbidden.some((path) => path.test(request.url.pathname))) {
        return forbidden(callerId, `${request.method} ${request.url.pathname}`, request.url.pathname);
      }
      const failure = state.failing.find((entry) => entry.path.test(request.url.pathname));
      if (failure) {
        failure.attempts++;
        return failure.answer;
      }
      return handle(request, match, callerId);
    },
  });
  const subPath = () => escapeRegExp(sub());
  return [
    // Subscriptions_Get: Subscription {id, subscriptionId, tenantId, displayName, state, subscriptionPolicies}.
    route("GET", "/subscriptions/([^/]+)", API_VERSIONS.subscriptions, (_request, match) => {
      if (!state.subscription || lower(match[1] ?? "") !== lower(state.subscriptionId)) {
        return ERROR_NOT_FOUND("SubscriptionNotFound", `The subscription '${match[1]}' could not be found.`);
      }
      return json(200, {
        id: sub(),
        authorizationSource: "RoleBased",
        subscriptionId: state.subscriptionId,
        tenantId: state.tenantId,
        displayName: state.subscription.displayName,
        state: state.subscription.state,
        subscriptionPolicies: {
          locationPlacementId: "Public_2014-09-01",
          quotaId: "PayAsYouGo_2014-09-01",
          spendingLimit: "Off",
        },
      });
    }),
    // Subscriptions_ListLocations (2022-12-01; the shape `az account list-locations` prints): physical regions, and a
    // logical one (a geography), which holds no resources.
    route("GET", `${subPath()}/locations`, API_VERSIONS.subscriptions, () =>
      json(200, {
        value: [
          ...state.regions.map((name) => ({
            id: `${sub()}/locations/${name}`,
            name,
            type: "Region",
            displayName: name,
            regionalDisplayName: name,
            metadata: { regionType: "Physical", regionCategory: "Recommended" },
          })),
          {
            id: `${sub()}/locations/europe`,
            name: "europe",
            type: "Region",
            displayName: "Europe",
            regionalDisplayName: "Europe",
            metadata: { regionType: "Logical", regionCategory: "Other" },
          },
        ],
      }),
    ),
    // Providers_List: {value: [Provider {id, namespace, registrationState, registrationPolicy, resourceTypes}]}.
    route("GET", `${subPath()}/providers`, API_VERSIONS.resources, () =>
      json(200, {
        value: Object.entries(state.providers).map(([namespace, registrationState]) => ({
          id: `${sub()}/providers/${namespace}`,
          namespace,
          registrationState,
          registrationPolicy: "RegistrationRequired",
          resourceTypes: [],
        })),
      }),
    ),
    // Providers_Register: answers the Provider, now Registering; needs {namespace}/register/action on the subscription.
    route("POST", `${subPath()}/providers/([^/]+)/register`, API_VERSIONS.resources, (_request, match, callerId) => {
      const namespace = match[1] ?? "";
      const action = `${namespace}/register/action`;
      if (!grants(definitionsFor(callerId, sub()), action)) return forbidden(callerId, action, sub());
      state.registered.push(namespace);
      state.providers[namespace] = "Registering";
      return json(200, {
        id: `${sub()}/providers/${namespace}`,
        namespace,
        registrationState: "Registering",
        registrationPolicy: "RegistrationRequired",
        resourceTypes: [],
      });
    }),
    // ResourceGroups_CheckExistence: 204 when it exists, 404 when not, no body.
    route("HEAD", `${subPath()}/resourcegroups/([^/]+)`, API_VERSIONS.resources, (_request, match) => ({
      status: state.resourceGroups.some((name) => lower(name) === lower(match[1] ?? "")) ? 204 : 404,
    })),
    // Permissions_ListForResourceGroup: PermissionGetResult {value: [{actions, notActions, dataActions, notDataActions}]}.
    route(
      "GET",
      `${subPath()}/resourcegroups/([^/]+)/providers/Microsoft\\.Authorization/permissions`,
      API_VERSIONS.authorization,
      (_request, match, callerId) => {
        const group = state.resourceGroups.find((name) => lower(name) === lower(match[1] ?? ""));
        if (!group) return ERROR_NOT_FOUND("ResourceGroupNotFound", `Resource group '${match[1]}' could not be found.`);
        const permissions = definitionsFor(callerId, `${sub()}/resourceGroups/${group}`).flatMap(
          (definition) => definition.permissions,
        );
        return json(200, {
          value: permissions.map((permission) => ({ ...permission, dataActions: [], notDataActions: [] })),
        });
      },
    ),
    // RoleAssignments_ListForSubscription with $filter=atScope() and assignedTo('{id}'): at or above the subscription,
    // for the principal and the groups it belongs to (Learn, "List Azure role assignments using the REST API").
    route(
      "GET",
      `${subPath()}/providers/Microsoft\\.Authorization/roleAssignments`,
      API_VERSIONS.authorization,
      (request) => {
        const filter = request.url.searchParams.get("$filter") ?? "";
        const assignedTo = /assignedTo\('([^']+)'\)/.exec(filter)?.[1];
        const principalEq = /principalId eq '([^']+)'/.exec(filter)?.[1];
        const atScope = filter.includes("atScope()");
        const known = filter.replace(/assignedTo\('[^']+'\)|principalId eq '[^']+'|atScope\(\)|\band\b|\s/g, "");
        if (known !== "") state.protocolErrors.push(`role assignment filter not understood: ${filter}`);
        // assignedTo() follows group memberships; principalId eq does not.
        const principals = assignedTo ? principalsOf(assignedTo) : principalEq ? [lower(principalEq)] : undefined;
        const listed = state.roleAssignments.filter(
          (assignment) =>
            (!principals || principals.includes(lower(assignment.principalId))) &&
            (atScope
              ? covers(assignment.scope, sub())
              : covers(assignment.scope, sub()) || covers(sub(), assignment.scope)),
        );
        return json(200, { value: listed.map(assignmentBody) });
      },
    ),
    // RoleAssignments_ListForResourceGroup (no filter): at, above and below the group.
    route(
      "GET",
      `${subPath()}/resourceGroups/([^/]+)/providers/Microsoft\\.Authorization/roleAssignments`,
      API_VERSIONS.authorization,
      (_request, match) => {
        const group = `${sub()}/resourceGroups/${match[1]}`;
        const listed = state.roleAssignments.filter(
          (assignment) => covers(assignment.scope, group) || covers(group, assignment.scope),
        );
        return json(200, { value: listed.map(assignmentBody) });
      },
    ),
    // RoleDefinitions_GetById (GetRoleDefinitionById.json): {id, name, type, properties {roleName, type, permissions}}.
    route(
      "GET",
      `(?:${subPath()})?/providers/Microsoft\\.Authorization/roleDefinitions/([^/]+)`,
      API_VERSIONS.authorization,
      (_request, match) => {
        const definition = state.roleDefinitions.find((candidate) => lower(candidate.guid) === lower(match[1] ?? ""));
        if (!definition)
          return ERROR_NOT_FOUND("RoleDefinitionDoesNotExist", "The specified role definition does not exist.");
        return json(200, {
          id: roleDefinitionId(definition.guid),
          name: definition.guid,
          type: "Microsoft.Authorization/roleDefinitions",
          properties: {
            roleName: definition.roleName,
            type: "BuiltInRole",
            description: definition.roleName,
            assignableScopes: ["/"],
            permissions: definition.permissions.map((permission) => ({
              ...permission,
              dataActions: [],
              notDataActions: [],
            })),
          },
        });
      },
    ),
    // DeletedAccounts_List (GetDeletedAccount.json item shape): id …/locations/{l}/resourceGroups/{rg}/deletedAccounts/{n}.
    route(
      "GET",
      `${subPath()}/providers/Microsoft\\.CognitiveServices/deletedAccounts`,
      API_VERSIONS.cognitiveServices,
      () =>
        json(200, {
          value: state.deletedAccounts.map((account) => ({
            id: `${sub()}/providers/Microsoft.CognitiveServices/locations/${account.location}/resourceGroups/${account.resourceGroup}/deletedAccounts/${account.name}`,
            name: account.name,
            type: "Microsoft.CognitiveServices/accounts",
            location: account.location,
            sku: { name: "S0" },
            kind: "OpenAI",
            properties: account.regional
              ? { endpoint: `https://${account.location}.api.cognitive.microsoft.com/`, provisioningState: "Succeeded" }
              : {
                  endpoint: `https://${account.name}.openai.azure.com/`,
                  customSubDomainName: account.name,
                  provisioningState: "Succeeded",
                },
          })),
        }),
    ),
    // Accounts_Get: the account, or 404 ResourceNotFound (ResourceGroupNotFound when the group is missing).
    route(
      "GET",
      `${subPath()}/resourceGroups/([^/]+)/providers/Microsoft\\.CognitiveServices/accounts/([^/]+)`,
      API_VERSIONS.cognitiveServices,
      (_request, match) => {
        const [group, name] = [match[1] ?? "", match[2] ?? ""];
        if (!state.resourceGroups.some((candidate) => lower(candidate) === lower(group)))
          return ERROR_NOT_FOUND("ResourceGroupNotFound", `Resource group '${group}' could not be found.`);
        const found = Object.entries(state.accounts).some(
          ([owner, names]) =>
            lower(owner) === lower(group) && names.some((candidate) => lower(candidate) === lower(name)),
        );
        if (!found) {
          return ERROR_NOT_FOUND(
            "ResourceNotFound",
            `The Resource 'Microsoft.CognitiveServices/accounts/${name}' under resource group '${group}' was not found.`,
          );
        }
        return json(200, {
          id: `${sub()}/resourceGroups/${group}/providers/Microsoft.CognitiveServices/accounts/${name}`,
          name,
          type: "Microsoft.CognitiveServices/accounts",
          kind: "OpenAI",
          location: "swedencentral",
          properties: {
            customSubDomainName: name,
            endpoint: `https://${name}.openai.azure.com/`,
            provisioningState: "Succeeded",
          },
        });
      },
    ),
    // CheckDomainAvailability.json (2025-09-01): {subdomainName, type} in; {isSubdomainAvailable, reason,
    // subdomainName, type} out. Reasons as Azure words them (tests/fixtures/arm/check-domain-availability.ts).
    route(
      "POST",
      `${subPath()}/providers/Microsoft\\.CognitiveServices/checkDomainAvailability`,
      API_VERSIONS.cognitiveServices,
      (request) => {
        const body = JSON.parse(request.body || "{}") as { subdomainName?: string; type?: string };
        const name = lower(body.subdomainName ?? "");
        if (body.type !== "Microsoft.CognitiveServices/accounts")
          state.protocolErrors.push(`checkDomainAvailability type ${body.type}`);
        const taken = [
          ...state.takenSubdomains,
          ...Object.values(state.accounts).flat(),
          ...state.deletedAccounts.filter((account) => !account.regional).map((account) => account.name),
        ].map(lower);
        const subdomainName = body.subdomainName ?? "";
        if (state.invalidSubdomains.map(lower).includes(name)) return json(200, invalidSubdomainAnswer(subdomainName));
        if (taken.includes(name)) return json(200, takenSubdomainAnswer(subdomainName));
        return json(200, { isSubdomainAvailable: true, reason: null, subdomainName, type: body.type });
      },
    ),
    // ResourceSkus_List with $filter=location eq '{region}' (Learn, "Resolve errors for SKU not available": the
    // restriction {type: Location, values, restrictionInfo.locations, reasonCode}).
    route("GET", `${subPath()}/providers/Microsoft\\.Compute/skus`, API_VERSIONS.computeSkus, (request) => {
      const filter = request.url.searchParams.get("$filter") ?? "";
      const location = /^location eq '([^']+)'$/.exec(filter)?.[1];
      if (!location) state.protocolErrors.push(`resource SKUs listed without a location filter: ${filter}`);
      const skus = location ? (state.vmSkus[location] ?? []) : Object.values(state.vmSkus).flat();
      return json(200, {
        value: skus.map((sku) => ({
          resourceType: "virtualMachines",
          name: sku.name,
          tier: "Standard",
          size: sku.name.replace(/^Standard_/, ""),
          family: "standardBFamily",
          locations: [location],
          locationInfo: [{ location, zones: [], zoneDetails: [] }],
          capabilities: Object.entries(sku.capabilities).map(([name, value]) => ({ name, value })),
          restrictions: sku.restrictedFor
            ? [
                {
                  type: "Location",
                  values: [location],
                  restrictionInfo: { locations: [location] },
                  reasonCode: sku.restrictedFor,
                },
              ]
            : [],
        })),
      });
    }),
    // ListGeoRegions ?sku=FlexConsumption: GeoRegion {id, name, type, properties {description, displayName, orgDomain}}.
    route("GET", `${subPath()}/providers/Microsoft\\.Web/geoRegions`, API_VERSIONS.web, (request) => {
      const sku = request.url.searchParams.get("sku");
      if (sku !== "FlexConsumption") state.protocolErrors.push(`geoRegions asked for sku ${sku}`);
      return json(200, {
        value: state.flexRegions.map((name) => ({
          id: `${sub()}/providers/Microsoft.Web/geoRegions/${name}`,
          name,
          type: "Microsoft.Web/geoRegions",
          properties: { description: null, displayName: name, orgDomain: "PUBLIC;FLEXCONSUMPTION" },
        })),
      });
    }),
  ];
}
