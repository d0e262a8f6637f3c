/**
 * The two far ends of workload identity federation from GitHub Actions, as routes for {@link startStandIn}:
 *
 * - GitHub's OIDC token endpoint (GitHub Docs, "OpenID Connect reference"): GET `$ACTIONS_ID_TOKEN_REQUEST_URL
 *   &audience=<aud>` with `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` answers `{"value": "<jwt>"}`; the
 *   JWT has `iss` https://token.actions.githubusercontent.com, `aud` the requested audience, `sub`
 *   `repo:<owner>/<repo>:...`, and a short lifetime.
 * - Entra ID's v2 token endpoint for the client credentials grant with a client assertion (Learn, "Microsoft identity
 *   platform and the OAuth 2.0 client credentials flow", "Second case: Access token request with a certificate" /
 *   federated credentials): POST `/{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials`, `client_id`,
 *   `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`, `client_assertion`, `scope`;
 *   answers `{token_type, expires_in, ext_expires_in, access_token}`. msal-node first reads
 *   `/{tenant}/v2.0/.well-known/openid-configuration` for the token endpoint, so that is served too.
 *   An assertion past its `exp` is refused with AADSTS700024's body (error `invalid_client`, as seen in
 *   Azure/login#180 and AzureAD/microsoft-authentication-library-for-java#984); the status is 401, which RFC 6749
 *   §5.2 allows for invalid_client and msal treats like 400.
 *
 * Both read the time from one injectable `now()` (epoch milliseconds) so a test can let an assertion age by ten
 * minutes without waiting ten minutes.
 */
import { randomUUID } from "node:crypto";
import { json, type Route } from "./server";
import { mintToken, readTokenClaims, type StandInPrincipal } from "./tokens";

/** Issuer of GitHub Actions OIDC tokens (GitHub Docs, "OpenID Connect reference"). */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
/** Path the GitHub stand-in serves; ACTIONS_ID_TOKEN_REQUEST_URL = origin + this path (+ its query, as GitHub's has one). */
export const GITHUB_TOKEN_PATH = "/_apis/distributedtask/hubs/build/plans/standin/jobs/standin/idtoken";

/** The GitHub side: who asked, with what, and which assertions it handed out. */
export interface GitHubOidcOptions {
  requestToken: string;
  /** `sub` claim, e.g. `repo:contoso/keyless-openai:ref:refs/heads/main`. */
  subject: string;
  /** Lifetime of each assertion in seconds (GitHub's are short; Azure/login#180 reports failures after ~10 minutes). */
  lifetimeSeconds: number;
  now: () => number;
  /** Every assertion handed out, in order. */
  issued: string[];
}

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** GitHub's OIDC token endpoint. */
export function githubOidcRoutes(options: GitHubOidcOptions): Route[] {
  return [
    {
      method: "GET",
      path: new RegExp(`^${GITHUB_TOKEN_PATH}$`),
      handle: (request) => {
        if (request.headers.authorization !== `bearer ${options.requestToken}`) {
          return json(401, { message: "Unauthorized" });
        }
        const audience = request.url.searchParams.get("audience");
        if (!audience) return json(400, { message: "audience is required" });
        const issuedAt = Math.floor(options.now() / 1000);
        const assertion = [
          base64Url({ typ: "JWT", alg: "RS256", kid: "stand-in" }),
          base64Url({
            jti: randomUUID(),
            sub: options.subject,
            aud: audience,
            iss: GITHUB_ISSUER,
            nbf: issuedAt,
            iat: issuedAt,
            exp: issuedAt + options.lifetimeSeconds,
          }),
          Buffer.from("stand-in signature").toString("base64url"),
        ].join(".");
        options.issued.push(assertion);
        return json(200, { count: 2000, value: assertion });
      },
    },
  ];
}

/** The Entra side: the federated credential it trusts and the principal it issues tokens to. */
export interface EntraOptions {
  tenantId: string;
  clientId: string;
  /** The federated credential: issuer, subject and audience the assertion must carry. */
  federatedSubject: string;
  /** The service principal the tokens are for. */
  principal: StandInPrincipal;
  now: () => number;
}

const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

function entraError(status: number, error: string, code: number, description: string) {
  const correlation = randomUUID();
  const trace = randomUUID();
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: trace,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

/** Entra ID's metadata and token endpoints for one tenant; `origin` is the stand-in's own origin. */
export function entraRoutes(options: EntraOptions): Route[] {
  return [
    {
      method: "GET",
      path: new RegExp(`^/${options.tenantId}/v2\\.0/\\.well-known/openid-configuration$`),
      handle: (request) => {
        const base = `${request.url.origin}/${options.tenantId}`;
        return json(200, {
          token_endpoint: `${base}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
          jwks_uri: `${request.url.origin}/${options.tenantId}/discovery/v2.0/keys`,
          response_modes_supported: ["query", "fragment", "form_post"],
          subject_types_supported: ["pairwise"],
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
          scopes_supported: ["openid", "profile", "email", "offline_access"],
          issuer: `${request.url.origin}/${options.tenantId}/v2.0`,
          request_uri_parameter_supported: false,
          userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          http_logout_supported: true,
          frontchannel_logout_supported: true,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          claims_supported: ["sub", "iss", "aud", "exp", "iat", "oid", "tid"],
          kerberos_endpoint: `${base}/kerberos`,
          tenant_region_scope: "EU",
          cloud_instance_name: "microsoftonline.com",
          cloud_graph_host_name: "graph.windows.net",
          msgraph_host: "graph.microsoft.com",
          rbac_url: "https://pas.windows.net",
        });
      },
    },
    {
      method: "POST",
      path: new RegExp(`^/${options.tenantId}/oauth2/v2\\.0/token$`),
      handle: (request) => {
        const form = new URLSearchParams(request.body);
        if (form.get("grant_type") !== "client_credentials" || form.get("client_id") !== options.clientId) {
          return entraError(
            400,
            "unauthorized_client",
            700016,
            `Application with identifier '${form.get("client_id")}' was not found.`,
          );
        }
        const assertion = form.get("client_assertion") ?? "";
        if (form.get("client_assertion_type") !== CLIENT_ASSERTION_TYPE || !assertion) {
          return entraError(
            400,
            "invalid_request",
            90014,
            "The request body must contain the following parameter: 'client_assertion'.",
          );
        }
        const claims = readTokenClaims(assertion) ?? {};
        if (
          claims.iss !== GITHUB_ISSUER ||
          claims.sub !== options.federatedSubject ||
          claims.aud !== "api://AzureADTokenExchange"
        ) {
          return entraError(
            400,
            "invalid_client",
            70021,
            "No matching federated identity record found for presented assertion.",
          );
        }
        const now = options.now();
        const expiresAt = Number(claims.exp) * 1000;
        if (!(now < expiresAt)) {
          return entraError(
            401,
            "invalid_client",
            700024,
            `Client assertion is not within its valid time range. Current time: ${new Date(now).toISOString()}, assertion valid from ${new Date(Number(claims.nbf) * 1000).toISOString()}, expiry time of assertion ${new Date(expiresAt).toISOString()}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
          );
        }
        const scope = form.get("scope") ?? "";
        const resource = scope
          .split(" ")
          .find((entry) => entry.endsWith("/.default"))
          ?.replace(/\/\.default$/, "");
        if (!resource)
          return entraError(400, "invalid_scope", 1002012, `The provided value for scope ${scope} is not valid.`);
        return json(200, {
          token_type: "Bearer",
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: mintToken(options.principal, resource, 3600),
        });
      },
    },
  ];
}
