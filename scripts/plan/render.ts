/**
 * Markdown for a terminal and for a GitHub job summary: tables, the access matrix, the guardrails' verdicts and a
 * Mermaid diagram of identities and their roles (GitHub renders ```mermaid blocks in job summaries).
 */
import type { InputChange, MatchedChanges, PlanComparison } from "../core/plan/compare";
import type { AccessRow, PlanDocument, PlannedResource, Verdict } from "../core/plan/model";

const ACCOUNT_TYPE = "azure-native:cognitiveservices:Account";
const DEPLOYMENT_TYPE = "azure-native:cognitiveservices:Deployment";
const USER_ASSIGNED_IDENTITY_TYPE = "azure-native:managedidentity:UserAssignedIdentity";

/** Escapes a value for a markdown table cell. */
function cell(value: unknown): string {
  const raw = typeof value === "string" ? value : JSON.stringify(value);
  return `\`${(raw ?? "").replace(/\|/g, "\\|").replace(/`/g, "'").replace(/\n/g, " ")}\``;
}

function plain(value: string): string {
  return value.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function table(headers: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ["_none_", ""];
  return [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
  ];
}

function shortType(type: string): string {
  return type.replace(/^azure-native:/, "");
}

/** The value at `path` under a planned resource's inputs, or undefined. */
function input(resource: PlannedResource, ...path: string[]): unknown {
  let value: unknown = resource.inputs;
  for (const key of path) value = typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined;
  return value;
}

function shown(value: unknown): string {
  return value === undefined ? "(not set)" : cell(value);
}

/** Model, version, SKU and capacity of each deployment: what the stack will bill and what retires when. */
function deploymentTable(resources: readonly PlannedResource[]): string[] {
  return table(
    ["deployment", "account", "model", "version", "SKU", "capacity", "version upgrade"],
    resources
      .filter((resource) => resource.type === DEPLOYMENT_TYPE)
      .map((resource) => [
        shown(input(resource, "deploymentName")),
        shown(input(resource, "accountName")),
        shown(input(resource, "properties", "model", "name")),
        shown(input(resource, "properties", "model", "version")),
        shown(input(resource, "sku", "name")),
        shown(input(resource, "sku", "capacity")),
        shown(input(resource, "properties", "versionUpgradeOption")),
      ]),
  );
}

/**
 * The network mode an account's inputs amount to, in the config's words (`networkMode`, components/openai-account.ts):
 * public access Disabled is `private`; Enabled with default action Deny is `allowList`; Enabled with Allow is `public`.
 */
function networkMode(account: PlannedResource): string {
  const publicAccess = input(account, "properties", "publicNetworkAccess");
  const defaultAction = input(account, "properties", "networkAcls", "defaultAction");
  if (publicAccess === "Disabled") return "private";
  if (publicAccess === "Enabled" && defaultAction === "Deny") return "allowList";
  if (publicAccess === "Enabled" && defaultAction === "Allow") return "public";
  return "(not one of public, allowList, private)";
}

function countOf(value: unknown): string {
  return String(Array.isArray(value) ? value.length : 0);
}

/**
 * The account settings a reviewer checks, as the program sets them: API keys (local auth) off, the network mode and
 * public network access (Learn: "Disable local authentication in Azure AI Services"; "Configure Azure AI services
 * virtual networks").
 */
function accountSecurityTable(resources: readonly PlannedResource[]): string[] {
  return table(
    [
      "account resource",
      "local auth (API keys)",
      "network mode",
      "public network access",
      "default action",
      "allowed IP ranges",
      "allowed subnets",
    ],
    resources
      .filter((resource) => resource.type === ACCOUNT_TYPE)
      .map((account) => {
        const disableLocalAuth = input(account, "properties", "disableLocalAuth");
        return [
          cell(account.name),
          disableLocalAuth === true
            ? "off (`disableLocalAuth: true`)"
            : `**on** (\`disableLocalAuth: ${String(disableLocalAuth)}\`)`,
          networkMode(account),
          shown(input(account, "properties", "publicNetworkAccess")),
          shown(input(account, "properties", "networkAcls", "defaultAction")),
          countOf(input(account, "properties", "networkAcls", "ipRules")),
          countOf(input(account, "properties", "networkAcls", "virtualNetworkRules")),
        ];
      }),
  );
}

/** `type::name` of a URN, the readable part. */
function urnTail(urn: string): string {
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop() ?? "";
  return `${shortType(type)} ${parts[3] ?? ""}`.trim();
}

/** Mermaid label text: quotes and angle brackets become entity codes (Mermaid flowchart syntax). */
function mermaidText(value: string): string {
  return value.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

function scopeLabel(scope: string): string {
  const match = /\/resourceGroups\/([^/]+)(?:\/providers\/[^/]+\/([^/]+)\/([^/]+))?/i.exec(scope);
  if (!match) return scope;
  return match[2] ? `${match[2]} ${match[3]} (in ${match[1]})` : `resource group ${match[1]}`;
}

/** The diagram: resources with identities -> their identity -> role -> scope; other principals -> role -> scope. */
export function mermaid(plan: PlanDocument): string[] {
  const lines = ["```mermaid", "flowchart LR"];
  const principalIds = [...new Set(plan.access.map((row) => row.principalId))].sort();
  const scopes = [...new Set(plan.access.map((row) => row.scope))].sort();
  const principalNode = new Map(principalIds.map((id, index) => [id, `P${index}`]));
  const scopeNode = new Map(scopes.map((scope, index) => [scope, `S${index}`]));
  plan.identities.forEach((identity, index) => {
    lines.push(`  R${index}["${mermaidText(`${shortType(identity.type)} ${identity.name}`)}"]`);
    if (!principalNode.has(identity.principalId)) principalNode.set(identity.principalId, `P${principalNode.size}`);
  });
  const labelOf = (id: string) =>
    plan.access.find((row) => row.principalId === id)?.principal ??
    plan.identities.find((identity) => identity.principalId === id)?.label ??
    id;
  for (const [id, node] of principalNode) {
    const type = plan.access.find((row) => row.principalId === id)?.principalType ?? "ServicePrincipal";
    lines.push(`  ${node}(["${mermaidText(`${labelOf(id)} · ${type}`)}"])`);
  }
  for (const [scope, node] of scopeNode) lines.push(`  ${node}[("${mermaidText(scopeLabel(scope))}")]`);
  plan.identities.forEach((identity, index) => {
    const kind = identity.type === USER_ASSIGNED_IDENTITY_TYPE ? "user-assigned identity" : "system-assigned identity";
    lines.push(`  R${index} -. "${kind}" .-> ${principalNode.get(identity.principalId)}`);
  });
  for (const row of plan.access) {
    lines.push(`  ${principalNode.get(row.principalId)} -- "${mermaidText(row.role)}" --> ${scopeNode.get(row.scope)}`);
  }
  lines.push("```", "");
  return lines;
}

function accessTable(rows: readonly AccessRow[]): string[] {
  return table(
    ["principal", "principal ID", "principal type", "role", "scope"],
    rows.map((row) => [
      plain(row.principal),
      cell(row.principalId),
      cell(row.principalType),
      plain(row.role),
      cell(row.scope),
    ]),
  );
}

function verdictTable(verdicts: readonly Verdict[]): string[] {
  return table(
    ["verdict", "rule", "resource", "messages"],
    verdicts.map((verdict) => [
      verdict.passed ? "pass" : "**FAIL**",
      cell(verdict.rule),
      plain(urnTail(verdict.urn)),
      plain(verdict.messages.join("; ")),
    ]),
  );
}

/** The plan as markdown. */
export function renderPlan(plan: PlanDocument): string {
  const { summary } = plan;
  const verdictLine =
    summary.failures === 0
      ? `all ${summary.verdicts} guardrail checks pass`
      : `**${summary.failures} of ${summary.verdicts} guardrail checks fail**`;
  const nameOf = new Map(plan.resources.map((resource) => [resource.urn, urnTail(resource.urn)]));
  const lines = [
    `# Offline plan: ${plan.project} / ${plan.stack}`,
    "",
    `${summary.resources} resources, ${summary.roleAssignments} role assignments; ${verdictLine}.`,
    "",
    ...(plan.warnings.length > 0
      ? ["## Warnings", "", ...plan.warnings.map((warning) => `- ${plain(warning)}`), ""]
      : []),
    ...(plan.unresolvedPrincipals.length > 0
      ? [
          `${plan.unresolvedPrincipals.length} principal(s) from config are not known offline and are resolved at deploy: ` +
            `${plan.unresolvedPrincipals.map((principal) => plain(principal.configured)).join(", ")}. ` +
            "`pulumi up` looks each up in Entra ID and fails if one does not exist.",
          "",
        ]
      : []),
    "## Model deployments",
    "",
    ...deploymentTable(plan.resources),
    "## Account security",
    "",
    ...accountSecurityTable(plan.resources),
    "## Guardrails",
    "",
    ...verdictTable(plan.verdicts),
    "## Access matrix",
    "",
    ...accessTable(plan.access),
    "## Identities and roles",
    "",
    ...mermaid(plan),
    "## Resources",
    "",
    ...table(
      ["type", "name", "parent", "protect"],
      plan.resources.map((resource) => [
        cell(resource.type),
        cell(resource.name),
        plain(resource.parentUrn ? (nameOf.get(resource.parentUrn) ?? resource.parentUrn) : ""),
        resource.protect ? "yes" : "",
      ]),
    ),
    "## Outputs",
    "",
    ...table(
      ["output", "value"],
      Object.entries(plan.outputs).map(([key, value]) => [cell(key), cell(value)]),
    ),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

function changeRows(changes: readonly InputChange[]): string[][] {
  return changes.map((change) => [
    cell(change.path),
    cell(change.before ?? "(absent)"),
    cell(change.after ?? "(absent)"),
  ]);
}

/** Each added, removed or changed item with its change; a changed item is shown as it is in the head plan. */
function labelled<T>(changes: MatchedChanges<T>): { change: "added" | "removed" | "changed"; item: T }[] {
  return [
    ...changes.added.map((item) => ({ change: "added" as const, item })),
    ...changes.removed.map((item) => ({ change: "removed" as const, item })),
    ...changes.changed.map(({ after }) => ({ change: "changed" as const, item: after })),
  ];
}

/** The comparison as markdown. */
export function renderComparison(comparison: PlanComparison): string {
  if (comparison.unchanged) return "# Changes against the base plan\n\nNo changes.\n";
  const { resources, access, verdicts, outputs } = comparison;
  const lines = [
    "# Changes against the base plan",
    "",
    `Resources: ${resources.added.length} added, ${resources.removed.length} removed, ` +
      `${resources.changed.filter((change) => change.replacedBy.length === 0).length} changed, ` +
      `${resources.changed.filter((change) => change.replacedBy.length > 0).length} replaced. ` +
      `Access: ${access.added.length} added, ${access.removed.length} removed, ${access.changed.length} changed. ` +
      `Verdicts: ${verdicts.added.length} added, ${verdicts.removed.length} removed, ${verdicts.changed.length} changed.`,
    "",
  ];
  if (resources.added.length + resources.removed.length > 0) {
    lines.push(
      "## Resources added and removed",
      "",
      ...table(
        ["change", "type", "name", "URN"],
        [
          ...resources.added.map((resource) => ["added", cell(resource.type), cell(resource.name), cell(resource.urn)]),
          ...resources.removed.map((resource) => [
            "removed",
            cell(resource.type),
            cell(resource.name),
            cell(resource.urn),
          ]),
        ],
      ),
    );
  }
  for (const change of resources.changed) {
    const replaced = change.replacedBy.length > 0;
    lines.push(
      `## ${replaced ? "Replaced" : "Changed"}: ${plain(urnTail(change.urn))}`,
      "",
      ...(replaced
        ? [
            `Deleted and created again: ${change.replacedBy.map((path) => cell(path)).join(", ")} cannot be changed in place.`,
            "",
          ]
        : []),
      ...table(["path", "before", "after"], changeRows(change.changes)),
    );
  }
  const accessChanges = labelled(access);
  if (accessChanges.length > 0) {
    lines.push(
      "## Access matrix changes",
      "",
      ...table(
        ["change", "principal", "principal type", "role", "scope"],
        accessChanges.map(({ change, item }) => [
          change,
          plain(item.principal),
          cell(item.principalType),
          plain(item.role),
          cell(item.scope),
        ]),
      ),
    );
  }
  const verdictChanges = labelled(verdicts);
  if (verdictChanges.length > 0) {
    lines.push(
      "## Guardrail verdict changes",
      "",
      ...table(
        ["change", "verdict", "rule", "resource", "messages"],
        verdictChanges.map(({ change, item }) => [
          change,
          item.passed ? "pass" : "**FAIL**",
          cell(item.rule),
          plain(urnTail(item.urn)),
          plain(item.messages.join("; ")),
        ]),
      ),
    );
  }
  if (outputs.length > 0)
    lines.push("## Output changes", "", ...table(["path", "before", "after"], changeRows(outputs)));
  return `${lines.join("\n").trimEnd()}\n`;
}
