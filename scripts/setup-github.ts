/**
 * `npm run setup-github`: the Azure and GitHub side of the workflows in one idempotent command (what
 * `azd pipeline config` does for azd templates): an Entra application and its service principal, federated
 * credentials for pull requests and main, the roles the workflows need at the chosen scope, and the repository
 * variables and passphrase secret the workflows read. Every change is listed; a second run changes nothing.
 *
 * Azure sign-in: DefaultAzureCredential (az login works); the signed-in identity must be allowed to create
 * applications (Application Developer, or "users can register applications") and to assign roles at the scope
 * (Owner, User Access Administrator or Role Based Access Control Administrator). GitHub: a token in GITHUB_TOKEN
 * (or GH_TOKEN, e.g. `GITHUB_TOKEN=$(gh auth token)`) allowed to write the repository's variables and secrets.
 * `SETUP_GRAPH_ENDPOINT`, `KEYLESS_ARM_ENDPOINT` (scripts/core/arm-endpoint.ts) and `GITHUB_API_URL` move the endpoints (GitHub Enterprise, tests).
 */
import { armEndpoint } from "./core/arm-endpoint";
import { type CommandIo, defineCommand, EXIT, processIo, runCommand, runMain, UsageError } from "./core/cli";
import { PROJECT_ROOT } from "./core/project-root";
import { type Change, renderChanges } from "./setup-github/changes";
import { federatedCredentials, PASSPHRASE_SECRET, roleNeeds } from "./setup-github/desired";
import { describeSubjects, type IssuedSubjects, resolveIssuedSubjects } from "./setup-github/oidc-subject";
import { type Repository, resolveRepository } from "./setup-github/repository";

const SPEC = defineCommand({
  name: "setup-github",
  summary: `Sets up what the GitHub workflows need, and says what it changed:
  Entra ID    an application and its service principal (created, or reused by name), with federated credentials
              for the subjects GitHub issues to pull requests (preview, PR stacks) and to refs/heads/main (deploy,
              cleanup), as the repository's OIDC settings say: repo:OWNER/NAME:pull_request, or with immutable IDs
              repo:OWNER@OWNER_ID/NAME@REPO_ID:pull_request, or a custom template's subject; issuer
              https://token.actions.githubusercontent.com, audience api://AzureADTokenExchange
  Azure RBAC  Contributor at the scope (create, destroy and purge resources, run the smoke test); Role Based Access
              Control Administrator at the scope, constrained to the roles the stack assigns; Storage Blob Data
              Contributor on the state storage account when --state-storage-account is given
  GitHub      variables AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_SUBSCRIPTION_ID, PULUMI_BACKEND_URL and the secret
              PULUMI_CONFIG_PASSPHRASE (from the environment variable of that name; kept if it already exists)`,
  options: {
    subscription: {
      type: "string",
      valueName: "ID",
      required: true,
      description: "the Azure subscription the workflows deploy to",
    },
    scope: {
      type: "string",
      valueName: "ID",
      description:
        "where the roles are granted: /subscriptions/ID (default; purging a deleted account needs it) or a resource group ID",
    },
    repo: {
      type: "string",
      valueName: "OWNER/NAME",
      description: "the GitHub repository (default: from git remote get-url origin)",
    },
    "app-name": {
      type: "string",
      valueName: "NAME",
      description: "display name of the Entra application (default: github-OWNER-NAME)",
    },
    "backend-url": {
      type: "string",
      valueName: "URL",
      description: "value of PULUMI_BACKEND_URL, e.g. azblob://state?storage_account=NAME",
    },
    "state-storage-account": {
      type: "string",
      valueName: "ID",
      description: "resource ID of the state storage account (grants Storage Blob Data Contributor there)",
    },
    "replace-passphrase": {
      type: "boolean",
      default: false,
      description: "overwrite an existing PULUMI_CONFIG_PASSPHRASE secret",
    },
    "add-immutable-subjects": {
      type: "boolean",
      default: false,
      description:
        "also trust the immutable-ID subjects of a repository that still issues name-only ones, so it can opt in to immutable subjects without failing sign-ins",
    },
    "dry-run": { type: "boolean", default: false, description: "print what would change and change nothing" },
    json: { type: "boolean", default: false, description: "print the changes as JSON instead of text" },
  },
  exitCodes: {
    ok: "done (or nothing to do)",
    failed: "a call failed or an item was skipped (the output says which)",
  },
  footer: "Environment: GITHUB_TOKEN (or GH_TOKEN), PULUMI_CONFIG_PASSPHRASE; Azure sign-in as for az login.",
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The scope, checked to be the subscription or one of its resource groups. @throws UsageError */
function checkedScope(scope: string, subscriptionId: string): string {
  const match = /^\/subscriptions\/([^/]+)(\/resourceGroups\/[-\w.()]+)?$/i.exec(scope);
  if (!match || match[1]?.toLowerCase() !== subscriptionId.toLowerCase()) {
    throw new UsageError(
      `--scope ${JSON.stringify(scope)}: expected /subscriptions/${subscriptionId} or /subscriptions/${subscriptionId}/resourceGroups/NAME`,
    );
  }
  return scope;
}

/** The steps that move a name-only repository to immutable subjects without an outage (Learn's migration order). */
function migrationAdvice(issued: IssuedSubjects, repository: Repository): string {
  const { owner, name } = issued.repository;
  const template =
    issued.template.kind === "custom" && issued.template.origin === "repository"
      ? `-F use_default=false ${issued.template.keys.map((key) => `-f 'include_claim_keys[]=${key}'`).join(" ")}`
      : issued.template.kind === "custom"
        ? "-F use_default=false"
        : "-F use_default=true";
  return [
    `  migrate: ${owner}/${name} issues name-only subjects; to switch to immutable subjects without failing sign-ins:`,
    `    1. npm run setup-github -- --repo ${repository.owner}/${repository.name} ... --add-immutable-subjects (trusts both forms)`,
    `    2. gh api -X PUT repos/${owner}/${name}/actions/oidc/customization/sub ${template} -F use_immutable_subject=true`,
    "    3. run a workflow, then run setup-github again: it lists the name-only credentials to delete",
  ].join("\n");
}

/** What a run reads and where it writes (the process's own by default; injected in tests). */
export interface SetupGithubEnvironment {
  env: NodeJS.ProcessEnv;
  io: CommandIo;
}

/** Runs `npm run setup-github` with `argv` (without node and the script) and returns the exit code. */
export function setupGithub(
  argv: readonly string[],
  environment: Partial<SetupGithubEnvironment> = {},
): Promise<number> {
  const env = environment.env ?? process.env;
  const io = environment.io ?? processIo;
  return runCommand(
    SPEC,
    argv,
    async ({ values }) => {
      const subscriptionId = values.subscription ?? "";
      if (!GUID.test(subscriptionId)) throw new UsageError("--subscription needs the subscription ID (a GUID)");
      const scope = checkedScope(values.scope ?? `/subscriptions/${subscriptionId}`, subscriptionId);
      const storageAccount = values["state-storage-account"];
      if (
        storageAccount !== undefined &&
        !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i.test(
          storageAccount,
        )
      ) {
        throw new UsageError(
          `--state-storage-account ${JSON.stringify(storageAccount)}: expected a storage account resource ID`,
        );
      }
      const repository = resolveRepository(values.repo, PROJECT_ROOT);
      const githubToken = env.GITHUB_TOKEN || env.GH_TOKEN;
      if (!githubToken) {
        throw new UsageError(
          "set GITHUB_TOKEN (or GH_TOKEN) to a token that may write the repository's variables and secrets, e.g. GITHUB_TOKEN=$(gh auth token)",
        );
      }
      const dryRun = values["dry-run"] === true;
      const appName = values["app-name"] ?? `github-${repository.owner}-${repository.name}`;

      // Loaded once the command line is valid: --help and usage errors need neither Octokit nor the Azure SDKs.
      // A dynamic import names the file's extension (TypeScript's node16 resolution, TS2835).
      const [
        { chooseAzureCredential },
        { authorizationClient, ensureRoleAssignments },
        { ensureApplication, ensureFederatedCredentials, ensureServicePrincipal, graphClient, tenantId },
        { ensureSecret, ensureVariables, githubClient },
      ] = await Promise.all([
        import("./core/azure-credential.js"),
        import("./setup-github/azure-roles.js"),
        import("./setup-github/entra.js"),
        import("./setup-github/github.js"),
      ]);

      const octokit = await githubClient(githubToken, env.GITHUB_API_URL || undefined, io.err);
      const issued = await resolveIssuedSubjects(octokit, repository);
      const addImmutable = values["add-immutable-subjects"] === true;
      if (addImmutable && issued.form !== "name-only") {
        throw new UsageError(
          `--add-immutable-subjects: ${repository.owner}/${repository.name} does not report name-only subjects (${describeSubjects(issued)}), so there is no second form to add: run without it`,
        );
      }
      const otherSubjects = issued.otherForm.map((item) => item.subject);

      const credential = chooseAzureCredential(env).credential;
      const graph = graphClient(credential, env.SETUP_GRAPH_ENDPOINT || undefined);
      const changes: Change[] = [];
      const tenant = await tenantId(graph);
      const app = await ensureApplication(graph, appName, dryRun);
      changes.push(app.change);
      const sp = app.application
        ? await ensureServicePrincipal(graph, app.application.appId, dryRun)
        : {
            change: { area: "Entra ID", subject: `service principal of ${appName}`, action: "create" } satisfies Change,
          };
      changes.push(sp.change);
      if (issued.refusal) {
        changes.push({ area: "Entra ID", subject: "federated credentials", action: "skipped", detail: issued.refusal });
      }
      changes.push(
        ...(await ensureFederatedCredentials(
          graph,
          app.application?.id,
          federatedCredentials(repository, addImmutable ? [...issued.subjects, ...issued.otherForm] : issued.subjects),
          dryRun,
          {
            keepIfPresent: issued.form === "name-only" && !addImmutable ? otherSubjects : [],
            stale: issued.form === "immutable" ? otherSubjects : [],
          },
        )),
      );

      const authorization = authorizationClient(credential, subscriptionId, armEndpoint(env));
      const needs = roleNeeds(scope, storageAccount);
      changes.push(
        ...(await ensureRoleAssignments(authorization, subscriptionId, sp.servicePrincipal?.id, needs, dryRun)),
      );

      changes.push(
        ...(await ensureVariables(
          octokit,
          repository,
          {
            AZURE_CLIENT_ID: app.application?.appId ?? (dryRun ? "(the new application's appId)" : undefined),
            AZURE_TENANT_ID: tenant,
            AZURE_SUBSCRIPTION_ID: subscriptionId,
            PULUMI_BACKEND_URL: values["backend-url"],
          },
          dryRun,
          {
            PULUMI_BACKEND_URL: "pass --backend-url azblob://CONTAINER?storage_account=NAME (docs/commands.md: State)",
          },
        )),
      );
      changes.push(
        await ensureSecret(octokit, repository, PASSPHRASE_SECRET, env.PULUMI_CONFIG_PASSPHRASE || undefined, {
          dryRun,
          replace: values["replace-passphrase"] === true,
          missingHint: "export PULUMI_CONFIG_PASSPHRASE (the stacks' passphrase) and re-run",
        }),
      );

      if (values.json) {
        io.out(
          `${JSON.stringify(
            {
              repository: `${repository.owner}/${repository.name}`,
              dryRun,
              oidc: { template: issued.template, form: issued.form ?? null, subjects: issued.subjects },
              changes,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        io.out(
          `Setting up ${repository.owner}/${repository.name} (subscription ${subscriptionId}, scope ${scope})${dryRun ? ", dry run" : ""}:\n`,
        );
        io.out(`${describeSubjects(issued)}:\n`);
        for (const item of issued.subjects) io.out(`  ${item.subject}\n`);
        io.out(renderChanges(changes, dryRun));
        for (const need of needs) io.out(`  why ${need.role}: ${need.why}\n`);
        if (issued.form === "name-only" && !addImmutable) {
          io.out(`${migrationAdvice(issued, repository)}\n`);
        }
      }
      return changes.some((change) => change.action === "skipped") ? EXIT.failed : EXIT.ok;
    },
    io,
  );
}

if (require.main === module) runMain(() => setupGithub(process.argv.slice(2)));
