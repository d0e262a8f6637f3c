/**
 * A child process run without blocking this one (the stand-ins it talks to run in this process), its output captured.
 */
import { spawn } from "node:child_process";

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command ...args` in `cwd` with `env`, stdin closed; resolves when it exits. */
export function runChild(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
