/** Every step of `npm run setup-github` reports what it found and what it did (or, with --dry-run, would do). */

/** `stale`: found, not changed, and no longer needed; the detail says how to remove it. */
export type ChangeAction = "create" | "update" | "unchanged" | "skipped" | "stale";

export interface Change {
  area: "Entra ID" | "Azure RBAC" | "GitHub";
  /** What the change is about: `application github-o-r`, `variable AZURE_CLIENT_ID`. */
  subject: string;
  action: ChangeAction;
  /** Why, or what a skipped item needs. */
  detail?: string;
}

const MARK: Record<ChangeAction, string> = { create: "+", update: "~", unchanged: "=", skipped: "!", stale: "-" };

/** One line per change: `+ create  Entra ID    application github-o-r (detail)`. */
export function renderChanges(changes: readonly Change[], dryRun: boolean): string {
  const verb = (action: ChangeAction) =>
    dryRun && (action === "create" || action === "update") ? `would ${action}` : action;
  const lines = changes.map(
    (change) =>
      `${MARK[change.action]} ${verb(change.action).padEnd(12)} ${change.area.padEnd(10)} ${change.subject}${change.detail ? `: ${change.detail}` : ""}`,
  );
  const changed = changes.filter((change) => change.action === "create" || change.action === "update").length;
  const skipped = changes.filter((change) => change.action === "skipped").length;
  const stale = changes.filter((change) => change.action === "stale").length;
  const summary =
    changed === 0
      ? "Nothing to change: everything is already set up."
      : dryRun
        ? `${changed} change(s) to make (dry run: nothing was changed).`
        : `${changed} change(s) made.`;
  return `${[
    ...lines,
    "",
    summary,
    ...(skipped > 0 ? [`${skipped} item(s) skipped: see "!" above.`] : []),
    ...(stale > 0 ? [`${stale} item(s) no longer needed: remove them as shown ("-" above).`] : []),
  ].join("\n")}\n`;
}
