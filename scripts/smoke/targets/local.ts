/**
 * Target `local`: the person or pipeline running the command (scripts/core/azure-credential.ts: `az login` on a
 * workstation, GitHub OIDC in Actions), calling the model from this machine.
 */
import type { TokenCredential } from "@azure/identity";
import { modelCaller } from "../../../function-app/src/smoke-check";
import { diagnosisFor } from "../../../lib/diagnosis";
import type { StackOutputs } from "../outputs";
import { type Clock, REAL_CLOCK, type TargetResult, tryUntilDone, type WaitPolicy } from "../wait";
import { describeIdentity } from "./identity";

/** What the local target says about a private account, at once, instead of waiting out the deadline. */
export const PRIVATE_ACCOUNT_NOTE =
  'The account is private (networkMode "private": public network access is disabled), so this machine cannot reach it. ' +
  "Test from inside its virtual network: `npm run smoke -- --target vm` (the run command executes on the VM in the VNet), " +
  "or run `npm run smoke -- --target local --inside-network` on a machine in the VNet (or peered / VPN) that resolves the private endpoint.";

export function smokeLocal(
  outputs: StackOutputs,
  credential: TokenCredential,
  policy: WaitPolicy,
  log: (line: string) => void,
  options: { insideNetwork?: boolean; clock?: Clock } = {},
): Promise<TargetResult> {
  if (outputs.networkMode === "private" && !options.insideNetwork) {
    return Promise.resolve({
      target: "local",
      identity: "you (this machine, outside the account's network)",
      outcome: "failed",
      status: 0,
      diagnosis: diagnosisFor("network_blocked", { detail: "networkMode private" }),
      attempts: 0,
      elapsedMs: 0,
      note: PRIVATE_ACCOUNT_NOTE,
    });
  }
  const callModel = modelCaller(
    { endpoint: outputs.endpoint, deployment: outputs.defaultDeployment },
    credential,
    "caller",
  );
  return tryUntilDone(
    "local",
    async (elapsedMs) => {
      const call = await callModel(elapsedMs);
      return {
        status: call.status,
        diagnosis: call.diagnosis,
        identity: describeIdentity(call.identity),
        ...(call.reply === undefined ? {} : { reply: call.reply }),
      };
    },
    policy,
    log,
    options.clock ?? REAL_CLOCK,
  );
}
