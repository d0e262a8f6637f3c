/**
 * What the stand-in `pulumi` (tests/standins/arm-teardown.ts installPulumiStandIn) does for one invocation: it
 * records the arguments and whether stdin/stdout were terminals, reads and writes its JSON state file, and answers
 * the stdout, stderr and exit code the client prints. Messages and exit codes are the Pulumi CLI's (pkg/cmd/pulumi:
 * `error: ...` on stderr, exit 255; an unknown command exits 2).
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PulumiStandInState } from "./arm-teardown";

/** One invocation, as the client forwards it. */
export interface PulumiInvocation {
  args: string[];
  cwd: string;
  statePath: string;
  callsPath: string;
  terminalsPath: string;
  /** PULUMI_BACKEND_URL, undefined when unset. */
  backendUrl: string | undefined;
  stdinIsTerminal: boolean;
  stdoutIsTerminal: boolean;
  /**
   * The line typed at the terminal's confirmation prompt, when the client asks again with it; the arguments and
   * terminals were recorded by the first request.
   */
  typedAnswer?: string;
}

/** The client prints `prompt` (when set) and asks again with the typed line; otherwise it prints and exits. */
export interface PulumiAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
  prompt?: string;
}

class Exit extends Error {
  constructor(
    readonly stderr: string,
    readonly exitCode: number,
  ) {
    super(stderr);
  }
}

class Prompt extends Error {}

const CONFIRMATION_PROMPT = "Do you want to perform this update? ";

function fail(message: string, exitCode = 255): never {
  throw new Exit(`error: ${message}\n`, exitCode);
}

export function runPulumiStandIn(invocation: PulumiInvocation): PulumiAnswer {
  let stdout = "";
  try {
    perform(invocation, (text) => {
      stdout += text;
    });
    return { stdout, stderr: "", exitCode: 0 };
  } catch (error) {
    if (error instanceof Prompt) return { stdout, stderr: "", exitCode: 0, prompt: CONFIRMATION_PROMPT };
    if (error instanceof Exit) return { stdout, stderr: error.stderr, exitCode: error.exitCode };
    // What Node prints for an uncaught exception, with its exit code.
    return { stdout, stderr: `${error instanceof Error ? error.stack : String(error)}\n`, exitCode: 1 };
  }
}

function perform(invocation: PulumiInvocation, print: (text: string) => void): void {
  const { args } = invocation;
  if (invocation.typedAnswer === undefined) {
    appendFileSync(invocation.callsPath, `${JSON.stringify(args)}\n`);
    // What the CLI would see of a terminal: it prompts (passphrase, confirmation) only when stdin is one.
    appendFileSync(
      invocation.terminalsPath,
      `${JSON.stringify({ args, stdin: invocation.stdinIsTerminal, stdout: invocation.stdoutIsTerminal })}\n`,
    );
  }
  const state = JSON.parse(readFileSync(invocation.statePath, "utf8")) as PulumiStandInState;
  const save = () => writeFileSync(invocation.statePath, JSON.stringify(state, null, 2));
  const flag = (name: string) => {
    const index = args.indexOf(name);
    return index === -1 ? undefined : args[index + 1];
  };
  const words = args.filter((arg, index) => !arg.startsWith("-") && !(index > 0 && args[index - 1] === "--stack"));
  const command = words.slice(0, 2).join(" ");
  const failNext = state.failNext ?? {};
  const key = command.startsWith("stack ") ? command : (words[0] ?? "");
  if ((failNext[key] ?? 0) > 0) {
    failNext[key] = (failNext[key] ?? 0) - 1;
    save();
    fail(`stand-in failure of '${key}' on demand`);
  }
  const name = flag("--stack");
  const stack = name === undefined ? undefined : state.stacks[name];
  const existing = () => stack ?? fail(`no stack named '${name}' found`);
  const project = () => /^name:\s*(\S+)/m.exec(readFileSync(join(invocation.cwd, "Pulumi.yaml"), "utf8"))?.[1];
  switch (key) {
    case "stack ls":
      print(
        `${JSON.stringify(
          Object.entries(state.stacks).map(([stackName, listed]) => ({
            name: stackName,
            current: stackName === state.current,
            updateInProgress: false,
            lastUpdate: listed.lastUpdate,
            resourceCount: listed.resourceCount,
          })),
          null,
          2,
        )}\n`,
      );
      return;
    case "stack history":
      existing();
      print(
        `${JSON.stringify([
          {
            version: 1,
            kind: "destroy",
            result: "succeeded",
            startTime: "2026-11-27T00:00:00.000Z",
            endTime: "2026-11-27T00:01:00.000Z",
            message: "",
            environment: {},
            config: {},
          },
        ])}\n`,
      );
      return;
    case "stack output":
      print(`${JSON.stringify(existing().outputs, null, 2)}\n`);
      return;
    case "config": {
      const values = Object.entries(existing().config ?? {}).map(([configKey, value]) => [
        `${project()}:${configKey}`,
        { value, secret: false },
      ]);
      print(`${JSON.stringify(Object.fromEntries(values), null, 2)}\n`);
      return;
    }
    case "destroy": {
      const destroyed = existing();
      if (!args.includes("--yes")) fail("--yes must be passed in to proceed when running in non-interactive mode");
      print(`Destroying (${name}):\n - ${destroyed.resourceCount} resources deleted\n`);
      destroyed.resourceCount = 0;
      destroyed.outputs = {};
      save();
      return;
    }
    case "stack select": {
      const selected = name ?? words[2] ?? "";
      if (!state.stacks[selected]) {
        if (!args.includes("--create")) fail(`no stack named '${selected}' found`);
        state.stacks[selected] = { resourceCount: 0, outputs: {} };
      }
      state.current = selected;
      state.backend = invocation.backendUrl;
      save();
      return;
    }
    case "up": {
      const updated = existing();
      if (!args.includes("--yes")) {
        // Pulumi's own refusal without a terminal; at a terminal it previews, then asks.
        if (!invocation.stdinIsTerminal) {
          fail("--yes or --skip-preview must be passed in to proceed when running in non-interactive mode");
        }
        if (invocation.typedAnswer === undefined) throw new Prompt();
        if (!invocation.typedAnswer.trim().startsWith("y")) {
          fail("confirmation declined, not proceeding with the update");
        }
      }
      updated.resourceCount = 24;
      updated.lastUpdate = "2026-11-27T00:00:00.000Z";
      state.backend = invocation.backendUrl;
      save();
      print(`Updating (${name}):\nResources:\n    + 24 created\n`);
      return;
    }
    case "stack rm": {
      const removed = name ?? words[2] ?? "";
      const removedStack = state.stacks[removed] ?? fail(`no stack named '${removed}' found`);
      if (removedStack.resourceCount > 0) {
        fail(`'${removed}' still has resources; removal rejected. Possible actions: ...`);
      }
      delete state.stacks[removed];
      save();
      print(`Stack '${removed}' has been removed!\n`);
      return;
    }
    default:
      fail(`the stand-in pulumi does not know '${args.join(" ")}'`, 2);
  }
}
