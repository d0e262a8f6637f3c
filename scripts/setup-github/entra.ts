/**
 * The Entra ID side through the Microsoft Graph client (@microsoft/microsoft-graph-client, Graph v1.0):
 * - application: GET/POST /applications (Graph "List applications" with $filter=displayName eq '...', "Create application");
 * - service principal: GET/POST /servicePrincipals ($filter=appId eq '...', "Create servicePrincipal");
 * - federated credentials: GET/POST /applications/{id}/federatedIdentityCredentials, PATCH .../{id}
 *   ("Create federatedIdentityCredential", "Update federatedIdentityCredential");
 * - tenant: GET /organization (the organization's `id` is the tenant ID).
 */
import type { TokenCredential } from "@azure/core-auth";
import { Client } from "@microsoft/microsoft-graph-client";
import type { Change } from "./changes";
import { type FederatedCredential, GITHUB_ISSUER, TOKEN_EXCHANGE_AUDIENCE } from "./desired";

/** Token audience of Microsoft Graph, also when the endpoint is moved (a stand-in, a national cloud proxy). */
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
export const GRAPH_ENDPOINT = "https://graph.microsoft.com";

interface GraphList<T> {
  value: T[];
}
interface Application {
  id: string;
  appId: string;
  displayName: string;
}
interface ServicePrincipal {
  id: string;
  appId: string;
}
interface GraphFederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

/** A Graph client that signs requests with tokens from `credential`. */
export function graphClient(credential: TokenCredential, endpoint = GRAPH_ENDPOINT): Client {
  // Compared without the port (microsoft-graph-client 3.0.7 GraphRequestUtil isValidEndpoint), and only over https.
  const host = new URL(endpoint).hostname;
  return Client.initWithMiddleware({
    baseUrl: endpoint,
    defaultVersion: "v1.0",
    // The client signs requests only to Graph's own hosts, and to hosts named here.
    ...(host === new URL(GRAPH_ENDPOINT).hostname ? {} : { customHosts: new Set([host]) }),
    authProvider: {
      getAccessToken: async () => {
        const token = await credential.getToken(GRAPH_SCOPE);
        if (!token) throw new Error(`no token for ${GRAPH_SCOPE}`);
        return token.token;
      },
    },
  });
}

/** OData string literal: single quotes doubled (OData ABNF, `SQUOTE-in-string`). */
function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export async function tenantId(graph: Client): Promise<string> {
  const organizations = (await graph.api("/organization").select("id").get()) as GraphList<{ id: string }>;
  const id = organizations.value[0]?.id;
  if (!id) throw new Error("Microsoft Graph /organization returned no tenant");
  return id;
}

/** The application with this display name, created unless `dryRun`. */
export async function ensureApplication(
  graph: Client,
  displayName: string,
  dryRun: boolean,
): Promise<{ application?: Application; change: Change }> {
  const found = (await graph
    .api("/applications")
    .filter(`displayName eq ${odataString(displayName)}`)
    .select("id,appId,displayName")
    .get()) as GraphList<Application>;
  if (found.value.length > 1) {
    throw new Error(
      `${found.value.length} applications are named ${displayName} (app IDs ${found.value.map((app) => app.appId).join(", ")}): pass --app-name with a name only one application has`,
    );
  }
  const subject = `application ${displayName}`;
  const existing = found.value[0];
  if (existing) {
    return {
      application: existing,
      change: { area: "Entra ID", subject, action: "unchanged", detail: `appId ${existing.appId}` },
    };
  }
  if (dryRun) return { change: { area: "Entra ID", subject, action: "create" } };
  const created = (await graph.api("/applications").post({ displayName })) as Application;
  return {
    application: created,
    change: { area: "Entra ID", subject, action: "create", detail: `appId ${created.appId}` },
  };
}

/** The application's service principal (the identity that role assignments name), created unless `dryRun`. */
export async function ensureServicePrincipal(
  graph: Client,
  appId: string,
  dryRun: boolean,
): Promise<{ servicePrincipal?: ServicePrincipal; change: Change }> {
  const found = (await graph
    .api("/servicePrincipals")
    .filter(`appId eq ${odataString(appId)}`)
    .select("id,appId")
    .get()) as GraphList<ServicePrincipal>;
  const subject = `service principal of ${appId}`;
  const existing = found.value[0];
  if (existing) {
    return {
      servicePrincipal: existing,
      change: { area: "Entra ID", subject, action: "unchanged", detail: `object ID ${existing.id}` },
    };
  }
  if (dryRun) return { change: { area: "Entra ID", subject, action: "create" } };
  const created = (await graph.api("/servicePrincipals").post({ appId })) as ServicePrincipal;
  return {
    servicePrincipal: created,
    change: { area: "Entra ID", subject, action: "create", detail: `object ID ${created.id}` },
  };
}

/** Subjects to look for besides the desired ones. */
export interface OtherSubjects {
  /** Kept (and reported unchanged) when present, not created: the second form while a migration is under way. */
  keepIfPresent: readonly string[];
  /** Reported with how to delete them: subjects GitHub no longer issues for this repository. */
  stale: readonly string[];
}

/** Each desired credential: kept when one with the same issuer and subject exists, else created (or its name's updated). */
export async function ensureFederatedCredentials(
  graph: Client,
  applicationObjectId: string | undefined,
  desired: readonly FederatedCredential[],
  dryRun: boolean,
  other: OtherSubjects = { keepIfPresent: [], stale: [] },
): Promise<Change[]> {
  const existing: GraphFederatedCredential[] = applicationObjectId
    ? (
        (await graph
          .api(`/applications/${applicationObjectId}/federatedIdentityCredentials`)
          .get()) as GraphList<GraphFederatedCredential>
      ).value
    : [];
  const changes: Change[] = [];
  for (const credential of desired) {
    const subject = `federated credential ${credential.subject}`;
    const body = {
      name: credential.name,
      issuer: GITHUB_ISSUER,
      subject: credential.subject,
      audiences: [TOKEN_EXCHANGE_AUDIENCE],
      description: credential.description,
    };
    const same = existing.find((item) => item.issuer === GITHUB_ISSUER && item.subject === credential.subject);
    if (same?.audiences.includes(TOKEN_EXCHANGE_AUDIENCE)) {
      changes.push({ area: "Entra ID", subject, action: "unchanged", detail: `name ${same.name}` });
      continue;
    }
    const sameName = same ?? existing.find((item) => item.name === credential.name);
    if (sameName) {
      if (!dryRun && applicationObjectId) {
        await graph.api(`/applications/${applicationObjectId}/federatedIdentityCredentials/${sameName.id}`).patch({
          issuer: body.issuer,
          subject: body.subject,
          audiences: body.audiences,
          description: body.description,
        });
      }
      changes.push({
        area: "Entra ID",
        subject,
        action: "update",
        detail: `was ${sameName.subject} (${sameName.audiences.join(", ")})`,
      });
      continue;
    }
    if (!dryRun && applicationObjectId) {
      await graph.api(`/applications/${applicationObjectId}/federatedIdentityCredentials`).post(body);
    }
    changes.push({
      area: "Entra ID",
      subject,
      action: "create",
      detail: `issuer ${GITHUB_ISSUER}, audience ${TOKEN_EXCHANGE_AUDIENCE}`,
    });
  }
  const github = existing.filter((item) => item.issuer === GITHUB_ISSUER);
  for (const item of github.filter((each) => other.keepIfPresent.includes(each.subject))) {
    changes.push({
      area: "Entra ID",
      subject: `federated credential ${item.subject}`,
      action: "unchanged",
      detail: `name ${item.name}, kept for the switch to immutable subjects`,
    });
  }
  for (const item of github.filter((each) => other.stale.includes(each.subject))) {
    changes.push({
      area: "Entra ID",
      subject: `federated credential ${item.subject}`,
      action: "stale",
      detail: `GitHub no longer issues this subject for the repository, yet the credential still trusts it: delete it with az ad app federated-credential delete --id ${applicationObjectId} --federated-credential-id ${item.id}`,
    });
  }
  return changes;
}
