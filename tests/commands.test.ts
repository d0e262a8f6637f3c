/**
 * One table over every npm script: each user command (`npm run <command>`) answers `--help` with exit 0, the usage on
 * stdout, and no side effect: no file created or changed in the project or the home directory, no Pulumi CLI started
 * (a stand-in `pulumi` first on PATH and where the scripts look for the pinned CLI records every call, as in tests/deploy.test.ts),
 * no network connection opened. Scripts that are not commands of scripts/core/cli.ts say why.
 * All entries run in one child process (tests/support/help-harness.ts) in a copy of the project (sources copied,
 * node_modules linked) with an empty HOME, so that what they write is seen and nothing touches the real tree.
 *
 * A new command gets one row. Each row names the npm script; the script file is read from package.json, so a
 * missing script or file fails its row.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { installPulumiStandIn, type PulumiStandIn } from "./standins/arm-teardown";
import type { HelpAnswer } from "./support/help-harness";

const ROOT = join(__dirname, "..");
// The scripts run the CLI of the @pulumi/pulumi SDK's version (scripts/core/pulumi-workspace.ts).
const PULUMI_CLI_VERSION = (
  JSON.parse(readFileSync(join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as {
    version: string;
  }
).version;

interface CommandRow {
  /** `npm run <command>` */
  command: string;
}

/** Every user command. */
const COMMANDS: readonly CommandRow[] = [
  { command: "deploy" },
  { command: "plan" },
  { command: "smoke" },
  { command: "destroy" },
  { command: "stale-stacks" },
  { command: "setup-github" },
  { command: "preflight" },
  { command: "models" },
  { command: "bench" },
  { command: "bench:smoke" },
  { command: "bench:azure-policy" },
  { command: "build:function-app" },
  { command: "renewal-pr" },
  { command: "report-drift" },
];

/** package.json scripts that are not user commands of scripts/core/cli.ts, each with the reason it has no row. */
const NOT_COMMANDS: Readonly<Record<string, string>> = {
  // `npm run pulumi -- ARGS` hands every argument to the pinned Pulumi CLI by design (scripts/pulumi.ts), so
  // `npm run pulumi -- --help` is Pulumi's own help, printed by the CLI this table must not start.
  pulumi: "passthrough to the Pulumi CLI",
  typecheck: "tool runner (tsc)",
  lint: "tool runner (biome)",
  format: "tool runner (biome)",
  test: "tool runner (node --test)",
  "test:unit": "tool runner (node --test)",
};

const packageScripts = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

/** The script file behind `npm run <command>` (`node --import tsx scripts/plan.ts` → `scripts/plan.ts`). */
function scriptOf(command: string): string {
  const line = packageScripts[command];
  assert.ok(line, `package.json has no script "${command}"`);
  const match = /^(?:node scripts\/core\/node-version\.cjs && )?node --import tsx (\S+\.ts)$/.exec(line);
  assert.ok(match?.[1], `package.json script "${command}" is not "node --import tsx <file>.ts": ${line}`);
  return match[1];
}

/** Every file under `directory` with its size and modification time, node_modules left out. */
function snapshot(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name === "node_modules") continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stats = statSync(path);
        files.set(relative(directory, path), `${stats.size}:${stats.mtimeMs}`);
      }
    }
  };
  walk(directory);
  return files;
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed = [...after].filter(([path, stamp]) => before.get(path) !== stamp).map(([path]) => path);
  const removed = [...before.keys()].filter((path) => !after.has(path));
  return [...changed.map((path) => `written: ${path}`), ...removed.map((path) => `removed: ${path}`)];
}

let scratch: string;
let project: string;
let home: string;
let pulumi: PulumiStandIn;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), "commands-"));
  project = join(scratch, "project");
  cpSync(ROOT, project, {
    recursive: true,
    // Sources only: no dependencies, history, state, build output or CI's own Node.js (.ci/node-*).
    filter: (source) =>
      !/(^|\/)(node_modules|\.git|\.pulumi-state|\.pulumi-teardown|\.build|\.plan|\.bench-[^/]*|node-[^/]*)$/.test(
        source,
      ),
  });
  symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"));
  home = join(scratch, "home");
  mkdirSync(home);
  pulumi = installPulumiStandIn(join(scratch, "pulumi"), PULUMI_CLI_VERSION, { stacks: {} });
});

after(() => rmSync(scratch, { recursive: true, force: true }));

/** Every entry's answer to --help, from one harness process. */
function helpOf(scripts: readonly string[]): HelpAnswer[] {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AZURE_|ARM_|PULUMI_|GITHUB_|GH_|NODE_TEST)/.test(name)) env[name] = value;
  }
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(ROOT, "tests/support/help-harness.ts"), ...scripts],
    {
      cwd: project,
      encoding: "utf8",
      timeout: 120_000,
      env: {
        ...env,
        ...pulumi.env,
        HOME: home,
        PATH: [pulumi.env.PATH_PREFIX, dirname(process.execPath), process.env.PATH].join(":"),
      },
    },
  );
  assert.equal(result.status, 0, `the harness failed: exit ${result.status}\n${result.stderr}`);
  return result.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as HelpAnswer);
}

test("docs/commands.md lists exactly the commands of this table as the ones that answer --help", () => {
  const docs = readFileSync(join(ROOT, "docs", "commands.md"), "utf8");
  const sentence = /Every `npm run` script that is a command of this project \(([^)]*)\)/.exec(docs)?.[1];
  assert.ok(sentence, "docs/commands.md has the sentence listing the commands");
  const listed = [...sentence.matchAll(/`([\w:-]+)`/g)].map((match) => match[1] ?? "");
  assert.deepEqual(listed.sort(), COMMANDS.map((row) => row.command).sort());
});

test("every package.json script has a row, or a reason it has none", () => {
  const rows = new Set(COMMANDS.map((row) => row.command));
  const unlisted = Object.keys(packageScripts).filter((script) => !rows.has(script) && !(script in NOT_COMMANDS));
  assert.deepEqual(unlisted, [], "scripts with neither a row nor a reason");
});

describe("every command answers --help with exit 0, a usage on stdout, and no side effect", () => {
  let answers: Map<string, HelpAnswer>;
  let written: string[];
  let pulumiCalls: unknown[];
  before(() => {
    const projectBefore = snapshot(project);
    const homeBefore = snapshot(home);
    const scripts = COMMANDS.map((row) => join(project, scriptOf(row.command)));
    answers = new Map(helpOf(scripts).map((answer) => [answer.script, answer]));
    written = [
      ...differences(projectBefore, snapshot(project)).map((line) => `project ${line}`),
      ...differences(homeBefore, snapshot(home)).map((line) => `home ${line}`),
    ];
    pulumiCalls = pulumi.calls();
  });

  for (const row of COMMANDS) {
    test(`npm run ${row.command} -- --help`, () => {
      const answer = answers.get(join(project, scriptOf(row.command)));
      assert.ok(answer, "the harness answered for this entry");
      assert.equal(answer.exitCode, 0, `exit ${answer.exitCode}\nstdout: ${answer.stdout}\nstderr: ${answer.stderr}`);
      assert.match(answer.stdout, new RegExp(`^usage: npm run ${row.command}(\\s|$)`, "im"), answer.stdout);
      assert.match(answer.stdout, /exit codes?:/i, "the usage states the exit codes");
      assert.equal(answer.stderr, "", "nothing on stderr");
      assert.equal(answer.connections, 0, "no network connection opened");
    });
  }

  test("no entry wrote a file or started the Pulumi CLI", () => {
    assert.deepEqual(written, [], "files written in the project or the home directory");
    assert.deepEqual(pulumiCalls, [], "the Pulumi CLI was not started");
  });
});
