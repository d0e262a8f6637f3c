import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { inflateRawSync } from "node:zlib";
import { buildFunctionAppPackage, deterministicZip, WORKER_PROVIDED_MODULES } from "../lib/function-app-package";
import { missingTool } from "./support/tools";

const REPO_ROOT = resolve(__dirname, "..");
const FIXTURE_APP = "tests/fixtures/function-app";
/** Scratch space inside the repository (git-ignored), so copies of the fixture still resolve node_modules. */
const SCRATCH = join(REPO_ROOT, ".build", `build-test-${process.pid}`);
const EXPECTED_ENTRIES = ["host.json", "package.json", "dist/index.js"];

after(() => rmSync(SCRATCH, { recursive: true, force: true }));

/** unzip (Debian package) reads the package as the Functions host would: an independent check of the format. */
const needsUnzip = { skip: missingTool("unzip") };

function unzipList(zipPath: string): string[] {
  return execFileSync("unzip", ["-Z1", zipPath], { encoding: "utf8" }).trim().split("\n");
}

/** A stand-in for the worker's `@azure/functions-core`: records what the bundle registers, prints it on exit. */
const CORE_API_STUB = `
const registered = [];
module.exports = {
  setProgrammingModel() {},
  registerHook() { return { dispose() {} }; },
  log() {},
  registerFunction(metadata) { registered.push({ name: metadata.name, bindings: metadata.bindings }); return { dispose() {} }; },
};
process.on("exit", () => process.stdout.write(JSON.stringify(registered)));
`;

interface Registration {
  name: string;
  bindings: Record<string, { type: string; direction: string; authLevel?: string }>;
}

/**
 * Unzips the package into an empty directory outside the repository (so nothing resolves from the project's
 * node_modules), adds only the worker-provided module, and loads `main` with Node: what the Functions worker does.
 */
function loadLikeTheWorker(zipPath: string): Registration[] {
  const site = mkdtempSync(join(tmpdir(), "fn-site-"));
  try {
    execFileSync("unzip", ["-q", zipPath, "-d", site]);
    const core = join(site, "node_modules", "@azure", "functions-core");
    mkdirSync(core, { recursive: true });
    writeFileSync(join(core, "index.js"), CORE_API_STUB);
    const { main } = JSON.parse(readFileSync(join(site, "package.json"), "utf8")) as { main: string };
    const out = execFileSync(process.execPath, ["-e", `require(${JSON.stringify(`./${main}`)})`], {
      cwd: site,
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "" },
    });
    return JSON.parse(out) as Registration[];
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
}

describe("the zip's bytes do not depend on the machine", () => {
  // A fixed input and the SHA-256 of its zip, committed: the zip must be byte-identical on every machine and Node.js
  // version, or an unchanged app redeploys when the machine changes. Deflate is pure JavaScript (fflate, pinned), so
  // no zlib build is involved; this digest changes only if the zip format code or the pinned fflate changes (then
  // every stack redeploys its Function App once: update the digest knowingly).
  // A zlib build's deflate (node:zlib deflateRawSync, level 9) gives another digest, so this test catches a switch to it.
  const text = Array.from({ length: 400 }, (_, i) => `export const value${i} = "keyless-openai ${i % 7}";\n`).join("");
  const entries = [
    { name: "host.json", data: Buffer.from('{\n  "version": "2.0"\n}\n') },
    { name: "dist/index.js", data: Buffer.from(text) },
  ];

  test("a fixed input gives the committed SHA-256", () => {
    const zip = deterministicZip(entries);
    assert.equal(
      createHash("sha256").update(zip).digest("hex"),
      "77ef4f1d93356c205d9c01e4d71dd417478b90e680236b9417a8fc0e2b129482",
    );
    assert.equal(zip.length, 1771);
  });

  test("each entry is standard raw deflate that node:zlib inflates back to the input", () => {
    const zip = deterministicZip(entries);
    let offset = 0;
    for (const entry of entries) {
      assert.equal(zip.readUInt32LE(offset), 0x04034b50, "local file header");
      assert.equal(zip.readUInt16LE(offset + 8), 8, "method deflate");
      const compressedSize = zip.readUInt32LE(offset + 18);
      const nameLength = zip.readUInt16LE(offset + 26);
      const start = offset + 30 + nameLength;
      assert.equal(zip.subarray(offset + 30, start).toString("utf8"), entry.name);
      assert.deepEqual(inflateRawSync(zip.subarray(start, start + compressedSize)), entry.data);
      offset = start + compressedSize;
    }
  });
});

describe("function-app-package", () => {
  test("same inputs give a byte-identical zip and the same SHA-256", () => {
    const first = buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir: join(SCRATCH, "a") });
    const second = buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir: join(SCRATCH, "b") });
    assert.equal(second.sha256, first.sha256);
    assert.ok(readFileSync(first.absoluteZipPath).equals(readFileSync(second.absoluteZipPath)));
    assert.match(first.sha256, /^[0-9a-f]{64}$/);
    assert.equal(first.bytes, readFileSync(first.absoluteZipPath).length);
  });

  test(
    "the zip holds host.json, package.json and the single bundle, with valid CRCs and fixed timestamps",
    needsUnzip,
    () => {
      const built = buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir: join(SCRATCH, "layout") });
      assert.deepEqual(built.entries, EXPECTED_ENTRIES);
      assert.deepEqual(unzipList(built.absoluteZipPath), EXPECTED_ENTRIES);
      execFileSync("unzip", ["-tq", built.absoluteZipPath]); // throws on a CRC or structure error
      const verbose = execFileSync("unzip", ["-Zl", built.absoluteZipPath], { encoding: "utf8" });
      for (const entry of EXPECTED_ENTRIES) {
        assert.match(verbose, new RegExp(`-rw-r--r--.*80-Jan-01 00:00 ${entry.replace(".", "\\.")}`), verbose);
      }
      const manifest = JSON.parse(
        execFileSync("unzip", ["-p", built.absoluteZipPath, "package.json"], { encoding: "utf8" }),
      );
      assert.equal(manifest.main, "dist/index.js");
      assert.equal(built.zipPath, join(".build", `build-test-${process.pid}`, "layout", "function-app.zip"));
    },
  );

  test("a change in the source changes the hash", () => {
    const copy = join(SCRATCH, "changed-app");
    cpSync(join(REPO_ROOT, FIXTURE_APP), copy, { recursive: true });
    const original = buildFunctionAppPackage({ appDir: copy, outDir: join(SCRATCH, "before") });
    const source = join(copy, "src", "index.ts");
    writeFileSync(source, readFileSync(source, "utf8").replace("fixture: true", "fixture: false"));
    const changed = buildFunctionAppPackage({ appDir: copy, outDir: join(SCRATCH, "after") });
    assert.notEqual(changed.sha256, original.sha256);
  });

  test(
    "the bundle loads with nothing but the worker-provided module, and registers the fixture function",
    needsUnzip,
    () => {
      const built = buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir: join(SCRATCH, "load") });
      const registrations = loadLikeTheWorker(built.absoluteZipPath);
      assert.deepEqual(
        registrations.map((r) => r.name),
        ["fixture"],
      );
      assert.deepEqual(WORKER_PROVIDED_MODULES, ["@azure/functions-core"]);
    },
  );

  test(
    "the real app bundles into a package that registers the smoke HTTP function, function-key protected",
    needsUnzip,
    () => {
      const built = buildFunctionAppPackage({ outDir: join(SCRATCH, "real") });
      assert.deepEqual(unzipList(built.absoluteZipPath), EXPECTED_ENTRIES);
      const registrations = loadLikeTheWorker(built.absoluteZipPath);
      assert.deepEqual(
        registrations.map((r) => r.name),
        ["smoke"],
      );
      const trigger = Object.values(registrations[0]?.bindings ?? {}).find((b) => b.type === "httpTrigger");
      assert.equal(trigger?.authLevel, "function");
    },
  );

  test("a second build with nothing changed reuses the zip; the record lists every file esbuild read", () => {
    const outDir = join(SCRATCH, "reuse");
    const first = buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir });
    const second = buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir });
    assert.equal(first.reused, false);
    assert.equal(second.reused, true);
    assert.equal(second.sha256, first.sha256);
    assert.deepEqual(second.entries, EXPECTED_ENTRIES);
    const record = JSON.parse(readFileSync(join(outDir, "function-app.cache.json"), "utf8")) as {
      inputs: Record<string, string>;
    };
    const inputs = Object.keys(record.inputs);
    for (const expected of [
      `${FIXTURE_APP}/src/index.ts`,
      `${FIXTURE_APP}/host.json`,
      `${FIXTURE_APP}/package.json`,
      "package-lock.json",
    ]) {
      assert.ok(inputs.includes(expected), `${expected} missing from ${inputs.join(", ")}`);
    }
    assert.ok(inputs.some((path) => path.startsWith("node_modules/@azure/functions/")));
  });

  test("a change in any file the bundle read, even outside the app folder, builds again", () => {
    const copy = join(SCRATCH, "outside-app");
    cpSync(join(REPO_ROOT, FIXTURE_APP), copy, { recursive: true });
    const shared = join(SCRATCH, "shared-greeting.ts");
    writeFileSync(shared, 'export const greeting = "hello";\n');
    const entry = join(copy, "src", "index.ts");
    writeFileSync(
      entry,
      `import { greeting } from "../../shared-greeting";\n${readFileSync(entry, "utf8").replace("fixture: true", "fixture: greeting")}`,
    );
    const outDir = join(SCRATCH, "outside-out");
    const original = buildFunctionAppPackage({ appDir: copy, outDir });
    assert.equal(buildFunctionAppPackage({ appDir: copy, outDir }).reused, true);
    writeFileSync(shared, 'export const greeting = "changed";\n');
    const changed = buildFunctionAppPackage({ appDir: copy, outDir });
    assert.equal(changed.reused, false);
    assert.notEqual(changed.sha256, original.sha256);
    writeFileSync(join(copy, "host.json"), JSON.stringify({ version: "2.0" }));
    assert.equal(buildFunctionAppPackage({ appDir: copy, outDir }).reused, false);
  });

  test("a zip altered or removed since its build is rebuilt, not trusted", () => {
    const outDir = join(SCRATCH, "tampered");
    const built = buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir });
    writeFileSync(built.absoluteZipPath, "not the zip");
    const rebuilt = buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir });
    assert.equal(rebuilt.reused, false);
    assert.equal(rebuilt.sha256, built.sha256);
    rmSync(built.absoluteZipPath);
    assert.equal(buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir }).reused, false);
    writeFileSync(join(outDir, "function-app.cache.json"), "{ truncated");
    assert.equal(buildFunctionAppPackage({ appDir: FIXTURE_APP, outDir }).reused, false);
  });

  test("refuses a package.json whose main is not the bundle, or that lists dependencies to install", () => {
    const copy = join(SCRATCH, "bad-main");
    cpSync(join(REPO_ROOT, FIXTURE_APP), copy, { recursive: true });
    const manifestPath = join(copy, "package.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, main: "src/index.js" }));
    assert.throws(() => buildFunctionAppPackage({ appDir: copy, outDir: join(SCRATCH, "x") }), /"main" must be/);
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, dependencies: { openai: "7.57.0" } }));
    assert.throws(() => buildFunctionAppPackage({ appDir: copy, outDir: join(SCRATCH, "x") }), /no dependencies/);
  });
});
