/**
 * Builds the Function App's code package: one esbuild bundle of `src/index.ts` (dependencies included) at
 * `dist/index.js`, plus `package.json` (whose `main` points at the bundle) and `host.json`, in a zip that is
 * byte-for-byte the same for the same inputs: fixed entry order, fixed timestamps and attributes, fixed compression.
 * Its SHA-256 is what the deploy is keyed on, so an unchanged app is never redeployed.
 *
 * Usage: `npm run build:function-app` (prints the zip path, size and SHA-256 as JSON).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { buildSync } from "esbuild";

const REPO_ROOT = resolve(__dirname, "..");
const BUNDLE_PATH = "dist/index.js";
/** Provided by the Functions Node.js worker at run time, never bundled (node_modules/@azure/functions marks it external). */
export const WORKER_PROVIDED_MODULES = ["@azure/functions-core"] as const;

/** Where the build reads from and writes to. Relative paths are taken from the repository root. */
export interface BuildOptions {
  /** Folder with `package.json`, `host.json` and `src/index.ts`. Default `function-app`. */
  appDir?: string;
  /** Output folder for the zip. Default `.build/function-app`. */
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
}

interface ZipEntry {
  name: string;
  data: Buffer;
}

// DOS date for 1980-01-01 00:00 (the earliest a zip can say): ((1980-1980) << 9) | (1 << 5) | 1.
const FIXED_DOS_DATE = 0x0021;
const FIXED_DOS_TIME = 0x0000;
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY_UNIX = (3 << 8) | VERSION_NEEDED;
const UNIX_FILE_MODE_0644 = (0o100644 << 16) >>> 0;
const METHOD_DEFLATE = 8;
const UTF8_NAMES_FLAG = 0x0800;

/**
 * A zip (PKWARE APPNOTE 6.3, no ZIP64) with the entries in the given order, deflated at level 9, every timestamp
 * 1980-01-01 and mode 0644. zlib's deflate is deterministic for the same input, level and zlib version.
 */
export function deterministicZip(entries: ZipEntry[]): Buffer {
  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const compressed = deflateRawSync(entry.data, { level: 9 });
    const checksum = crc32(entry.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(UTF8_NAMES_FLAG, 6);
    local.writeUInt16LE(METHOD_DEFLATE, 8);
    local.writeUInt16LE(FIXED_DOS_TIME, 10);
    local.writeUInt16LE(FIXED_DOS_DATE, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    localParts.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY_UNIX, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(UTF8_NAMES_FLAG, 8);
    central.writeUInt16LE(METHOD_DEFLATE, 10);
    central.writeUInt16LE(FIXED_DOS_TIME, 12);
    central.writeUInt16LE(FIXED_DOS_DATE, 14);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number start, internal attributes: all 0
    central.writeUInt32LE(UNIX_FILE_MODE_0644, 38);
    central.writeUInt32LE(offset, 42);
    centralParts.push(central, name);

    offset += local.length + name.length + compressed.length;
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

/** Bundles `src/index.ts` into one CommonJS file for Node 22, in memory. */
function bundle(appDir: string): Buffer {
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
  });
  const [output] = result.outputFiles;
  if (!output || result.outputFiles.length !== 1) {
    throw new Error(`esbuild produced ${result.outputFiles.length} files; expected only ${BUNDLE_PATH}`);
  }
  return Buffer.from(output.contents);
}

/** Builds the package and writes `<outDir>/function-app.zip`. */
export function buildFunctionAppPackage(options: BuildOptions = {}): BuiltPackage {
  const appDir = fromRoot(options.appDir ?? "function-app");
  const outDir = fromRoot(options.outDir ?? ".build/function-app");
  const entries: ZipEntry[] = [
    { name: "host.json", data: readFileSync(join(appDir, "host.json")) },
    { name: "package.json", data: readPackageJson(appDir) },
    { name: BUNDLE_PATH, data: bundle(appDir) },
  ];
  const zip = deterministicZip(entries);
  mkdirSync(outDir, { recursive: true });
  const absoluteZipPath = join(outDir, "function-app.zip");
  writeFileSync(absoluteZipPath, zip);
  return {
    zipPath: relative(REPO_ROOT, absoluteZipPath),
    absoluteZipPath,
    sha256: createHash("sha256").update(zip).digest("hex"),
    bytes: zip.length,
    entries: entries.map((entry) => entry.name),
  };
}

if (require.main === module) {
  const built = buildFunctionAppPackage();
  process.stdout.write(`${JSON.stringify({ zipPath: built.zipPath, bytes: built.bytes, sha256: built.sha256 })}\n`);
}
