/**
 * The one command-line convention of every `npm run <command>` in this project:
 * - one option table per command gives both its parsing and its `--help` text (`defineCommand`);
 * - `--help` / `-h` prints the usage on stdout and exits 0, before anything else happens (no side effects);
 * - exit codes: 0 ok, 1 failed, 2 usage error, 3 refused (a safety rule said no);
 * - a mistyped option gets one sentence with a did-you-mean; any other usage error prints what was wrong and the
 *   usage on stderr;
 * - any other error keeps its whole message (and its `cause` chain), never only its first line.
 * Parsing is node:util `parseArgs` (strict), so unknown options are usage errors.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { closest } from "../../lib/suggest";

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command line is wrong: exit 2, with the usage. */
export class UsageError extends Error {}

/** The person did not confirm at the prompt: exit 2 with the one sentence, not the usage. */
export class NotConfirmedError extends UsageError {}

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

/** One row of a command's option table: how `parseArgs` reads it, and how `--help` describes it. */
export type DescribedOption = OptionsConfig[string] & {
  /** What the option does, one or two sentences; wrapped in the help. */
  description: string;
  /** The value's placeholder in the help (`--stack NAME`); string options only. */
  valueName?: string;
  /** Shown without brackets in the synopsis; the command itself refuses a missing value. */
  required?: boolean;
};

export type OptionTable = Record<string, DescribedOption>;

/** A command whose usage text is generated from its option table. */
export interface CommandDefinition<Options extends OptionTable> {
  /** `npm run <name>` */
  name: string;
  /**
   * What the command does, after the synopsis: paragraphs separated by a blank line, each wrapped to the help's
   * width, except a paragraph with indented lines, which is kept as written.
   */
  summary: string;
  options: Options;
  /** What each exit code means for this command; 2 reads "usage error" unless the command says more. */
  exitCodes: Partial<Record<keyof typeof EXIT, string>>;
  /** Free text after the exit codes (environment variables, examples). */
  footer?: string;
  /** Synopsis of the positional arguments, e.g. `[-- PULUMI_UP_ARGS...]`; accepting them. */
  positionals?: string;
}

const HELP_WIDTH = 118;

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  return wrapWords(text.split(/\s+/), width);
}

/** `words` (each kept whole, e.g. a synopsis item `[--stack NAME]`) in lines of at most `width` characters. */
function wrapWords(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words.filter((piece) => piece !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** A paragraph wrapped to the help's width; one with indented lines (a small table) is kept as written. */
function summaryLines(paragraph: string): string[] {
  return /\n\s/.test(paragraph) ? paragraph.split("\n") : wrap(paragraph, HELP_WIDTH);
}

function optionLabel(name: string, option: DescribedOption): string {
  const flag = option.short ? `-${option.short}, --${name}` : `--${name}`;
  return option.type === "string" ? `${flag} ${option.valueName ?? "VALUE"}` : flag;
}

function synopsisItem(name: string, option: DescribedOption): string {
  const item = option.type === "string" ? `--${name} ${option.valueName ?? "VALUE"}` : `--${name}`;
  return option.required ? item : `[${item}]`;
}

/** The help text of a command: synopsis, summary, one line per option, exit codes, footer. */
export function usageText<Options extends OptionTable>(definition: CommandDefinition<Options>): string {
  const entries = Object.entries(definition.options);
  const items = [...entries.map(([name, option]) => synopsisItem(name, option)), definition.positionals ?? ""];
  const prefix = `usage: npm run ${definition.name} --`;
  const synopsis =
    items.join("") === ""
      ? [`usage: npm run ${definition.name}`]
      : wrapWords(items, HELP_WIDTH - prefix.length - 1).map(
          (line, index) => `${index === 0 ? prefix : " ".repeat(prefix.length)} ${line}`,
        );
  const rows: [string, string][] = [
    ...entries.map(([name, option]): [string, string] => {
      const shownDefault =
        option.default !== undefined && option.default !== false ? ` (default ${String(option.default)})` : "";
      return [optionLabel(name, option), `${option.description}${shownDefault}`];
    }),
    ["-h, --help", "show this help"],
  ];
  const column = Math.max(...rows.map(([label]) => label.length)) + 4;
  const optionLines = rows.flatMap(([label, description]) =>
    wrap(description, HELP_WIDTH - column).map((line, index) =>
      index === 0 ? `  ${label.padEnd(column - 2)}${line}` : `${" ".repeat(column)}${line}`,
    ),
  );
  const codes = definition.exitCodes;
  const exitCodes = [
    ...(codes.ok ? [`${EXIT.ok} ${codes.ok}`] : []),
    ...(codes.failed ? [`${EXIT.failed} ${codes.failed}`] : []),
    `${EXIT.usage} ${codes.usage ?? "usage error"}`,
    ...(codes.refused ? [`${EXIT.refused} ${codes.refused}`] : []),
  ];
  return [
    ...synopsis,
    "",
    ...definition.summary
      .trim()
      .split(/\n\s*\n/)
      .flatMap((paragraph, index) => [...(index > 0 ? [""] : []), ...summaryLines(paragraph)]),
    "",
    "Options:",
    ...optionLines,
    "",
    ...wrap(`Exit codes: ${exitCodes.join(", ")}.`, HELP_WIDTH),
    ...(definition.footer ? ["", definition.footer.trim()] : []),
  ].join("\n");
}

/** The spec `runCommand` takes, with the usage generated from the option table. */
export function defineCommand<Options extends OptionTable>(
  definition: CommandDefinition<Options>,
): CommandSpec<Options> {
  return {
    name: definition.name,
    usage: usageText(definition),
    options: definition.options,
    allowPositionals: definition.positionals !== undefined,
  };
}

/**
 * The one sentence for a mistyped option: `unknown option --stak; did you mean --stack? (npm run plan -- --help
 * lists the options)`. `parseArgs` says only "Unknown option '--stak'" (node:util ERR_PARSE_ARGS_UNKNOWN_OPTION).
 */
export function unknownOptionMessage(command: string, option: string, known: readonly string[]): string {
  const typed = option.replace(/^-+/, "").replace(/=.*$/, "");
  const suggestion = option.startsWith("--") ? closest(typed, known) : undefined;
  const didYouMean = suggestion === undefined ? "" : `; did you mean --${suggestion}?`;
  return `unknown option ${option}${didYouMean} (npm run ${command} -- --help lists the options)`;
}

/** An unknown option: the one-sentence message replaces the whole usage on stderr. */
class UnknownOptionError extends UsageError {}

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
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    if (unknown !== undefined)
      throw new UnknownOptionError(unknownOptionMessage(spec.name, unknown, Object.keys(config.options)));
    throw new UsageError(message);
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
    if (error instanceof UnknownOptionError || error instanceof NotConfirmedError) {
      io.err(`${spec.name}: ${error.message}\n`);
      return EXIT.usage;
    }
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
