/**
 * `npm run deploy` end to end against the stand-in `pulumi` CLI (installed where `npx pulumi` looks for its binary):
 * the stack is created on first use, `pulumi up` runs with the passed arguments, and the state backend is the
 * project's local file backend unless PULUMI_BACKEND_URL chooses another.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { deployArguments } from "../scripts/deploy";
import { LOCAL_BACKEND_DIR } from "../scripts/lib/pulumi-cli";
import { installPulumiStandIn, type PulumiStandIn } from "./standins/arm-teardown";

const ROOT = join(__dirname, "..");
const PULUMI_CLI_VERSION = "3.265.0"; // the pinned `pulumi` npm package

function deploy(pulumi: PulumiStandIn, args: string[], extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AZURE_|ARM_|PULUMI_|STACK$|NODE_TEST)/.test(name)) env[name] = value;
  }
  return spawnSync("npm", ["run", "--silent", "deploy", "--", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    env: {
      ...env,
      ...pulumi.env,
      ...extraEnv,
      PATH: [pulumi.env.PATH_PREFIX, dirname(process.execPath), process.env.PATH].join(":"),
    },
  });
}

function standIn(): PulumiStandIn {
  return installPulumiStandIn(mkdtempSync(join(tmpdir(), "deploy-")), PULUMI_CLI_VERSION, { stacks: {} });
}

describe("npm run deploy", () => {
  test("creates the dev stack on first use, runs pulumi up, and keeps state in the project's file backend", () => {
    const pulumi = standIn();
    const result = deploy(pulumi, ["--yes"]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(pulumi.calls(), [
      ["stack", "select", "--create", "dev"],
      ["up", "--stack", "dev", "--yes"],
    ]);
    assert.equal(pulumi.readState().backend, `file://${LOCAL_BACKEND_DIR}`);
    assert.match(result.stdout, /npm run smoke -- --stack dev/);
  });

  test("deploys the named stack to the backend PULUMI_BACKEND_URL names", () => {
    const pulumi = standIn();
    const backend = "azblob://pulumi-state?storage_account=contosostate";
    const result = deploy(pulumi, ["--stack", "prod", "--diff"], { PULUMI_BACKEND_URL: backend });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(pulumi.calls()[1], ["up", "--stack", "prod", "--diff"]);
    assert.equal(pulumi.readState().backend, backend);
  });

  test("a failing pulumi up fails the command with its exit code", () => {
    const pulumi = standIn();
    pulumi.writeState({ stacks: {}, failNext: { up: 1 } });
    const result = deploy(pulumi, []);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /stand-in failure of 'up'/);
  });

  test("argument parsing: --stack, --stack=, $STACK and pass-through", () => {
    assert.deepEqual(deployArguments(["--stack=qa", "--yes"]), { stack: "qa", upArgs: ["--yes"] });
    assert.deepEqual(deployArguments([], { STACK: "pr-3" }), { stack: "pr-3", upArgs: [] });
    assert.throws(() => deployArguments(["--stack"]), /needs a stack name/);
    assert.throws(() => deployArguments(["--stack", "a b"]), /may only hold/);
  });
});
