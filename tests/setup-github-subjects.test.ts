/**
 * The OIDC subjects `npm run setup-github` registers, asked of the GitHub stand-in through the real @octokit/rest:
 * repository IDs from `GET /repos/{owner}/{repo}`, the form and template from the OIDC subject customization of the
 * repository (and of its organisation). Bodies come from tests/fixtures/github/ (README there names each source);
 * expected subjects are the literal forms of github/docs `content/actions/reference/security/oidc.md`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { githubClient } from "../scripts/setup-github/github";
import { issuedSubjects, resolveIssuedSubjects } from "../scripts/setup-github/oidc-subject";
import { type GitHubState, githubRoutes, repositoryKeyPair } from "./standins/github";
import { type StandInServer, startStandIn } from "./standins/server";

const TOKEN = "ghp_standintoken";

function fixture(name: string): object {
  return JSON.parse(readFileSync(join(__dirname, "fixtures", "github", name), "utf8")) as object;
}

function state(owner: string, repo: string, bodies: Partial<GitHubState>): GitHubState {
  return {
    owner,
    repo,
    token: TOKEN,
    variables: new Map(),
    secrets: new Map(),
    keyId: "568250167242549743",
    repository: {},
    ...bodies,
  };
}

const states = {
  nameOnly: state("octocat", "Hello-World", {
    repository: fixture("repository-octocat-hello-world.json"),
    oidcSubject: fixture("oidc-sub-name-only.json"),
  }),
  immutable: state("alonf", "CaesariaAgenticArchitectureDemo", {
    repository: fixture("repository-alonf-caesaria.json"),
    oidcSubject: fixture("oidc-sub-immutable-not-opted-in.json"),
  }),
  repositoryTemplate: state("octocat", "Hello-World", {
    repository: fixture("repository-octocat-hello-world.json"),
    oidcSubject: fixture("oidc-sub-repository-template.json"),
  }),
  organizationTemplate: state("octo-org", "octo-repo", {
    repository: fixture("repository-octo-org-octo-repo.json"),
    oidcSubject: { use_default: false, use_immutable_subject: true },
    organizationOidcSubject: fixture("oidc-sub-organization-template.json"),
  }),
  organizationWithoutTemplate: state("octo-org", "octo-repo", {
    repository: fixture("repository-octo-org-octo-repo.json"),
    oidcSubject: { use_default: false, sub_claim_prefix: "repo:octo-org/octo-repo" },
  }),
  reusableWorkflowTemplate: state("octo-org", "octo-repo", {
    repository: fixture("repository-octo-org-octo-repo.json"),
    oidcSubject: { use_default: false, include_claim_keys: ["repo", "context", "job_workflow_ref"] },
  }),
  noCustomizationEndpoint: state("octocat", "Hello-World", {
    repository: fixture("repository-octocat-hello-world.json"),
  }),
};

const servers: Partial<Record<keyof typeof states, StandInServer>> = {};

before(async () => {
  const keys = await repositoryKeyPair();
  for (const [name, each] of Object.entries(states)) {
    servers[name as keyof typeof states] = await startStandIn({ routes: githubRoutes(each, keys) });
  }
});

after(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

async function subjectsOf(name: keyof typeof states, owner: string, repo: string) {
  const server = servers[name];
  assert.ok(server);
  const octokit = await githubClient(TOKEN, server.origin);
  return resolveIssuedSubjects(octokit, { owner, name: repo });
}

describe("the OIDC subjects GitHub issues", () => {
  test("a repository that has not opted in: the name-only form, with the immutable form as the migration's other half", async () => {
    const issued = await subjectsOf("nameOnly", "octocat", "hello-world");
    assert.equal(issued.form, "name-only");
    assert.deepEqual(
      issued.subjects.map((item) => item.subject),
      ["repo:octocat/Hello-World:pull_request", "repo:octocat/Hello-World:ref:refs/heads/main"],
      "GitHub's casing, not --repo's",
    );
    assert.deepEqual(
      issued.otherForm.map((item) => item.subject),
      ["repo:octocat@1/Hello-World@1296269:pull_request", "repo:octocat@1/Hello-World@1296269:ref:refs/heads/main"],
    );
  });

  test("a repository created after the cut-over: the immutable form its prefix shows, although use_immutable_subject is false", async () => {
    const issued = await subjectsOf("immutable", "alonf", "CaesariaAgenticArchitectureDemo");
    assert.equal(issued.form, "immutable");
    assert.deepEqual(
      issued.subjects.map((item) => item.subject),
      [
        "repo:alonf@554150/CaesariaAgenticArchitectureDemo@1352569832:pull_request",
        "repo:alonf@554150/CaesariaAgenticArchitectureDemo@1352569832:ref:refs/heads/main",
      ],
    );
  });

  test("a repository template of repo and context gives the default subject; the REST example names no prefix, so both forms", async () => {
    const issued = await subjectsOf("repositoryTemplate", "octocat", "Hello-World");
    assert.deepEqual(issued.template, { kind: "custom", keys: ["repo", "context"], origin: "repository" });
    assert.equal(issued.form, undefined);
    assert.deepEqual(
      issued.subjects.map((item) => item.subject),
      [
        "repo:octocat/Hello-World:pull_request",
        "repo:octocat/Hello-World:ref:refs/heads/main",
        "repo:octocat@1/Hello-World@1296269:pull_request",
        "repo:octocat@1/Hello-World@1296269:ref:refs/heads/main",
      ],
    );
  });

  test("use_default false without keys takes the organisation's template; one subject serves both workflows", async () => {
    const issued = await subjectsOf("organizationTemplate", "octo-org", "octo-repo");
    assert.deepEqual(issued.template, {
      kind: "custom",
      keys: ["repository_owner", "repository_visibility"],
      origin: "organization",
    });
    assert.deepEqual(
      [...new Set(issued.subjects.map((item) => item.subject))],
      ["repository_owner:octo-org:repository_visibility:private"],
    );
    assert.deepEqual(issued.otherForm, [], "without `repo` both forms give this subject: nothing of it is stale");
  });

  test("use_default false in an organisation without a template (404) is the default template", async () => {
    const issued = await subjectsOf("organizationWithoutTemplate", "octo-org", "octo-repo");
    assert.deepEqual(issued.template, { kind: "default" });
    assert.deepEqual(
      issued.subjects.map((item) => item.subject),
      ["repo:octo-org/octo-repo:pull_request", "repo:octo-org/octo-repo:ref:refs/heads/main"],
    );
  });

  test("a template with a key that changes per workflow is refused, naming the key and what to do", async () => {
    const issued = await subjectsOf("reusableWorkflowTemplate", "octo-org", "octo-repo");
    assert.deepEqual(issued.subjects, []);
    assert.match(
      issued.refusal ?? "",
      /repository OIDC subject template of octo-org\/octo-repo includes "job_workflow_ref"/,
    );
    assert.match(
      issued.refusal ?? "",
      /gh api -X PUT repos\/octo-org\/octo-repo\/actions\/oidc\/customization\/sub -F use_default=true/,
    );
  });

  test("without the customization endpoint (404) GitHub says no form: both are registered", async () => {
    const issued = await subjectsOf("noCustomizationEndpoint", "octocat", "Hello-World");
    assert.equal(issued.form, undefined);
    assert.deepEqual(
      issued.subjects.map((item) => item.subject),
      [
        "repo:octocat/Hello-World:pull_request",
        "repo:octocat/Hello-World:ref:refs/heads/main",
        "repo:octocat@1/Hello-World@1296269:pull_request",
        "repo:octocat@1/Hello-World@1296269:ref:refs/heads/main",
      ],
    );
  });
});

describe("subjects from templates (oidc.md examples as literals)", () => {
  const monalisa = {
    owner: "monalisa",
    name: "octo-repo",
    ownerId: 123456,
    id: 456789,
    ownerType: "Organization",
    visibility: "private",
  };
  const custom = (keys: string[]) => ({ kind: "custom", keys, origin: "organization" }) as const;

  test("repository_owner and repository_visibility; repository_owner alone", () => {
    const named = { use_default: false, sub_claim_prefix: "repo:monalisa/octo-repo" };
    assert.equal(
      issuedSubjects(monalisa, named, custom(["repository_owner", "repository_visibility"])).subjects[0]?.subject,
      "repository_owner:monalisa:repository_visibility:private",
    );
    assert.equal(
      issuedSubjects(monalisa, named, custom(["repository_owner"])).subjects[0]?.subject,
      "repository_owner:monalisa",
    );
  });

  test("the immutable IDs stay in the repo segment of a custom template (oidc.md: 'You can't remove these IDs')", () => {
    const immutable = { use_default: false, use_immutable_subject: true };
    const issued = issuedSubjects(monalisa, immutable, custom(["repo", "context"]));
    assert.equal(issued.form, "immutable");
    assert.equal(issued.subjects[1]?.subject, "repo:monalisa@123456/octo-repo@456789:ref:refs/heads/main");
  });
});
