/**
 * `npm run bench`: prints figures, asserts nothing.
 *
 * 1. Type-check time and peak memory of the whole project next to a one-line program that imports the azure-native
 *    root, measured in the same run with the same compiler. Target: the project in at most 0.75 of that time.
 * 2. Time to evaluate the whole program under Pulumi's mock engine once modules are loaded. Target: under 300 ms.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

import program = require("../index");

import { runProgram } from "./lib/offline-engine";

const root = join(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Check {
  seconds: number;
  peakMiB: number;
}

/** Runs tsc in a child node process that reports its own peak resident memory when it exits. */
function typeCheck(cwd: string, project: string): Check {
  const tsc = require.resolve("typescript/lib/tsc.js");
  const probe = `process.on("exit",()=>process.stderr.write("MAXRSS="+process.resourceUsage().maxRSS+"\\n"));process.argv=[process.argv[0],${JSON.stringify(tsc)},"--noEmit","-p",${JSON.stringify(project)}];require(${JSON.stringify(tsc)});`;
  const started = performance.now();
  const result = spawnSync(process.execPath, ["-e", probe], { cwd, encoding: "utf8" });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`tsc failed in ${cwd}:\n${result.stdout}${result.stderr}`);
  const maxRss = Number(/MAXRSS=(\d+)/.exec(result.stderr)?.[1] ?? Number.NaN);
  return { seconds, peakMiB: maxRss / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function medianCheck(checks: Check[]): Check {
  return { seconds: median(checks.map((c) => c.seconds)), peakMiB: median(checks.map((c) => c.peakMiB)) };
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
    JSON.stringify({ extends: "../tsconfig.json", include: ["index.ts"], compilerOptions: { noUnusedLocals: false } }),
  );
  return dir;
}

async function main(): Promise<void> {
  const baselineDir = baselineProject();
  try {
    const project: Check[] = [];
    const baseline: Check[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Interleaved, so both see the same machine load.
      baseline.push(typeCheck(baselineDir, "tsconfig.json"));
      project.push(typeCheck(root, "tsconfig.json"));
    }
    const p = medianCheck(project);
    const b = medianCheck(baseline);
    console.log(`Type-check (median of ${RUNS}, tsc --noEmit):`);
    console.log(`  whole project                 ${p.seconds.toFixed(2)} s  ${p.peakMiB.toFixed(0)} MiB peak`);
    console.log(`  one line importing the root   ${b.seconds.toFixed(2)} s  ${b.peakMiB.toFixed(0)} MiB peak`);
    console.log(
      `  ratio time ${(p.seconds / b.seconds).toFixed(2)} (target <= 0.75), memory ${(p.peakMiB / b.peakMiB).toFixed(2)}`,
    );
  } finally {
    rmSync(baselineDir, { recursive: true, force: true });
  }

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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
