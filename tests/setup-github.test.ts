/**
 * `npm run setup-github`: the real @microsoft/microsoft-graph-client, @azure/arm-authorization and @octokit/rest
 * against stand-ins of Microsoft Graph, ARM (HTTPS, self-signed certificate) and GitHub on 127.0.0.1. The run that
 * creates everything is the real `npm run setup-github` as a child process, signed in as a person would be
 * (DefaultAzureCredential, here through a stand-in IMDS; certificate trusted through NODE_EXTRA_CA_CERTS). The others
 * call the command's function in this process, which spares a process start per run, with their environment and
 * output passed explicitly: signed in as a GitHub Actions job (ClientAssertionCredential with GitHub OIDC, all from
 * that environment, so process.env is untouched), the certificate added with tls.setDefaultCACertificates.
 * A dry run changes nothing; the first run creates everything; the second run changes nothing and says so.
 * The GitHub stand-in answers with the bodies in tests/fixtures/github/ (README there names each source): a
 * repository that still issues name-only OIDC subjects, its switch to immutable subjects, and a repository created
 * after the cut-over that issues immutable ones.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { setupGithub } from "../scripts/setup-github";
import { parseRepository, resolveRepository } from "../scripts/setup-github/repository";
import { type RoleAssignmentsState, roleAssignmentRoutes } from "./standins/arm-role-assignments";
import { entraRoutes, GITHUB_TOKEN_PATH, githubOidcRoutes } from "./standins/federated-sign-in";
import { type GitHubState, githubRoutes, repositoryKeyPair } from "./standins/github";
import { type GraphState, graphRoutes } from "./standins/graph";
import { imdsRoutes } from "./standins/identity";
import { VM_PRINCIPAL } from "./standins/principals";
import { createSelfSignedCertificate, type StandInServer, startStandIn, type TlsMaterial } from "./standins/server";
import { STAND_IN_TENANT_ID, type StandInPrincipal } from "./standins/tokens";
import { type ChildRun, runChild } from "./support/process";
import { missingTool } from "./support/tools";

const ROOT = join(__dirname, "..");
const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const PASSPHRASE = "correct horse battery staple";
const BACKEND = "azblob://pulumi-state?storage_account=kloaistate";
const STATE_ACCOUNT = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-state/providers/Microsoft.Storage/storageAccounts/kloaistate`;

let tls: TlsMaterial;
let graph: StandInServer;
let arm: StandInServer;
let imds: StandInServer;
let github: StandInServer;
let immutableGithub: StandInServer;
let actionsOidc: StandInServer;
let entra: StandInServer;
/** The bootstrap workflow's service principal, which the in-process runs sign in as. */
const BOOTSTRAP_PRINCIPAL: StandInPrincipal = {
  kind: "managedIdentity",
  objectId: "eeeeeeee-0000-4000-8000-000000000005",
  appId: "eeeeeeee-1111-4000-8000-000000000005",
};
const BOOTSTRAP_SUBJECT = "repo:octocat/Hello-World:ref:refs/heads/main";
const ACTIONS_REQUEST_TOKEN = "stand-in-actions-request-token";
const graphState: GraphState = { tenantId: TENANT, applications: [], servicePrincipals: [] };
const armState: RoleAssignmentsState = { assignments: [], protocolErrors: [] };
function fixture(name: string): object {
  return JSON.parse(readFileSync(join(__dirname, "fixtures", "github", name), "utf8")) as object;
}
const githubState: GitHubState = {
  owner: "octocat",
  repo: "Hello-World",
  token: "ghp_standintoken",
  variables: new Map(),
  secrets: new Map(),
  keyId: "568250167242549743",
  repository: fixture("repository-octocat-hello-world.json"),
  oidcSubject: fixture("oidc-sub-name-only.json"),
};
const immutableState: GitHubState = {
  ...githubState,
  owner: "alonf",
  repo: "CaesariaAgenticArchitectureDemo",
  variables: new Map(),
  secrets: new Map(),
  repository: fixture("repository-alonf-caesaria.json"),
  oidcSubject: fixture("oidc-sub-immutable-not-opted-in.json"),
};

/** The stand-ins serve HTTPS with a certificate the openssl CLI makes (tests/standins/server.ts). */
const needsOpenssl = missingTool("openssl");

before(async () => {
  if (needsOpenssl) return;
  tls = createSelfSignedCertificate();
  setDefaultCACertificates([...getCACertificates("default"), tls.certPem]);
  graph = await startStandIn({ routes: graphRoutes(graphState), tls });
  arm = await startStandIn({ routes: roleAssignmentRoutes(armState, "https://management.azure.com"), tls });
  imds = await startStandIn({ routes: imdsRoutes({ principal: VM_PRINCIPAL }) });
  github = await startStandIn({ routes: githubRoutes(githubState, await repositoryKeyPair()) });
  immutableGithub = await startStandIn({ routes: githubRoutes(immutableState, await repositoryKeyPair()) });
  const now = () => Date.now();
  actionsOidc = await startStandIn({
    routes: githubOidcRoutes({
      requestToken: ACTIONS_REQUEST_TOKEN,
      subject: BOOTSTRAP_SUBJECT,
      lifetimeSeconds: 300,
      now,
      issued: [],
    }),
  });
  entra = await startStandIn({
    tls,
    routes: entraRoutes({
      tenantId: STAND_IN_TENANT_ID,
      clientId: BOOTSTRAP_PRINCIPAL.appId,
      federatedSubject: BOOTSTRAP_SUBJECT,
      principal: BOOTSTRAP_PRINCIPAL,
      now,
    }),
  });
});

after(async () => {
  if (needsOpenssl) return;
  await Promise.all([graph, arm, imds, github, immutableGithub, actionsOidc, entra].map((server) => server.close()));
  tls.dispose();
});

type Run = ChildRun;

/** What a GitHub Actions job with `permissions: id-token: write` has for the bootstrap application (GitHub Docs). */
const actionsSignIn = () => ({
  ACTIONS_ID_TOKEN_REQUEST_URL: `${actionsOidc.origin}${GITHUB_TOKEN_PATH}?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: ACTIONS_REQUEST_TOKEN,
  AZURE_CLIENT_ID: BOOTSTRAP_PRINCIPAL.appId,
  AZURE_TENANT_ID: STAND_IN_TENANT_ID,
  AZURE_AUTHORITY_HOST: entra.origin,
});

/** What the command reads besides the sign-in: the stand-ins' endpoints and the GitHub token. */
const commandVariables = () => ({
  SETUP_GRAPH_ENDPOINT: graph.origin,
  KEYLESS_ARM_ENDPOINT: arm.origin,
  GITHUB_API_URL: github.origin,
  GITHUB_TOKEN: githubState.token,
});

/** The real `npm run setup-github -- ARGS` in a child process, without this machine's sign-in variables. */
function npmRunSetupGithub(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AZURE_|ARM_|IDENTITY_|MSI_|NODE_TEST|PULUMI_|GITHUB_|GH_|npm_)/.test(name)) continue;
    env[name] = value;
  }
  Object.assign(env, {
    PATH: [dirname(process.execPath), process.env.PATH].join(":"),
    NODE_EXTRA_CA_CERTS: tls.certPath,
    AZURE_POD_IDENTITY_AUTHORITY_HOST: imds.origin,
    ...commandVariables(),
    ...extraEnv,
  });
  return runChild("npm", ["run", "--silent", "setup-github", "--", ...args], ROOT, env);
}

/** The command's function in this process, as `npm run setup-github -- ARGS` in a GitHub Actions job. */
async function runSetupGithub(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io = {
    out: (text: string) => {
      stdout += text;
    },
    err: (text: string) => {
      stderr += text;
    },
  };
  const code = await setupGithub(args, { env: { ...actionsSignIn(), ...commandVariables(), ...extraEnv }, io });
  return { code, stdout, stderr };
}

const ARGS = [
  "--repo",
  "octocat/Hello-World",
  "--subscription",
  SUBSCRIPTION,
  "--backend-url",
  BACKEND,
  "--state-storage-account",
  STATE_ACCOUNT,
];

/** Requests that change something (anything but GET) on the three stand-ins since `since`. */
function writes(since: { graph: number; arm: number; github: number }): string[] {
  return [
    ...graph.requests.slice(since.graph).map((request) => `graph ${request.method} ${request.url.pathname}`),
    ...arm.requests.slice(since.arm).map((request) => `arm ${request.method} ${request.url.pathname}`),
    ...github.requests.slice(since.github).map((request) => `github ${request.method} ${request.url.pathname}`),
  ].filter((line) => !/ GET /.test(line));
}

const mark = () => ({ graph: graph.requests.length, arm: arm.requests.length, github: github.requests.length });

describe("npm run setup-github", { skip: needsOpenssl }, () => {
  test("--dry-run lists every change and changes nothing; a missing passphrase is skipped with exit 1", async () => {
    const since = mark();
    const run = await runSetupGithub([...ARGS, "--dry-run"]);
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.deepEqual(writes(since), [], "a dry run only reads");
    assert.match(run.stdout, /\+ would create\s+Entra ID\s+application github-octocat-Hello-World/);
    assert.match(
      run.stdout,
      /OIDC subjects of octocat\/Hello-World: default template, with names only \(not opted in to immutable subjects\):\n {2}repo:octocat\/Hello-World:pull_request\n {2}repo:octocat\/Hello-World:ref:refs\/heads\/main\n/,
    );
    assert.match(
      run.stdout,
      /\+ would create\s+Entra ID\s+federated credential repo:octocat\/Hello-World:pull_request/,
    );
    assert.match(
      run.stdout,
      /\+ would create\s+Entra ID\s+federated credential repo:octocat\/Hello-World:ref:refs\/heads\/main/,
    );
    assert.match(
      run.stdout,
      /migrate: octocat\/Hello-World issues name-only subjects[^\n]*\n.*--add-immutable-subjects \(trusts both forms\)\n.*gh api -X PUT repos\/octocat\/Hello-World\/actions\/oidc\/customization\/sub -F use_default=true -F use_immutable_subject=true\n/,
    );
    assert.match(run.stdout, /\+ would create\s+Azure RBAC\s+Contributor at \/subscriptions\/0b1f6471/);
    assert.match(
      run.stdout,
      /\+ would create\s+GitHub\s+variable AZURE_TENANT_ID: 72f988bf-86f1-41af-91ab-2d7cd011db47/,
    );
    assert.match(run.stdout, /! skipped\s+GitHub\s+secret PULUMI_CONFIG_PASSPHRASE: export PULUMI_CONFIG_PASSPHRASE/);
    assert.match(run.stdout, /dry run: nothing was changed/);
    assert.deepEqual(graphState.applications, []);
    const scopes = entra.requests.map((request) => new URLSearchParams(request.body).get("scope"));
    assert.ok(scopes.includes("https://graph.microsoft.com/.default"), "signed in through GitHub OIDC for Graph");
  });

  test("creates the application, federated credentials, roles, variables and secret; the second run changes nothing", async () => {
    const first = await npmRunSetupGithub(ARGS, { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });
    assert.equal(first.code, 0, first.stderr + first.stdout);

    assert.equal(graphState.applications.length, 1);
    const app = graphState.applications[0];
    assert.ok(app);
    assert.equal(app.displayName, "github-octocat-Hello-World");
    assert.deepEqual(
      app.federatedIdentityCredentials.map(({ issuer, subject, audiences }) => ({ issuer, subject, audiences })),
      [
        {
          issuer: "https://token.actions.githubusercontent.com",
          subject: "repo:octocat/Hello-World:pull_request",
          audiences: ["api://AzureADTokenExchange"],
        },
        {
          issuer: "https://token.actions.githubusercontent.com",
          subject: "repo:octocat/Hello-World:ref:refs/heads/main",
          audiences: ["api://AzureADTokenExchange"],
        },
      ],
    );
    const sp = graphState.servicePrincipals.find((principal) => principal.appId === app.appId);
    assert.ok(sp, "the application has a service principal");

    // Role IDs as Learn's built-in roles pages print them.
    const byRole = (guid: string) =>
      armState.assignments.filter((assignment) => assignment.roleDefinitionId.endsWith(`/roleDefinitions/${guid}`));
    const [contributor] = byRole("b24988ac-6180-42a0-ab88-20f7382dd24c");
    const [rbacAdmin] = byRole("f58310d9-a9f6-439a-9e8d-f62e7b41a168");
    const [blobData] = byRole("ba92f5b4-2d11-453d-a403-e96b0029c9fe");
    assert.equal(armState.assignments.length, 3);
    for (const assignment of [contributor, rbacAdmin, blobData]) {
      assert.equal(assignment?.principalId, sp.id);
      assert.equal(assignment?.principalType, "ServicePrincipal");
    }
    assert.equal(contributor?.scope, `/subscriptions/${SUBSCRIPTION}`);
    assert.equal(
      contributor?.roleDefinitionId,
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
    );
    assert.equal(contributor?.condition, undefined);
    assert.equal(blobData?.scope, STATE_ACCOUNT);
    // Constrained to the roles the stack assigns (Learn built-in roles: Cognitive Services User, OpenAI User, OpenAI
    // Contributor, Storage Blob Data Owner, Storage Queue Data Contributor, Storage Table Data Contributor,
    // Monitoring Metrics Publisher), for adding and for removing assignments.
    const assignable =
      "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3, 3913510d-42f4-4e42-8a64-420c390055eb, 5e0bd9bd-7b93-4f28-af87-19fc36ad61bd, 974c5e8b-45b9-4653-ba55-5f855dd0fb88, a001fd3d-188f-4b5d-821b-7da978bf7442, a97b65f3-24c7-4388-baec-2e87135dc908, b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    assert.equal(
      rbacAdmin?.condition,
      `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${assignable}})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${assignable}}))`,
    );
    assert.equal(rbacAdmin?.conditionVersion, "2.0");
    assert.deepEqual(armState.protocolErrors, []);

    assert.deepEqual(Object.fromEntries(githubState.variables), {
      AZURE_CLIENT_ID: app.appId,
      AZURE_TENANT_ID: TENANT,
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
      PULUMI_BACKEND_URL: BACKEND,
    });
    assert.equal(githubState.secrets.get("PULUMI_CONFIG_PASSPHRASE"), PASSPHRASE, "sealed with the repository key");
    assert.doesNotMatch(first.stdout + first.stderr, /correct horse/, "the passphrase is never printed");
    assert.match(first.stdout, /\+ create\s+Entra ID\s+application github-octocat-Hello-World: appId /);
    assert.match(first.stdout, /\+ create\s+GitHub\s+secret PULUMI_CONFIG_PASSPHRASE/);
    assert.match(first.stdout, /12 change\(s\) made\./);
    assert.match(
      first.stdout,
      /why RoleBasedAccessControlAdministrator: create and delete the stack's role assignments/,
    );

    const since = mark();
    const second = await runSetupGithub([...ARGS, "--json"], { PULUMI_CONFIG_PASSPHRASE: "another passphrase" });
    assert.equal(second.code, 0, second.stderr + second.stdout);
    assert.deepEqual(writes(since), [], "the second run only reads");
    const summary = JSON.parse(second.stdout) as { changes: { action: string; subject: string }[] };
    assert.deepEqual(
      summary.changes.filter((change) => change.action !== "unchanged"),
      [],
    );
    assert.equal(summary.changes.length, 12);
    assert.equal(githubState.secrets.get("PULUMI_CONFIG_PASSPHRASE"), PASSPHRASE, "an existing secret is kept");

    const text = await runSetupGithub(ARGS);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Nothing to change: everything is already set up\./);
  });

  test("the switch to immutable subjects: both trusted, then opt in, then the name-only ones are listed to delete", async () => {
    const both = await runSetupGithub([...ARGS, "--add-immutable-subjects"], { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });
    assert.equal(both.code, 0, both.stderr + both.stdout);
    const app = graphState.applications.find((each) => each.displayName === "github-octocat-Hello-World");
    assert.deepEqual(
      app?.federatedIdentityCredentials.map(({ name, subject }) => ({ name, subject })),
      [
        { name: "octocat-Hello-World-pull-request", subject: "repo:octocat/Hello-World:pull_request" },
        { name: "octocat-Hello-World-main", subject: "repo:octocat/Hello-World:ref:refs/heads/main" },
        {
          name: "octocat-Hello-World-pull-request-immutable",
          subject: "repo:octocat@1/Hello-World@1296269:pull_request",
        },
        {
          name: "octocat-Hello-World-main-immutable",
          subject: "repo:octocat@1/Hello-World@1296269:ref:refs/heads/main",
        },
      ],
    );
    assert.match(both.stdout, /2 change\(s\) made\./);

    const before = await runSetupGithub(ARGS);
    assert.equal(before.code, 0, before.stderr + before.stdout);
    assert.match(
      before.stdout,
      /= unchanged\s+Entra ID\s+federated credential repo:octocat@1\/Hello-World@1296269:pull_request: name octocat-Hello-World-pull-request-immutable, kept for the switch/,
    );
    assert.match(before.stdout, /Nothing to change/);

    githubState.oidcSubject = fixture("oidc-sub-opted-in.json");
    const since = mark();
    const after = await runSetupGithub(ARGS);
    assert.equal(after.code, 0, after.stderr + after.stdout);
    assert.deepEqual(writes(since), [], "stale credentials are listed, never deleted");
    assert.match(
      after.stdout,
      /OIDC subjects of octocat\/Hello-World: default template, with immutable owner and repository IDs:/,
    );
    assert.match(
      after.stdout,
      /- stale\s+Entra ID\s+federated credential repo:octocat\/Hello-World:ref:refs\/heads\/main: GitHub no longer issues this subject for the repository, yet the credential still trusts it: delete it with az ad app federated-credential delete --id \S+ --federated-credential-id \S+/,
    );
    assert.match(after.stdout, /2 item\(s\) no longer needed: remove them as shown/);
    assert.doesNotMatch(after.stdout, /migrate:/);
  });

  test("usage errors exit 2 and name the problem", async () => {
    const noSubscription = await runSetupGithub(["--repo", "octocat/Hello-World"]);
    assert.equal(noSubscription.code, 2);
    assert.match(noSubscription.stderr, /setup-github: --subscription needs the subscription ID/);
    const wrongScope = await runSetupGithub([
      ...ARGS,
      "--scope",
      "/subscriptions/00000000-0000-0000-0000-000000000000",
    ]);
    assert.equal(wrongScope.code, 2);
    assert.match(wrongScope.stderr, /--scope .*expected \/subscriptions\/0b1f6471/);
  });
});

describe("the repository from a git remote", { skip: needsOpenssl }, () => {
  test("https, ssh and scp-like URLs; anything else is not a repository", () => {
    for (const url of [
      "https://github.com/contoso/keyless-openai.git",
      "https://github.com/contoso/keyless-openai",
      "git@github.com:contoso/keyless-openai.git",
      "ssh://git@github.com/contoso/keyless-openai.git",
      "contoso/keyless-openai",
    ]) {
      assert.deepEqual(parseRepository(url), { owner: "contoso", name: "keyless-openai" }, url);
    }
    assert.equal(parseRepository("https://github.com/contoso"), undefined);
    assert.equal(parseRepository("contoso/keyless openai"), undefined);
  });

  test("without --repo: the origin remote of the checkout; without one, a usage error that says to pass --repo", {
    skip: missingTool("git"),
  }, () => {
    const checkout = mkdtempSync(join(tmpdir(), "setup-github-git-"));
    try {
      execFileSync("git", ["init", "-q", checkout]);
      assert.throws(() => resolveRepository(undefined, checkout), /pass --repo owner\/name/);
      execFileSync("git", ["-C", checkout, "remote", "add", "origin", "git@github.com:fabrikam/ai-platform.git"]);
      assert.deepEqual(resolveRepository(undefined, checkout), { owner: "fabrikam", name: "ai-platform" });
      assert.deepEqual(resolveRepository("contoso/keyless-openai", checkout), {
        owner: "contoso",
        name: "keyless-openai",
      });
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });
});

describe("npm run setup-github on a repository created after the immutable-subject cut-over", {
  skip: needsOpenssl,
}, () => {
  const IMMUTABLE_ARGS = ["--repo", "alonf/CaesariaAgenticArchitectureDemo", "--subscription", SUBSCRIPTION];
  const immutableRun = (args: string[]) =>
    runSetupGithub(args, { GITHUB_API_URL: immutableGithub.origin, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE });

  test("--dry-run shows the immutable subjects; the run registers exactly them; a rerun changes nothing", async () => {
    const dry = await immutableRun([...IMMUTABLE_ARGS, "--dry-run"]);
    assert.equal(dry.code, 1, dry.stderr + dry.stdout);
    assert.match(
      dry.stdout,
      /OIDC subjects of alonf\/CaesariaAgenticArchitectureDemo: default template, with immutable owner and repository IDs:\n {2}repo:alonf@554150\/CaesariaAgenticArchitectureDemo@1352569832:pull_request\n {2}repo:alonf@554150\/CaesariaAgenticArchitectureDemo@1352569832:ref:refs\/heads\/main\n/,
    );
    assert.doesNotMatch(dry.stdout, /migrate:/);

    const first = await immutableRun(IMMUTABLE_ARGS);
    assert.equal(first.code, 1, "PULUMI_BACKEND_URL is not given, so that variable is skipped");
    const app = graphState.applications.find(
      (each) => each.displayName === "github-alonf-CaesariaAgenticArchitectureDemo",
    );
    assert.deepEqual(
      app?.federatedIdentityCredentials.map(({ name, subject }) => ({ name, subject })),
      [
        {
          name: "alonf-CaesariaAgenticArchitectureDemo-pull-request-immutable",
          subject: "repo:alonf@554150/CaesariaAgenticArchitectureDemo@1352569832:pull_request",
        },
        {
          name: "alonf-CaesariaAgenticArchitectureDemo-main-immutable",
          subject: "repo:alonf@554150/CaesariaAgenticArchitectureDemo@1352569832:ref:refs/heads/main",
        },
      ],
    );

    const since = { ...mark(), github: immutableGithub.requests.length };
    const second = await immutableRun([...IMMUTABLE_ARGS, "--json"]);
    assert.deepEqual(
      [
        ...graph.requests.slice(since.graph),
        ...arm.requests.slice(since.arm),
        ...immutableGithub.requests.slice(since.github),
      ]
        .filter((request) => request.method !== "GET")
        .map((request) => `${request.method} ${request.url.pathname}`),
      [],
      "the rerun only reads",
    );
    const summary = JSON.parse(second.stdout) as { oidc: { form: string }; changes: { action: string }[] };
    assert.equal(summary.oidc.form, "immutable");
    assert.deepEqual(
      summary.changes.filter((change) => change.action === "create" || change.action === "update"),
      [],
    );
  });

  test("--add-immutable-subjects on a repository that already issues immutable subjects is a usage error", async () => {
    const run = await immutableRun([...IMMUTABLE_ARGS, "--add-immutable-subjects"]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /--add-immutable-subjects: alonf\/CaesariaAgenticArchitectureDemo does not report name-only subjects .*: run without it/,
    );
  });
});
