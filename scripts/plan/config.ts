/**
 * Reads a stack's config the way the Pulumi CLI hands it to a program: project defaults from Pulumi.yaml's `config`
 * block, overridden by Pulumi.<stack>.yaml. Source: Pulumi project file reference, "config options"
 * (pulumi.com/docs/iac/concepts/projects/project-file): keys without a namespace belong to the project; a key's
 * value is either a plain default or an object with `type`, `description`, `default`, `secret`, `items`.
 * Values reach the program as strings (objects and arrays as JSON), as the CLI passes them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/** Stand-in for a `secure:` value: the plan has no key to decrypt it, and must not need one. */
export const SECRET_PLACEHOLDER = "offline-plan-secret-placeholder";

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
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const DECLARATION_KEYS = ["type", "description", "default", "secret", "items", "value"];

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function readYaml(path: string): Record<string, unknown> {
  const parsed: unknown = parse(readFileSync(path, "utf8"));
  if (!isRecord(parsed)) throw new Error(`${path}: expected a YAML mapping`);
  return parsed;
}

/** Loads Pulumi.yaml and Pulumi.<stack>.yaml from `projectDir`. A missing stack file means defaults only. */
export function readStackConfig(projectDir: string, stack: string): StackConfig {
  const projectFile = readYaml(join(projectDir, "Pulumi.yaml"));
  const project = projectFile.name;
  if (typeof project !== "string") throw new Error("Pulumi.yaml: name is missing");
  const fullKey = (key: string) => (key.includes(":") ? key : `${project}:${key}`);

  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const declared = isRecord(projectFile.config) ? projectFile.config : {};
  for (const [key, declaration] of Object.entries(declared)) {
    const isDeclaration = isRecord(declaration) && Object.keys(declaration).some((k) => DECLARATION_KEYS.includes(k));
    const fallback = isDeclaration ? (declaration.value ?? declaration.default) : declaration;
    if (isDeclaration && declaration.secret === true) secretKeys.add(fullKey(key));
    if (fallback !== undefined) values[fullKey(key)] = asConfigString(fallback);
  }

  const configDir = typeof projectFile.stackConfigDir === "string" ? projectFile.stackConfigDir : ".";
  const stackPath = join(projectDir, configDir, `Pulumi.${stack}.yaml`);
  if (existsSync(stackPath)) {
    const stackFile = readYaml(stackPath);
    if (stackFile.environment !== undefined) {
      throw new Error(`${stackPath}: Pulumi ESC environments cannot be read offline`);
    }
    const stackValues = isRecord(stackFile.config) ? stackFile.config : {};
    for (const [key, value] of Object.entries(stackValues)) {
      if (isRecord(value) && typeof value.secure === "string") {
        secretKeys.add(fullKey(key));
        values[fullKey(key)] = SECRET_PLACEHOLDER;
      } else {
        values[fullKey(key)] = asConfigString(value);
      }
    }
  }
  const main = typeof projectFile.main === "string" ? projectFile.main : undefined;
  return { project, stack, values, secretKeys: [...secretKeys].sort(), ...(main ? { main } : {}) };
}
