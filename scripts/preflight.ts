/**
 * `npm run preflight -- --stack NAME [--json] [--fix]`: asks Azure, read-only and as the signed-in identity, what
 * would make `pulumi up` fail half-way, and says how to fix it. `npm run deploy` runs the same checks first.
 */
import { performance } from "node:perf_hooks";
import { armEndpoint } from "./core/arm-endpoint";
import { type CommandIo, defineCommand, EXIT, processIo, runCommand, runMain, UsageError } from "./core/cli";
import { CHECK_LIST, FIRST_STEPS } from "./core/preflight/check-list";
import { renderJson, renderText } from "./core/preflight/render";

function wrap(text: string, indent: string, width = 116): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && indent.length + line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.map((text) => `${indent}${text}`).join("\n");
}

const checkList = [...FIRST_STEPS, ...CHECK_LIST]
  .map((check) => `  ${check.id}\n${wrap(check.describes, "      ")}`)
  .join("\n");

const SPEC = defineCommand({
  name: "preflight",
  summary: `Asks Azure, read-only and as the signed-in identity (DefaultAzureCredential: az login, or your CI's
credential), whether pulumi up would succeed for the stack, and prints one line per check: PASS, WARN or FAIL, what was
found, and how to fix it. npm run deploy runs the same checks before pulumi up (--skip-preflight skips them).`,
  options: {
    stack: {
      type: "string",
      valueName: "NAME",
      required: true,
      description: "the stack whose Pulumi.<stack>.yaml to check",
    },
    json: { type: "boolean", description: "print the report as JSON instead of text" },
    fix: {
      type: "boolean",
      description: "repair what can be repaired: register missing resource providers (the only write)",
    },
    verbose: {
      type: "boolean",
      description: "under a call that failed, print the whole error (the sign-in chain's report, ARM's message)",
    },
    "arm-endpoint": {
      type: "string",
      valueName: "URL",
      description:
        "Resource Manager endpoint (default KEYLESS_ARM_ENDPOINT when set, else https://management.azure.com)",
    },
    "project-dir": {
      type: "string",
      valueName: "DIR",
      description: "where Pulumi.yaml and Pulumi.<stack>.yaml are (default: this repository)",
    },
  },
  exitCodes: { ok: "nothing failed (warnings allowed)", failed: "a check failed" },
  footer: `Checks, in order (config and identity first: without them nothing else can run):
${checkList}`,
});

export function main(argv: readonly string[], io: CommandIo = processIo, env = process.env): Promise<number> {
  return runCommand(
    SPEC,
    argv,
    async ({ values }) => {
      const stack = values.stack;
      if (!stack) throw new UsageError("--stack NAME is required");
      if (!/^[A-Za-z0-9_.-]+$/.test(stack))
        throw new UsageError(`stack name ${JSON.stringify(stack)} may only hold letters, digits, '-', '_' and '.'`);
      // Loaded once the command line is valid: --help and usage errors need neither Pulumi nor the Azure SDKs.
      // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
      const { runPreflight } = await import("./core/preflight/run.js");
      const started = performance.now();
      const report = await runPreflight({
        stack,
        fix: values.fix === true,
        armEndpoint: armEndpoint(env, values["arm-endpoint"]),
        ...(values["project-dir"] ? { projectDir: values["project-dir"] } : {}),
        env,
      });
      const elapsed = performance.now() - started;
      const render = { verbose: values.verbose === true };
      io.out(values.json ? renderJson(report, elapsed, render) : renderText(report, elapsed, render));
      return report.exitCode === 0 ? EXIT.ok : EXIT.failed;
    },
    io,
  );
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
