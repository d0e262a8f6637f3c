/** Reads the documents `npm run models -- --check --json` and `--renew --json` print (scripts/core/models/check-report.ts). */
import { readFileSync } from "node:fs";
import { describeError, UsageError } from "../core/cli";
import type { CheckReport, RenewReport } from "../core/models/check-report";

function readDocument(option: string, file: string, kind: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--${option} ${file}: cannot read it (${describeError(error)}); pass the file the step wrote`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(
      `--${option} ${file}: not JSON; write it with \`npm run --silent models -- ... --json > FILE\``,
    );
  }
  const found = (parsed as { kind?: unknown } | null)?.kind;
  if (found !== kind) {
    throw new UsageError(
      `--${option} ${file}: kind is ${JSON.stringify(found)}, expected "${kind}"; pass the models command's --json output`,
    );
  }
  return parsed;
}

export function readCheckReport(file: string, stack: string): CheckReport {
  const report = readDocument("check", file, "keyless-openai-model-check/1") as CheckReport;
  if (report.stack !== stack) {
    throw new UsageError(
      `--check ${file}: it checks stack "${report.stack}", not --stack ${stack}; pass that stack's report`,
    );
  }
  return report;
}

export function readRenewReport(file: string, stack: string): RenewReport {
  const report = readDocument("renew", file, "keyless-openai-model-renew/1") as RenewReport;
  if (report.stack !== stack) {
    throw new UsageError(
      `--renew ${file}: it renews stack "${report.stack}", not --stack ${stack}; pass that stack's report`,
    );
  }
  return report;
}
