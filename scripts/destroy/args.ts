/** Command line of `npm run destroy`. */

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

export const USAGE = `Usage: npm run destroy -- --stack NAME [--yes] [--allow-protected] [--keep-stack] [--purge-wait SECONDS]

Destroys the stack's resources, purges its soft-deleted Azure OpenAI account (Azure keeps a deleted account 48 h
and blocks its name), and removes a test stack (pr-<number>, or output testStack) from the backend.
Safe to re-run: a run after a partial failure finishes the job.

  --stack NAME        the stack to tear down (required)
  --yes               do not ask for confirmation (needed when not run from a terminal)
  --allow-protected   allow tearing down a protected stack ("prod", or protected: true)
  --keep-stack        keep a test stack in the backend after its resources are gone
  --purge-wait SECONDS  after destroying the account, how long to keep trying the purge while Azure does not list
                      it as deleted yet (default ${DEFAULT_PURGE_WAIT_SECONDS})

Exit codes: 0 done, 1 a step failed (re-run to resume), 2 usage error or not confirmed, 3 refused: protected stack.`;

/** Pulumi stack names: letters, digits, `-`, `_`, `.`, optionally qualified as org/project/stack. */
const STACK_NAME = /^(?:[A-Za-z0-9][\w.-]*\/){0,2}[A-Za-z0-9][\w.-]*$/;

/** Parses argv (without node and script); returns the options or the reason they are wrong. */
export function parseTeardownArgs(argv: readonly string[]): TeardownOptions | { error: string } {
  const options: TeardownOptions = {
    stack: "",
    yes: false,
    allowProtected: false,
    keepStack: false,
    purgeWaitMs: DEFAULT_PURGE_WAIT_SECONDS * 1000,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    const [flag, inlineValue] = argument.startsWith("--") ? splitInline(argument) : [argument, undefined];
    switch (flag) {
      case "--stack": {
        const value = inlineValue ?? argv[index + 1];
        if (inlineValue === undefined) index += 1;
        if (value === undefined || value.startsWith("--")) return { error: "--stack needs a stack name" };
        options.stack = value;
        break;
      }
      case "--yes":
      case "-y":
        options.yes = true;
        break;
      case "--allow-protected":
        options.allowProtected = true;
        break;
      case "--keep-stack":
        options.keepStack = true;
        break;
      case "--purge-wait": {
        const value = inlineValue ?? argv[index + 1];
        if (inlineValue === undefined) index += 1;
        if (value === undefined || !/^\d+$/.test(value) || Number(value) > 3600) {
          return { error: `--purge-wait needs whole seconds from 0 to 3600 (got ${JSON.stringify(value ?? "")})` };
        }
        options.purgeWaitMs = Number(value) * 1000;
        break;
      }
      default:
        return { error: `unknown argument ${JSON.stringify(argument)}` };
    }
  }
  if (options.stack === "") return { error: "--stack NAME is required" };
  if (!STACK_NAME.test(options.stack)) return { error: `${JSON.stringify(options.stack)} is not a stack name` };
  return options;
}

function splitInline(argument: string): [string, string | undefined] {
  const equals = argument.indexOf("=");
  return equals === -1 ? [argument, undefined] : [argument.slice(0, equals), argument.slice(equals + 1)];
}

/** Short name of a possibly qualified stack name (`org/project/pr-12` → `pr-12`). */
export function shortStackName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

/** Test stacks are throwaway: `pr-<number>` by name (lib/config.ts uses the same rule for the `testStack` output). */
export const TEST_STACK_NAME = /^pr-\d+$/;
