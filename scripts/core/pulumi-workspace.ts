/**
 * Pulumi for every npm script: the stack reads and the teardown through the Automation API (LocalWorkspace, Stack),
 * typed, and a terminal passthrough where a person must answer pulumi (`npm run pulumi`, an interactive `up`).
 *
 * One CLI for both: the version of the @pulumi/pulumi SDK (the Automation API's default, PulumiCommand), installed
 * at `$PULUMI_HOME/versions/<version>/bin/pulumi` (default `~/.pulumi`), the root that both `PulumiCommand.install`
 * and the `pulumi` npm launcher use (its lib/cache.js). When it is missing, the launcher fetches it (with
 * PULUMI_VERSION, which the launcher honours); when that fails (offline, a proxy), one sentence says where to put it.
 * The launcher package itself stays at 3.265.0, the newest `pulumi` on npm (`npm view pulumi versions`): it only
 * fetches, and PULUMI_VERSION makes it fetch the SDK's version.
 * A CLI of that version already installed at `$PULUMI_HOME/bin/pulumi` is used as it is: that is where get.pulumi.com's
 * install.sh and the workflows' pulumi/actions put it (pulumi/actions src/libs/pulumi-cli.ts installs into
 * `~/.pulumi/bin`), so CI runs the one CLI the action installed.
 */
import { execFile, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { CommandError, LocalWorkspace, PulumiCommand, Stack, type StackSummary } from "@pulumi/pulumi/automation";
import { version as SDK_VERSION } from "@pulumi/pulumi/version";
import type { CommandIo } from "./cli";

export type { StackSummary } from "@pulumi/pulumi/automation";

import { PROJECT_ROOT } from "./project-root";

export { PROJECT_ROOT };

/** The CLI version the scripts run: the SDK's own, so the Automation API and the engine agree. */
const PULUMI_CLI_VERSION = SDK_VERSION;

/** The `pulumi` npm package's launcher (package.json `bin.pulumi`), used only to fetch a missing CLI. */
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

/** `$PULUMI_HOME`, `~/.pulumi` by default. */
function pulumiHome(env: NodeJS.ProcessEnv): string {
  return env.PULUMI_HOME || join(homedir(), ".pulumi");
}

/** `$PULUMI_HOME/versions/<version>`: the install root the launcher and `PulumiCommand.install` share. */
function pulumiCliRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(pulumiHome(env), "versions", PULUMI_CLI_VERSION);
}

/** Fetches the CLI into `pulumiCliRoot(env)`; resolves to the reason when it could not. */
export type CliDownload = (env: NodeJS.ProcessEnv) => Promise<{ failure?: string }>;

/**
 * The launcher's own download (`pulumi version` through run.js). Its stderr ("Downloading pulumi v...", the install
 * script's progress) is shown as it comes; its last line is the reason when it fails.
 */
const downloadWithLauncher: CliDownload = (env) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PULUMI_LAUNCHER, "version"], {
      env: { ...env, PULUMI_VERSION: PULUMI_CLI_VERSION },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const lastLine = stderr.trim().split("\n").at(-1) ?? "";
      resolve(code === 0 ? {} : { failure: lastLine || `the launcher exited with code ${code}` });
    });
  });

/** No CLI at the pinned place and none could be fetched: the one sentence with where it is looked for and the fix. */
export class PulumiCliMissingError extends Error {
  constructor(
    readonly root: string,
    readonly reason: string,
  ) {
    // install.sh flags as the launcher passes them (node_modules/pulumi/lib/download.js; https://get.pulumi.com).
    super(
      `No Pulumi CLI v${PULUMI_CLI_VERSION} is installed in ${root}/bin and downloading it failed (${reason}): install it there with \`curl -fsSL https://get.pulumi.com/install.sh | sh -s -- --version ${PULUMI_CLI_VERSION} --install-root ${root} --no-edit-path\` (offline: unpack the pulumi-v${PULUMI_CLI_VERSION} release archive's pulumi/ folder as ${root}/bin), or set PULUMI_HOME to a directory with versions/${PULUMI_CLI_VERSION}/bin/pulumi, then run the command again.`,
    );
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `$PULUMI_HOME/bin/pulumi` when it is executable and `pulumi version` prints the pinned version (`v3.276.0`). */
async function installedPinnedCli(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const executable = join(pulumiHome(env), "bin", "pulumi");
  if (!isExecutable(executable)) return undefined;
  try {
    const { stdout } = await promisify(execFile)(executable, ["version"], {
      env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    return stdout.trim() === `v${PULUMI_CLI_VERSION}` ? executable : undefined;
  } catch {
    return undefined;
  }
}

/** The pinned CLI's path, fetched first when missing. @throws PulumiCliMissingError when it cannot be had. */
async function ensurePulumiCli(
  env: NodeJS.ProcessEnv = process.env,
  download: CliDownload = downloadWithLauncher,
): Promise<string> {
  const root = pulumiCliRoot(env);
  const executable = join(root, "bin", "pulumi");
  if (isExecutable(executable)) return executable;
  const installed = await installedPinnedCli(env);
  if (installed !== undefined) return installed;
  const { failure } = await download(env);
  if (failure !== undefined || !isExecutable(executable)) {
    throw new PulumiCliMissingError(root, failure ?? "the launcher finished but installed nothing there");
  }
  return executable;
}

/** Where a command finds Pulumi: the project directory, the environment, and how a missing CLI is fetched. */
export interface PulumiContext {
  projectDir?: string;
  env?: NodeJS.ProcessEnv;
  download?: CliDownload;
}

/**
 * Runs `pulumi ARGS` for a person at a terminal: with `terminal`, the CLI inherits stdin, stdout and stderr, so it
 * sees a TTY and can ask for the passphrase and the update confirmation and draw its progress display; without, its
 * stdin is closed (Pulumi then runs non-interactively and `up` needs `--yes`) and its output is still shown live,
 * on this process's stdout and stderr, or through `output` when given (a command run in-process by its tests).
 * Resolves to the CLI's exit code.
 */
export async function runPulumiAtTerminal(
  args: readonly string[],
  options: PulumiContext & { terminal: boolean; output?: CommandIo },
): Promise<number> {
  const env = pulumiEnvironment(options.env);
  const executable = await ensurePulumiCli(env, options.download);
  const output = options.terminal ? undefined : options.output;
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, {
      cwd: options.projectDir ?? PROJECT_ROOT,
      // As the launcher does: language hosts installed beside the CLI are found on PATH.
      env: { ...env, PATH: `${dirname(executable)}${delimiter}${env.PATH ?? ""}` },
      stdio: options.terminal ? "inherit" : ["ignore", output ? "pipe" : "inherit", output ? "pipe" : "inherit"],
    });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => output?.out(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => output?.err(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** What the teardown, stale-stacks and smoke ask of the backend's stacks. */
export interface PulumiStacks {
  listStacks(): Promise<StackSummary[]>;
  /** The stack `pulumi stack select` chose in this project, if any. */
  selectedStack(): Promise<string | undefined>;
  /** The stack's outputs as plain values (`{}` for a stack that was never deployed or is destroyed). */
  outputs(stack: string): Promise<Record<string, unknown>>;
  /** A config value of the project's namespace (`protect` is `<project>:protect`), or undefined when unset. */
  configValue(stack: string, key: string): Promise<string | undefined>;
  /** `pulumi destroy` without asking; `onOutput` shows the CLI's progress as it comes. */
  destroy(stack: string, onOutput: (text: string) => void): Promise<void>;
  removeStack(stack: string): Promise<void>;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** A Pulumi CLI call of the Automation API failed: what was run, its exit code and the end of what it said. */
class PulumiCommandFailure extends Error {}

/**
 * The CLI's exit code and stderr from a CommandError, whose message is its CommandResult's text
 * (`code: N\n stdout: ...\n stderr: ...\n err?: ...`, @pulumi/pulumi automation/cmd.js).
 */
function failureOf(command: string, error: unknown): unknown {
  if (!(error instanceof CommandError)) return error;
  const stderr = /\n stderr: ([\s\S]*?)\n err\?: /.exec(error.message)?.[1] ?? error.message;
  // A non-zero exit comes as code -2 with execa's "Command failed with exit code N: <command line>" before stderr.
  const exitCode = /exit code (\d+)/.exec(stderr)?.[1] ?? /^code: (-?\d+)/.exec(error.message)?.[1] ?? "unknown";
  const said = stderr
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("Command failed with exit code"))
    .slice(-5)
    .join("\n");
  return new PulumiCommandFailure(`\`pulumi ${command}\` failed with exit code ${exitCode}: ${said}`, {
    cause: error,
  });
}

async function step<T>(command: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw failureOf(command, error);
  }
}

/** The project's stacks through LocalWorkspace with the pinned CLI (fetched first when missing). */
export async function openPulumiStacks(context: PulumiContext = {}): Promise<PulumiStacks> {
  const env = pulumiEnvironment(context.env ?? process.env);
  const executable = await ensurePulumiCli(env, context.download);
  // Both places the CLI is taken from are a root with bin/pulumi, of the pinned version.
  const pulumiCommand = await PulumiCommand.get({ root: dirname(dirname(executable)) });
  const workspace = await LocalWorkspace.create({
    workDir: context.projectDir ?? PROJECT_ROOT,
    envVars: definedOnly(env),
    pulumiCommand,
  });
  const project = (await workspace.projectSettings()).name;
  return {
    listStacks: () => step("stack ls", () => workspace.listStacks()),
    selectedStack: () => step("stack ls", async () => (await workspace.stack())?.name),
    outputs: (stack) =>
      step(`stack output --stack ${stack}`, async () => {
        const outputs = await workspace.stackOutputs(stack);
        return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
      }),
    configValue: (stack, key) =>
      step(`config --stack ${stack}`, async () => (await workspace.getAllConfig(stack))[`${project}:${key}`]?.value),
    destroy: (stack, onOutput) =>
      step(`destroy --stack ${stack}`, async () => {
        await (await Stack.select(stack, workspace)).destroy({ onOutput });
      }),
    removeStack: (stack) => step(`stack rm ${stack}`, () => workspace.removeStack(stack)),
  };
}

/** Finds a stack by short or qualified name (DIY backends may list `organization/<project>/<stack>`). */
export function findStack(stacks: readonly StackSummary[], stack: string): StackSummary | undefined {
  return stacks.find((summary) => summary.name === stack || summary.name.endsWith(`/${stack}`));
}
