/**
 * Managed identity token endpoints, as routes for {@link startStandIn}.
 * - IMDS (VMs): GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=... with `Metadata: true`.
 *   @azure/msal-node 7.2.3 asks for the path without a trailing slash (lib/msal-node.cjs IMDS_TOKEN_PATH); the
 *   AZURE_POD_IDENTITY_AUTHORITY_HOST override goes through its URL validation (Imds.tryCreate), so both are served.
 * - App Service / Functions: GET {IDENTITY_ENDPOINT}?resource=...&api-version=2019-08-01 with `X-IDENTITY-HEADER`.
 * Paths, API versions and headers: @azure/msal-node 7.2.3 lib/msal-node.cjs (IMDS_API_VERSION, APP_SERVICE_MSI_API_VERSION,
 * X-IDENTITY-HEADER, `Metadata: true`); `expires_on` is epoch seconds as a string (without it msal-node treats the
 * token as expired at once).
 */
import { json, type Route } from "./server";
import { mintToken, type StandInPrincipal } from "./tokens";

const TOKEN_LIFETIME_SECONDS = 3600;

/** Options shared by both token endpoints. */
export interface IdentityEndpointOptions {
  principal: StandInPrincipal;
  /** When false, answer as a VM or app without a managed identity does. */
  identityAssigned?: boolean;
  /** Mint tokens for this audience instead of the requested resource (to provoke "audience is incorrect"). */
  tokenAudience?: string;
}

function tokenFields(options: IdentityEndpointOptions, resource: string) {
  const expiresOn = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS;
  const { principal } = options;
  return {
    access_token: mintToken(principal, options.tokenAudience ?? resource, TOKEN_LIFETIME_SECONDS),
    client_id: principal.appId,
    expires_on: String(expiresOn),
    resource,
    token_type: "Bearer",
  };
}

/** IMDS token routes (the VM's point of view). */
export function imdsRoutes(options: IdentityEndpointOptions): Route[] {
  return [
    {
      method: "GET",
      path: /^\/metadata\/identity\/oauth2\/token\/?$/,
      handle: (request) => {
        if (request.headers.metadata !== "true") {
          return json(400, { error: "invalid_request", error_description: "Required metadata header not specified" });
        }
        const resource = request.url.searchParams.get("resource");
        if (!resource || !request.url.searchParams.get("api-version")) {
          return json(400, {
            error: "invalid_request",
            error_description: "Required query variable 'resource' is missing",
          });
        }
        if (options.identityAssigned === false) {
          return json(400, { error: "invalid_request", error_description: "Identity not found" });
        }
        return json(200, {
          ...tokenFields(options, resource),
          expires_in: String(TOKEN_LIFETIME_SECONDS),
          ext_expires_in: String(TOKEN_LIFETIME_SECONDS),
          not_before: String(Math.floor(Date.now() / 1000)),
        });
      },
    },
  ];
}

/** Path the App Service identity stand-in serves; IDENTITY_ENDPOINT = origin + this path. */
export const APP_SERVICE_IDENTITY_PATH = "/msi/token";

/** App Service / Functions identity routes; `identityHeader` is the secret the platform puts in IDENTITY_HEADER. */
export function appServiceIdentityRoutes(options: IdentityEndpointOptions & { identityHeader: string }): Route[] {
  return [
    {
      method: "GET",
      path: /^\/msi\/token\/?$/,
      handle: (request) => {
        if (request.headers["x-identity-header"] !== options.identityHeader) {
          return json(401, { statusCode: 401, message: "X-IDENTITY-HEADER is missing or wrong" });
        }
        const resource = request.url.searchParams.get("resource");
        if (!resource || request.url.searchParams.get("api-version") !== "2019-08-01") {
          return json(400, { statusCode: 400, message: "resource and api-version=2019-08-01 are required" });
        }
        if (options.identityAssigned === false) {
          return json(400, { statusCode: 400, message: "No managed identity found for the app" });
        }
        return json(200, tokenFields(options, resource));
      },
    },
  ];
}
