/** Command line of `npm run smoke`. */
import { armEndpoint } from "../core/arm-endpoint";
import { defineCommand, parseCommandLine, UsageError } from "../core/cli";

export type TargetName = "local" | "vm" | "function";
export const TARGET_CHOICES = ["local", "vm", "function", "all"] as const;
export type TargetChoice = (typeof TARGET_CHOICES)[number];

/** What the user asked for. */
export interface SmokeOptions {
  stack?: string;
  outputsFile?: string;
  target: TargetChoice;
  deadlineMs: number;
  /** ARM endpoint (sovereign clouds; stand-ins in tests). */
  armEndpoint: string;
  /** Replaces `https://{functionAppHostName}` (stand-ins in tests). */
  functionBaseUrl?: string;
  /** Also print the summary as one JSON line. */
  json: boolean;
  /** The machine running the smoke test is inside the private account's virtual network. */
  insideNetwork: boolean;
}

/** The command's option table (scripts/core/cli.ts): its parsing and its --help. */
export const SMOKE_COMMAND = defineCommand({
  name: "smoke",
  summary: `Proves that every identity the stack grants can call the model with an Entra ID token: you (local), the VM's
managed identity (run command), the Function App's managed identity (its smoke function). Every path calls the v1
data-plane API ({endpoint}openai/v1/chat/completions, model = deployment name), for reasoning and other models.`,
  options: {
    stack: {
      type: "string",
      valueName: "NAME",
      description: "read the outputs of stack NAME from the state backend (default: the selected stack)",
    },
    outputs: {
      type: "string",
      valueName: "FILE.json",
      description: "read stack outputs from a JSON file instead (e.g. saved with pulumi stack output --json)",
    },
    target: {
      type: "string",
      valueName: "local|vm|function|all",
      default: "all",
      description:
        "local: you (az login; in GitHub Actions: OIDC with a fresh GitHub token per Entra token); vm: the VM's managed identity (ARM run command); function: the Function App's managed identity; all: everything the stack has",
    },
    deadline: {
      type: "string",
      valueName: "DURATION",
      default: "15m",
      description: "how long to wait for role assignments to take effect (e.g. 90s, 20m, 1h)",
    },
    json: { type: "boolean", default: false, description: "also print the summary as one JSON line" },
    "inside-network": {
      type: "boolean",
      default: false,
      description:
        'with a private account (networkMode "private"): this machine is inside its virtual network, so try the local target anyway',
    },
    "arm-endpoint": {
      type: "string",
      valueName: "URL",
      description:
        "Resource Manager endpoint (default KEYLESS_ARM_ENDPOINT when set, else https://management.azure.com)",
    },
    "function-base-url": {
      type: "string",
      valueName: "URL",
      description: "call the function here instead of https://{functionAppHostName} (SMOKE_FUNCTION_BASE_URL too)",
    },
  },
  exitCodes: {
    ok: "all passed",
    failed: "some failed",
    usage: "usage or configuration error (including no stack outputs yet)",
  },
});

/** Parses a duration: `15m`, `90s`, `1h`, `500ms`, or plain seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--deadline: cannot read "${text}" (examples: 15m, 90s, 1h)`);
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit] ?? 1000;
  const milliseconds = Math.round(value * factor);
  if (milliseconds <= 0) throw new UsageError("--deadline must be positive");
  return milliseconds;
}

function httpsUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name}: not a URL: ${value}`);
  }
  // Bearer tokens and function keys only travel over TLS.
  if (url.protocol !== "https:") throw new UsageError(`${name} must be https: ${value}`);
  return value.replace(/\/+$/, "");
}

/** Turns the parsed command line (scripts/core/cli.ts parseCommandLine) into options; `environment` supplies overrides. */
export function readOptions(
  values: ReturnType<typeof parseCommandLine<typeof SMOKE_COMMAND.options>>["values"],
  environment: NodeJS.ProcessEnv,
): SmokeOptions {
  const target = values.target ?? "all";
  if (!(TARGET_CHOICES as readonly string[]).includes(target)) {
    throw new UsageError(`--target must be one of ${TARGET_CHOICES.join(", ")}`);
  }
  if (values.stack && values.outputs) throw new UsageError("use --stack or --outputs, not both");
  const functionBaseUrl = values["function-base-url"] ?? environment.SMOKE_FUNCTION_BASE_URL;
  const options: SmokeOptions = {
    target: target as TargetChoice,
    deadlineMs: parseDuration(values.deadline ?? "15m"),
    armEndpoint: armEndpoint(environment, values["arm-endpoint"]),
    json: values.json ?? false,
    insideNetwork: values["inside-network"] ?? false,
  };
  if (values.stack) options.stack = values.stack;
  if (values.outputs) options.outputsFile = values.outputs;
  if (functionBaseUrl) options.functionBaseUrl = httpsUrl("--function-base-url", functionBaseUrl);
  return options;
}

/** Parses argv (without node and script), as the command does; `--help` is the caller's (runCommand's) business. */
export function parseOptions(argv: string[], environment: NodeJS.ProcessEnv): SmokeOptions {
  return readOptions(parseCommandLine(SMOKE_COMMAND, argv).values, environment);
}
