/**
 * `npm run models -- --stack NAME [--family MODEL] [--pin | --if-unpinned | --check | --renew] [--json]`: the model a
 * stack deploys comes from Azure's catalogue for its region, is pinned in Pulumi.<stack>.yaml, and is checked and
 * renewed against the catalogue (see scripts/core/models/command.ts and check.ts).
 */

import { DEFAULT_DEPLOYMENT } from "../lib/constants";
import { chooseAzureCredential } from "./core/azure-credential";
import { type CommandIo, EXIT, processIo, runCommand, runMain, UsageError } from "./core/cli";
import { armEndpointFrom, subscriptionFor } from "./core/models/azure";
import { alreadyPinned, MODELS_USAGE, type ModelsContext, modelsCommand } from "./core/models/command";
import { PROJECT_ROOT } from "./core/pulumi-workspace";

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
    check: { type: "boolean" },
    renew: { type: "boolean" },
    within: { type: "string" },
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
      const modes = [values.pin, values["if-unpinned"], values.check, values.renew].filter((flag) => flag === true);
      if (modes.length > 1)
        throw new UsageError("--pin, --if-unpinned, --check and --renew exclude each other: give one");
      const withinDays = values.within === undefined ? undefined : Number(values.within);
      if (withinDays !== undefined && !(Number.isInteger(withinDays) && withinDays >= 0))
        throw new UsageError(`--within ${values.within} is not a whole number of days: give for example --within 90`);
      if (withinDays !== undefined && !values.check && !values.renew)
        throw new UsageError("--within only applies to --check or --renew: add one of them, or drop --within");
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
        {
          ...values,
          stack,
          pin: values.pin === true || values["if-unpinned"] === true,
          ...(withinDays === undefined ? {} : { withinDays }),
        },
        resolved,
        io,
      );
    },
    io,
  );
}

if (require.main === module) runMain(() => runModels(process.argv.slice(2)));
