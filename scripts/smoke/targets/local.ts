/** Target `local`: the user's own sign-in (DefaultAzureCredential, i.e. `az login` on a workstation). */
import type { TokenCredential } from "@azure/identity";
import { callModelOnce } from "../../../function-app/src/smoke-check";
import type { StackOutputs } from "../outputs";
import { type TargetResult, tryUntilDone, type WaitPolicy } from "../wait";
import { describeIdentity } from "./identity";

export function smokeLocal(
  outputs: StackOutputs,
  credential: TokenCredential,
  policy: WaitPolicy,
  log: (line: string) => void,
): Promise<TargetResult> {
  const settings = {
    endpoint: outputs.endpoint,
    deployment: outputs.defaultDeployment,
    apiVersion: outputs.apiVersion,
  };
  return tryUntilDone(
    "local",
    async (elapsedMs) => {
      const call = await callModelOnce(settings, credential, elapsedMs);
      return {
        status: call.status,
        diagnosis: call.diagnosis,
        identity: describeIdentity(call.identity),
        ...(call.reply === undefined ? {} : { reply: call.reply }),
      };
    },
    policy,
    log,
  );
}
