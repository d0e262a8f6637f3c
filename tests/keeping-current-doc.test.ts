/** docs/keeping-current.md shows the renewal pull request and the drift issue exactly as the commands write them. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { produceExamples } from "./support/keeping-current-examples";

const DOC = readFileSync(join(__dirname, "..", "docs", "keeping-current.md"), "utf8");

function markdownBlocks(text: string): string[] {
  return [...text.matchAll(/```text\n([\s\S]*?)\n```/g)].map((match) => match[1] ?? "");
}

test("the doc's examples are what renewal-pr and report-drift post to the GitHub stand-in", async () => {
  const { pullRequest, issue } = await produceExamples();
  assert.match(pullRequest, /^<!-- renewal-pr stack=dev -->/);
  assert.match(issue, /^<!-- report-drift stack=dev -->/);
  assert.deepEqual(markdownBlocks(DOC), [pullRequest.trimEnd(), issue.trimEnd()]);
});

test("the doc's schedule column matches the workflows' cron lines", () => {
  const cron = (file: string) =>
    /cron: "([^"]+)"/.exec(readFileSync(join(__dirname, "..", ".github", "workflows", file), "utf8"))?.[1];
  assert.equal(cron("renew-models.yml"), "23 5 * * 1", "Mondays 05:23 UTC");
  assert.equal(cron("drift.yml"), "41 2 * * *", "nightly 02:41 UTC");
  assert.match(DOC, /Mondays 05:23 UTC/);
  assert.match(DOC, /nightly 02:41 UTC/);
});
