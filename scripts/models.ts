/**
 * `npm run models -- --stack NAME [--family MODEL] [--pin | --if-unpinned] [--json]`: the model a stack deploys comes from Azure's
 * catalogue for its region, and is pinned in Pulumi.<stack>.yaml (see scripts/core/models/command.ts).
 */

import { DEFAULT_DEPLOYMENT } from "../lib/constants";
import { chooseAzureCredential } from "./core/azure-credential";
import { type CommandIo, EXIT, processIo, runCommand, runMain, UsageError } from "./core/cli";
import { armEndpointFrom, subscriptionFor } from "./core/models/azure";
import { alreadyPinned, MODELS_USAGE, type ModelsContext, modelsCommand } from "./core/models/command";
import { PROJECT_ROOT } from "./core/pulumi-cli";

export const MODELS_SPEC = {
  name: "models",
  usage: MODELS_USAGE,
  options: {
    stack: { type: "string" },
    family: { type: "string" },
    deployment: { type: "string" },
    pin: { type: "boolean" },
    "if-unpinned": { type: "boolean" },
    json: { type: "boolean" },
    verbose: { type: "boolean" },
    "project-dir": { type: "string" },
  },
} as const;

/** Runs the command; `context` replaces the signed-in Azure context (tests). */
export function runModels(
  argv: readonly string[],
  context?: (projectDir: string) => ModelsContext,
  io: CommandIo = processIo,
): Promise<number> {
  return runCommand(
    MODELS_SPEC,
    argv,
    async ({ values }) => {
      const stack = values.stack;
      if (!stack) throw new UsageError("--stack NAME is required");
      const projectDir = values["project-dir"] ?? PROJECT_ROOT;
      if (values["if-unpinned"]) {
        // Checked before the Azure context is resolved: a pinned stack needs neither a sign-in nor az.
        const pinned = alreadyPinned(projectDir, stack, values.deployment ?? DEFAULT_DEPLOYMENT.name);
        if (pinned) {
          io.out(pinned);
          return EXIT.ok;
        }
      }
      const resolved = context
        ? context(projectDir)
        : {
            credential: chooseAzureCredential().credential,
            subscriptionId: await subscriptionFor(projectDir, stack, process.env),
            armEndpoint: armEndpointFrom(),
            now: new Date(),
            projectDir,
          };
      return modelsCommand(
        { ...values, stack, pin: values.pin === true || values["if-unpinned"] === true },
        resolved,
        io,
      );
    },
    io,
  );
}

if (require.main === module) runMain(() => runModels(process.argv.slice(2)));
