/**
 * The house's layering (imports run downward only), checked over the real import graph of the program and the
 * commands, and shown to fail on a synthetic graph that breaks each rule:
 * - scripts/<command>.ts and scripts/<command>/ never import another command's entry or folder;
 * - scripts/core/ never imports a command;
 * - index.ts imports only components/ and lib/; components/, policy/ and function-app/ only lib/ (and their own
 *   folder); lib/ imports nothing of ours outside lib/.
 * And what the program and the commands import at run time is in package.json `dependencies`, so that
 * `npm ci --omit=dev` still previews and runs every command.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative } from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";

const ROOT = join(__dirname, "..");
const SOURCE_ROOTS = ["index.ts", "components", "lib", "policy", "function-app", "scripts"];

/** Project-relative file → the specifiers it imports (static, dynamic, require, re-exports). */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name === "dist") return [];
    const child = join(path, entry.name);
    if (entry.isDirectory()) return sourceFiles(child);
    return /\.(ts|cts|mts|cjs|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [child] : [];
  });
}

function realGraph(): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of SOURCE_ROOTS.flatMap(sourceFiles)) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
    graph.set(
      file,
      info.importedFiles.map((imported) => imported.fileName),
    );
  }
  return graph;
}

/** A relative specifier resolved to a project-relative path without extension (`scripts/core/cli`). */
function resolveLocal(from: string, specifier: string): string {
  const target = relative(ROOT, join(ROOT, dirname(from), specifier));
  return target.replace(/\.(ts|cts|mts|cjs|js)$/, "").replace(/\/index$/, "");
}

/** `scripts/plan.ts` and `scripts/plan/render.ts` → "plan"; shared and non-script files → undefined. */
function commandOf(path: string): string | undefined {
  const match = /^scripts\/([^/]+?)(?:\.\w+$|\/)/.exec(path) ?? /^scripts\/([^/.]+)$/.exec(path);
  const name = match?.[1];
  return name === undefined || name === "core" ? undefined : name;
}

/** The floor a path lives on, for the rules below. */
function floorOf(path: string): string {
  if (path === "index") return "index.ts";
  const top = path.split("/")[0] ?? "";
  if (top === "scripts") return commandOf(path) === undefined ? "scripts/core" : "scripts/<command>";
  return top;
}

/** What each floor outside scripts/ may import, besides its own folder. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  "index.ts": ["components", "lib"],
  components: ["lib"],
  policy: ["lib"],
  "function-app": ["lib"],
  lib: [],
};

/** Every import that breaks the house's layering, as "FROM imports TO: RULE". */
function layeringViolations(graph: ImportGraph): string[] {
  const violations: string[] = [];
  for (const [file, specifiers] of graph) {
    const from = file.replace(/\.(ts|cts|mts|cjs|js)$/, "");
    const fromFloor = floorOf(from);
    for (const specifier of specifiers.filter((spec) => spec.startsWith("."))) {
      const to = resolveLocal(file, specifier);
      const toFloor = floorOf(to);
      const say = (rule: string) => violations.push(`${file} imports ${to}: ${rule}`);
      if (fromFloor === "scripts/<command>" && toFloor === "scripts/<command>" && commandOf(to) !== commandOf(from)) {
        say(`a command (${commandOf(from)}) never imports another command's files (${commandOf(to)})`);
      } else if (fromFloor === "scripts/core" && toFloor === "scripts/<command>") {
        say("scripts/core never imports a command");
      } else if (fromFloor in MAY_IMPORT && toFloor !== fromFloor && !MAY_IMPORT[fromFloor]?.includes(toFloor)) {
        const allowed = MAY_IMPORT[fromFloor] ?? [];
        say(
          `${fromFloor} may import ${allowed.length === 0 ? "nothing of ours above it" : `only ${allowed.join(", ")}`}`,
        );
      }
    }
  }
  return violations.sort();
}

/** Bare package names imported by the graph (`@azure/identity/x` → `@azure/identity`), Node's built-ins left out. */
function packagesImported(graph: ImportGraph): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  for (const [file, specifiers] of graph) {
    for (const specifier of specifiers) {
      if (specifier.startsWith(".") || specifier.startsWith("node:") || builtinModules.includes(specifier)) continue;
      const name = specifier.startsWith("@")
        ? specifier.split("/").slice(0, 2).join("/")
        : (specifier.split("/")[0] ?? "");
      byPackage.set(name, [...(byPackage.get(name) ?? []), file]);
    }
  }
  return byPackage;
}

describe("the house's layering", () => {
  test("a synthetic graph that breaks every rule is refused, rule by rule", () => {
    const graph: ImportGraph = new Map([
      ["scripts/plan.ts", ["./core/cli", "./plan/render", "./smoke/report"]],
      ["scripts/plan/render.ts", ["../core/plan/model", "../destroy/record"]],
      ["scripts/destroy/stale-stacks.ts", ["../destroy", "./record"]],
      ["scripts/core/cli.ts", ["../models"]],
      ["scripts/core/plan/model.ts", ["../offline-engine", "../../../index"]],
      ["index.ts", ["./components", "./lib/config", "./scripts/core/cli"]],
      ["components/linux-vm.ts", ["../lib/naming", "./stack-network", "../policy/rules"]],
      ["policy/rules.ts", ["../lib/constants", "../components/linux-vm"]],
      ["lib/config.ts", ["./constants", "../components"]],
    ]);
    assert.deepEqual(layeringViolations(graph), [
      "components/linux-vm.ts imports policy/rules: components may import only lib",
      "index.ts imports scripts/core/cli: index.ts may import only components, lib",
      "lib/config.ts imports components: lib may import nothing of ours above it",
      "policy/rules.ts imports components/linux-vm: policy may import only lib",
      "scripts/core/cli.ts imports scripts/models: scripts/core never imports a command",
      "scripts/plan.ts imports scripts/smoke/report: a command (plan) never imports another command's files (smoke)",
      "scripts/plan/render.ts imports scripts/destroy/record: a command (plan) never imports another command's files (destroy)",
    ]);
  });

  test("the tree as it stands keeps it", () => {
    const graph = realGraph();
    assert.ok(graph.has("scripts/core/cli.ts") && graph.has("index.ts"), "the graph covers the tree");
    assert.deepEqual(layeringViolations(graph), []);
  });
});

describe("run-time imports are dependencies", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };

  test("every package the program and the commands import is in dependencies, not devDependencies", () => {
    const missing = [...packagesImported(realGraph())]
      .filter(([name]) => !(name in manifest.dependencies))
      .map(([name, files]) => `${name} (imported by ${files[0]})`);
    assert.deepEqual(missing, []);
  });

  test("the runner of every npm command script is a dependency too", () => {
    assert.ok("tsx" in manifest.dependencies, "tsx runs every command (package.json scripts)");
    assert.ok(existsSync(join(ROOT, "node_modules", "tsx")), "tsx is installed");
  });

  test("a devDependency imported at run time is caught", () => {
    const graph: ImportGraph = new Map([["scripts/core/stack-config.ts", ["yaml", "node:fs", "@azure/identity/x"]]]);
    assert.deepEqual([...packagesImported(graph).keys()], ["yaml", "@azure/identity"]);
  });
});
