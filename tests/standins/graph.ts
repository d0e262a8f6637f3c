/**
 * Stand-in Microsoft Graph v1.0 for what `npm run setup-github` asks: applications, service principals, federated
 * identity credentials, the organization. Shapes from the Graph v1.0 reference: "List applications" ($filter on
 * displayName, response `{ value: [...] }`), "Create application" (201 with id and appId), "Create servicePrincipal"
 * (body `{ appId }`), "List/Create/Update federatedIdentityCredential" (PATCH answers 204), "List organization".
 * Errors as Graph sends them: `{ error: { code, message } }`. Requests need a bearer token for Graph.
 */
import { randomUUID } from "node:crypto";
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";
import { bearerToken, readTokenClaims } from "./tokens";

export const GRAPH_AUDIENCE = "https://graph.microsoft.com";

export interface StandInFederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description?: string;
}

export interface StandInApplication {
  id: string;
  appId: string;
  displayName: string;
  federatedIdentityCredentials: StandInFederatedCredential[];
}

export interface GraphState {
  tenantId: string;
  applications: StandInApplication[];
  servicePrincipals: { id: string; appId: string }[];
}

function graphError(status: number, code: string, message: string): StandInResponse {
  return json(status, { error: { code, message } });
}

/** `displayName eq 'x'` / `appId eq 'x'` (OData: quotes doubled inside the literal). */
function equalsFilter(request: RecordedRequest, field: string): string | undefined {
  const filter = request.url.searchParams.get("$filter");
  if (filter === null) return undefined;
  const match = new RegExp(`^${field} eq '((?:[^']|'')*)'$`).exec(filter);
  return match?.[1]?.replaceAll("''", "'");
}

export function graphRoutes(state: GraphState): Route[] {
  const authorized = (request: RecordedRequest): StandInResponse | undefined => {
    const claims = readTokenClaims(bearerToken(request.headers.authorization) ?? "");
    if (claims?.aud !== GRAPH_AUDIENCE) {
      return graphError(
        401,
        "InvalidAuthenticationToken",
        `Access token validation failure. Invalid audience: ${String(claims?.aud)}`,
      );
    }
    return undefined;
  };
  const body = (request: RecordedRequest) => JSON.parse(request.body || "{}") as Record<string, unknown>;
  const application = (id: string | undefined) => state.applications.find((app) => app.id === id);
  const route = (method: string, path: RegExp, handle: Route["handle"]): Route => ({
    method,
    path,
    handle: (request, match) => authorized(request) ?? handle(request, match),
  });

  return [
    route("GET", /^\/v1\.0\/organization$/, () => json(200, { value: [{ id: state.tenantId }] })),
    route("GET", /^\/v1\.0\/applications$/, (request) => {
      const name = equalsFilter(request, "displayName");
      const value = state.applications
        .filter((app) => name === undefined || app.displayName === name)
        .map(({ id, appId, displayName }) => ({ id, appId, displayName }));
      return json(200, { value });
    }),
    route("POST", /^\/v1\.0\/applications$/, (request) => {
      const { displayName } = body(request);
      if (typeof displayName !== "string" || displayName === "") {
        return graphError(400, "Request_BadRequest", "Property displayName is required.");
      }
      const created = { id: randomUUID(), appId: randomUUID(), displayName, federatedIdentityCredentials: [] };
      state.applications.push(created);
      return json(201, { id: created.id, appId: created.appId, displayName });
    }),
    route("GET", /^\/v1\.0\/servicePrincipals$/, (request) => {
      const appId = equalsFilter(request, "appId");
      return json(200, { value: state.servicePrincipals.filter((sp) => appId === undefined || sp.appId === appId) });
    }),
    route("POST", /^\/v1\.0\/servicePrincipals$/, (request) => {
      const { appId } = body(request);
      if (!state.applications.some((app) => app.appId === appId)) {
        return graphError(
          400,
          "Request_BadRequest",
          `The appId '${String(appId)}' of the service principal does not reference a valid application object.`,
        );
      }
      if (state.servicePrincipals.some((sp) => sp.appId === appId)) {
        return graphError(409, "Request_MultipleObjectsWithSameKeyValue", "The service principal already exists.");
      }
      const created = { id: randomUUID(), appId: String(appId) };
      state.servicePrincipals.push(created);
      return json(201, created);
    }),
    route("GET", /^\/v1\.0\/applications\/([^/]+)\/federatedIdentityCredentials$/, (_request, match) => {
      const app = application(match[1]);
      if (!app) return graphError(404, "Request_ResourceNotFound", `Resource '${match[1]}' does not exist.`);
      return json(200, { value: app.federatedIdentityCredentials });
    }),
    route("POST", /^\/v1\.0\/applications\/([^/]+)\/federatedIdentityCredentials$/, (request, match) => {
      const app = application(match[1]);
      if (!app) return graphError(404, "Request_ResourceNotFound", `Resource '${match[1]}' does not exist.`);
      const fields = body(request);
      const { name, issuer, subject, audiences } = fields;
      if (
        typeof name !== "string" ||
        typeof issuer !== "string" ||
        typeof subject !== "string" ||
        !Array.isArray(audiences)
      ) {
        return graphError(400, "Request_BadRequest", "name, issuer, subject and audiences are required.");
      }
      if (
        app.federatedIdentityCredentials.some(
          (item) => item.name === name || (item.issuer === issuer && item.subject === subject),
        )
      ) {
        return graphError(
          409,
          "Request_MultipleObjectsWithSameKeyValue",
          "FederatedIdentityCredential with the same name or issuer and subject already exists.",
        );
      }
      const created = {
        id: randomUUID(),
        name,
        issuer,
        subject,
        audiences: audiences.map(String),
        ...(typeof fields.description === "string" ? { description: fields.description } : {}),
      };
      app.federatedIdentityCredentials.push(created);
      return json(201, created);
    }),
    route("PATCH", /^\/v1\.0\/applications\/([^/]+)\/federatedIdentityCredentials\/([^/]+)$/, (request, match) => {
      const credential = application(match[1])?.federatedIdentityCredentials.find((item) => item.id === match[2]);
      if (!credential) return graphError(404, "Request_ResourceNotFound", `Resource '${match[2]}' does not exist.`);
      Object.assign(credential, body(request));
      return { status: 204 };
    }),
  ];
}
