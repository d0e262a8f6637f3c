/**
 * `npm run bench`: prints figures, asserts nothing.
 *
 * 1. The program's start the way `pulumi preview` / `pulumi up` start it: @pulumi/pulumi's Node.js runtime
 *    (cmd/run/run.js) registers ts-node with `transpileOnly` taken from `PULUMI_NODEJS_TRANSPILE_ONLY`, else from
 *    `compilerOptions.noCheck` of tsconfig.json (read raw, `extends` not followed), then loads index.ts. Measured
 *    both ways in a fresh process each: without the type-check (this project's tsconfig.json sets `noCheck: true`)
 *    and with it (`PULUMI_NODEJS_TRANSPILE_ONLY=false`). Target: under 1.5 s without the check.
 * 2. Type-check time and peak memory of the Pulumi program (`tsconfig.json` with `--noCheck false`: index.ts,
 *    components/, lib/) next to a one-line program that imports the azure-native root, measured in the same run with
 *    the same compiler. Target: at most 0.75 of that time. The whole repository (`tsconfig.all.json`, what
 *    `npm run typecheck` checks in `npm test` and CI) is printed beside them.
 * 3. The Function App package: a build from nothing, and the reuse check every evaluation makes.
 * 4. Time to evaluate the whole program under Pulumi's mock engine once modules are loaded. Target: under 300 ms.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildFunctionAppPackage } from "../lib/function-app-package";
import { defineCommand, EXIT, runCommand, runMain, UsageError } from "./core/cli";

const root = join(__dirname, "..");

const SPEC = defineCommand({
  name: "bench",
  summary: `Prints figures, asserts nothing: the program's start as pulumi preview/up load it (ts-node, with and without
the type-check; target under 1.5 s without), type-check time and peak memory next to a one-line program importing the
azure-native root (target at most 0.75 of its time), the Function App package build and reuse check, and the program's
evaluation under mocks (target under 300 ms).`,
  options: {
    runs: {
      type: "string",
      valueName: "N",
      default: "5",
      description: "fresh processes per start and type-check figure; the median is printed",
    },
  },
  exitCodes: { ok: "measured", failed: "a measurement's child process failed (its output is printed)" },
});

/** The --runs value as a positive whole number. */
function runsOf(value: string): number {
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`--runs ${value} is not a positive whole number; give the number of runs, e.g. --runs 5`);
  return runs;
}

interface Check {
  seconds: number;
  peakMiB: number;
  /** User + system CPU time of the child: what the work costs, less dependent on how busy the machine is. */
  cpuSeconds: number;
}

/** Runs `script` in a child node process that reports its own peak resident memory when it exits. */
function measure(cwd: string, script: string, env: NodeJS.ProcessEnv = process.env): Check {
  const probe = `process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("MAXRSS="+u.maxRSS+" CPU="+(u.userCPUTime+u.systemCPUTime)+"\\n")});${script}`;
  const started = performance.now();
  const result = spawnSync(process.execPath, ["-e", probe], { cwd, encoding: "utf8", env });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`child failed in ${cwd}:\n${result.stdout}${result.stderr}`);
  const maxRss = Number(/MAXRSS=(\d+)/.exec(result.stderr)?.[1] ?? Number.NaN);
  const cpuMicros = Number(/CPU=(\d+)/.exec(result.stderr)?.[1] ?? Number.NaN);
  return { seconds, peakMiB: maxRss / 1024, cpuSeconds: cpuMicros / 1e6 };
}

/** tsc --noEmit on `project`, with the type-check forced on (tsconfig.json itself says `noCheck: true`). */
function typeCheck(cwd: string, project: string): Check {
  const tsc = require.resolve("typescript/lib/tsc.js");
  const argv = [tsc, "--noEmit", "--noCheck", "false", "-p", project];
  return measure(cwd, `process.argv=[process.argv[0],...${JSON.stringify(argv)}];require(${JSON.stringify(tsc)});`);
}

/**
 * Loads index.ts as @pulumi/pulumi 3.276.0 cmd/run/run.js does for a CommonJS TypeScript project: ts-node registered
 * with the tsconfig's compiler options over run.js's defaults, `transpileOnly` from PULUMI_NODEJS_TRANSPILE_ONLY or
 * else the tsconfig's `noCheck`.
 */
function pulumiStart(transpileOnlyEnv: "true" | "false" | undefined): Check {
  const script = `
const tsutils = require("@pulumi/pulumi/tsutils");
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
const env = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
const transpileOnly = env ? env === "true" : compilerOptions.noCheck;
require("ts-node").register({
  compiler: "typescript", transpileOnly, project: "tsconfig.json", skipProject: false,
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});
require("./index.ts");`;
  const env = { ...process.env };
  delete env.PULUMI_NODEJS_TRANSPILE_ONLY;
  if (transpileOnlyEnv !== undefined) env.PULUMI_NODEJS_TRANSPILE_ONLY = transpileOnlyEnv;
  return measure(root, script, env);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function medianCheck(checks: Check[]): Check {
  return {
    seconds: median(checks.map((c) => c.seconds)),
    peakMiB: median(checks.map((c) => c.peakMiB)),
    cpuSeconds: median(checks.map((c) => c.cpuSeconds)),
  };
}

/** A one-line program importing the azure-native root, with the project's compiler options. */
function baselineProject(): string {
  const dir = mkdtempSync(join(root, ".bench-"));
  writeFileSync(
    join(dir, "index.ts"),
    'import * as azure from "@pulumi/azure-native";\nexport const resources = azure.resources;\n',
  );
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: "../tsconfig.json",
      include: ["index.ts"],
      compilerOptions: { noUnusedLocals: false, noCheck: false },
    }),
  );
  return dir;
}

async function main(runs: number): Promise<void> {
  const unchecked: Check[] = [];
  const checked: Check[] = [];
  for (let run = 0; run < runs; run++) {
    unchecked.push(pulumiStart(undefined));
    checked.push(pulumiStart("false"));
  }
  const startRow = (label: string, c: Check) =>
    console.log(
      `  ${label.padEnd(52)} ${c.seconds.toFixed(2)} s wall  ${c.cpuSeconds.toFixed(2)} s CPU  ${c.peakMiB.toFixed(0)} MiB peak`,
    );
  console.log(
    `Program start as pulumi preview/up load it (ts-node, median of ${runs}, each in a fresh process; load average ${loadavg()[0]?.toFixed(1)}):`,
  );
  startRow("without type-check (tsconfig.json noCheck: true)", medianCheck(unchecked));
  console.log("    target: under 1.5 s");
  startRow("with type-check (PULUMI_NODEJS_TRANSPILE_ONLY=false)", medianCheck(checked));

  const baselineDir = baselineProject();
  try {
    const program: Check[] = [];
    const repository: Check[] = [];
    const baseline: Check[] = [];
    for (let run = 0; run < runs; run++) {
      // Interleaved, so all three see the same machine load.
      baseline.push(typeCheck(baselineDir, "tsconfig.json"));
      program.push(typeCheck(root, "tsconfig.json"));
      repository.push(typeCheck(root, "tsconfig.all.json"));
    }
    const p = medianCheck(program);
    const r = medianCheck(repository);
    const b = medianCheck(baseline);
    const ratios = (c: Check) =>
      `time ${(c.seconds / b.seconds).toFixed(2)}, memory ${(c.peakMiB / b.peakMiB).toFixed(2)} of the baseline`;
    console.log(`Type-check (median of ${runs}, tsc --noEmit, each in a fresh process):`);
    const row = (label: string, c: Check) =>
      console.log(`  ${label.padEnd(40)} ${c.seconds.toFixed(2)} s  ${c.peakMiB.toFixed(0)} MiB peak`);
    row("baseline: one line importing the root", b);
    row("Pulumi program (tsconfig.json, --noCheck false)", p);
    console.log(`    ${ratios(p)} (target: time <= 0.75)`);
    row("whole repository (tsconfig.all.json)", r);
    console.log(`    ${ratios(r)}`);
  } finally {
    rmSync(baselineDir, { recursive: true, force: true });
  }

  const scratch = mkdtempSync(join(root, ".bench-"));
  try {
    const buildStart = performance.now();
    const built = buildFunctionAppPackage({ outDir: scratch });
    const buildMs = performance.now() - buildStart;
    const reuseStart = performance.now();
    const reused = buildFunctionAppPackage({ outDir: scratch });
    const reuseMs = performance.now() - reuseStart;
    if (built.reused || !reused.reused) throw new Error("expected one build, then one reuse");
    console.log("Function App package (esbuild bundle + deterministic zip):");
    console.log(`  build from nothing            ${buildMs.toFixed(0)} ms (${(built.bytes / 1024).toFixed(0)} KiB)`);
    console.log(`  reuse check, nothing changed  ${reuseMs.toFixed(0)} ms`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  // Loaded here, after the other figures: --help and usage errors need neither the program nor the mock engine.
  // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
  const [{ default: program }, { runProgram }] = await Promise.all([
    import("../index.js"),
    import("./core/offline-engine.js"),
  ]);
  const firstStart = performance.now();
  await runProgram(program); // the first evaluation also loads the azure-native submodules lazily
  const firstMs = performance.now() - firstStart;
  const evaluations: number[] = [];
  for (let run = 0; run < 10; run++) {
    const started = performance.now();
    await runProgram(program);
    evaluations.push(performance.now() - started);
  }
  console.log("Program under mocks (after modules are loaded):");
  console.log(`  first evaluation (cold)       ${firstMs.toFixed(0)} ms`);
  console.log(`  evaluation, median of 10      ${median(evaluations).toFixed(0)} ms (target < 300 ms)`);
  console.log(`  evaluation, slowest of 10     ${Math.max(...evaluations).toFixed(0)} ms`);
}

if (require.main === module)
  runMain(() =>
    runCommand(SPEC, process.argv.slice(2), async ({ values }) => {
      await main(runsOf(values.runs));
      return EXIT.ok;
    }),
  );
