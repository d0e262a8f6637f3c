/**
 * The offline plan: a fixture program's plan, byte-identical reruns in fresh processes, comparison of two plans,
 * guardrail failure and exit codes, and the real dev stack passing every guardrail.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { comparePlans } from "../scripts/plan/compare";
import type { PlanDocument } from "../scripts/plan/model";
import { renderPlan } from "../scripts/plan/render";
import { planStack } from "../scripts/plan/run";

const FIXTURE = "tests/fixtures/plan";
const ROOT = process.cwd();

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function readPlan(path: string): PlanDocument {
  return JSON.parse(readFileSync(path, "utf8")) as PlanDocument;
}

describe("plan of the fixture program", () => {
  it("lists resources, access matrix, verdicts and masks secrets", async () => {
    const plan = await planStack({ projectDir: FIXTURE, stack: "dev" });
    const types = plan.resources.map((resource) => resource.type);
    for (const type of [
      "azure-native:cognitiveservices:Account",
      "azure-native:compute:VirtualMachine",
      "azure-native:web:WebApp",
      "azure-native:storage:StorageAccount",
    ]) {
      assert.ok(types.includes(type), `plan declares ${type}`);
    }
    const urns = plan.resources.map((resource) => resource.urn);
    assert.deepEqual(urns, [...urns].sort(), "resources sorted by URN");

    assert.deepEqual(
      plan.access.map((row) => [row.principal, row.principalType, row.role]),
      [
        ["VirtualMachine 'vm' (managed identity)", "ServicePrincipal", "CognitiveServicesUser"],
        ["WebApp 'func' (managed identity)", "ServicePrincipal", "CognitiveServicesUser"],
        ["deployer", "User", "CognitiveServicesUser"],
      ],
    );
    assert.ok(plan.access.every((row) => row.scope.endsWith("/resourceGroups/rg-fixture")));

    assert.equal(plan.summary.failures, 0);
    assert.deepEqual([...new Set(plan.verdicts.map((verdict) => verdict.rule))].sort(), [
      "function-app-hardened",
      "linux-vm-keyless",
      "openai-entra-id-only",
      "role-assignment-least-privilege",
      "storage-keyless-private",
      "vm-no-public-ip",
    ]);

    assert.equal(plan.outputs.adminNote, "[secret]", "secret output masked");
    assert.equal(plan.config["keyless-openai:adminNote"], "[secret]", "secure config masked");
    assert.equal(plan.outputs.endpoint, "https://fixture-openai.openai.azure.com/");

    const markdown = renderPlan(plan);
    assert.match(markdown, /```mermaid\nflowchart LR/);
    assert.match(markdown, /-- "CognitiveServicesUser" --> S0/);
    assert.match(markdown, /R\d -\. "system-assigned identity" \.-> P\d/);
    assert.doesNotMatch(markdown, /offline-plan-secret-placeholder/);
  });

  it("two runs in fresh processes are byte-identical (markdown and JSON)", () => {
    const dir = mkdtempSync(join(tmpdir(), "plan-"));
    const first = cli(["--stack", "dev", "--project-dir", FIXTURE, "--json", join(dir, "a.json")]);
    const second = cli(["--stack", "dev", "--project-dir", FIXTURE, "--json", join(dir, "b.json")]);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(second.status, 0, second.stderr);
    assert.ok(first.stdout.length > 1000);
    assert.equal(first.stdout, second.stdout);
    assert.equal(readFileSync(join(dir, "a.json"), "utf8"), readFileSync(join(dir, "b.json"), "utf8"));
  });
});

describe("compare", () => {
  it("finds what another stack adds, removes and alters", async () => {
    const base = await planStack({ projectDir: FIXTURE, stack: "dev" });
    const head = await planStack({ projectDir: FIXTURE, stack: "changed" });
    const comparison = comparePlans(base, head);
    assert.equal(comparison.unchanged, false);
    assert.deepEqual(
      comparison.resources.added.map((resource) => resource.name),
      ["openai-user-alice"],
    );
    assert.deepEqual(comparison.resources.removed, []);
    assert.deepEqual(
      comparison.resources.changed.map((change) => [change.urn.split("::").pop(), change.changes]),
      [["rg", [{ path: "inputs.location", before: "swedencentral", after: "westeurope" }]]],
    );
    assert.deepEqual(
      comparison.access.added.map((row) => row.principal),
      ["alice@contoso.com"],
    );
    assert.deepEqual(
      comparison.verdicts.added.map((verdict) => verdict.name),
      ["openai-user-alice"],
    );
    const reverse = comparePlans(head, base);
    assert.deepEqual(
      reverse.resources.removed.map((resource) => resource.name),
      ["openai-user-alice"],
    );
    assert.equal(comparePlans(base, base).unchanged, true);
  });

  it("reports verdicts that turn from pass to fail, through the CLI with --compare", () => {
    const dir = mkdtempSync(join(tmpdir(), "plan-"));
    const base = join(dir, "base.json");
    assert.equal(cli(["--stack", "dev", "--project-dir", FIXTURE, "--json", base]).status, 0);
    const head = cli(["--stack", "insecure", "--project-dir", FIXTURE, "--compare", base, "--report-only"]);
    assert.equal(head.status, 0, head.stderr);
    const changes = head.stdout.slice(head.stdout.indexOf("# Changes against the base plan"));
    assert.match(changes, /\| changed \| \*\*FAIL\*\* \| `openai-entra-id-only` \|.*disableLocalAuth/);
    assert.match(changes, /\| added \| \*\*FAIL\*\* \| `role-assignment-least-privilege` \|.*Owner/);
    assert.match(changes, /`inputs\.properties\.disableLocalAuth` \| `true` \| `false`/);
    assert.match(changes, /\| added \| deployer \| `User` \| Owner \|/);
  });
});

describe("guardrail failures", () => {
  it("exit 1 and name the failures; --report-only exits 0; the JSON records them", () => {
    const dir = mkdtempSync(join(tmpdir(), "plan-"));
    const json = join(dir, "insecure.json");
    const failing = cli([
      "--stack",
      "insecure",
      "--project-dir",
      FIXTURE,
      "--json",
      json,
      "--markdown",
      join(dir, "p.md"),
    ]);
    assert.equal(failing.status, 1, failing.stderr);
    assert.match(failing.stderr, /2 guardrail check\(s\) failed/);
    assert.match(failing.stdout, /\*\*2 of \d+ guardrail checks fail\*\*/);
    assert.equal(readFileSync(join(dir, "p.md"), "utf8"), failing.stdout);
    const plan = readPlan(json);
    assert.deepEqual(
      plan.verdicts.filter((verdict) => !verdict.passed).map((verdict) => [verdict.rule, verdict.name]),
      [
        ["role-assignment-least-privilege", "deployer-owner"],
        ["openai-entra-id-only", "openai"],
      ],
    );
    assert.equal(cli(["--stack", "insecure", "--project-dir", FIXTURE, "--report-only"]).status, 0);
  });

  it("exit 2 without --stack", () => {
    const result = cli([]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage/);
  });
});

/**
 * The repository's dev stack as it is once `npm run models -- --stack dev --pin` has run: Pulumi.dev.yaml pins no model
 * (no model verifiable as open to new customers could be named when it was written), so the plan of the unpinned
 * file is refused with the pin command, and the pinned copy is what guardrails judge.
 */
function pinnedDevProject(): string {
  const projectDir = mkdtempSync(join(tmpdir(), "plan-dev-"));
  copyFileSync(join(ROOT, "Pulumi.yaml"), join(projectDir, "Pulumi.yaml"));
  writeFileSync(
    join(projectDir, "Pulumi.dev.yaml"),
    `${readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8")}  keyless-openai:deployments:\n    - name=chat,model=gpt-5.4-mini,version=2026-03-17,sku=GlobalStandard,capacity=10\n`,
  );
  return projectDir;
}

describe("the real program", () => {
  it("refuses to plan the dev stack until a model is pinned, naming the command that pins one", async () => {
    await assert.rejects(planStack({ projectDir: ".", stack: "dev" }), /npm run models -- --stack dev --pin/);
  });

  it("plans the pinned dev stack with no guardrail failures", async () => {
    const plan = await planStack({ projectDir: pinnedDevProject(), stack: "dev", program: join(ROOT, "index.ts") });
    const failures = plan.verdicts.filter((verdict) => !verdict.passed);
    assert.deepEqual(failures, []);
    assert.ok(plan.verdicts.some((verdict) => verdict.rule === "openai-entra-id-only"));
    assert.ok(plan.access.length > 0, "at least one role assignment");
  });

  it("allows the VM's public IP exactly when the stack opens SSH to given ranges", async () => {
    const projectDir = mkdtempSync(join(tmpdir(), "plan-ssh-"));
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(projectDir, "Pulumi.yaml"));
    writeFileSync(
      join(projectDir, "Pulumi.ssh.yaml"),
      "config:\n  keyless-openai:compute: vm\n  keyless-openai:sshAllowedCidrs:\n    - 203.0.113.0/24\n  keyless-openai:deployments:\n    - name=chat,model=gpt-5.4-mini,version=2026-03-17\n",
    );
    const plan = await planStack({ projectDir, stack: "ssh", program: join(ROOT, "index.ts") });
    assert.ok(plan.resources.some((resource) => resource.type === "azure-native:network:PublicIPAddress"));
    const publicIpVerdicts = plan.verdicts.filter((verdict) => verdict.rule === "vm-no-public-ip");
    assert.ok(publicIpVerdicts.length > 0);
    assert.deepEqual(
      publicIpVerdicts.filter((verdict) => !verdict.passed),
      [],
    );
  });
});
