/**
 * Azure Resource Manager stand-in for the smoke test: VM run command (the stand-in plays the VM and really runs the
 * submitted script with bash) and Function App host keys; plus a Function App host that checks the function key.
 *
 * Run command (action API, `POST .../virtualMachines/{vm}/runCommand`): answers 202 with `Azure-AsyncOperation`
 * (status: InProgress, then Succeeded) and `Location` (final result). @azure/arm-compute 25.1 polls with
 * `resourceLocationConfig: "location"`, so the RunCommandResult comes from a GET on `Location`
 * (node_modules/@azure/arm-compute/dist/commonjs/api/virtualMachines/operations.js). The message format
 * "Enable succeeded: \n[stdout]\n...\n[stderr]\n..." is the Linux RunCommand extension's, as shown in
 * `az vm run-command invoke` outputs in Microsoft Learn troubleshooting pages; the extension keeps only the last
 * 4096 bytes of each stream (Learn: "Run scripts in your Linux VM by using action Run Commands", restrictions).
 *
 * Host keys (`POST .../sites/{app}/host/default/listkeys`): `{masterKey, functionKeys: {default}, systemKeys}`.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathWithPythonFirst } from "../support/tools";
import { virtualClockCommands } from "../support/virtual-clock-commands";
import { json, type RecordedRequest, type Route, type StandInResponse } from "./server";
import { bearerToken, readTokenClaims } from "./tokens";

const ARM_AUDIENCES = [
  "https://management.azure.com",
  "https://management.azure.com/",
  "https://management.core.windows.net/",
];
/** Last bytes of each stream the Linux RunCommand extension keeps. */
const RUN_COMMAND_OUTPUT_LIMIT = 4096;

/** The VM the stand-in plays: what its environment offers a script. */
export interface StandInVm {
  name: string;
  /** Origin of the IMDS stand-in, given to the script as SMOKE_TEST_ONLY_IMDS_ENDPOINT (the real VM uses 169.254.169.254). */
  imdsOrigin: string;
  /** CA bundle for curl on the "VM" (CURL_CA_BUNDLE), so it trusts the HTTPS data-plane stand-in. */
  caBundlePath?: string;
  /** The script sleeps and reads the time for real (the benchmark); by default on a virtual clock, by attempt. */
  realClock?: boolean;
}

/** Options of the ARM stand-in. */
export interface ArmOptions {
  subscriptionId: string;
  resourceGroupName: string;
  vms?: StandInVm[];
  functionApps?: { name: string; defaultFunctionKey: string }[];
}

interface RunCommandOperation {
  done: boolean;
  result?: unknown;
}

function tail(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return bytes.length <= RUN_COMMAND_OUTPUT_LIMIT
    ? text
    : bytes.subarray(bytes.length - RUN_COMMAND_OUTPUT_LIMIT).toString("utf8");
}

/** Runs the script as the Linux RunCommand extension would (a file run by bash) and builds RunCommandResult. */
function runOnVm(vm: StandInVm, scriptLines: string[], operation: RunCommandOperation): void {
  const directory = mkdtempSync(join(tmpdir(), "standin-vm-"));
  const scriptPath = join(directory, "script.sh");
  writeFileSync(scriptPath, `${scriptLines.join("\n")}\n`, { mode: 0o700 });
  const environment: NodeJS.ProcessEnv = {
    PATH: pathWithPythonFirst(),
    HOME: directory,
    SMOKE_TEST_ONLY_IMDS_ENDPOINT: vm.imdsOrigin,
  };
  if (vm.caBundlePath) environment.CURL_CA_BUNDLE = vm.caBundlePath;
  if (!vm.realClock) {
    const clock = virtualClockCommands(directory, Date.now());
    environment.SMOKE_TEST_ONLY_SLEEP_COMMAND = clock.sleep;
    environment.SMOKE_TEST_ONLY_CLOCK_COMMAND = clock.now;
  }
  const child = spawn("bash", [scriptPath], { cwd: directory, env: environment });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.on("close", (exitCode) => {
    rmSync(directory, { recursive: true, force: true });
    const succeeded = exitCode === 0;
    const streams = `[stdout]\n${tail(stdout)}\n[stderr]\n${tail(stderr)}`;
    operation.result = {
      value: [
        {
          code: succeeded ? "ProvisioningState/succeeded" : "ProvisioningState/failed",
          level: succeeded ? "Info" : "Error",
          displayStatus: succeeded ? "Provisioning succeeded" : "Provisioning failed",
          message: succeeded
            ? `Enable succeeded: \n${streams}`
            : `Enable failed: failed to execute command: command terminated with exit status=${exitCode}\n${streams}`,
        },
      ],
    };
    operation.done = true;
  });
}

function authorised(request: RecordedRequest): boolean {
  const token = bearerToken(request.headers.authorization);
  const audience = token ? readTokenClaims(token)?.aud : undefined;
  return typeof audience === "string" && ARM_AUDIENCES.includes(audience);
}

const INVALID_TOKEN = json(401, {
  error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." },
});

function notFound(type: string, name: string, resourceGroupName: string): StandInResponse {
  return json(404, {
    error: {
      code: "ResourceNotFound",
      message: `The Resource '${type}/${name}' under resource group '${resourceGroupName}' was not found.`,
    },
  });
}

/** ARM routes; every request must carry a token for the ARM audience. */
export function armRoutes(options: ArmOptions): Route[] {
  const operations = new Map<string, RunCommandOperation>();
  const prefix = `/subscriptions/${options.subscriptionId}/resourceGroups/${options.resourceGroupName}/providers`;
  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const operationsPath = `/subscriptions/${options.subscriptionId}/providers/Microsoft.Compute/locations/standin/operations`;

  const guard =
    (handle: Route["handle"]): Route["handle"] =>
    (request, match) =>
      authorised(request) ? handle(request, match) : INVALID_TOKEN;

  return [
    {
      method: "POST",
      path: new RegExp(`^${escapeRegExp(prefix)}/Microsoft\\.Compute/virtualMachines/([^/]+)/runCommand$`, "i"),
      handle: guard((request, match) => {
        const vm = options.vms?.find((candidate) => candidate.name === match[1]);
        if (!vm) return notFound("Microsoft.Compute/virtualMachines", match[1] ?? "", options.resourceGroupName);
        const input = JSON.parse(request.body || "{}") as { commandId?: string; script?: string[] };
        if (input.commandId !== "RunShellScript" || !Array.isArray(input.script)) {
          return json(400, {
            error: { code: "InvalidParameter", message: "commandId RunShellScript with script lines is required" },
          });
        }
        const id = randomUUID();
        const operation: RunCommandOperation = { done: false };
        operations.set(id, operation);
        runOnVm(vm, input.script, operation);
        const apiVersion = request.url.searchParams.get("api-version") ?? "";
        const origin = request.url.origin;
        return {
          status: 202,
          headers: {
            "azure-asyncoperation": `${origin}${operationsPath}/${id}?api-version=${apiVersion}`,
            location: `${origin}${operationsPath}/${id}?monitor=true&api-version=${apiVersion}`,
          },
        };
      }),
    },
    {
      method: "GET",
      path: new RegExp(`^${escapeRegExp(operationsPath)}/([^/]+)$`),
      handle: guard((request, match) => {
        const operation = operations.get(match[1] ?? "");
        if (!operation) return json(404, { error: { code: "NotFound", message: "operation not found" } });
        if (request.url.searchParams.get("monitor") === "true") {
          return operation.done ? json(200, operation.result) : { status: 202 };
        }
        return json(200, {
          name: match[1],
          status: operation.done ? "Succeeded" : "InProgress",
          ...(operation.done ? { properties: { output: operation.result } } : {}),
        });
      }),
    },
    {
      method: "POST",
      path: new RegExp(`^${escapeRegExp(prefix)}/Microsoft\\.Web/sites/([^/]+)/host/default/listkeys$`, "i"),
      handle: guard((_request, match) => {
        const app = options.functionApps?.find((candidate) => candidate.name === match[1]);
        if (!app) return notFound("Microsoft.Web/sites", match[1] ?? "", options.resourceGroupName);
        return json(200, {
          masterKey: "stand-in-master-key-never-use",
          functionKeys: { default: app.defaultFunctionKey },
          systemKeys: {},
        });
      }),
    },
  ];
}

/** Answer of the function behind the stand-in Functions host. */
export type FunctionInvoker = (request: RecordedRequest) => Promise<StandInResponse>;

/**
 * A Function App host: `/api/{function}` with `authLevel: "function"` accepts the key as `code` query parameter or
 * `x-functions-key` header and answers 401 with an empty body otherwise (Azure Functions HTTP trigger docs, "API key
 * authorization").
 */
export function functionHostRoutes(functionKey: string, functions: Record<string, FunctionInvoker>): Route[] {
  const route = (method: string): Route => ({
    method,
    path: /^\/api\/([^/]+)$/,
    handle: (request, match) => {
      const invoke = functions[match[1] ?? ""];
      if (!invoke) return { status: 404 };
      const key = request.url.searchParams.get("code") ?? request.headers["x-functions-key"];
      if (key !== functionKey) return { status: 401 };
      return invoke(request);
    },
  });
  return [route("GET"), route("POST")];
}
