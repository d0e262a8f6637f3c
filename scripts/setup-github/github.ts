/**
 * The GitHub side through @octokit/rest (REST API "Actions variables" and "Actions secrets"):
 * - variables: GET/POST/PATCH /repos/{owner}/{repo}/actions/variables[/{name}];
 * - the passphrase secret: GET /repos/{owner}/{repo}/actions/secrets/public-key, then PUT .../secrets/{name} with
 *   the value encrypted as a libsodium sealed box with the repository's public key (GitHub docs "Encrypting secrets
 *   for the REST API", libsodium-wrappers `crypto_box_seal`). GitHub never returns a secret's value, so an existing
 *   secret is kept unless --replace-passphrase.
 */
import { format } from "node:util";
import sodium from "libsodium-wrappers";
import type { Change } from "./changes";
import type { Repository } from "./repository";

type Octokit = InstanceType<typeof import("@octokit/rest", { with: { "resolution-mode": "import" }})["Octokit"]>;

/**
 * An Octokit client (ESM-only package, hence the dynamic import) for `baseUrl` (GITHUB_API_URL, or api.github.com).
 * Its warnings and errors (e.g. the request log's "GET ... - 404") go to `writeError` as console.warn/console.error
 * would print them (@octokit/core's default logger); its debug and info lines are dropped, as by default.
 */
export async function githubClient(
  token: string,
  baseUrl?: string,
  writeError: (text: string) => void = (text) => process.stderr.write(text),
): Promise<Octokit> {
  const { Octokit } = await import("@octokit/rest");
  const toError = (message: string, ...details: unknown[]) => writeError(`${format(message, ...details)}\n`);
  return new Octokit({
    auth: token,
    userAgent: "keyless-openai-setup-github",
    ...(baseUrl ? { baseUrl } : {}),
    log: { debug: () => {}, info: () => {}, warn: toError, error: toError },
  });
}

function status(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error ? Number(error.status) : undefined;
}

/** Sets each variable to its value; `undefined` values are only checked (skipped when the variable is missing). */
export async function ensureVariables(
  octokit: Octokit,
  repository: Repository,
  values: Record<string, string | undefined>,
  dryRun: boolean,
  missingHint: Record<string, string> = {},
): Promise<Change[]> {
  const changes: Change[] = [];
  const repo = { owner: repository.owner, repo: repository.name };
  for (const [name, value] of Object.entries(values)) {
    const subject = `variable ${name}`;
    let current: string | undefined;
    try {
      current = (await octokit.rest.actions.getRepoVariable({ ...repo, name })).data.value;
    } catch (error) {
      if (status(error) !== 404) throw error;
    }
    if (value === undefined) {
      changes.push(
        current === undefined
          ? { area: "GitHub", subject, action: "skipped", detail: missingHint[name] ?? "no value given" }
          : { area: "GitHub", subject, action: "unchanged", detail: "kept as set" },
      );
      continue;
    }
    if (current === value) {
      changes.push({ area: "GitHub", subject, action: "unchanged", detail: value });
      continue;
    }
    if (!dryRun) {
      if (current === undefined) await octokit.rest.actions.createRepoVariable({ ...repo, name, value });
      else await octokit.rest.actions.updateRepoVariable({ ...repo, name, value });
    }
    changes.push({
      area: "GitHub",
      subject,
      action: current === undefined ? "create" : "update",
      detail: current === undefined ? value : `${current} -> ${value}`,
    });
  }
  return changes;
}

/** Encrypts `value` for the repository: a sealed box with its base64 public key, base64 (original variant). */
export async function sealForRepository(value: string, publicKeyBase64: string): Promise<string> {
  await sodium.ready;
  const publicKey = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  const sealed = sodium.crypto_box_seal(sodium.from_string(value), publicKey);
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}

/** Sets the secret when it is missing (or when `replace`); a missing value leaves a missing secret skipped. */
export async function ensureSecret(
  octokit: Octokit,
  repository: Repository,
  name: string,
  value: string | undefined,
  options: { dryRun: boolean; replace: boolean; missingHint: string },
): Promise<Change> {
  const repo = { owner: repository.owner, repo: repository.name };
  const subject = `secret ${name}`;
  let exists = true;
  try {
    await octokit.rest.actions.getRepoSecret({ ...repo, secret_name: name });
  } catch (error) {
    if (status(error) !== 404) throw error;
    exists = false;
  }
  if (exists && !(options.replace && value !== undefined)) {
    return {
      area: "GitHub",
      subject,
      action: "unchanged",
      detail: "exists (GitHub never shows its value; --replace-passphrase to overwrite)",
    };
  }
  if (value === undefined) return { area: "GitHub", subject, action: "skipped", detail: options.missingHint };
  if (!options.dryRun) {
    const key = (await octokit.rest.actions.getRepoPublicKey(repo)).data;
    await octokit.rest.actions.createOrUpdateRepoSecret({
      ...repo,
      secret_name: name,
      encrypted_value: await sealForRepository(value, key.key),
      key_id: key.key_id,
    });
  }
  return {
    area: "GitHub",
    subject,
    action: exists ? "update" : "create",
    detail: "encrypted with the repository's public key",
  };
}
