/**
 * The contract between `npm run preflight`'s runner and its checks. Each check is read-only, talks to Azure only
 * through the official `@azure/arm-*` clients with the context's credential and endpoint, and answers one or more
 * results: pass / warn / fail, what it found, and how to fix it.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { PipelineRetryOptions } from "@azure/core-rest-pipeline";
import type { StackConfig } from "../../../lib/config";
import type { PlannedAzureResource } from "./arm-body";

export type CheckStatus = "pass" | "warn" | "fail";

/** One line of the preflight report. */
export interface CheckResult {
  /** Stable id of the check (`providers`, `role-assignment-rights`, `model`, ...), used in --json and tests. */
  check: string;
  status: CheckStatus;
  /** What was found, in one sentence. */
  found: string;
  /** What to do about a warn or fail: an exact command where there is one. */
  fix?: string;
  /** The whole error behind a failed call (the credential chain's report, ARM's message), shown with --verbose. */
  detail?: string;
}

/** What every check may use. */
export interface PreflightContext {
  stack: string;
  /** The stack's validated configuration (as `pulumi up` would read it). */
  config: StackConfig;
  /** The subscription and tenant `pulumi up` will deploy into. */
  subscriptionId: string;
  tenantId: string;
  /** The signed-in identity, as the deploy will use it. */
  credential: TokenCredential;
  /** Resource Manager endpoint: https://management.azure.com, or a stand-in on 127.0.0.1 in tests. */
  armEndpoint: string;
  /** Injected clock: deprecation and retirement dates are judged against it. */
  now: Date;
  /** `--fix`: the checks that can repair (resource provider registration) may do so. */
  fix: boolean;
  /** How the ARM clients retry; the SDK's default unless a test asks for fewer retries. */
  retryOptions?: PipelineRetryOptions;
  /**
   * The resources `pulumi up` would create for this stack: the program run offline under the mock engine with the
   * stack's config (arm-body.ts `plannedResources`). The runner runs it once and every check shares the answer.
   */
  plannedResources: () => Promise<PlannedAzureResource[]>;
}

export type PreflightCheck = (context: PreflightContext) => Promise<CheckResult[]>;
