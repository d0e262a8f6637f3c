/**
 * The hardening every stack gets, and what production adds, as the program declares it under the mock engine.
 * Expected values are copied from the Azure Policy built-ins and ARM references named beside each assertion.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ConfigError, parseConfig } from "../../lib/config";
import { logWorkspaceNameFor } from "../../lib/names";
import { ofType, single } from "../../scripts/core/offline-engine";
import { type SharedRunOptions, sharedRun } from "../support/shared-runs";

const LOCK = "azure-native:authorization:ManagementLockAtResourceGroupLevel";
/** A model pinned as `npm run models -- --pin` writes it: lib/config.ts accepts no stack without one. */
const PINNED = { deployments: JSON.stringify(["name=chat,model=gpt-5.4-mini,version=2026-03-17"]) };
const SCHEDULE = "azure-native:devtestlab:GlobalSchedule";
const STORAGE = "azure-native:storage:StorageAccount";
const WORKSPACE = "azure-native:operationalinsights:Workspace";

/** A production stack: private, as production must be, and protected. */
const PRODUCTION: SharedRunOptions = {
  stack: "prod",
  config: { production: "true", networkMode: "private", protect: "true" },
};

describe("hardening on every stack", () => {
  test("one Log Analytics workspace, Entra-authenticated ingestion only, shared by the account's logs and telemetry", async () => {
    const run = await sharedRun();
    const workspace = single(run, WORKSPACE);
    // Built-in "Log Analytics Workspaces should block non-Azure Active Directory based ingestion":
    // Microsoft.OperationalInsights/workspaces/features.disableLocalAuth must be true.
    assert.deepEqual(workspace.inputs.features, { disableLocalAuth: true });
    assert.equal(workspace.inputs.workspaceName, run.outputs.logAnalyticsWorkspaceName);
    assert.equal(single(run, "azure-native:applicationinsights:Component").inputs.workspaceResourceId, workspace.id);
  });

  test("the dev VM shuts down at 19:00 UTC by default; vmAutoShutdown moves or removes it", async () => {
    const dev = await sharedRun();
    assert.equal(single(dev, SCHEDULE).inputs.name, "shutdown-computevm-vm-dev");
    assert.deepEqual(single(dev, SCHEDULE).inputs.dailyRecurrence, { time: "1900" });
    const later = await sharedRun({ config: { vmAutoShutdown: "22:15" } });
    assert.deepEqual(single(later, SCHEDULE).inputs.dailyRecurrence, { time: "2215" });
    const off = await sharedRun({ config: { vmAutoShutdown: "off" } });
    assert.equal(ofType(off, SCHEDULE).length, 0);
  });

  test("an unprotected stack has no lock; a test stack is never locked", async () => {
    assert.equal(ofType(await sharedRun(), LOCK).length, 0);
    assert.equal(ofType(await sharedRun({ stack: "pr-12" }), LOCK).length, 0);
  });

  test("every resource is tagged with its environment, so the guardrails know a production stack", async () => {
    const run = await sharedRun();
    assert.equal(
      (single(run, "azure-native:resources:ResourceGroup").inputs.tags as Record<string, string>).environment,
      "non-production",
    );
    assert.equal((single(run, STORAGE).inputs.tags as Record<string, string>).environment, "non-production");
  });

  test("vmAutoShutdown accepts auto, off or HH:MM and names the key, value and what is allowed otherwise", () => {
    assert.equal(parseConfig(PINNED, "keyless-openai", "dev").compute.vm.autoShutdownTime, "19:00");
    assert.equal(
      parseConfig({ ...PINNED, production: "true", networkMode: "private" }, "keyless-openai", "prod").compute.vm
        .autoShutdownTime,
      undefined,
    );
    assert.equal(
      parseConfig({ ...PINNED, vmAutoShutdown: "06:05" }, "keyless-openai", "dev").compute.vm.autoShutdownTime,
      "06:05",
    );
    assert.throws(
      () => parseConfig({ ...PINNED, vmAutoShutdown: "24:00" }, "keyless-openai", "dev"),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some(
          (p) => p === 'vmAutoShutdown = "24:00": must be auto, off, or a time HH:MM in UTC such as 19:00',
        ),
    );
  });

  test("the workspace name is log-<stack>-<suffix> within Azure's 4-63 characters", () => {
    assert.equal(logWorkspaceNameFor("dev", "abc123"), "log-dev-abc123");
    assert.equal(logWorkspaceNameFor("Feature/X", "abc123"), "log-feature-x-abc123");
    assert.equal(logWorkspaceNameFor("x".repeat(80), "abc123").length, 63);
  });
});

describe("production", () => {
  test("a protected stack's resource group gets a CanNotDelete lock", async () => {
    const run = await sharedRun(PRODUCTION);
    const lock = single(run, LOCK);
    // Microsoft.Authorization/locks level values: CanNotDelete, ReadOnly.
    assert.equal(lock.inputs.level, "CanNotDelete");
    assert.equal(lock.inputs.resourceGroupName, "rg-keyless-openai-prod");
    assert.ok(lock.dependencies.includes(single(run, "azure-native:resources:ResourceGroup").urn));
  });

  test("storage gets infrastructure encryption, and the VM no auto-shutdown", async () => {
    const run = await sharedRun(PRODUCTION);
    // Built-in "Storage accounts should have infrastructure encryption":
    // Microsoft.Storage/storageAccounts/encryption.requireInfrastructureEncryption must be true.
    const encryption = single(run, STORAGE).inputs.encryption as Record<string, unknown>;
    assert.equal(encryption.requireInfrastructureEncryption, true);
    assert.equal(ofType(run, SCHEDULE).length, 0);
    assert.equal((single(run, STORAGE).inputs.tags as Record<string, string>).environment, "production");
    assert.equal(run.outputs.production, true);
  });
});
