/**
 * The Function App's code package: one esbuild bundle of `src/index.ts` (dependencies included) at `dist/index.js`,
 * plus `package.json` (whose `main` points at the bundle) and `host.json`, in a zip that is byte-for-byte the same for
 * the same inputs: fixed entry order, fixed timestamps and attributes, fixed compression. Its SHA-256 is what the
 * deploy is keyed on, so an unchanged app is never redeployed.
 *
 * The program asks for the package on every evaluation (every preview), so a build is reused while nothing it was
 * made from has changed: the cache record lists every file esbuild read (its metafile), with content hashes.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { crc32 } from "node:zlib";
import { buildSync, version as esbuildVersion } from "esbuild";
import { deflateSync } from "fflate";

const REPO_ROOT = resolve(__dirname, "..");
const BUNDLE_PATH = "dist/index.js";
const ZIP_NAME = "function-app.zip";
const CACHE_RECORD_NAME = "function-app.cache.json";
/** Provided by the Functions Node.js worker at run time, never bundled (node_modules/@azure/functions marks it external). */
export const WORKER_PROVIDED_MODULES = ["@azure/functions-core"] as const;
/** Dependency versions decide what gets bundled; a changed lock file means a fresh build even if paths stay put. */
const LOCK_FILE = "package-lock.json";

/** Where the build reads from and writes to. Relative paths are taken from the repository root. */
export interface BuildOptions {
  /** Folder with `package.json`, `host.json` and `src/index.ts`. Default `function-app`. */
  appDir?: string;
  /** Output folder for the zip and its cache record. Default `.build/function-app`. */
  outDir?: string;
}

/** The built package. */
export interface BuiltPackage {
  /** Zip path relative to the repository root (the Pulumi project directory, where the deploy command runs). */
  zipPath: string;
  absoluteZipPath: string;
  sha256: string;
  bytes: number;
  /** Entries in zip order. */
  entries: string[];
  /** True when the zip from an earlier build was reused because none of its inputs changed. */
  reused: boolean;
}

interface ZipEntry {
  name: string;
  data: Buffer;
}

/** What a build was made from and what it made; written next to the zip. */
interface CacheRecord {
  recipe: string;
  /** Repository-relative path → SHA-256 of every file the build read. */
  inputs: Record<string, string>;
  sha256: string;
  bytes: number;
  entries: string[];
}

// DOS date for 1980-01-01 00:00 (the earliest a zip can say): ((1980-1980) << 9) | (1 << 5) | 1.
const FIXED_DOS_DATE = 0x0021;
const FIXED_DOS_TIME = 0x0000;
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY_UNIX = (3 << 8) | VERSION_NEEDED;
const UNIX_FILE_MODE_0644 = (0o100644 << 16) >>> 0;
const METHOD_DEFLATE = 8;
const UTF8_NAMES_FLAG = 0x0800;

interface EntryFields {
  name: Buffer;
  checksum: number;
  compressedSize: number;
  size: number;
}

/** The 24 bytes local and central headers share, from "version needed to extract" to "file name length". */
function writeSharedHeaderFields(header: Buffer, at: number, fields: EntryFields): void {
  header.writeUInt16LE(VERSION_NEEDED, at);
  header.writeUInt16LE(UTF8_NAMES_FLAG, at + 2);
  header.writeUInt16LE(METHOD_DEFLATE, at + 4);
  header.writeUInt16LE(FIXED_DOS_TIME, at + 6);
  header.writeUInt16LE(FIXED_DOS_DATE, at + 8);
  header.writeUInt32LE(fields.checksum, at + 10);
  header.writeUInt32LE(fields.compressedSize, at + 14);
  header.writeUInt32LE(fields.size, at + 18);
  header.writeUInt16LE(fields.name.length, at + 22);
}

/**
 * A zip (PKWARE APPNOTE 6.3, no ZIP64) with the entries in the given order, deflated at level 9, every timestamp
 * 1980-01-01 and mode 0644. Deflate is fflate's (pure JavaScript, pinned in package-lock.json), not node:zlib's:
 * zlib's output is the same only for the same zlib build, and Node.js patch releases update the bundled zlib (and its
 * CPU-dependent code paths), which would change the zip's digest and redeploy an unchanged app. CRC-32 is a fixed
 * function (ISO 3309), the same from any correct implementation.
 */
export function deterministicZip(entries: ZipEntry[]): Buffer {
  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const compressed = Buffer.from(deflateSync(entry.data, { level: 9 }));
    const fields: EntryFields = {
      name: Buffer.from(entry.name, "utf8"),
      checksum: crc32(entry.data),
      compressedSize: compressed.length,
      size: entry.data.length,
    };

    const local = Buffer.alloc(30); // extra field length at 28 stays 0
    local.writeUInt32LE(0x04034b50, 0);
    writeSharedHeaderFields(local, 4, fields);
    localParts.push(local, fields.name, compressed);

    const central = Buffer.alloc(46); // extra, comment, disk number, internal attributes at 30-37 stay 0
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
    writeSharedHeaderFields(central, 6, fields);
    central.writeUInt32LE(UNIX_FILE_MODE_0644, 38);
    central.writeUInt32LE(offset, 42);
    centralParts.push(central, fields.name);

    offset += local.length + fields.name.length + compressed.length;
  }
  const centralDirectory = Buffer.concat(centralParts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...localParts, centralDirectory, end]);
}

function fromRoot(path: string): string {
  return isAbsolute(path) ? path : join(REPO_ROOT, path);
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The app's package.json, checked: its `main` must be the bundle, since nothing else is shipped. */
function readPackageJson(appDir: string): Buffer {
  const raw = readFileSync(join(appDir, "package.json"));
  const manifest = JSON.parse(raw.toString("utf8")) as { main?: unknown; dependencies?: Record<string, string> };
  if (manifest.main !== BUNDLE_PATH) {
    throw new Error(
      `${join(appDir, "package.json")}: "main" must be "${BUNDLE_PATH}" (found ${String(manifest.main)})`,
    );
  }
  if (manifest.dependencies && Object.keys(manifest.dependencies).length > 0) {
    throw new Error(`${join(appDir, "package.json")}: list no dependencies; they are bundled and never installed`);
  }
  return raw;
}

/** Bundles `src/index.ts` into one CommonJS file for Node 22, in memory; also returns every file it read. */
function bundle(appDir: string): { code: Buffer; inputs: string[] } {
  const result = buildSync({
    entryPoints: [relative(REPO_ROOT, join(appDir, "src", "index.ts"))],
    absWorkingDir: REPO_ROOT, // paths in the bundle's comments are relative to this, so they match on every machine
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    outfile: BUNDLE_PATH,
    external: [...WORKER_PROVIDED_MODULES],
    write: false,
    sourcemap: false,
    legalComments: "eof", // keep the bundled packages' licence notices
    logLevel: "silent",
    metafile: true,
  });
  const [output] = result.outputFiles;
  if (!output || result.outputFiles.length !== 1) {
    throw new Error(`esbuild produced ${result.outputFiles.length} files; expected only ${BUNDLE_PATH}`);
  }
  return { code: Buffer.from(output.contents), inputs: Object.keys(result.metafile.inputs) };
}

/** Everything besides file contents that decides the bytes of the zip. Bump the format tag when this module changes. */
function recipe(appDir: string): string {
  // format 2: entries deflated by fflate instead of node:zlib (a zip cached by format 1 is rebuilt once).
  return JSON.stringify({ format: 2, esbuild: esbuildVersion, appDir: relative(REPO_ROOT, appDir) });
}

function hashInputs(paths: string[]): Record<string, string> | undefined {
  const hashes: Record<string, string> = {};
  for (const path of [...paths].sort()) {
    const absolute = fromRoot(path);
    if (!existsSync(absolute)) return undefined;
    hashes[path] = sha256(readFileSync(absolute));
  }
  return hashes;
}

function sameInputs(recorded: Record<string, string>, current: Record<string, string> | undefined): boolean {
  if (!current) return false;
  const paths = Object.keys(recorded);
  return paths.length === Object.keys(current).length && paths.every((path) => recorded[path] === current[path]);
}

/** The earlier build in `outDir`, if it was made by the same recipe from the same bytes and the zip is intact. */
function reusableBuild(appDir: string, outDir: string, zipPath: string): CacheRecord | undefined {
  const recordPath = join(outDir, CACHE_RECORD_NAME);
  if (!existsSync(recordPath) || !existsSync(zipPath)) return undefined;
  let record: CacheRecord;
  try {
    record = JSON.parse(readFileSync(recordPath, "utf8")) as CacheRecord;
  } catch {
    return undefined; // unreadable record: build again
  }
  if (record.recipe !== recipe(appDir)) return undefined;
  if (!sameInputs(record.inputs, hashInputs(Object.keys(record.inputs)))) return undefined;
  if (sha256(readFileSync(zipPath)) !== record.sha256) return undefined;
  return record;
}

function described(absoluteZipPath: string, record: CacheRecord, reused: boolean): BuiltPackage {
  return {
    zipPath: relative(REPO_ROOT, absoluteZipPath),
    absoluteZipPath,
    sha256: record.sha256,
    bytes: record.bytes,
    entries: record.entries,
    reused,
  };
}

/**
 * Writes through a temporary file and a rename, so a program evaluated in another process at the same moment (test
 * files run side by side, a preview beside a plan) reads the old file or the new one, never half of one.
 */
function writeAtomically(path: string, data: string | Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/**
 * Writes `<outDir>/function-app.zip`, or reuses the one there when every file the last build read (sources in and
 * outside the app folder, bundled packages, the lock file) still has the same content.
 */
export function buildFunctionAppPackage(options: BuildOptions = {}): BuiltPackage {
  const appDir = fromRoot(options.appDir ?? "function-app");
  const outDir = fromRoot(options.outDir ?? ".build/function-app");
  const absoluteZipPath = join(outDir, ZIP_NAME);

  const cached = reusableBuild(appDir, outDir, absoluteZipPath);
  if (cached) return described(absoluteZipPath, cached, true);

  const hostJsonPath = join(appDir, "host.json");
  const packageJsonPath = join(appDir, "package.json");
  const bundled = bundle(appDir);
  const entries: ZipEntry[] = [
    { name: "host.json", data: readFileSync(hostJsonPath) },
    { name: "package.json", data: readPackageJson(appDir) },
    { name: BUNDLE_PATH, data: bundled.code },
  ];
  const zip = deterministicZip(entries);
  const inputs = hashInputs([
    ...bundled.inputs,
    relative(REPO_ROOT, hostJsonPath),
    relative(REPO_ROOT, packageJsonPath),
    ...(existsSync(fromRoot(LOCK_FILE)) ? [LOCK_FILE] : []),
  ]);
  const record: CacheRecord = {
    recipe: recipe(appDir),
    inputs: inputs ?? {},
    sha256: sha256(zip),
    bytes: zip.length,
    entries: entries.map((entry) => entry.name),
  };
  mkdirSync(outDir, { recursive: true });
  writeAtomically(absoluteZipPath, zip);
  // Without a complete input list the build is not recorded, so the next evaluation builds again.
  if (inputs) writeAtomically(join(outDir, CACHE_RECORD_NAME), `${JSON.stringify(record, null, 2)}\n`);
  return described(absoluteZipPath, record, false);
}
