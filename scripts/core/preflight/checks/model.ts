/**
 * Preflight check `model`: every configured deployment's model version is one a new customer can deploy today in the
 * account's region with the configured SKU, is not retiring within 90 days, and fits the quota left. Reads the
 * regional catalogue and usages once (models.list + usages.list, see scripts/core/models/catalogue.ts for the calls and
 * their sources) and judges dates against the context's clock. A problem comes with the deployable alternatives and
 * the exact command that pins one.
 */
import { modelPinCommand } from "../../../../lib/config";
import { catalogueClient } from "../../models/azure";
import { type Candidate, chooseModel, judge, readCatalogue } from "../../models/catalogue";
import { pinFamilyCommand } from "../../models/command";
import { UNPINNED_MODEL } from "../../stack-config";
import { failedCall } from "../azure";
import type { CheckResult, PreflightCheck } from "../types";

const CHECK = "model";

function describeCandidate(candidate: Candidate): string {
  return `${candidate.model} ${candidate.version}`;
}

export const modelChecks: PreflightCheck = async (context) => {
  const { config, stack, now } = context;
  let catalogue: Awaited<ReturnType<typeof readCatalogue>>;
  try {
    catalogue = await readCatalogue(
      catalogueClient(
        context.credential,
        context.subscriptionId,
        context.armEndpoint,
        context.retryOptions?.maxRetries,
      ),
      config.location,
    );
  } catch (error) {
    return [failedCall(CHECK, `the model catalogue of ${config.location} could not be read`, error, now)];
  }
  return config.deployments.map((deployment): CheckResult => {
    const choice = chooseModel(catalogue, { sku: deployment.sku, capacity: deployment.capacity, now });
    if (deployment.model === UNPINNED_MODEL) {
      // The stack pins no model: `npm run deploy` pins the chooser's pick first (scripts/core/models).
      return choice.chosen
        ? {
            check: CHECK,
            status: "warn",
            found: `deployment '${deployment.name}' pins no model: the first deploy would pin ${describeCandidate(choice.chosen)}, what npm run models picks for ${deployment.sku} with capacity ${deployment.capacity} in ${config.location}`,
            fix: modelPinCommand(stack),
          }
        : {
            check: CHECK,
            status: "fail",
            found: `deployment '${deployment.name}' pins no model, and no chat model is deployable in ${config.location} as ${deployment.sku} with capacity ${deployment.capacity} for the first deploy to pin`,
            fix: "choose another region (location) or SKU, lower the capacity, or request quota",
          };
    }
    const label = `deployment '${deployment.name}' (${deployment.model} ${deployment.version}, ${deployment.sku}, capacity ${deployment.capacity})`;
    const findings = judge(catalogue, deployment, now);
    if (findings.length === 0) {
      return {
        check: CHECK,
        status: "pass",
        found: `${label} is open to new customers in ${config.location}, not retiring within 90 days, and fits the quota left`,
      };
    }
    // The usages list does not report every quota: unknown is not zero, and says nothing about other models.
    if (findings.every((finding) => finding.kind === "quota-unknown")) {
      return {
        check: CHECK,
        status: "warn",
        found: `${label}: ${findings.map((finding) => finding.message).join("; ")}, so preflight cannot tell whether capacity ${deployment.capacity} fits`,
        fix: `compare with the quota Azure shows: az cognitiveservices usage list --location ${config.location} (or the Quotas page of the Azure AI Foundry portal); pulumi up fails with InsufficientQuota if it does not fit`,
      };
    }
    const deployable = [choice.chosen, ...choice.alternatives].filter(
      (candidate): candidate is Candidate => candidate !== undefined && candidate.model !== deployment.model,
    );
    const sameFamily = choice.alternatives
      .concat(choice.chosen ? [choice.chosen] : [])
      .find((candidate) => candidate.model === deployment.model && candidate.version !== deployment.version);
    const switchTo = sameFamily ?? deployable[0];
    const fix = switchTo
      ? `deployable instead: ${[switchTo, ...deployable.filter((candidate) => candidate !== switchTo)].slice(0, 4).map(describeCandidate).join(", ")}; switch with: ${pinFamilyCommand(stack, switchTo.model, deployment.name)}`
      : `no chat model is deployable in ${config.location} as ${deployment.sku} with capacity ${deployment.capacity}: choose another region (location) or SKU, lower the capacity, or request quota`;
    return {
      check: CHECK,
      status: findings.some((finding) => finding.severity === "fail") ? "fail" : "warn",
      found: `${label}: ${findings.map((finding) => finding.message).join("; ")}`,
      fix,
    };
  });
};
