import { createHash } from "node:crypto";

/**
 * Derives the account's custom subdomain from project, stack and a random suffix: lower-case, a valid DNS label.
 * The suffix is kept whole; the prefix is shortened if needed.
 */
export function deriveSubdomain(project: string, stack: string, suffix: string): string {
  const prefix = `${project}-${stack}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  const room = 63 - suffix.length - 1;
  const head = prefix.slice(0, room).replace(/-+$/, "") || "openai";
  return `${head}-${suffix}`;
}

/**
 * A short, stable suffix for globally unique names that must be known while the program runs (Function App host name,
 * storage account): a hash of subscription, project and stack, like Bicep's `uniqueString(subscription().id, ...)`.
 * Lower-case letters and digits only.
 */
export function stableSuffix(length: number, ...parts: string[]): string {
  const digest = createHash("sha256").update(parts.join("/")).digest();
  let suffix = "";
  for (const byte of digest.subarray(0, length)) suffix += "abcdefghijklmnopqrstuvwxyz0123456789"[byte % 36];
  return suffix;
}

/** Azure VM name for a stack: `vm-<stack>`, lower-case letters, digits and hyphens, at most 64 characters. */
export function vmNameFor(stack: string): string {
  const cleaned = stack
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return `vm-${cleaned || "stack"}`.slice(0, 64).replace(/-+$/, "");
}

/** Log Analytics workspace name for a stack: `log-<stack>-<suffix>`, letters, digits and hyphens, 4-63 characters. */
export function logWorkspaceNameFor(stack: string, suffix: string): string {
  const cleaned =
    stack
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/-+/g, "-")
      .replace(/^-|-$/g, "") || "stack";
  return `log-${cleaned.slice(0, 63 - 5 - suffix.length).replace(/-+$/, "")}-${suffix}`;
}
