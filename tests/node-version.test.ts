/**
 * The Node.js guard every npm script runs first (scripts/core/node-version.cjs): one sentence and exit 3 on a Node.js
 * older than package.json engines, nothing otherwise. The minimum, 22.19.0, is where tls.setDefaultCACertificates
 * arrived (nodejs/node CHANGELOG_V22.md, 22.19.0, #58822).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, test } from "node:test";

const ROOT = join(__dirname, "..");
const GUARD = join(ROOT, "scripts", "core", "node-version.cjs");
const guard = createRequire(__filename)(GUARD) as {
  refusalOf: (version: string, engines: string) => string | null;
};
const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  scripts: Record<string, string>;
};
const SYSTEM_NODE = "/usr/bin/node";

const REFUSAL_ON_20 =
  'This project needs Node.js 22.19.0 or newer (package.json engines.node ">=22.19.0") but this is Node.js 20.20.2: ' +
  "install Node.js 22 with `nvm install` or `fnm install` (both read .nvmrc) and run the command again " +
  '(README, "Getting Node.js 22").';

describe("the Node.js guard", () => {
  test("package.json engines names the version tls.setDefaultCACertificates needs", () => {
    assert.equal(packageJson.engines.node, ">=22.19.0");
  });

  test("an older Node.js gets one sentence naming the version, the requirement and what to do", () => {
    assert.equal(guard.refusalOf("20.20.2", ">=22.19.0"), REFUSAL_ON_20);
    assert.match(guard.refusalOf("22.18.9", ">=22.19.0") ?? "", /but this is Node\.js 22\.18\.9:/);
    assert.match(guard.refusalOf("21.99.0", ">=22.19.0") ?? "", /but this is Node\.js 21\.99\.0:/);
  });

  test("the minimum and anything newer pass", () => {
    for (const version of ["22.19.0", "22.23.3", "23.0.0", "24.11.1"]) {
      assert.equal(guard.refusalOf(version, ">=22.19.0"), null, version);
    }
  });

  test("an engines range it cannot read is an error, not a pass", () => {
    assert.throws(
      () => guard.refusalOf("22.19.0", "^22"),
      /engines\.node must read ">=MAJOR\.MINOR\.PATCH", not "\^22"/,
    );
  });

  const systemVersion = existsSync(SYSTEM_NODE)
    ? spawnSync(SYSTEM_NODE, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim()
    : "";
  const systemIsOld = systemVersion !== "" && guard.refusalOf(systemVersion, packageJson.engines.node) !== null;
  test(`under the system's ${SYSTEM_NODE} (${systemVersion || "absent"}) the guard stops with the sentence and exit 3`, {
    skip: systemIsOld ? false : `${SYSTEM_NODE} is absent or not older than ${packageJson.engines.node}`,
  }, () => {
    const run = spawnSync(SYSTEM_NODE, [GUARD], { cwd: ROOT, encoding: "utf8" });
    assert.equal(run.status, 3);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^This project needs Node\.js 22\.19\.0 or newer \(package\.json engines\.node/);
    assert.equal(run.stderr.trimEnd().split("\n").length, 1, "one sentence on one line");
    assert.ok(run.stderr.includes(`but this is Node.js ${systemVersion}: install Node.js 22`));
  });

  test("under this Node.js the guard prints nothing and exits 0", () => {
    const run = spawnSync(process.execPath, [GUARD], { cwd: ROOT, encoding: "utf8" });
    assert.equal(run.status, 0);
    assert.equal(run.stdout + run.stderr, "");
  });

  test("every npm script runs the guard first, except the steps `npm test` runs after it", () => {
    const unguarded = Object.entries(packageJson.scripts)
      .filter(([, line]) => !line.startsWith("node scripts/core/node-version.cjs && "))
      .map(([name]) => name)
      .sort();
    assert.deepEqual(unguarded, ["format", "lint", "test:unit", "typecheck"]);
    assert.match(packageJson.scripts.test ?? "", /^node scripts\/core\/node-version\.cjs && npm run typecheck/);
  });

  test("the version managers' files and .ci/run's download are Node.js 22 at or above the minimum", () => {
    assert.equal(readFileSync(join(ROOT, ".nvmrc"), "utf8"), "22\n");
    assert.equal(readFileSync(join(ROOT, ".node-version"), "utf8"), "22\n");
    const downloaded = /^NODE_VERSION=(\d+\.\d+\.\d+)/m.exec(readFileSync(join(ROOT, ".ci", "run"), "utf8"))?.[1];
    assert.equal(downloaded, "22.23.3");
    assert.equal(guard.refusalOf(downloaded ?? "", packageJson.engines.node), null);
  });
});
