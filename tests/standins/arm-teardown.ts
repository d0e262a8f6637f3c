/**
 * The far ends of `npm run destroy` and `npm run stale-stacks`:
 * - ARM's purge of soft-deleted Cognitive Services accounts (DeletedAccounts_Purge, api-version 2025-09-01 as sent
 *   by @azure/arm-cognitiveservices 8.1.0): DELETE answers 202 with Azure-AsyncOperation (+ Location) or Location only,
 *   204 when nothing is left to do, 404 for an unknown deleted account, and the error answers ARM gives (403
 *   AuthorizationFailed, 409 Conflict, 500). Shapes: Azure REST specs, cognitiveservices stable/2025-09-01
 *   (PurgeDeletedAccount example: 200/202/204) and the ARM async operation protocol (status InProgress → Succeeded).
 * - A stand-in `pulumi` CLI where the scripts look for the pinned one ($PULUMI_HOME/versions/<version>/bin): records
 *   its arguments and answers what the Automation API (@pulumi/pulumi/automation 3.276.0: LocalWorkspace, Stack)
 *   and the terminal passthrough ask: `version`, `stack ls --json`, `stack output --json [--show-secrets]`,
 *   `config --show-secrets --json` (values keyed `<project>:<key>`, the project's name from Pulumi.yaml in its
 *   working directory), `stack select`, `destroy`, `stack history --json`, `stack rm`, `up`; fails on demand.
 * - A stand-in `gh` CLI answering `gh pr view N --json state --jq .state`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { PulumiThreadData } from "./pulumi-thread";
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";
import { readTokenClaims } from "./tokens";

/** api-version that @azure/arm-cognitiveservices 8.1.0 sends (its client default). */
export const COGNITIVE_SERVICES_API_VERSION = "2025-09-01";

/** How the stand-in answers the purge of one deleted account. */
export type PurgeBehaviour =
  /** 202 + Azure-AsyncOperation + Location; the operation reports InProgress once, then Succeeded. */
  | "async-operation"
  /** 202 + Location only; the Location URL answers 202 once, then 200. */
  | "location"
  /** 200 at once. */
  | "immediate"
  /** 403 AuthorizationFailed (the caller lacks deletedAccounts/delete). */
  | "forbidden"
  /** 409 Conflict (another operation holds the account). */
  | "conflict"
  /** 500 twice, then the async-operation protocol (the client's retry policy must get through). */
  | "flaky"
  /** 202 + Azure-AsyncOperation whose status ends Failed. */
  | "operation-fails";

/** A soft-deleted account the stand-in knows. Purged ones are removed: a later purge gets 404. */
export interface DeletedAccount {
  subscriptionId: string;
  location: string;
  resourceGroupName: string;
  accountName: string;
  behaviour: PurgeBehaviour;
  /** Purge requests answered 404 before the account is listed: Azure listing a just-deleted account late. */
  unlistedForRequests?: number;
}

/** State of the ARM stand-in, shared with the test for assertions. */
export interface DeletedAccountsState {
  /** Keyed by `accountKey()`. */
  deleted: Map<string, DeletedAccount>;
  /** Accounts whose purge completed, in order. */
  purged: string[];
  /** Problems the stand-in saw in requests (wrong api-version, token audience); tests assert it stays empty. */
  protocolErrors: string[];
}

export function accountKey(account: Omit<DeletedAccount, "behaviour">): string {
  return [account.subscriptionId, account.location, account.resourceGroupName, account.accountName]
    .join("/")
    .toLowerCase();
}

const PURGE_PATH =
  /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.CognitiveServices\/locations\/([^/]+)\/resourceGroups\/([^/]+)\/deletedAccounts\/([^/]+)$/i;
const OPERATION_PATH = /^\/standin-operations\/([^/]+)$/;

interface Operation {
  key: string;
  kind: "async-operation" | "location" | "operation-fails";
  polls: number;
}

/** ARM routes for DeletedAccounts_Purge and its polling URLs. */
export function deletedAccountsRoutes(state: DeletedAccountsState, armAudience: string): Route[] {
  const operations = new Map<string, Operation>();
  const failuresLeft = new Map<string, number>();
  let nextOperation = 0;

  const check = (request: RecordedRequest): StandInResponse | undefined => {
    const apiVersion = request.url.searchParams.get("api-version");
    if (apiVersion !== COGNITIVE_SERVICES_API_VERSION) {
      state.protocolErrors.push(`api-version ${apiVersion} on ${request.method} ${request.url.pathname}`);
      return json(400, { error: { code: "InvalidApiVersionParameter", message: `api-version ${apiVersion}` } });
    }
    const token = request.headers.authorization?.replace(/^Bearer /, "") ?? "";
    const audience = readTokenClaims(token)?.aud;
    if (audience !== armAudience) {
      state.protocolErrors.push(`token audience ${String(audience)} on ${request.method} ${request.url.pathname}`);
      return json(401, {
        error: {
          code: "InvalidAuthenticationTokenAudience",
          message: "The access token has been obtained for wrong audience or resource.",
        },
      });
    }
    return undefined;
  };

  const startOperation = (origin: string, key: string, kind: Operation["kind"]): StandInResponse => {
    nextOperation += 1;
    const id = `op-${nextOperation}`;
    operations.set(id, { key, kind, polls: 0 });
    const url = `${origin}/standin-operations/${id}?api-version=${COGNITIVE_SERVICES_API_VERSION}`;
    const headers: Record<string, string> = { location: url, "retry-after": "1" };
    if (kind !== "location") headers["azure-asyncoperation"] = url;
    return { status: 202, headers };
  };

  const complete = (key: string): void => {
    state.deleted.delete(key);
    state.purged.push(key);
  };

  return [
    {
      method: "DELETE",
      path: PURGE_PATH,
      handle: (request, match) => {
        const refused = check(request);
        if (refused) return refused;
        const [, subscriptionId, location, resourceGroupName, accountName] = match;
        const key = accountKey({ subscriptionId, location, resourceGroupName, accountName });
        const account = state.deleted.get(key);
        const unlisted = account?.unlistedForRequests ?? 0;
        if (account && unlisted > 0) account.unlistedForRequests = unlisted - 1;
        if (!account || unlisted > 0) {
          return json(404, {
            error: {
              code: "ResourceNotFound",
              message: `The Resource 'Microsoft.CognitiveServices/locations/${location}/resourceGroups/${resourceGroupName}/deletedAccounts/${accountName}' was not found.`,
            },
          });
        }
        const origin = `${request.url.protocol}//${request.url.host}`;
        switch (account.behaviour) {
          case "immediate":
            complete(key);
            return { status: 200 };
          case "forbidden":
            return json(403, {
              error: {
                code: "AuthorizationFailed",
                message: `The client '${String(readTokenClaims(request.headers.authorization?.slice(7) ?? "")?.oid)}' does not have authorization to perform action 'Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete' over scope '/subscriptions/${subscriptionId}' or the scope is invalid.`,
              },
            });
          case "conflict":
            return json(409, {
              error: { code: "Conflict", message: "Another operation is being performed on the deleted account." },
            });
          case "flaky": {
            const left = failuresLeft.get(key) ?? 2;
            if (left > 0) {
              failuresLeft.set(key, left - 1);
              return json(500, {
                error: { code: "InternalServerError", message: "Encountered internal server error." },
              });
            }
            return startOperation(origin, key, "async-operation");
          }
          default:
            return startOperation(origin, key, account.behaviour);
        }
      },
    },
    {
      method: "GET",
      path: OPERATION_PATH,
      handle: (request, match) => {
        const refused = check(request);
        if (refused) return refused;
        const operation = operations.get(match[1]);
        if (!operation) return json(404, { error: { code: "NotFound", message: "unknown operation" } });
        operation.polls += 1;
        const done = operation.polls > 1;
        if (operation.kind === "location") {
          if (!done) return { status: 202, headers: { location: request.url.href, "retry-after": "1" } };
          complete(operation.key);
          return { status: 200 };
        }
        if (!done) return json(200, { status: "InProgress" }, { "retry-after": "1" });
        if (operation.kind === "operation-fails") {
          return json(200, {
            status: "Failed",
            error: { code: "PurgeFailed", message: "The deleted account could not be purged." },
          });
        }
        complete(operation.key);
        return json(200, { status: "Succeeded" });
      },
    },
  ];
}

/** One stack as the stand-in `pulumi` knows it. */
export interface StandInStack {
  resourceCount: number;
  outputs: Record<string, unknown>;
  config?: Record<string, string>;
  /** ISO date of the last update. */
  lastUpdate?: string;
}

/** The JSON state file the stand-in `pulumi` reads and writes. */
export interface PulumiStandInState {
  /** Names as `stack ls` prints them. */
  stacks: Record<string, StandInStack>;
  /** The stack the last `stack select` chose. */
  current?: string;
  /** The PULUMI_BACKEND_URL the last `stack select` or `up` ran with. */
  backend?: string;
  /** Commands (`destroy`, `stack rm`, `stack ls`, ...) that fail the next N times they run. */
  failNext?: Record<string, number>;
}

/** A stand-in CLI installed for one test. */
export interface CliStandIn {
  /** Environment to give the process under test; PATH_PREFIX goes in front of its PATH. */
  env: Record<string, string>;
  /** Every invocation's arguments, in order. */
  calls(): string[][];
}

/** The stand-in `pulumi`, with its state. */
export interface PulumiStandIn extends CliStandIn {
  /** Per invocation: its arguments and whether its stdin and stdout were terminals. */
  terminals(): { args: string[]; stdin: boolean; stdout: boolean }[];
  readState(): PulumiStandInState;
  writeState(state: PulumiStandInState): void;
}

/**
 * The stand-in `pulumi` client: bash alone starts in a fraction of Node's start-up (and of curl's), and the
 * Automation API starts the CLI several times per command. Over bash's `/dev/tcp` it forwards its arguments, working
 * directory, the variables the stand-in reads and whether stdin/stdout are terminals to the stand-in thread
 * (tests/standins/pulumi-thread.ts), then prints the answer's stdout and stderr and exits with its code. At the
 * terminal's confirmation prompt it prints the prompt, reads the typed line from its own stdin and asks again with it.
 */
function pulumiClient(bash: string, port: number): string {
  return `#!${bash}
# \`pulumi version\` comes first and alone (PulumiCommand.get, with the caller's environment only): the version is
# the one the install path names, as for a real CLI installed there.
if [[ $# -gt 0 && $1 == version ]]; then
  directory=\${BASH_SOURCE[0]%/*}
  directory=\${directory%/*}
  printf 'v%s\\n' "\${directory##*/}"
  exit 0
fi
# The answer's stdout length counts bytes.
LC_ALL=C
stdin=
stdout=
[[ -t 0 ]] && stdin=1
[[ -t 1 ]] && stdout=1
ask() {
  local fields=("$1" "$2" "$stdin" "$stdout" "$PWD" "\${PULUMI_STANDIN_STATE-}" "\${PULUMI_STANDIN_CALLS-}"
    "\${PULUMI_STANDIN_TERMINALS-}" "\${PULUMI_BACKEND_URL+1}" "\${PULUMI_BACKEND_URL-}" "\${@:3}")
  answer=
  exec 3<>/dev/tcp/127.0.0.1/${port} || return
  printf '%s\\0' "\${#fields[@]}" "\${fields[@]}" >&3
  # Up to the connection's end (the answer has no NUL); read keeps every byte, trailing newlines too.
  IFS= read -r -d '' answer <&3
  exec 3<&-
}
ask "" "" "$@"
if [[ $answer == prompt$'\\n'* ]]; then
  printf '%s' "\${answer#prompt$'\\n'}"
  IFS= read -r typed || true
  ask 1 "$typed" "$@"
fi
code=\${answer%%$'\\n'*}
rest=\${answer#*$'\\n'}
length=\${rest%%$'\\n'*}
rest=\${rest#*$'\\n'}
if ! [[ $code =~ ^[0-9]+$ && $length =~ ^[0-9]+$ ]]; then
  printf 'stand-in pulumi: no answer from 127.0.0.1:${port}\\n' >&2
  exit 70
fi
printf '%s' "\${rest:0:length}"
printf '%s' "\${rest:length}" >&2
exit "$code"
`;
}

let pulumiPort: number | undefined;

/** The stand-in thread's port, the thread started (once per test process) and listening. */
function pulumiThreadPort(): number {
  if (pulumiPort !== undefined) return pulumiPort;
  const data: PulumiThreadData = {
    ready: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
    port: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
  };
  // The thread loads TypeScript through tsx's CommonJS hook only (tsx 4 `tsx/cjs`): these sources are CommonJS, and
  // without the ESM loader the thread starts in about two thirds of the CPU that the inherited --import tsx costs.
  const worker = new Worker(join(__dirname, "pulumi-thread.ts"), {
    workerData: data,
    execArgv: ["--require", "tsx/cjs"],
  });
  // An idle stand-in must not keep the test process alive.
  worker.unref();
  // Installing stays synchronous: wait until the thread listens (a guard against a thread that never starts).
  Atomics.wait(data.ready, 0, 0, 120_000);
  if (Atomics.load(data.ready, 0) !== 1) {
    throw new Error("the stand-in pulumi thread (tests/standins/pulumi-thread.ts) did not listen on 127.0.0.1");
  }
  pulumiPort = Atomics.load(data.port, 0);
  return pulumiPort;
}

/** The first `tool` on this process's PATH: the client names it absolutely, whatever PATH the test gives it. */
function onPath(tool: string): string {
  for (const directory of (process.env.PATH ?? "").split(":")) {
    const candidate = join(directory, tool);
    if (directory !== "" && existsSync(candidate)) return candidate;
  }
  throw new Error(`the stand-in pulumi needs ${tool} on PATH`);
}

const GH_STAND_IN = `#!/usr/bin/env node
"use strict";
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(process.env.GH_STANDIN_CALLS, JSON.stringify(args) + "\\n");
const states = JSON.parse(fs.readFileSync(process.env.GH_STANDIN_STATE, "utf8"));
if (args[0] !== "pr" || args[1] !== "view") { process.stderr.write("unknown command\\n"); process.exit(1); }
const state = states[args[2]];
if (state === undefined) {
  process.stderr.write("GraphQL: Could not resolve to a PullRequest with the number of " + args[2] + ". (repository.pullRequest)\\n");
  process.exit(1);
}
process.stdout.write(args.includes("--jq") ? state + "\\n" : JSON.stringify({ state }) + "\\n");
`;

function callLog(path: string): () => string[][] {
  return () => {
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as string[]);
  };
}

/**
 * Installs the stand-in `pulumi` where the scripts (and the `pulumi` npm launcher) look for the CLI of `cliVersion`:
 * `$PULUMI_HOME/versions/<version>/bin/pulumi`. Its directory also goes first on PATH.
 */
export function installPulumiStandIn(directory: string, cliVersion: string, state: PulumiStandInState): PulumiStandIn {
  const pulumiHome = join(directory, "pulumi-home");
  const binDirectory = join(pulumiHome, "versions", cliVersion, "bin");
  mkdirSync(binDirectory, { recursive: true });
  const executable = join(binDirectory, "pulumi");
  writeFileSync(executable, pulumiClient(onPath("bash"), pulumiThreadPort()));
  chmodSync(executable, 0o755);
  const statePath = join(directory, "pulumi-state.json");
  const callsPath = join(directory, "pulumi-calls.jsonl");
  const terminalsPath = join(directory, "pulumi-terminals.jsonl");
  writeFileSync(statePath, JSON.stringify(state, null, 2));
  return {
    env: {
      PULUMI_HOME: pulumiHome,
      PULUMI_STANDIN_STATE: statePath,
      PULUMI_STANDIN_CALLS: callsPath,
      PULUMI_STANDIN_TERMINALS: terminalsPath,
      PATH_PREFIX: binDirectory,
    },
    calls: callLog(callsPath),
    terminals: () => callLog(terminalsPath)() as unknown as { args: string[]; stdin: boolean; stdout: boolean }[],
    readState: () => JSON.parse(readFileSync(statePath, "utf8")) as PulumiStandInState,
    writeState: (next) => writeFileSync(statePath, JSON.stringify(next, null, 2)),
  };
}

/** Installs a stand-in `gh` in `directory/gh-bin` that knows the given pull request states (OPEN, CLOSED, MERGED). */
export function installGhStandIn(directory: string, pullRequestStates: Record<string, string>): CliStandIn {
  const binDirectory = join(directory, "gh-bin");
  mkdirSync(binDirectory, { recursive: true });
  const executable = join(binDirectory, "gh");
  writeFileSync(executable, GH_STAND_IN);
  chmodSync(executable, 0o755);
  const statePath = join(directory, "gh-state.json");
  const callsPath = join(directory, "gh-calls.jsonl");
  writeFileSync(statePath, JSON.stringify(pullRequestStates));
  return {
    env: { GH_STANDIN_STATE: statePath, GH_STANDIN_CALLS: callsPath, PATH_PREFIX: binDirectory },
    calls: callLog(callsPath),
  };
}
