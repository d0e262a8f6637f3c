/**
 * The `sub` claim GitHub will put in the workflows' OIDC tokens, asked of GitHub rather than assumed.
 *
 * - Default template: `repo:OWNER/REPO:CONTEXT`, and for repositories created, renamed or transferred after the
 *   2026 cut-over, or opted in, `repo:OWNER@OWNER_ID/REPO@REPO_ID:CONTEXT` (github/docs
 *   `content/actions/reference/security/oidc.md`, "Immutable subject claims"; github.blog changelog 2026-04-23
 *   "Immutable subject claims for GitHub Actions OIDC tokens"; Learn "Migrate GitHub Actions federated credentials to
 *   immutable subjects").
 * - Which form a repository issues: `sub_claim_prefix` of `GET /repos/{owner}/{repo}/actions/oidc/customization/sub`,
 *   "the current `sub` claim prefix for this repository" (@octokit/openapi-types 29, schema `oidc-custom-sub-repo`).
 *   `use_immutable_subject` only records an opt-in: repositories created after the cut-over report `false` and
 *   still issue the immutable form (AADSTS700213 quoted in alonf/CaesariaAgenticArchitectureDemo
 *   `docs/deployment.md`). Without a prefix in the answer nothing documented says which form is issued, so both are
 *   registered.
 * - Custom templates (`use_default: false`): the repository's `include_claim_keys`, or the organisation's
 *   (`GET /orgs/{org}/actions/oidc/customization/sub`) when the repository names none. The subject is each key's
 *   `key:value` joined with `:`; `repo` is written `repo:OWNER/REPO` (with the IDs in the immutable form), `context`
 *   is the part that follows the repository in the default subject, and `:` inside a value becomes `%3A`
 *   (oidc.md, "Customizing the subject claims for an organization or repository").
 */
import type { Repository } from "./repository";

type Octokit = InstanceType<typeof import("@octokit/rest", { with: { "resolution-mode": "import" }})["Octokit"]>;

/** What follows the repository in the default subject, for the workflows that sign in (see desired.ts). */
export type WorkflowContext = "pull_request" | "ref:refs/heads/main";
export const WORKFLOW_CONTEXTS: readonly WorkflowContext[] = ["pull_request", "ref:refs/heads/main"];

/** The fields of `GET /repos/{owner}/{repo}` the subject is built from. */
export interface RepositoryFacts {
  /** `owner.login` and `name`: the casing GitHub writes into the token, whatever casing --repo had. */
  owner: string;
  name: string;
  ownerId: number;
  id: number;
  ownerType: string;
  visibility: string;
}

/** `GET /repos/{owner}/{repo}/actions/oidc/customization/sub` (schema `oidc-custom-sub-repo`). */
export interface RepositorySubjectCustomization {
  use_default: boolean;
  include_claim_keys?: string[];
  use_immutable_subject?: boolean;
  sub_claim_prefix?: string;
}

/** Which template applies, and where it came from. */
export type SubjectTemplate =
  | { kind: "default" }
  | { kind: "custom"; keys: readonly string[]; origin: "repository" | "organization" };

/** The repository part of `repo:...`: names only, or names with the immutable IDs. */
export type RepositoryForm = "name-only" | "immutable";

export interface IssuedSubject {
  context: WorkflowContext;
  form: RepositoryForm;
  subject: string;
}

export interface IssuedSubjects {
  repository: RepositoryFacts;
  template: SubjectTemplate;
  /** The form GitHub reports it issues; `undefined` when it did not say. */
  form: RepositoryForm | undefined;
  /** Subjects to register: the reported form, or both forms when GitHub did not say which it issues. */
  subjects: IssuedSubject[];
  /** The same contexts in the form GitHub does not issue (stale credentials, or the migration's second half). */
  otherForm: IssuedSubject[];
  /** Why no subject can be written (a template key whose value is not fixed per workflow), as one sentence. */
  refusal?: string;
}

/** Claim keys whose value is the same for every run of the workflows that share one credential. */
const FIXED_KEYS = new Set([
  "repo",
  "context",
  "repository",
  "repository_id",
  "repository_owner",
  "repository_owner_id",
  "repository_visibility",
]);

/** `:` inside a claim value is written `%3A` in the subject (oidc.md, "Filtering for metadata containing `:`"). */
function claimValue(value: string | number): string {
  return String(value).replaceAll(":", "%3A");
}

function repositorySegment(facts: RepositoryFacts, form: RepositoryForm): string {
  return form === "immutable"
    ? `${facts.owner}@${facts.ownerId}/${facts.name}@${facts.id}`
    : `${facts.owner}/${facts.name}`;
}

/** The subject GitHub builds for `context` under `template` (whose keys are all FIXED_KEYS). */
function subjectFor(
  facts: RepositoryFacts,
  template: SubjectTemplate,
  form: RepositoryForm,
  context: WorkflowContext,
): string {
  const repo = `repo:${repositorySegment(facts, form)}`;
  if (template.kind === "default") return `${repo}:${context}`;
  const values: Record<string, string> = {
    repo,
    context,
    repository: `repository:${claimValue(`${facts.owner}/${facts.name}`)}`,
    repository_id: `repository_id:${claimValue(facts.id)}`,
    repository_owner: `repository_owner:${claimValue(facts.owner)}`,
    repository_owner_id: `repository_owner_id:${claimValue(facts.ownerId)}`,
    repository_visibility: `repository_visibility:${claimValue(facts.visibility)}`,
  };
  return template.keys
    .map((key) => {
      const value = values[key];
      if (value === undefined) throw new Error(`claim key ${key} has no fixed value`);
      return value;
    })
    .join(":");
}

/** The form `sub_claim_prefix` shows, when it is this repository's `repo:` prefix in either form. */
function reportedForm(facts: RepositoryFacts, prefix: string | undefined): RepositoryForm | undefined {
  for (const form of ["immutable", "name-only"] as const) {
    if (prefix?.toLowerCase() === `repo:${repositorySegment(facts, form)}`.toLowerCase()) return form;
  }
  return undefined;
}

/** The subjects for a repository whose facts and customization are known (pure: the tests' literal cases). */
export function issuedSubjects(
  facts: RepositoryFacts,
  customization: RepositorySubjectCustomization | undefined,
  template: SubjectTemplate,
): IssuedSubjects {
  const form =
    reportedForm(facts, customization?.sub_claim_prefix) ??
    (customization?.use_immutable_subject === true ? "immutable" : undefined);
  const build = (forms: readonly RepositoryForm[]) =>
    forms.flatMap((each) =>
      WORKFLOW_CONTEXTS.map((context) => ({
        context,
        form: each,
        subject: subjectFor(facts, template, each, context),
      })),
    );
  const unfixed = template.kind === "custom" ? template.keys.filter((key) => !FIXED_KEYS.has(key)) : [];
  const refusal =
    template.kind === "custom" && unfixed.length > 0
      ? `the ${template.origin} OIDC subject template of ${facts.owner}/${facts.name} includes ${unfixed.map((key) => JSON.stringify(key)).join(", ")}, whose value changes between runs or workflows, so no federated credential can match every run: set the repository to the default template (gh api -X PUT repos/${facts.owner}/${facts.name}/actions/oidc/customization/sub -F use_default=true) or add the credentials by hand`
      : undefined;
  const subjects = refusal ? [] : build(form ? [form] : ["name-only", "immutable"]);
  const current = new Set(subjects.map((item) => item.subject));
  // A template without `repo` gives the same subjects in both forms: those are current, never the other form.
  const otherForm = refusal || !form ? [] : build([form === "immutable" ? "name-only" : "immutable"]);
  return {
    repository: facts,
    template,
    form,
    subjects,
    otherForm: otherForm.filter((item) => !current.has(item.subject)),
    ...(refusal ? { refusal } : {}),
  };
}

function status(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error ? Number(error.status) : undefined;
}

/** The organisation's template keys; none when it has no template (404), so the default template applies. */
async function organizationTemplateKeys(octokit: Octokit, org: string): Promise<string[]> {
  try {
    return (await octokit.rest.oidc.getOidcCustomSubTemplateForOrg({ org })).data.include_claim_keys;
  } catch (error) {
    if (status(error) !== 404) throw error;
    return [];
  }
}

/** Asks GitHub for the repository's IDs and its subject customization, and builds the subjects it will issue. */
export async function resolveIssuedSubjects(octokit: Octokit, repository: Repository): Promise<IssuedSubjects> {
  const repo = { owner: repository.owner, repo: repository.name };
  const data = (await octokit.rest.repos.get(repo)).data;
  const facts: RepositoryFacts = {
    owner: data.owner.login,
    name: data.name,
    ownerId: data.owner.id,
    id: data.id,
    ownerType: data.owner.type,
    visibility: data.visibility ?? (data.private ? "private" : "public"),
  };
  let customization: RepositorySubjectCustomization | undefined;
  try {
    customization = (await octokit.rest.actions.getCustomOidcSubClaimForRepo(repo)).data;
  } catch (error) {
    // GitHub Enterprise Server versions without the endpoint answer 404: the default template, form unknown.
    if (status(error) !== 404) throw error;
  }
  let template: SubjectTemplate = { kind: "default" };
  if (customization && !customization.use_default) {
    const keys = customization.include_claim_keys ?? [];
    if (keys.length > 0) {
      template = { kind: "custom", keys, origin: "repository" };
    } else if (facts.ownerType === "Organization") {
      const keys = await organizationTemplateKeys(octokit, facts.owner);
      if (keys.length > 0) template = { kind: "custom", keys, origin: "organization" };
    }
  }
  return issuedSubjects(facts, customization, template);
}

/** One line that says which subjects GitHub issues and how that was decided. */
export function describeSubjects(issued: IssuedSubjects): string {
  const { owner, name } = issued.repository;
  const template =
    issued.template.kind === "default"
      ? "default template"
      : `${issued.template.origin} template [${issued.template.keys.join(", ")}]`;
  const form =
    issued.form === "immutable"
      ? "with immutable owner and repository IDs"
      : issued.form === "name-only"
        ? "with names only (not opted in to immutable subjects)"
        : "form not reported by GitHub, so both forms are registered";
  return `OIDC subjects of ${owner}/${name}: ${template}, ${form}`;
}
