/**
 * The README is the front door and docs/ holds the reference; what they restate from the code is checked here:
 * the test command .ci/run runs, the links, the offline plan's excerpt, the commands table (package.json scripts
 * and each command's --help option lines) and the guardrails table (policy/ rule names and the tests it names).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { before, describe, test } from "node:test";
import { promisify } from "node:util";
import { GUARDRAILS } from "../policy/rules";
import { plan } from "../scripts/plan";
import type { HelpAnswer } from "./support/help-harness";

const ROOT = join(__dirname, "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const README = read("README.md");
const DOC_PAGES = readdirSync(join(ROOT, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);
const packageScripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;

/** The fenced code blocks of a markdown text. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The rows of the first markdown table after `heading` (a line that starts the table's header), as trimmed cells. */
function tableAfter(markdown: string, header: string): string[][] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.startsWith(header));
  assert.ok(start >= 0, `a table whose header starts with ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** Test titles built from a template literal (`${name} (${guid}) is refused`), as patterns. */
function templateTitles(source: string): RegExp[] {
  return [...source.matchAll(/title: `([^`]*\$\{[^`]*)`/g)].map((match) => {
    const parts = (match[1] ?? "").split(/\$\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()[\]{}|\\]/g, "\\$&"));
    return new RegExp(`^${parts.join(".+")}$`);
  });
}

/** `` `plan` `` → plan */
const unquote = (cell: string) => /^`([^`]+)`$/.exec(cell)?.[1] ?? cell;

describe("the README is a front door", () => {
  test("it is at most 250 lines", () => {
    assert.ok(README.split("\n").length <= 250, `${README.split("\n").length} lines`);
  });

  test("its set-up is two commands, one that deploys and one that tests, after a first one that needs no Azure", () => {
    const setUp =
      codeBlocks(README.split("## Set-up: two commands, after a first one that needs no Azure")[1] ?? "")[0] ?? "";
    const commands = setUp
      .trim()
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, ""));
    assert.deepEqual(commands, [
      "npm ci && npm run -s plan -- --stack dev",
      "npm ci && npm run -s deploy -- --stack dev",
      "npm ci && npm test",
    ]);
  });

  test(".ci/run runs exactly the README's test command", () => {
    const setUp =
      codeBlocks(README.split("## Set-up: two commands, after a first one that needs no Azure")[1] ?? "")[0] ?? "";
    const testCommand = setUp
      .split("\n")
      .find((line) => line.includes("npm test"))
      ?.replace(/\s+#.*$/, "");
    const run = read(".ci/run")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
    assert.equal(testCommand, "npm ci && npm test");
    assert.equal(run.at(-1), testCommand, "the last command of .ci/run");
  });

  test("every npm run in its examples is npm run -s, so the output starts with the command's own", () => {
    const runs = codeBlocks(README).flatMap((block) => [...block.matchAll(/npm run (\S+)/g)].map((m) => m[1]));
    assert.ok(runs.length >= 5, "the README has examples");
    assert.deepEqual(
      runs.filter((flag) => flag !== "-s"),
      [],
    );
  });

  test("it links every docs page", () => {
    const linked = new Set([...README.matchAll(/\]\((docs\/[^)#]+\.md)/g)].map((match) => match[1]));
    assert.deepEqual(
      DOC_PAGES.filter((page) => !linked.has(page)),
      [],
    );
  });

  test("the offline plan excerpt is what npm run plan -- --stack dev prints", async () => {
    const excerpt = codeBlocks(README.split("## First command")[1] ?? "").find((block) =>
      block.startsWith("# Offline plan"),
    );
    assert.ok(excerpt, "the README shows the plan's first lines");
    // The command's function in this process, as scripts/plan.ts runs it (tests/plan.suite.ts runs the entry itself).
    let stdout = "";
    const exitCode = await plan(["--stack", "dev"], { out: (text) => (stdout += text), err: () => {} });
    assert.equal(exitCode, 0);
    const printed = stdout.split("\n");
    for (const line of excerpt.split("\n").filter((text) => text !== "" && text !== "...")) {
      const shown = line.replace(/ \.\.\.$/, "");
      assert.ok(
        printed.some((out) => out.startsWith(shown)),
        `the plan prints a line starting with: ${shown}`,
      );
    }
  });
});

describe("docs links", () => {
  for (const page of ["README.md", ...DOC_PAGES]) {
    test(`${page}: every relative link names a file that exists, and a heading that exists`, () => {
      const text = read(page);
      const broken: string[] = [];
      for (const [, target = ""] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [file = "", anchor] = target.split("#");
        const path = file === "" ? page : relative(ROOT, join(ROOT, dirname(page), file));
        if (!existsSync(join(ROOT, path))) {
          broken.push(`${target}: no file ${path}`);
          continue;
        }
        if (anchor === undefined) continue;
        const headings = [...read(path).matchAll(/^#+ (.+)$/gm)].map((match) => anchorOf(match[1] ?? ""));
        if (!headings.includes(anchor)) broken.push(`${target}: no heading #${anchor} in ${path}`);
      }
      assert.deepEqual(broken, []);
    });
  }

  test("anchors are GitHub's", () => {
    assert.equal(anchorOf("Getting Node.js 22"), "getting-nodejs-22");
    assert.equal(anchorOf("plan: review changes offline"), "plan-review-changes-offline");
    assert.equal(anchorOf("Private networking (`networkMode`)"), "private-networking-networkmode");
  });
});

describe("docs/commands.md", () => {
  const page = read("docs/commands.md");
  const commands = tableAfter(page, "| Command (`npm run -s …`)");
  const development = tableAfter(page, "| Development script (`npm run …`)");

  test("the two tables name every package.json script once", () => {
    const named = [...commands, ...development].map((row) => unquote(row[0] ?? ""));
    assert.deepEqual([...named].sort(), Object.keys(packageScripts).sort());
  });

  // `npm run pulumi -- --help` is Pulumi's own help (scripts/pulumi.ts hands every argument over).
  const rows = commands.filter((cells) => unquote(cells[0] ?? "") !== "pulumi");
  const scriptOf = (command: string) => /tsx (\S+\.ts)$/.exec(packageScripts[command] ?? "")?.[1];
  // Every entry's --help from one process (tests/support/help-harness.ts), which loads the shared modules once.
  const helpOf = new Map<string, HelpAnswer>();
  before(async () => {
    const scripts = rows.map((row) => scriptOf(unquote(row[0] ?? ""))).filter((script) => script !== undefined);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "tests/support/help-harness.ts", ...scripts],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    for (const line of stdout.trim().split("\n")) {
      const answer = JSON.parse(line) as HelpAnswer;
      helpOf.set(answer.script, answer);
    }
  });

  for (const row of rows) {
    const command = unquote(row[0] ?? "");
    test(`${command}: the options column lists the option lines of its --help`, () => {
      const script = scriptOf(command);
      assert.ok(script, `package.json runs ${command} with tsx`);
      const answer = helpOf.get(script);
      assert.ok(answer, `the harness answered for ${script}`);
      assert.equal(answer.exitCode, 0, answer.stderr);
      const stdout = answer.stdout;
      const helped = [...stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)]
        .map((match) => match[1])
        .filter((option) => option !== "--help");
      const listed = [...(row[2] ?? "").matchAll(/`(--[a-z0-9-]+)`/g)].map((match) => match[1]);
      assert.deepEqual(listed, helped);
    });
  }
});

describe("docs/guardrails.md", () => {
  const page = read("docs/guardrails.md");
  const rows = tableAfter(page, "| Claim");
  const rules = read("policy/rules.ts");
  const policies = read("policy/policies.ts");

  test("every policy the pack enforces has a row, and every row names one that exists", () => {
    const named = new Set(
      rows.flatMap((row) => [...(row[1] ?? "").matchAll(/`([a-z0-9]+(?:-[a-z0-9]+)+)`/g)].map((m) => m[1])),
    );
    const stackPolicies = [...policies.matchAll(/^\s+name: "([a-z0-9-]+)",$/gm)].map((match) => match[1]);
    assert.deepEqual(
      [...named].sort(),
      [...GUARDRAILS.map((rule) => rule.name), ...stackPolicies, "managed-identity-principal-type"]
        .filter((name, index, all) => all.indexOf(name) === index)
        .sort(),
    );
  });

  test("every function a row names is declared in policy/rules.ts", () => {
    const functions = rows.flatMap((row) => [...(row[1] ?? "").matchAll(/`([a-z][A-Za-z]+)`/g)].map((m) => m[1]));
    assert.ok(functions.length >= rows.length, "each row names its rule");
    for (const name of functions) {
      assert.match(rules, new RegExp(`^(?:export )?(?:const ${name}: Guardrail|function ${name}\\()`, "m"), name);
    }
  });

  test("every test a row names exists in the file it names", () => {
    const files = new Map<string, string>();
    const missing: string[] = [];
    for (const row of rows) {
      for (const part of (row[2] ?? "").split(";")) {
        // `policy-rules` is tests/policy-rules.test.ts; a suite is named by its path (tests/program/x.suite.ts).
        const file = /`((?:tests\/)?[a-z/-]+(?:\.(?:test|suite)\.ts)?)`/.exec(part)?.[1];
        if (!file) continue;
        const path = /\.(?:test|suite)\.ts$/.test(file) ? file : `tests/${file.replace(/^tests\//, "")}.test.ts`;
        if (!files.has(path)) {
          if (!existsSync(join(ROOT, path))) missing.push(`${path} does not exist`);
          files.set(path, existsSync(join(ROOT, path)) ? read(path) : "");
        }
        const source = files.get(path) ?? "";
        for (const [, name = ""] of part.matchAll(/"([^"]+)"/g)) {
          const pieces = name
            .split("…")
            .map((piece) => piece.trim())
            .filter((piece) => piece !== "");
          const generated = templateTitles(source).some((title) => title.test(name.replace(/…/g, "x")));
          if (!generated && !pieces.every((piece) => source.includes(piece))) missing.push(`${path}: "${name}"`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });
});
