/**
 * Writes a model pin into Pulumi.<stack>.yaml, where reviewers see it in the pull request and previews read it.
 * Edits the YAML document in place (the `yaml` package's Document API keeps comments and the order of other keys), so
 * a hand-written stack file stays as it was apart from the one deployment entry.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isScalar, isSeq, parseDocument, Scalar, YAMLSeq } from "yaml";

/** What the pin changed. */
export interface PinResult {
  path: string;
  /** The deployment string that was replaced, if the stack had one of that name. */
  replaced?: string;
}

/** The `name=` field of a deployment string. */
function deploymentName(text: string): string | undefined {
  return /(?:^|,)\s*name=([^,]*)/.exec(text)?.[1]?.trim();
}

/**
 * Sets the deployment named like `spec`'s `name=` in `<project>:deployments` of Pulumi.<stack>.yaml (replaced in
 * place, or appended), with `note` as a comment above it. Creates the file when the stack has none.
 */
export function pinDeployment(options: {
  projectDir: string;
  project: string;
  stack: string;
  spec: string;
  note: string;
}): PinResult {
  const path = join(options.projectDir, `Pulumi.${options.stack}.yaml`);
  const document = parseDocument(existsSync(path) ? readFileSync(path, "utf8") : "config: {}\n");
  if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message}`);
  const key = `${options.project}:deployments`;
  const name = deploymentName(options.spec);
  let list = document.getIn(["config", key]);
  if (!isSeq(list)) {
    list = new YAMLSeq();
    document.setIn(["config", key], list);
  }
  const items = (list as YAMLSeq).items;
  const entry = new Scalar(options.spec);
  entry.commentBefore = ` ${options.note}`;
  const index = items.findIndex((item) => isScalar(item) && deploymentName(String(item.value)) === name);
  let replaced: string | undefined;
  if (index === -1) {
    items.push(entry);
  } else {
    replaced = String((items[index] as Scalar).value);
    items[index] = entry;
  }
  // A flow mapping (`config: {}`) would print the new list inline; a stack file is block style.
  const config = document.get("config", true);
  if (config && typeof config === "object" && "flow" in config) (config as { flow: boolean }).flow = false;
  writeFileSync(path, document.toString());
  return { path, ...(replaced !== undefined ? { replaced } : {}) };
}

/**
 * Replaces one pinned deployment string by another in Pulumi.<stack>.yaml as text: every other byte of the file
 * (comments, quoting, order, blank lines) stays as it was, which a re-serialised YAML document does not promise.
 * @throws when `from` is not found exactly once, or the edited file no longer lists `to` under `key`.
 */
export function replacePinText(path: string, key: string, from: string, to: string): void {
  const text = readFileSync(path, "utf8");
  const first = text.indexOf(from);
  if (first === -1 || text.indexOf(from, first + from.length) !== -1)
    throw new Error(`${path}: expected the pin '${from}' exactly once; edit the file by hand or run --pin`);
  const edited = `${text.slice(0, first)}${to}${text.slice(first + from.length)}`;
  const listed = parseDocument(edited).getIn(["config", key]);
  if (!isSeq(listed) || !listed.items.some((item) => isScalar(item) && item.value === to))
    throw new Error(`${path}: after the edit, ${key} does not list '${to}'; the file was left unchanged`);
  writeFileSync(path, edited);
}
