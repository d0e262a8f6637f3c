/**
 * A stand-in `az` executable for the signed-in user: put its directory first on PATH. It answers
 * `az account show --output json` (or `--query id --output tsv`): the active subscription, and
 * `az account get-access-token --output json --resource R [--tenant T] [--subscription S]`, the command
 * @azure/identity's AzureCliCredential runs (node_modules/@azure/identity/dist/commonjs/credentials/azureCliCredential.js),
 * with the fields real Azure CLI prints: accessToken, expiresOn (local time string), expires_on (epoch seconds, CLI
 * 2.54+, preferred by @azure/identity), subscription, tenant, tokenType. Every invocation is logged for assertions.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  const script = `#!/usr/bin/env node
"use strict";
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(logPath)}, JSON.stringify(args) + "\\n");
if (${JSON.stringify(options.signedIn === false)}) {
  process.stderr.write("ERROR: Please run 'az login' to setup account.\\n");
  process.exit(1);
}
const at = (name) => { const index = args.indexOf(name); return index >= 0 ? args[index + 1] : undefined; };
const principal = ${JSON.stringify(principal)};
if (args[0] === "account" && args[1] === "show") {
  // The active subscription, with the fields \`az account show\` prints (id, name, tenantId, state, user, ...).
  const account = {
    environmentName: "AzureCloud", id: ${JSON.stringify(subscriptionId)}, isDefault: true, name: "Stand-in subscription",
    state: "Enabled", tenantId: "${STAND_IN_TENANT_ID}", user: { name: principal.userPrincipalName, type: "user" },
  };
  if (at("--query") === "id" && at("--output") === "tsv") process.stdout.write(account.id + "\\n");
  else if (at("--output") === "json" && !at("--query")) process.stdout.write(JSON.stringify(account, null, 2) + "\\n");
  else { process.stderr.write("stand-in az: unsupported command " + args.join(" ") + "\\n"); process.exit(2); }
  process.exit(0);
}
if (args[0] !== "account" || args[1] !== "get-access-token" || at("--output") !== "json" || !at("--resource")) {
  process.stderr.write("stand-in az: unsupported command " + args.join(" ") + "\\n");
  process.exit(2);
}
const now = Math.floor(Date.now() / 1000);
const expires = now + 3600;
const claims = {
  aud: at("--resource"), iss: "https://sts.windows.net/${STAND_IN_TENANT_ID}/", iat: now, nbf: now, exp: expires,
  tid: "${STAND_IN_TENANT_ID}", oid: principal.objectId, sub: principal.objectId, appid: principal.appId,
  idtyp: "user", upn: principal.userPrincipalName,
};
const part = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const token = [part({ typ: "JWT", alg: "RS256" }), part(claims), Buffer.from("stand-in").toString("base64url")].join(".");
const local = new Date(expires * 1000);
const pad = (n) => String(n).padStart(2, "0");
const expiresOn = local.getFullYear() + "-" + pad(local.getMonth() + 1) + "-" + pad(local.getDate()) + " " +
  pad(local.getHours()) + ":" + pad(local.getMinutes()) + ":" + pad(local.getSeconds()) + ".000000";
process.stdout.write(JSON.stringify({
  accessToken: token, expiresOn, expires_on: expires, subscription: at("--subscription") || ${JSON.stringify(subscriptionId)},
  tenant: "${STAND_IN_TENANT_ID}", tokenType: "Bearer",
}, null, 2) + "\\n");
`;
  const azPath = join(binDirectory, "az");
  writeFileSync(azPath, script);
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
