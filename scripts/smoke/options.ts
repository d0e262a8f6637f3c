/** Command line of `npm run smoke`. */
import { parseArgs } from "node:util";

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
}

/** A command-line or configuration error: exit code 2. */
export class UsageError extends Error {}

export const USAGE = `usage: npm run smoke -- [--stack NAME] [--outputs FILE.json] [--target local|vm|function|all]
                        [--deadline 15m] [--json] [--arm-endpoint URL] [--function-base-url URL]

  --stack NAME        read outputs with \`pulumi stack output --json --stack NAME\` (default: the selected stack)
  --outputs FILE      read stack outputs from a JSON file instead (e.g. saved with pulumi stack output --json)
  --target            local: you, signed in with az login; vm: the VM's managed identity (ARM run command);
                      function: the Function App's managed identity; all (default): everything the stack has
  --deadline          how long to wait for role assignments to take effect (default 15m; e.g. 90s, 20m, 1h)
  --json              also print the summary as one JSON line
  --arm-endpoint      Resource Manager endpoint (default https://management.azure.com)
  --function-base-url call the function here instead of https://{functionAppHostName}
Environment: SMOKE_ARM_ENDPOINT and SMOKE_FUNCTION_BASE_URL work like the last two options.`;

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

/** Parses argv (without node and script); `environment` supplies the endpoint overrides. */
export function parseOptions(argv: string[], environment: NodeJS.ProcessEnv): SmokeOptions {
  let values: ReturnType<typeof parse>["values"];
  function parse() {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        stack: { type: "string" },
        outputs: { type: "string" },
        target: { type: "string", default: "all" },
        deadline: { type: "string", default: "15m" },
        json: { type: "boolean", default: false },
        "arm-endpoint": { type: "string" },
        "function-base-url": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  }
  try {
    values = parse().values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) throw new UsageError("");
  const target = values.target ?? "all";
  if (!(TARGET_CHOICES as readonly string[]).includes(target)) {
    throw new UsageError(`--target must be one of ${TARGET_CHOICES.join(", ")}`);
  }
  if (values.stack && values.outputs) throw new UsageError("use --stack or --outputs, not both");
  const armEndpoint = values["arm-endpoint"] ?? environment.SMOKE_ARM_ENDPOINT ?? "https://management.azure.com";
  const functionBaseUrl = values["function-base-url"] ?? environment.SMOKE_FUNCTION_BASE_URL;
  const options: SmokeOptions = {
    target: target as TargetChoice,
    deadlineMs: parseDuration(values.deadline ?? "15m"),
    armEndpoint: httpsUrl("--arm-endpoint", armEndpoint),
    json: values.json ?? false,
  };
  if (values.stack) options.stack = values.stack;
  if (values.outputs) options.outputsFile = values.outputs;
  if (functionBaseUrl) options.functionBaseUrl = httpsUrl("--function-base-url", functionBaseUrl);
  return options;
}
