/**
 * scripts/core/stack-config.ts: the stack files as the commands read them. Mistakes the Pulumi CLI would let through
 * or report without the file are refused in one sentence that names the file or key, the value and the fix.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";

import { readStackConfig, StackConfigError } from "../scripts/core/stack-config";

const root = join(__dirname, "..");
const projects: string[] = [];
after(() => {
  for (const directory of projects) rmSync(directory, { recursive: true, force: true });
});

/** A copy of this project's Pulumi.yaml and package.json with one stack file. */
function projectWith(stack: string, stackYaml: string): string {
  const directory = mkdtempSync(join(tmpdir(), "stack-config-"));
  projects.push(directory);
  writeFileSync(join(directory, "Pulumi.yaml"), readFileSync(join(root, "Pulumi.yaml"), "utf8"));
  copyFileSync(join(root, "package.json"), join(directory, "package.json"));
  writeFileSync(join(directory, `Pulumi.${stack}.yaml`), stackYaml);
  return directory;
}

function problemsReading(directory: string, stack: string): readonly string[] {
  try {
    readStackConfig(directory, stack);
  } catch (error) {
    assert.ok(error instanceof StackConfigError, `expected StackConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail("expected the stack config to be refused");
}

describe("stack files the commands refuse", () => {
  test("a YAML syntax error names the file, line and column", () => {
    const directory = projectWith("x", "config:\n  keyless-openai:location: swedencentral\n  - broken\n");
    assert.deepEqual(problemsReading(directory, "x"), [
      "Pulumi.x.yaml:3:1: A block sequence may not be used as an implicit map key; fix the YAML there",
    ]);
  });

  test("an empty stack file says what it should contain", () => {
    const directory = projectWith("empty", "");
    assert.deepEqual(problemsReading(directory, "empty"), [
      'Pulumi.empty.yaml is empty: a stack file holds a config: mapping such as "config:\n  keyless-openai:location: swedencentral"; add one or delete the file to plan the defaults',
    ]);
  });

  test("a stack name that is not one is a stack-name error, and no file outside the project is read", () => {
    const directory = projectWith("dev", "config: {}\n");
    assert.deepEqual(problemsReading(directory, "../etc/passwd"), [
      `stack name "../etc/passwd" is not a Pulumi stack name: use letters, digits, '-', '_' or '.' (npm run pulumi -- stack ls lists your stacks)`,
    ]);
    assert.equal(readStackConfig(directory, "acme/keyless-openai/dev").stack, "acme/keyless-openai/dev");
  });

  test("the retired publicNetworkAccess key gets its networkMode equivalent", () => {
    const directory = projectWith("old", "config:\n  keyless-openai:publicNetworkAccess: Disabled\n");
    assert.deepEqual(problemsReading(directory, "old"), [
      'keyless-openai:publicNetworkAccess = "Disabled" is retired: remove it (npm run pulumi -- config rm publicNetworkAccess) and set networkMode = "private" instead',
    ]);
  });

  test("a secure deployments value is refused as a secret pin, not planned as a stack that pins no model", () => {
    const directory = projectWith(
      "sealed",
      "config:\n  keyless-openai:deployments:\n    secure: v1:AAAABBBB:Y2lwaGVydGV4dA==\n",
    );
    assert.deepEqual(problemsReading(directory, "sealed"), [
      "keyless-openai:deployments is a secure value: a model pin is not a secret, and plan, preflight and models must read it; set it in plain text with npm run models -- --stack sealed --pin",
    ]);
  });
});
