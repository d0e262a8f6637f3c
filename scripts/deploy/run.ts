/**
 * The steps of `npm run deploy`, in order: create/select the stack, pin a model if the stack has none (from Azure's
 * catalogue, as `npm run models -- --pin`), run preflight and stop on a failure, `pulumi up` at the terminal, then the
 * smoke test when asked. Each step says what it did; the last line says what to run next.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { armEndpoint } from "../core/arm-endpoint";
import { type CommandIo, EXIT, RefusedError } from "../core/cli";
import { subscriptionFor } from "../core/models/azure";
import { chooseAndPin, readStackModelSettings, renderOutcome } from "../core/models/command";
import { type CliDownload, PROJECT_ROOT, pulumiEnvironment, runPulumiAtTerminal } from "../core/pulumi-workspace";

/** What the command line asked for. */
export interface DeployRequest {
  stack: string;
  yes: boolean;
  skipPreflight: boolean;
  smoke: boolean;
  /** Model family for a first pin (`--family`). */
  family?: string;
  projectDir: string;
  /** Arguments after `--`, passed to `pulumi up`. */
  upArgs: string[];
}

/** What the deploy may touch (injected in tests where a step has no stand-in). */
export interface DeployEnvironment {
  io: CommandIo;
  /** Both stdin and stdout are terminals: pulumi may prompt. */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** How a missing Pulumi CLI is fetched (scripts/core/pulumi-workspace.ts). */
  download?: CliDownload;
  /** Where pulumi's and the smoke test's output goes when there is no terminal (default: this process's own). */
  childOutput?: CommandIo;
}

/** The one sentence a non-interactive run without --yes gets, before pulumi starts. */
export const NEEDS_YES =
  "npm run deploy is not running at a terminal, so pulumi cannot ask for the passphrase or the confirmation: pass --yes to deploy without asking (with PULUMI_CONFIG_PASSPHRASE set when the stack's secrets use a passphrase).";

/** `npm run smoke -- --stack NAME` as its npm script runs it (`node --import tsx scripts/smoke.ts`), without starting npm first. */
function runSmoke(stack: string, env: NodeJS.ProcessEnv, output: CommandIo | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join("scripts", "smoke.ts"), "--stack", stack], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", output ? "pipe" : "inherit", output ? "pipe" : "inherit"],
    });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => output?.out(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => output?.err(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

/** Runs the deploy; resolves to the exit code. */
export async function runDeploy(request: DeployRequest, environment: DeployEnvironment): Promise<number> {
  const { io, env } = environment;
  const { stack, projectDir } = request;
  if (!environment.interactive && !request.yes) throw new RefusedError(NEEDS_YES);
  const pulumi = {
    terminal: environment.interactive,
    projectDir,
    env,
    ...(environment.download ? { download: environment.download } : {}),
    ...(environment.childOutput ? { output: environment.childOutput } : {}),
  };
  // The sign-in and preflight modules (@azure/identity, the Azure SDK clients, the offline program run) load only when
  // a step needs them: a run with a pinned model and --skip-preflight starts without them.
  let credential: TokenCredential | undefined;
  const signedIn = async () => {
    credential ??= (await import("../core/azure-credential.js")).chooseAzureCredential(env).credential;
    return credential;
  };

  io.out(`State backend: ${pulumiEnvironment(env).PULUMI_BACKEND_URL}\n`);
  const select = await runPulumiAtTerminal(["stack", "select", "--create", stack], pulumi);
  if (select !== 0) {
    throw new Error(`pulumi stack select --create ${stack} failed (exit ${select}): see its message above`);
  }

  let pinnedFile: string | undefined;
  if (readStackModelSettings(projectDir, stack, "chat").pinned.length === 0) {
    io.out(
      `Stack ${stack} pins no model yet: asking Azure's catalogue for one (as npm run models -- --stack ${stack} --pin).\n`,
    );
    const outcome = await chooseAndPin(
      {
        credential: await signedIn(),
        subscriptionId: await subscriptionFor(projectDir, stack, env),
        armEndpoint: armEndpoint(env),
        now: environment.now(),
        projectDir,
      },
      { stack, deploymentName: "chat", pin: true, ...(request.family ? { family: request.family } : {}) },
    );
    io.out(renderOutcome(outcome));
    if (!outcome.pinned) {
      throw new Error(
        `no model fits stack ${stack} (the catalogue's answer is above), so nothing was deployed: pin one by hand with npm run models -- --stack ${stack} --family MODEL --pin`,
      );
    }
    pinnedFile = outcome.pinned.path;
  }

  if (request.skipPreflight) {
    io.out("Preflight skipped (--skip-preflight).\n");
  } else {
    const { runPreflight } = await import("../core/preflight/run.js");
    const { renderText } = await import("../core/preflight/render.js");
    const started = Date.now();
    const report = await runPreflight({
      stack,
      fix: false,
      projectDir,
      armEndpoint: armEndpoint(env),
      credential: await signedIn(),
      now: environment.now(),
      env,
    });
    io.out(renderText(report, Date.now() - started));
    if (report.exitCode !== 0) {
      throw new Error(
        `preflight failed, so nothing was deployed: fix the failures above (npm run preflight -- --stack ${stack} checks again), or deploy anyway with --skip-preflight`,
      );
    }
  }

  const upArgs = ["up", "--stack", stack, ...(request.yes ? ["--yes"] : []), ...request.upArgs];
  const up = await runPulumiAtTerminal(upArgs, pulumi);
  if (up !== 0) {
    throw new Error(
      `pulumi up failed (exit ${up}): fix what it reported, then run npm run deploy -- --stack ${stack} again`,
    );
  }
  const commitPin = pinnedFile ? ` Commit ${pinnedFile}: it pins the model this stack deployed.` : "";
  if (!request.smoke) {
    io.out(
      `\nDeployed stack ${stack}.${commitPin} Next: prove every identity can call the model with npm run smoke -- --stack ${stack}\n`,
    );
    return EXIT.ok;
  }
  io.out(`\nDeployed stack ${stack}. Running the smoke test (--smoke).\n`);
  const smoke = await runSmoke(stack, env, environment.childOutput);
  if (smoke !== 0) {
    throw new Error(
      `the smoke test failed (exit ${smoke}): its report above names each identity's problem; run npm run smoke -- --stack ${stack} again once fixed`,
    );
  }
  io.out(
    `\nDeployed stack ${stack} and every identity called the model.${commitPin} Next: npm run smoke -- --stack ${stack} any time; npm run destroy -- --stack ${stack} to remove it.\n`,
  );
  return EXIT.ok;
}
