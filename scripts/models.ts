/**
 * `npm run models -- --stack NAME [--family MODEL] [--pin | --if-unpinned | --check | --renew] [--json]`: the model a
 * stack deploys comes from Azure's catalogue for its region, is pinned in Pulumi.<stack>.yaml, and is checked and
 * renewed against the catalogue (see scripts/core/models/command.ts and check.ts).
 */

import { DEFAULT_DEPLOYMENT } from "../lib/constants";
import { armEndpoint } from "./core/arm-endpoint";
import { type CommandIo, defineCommand, EXIT, processIo, runCommand, runMain, UsageError } from "./core/cli";
import { DEFAULT_PICK_RULE, DEFAULT_WITHIN_DAYS } from "./core/models/catalogue";
import type { ModelsContext } from "./core/models/command";
import { PROJECT_ROOT } from "./core/project-root";

/** The command's option table (scripts/core/cli.ts): its parsing and its --help. */
export const MODELS_SPEC = defineCommand({
  name: "models",
  summary: `Asks Azure's model catalogue for the stack's region (models.list and usages.list of Microsoft.CognitiveServices, read
only) which chat model the deployment should use, and shows the choice and the alternatives; --check and --renew judge
and renew the stack's pins instead.

Rule: a generally available chat model version with a dated version (YYYY-MM-DD; "latest", "0125", "2025-04-14-text"
never count as newest) that new customers can deploy today in the region with the deployment's SKU, that does not
retire within 90 days, and whose quota left covers the deployment's capacity: with --family MODEL the newest such
version of MODEL (for example gpt-4.1-mini); without, ${DEFAULT_PICK_RULE}; the output says when a fallback was used.
A Legacy model ("no longer recommended") is reported with a warning, not refused.`,
  options: {
    stack: {
      type: "string",
      valueName: "NAME",
      required: true,
      description: "stack whose Pulumi.<NAME>.yaml gives the region, SKU and capacity (defaults: Pulumi.yaml)",
    },
    family: { type: "string", valueName: "MODEL", description: "the newest version of MODEL that the rule allows" },
    deployment: {
      type: "string",
      valueName: "NAME",
      description: `which deployment of the stack (default ${DEFAULT_DEPLOYMENT.name})`,
    },
    pin: {
      type: "boolean",
      description: "write the choice into Pulumi.<NAME>.yaml (comments and other keys are kept); commit it",
    },
    "if-unpinned": {
      type: "boolean",
      description:
        "when the stack already pins the deployment, say so and exit 0 without asking Azure; otherwise as --pin (CI workflows run it before pulumi preview/up)",
    },
    check: {
      type: "boolean",
      description:
        "for every pinned deployment: exit 0 when the catalogue lists the version as open to new customers with its SKU, not retiring within DAYS and within quota; else exit 1 naming each failing pin, why (not-in-catalogue, closed, retired, retiring on DATE, quota) and the replacement the rule picks. A pin is judged as a new deployment: one closed to new customers still answers for the deployments that exist until its retirement date (the reason says until when), but a new stack, a new region or a re-created deployment cannot use it, so it fails. Quota counts an existing deployment's capacity as used.",
    },
    within: {
      type: "string",
      valueName: "DAYS",
      description: `how close a retirement fails --check or --renew (default ${DEFAULT_WITHIN_DAYS})`,
    },
    renew: {
      type: "boolean",
      description:
        "as --check, then writes each failing pin's replacement into Pulumi.<NAME>.yaml (only that text changes: comments and other lines are kept byte for byte); a no-op when every pin passes. Says whether Pulumi updates the deployment in place or replaces it (the offline plan before and after, compared). Also refreshes lib/model-retirements.json, the dated table of retirement dates the offline plan warns with, from the catalogue's deprecation dates.",
    },
    json: {
      type: "boolean",
      description:
        "print the result as JSON; a failure is a JSON document too (status, code, message, retryAfterSeconds)",
    },
    verbose: {
      type: "boolean",
      description: "when Azure fails, print the whole error (the sign-in chain's report, ARM's message)",
    },
    "project-dir": { type: "string", valueName: "DIR", description: "directory of Pulumi.yaml (default: the project)" },
  },
  exitCodes: {
    ok: "a model was chosen (and pinned with --pin), already pinned with --if-unpinned, every pin passes --check, or --renew renewed every failing pin",
    failed: "no model fits, a pin fails --check, a failing pin has no replacement, or Azure failed",
    usage: "usage error (--pin, --if-unpinned, --check and --renew exclude each other)",
  },
  footer: `Azure: the subscription pulumi up will use (stack config azure-native:subscriptionId, else ARM_SUBSCRIPTION_ID,
else az account show); the identity DefaultAzureCredential finds (az login locally); KEYLESS_ARM_ENDPOINT moves
Resource Manager. Needs read access to the subscription (Reader).`,
});

/** The signed-in Azure context, loaded only when the command asks Azure (not for an already pinned stack). */
async function signedInContext(projectDir: string, stack: string): Promise<ModelsContext> {
  const [{ chooseAzureCredential }, { subscriptionFor }] = await Promise.all([
    import("./core/azure-credential.js"),
    import("./core/models/azure.js"),
  ]);
  return {
    credential: chooseAzureCredential().credential,
    subscriptionId: await subscriptionFor(projectDir, stack, process.env),
    armEndpoint: armEndpoint(process.env),
    now: new Date(),
    projectDir,
  };
}

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
      // Loaded once the command line is valid: --help and usage errors need neither Pulumi nor the Azure SDKs.
      // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
      const { alreadyPinned, modelsCommand } = await import("./core/models/command.js");
      if (values["if-unpinned"]) {
        // Checked before the Azure context is resolved: a pinned stack needs neither a sign-in nor az.
        const pinned = alreadyPinned(projectDir, stack, values.deployment ?? DEFAULT_DEPLOYMENT.name);
        if (pinned) {
          io.out(pinned);
          return EXIT.ok;
        }
      }
      const resolved = context ? context(projectDir) : await signedInContext(projectDir, stack);
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
