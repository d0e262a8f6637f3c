/** Command line of `npm run destroy` (parsed by scripts/core/cli.ts: strict, --help, usage errors exit 2). */
import { defineCommand, UsageError } from "../core/cli";

/** What the user asked for. */
export interface TeardownOptions {
  stack: string;
  /** Skip the confirmation prompt (required when stdin is not a terminal). */
  yes: boolean;
  /** Allow tearing down a protected stack (`prod`, or `protected: true` in outputs/config/record). */
  allowProtected: boolean;
  /** Keep the (empty) stack and its config instead of `pulumi stack rm` for a test stack. */
  keepStack: boolean;
  /** How long after a destroy in this run the purge keeps trying while the account is not yet listed as deleted. */
  purgeWaitMs: number;
}

/** Default of `--purge-wait`, in seconds. */
export const DEFAULT_PURGE_WAIT_SECONDS = 120;

/** The command line of `npm run destroy`: its options, parsing and usage. */
export const DESTROY_SPEC = defineCommand({
  name: "destroy",
  summary: `Destroys the stack's resources, purges its soft-deleted Azure OpenAI account (Azure keeps a deleted account
48 h and blocks its name), and removes a test stack (pr-<number>, or output testStack) from the backend. Safe to
re-run: a run after a partial failure finishes the job.`,
  options: {
    stack: { type: "string", valueName: "NAME", required: true, description: "the stack to tear down" },
    yes: {
      type: "boolean",
      short: "y",
      default: false,
      description: "do not ask for confirmation (needed when not run from a terminal)",
    },
    "allow-protected": {
      type: "boolean",
      default: false,
      description: 'allow tearing down a protected stack ("prod", or protected: true)',
    },
    "keep-stack": {
      type: "boolean",
      default: false,
      description: "keep a test stack in the backend after its resources are gone",
    },
    "purge-wait": {
      type: "string",
      valueName: "SECONDS",
      description: `after destroying the account, how long to keep trying the purge while Azure does not list it as deleted yet (default ${DEFAULT_PURGE_WAIT_SECONDS})`,
    },
  },
  exitCodes: {
    ok: "done",
    failed: "a step failed (re-run to resume)",
    usage: "usage error or not confirmed",
    refused: "refused: protected stack",
  },
});

/** Pulumi stack names: letters, digits, `-`, `_`, `.`, optionally qualified as org/project/stack. */
const STACK_NAME = /^(?:[A-Za-z0-9][\w.-]*\/){0,2}[A-Za-z0-9][\w.-]*$/;

/** The parsed options, checked. @throws UsageError naming what is wrong. */
export function teardownOptions(values: {
  stack?: string;
  yes?: boolean;
  "allow-protected"?: boolean;
  "keep-stack"?: boolean;
  "purge-wait"?: string;
}): TeardownOptions {
  const stack = values.stack ?? "";
  if (stack === "") throw new UsageError("--stack NAME is required");
  if (!STACK_NAME.test(stack)) throw new UsageError(`${JSON.stringify(stack)} is not a stack name`);
  const wait = values["purge-wait"] ?? String(DEFAULT_PURGE_WAIT_SECONDS);
  if (!/^\d+$/.test(wait) || Number(wait) > 3600) {
    throw new UsageError(`--purge-wait needs whole seconds from 0 to 3600 (got ${JSON.stringify(wait)})`);
  }
  return {
    stack,
    yes: values.yes === true,
    allowProtected: values["allow-protected"] === true,
    keepStack: values["keep-stack"] === true,
    purgeWaitMs: Number(wait) * 1000,
  };
}

/** Short name of a possibly qualified stack name (`org/project/pr-12` → `pr-12`). */
export function shortStackName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

/** Test stacks are throwaway: `pr-<number>` by name (lib/config.ts uses the same rule for the `testStack` output). */
export const TEST_STACK_NAME = /^pr-\d+$/;
