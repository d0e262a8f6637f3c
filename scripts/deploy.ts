/**
 * `npm run deploy -- [--stack NAME] [--yes] [--skip-preflight] [--smoke] [--family MODEL] [-- pulumi up arguments]`:
 * the set-up's deploy command (steps in scripts/deploy/run.ts). Pulumi runs at the caller's terminal, so it can ask for
 * the passphrase and the confirmation; without a terminal, --yes is required.
 */

import { type CommandIo, defineCommand, processIo, runCommand, runMain, UsageError } from "./core/cli";
import { PROJECT_ROOT } from "./core/project-root";
import type { DeployEnvironment, DeployRequest } from "./deploy/run";

export const DEPLOY_SPEC = defineCommand({
  name: "deploy",
  summary: `Deploys the stack (default: $STACK, else dev) with the pinned Pulumi CLI and the project's state backend
(PULUMI_BACKEND_URL, else file://<project>/.pulumi-state):
  1. pulumi stack select --create NAME (a new stack asks for its secrets passphrase here);
  2. a stack that pins no model gets one from Azure's catalogue, written to Pulumi.NAME.yaml (as npm run models
     -- --stack NAME --pin; --family MODEL asks for a model family); commit that file;
  3. npm run preflight's checks; a failure stops the deploy before anything is created;
  4. pulumi up at your terminal (preview, then it asks to confirm);
  5. with --smoke, npm run smoke -- --stack NAME.`,
  options: {
    stack: { type: "string", short: "s", valueName: "NAME", description: "stack to deploy" },
    yes: {
      type: "boolean",
      short: "y",
      description: "do not ask for confirmation (CI); required when not at a terminal",
    },
    "skip-preflight": { type: "boolean", description: "skip step 3" },
    smoke: { type: "boolean", description: "run the smoke test after a successful pulumi up" },
    family: {
      type: "string",
      valueName: "MODEL",
      description: "model family for step 2 (for example gpt-5-mini)",
    },
    "project-dir": {
      type: "string",
      valueName: "DIR",
      description: "directory of Pulumi.yaml (default: the project)",
    },
  },
  positionals: "[-- PULUMI_UP_ARGS...]",
  exitCodes: {
    ok: "deployed (and smoke-tested with --smoke)",
    failed: "a step failed",
    refused: "refused (not at a terminal without --yes)",
  },
  footer: "Arguments after -- go to pulumi up (for example -- --diff).",
});

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** The request the command line makes (stack default: $STACK, else dev). */
export function deployRequest(
  values: {
    stack?: string;
    yes?: boolean;
    "skip-preflight"?: boolean;
    smoke?: boolean;
    family?: string;
    "project-dir"?: string;
  },
  positionals: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): DeployRequest {
  const stack = values.stack ?? (env.STACK || "dev");
  if (!STACK_NAME.test(stack))
    throw new UsageError(`stack name ${JSON.stringify(stack)} may only hold letters, digits, '-', '_' and '.'`);
  return {
    stack,
    yes: values.yes === true,
    skipPreflight: values["skip-preflight"] === true,
    smoke: values.smoke === true,
    ...(values.family ? { family: values.family } : {}),
    projectDir: values["project-dir"] ?? PROJECT_ROOT,
    upArgs: [...positionals],
  };
}

/** Runs the command; `environment` replaces the terminal and clock (tests). */
export function runDeployCommand(
  argv: readonly string[],
  environment: Partial<DeployEnvironment> = {},
  io: CommandIo = processIo,
): Promise<number> {
  return runCommand(
    DEPLOY_SPEC,
    argv,
    async ({ values, positionals }) => {
      const request = deployRequest(values, positionals, environment.env ?? process.env);
      // Loaded once the command line is valid: --help and usage errors need neither Pulumi nor the Azure SDKs.
      // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
      const { runDeploy } = await import("./deploy/run.js");
      return runDeploy(request, {
        io,
        interactive: environment.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true),
        env: environment.env ?? process.env,
        now: environment.now ?? (() => new Date()),
        ...(environment.download ? { download: environment.download } : {}),
        ...(environment.childOutput ? { childOutput: environment.childOutput } : {}),
      });
    },
    io,
  );
}

if (require.main === module) runMain(() => runDeployCommand(process.argv.slice(2)));
