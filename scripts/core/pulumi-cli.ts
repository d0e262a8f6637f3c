/**
 * The Pulumi CLI through the pinned `pulumi` npm package's launcher (its `run.js`, what `npx pulumi` and
 * `node_modules/.bin/pulumi` run; it fetches the CLI of that version on first use), run in the project directory so it
 * finds Pulumi.yaml and the stack configs. The launcher uses a CLI already in $PULUMI_HOME/versions/<version>/bin when
 * there is one, so an offline machine can be given the CLI there. Started with this process's Node.js rather than
 * through npx: the same launcher, without starting npm first (about half a second of CPU per call).
 */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const PROJECT_ROOT = join(__dirname, "..", "..");

/** The `pulumi` package's launcher (package.json `bin.pulumi`). */
const PULUMI_LAUNCHER = require.resolve("pulumi/run.js");

/** Where state lives when no backend is chosen: a file backend in the project, so no Pulumi Cloud account is needed. */
export const LOCAL_BACKEND_DIR = join(PROJECT_ROOT, ".pulumi-state");

/**
 * The environment for the CLI: `PULUMI_BACKEND_URL` as set (Azure Blob for teams, Pulumi Cloud if chosen), or the
 * project's local file backend. One rule for deploy, smoke and destroy, so they always see the same stacks.
 */
export function pulumiEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.PULUMI_BACKEND_URL) return env;
  mkdirSync(LOCAL_BACKEND_DIR, { recursive: true });
  return { ...env, PULUMI_BACKEND_URL: `file://${LOCAL_BACKEND_DIR}` };
}

/** Outcome of one CLI call. */
export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `pulumi ARGS`. `stream` shows the CLI's output live (destroy) instead of capturing it. */
export function runPulumi(args: readonly string[], stream = false): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PULUMI_LAUNCHER, ...args], {
      cwd: PROJECT_ROOT,
      env: pulumiEnvironment(),
      stdio: ["ignore", stream ? "inherit" : "pipe", stream ? "inherit" : "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

/**
 * Runs `pulumi ARGS` for a person at a terminal: with `terminal`, the CLI inherits stdin, stdout and stderr, so it
 * sees a TTY and can ask for the passphrase and the update confirmation and draw its progress display; without, its
 * stdin is closed (Pulumi then runs non-interactively and `up` needs `--yes`) and its output is still shown live.
 * `cwd` is the directory with Pulumi.yaml (the project by default). Resolves to the CLI's exit code.
 */
export function runPulumiAtTerminal(
  args: readonly string[],
  options: { terminal: boolean; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PULUMI_LAUNCHER, ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: pulumiEnvironment(options.env),
      stdio: options.terminal ? "inherit" : ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** One entry of `pulumi stack ls --json` (fields of the Automation API's StackSummary). */
export interface StackSummary {
  name: string;
  lastUpdate?: string;
  updateInProgress?: boolean;
  resourceCount?: number;
}

export class PulumiCliError extends Error {
  constructor(
    readonly command: string,
    readonly result: CliResult,
  ) {
    super(
      `\`pulumi ${command}\` failed with exit code ${result.exitCode}: ${lastLines(result.stderr || result.stdout)}`,
    );
  }
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-5).join("\n");
}

async function runJson(args: readonly string[]): Promise<unknown> {
  const result = await runPulumi(args);
  if (result.exitCode !== 0) throw new PulumiCliError(args.join(" "), result);
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new PulumiCliError(`${args.join(" ")} (output is not JSON)`, result);
  }
}

/** Stacks of this project in the current backend. */
export async function listStacks(): Promise<StackSummary[]> {
  const parsed = await runJson(["stack", "ls", "--json"]);
  if (!Array.isArray(parsed)) throw new Error("`pulumi stack ls --json` did not print a list");
  return parsed as StackSummary[];
}

/** Finds a stack by short or qualified name (DIY backends may list `organization/<project>/<stack>`). */
export function findStack(stacks: readonly StackSummary[], stack: string): StackSummary | undefined {
  return stacks.find((summary) => summary.name === stack || summary.name.endsWith(`/${stack}`));
}

/** The stack's outputs (`{}` for a stack that was never deployed or whose resources are destroyed). */
export async function readStackOutputs(stack: string): Promise<Record<string, unknown>> {
  const parsed = await runJson(["stack", "output", "--json", "--stack", stack]);
  return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

/** A config value of the stack, or undefined when it is not set (`pulumi config get` exits non-zero). */
export async function readStackConfig(stack: string, key: string): Promise<string | undefined> {
  const result = await runPulumi(["config", "get", key, "--stack", stack]);
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}
