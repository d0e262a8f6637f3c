/**
 * `npm run preflight` (the command): its option table, usage errors and rendering in-process through `main`, and
 * ONE end-to-end run as a child process (DefaultAzureCredential reaching a stand-in IMDS, KEYLESS_ARM_ENDPOINT,
 * --json and the exit code), as a user or CI runs it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ManagedIdentityCredential } from "@azure/identity";
import type { CommandIo } from "../../scripts/core/cli";
import { renderText } from "../../scripts/core/preflight/render";
import { type PreflightReport, runPreflight } from "../../scripts/core/preflight/run";
import { main } from "../../scripts/preflight";
import { BUILT_IN_ROLE_DEFINITIONS, healthyWorld, type PreflightArmState } from "../standins/arm-preflight";
import { imdsRoutes } from "../standins/identity";
import { SUBSCRIPTION_ID, VM_PRINCIPAL } from "../standins/principals";
import { startStandIn } from "../standins/server";
import { STAND_IN_TENANT_ID } from "../standins/tokens";
import { runChild } from "../support/process";
import {
  armRoutesOf,
  BASE_CONFIG,
  LOCATION,
  NOW,
  needsOpenssl,
  projectWith,
  ROOT,
  STACK,
  useStandIns,
} from "./harness";

const setup = useStandIns();

/** Captures what the command writes. */
function capture(): CommandIo & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    stdout: () => out,
    stderr: () => err,
  };
}

/** The VM's managed identity as Owner: the deployer of a CI run. */
function managedIdentityWorld(): PreflightArmState {
  const world = healthyWorld(SUBSCRIPTION_ID, STAND_IN_TENANT_ID, LOCATION);
  world.roleAssignments.push({
    name: "dddddddd-0000-4000-8000-000000000016",
    scope: `/subscriptions/${SUBSCRIPTION_ID}`,
    roleGuid: BUILT_IN_ROLE_DEFINITIONS.owner.guid,
    principalId: VM_PRINCIPAL.objectId,
    principalType: "ServicePrincipal",
  });
  return world;
}

/**
 * A machine whose sign-in is a managed identity behind a stand-in IMDS (@azure/identity reads the IMDS host from
 * AZURE_POD_IDENTITY_AUTHORITY_HOST), with ARM and the IMDS stand-ins running until `close`.
 */
async function managedIdentityMachine(world: PreflightArmState) {
  const arm = await startStandIn({ routes: armRoutesOf(world), tls: setup.certificate });
  const imds = await startStandIn({ routes: imdsRoutes({ principal: VM_PRINCIPAL }) });
  return { arm, imds, close: async () => Promise.all([arm.close(), imds.close()]) };
}

/** Runs `body` with process.env holding `variables`, then restores them. */
async function withProcessEnv<T>(variables: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe("npm run preflight (the command)", { skip: needsOpenssl, concurrency: 1 }, () => {
  test("--help exits 0, touches nothing and documents every check", async () => {
    const io = capture();
    assert.equal(await main(["--help"], io, {}), 0, io.stderr());
    for (const check of [
      "config",
      "identity",
      "location",
      "providers",
      "resource-rights",
      "role-assignment-rights",
      "purge-rights",
      "model",
      "subdomain",
      "vm-size",
      "flex-consumption",
      "role-assignment-conflicts",
      "azure-policy",
    ]) {
      assert.match(io.stdout(), new RegExp(`^  ${check}$`, "m"), `--help lists ${check}`);
    }
    assert.match(io.stdout(), /^ {2}--verbose {11}under a call that failed, print the whole error/m);
    assert.match(io.stdout(), /Exit codes: 0 nothing failed \(warnings allowed\), 1 a check failed, 2 usage error/);
  });

  test("usage errors exit 2: no --stack, an unknown option, an http endpoint", async () => {
    for (const args of [[], ["--stack", "pf", "--arm-endpoint", "http://127.0.0.1:1"]]) {
      const io = capture();
      assert.equal(await main(args, io, {}), 2, `${args.join(" ")}: ${io.stderr()}`);
      assert.match(io.stderr(), /usage: npm run preflight/);
    }
    const mistyped = capture();
    assert.equal(await main(["--stack", "pf", "--jsn"], mistyped, {}), 2, mistyped.stderr());
    assert.match(
      mistyped.stderr(),
      /^preflight: unknown option --jsn; did you mean --json\? \(npm run preflight -- --help lists the options\)$/m,
    );
  });

  test("--json prints the results, the summary and the exit code; a failed check exits 1 (child process)", async () => {
    const projectDir = projectWith(setup.scratch, "cli-json", { ...BASE_CONFIG, functionAppLocation: "westeurope" });
    const world = managedIdentityWorld();
    const machine = await managedIdentityMachine(world);
    try {
      const env: NodeJS.ProcessEnv = {};
      for (const [name, value] of Object.entries(process.env)) {
        if (!/^(AZURE_|ARM_|IDENTITY_|MSI_|NODE_TEST|PULUMI_)/.test(name)) env[name] = value;
      }
      Object.assign(env, {
        NODE_EXTRA_CA_CERTS: setup.certificate.certPath,
        AZURE_POD_IDENTITY_AUTHORITY_HOST: machine.imds.origin,
        KEYLESS_ARM_ENDPOINT: machine.arm.origin,
        ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
        ARM_USE_MSI: "true",
      });
      const run = await runChild(
        process.execPath,
        [
          "--import",
          "tsx",
          join(ROOT, "scripts", "preflight.ts"),
          "--stack",
          STACK,
          "--json",
          "--project-dir",
          projectDir,
        ],
        ROOT,
        env,
      );
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(run.stdout) as PreflightReport & {
        summary: { pass: number; warn: number; fail: number };
        elapsedMs: number;
      };
      assert.equal(report.stack, STACK);
      assert.equal(report.subscriptionId, SUBSCRIPTION_ID);
      assert.equal(report.exitCode, 1);
      // 13 passes: the 11 other checks and two location lines (location, and functionAppLocation westeurope).
      assert.deepEqual(report.summary, { pass: 13, warn: 0, fail: 1 });
      assert.equal(typeof report.elapsedMs, "number");
      const flex = report.results.find((result) => result.check === "flex-consumption");
      assert.equal(flex?.status, "fail");
      for (const result of report.results) {
        assert.deepEqual(
          Object.keys(result).filter((key) => !["check", "status", "found", "fix"].includes(key)),
          [],
        );
      }
      assert.match(
        report.results.find((result) => result.check === "identity")?.found ?? "",
        /managed identity app bbbbbbbb-1111-4000-8000-000000000002/,
      );
      assert.deepEqual(world.protocolErrors, []);
      console.log(`preflight (child process, stand-in ARM): ${report.elapsedMs} ms inside the command`);
    } finally {
      await machine.close();
    }
  });

  test("identity warns when preflight's token is not the Azure CLI's but azure-native would use the Azure CLI", async () => {
    const projectDir = projectWith(setup.scratch, "cli-warn", BASE_CONFIG);
    const machine = await managedIdentityMachine(managedIdentityWorld());
    try {
      const report = await withProcessEnv({ AZURE_POD_IDENTITY_AUTHORITY_HOST: machine.imds.origin }, () =>
        runPreflight({
          stack: STACK,
          fix: false,
          armEndpoint: machine.arm.origin,
          credential: new ManagedIdentityCredential(),
          projectDir,
          // No ARM_USE_MSI, client secret or OIDC: azure-native would sign in through the Azure CLI.
          env: { ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID },
          now: NOW,
        }),
      );
      assert.equal(report.exitCode, 0, JSON.stringify(report.results, null, 2));
      assert.match(
        renderText(report, 1000),
        /^WARN identity: preflight signed in as managed identity app bbbbbbbb-1111-4000-8000-000000000002 .*, not through the Azure CLI, but azure-native will deploy with the Azure CLI's account/m,
      );
    } finally {
      await machine.close();
    }
  });

  test("text report: one line per check and a summary; exit 0 when nothing fails; --fix registers", async () => {
    const projectDir = projectWith(setup.scratch, "cli-text", BASE_CONFIG);
    const world = managedIdentityWorld();
    world.providers["Microsoft.Network"] = "NotRegistered";
    const machine = await managedIdentityMachine(world);
    try {
      const io = capture();
      const code = await withProcessEnv({ AZURE_POD_IDENTITY_AUTHORITY_HOST: machine.imds.origin }, () =>
        main(["--stack", STACK, "--fix", "--project-dir", projectDir], io, {
          KEYLESS_ARM_ENDPOINT: machine.arm.origin,
          ARM_SUBSCRIPTION_ID: SUBSCRIPTION_ID,
          ARM_USE_MSI: "true",
        }),
      );
      assert.equal(code, 0, io.stdout() + io.stderr());
      const lines = io.stdout().trim().split("\n");
      assert.match(lines[0] ?? "", /^PASS config: stack pf: swedencentral, resource group rg-preflight/);
      assert.ok(
        lines.some((line) =>
          /^WARN providers: --fix started registration: Microsoft\.Network \(Registering\) -- fix: /.test(line),
        ),
      );
      assert.match(
        lines.at(-1) ?? "",
        /^Preflight of stack pf \(subscription 00000000-1111-2222-3333-444444444444\): 12 pass, 1 warn, 0 fail in \d+\.\d s; ready for pulumi up\.$/,
      );
      assert.deepEqual(world.registered, ["Microsoft.Network"]);
    } finally {
      await machine.close();
    }
  });
});
