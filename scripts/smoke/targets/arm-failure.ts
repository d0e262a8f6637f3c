/**
 * Diagnosis for a failed Resource Manager call (run command, list keys): the ARM error code and message. These calls
 * are made as the person or pipeline running the command, so a missing token is their sign-in, not the VM's or the
 * app's identity (sign_in_missing).
 */
import { type Diagnosis, diagnoseError, diagnosisFor } from "../../../lib/diagnosis";

export function armFailure(error: unknown, what: string): Diagnosis {
  const fromError = diagnoseError(error, "caller");
  if (fromError.code !== "unexpected") return fromError;
  const record = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : {};
  const status = typeof record.statusCode === "number" ? ` ${record.statusCode}` : "";
  const code = typeof record.code === "string" ? ` ${record.code}` : "";
  const message = error instanceof Error ? error.message.split("\n")[0]?.slice(0, 200) : String(error);
  const hint =
    record.statusCode === 403
      ? "; your account needs a role that allows this action on the resource (e.g. Virtual Machine Contributor for run command, Website Contributor for keys)"
      : "";
  return diagnosisFor("unexpected", { detail: `${what} failed:${status}${code} ${message}${hint}` });
}

/** Who the summary names when the ARM call itself failed: the caller, since the identity under test was never reached. */
export function armCallerIdentity(diagnosis: Diagnosis, identityUnderTest: string): string {
  return diagnosis.code === "sign_in_missing" ? "you (Resource Manager sign-in)" : identityUnderTest;
}
