/**
 * Runs several command entry files in ONE process, each as the main module with `--help`, and prints one JSON line
 * per entry: exit code, what it wrote to stdout and stderr, and how many network connections it opened.
 * `node --import tsx tests/support/help-harness.ts FILE...` (tests/commands.test.ts): one process loads the shared
 * modules (Pulumi, Azure SDKs) once instead of once per command.
 *
 * Each entry is started with `Module.runMain` (node:module), the way `node FILE` starts it, so its
 * `require.main === module` check holds; the harness waits until the entry sets `process.exitCode`
 * (scripts/core/cli.ts runMain), giving up after MAX_TURNS turns of the event loop.
 * Connections are counted on the documented `net.client.socket` diagnostics channel, which every TCP client
 * (node:http, node:https, undici's fetch) passes through (Node.js docs: "Diagnostics Channel", built-in channels).
 */
import { subscribe } from "node:diagnostics_channel";
import Module from "node:module";

const MAX_TURNS = 10_000;

/** One entry's answer to --help. */
export interface HelpAnswer {
  script: string;
  /** undefined when the entry never set an exit code. */
  exitCode: number | string | undefined;
  stdout: string;
  stderr: string;
  connections: number;
}

let connections = 0;
subscribe("net.client.socket", () => {
  connections += 1;
});

async function answerOf(script: string): Promise<HelpAnswer> {
  const realStdout = process.stdout.write;
  const realStderr = process.stderr.write;
  let stdout = "";
  let stderr = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const connectionsBefore = connections;
  process.argv = [process.execPath, script, "--help"];
  process.exitCode = undefined;
  try {
    Module.runMain(script);
    for (let turn = 0; turn < MAX_TURNS && process.exitCode === undefined; turn++) {
      await new Promise((resume) => setImmediate(resume));
    }
  } finally {
    process.stdout.write = realStdout;
    process.stderr.write = realStderr;
  }
  return { script, exitCode: process.exitCode, stdout, stderr, connections: connections - connectionsBefore };
}

async function main(scripts: readonly string[]): Promise<void> {
  const answers: HelpAnswer[] = [];
  for (const script of scripts) answers.push(await answerOf(script));
  process.exitCode = 0;
  process.stdout.write(`${answers.map((answer) => JSON.stringify(answer)).join("\n")}\n`);
}

if (require.main === module) void main(process.argv.slice(2));
