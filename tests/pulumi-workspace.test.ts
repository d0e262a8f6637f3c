/**
 * Which Pulumi CLI the scripts run (scripts/core/pulumi-workspace.ts): the one of the @pulumi/pulumi SDK's version,
 * at `$PULUMI_HOME/versions/<version>/bin`, or at `$PULUMI_HOME/bin` where pulumi/actions installs it in CI
 * (pulumi/actions src/libs/pulumi-cli.ts: `path.join(os.homedir(), '.pulumi')`, then `bin`). A stand-in `pulumi`
 * (a shell script) answers `pulumi version` and records any other call; nothing is downloaded.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { PulumiCliMissingError, runPulumiAtTerminal } from "../scripts/core/pulumi-workspace";

const ROOT = join(__dirname, "..");
const SDK_VERSION = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }
).dependencies["@pulumi/pulumi"];

const scratch = mkdtempSync(join(tmpdir(), "pulumi-workspace-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A PULUMI_HOME whose bin/pulumi says it is `version`; its other calls go to `calls`. */
function homeWithCli(name: string, version: string): { home: string; calls: string } {
  const home = join(scratch, name);
  mkdirSync(join(home, "bin"), { recursive: true });
  const calls = join(home, "calls.txt");
  const executable = join(home, "bin", "pulumi");
  writeFileSync(
    executable,
    `#!/bin/sh\nif [ "$1" = version ]; then echo v${version}; exit 0; fi\necho "$@" >> '${calls}'\nexit 7\n`,
  );
  chmodSync(executable, 0o755);
  return { home, calls };
}

describe("the Pulumi CLI the scripts run", () => {
  test("the SDK's version at $PULUMI_HOME/bin (pulumi/actions' install) is run without a download", async () => {
    const { home, calls } = homeWithCli("actions", "3.276.0");
    let downloads = 0;
    const code = await runPulumiAtTerminal(["stack", "ls"], {
      terminal: false,
      projectDir: scratch,
      env: { PATH: process.env.PATH, PULUMI_HOME: home, PULUMI_BACKEND_URL: `file://${scratch}` },
      download: async () => {
        downloads++;
        return { failure: "not expected" };
      },
    });
    assert.equal(code, 7);
    assert.equal(readFileSync(calls, "utf8"), "stack ls\n");
    assert.equal(downloads, 0);
    assert.equal(SDK_VERSION, "3.276.0", "the stand-in answers the SDK's version");
  });

  test("another version at $PULUMI_HOME/bin is not run: the pinned one is fetched instead", async () => {
    const { home, calls } = homeWithCli("older", "3.265.0");
    let downloads = 0;
    await assert.rejects(
      runPulumiAtTerminal(["stack", "ls"], {
        terminal: false,
        projectDir: scratch,
        env: { PATH: process.env.PATH, PULUMI_HOME: home, PULUMI_BACKEND_URL: `file://${scratch}` },
        download: async () => {
          downloads++;
          return { failure: "pulumi: fetch failed" };
        },
      }),
      (error: unknown) => error instanceof PulumiCliMissingError && error.root === join(home, "versions", "3.276.0"),
    );
    assert.equal(downloads, 1);
    assert.equal(existsSync(calls), false, "the 3.265.0 CLI was never asked to do anything");
  });
});
