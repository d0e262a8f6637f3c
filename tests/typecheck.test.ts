/**
 * Previews skip the type-check; `npm run typecheck` does not.
 *
 * @pulumi/pulumi's Node.js runtime (3.276.0, cmd/run/run.js) registers ts-node with `transpileOnly` from
 * PULUMI_NODEJS_TRANSPILE_ONLY, else from `compilerOptions.noCheck` of tsconfig.json, read raw by
 * `tsutils.loadTypeScriptCompilerOptions` (no `extends`). tsconfig.json sets it; tsconfig.all.json, which
 * `npm run typecheck` (in `npm test` and CI) uses, turns it back off. These tests read the option the way Pulumi
 * reads it, and prove that a type error in index.ts, components/ or lib/ fails `npm run typecheck`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as ts from "typescript";

const root = join(__dirname, "..");

/** The function run.js calls (exported by @pulumi/pulumi/tsutils.js, left out of its .d.ts). */
const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
  loadTypeScriptCompilerOptions: (tsConfigPath: string) => Record<string, unknown>;
};

/** `noCheck` as TypeScript resolves it for a config file, `extends` included. */
function resolvedNoCheck(configPath: string): boolean | undefined {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  return parsed?.options.noCheck;
}

describe("type-check: skipped by pulumi preview/up, kept by npm run typecheck", () => {
  test("Pulumi's runtime reads noCheck: true from tsconfig.json, so ts-node only transpiles", () => {
    assert.equal(loadTypeScriptCompilerOptions(join(root, "tsconfig.json")).noCheck, true);
  });

  test("tsconfig.all.json (npm run typecheck) resolves noCheck to false and covers the program", () => {
    assert.equal(resolvedNoCheck(join(root, "tsconfig.all.json")), false);
    const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>;
    // Incremental: a re-run checks only what changed since the build info file (gitignored .build/) was written.
    assert.equal(
      scripts.typecheck,
      "tsc --noEmit --incremental --tsBuildInfoFile .build/tsc/all.tsbuildinfo -p tsconfig.all.json",
    );
    assert.match(scripts.test ?? "", /npm run typecheck/);
  });

  test("a type error in index.ts, components/ or lib/ fails npm run typecheck", () => {
    // A copy of the program with one type error per folder, outside the project so that only @types/node (the
    // `types` tsconfig.json names) resolves: parsing the packages' declarations (azure-native's half a million lines)
    // is most of a full check's cost and decides nothing here, as the probe's error needs no package. Their imports
    // are TS2307 errors; the test asserts each probe's TS2322, which tsc reports only when it type-checks.
    // tsconfig.all.json needs "noCheck": false: without it tsc reports no TS2322 and this test fails.
    const copy = mkdtempSync(join(tmpdir(), "typecheck-probe-"));
    try {
      for (const entry of ["index.ts", "components", "lib", "tsconfig.json", "tsconfig.all.json", "package.json"]) {
        cpSync(join(root, entry), join(copy, entry), { recursive: true });
      }
      mkdirSync(join(copy, "node_modules", "@types"), { recursive: true });
      symlinkSync(join(root, "node_modules", "@types", "node"), join(copy, "node_modules", "@types", "node"));
      const broken = ["index.ts", "components/openai-account.ts", "lib/names.ts"];
      for (const file of broken) {
        const path = join(copy, file);
        writeFileSync(
          path,
          `${readFileSync(path, "utf8")}\nconst typeProbe: number = "not a number";\nvoid typeProbe;\n`,
        );
      }
      // The typecheck script's own arguments, build info file included (absent in the copy: a full check).
      const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>;
      const [command, ...args] = (scripts.typecheck ?? "").split(" ");
      assert.equal(command, "tsc");
      const tsc = require.resolve("typescript/lib/tsc.js");
      const result = spawnSync(process.execPath, [tsc, ...args], {
        cwd: copy,
        encoding: "utf8",
      });
      assert.notEqual(result.status, 0, `tsc passed a program with type errors:\n${result.stdout}`);
      for (const file of broken) {
        // TS2322: Type 'string' is not assignable to type 'number'.
        assert.match(result.stdout, new RegExp(`${file.replace(/[./]/g, "\\$&")}\\(\\d+,\\d+\\): error TS2322`), file);
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
