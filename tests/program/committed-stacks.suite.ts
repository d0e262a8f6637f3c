/**
 * The committed stacks (every Pulumi.<stack>.yaml beside Pulumi.yaml) against the repository's retirement table
 * (lib/model-retirements.json). A pin past a retirement date the table knows is shown on every `npm test` run with
 * the offline plan's own warning (test diagnostics and stderr) but fails nothing: a test must not start failing only
 * because the calendar moved. What does fail: a committed pin that does not parse, and a warning that would not fire
 * for a known retirement.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseDeployment } from "../../lib/config";
import { readStackConfig } from "../../scripts/core/stack-config";
import { planInThread } from "../support/shared-runs";

const ROOT = join(__dirname, "..", "..");

/** The plan's sentence for a retired pin (scripts/core/plan/run.ts): deployment, model, version and the day. */
const RETIRED_PIN_WARNING = /^deployment '[^']+' pins \S+ \S+, retired on \d{4}-\d{2}-\d{2} /;

function committedStacks(): string[] {
  return readdirSync(ROOT)
    .flatMap((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1] ?? [])
    .sort();
}

/** The deployment strings Pulumi.<stack>.yaml lists under `deployments`, read as the plan reads them. */
function pinsOf(stack: string): string[] {
  const config = readStackConfig(ROOT, stack);
  const listed = config.values[`${config.project}:deployments`];
  if (listed === undefined) return [];
  const pins: unknown = JSON.parse(listed);
  assert.ok(
    Array.isArray(pins) && pins.every((pin) => typeof pin === "string"),
    `Pulumi.${stack}.yaml: deployments is a list of strings (${listed})`,
  );
  return pins;
}

/** What `npm run plan` would warn about the stack's pins retired on or before `now`, with this project's program. */
async function retiredPinWarnings(projectDir: string, stack: string, now: Date): Promise<string[]> {
  const plan = await planInThread({ projectDir, stack, program: join(ROOT, "index.ts"), now });
  return plan.warnings.filter((warning) => RETIRED_PIN_WARNING.test(warning));
}

describe("committed stacks against the retirement table", () => {
  const stacks = committedStacks();

  test("the committed stacks are found", () => {
    assert.ok(stacks.includes("dev") && stacks.includes("prod"), stacks.join(", "));
  });

  for (const stack of stacks) {
    test(`Pulumi.${stack}.yaml: every pin parses; a pin past a known retirement date warns without failing`, async (t) => {
      const problems: string[] = [];
      for (const [index, pin] of pinsOf(stack).entries()) parseDeployment(pin, index, problems);
      assert.deepEqual(problems, [], `Pulumi.${stack}.yaml`);

      for (const warning of await retiredPinWarnings(ROOT, stack, new Date())) {
        const line = `stack ${stack}: ${warning}`;
        t.diagnostic(line);
        process.stderr.write(`warning: ${line}\n`);
      }
    });
  }

  test("the warning fires from the retirement day of a known row on, and not before", async () => {
    // A row of Azure's retirement table (MicrosoftDocs/azure-ai-docs articles/foundry/openai/includes/retirement/
    // models.md): gpt-4.1-mini 2025-04-14 retires on 2026-10-14.
    const projectDir = mkdtempSync(join(tmpdir(), "committed-stacks-"));
    try {
      writeFileSync(join(projectDir, "Pulumi.yaml"), readFileSync(join(ROOT, "Pulumi.yaml")));
      writeFileSync(
        join(projectDir, "Pulumi.retired.yaml"),
        "config:\n  keyless-openai:compute: none\n  keyless-openai:deployments:\n    - name=chat,model=gpt-4.1-mini,version=2025-04-14\n",
      );
      const onTheDay = await retiredPinWarnings(projectDir, "retired", new Date("2026-10-14T00:00:00Z"));
      assert.equal(onTheDay.length, 1, onTheDay.join("\n"));
      assert.match(
        onTheDay[0] ?? "",
        /^deployment 'chat' pins gpt-4\.1-mini 2025-04-14, retired on 2026-10-14 .*npm run models -- --stack retired --renew$/,
      );
      assert.deepEqual(await retiredPinWarnings(projectDir, "retired", new Date("2026-10-13T23:59:59Z")), []);
    } finally {
      rmSync(projectDir, { recursive: true, force: true });
    }
  });
});
