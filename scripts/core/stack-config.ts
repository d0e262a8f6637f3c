/**
 * Reads a stack's config the way the Pulumi CLI hands it to a program: project defaults from Pulumi.yaml's `config`
 * block, overridden by Pulumi.<stack>.yaml. Source: Pulumi project file reference, "config options"
 * (pulumi.com/docs/iac/concepts/projects/project-file): keys without a namespace belong to the project; a key's
 * value is either a plain default or an object with `type`, `description`, `default`, `secret`, `items`.
 * Values reach the program as strings (objects and arrays as JSON), as the CLI passes them.
 *
 * What the CLI would let through silently is checked here, all problems at once: a namespace that is neither the
 * project's nor a provider's (`keyless-open-ai:location` is ignored by the program, which then plans defaults), and
 * a project key that Pulumi.yaml does not declare; each names the key and the likely intended one.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, YAMLParseError } from "yaml";
import { projectKeyProblem, stackNameProblem } from "../../lib/config";
import { closest } from "../../lib/suggest";

/** Stand-in for a `secure:` value: the plan has no key to decrypt it, and must not need one. */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

/**
 * Placeholders for `secure:` values of keys whose value has a shape the program validates, so that the plan checks
 * the stack, not the placeholder. An OpenSSH public key line ("ssh-ed25519 <base64> comment", RFC 4253 section 6.6
 * key format as OpenSSH writes it); its base64 is not a real key and never leaves the plan.
 */
const SHAPED_PLACEHOLDERS: Record<string, string> = {
  sshPublicKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9mZmxpbmVwbGFuc2VjcmV0cGxhY2Vob2xkZXIK ${SECRET_PLACEHOLDER}`,
};

/**
 * Namespaces the Pulumi engine itself reads (`pulumi:tags`, `pulumi:disable-default-providers`; Pulumi docs
 * "Configuration", built-in keys), besides the providers the project depends on.
 */
const ENGINE_NAMESPACES = ["pulumi"];

/** A stack's config as the program would see it. */
export interface StackConfig {
  project: string;
  stack: string;
  /** Full keys (`keyless-openai:location`) to the string value the program reads. */
  values: Record<string, string>;
  /** Keys whose value is a secret (a `secure:` value or a key declared `secret: true`): never printed. */
  secretKeys: string[];
  /** Path of Pulumi.yaml's `main`, or undefined for the project directory. */
  main?: string;
  /** Things the reader should know that do not stop the plan (no stack file, secrets planned as placeholders). */
  warnings: string[];
}

/** The stack's config has mistakes the CLI would not report; every one is listed. */
export class StackConfigError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${path}: ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "StackConfigError";
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const DECLARATION_KEYS = ["type", "description", "default", "secret", "items", "value"];

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A YAML file's top-level mapping. A syntax error names the file, line and column (`Pulumi.dev.yaml:3:3`, from the
 * `yaml` package's YAMLParseError.linePos); an empty file says what a stack file holds.
 */
function readYaml(path: string, projectDir: string, project?: string): Record<string, unknown> {
  const shown = relative(projectDir, path) || path;
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(path, "utf8"));
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const [start] = error.linePos ?? [];
    const where = start ? `${shown}:${start.line}:${start.col}` : shown;
    const reason = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    throw new StackConfigError(path, [`${where}: ${reason}; fix the YAML there`]);
  }
  if (parsed === null || parsed === undefined) {
    const example = project ? ` such as "config:\n  ${project}:location: swedencentral"` : "";
    throw new StackConfigError(path, [
      `${shown} is empty: a stack file holds a config: mapping${example}; add one or delete the file to plan the defaults`,
    ]);
  }
  if (!isRecord(parsed)) throw new StackConfigError(path, [`${shown} is not a YAML mapping: start it with config:`]);
  return parsed;
}

/**
 * Config namespaces of the providers the project installs: each `@pulumi/<name>` dependency in its package.json is
 * a provider package whose config namespace is `<name>` (`@pulumi/azure-native` reads `azure-native:location`).
 * The tool packages `@pulumi/pulumi` and `@pulumi/policy` are not providers.
 */
export function providerNamespaces(projectDir: string): string[] {
  const path = join(projectDir, "package.json");
  if (!existsSync(path)) return [];
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const names = new Set<string>();
  for (const field of ["dependencies", "devDependencies"]) {
    const dependencies = manifest[field];
    if (!isRecord(dependencies)) continue;
    for (const name of Object.keys(dependencies)) {
      const match = /^@pulumi\/(.+)$/.exec(name);
      if (match?.[1] && !["pulumi", "policy"].includes(match[1])) names.add(match[1]);
    }
  }
  return [...names].sort();
}

/** Declared type of a key in Pulumi.yaml (`string`, `array`, ...), if any. */
function declaredType(declared: Record<string, unknown>, key: string): string | undefined {
  const declaration = declared[key];
  return isRecord(declaration) && typeof declaration.type === "string" ? declaration.type : undefined;
}

/** The value a `secure:` key is planned with: shaped when the program checks its shape. */
function placeholderFor(key: string, type: string | undefined, fallback: string | undefined): string {
  const shaped = SHAPED_PLACEHOLDERS[key];
  if (shaped !== undefined) return shaped;
  if (type === "array") return "[]";
  if (type === "boolean" || type === "integer") return fallback ?? SECRET_PLACEHOLDER;
  return SECRET_PLACEHOLDER;
}

/**
 * Loads Pulumi.yaml and Pulumi.<stack>.yaml from `projectDir`. A missing stack file means defaults only (a warning
 * says so). `providers` are the provider namespaces allowed besides the project's (default: from package.json).
 * @throws StackConfigError listing every mistyped namespace and unknown key.
 */
export function readStackConfig(projectDir: string, stack: string, providers?: readonly string[]): StackConfig {
  const projectFile = readYaml(join(projectDir, "Pulumi.yaml"), projectDir);
  const project = projectFile.name;
  if (typeof project !== "string" || project === "")
    throw new Error(`${join(projectDir, "Pulumi.yaml")}: name is missing`);
  const fullKey = (key: string) => (key.includes(":") ? key : `${project}:${key}`);
  const warnings: string[] = [];

  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const declared = isRecord(projectFile.config) ? projectFile.config : {};
  for (const [key, declaration] of Object.entries(declared)) {
    const isDeclaration = isRecord(declaration) && Object.keys(declaration).some((k) => DECLARATION_KEYS.includes(k));
    const fallback = isDeclaration ? (declaration.value ?? declaration.default) : declaration;
    if (isDeclaration && declaration.secret === true) secretKeys.add(fullKey(key));
    if (fallback !== undefined) values[fullKey(key)] = asConfigString(fallback);
  }
  const declaredKeys = Object.keys(declared).filter((key) => !key.includes(":"));

  const badStackName = stackNameProblem(stack, true);
  if (badStackName !== undefined) throw new StackConfigError(stack, [badStackName]);
  const configDir = typeof projectFile.stackConfigDir === "string" ? projectFile.stackConfigDir : ".";
  // A qualified stack name (org/project/dev) keeps its config in Pulumi.dev.yaml.
  const stackPath = join(projectDir, configDir, `Pulumi.${stack.slice(stack.lastIndexOf("/") + 1)}.yaml`);
  if (!existsSync(stackPath)) {
    warnings.push(
      `${stackPath} does not exist: planned with the defaults of Pulumi.yaml only. Create the stack (npm run deploy -- --stack ${stack}, or npm run pulumi -- stack init ${stack}) or check the name.`,
    );
  } else {
    const stackFile = readYaml(stackPath, projectDir, project);
    if (stackFile.environment !== undefined) {
      throw new Error(`${stackPath}: Pulumi ESC environments cannot be read offline`);
    }
    const namespaces = [project, ...ENGINE_NAMESPACES, ...(providers ?? providerNamespaces(projectDir))];
    const problems: string[] = [];
    const stackValues = isRecord(stackFile.config) ? stackFile.config : {};
    for (const [key, value] of Object.entries(stackValues)) {
      const separator = key.indexOf(":");
      const keyNamespace: string = separator === -1 ? project : key.slice(0, separator);
      const name = separator === -1 ? key : key.slice(separator + 1);
      if (!namespaces.includes(keyNamespace)) {
        const intended = closest(keyNamespace, namespaces) ?? project;
        problems.push(
          `${key}: namespace '${keyNamespace}' is neither the project's ('${project}') nor a provider's (${namespaces.slice(1).join(", ")}); the program never reads it. Did you mean ${intended}:${name}?`,
        );
        continue;
      }
      if (keyNamespace === project && declaredKeys.length > 0 && !declaredKeys.includes(name)) {
        problems.push(
          projectKeyProblem(project, name, typeof value === "string" ? value : JSON.stringify(value)) ??
            `${key}: '${name}' is declared in Pulumi.yaml but lib/config.ts does not validate it`,
        );
        continue;
      }
      if (isRecord(value) && typeof value.secure === "string" && name === "deployments" && keyNamespace === project) {
        problems.push(
          `${key} is a secure value: a model pin is not a secret, and plan, preflight and models must read it; set it in plain text with npm run models -- --stack ${stack} --pin`,
        );
        continue;
      }
      if (isRecord(value) && typeof value.secure === "string") {
        // The ciphertext is not checked: only the stack's secrets provider can decrypt it, at deploy time.
        secretKeys.add(fullKey(key));
        values[fullKey(key)] = placeholderFor(name, declaredType(declared, name), values[fullKey(key)]);
        warnings.push(`${key} is a secure value: planned as a secret with a placeholder (it is decrypted at deploy).`);
      } else {
        values[fullKey(key)] = asConfigString(value);
      }
    }
    if (problems.length > 0) throw new StackConfigError(stackPath, problems);
  }
  const main = typeof projectFile.main === "string" ? projectFile.main : undefined;
  return { project, stack, values, secretKeys: [...secretKeys].sort(), warnings, ...(main ? { main } : {}) };
}

/** Model and version the offline plan shows for a stack that pins no model yet (a valid name, self-explanatory). */
export const UNPINNED_MODEL = "pinned-at-first-deploy";

/**
 * The stack as it will be deployed when it pins no model yet: `npm run deploy` pins the newest model Azure's
 * catalogue offers before `pulumi up` (scripts/models), so the plan shows that deployment with a placeholder model,
 * and a warning that says how to pin it. A stack that pins a model is returned as it is.
 */
export function withUnpinnedModelPlanned(config: StackConfig): StackConfig {
  const key = `${config.project}:deployments`;
  const pinned = config.values[key];
  if (pinned !== undefined && pinned.trim() !== "" && pinned.trim() !== "[]") return config;
  return {
    ...config,
    values: {
      ...config.values,
      [key]: JSON.stringify([`name=chat,model=${UNPINNED_MODEL},version=${UNPINNED_MODEL}`]),
    },
    warnings: [
      ...config.warnings,
      `stack '${config.stack}' pins no model: planned with deployment 'chat' of model '${UNPINNED_MODEL}'. The first \`npm run deploy -- --stack ${config.stack}\` pins the newest model Azure offers in its region (or run \`npm run models -- --stack ${config.stack} --pin\`); commit the pin so reviewers see it.`,
    ],
  };
}
