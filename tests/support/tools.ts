/**
 * One rule for every external tool a test needs (the README's "What `npm test` needs" lists each):
 * - present: the test runs;
 * - missing under CI=true: the test file fails at once with the install command (CI must have it);
 * - missing locally: the test is skipped loudly, with the install command in the skip reason and on stderr.
 * Use as `test("...", { skip: missingTool("shellcheck") }, ...)` or on a `describe`.
 */
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";

/** Tools the tests use, with how to install each on Debian/Ubuntu. */
export const TEST_TOOLS = {
  bash: "apt-get install -y bash",
  shellcheck: "apt-get install -y shellcheck",
  python3: "apt-get install -y python3",
  curl: "apt-get install -y curl",
  unzip: "apt-get install -y unzip",
  git: "apt-get install -y git",
  script: "apt-get install -y bsdutils (provides `script`, for pseudo-terminal tests)",
  openssl: "apt-get install -y openssl (the stand-ins' TLS certificates)",
} as const;

/** The Debian package of each tool: the first word after `apt-get install -y` (README and .ci/run list them). */
export function debianPackageOf(tool: TestTool): string {
  const match = /^apt-get install -y (\S+)/.exec(TEST_TOOLS[tool]);
  if (!match?.[1]) throw new Error(`TEST_TOOLS.${tool} does not start with "apt-get install -y PACKAGE"`);
  return match[1];
}

export type TestTool = keyof typeof TEST_TOOLS;

const found = new Map<TestTool, boolean>();

function isInstalled(tool: TestTool): boolean {
  let known = found.get(tool);
  if (known === undefined) {
    known = spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0;
    found.set(tool, known);
  }
  return known;
}

/**
 * `false` when every tool is installed; otherwise the skip reason (locally), or throws (under CI=true).
 * `environment`, `installed` and `warn` are injectable so that the rule's own tests, which pretend tools are missing,
 * print nothing: `npm test` says SKIPPING only for a tool that is really missing.
 */
export function missingTool(
  tools: TestTool | readonly TestTool[],
  environment: NodeJS.ProcessEnv = process.env,
  installed: (tool: TestTool) => boolean = isInstalled,
  warn: (line: string) => void = (line) => process.stderr.write(line),
): string | false {
  const missing = (typeof tools === "string" ? [tools] : tools).filter((tool) => !installed(tool));
  if (missing.length === 0) return false;
  const message = missing.map((tool) => `${tool} is not installed (${TEST_TOOLS[tool]})`).join("; ");
  if (environment.CI === "true") throw new Error(`${message}: CI must install it (.ci/run does)`);
  warn(`SKIPPING tests that need ${missing.join(", ")}: ${message}\n`);
  return message;
}

let interpreterPath: string | undefined;

/**
 * `path` with the directory of the python3 interpreter itself first. A version manager's python3 on PATH is a shim
 * (pyenv's runs a shell and `pyenv exec`, about 0.3 s of CPU per call); scripts/vm/smoke.sh calls python3 on every
 * answer, and the VM runs Ubuntu's /usr/bin/python3 directly. Asked once per process: `sys.executable` names the
 * interpreter the shim would have started, so the script runs the same Python either way.
 */
export function pathWithPythonFirst(path: string = process.env.PATH ?? ""): string {
  if (interpreterPath === undefined) {
    const asked = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
    interpreterPath = asked.status === 0 ? asked.stdout.trim() : "";
  }
  if (!interpreterPath) return path;
  return `${dirname(interpreterPath)}:${path}`;
}
