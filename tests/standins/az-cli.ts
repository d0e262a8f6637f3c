/**
 * A stand-in `az` executable for the signed-in user: put its directory first on PATH. It answers
 * `az account show --output json` (or `--query id --output tsv`): the active subscription, and
 * `az account get-access-token --output json --resource R [--tenant T] [--subscription S]`, the command
 * @azure/identity's AzureCliCredential runs (node_modules/@azure/identity/dist/commonjs/credentials/azureCliCredential.js),
 * with the fields real Azure CLI prints: accessToken, expiresOn (local time string), expires_on (epoch seconds, CLI
 * 2.54+, preferred by @azure/identity), subscription, tenant, tokenType. Every invocation is logged for assertions.
 * The executable is tests/standins/az-cli.bash, with this principal's values in az-settings.sh beside it.
 */
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STAND_IN_TENANT_ID, type StandInPrincipal } from "./tokens";

/** A stand-in Azure CLI on disk. */
export interface StandInAzureCli {
  /** Directory to put first on PATH. */
  binDirectory: string;
  /** Argument lists of every invocation so far. */
  invocations(): string[][];
  dispose(): void;
}

/** Writes the stand-in. `signedIn: false` answers like `az` after `az logout`. */
export function createStandInAzureCli(
  principal: StandInPrincipal,
  options: { signedIn?: boolean; subscriptionId?: string } = {},
): StandInAzureCli {
  const subscriptionId = options.subscriptionId ?? "00000000-1111-2222-3333-444444444444";
  const binDirectory = mkdtempSync(join(tmpdir(), "standin-az-"));
  const logPath = join(binDirectory, "invocations.jsonl");
  writeFileSync(logPath, "");
  // The active subscription, with the fields `az account show` prints (id, name, tenantId, state, user, ...).
  const account = {
    environmentName: "AzureCloud",
    id: subscriptionId,
    isDefault: true,
    name: "Stand-in subscription",
    state: "Enabled",
    tenantId: STAND_IN_TENANT_ID,
    user: { name: principal.userPrincipalName, type: "user" },
  };
  const settings = {
    LOG_PATH: logPath,
    SIGNED_IN: String(options.signedIn !== false),
    SUBSCRIPTION_ID: subscriptionId,
    TENANT_ID: STAND_IN_TENANT_ID,
    ACCOUNT_JSON: JSON.stringify(account, null, 2),
    // The token's claims after aud, iss, iat, nbf and exp, which the script adds.
    IDENTITY_CLAIMS: JSON.stringify({
      tid: STAND_IN_TENANT_ID,
      oid: principal.objectId,
      sub: principal.objectId,
      appid: principal.appId,
      idtyp: "user",
      upn: principal.userPrincipalName,
    }).slice(1, -1),
    TOKEN_HEADER: Buffer.from(JSON.stringify({ typ: "JWT", alg: "RS256" })).toString("base64url"),
    TOKEN_SIGNATURE: Buffer.from("stand-in").toString("base64url"),
  };
  writeFileSync(
    join(binDirectory, "az-settings.sh"),
    Object.entries(settings)
      .map(([name, value]) => `${name}='${value.replaceAll("'", `'\\''`)}'\n`)
      .join(""),
  );
  const azPath = join(binDirectory, "az");
  copyFileSync(join(__dirname, "az-cli.bash"), azPath);
  chmodSync(azPath, 0o755);
  return {
    binDirectory,
    invocations: () =>
      readFileSync(logPath, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string[]),
    dispose: () => rmSync(binDirectory, { recursive: true, force: true }),
  };
}
