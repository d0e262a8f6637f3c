import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  type CommandIo,
  defineCommand,
  describeError,
  NotConfirmedError,
  RefusedError,
  runCommand,
  UsageError,
  usageText,
} from "../scripts/core/cli";
import { debianPackageOf, missingTool, TEST_TOOLS, type TestTool } from "./support/tools";

function capture(): CommandIo & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out: (text: string) => {
      io.stdout += text;
    },
    err: (text: string) => {
      io.stderr += text;
    },
  };
  return io;
}

const spec = {
  name: "example",
  usage: "usage: npm run example -- --stack NAME\n\nExit codes: 0 ok, 1 failed, 2 usage, 3 refused.",
  options: { stack: { type: "string" } },
} as const;

describe("the command-line convention", () => {
  test("--help prints the usage on stdout, exits 0 and never runs the command", async () => {
    const io = capture();
    let ran = false;
    const code = await runCommand(
      spec,
      ["--stack", "dev", "--help"],
      async () => {
        ran = true;
        return 0;
      },
      io,
    );
    assert.equal(code, 0);
    assert.equal(ran, false);
    assert.match(io.stdout, /^usage: npm run example -- --stack NAME/);
    assert.equal(io.stderr, "");
  });

  test("a mistyped option is one sentence with a did-you-mean, not the whole usage again: exit 2", async () => {
    const io = capture();
    let ran = false;
    const code = await runCommand(
      spec,
      ["--stak", "dev"],
      async () => {
        ran = true;
        return 0;
      },
      io,
    );
    assert.equal(code, 2);
    assert.equal(ran, false);
    assert.equal(
      io.stderr,
      "example: unknown option --stak; did you mean --stack? (npm run example -- --help lists the options)\n",
    );
    assert.equal(io.stdout, "");
  });

  test("an unknown option nothing is close to, `--opt=value` and a short option: the sentence without a guess", async () => {
    const far = capture();
    assert.equal(await runCommand(spec, ["--verbose"], async () => 0, far), 2);
    assert.equal(far.stderr, "example: unknown option --verbose (npm run example -- --help lists the options)\n");
    const joined = capture();
    assert.equal(await runCommand(spec, ["--stac=dev"], async () => 0, joined), 2);
    assert.match(joined.stderr, /^example: unknown option --stac; did you mean --stack\?/);
    const short = capture();
    assert.equal(await runCommand(spec, ["-s"], async () => 0, short), 2);
    assert.equal(short.stderr, "example: unknown option -s (npm run example -- --help lists the options)\n");
    const help = capture();
    assert.equal(await runCommand(spec, ["--hepl"], async () => 0, help), 2);
    assert.match(help.stderr, /did you mean --help\?/);
  });

  test("any other usage error names what was wrong and prints the usage", async () => {
    const io = capture();
    assert.equal(await runCommand(spec, ["--stack"], async () => 0, io), 2);
    assert.match(io.stderr, /^example: Option '--stack <value>' argument missing\nusage: npm run example/);
  });

  test("UsageError from the body exits 2; RefusedError exits 3; any other error exits 1 with its causes", async () => {
    const usage = capture();
    assert.equal(
      await runCommand(spec, [], async () => Promise.reject(new UsageError("--stack is required")), usage),
      2,
    );
    assert.match(usage.stderr, /example: --stack is required/);

    const refused = capture();
    assert.equal(
      await runCommand(spec, [], async () => Promise.reject(new RefusedError("prod is protected")), refused),
      3,
    );
    assert.match(refused.stderr, /example: refused: prod is protected/);

    const failed = capture();
    const cause = new Error("Downloading pulumi v3.265.0...\nerror: getaddrinfo ENOTFOUND get.pulumi.com");
    assert.equal(
      await runCommand(spec, [], async () => Promise.reject(new Error("pulumi stack ls failed", { cause })), failed),
      1,
    );
    assert.match(
      failed.stderr,
      /pulumi stack ls failed\n {2}caused by: Downloading pulumi v3\.265\.0\.\.\.\nerror: getaddrinfo ENOTFOUND/,
    );
  });

  test("a person who does not confirm gets one sentence, not the usage: exit 2", async () => {
    const unconfirmed = capture();
    const sentence = "stack pr-16 was not confirmed, so nothing was changed: type its name, or pass --yes";
    assert.equal(
      await runCommand(spec, [], async () => Promise.reject(new NotConfirmedError(sentence)), unconfirmed),
      2,
    );
    assert.equal(unconfirmed.stderr, `example: ${sentence}\n`);
  });

  test("describeError keeps every line of every cause", () => {
    assert.equal(describeError(new Error("a\nb", { cause: new Error("c") })), "a\nb\n  caused by: c");
    assert.equal(describeError("plain"), "plain");
  });
});

describe("usage generated from the option table", () => {
  const definition = {
    name: "example",
    summary: "Does the example thing\nover two lines.\n\nA second paragraph:\n  kept    as\n  written",
    options: {
      stack: { type: "string", valueName: "NAME", required: true, description: "the stack" },
      "project-dir": { type: "string", valueName: "DIR", default: ".", description: "directory of Pulumi.yaml" },
      yes: { type: "boolean", short: "y", default: false, description: "do not ask" },
    },
    exitCodes: {
      ok: "done",
      failed: "a step failed",
      usage: "usage error or not confirmed",
      refused: "a safety rule said no",
    },
    footer: "Example: npm run example -- --stack dev",
  } as const;

  test("synopsis, summary (an indented paragraph kept as written), one row per option with its default, --help, the exit codes, the footer", () => {
    assert.equal(
      usageText(definition),
      [
        "usage: npm run example -- --stack NAME [--project-dir DIR] [--yes]",
        "",
        "Does the example thing over two lines.",
        "",
        "A second paragraph:",
        "  kept    as",
        "  written",
        "",
        "Options:",
        "  --stack NAME       the stack",
        "  --project-dir DIR  directory of Pulumi.yaml (default .)",
        "  -y, --yes          do not ask",
        "  -h, --help         show this help",
        "",
        "Exit codes: 0 done, 1 a step failed, 2 usage error or not confirmed, 3 a safety rule said no.",
        "",
        "Example: npm run example -- --stack dev",
      ].join("\n"),
    );
  });

  test("long descriptions wrap under their column; the table parses what it documents", async () => {
    const long = defineCommand({
      ...definition,
      options: { stack: { type: "string", valueName: "NAME", description: "word ".repeat(40).trim() } },
    });
    const lines = long.usage.split("\n");
    const rows = lines.slice(
      lines.indexOf("Options:") + 1,
      lines.findIndex((line) => line.startsWith("  -h, --help")),
    );
    assert.equal(rows.length, 2, rows.join("\n"));
    assert.match(rows[0] ?? "", /^ {2}--stack NAME {2}word( word)+$/);
    assert.match(rows[1] ?? "", /^ {16}word( word)+$/);
    assert.ok(
      rows.every((line) => line.length <= 118),
      "no line longer than 118 characters",
    );
    const many = usageText({
      ...definition,
      options: Object.fromEntries(
        Array.from({ length: 12 }, (_, index) => [
          `option-${index}`,
          { type: "string", valueName: "VALUE", description: "d" } as const,
        ]),
      ),
    });
    const synopsis = many.slice(0, many.indexOf("\n\n")).split("\n");
    assert.ok(synopsis.length > 1, "a long synopsis wraps");
    assert.ok(
      synopsis.every(
        (line) => line.length <= 118 && /^(usage: npm run example --| {25}) \[--option-\d+ VALUE\]/.test(line),
      ),
      `each synopsis line starts with a whole [--option VALUE] under the first: ${synopsis.join("\n")}`,
    );
    let stack: string | undefined;
    assert.equal(
      await runCommand(
        long,
        ["--stack", "dev"],
        async ({ values }) => {
          stack = values.stack;
          return 0;
        },
        capture(),
      ),
      0,
    );
    assert.equal(stack, "dev");
  });
});

describe("the test-tool rule", () => {
  const absent = () => false;
  const present = () => true;
  test("a present tool runs the test and prints nothing", () => {
    const warnings: string[] = [];
    assert.equal(
      missingTool("shellcheck", {}, present, (line) => warnings.push(line)),
      false,
    );
    assert.deepEqual(warnings, []);
  });
  test("a missing tool skips locally with the install command, and says SKIPPING once", () => {
    const warnings: string[] = [];
    const reason = missingTool(["shellcheck", "curl"], {}, absent, (line) => warnings.push(line));
    assert.equal(
      reason,
      "shellcheck is not installed (apt-get install -y shellcheck); curl is not installed (apt-get install -y curl)",
    );
    assert.deepEqual(warnings, [
      "SKIPPING tests that need shellcheck, curl: shellcheck is not installed (apt-get install -y shellcheck); " +
        "curl is not installed (apt-get install -y curl)\n",
    ]);
  });
  test("a missing tool fails under CI=true, naming how to install it", () => {
    assert.throws(
      () => missingTool("python3", { CI: "true" }, absent, () => assert.fail("CI fails instead of skipping")),
      /python3 is not installed \(apt-get install -y python3\): CI must install it/,
    );
  });
});

describe("the test tools are listed the same everywhere", () => {
  const ROOT = join(__dirname, "..");
  const tools = (Object.keys(TEST_TOOLS) as TestTool[]).sort();
  const packages = tools.map(debianPackageOf).sort();
  const sorted = (words: readonly string[]) => [...words].sort();

  test("the README's list of what npm test needs on a fresh machine is TEST_TOOLS, with their Debian packages", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const paragraph = /What\s+`npm test` needs on a fresh machine besides:([\s\S]*?)\n\n/.exec(readme)?.[1];
    assert.ok(paragraph, "the README has the paragraph");
    const [listed = "", install = ""] = paragraph.split(/;\s+on Debian\/Ubuntu/);
    assert.deepEqual(sorted([...listed.matchAll(/`([\w-]+)`/g)].map((match) => match[1] ?? "")), tools);
    const command = /`apt-get install -y ([^`]+)`/.exec(install)?.[1];
    assert.deepEqual(sorted(command?.split(/\s+/) ?? []), packages);
  });

  test(".ci/run checks every tool in TEST_TOOLS and installs all their Debian packages in one apt-get line", () => {
    const run = readFileSync(join(ROOT, ".ci", "run"), "utf8");
    const checked = /^for tool in ([^;]+); do$/m.exec(run)?.[1];
    assert.deepEqual(sorted(checked?.split(/\s+/) ?? []), tools);
    const installs = [...run.matchAll(/apt-get install ([^>\n]+)/g)].map((match) => match[1] ?? "");
    assert.equal(installs.length, 1, "one apt-get install line");
    const named = (installs[0] ?? "").split(/\s+/).filter((word) => word !== "" && !word.startsWith("-"));
    assert.deepEqual(sorted(named), packages);
  });
});
