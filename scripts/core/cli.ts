/**
 * The one command-line convention of every `npm run <command>` in this project:
 * - `--help` / `-h` prints the usage on stdout and exits 0, before anything else happens (no side effects);
 * - exit codes: 0 ok, 1 failed, 2 usage error, 3 refused (a safety rule said no);
 * - a usage error prints what was wrong and the usage on stderr;
 * - any other error keeps its whole message (and its `cause` chain), never only its first line.
 * Parsing is node:util `parseArgs` (strict), so unknown options are usage errors.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command line is wrong: exit 2, with the usage. */
export class UsageError extends Error {}

/** A safety rule refused the request (a protected stack, a production change without confirmation): exit 3. */
export class RefusedError extends Error {}

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** What a command declares about itself; `usage` is the whole help text (synopsis, options, exit codes). */
export interface CommandSpec<Options extends OptionsConfig> {
  /** `npm run <name>` */
  name: string;
  usage: string;
  options: Options;
  /** Accept positional arguments (e.g. arguments passed through to `pulumi up`). */
  allowPositionals?: boolean;
}

/** Parses argv strictly; a parse failure becomes a UsageError. `help` is true when --help/-h was given. */
export function parseCommandLine<Options extends OptionsConfig>(spec: CommandSpec<Options>, argv: readonly string[]) {
  const config = {
    args: [...argv],
    strict: true as const,
    allowPositionals: spec.allowPositionals ?? false,
    options: { ...spec.options, help: { type: "boolean" as const, short: "h" } },
  };
  try {
    const parsed = parseArgs(config);
    const help = (parsed.values as { help?: boolean }).help === true;
    return { values: parsed.values, positionals: parsed.positionals, help };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** An error's message with every `cause` under it, so the underlying reason is never dropped. */
export function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    lines.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.filter((line) => line.trim() !== "").join("\n  caused by: ");
}

/** Where a command writes (injected in tests). */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * Runs a command under the convention: --help, usage errors (2), refusals (3), failures (1) with the whole cause.
 * `body` gets the parsed command line and returns the exit code.
 */
export async function runCommand<Options extends OptionsConfig>(
  spec: CommandSpec<Options>,
  argv: readonly string[],
  body: (parsed: ReturnType<typeof parseCommandLine<Options>>) => Promise<number>,
  io: CommandIo = processIo,
): Promise<number> {
  try {
    const parsed = parseCommandLine(spec, argv);
    if (parsed.help) {
      io.out(`${spec.usage.trimEnd()}\n`);
      return EXIT.ok;
    }
    return await body(parsed);
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) io.err(`${spec.name}: ${error.message}\n`);
      io.err(`${spec.usage.trimEnd()}\n`);
      return EXIT.usage;
    }
    if (error instanceof RefusedError) {
      io.err(`${spec.name}: refused: ${error.message}\n`);
      return EXIT.refused;
    }
    io.err(`${spec.name}: ${describeError(error)}\n`);
    return EXIT.failed;
  }
}

/** Entry-point helper: `if (require.main === module) runMain(() => runCommand(...))`. */
export function runMain(run: () => Promise<number>): void {
  run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${describeError(error)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
