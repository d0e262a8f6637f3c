/**
 * Stand-in GitHub REST API for repository Actions variables and secrets, as @octokit/rest calls it. Shapes from
 * GitHub's REST reference "Actions variables" (GET 200 `{name, value, created_at, updated_at}`, POST 201, PATCH 204)
 * and "Actions secrets" (GET public-key `{key_id, key}`, GET secret 200 `{name, created_at, updated_at}`, PUT 201
 * created / 204 updated); 404 `{message: "Not Found", documentation_url}`. Secrets are opened with the repository's
 * private key (libsodium `crypto_box_seal_open`), so a test sees exactly what the command encrypted.
 * The repository itself (`GET /repos/{owner}/{repo}`) and its OIDC subject customization (repository and organisation)
 * answer with the bodies a test puts in the state, recorded or documented ones from tests/fixtures/github/; owner and
 * repository names match without regard to case, as on GitHub.
 */
import sodium from "libsodium-wrappers";
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";

export interface GitHubState {
  owner: string;
  repo: string;
  token: string;
  variables: Map<string, string>;
  /** Decrypted secret values. */
  secrets: Map<string, string>;
  keyId: string;
  /** Body of `GET /repos/{owner}/{repo}`. */
  repository: object;
  /** Body of `GET /repos/{owner}/{repo}/actions/oidc/customization/sub`; `undefined` answers 404. */
  oidcSubject?: object;
  /** Body of `GET /orgs/{owner}/actions/oidc/customization/sub`; `undefined` answers 404. */
  organizationOidcSubject?: object;
}

const NOT_FOUND: StandInResponse = json(404, {
  message: "Not Found",
  documentation_url: "https://docs.github.com/rest",
  status: "404",
});

/** The repository's sealed-box key pair (X25519), made once per stand-in. */
export async function repositoryKeyPair(): Promise<{ publicKey: Uint8Array; privateKey: Uint8Array }> {
  await sodium.ready;
  return sodium.crypto_box_keypair();
}

export function githubRoutes(state: GitHubState, keys: { publicKey: Uint8Array; privateKey: Uint8Array }): Route[] {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const repositoryPath = `/repos/${literal(state.owner)}/${literal(state.repo)}`;
  const base = `${repositoryPath}/actions`;
  const authorized = (request: RecordedRequest): StandInResponse | undefined => {
    const match = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? "");
    if (match?.[1] !== state.token) {
      return json(401, {
        message: "Bad credentials",
        documentation_url: "https://docs.github.com/rest",
        status: "401",
      });
    }
    return undefined;
  };
  const route = (method: string, path: string, handle: Route["handle"]): Route => ({
    method,
    path: new RegExp(`^${base}${path}$`, "i"),
    handle: (request, match) => authorized(request) ?? handle(request, match),
  });
  const body = (request: RecordedRequest) => JSON.parse(request.body || "{}") as Record<string, unknown>;
  const stamp = "2026-11-29T00:00:00Z";

  const reading = (path: RegExp, body: () => object | undefined): Route => ({
    method: "GET",
    path,
    handle: (request) => {
      const found = body();
      return authorized(request) ?? (found === undefined ? NOT_FOUND : json(200, found));
    },
  });

  return [
    reading(new RegExp(`^${repositoryPath}$`, "i"), () => state.repository),
    reading(new RegExp(`^${base}/oidc/customization/sub$`, "i"), () => state.oidcSubject),
    reading(
      new RegExp(`^/orgs/${literal(state.owner)}/actions/oidc/customization/sub$`, "i"),
      () => state.organizationOidcSubject,
    ),
    route("GET", "/variables/([A-Za-z0-9_]+)", (_request, match) => {
      const value = state.variables.get(match[1] ?? "");
      return value === undefined
        ? NOT_FOUND
        : json(200, { name: match[1], value, created_at: stamp, updated_at: stamp });
    }),
    route("POST", "/variables", (request) => {
      const { name, value } = body(request);
      if (typeof name !== "string" || typeof value !== "string") return json(422, { message: "Invalid request." });
      if (state.variables.has(name)) return json(409, { message: "Already exists - Variable already exists" });
      state.variables.set(name, value);
      return { status: 201, body: {} };
    }),
    route("PATCH", "/variables/([A-Za-z0-9_]+)", (request, match) => {
      const name = match[1] ?? "";
      const { value } = body(request);
      if (!state.variables.has(name)) return NOT_FOUND;
      if (typeof value !== "string") return json(422, { message: "Invalid request." });
      state.variables.set(name, value);
      return { status: 204 };
    }),
    route("GET", "/secrets/public-key", () =>
      json(200, { key_id: state.keyId, key: sodium.to_base64(keys.publicKey, sodium.base64_variants.ORIGINAL) }),
    ),
    route("GET", "/secrets/([A-Za-z0-9_]+)", (_request, match) =>
      state.secrets.has(match[1] ?? "")
        ? json(200, { name: match[1], created_at: stamp, updated_at: stamp })
        : NOT_FOUND,
    ),
    route("PUT", "/secrets/([A-Za-z0-9_]+)", (request, match) => {
      const name = match[1] ?? "";
      const { encrypted_value: encrypted, key_id: keyId } = body(request);
      if (keyId !== state.keyId || typeof encrypted !== "string") {
        return json(422, { message: "Invalid request: key_id does not match the repository's public key." });
      }
      let plain: string;
      try {
        const opened = sodium.crypto_box_seal_open(
          sodium.from_base64(encrypted, sodium.base64_variants.ORIGINAL),
          keys.publicKey,
          keys.privateKey,
        );
        plain = sodium.to_string(opened);
      } catch {
        return json(422, { message: "Invalid request: encrypted_value could not be decrypted." });
      }
      const existed = state.secrets.has(name);
      state.secrets.set(name, plain);
      return existed ? { status: 204 } : { status: 201, body: {} };
    }),
  ];
}
