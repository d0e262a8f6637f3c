/**
 * Fills tsx's transform cache (`<os.tmpdir()>/tsx-<uid>`) with every TypeScript file of the project before
 * `npm run test:unit` starts its test processes. tsx turns TypeScript into JavaScript with esbuild, a Go service it
 * starts in each Node.js process that meets a file its cache lacks: on a clean machine, as CI is, that was every test
 * process and every command a test starts (about 80 esbuild services, 20 s of CPU). Here one service transforms all
 * files once (about 1 s); the processes then find each file in the cache and start none.
 *
 * The file is handed to the `.ts` loader tsx registers on `require.extensions` (tsx 4, dist/register-*.cjs), which
 * reads, transforms and caches it, then calls `module._compile`: this stand-in module compiles nothing, so no file
 * runs. Were tsx to load files otherwise, the cache would stay cold and the tests as correct, only slower.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) return [];
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const load = require.extensions[".ts"];
if (load === undefined) {
  console.error("warm-transform-cache: no .ts loader registered (run with --import tsx); the tests start cold");
} else {
  const notCompiled = { _compile: () => undefined } as unknown as NodeJS.Module;
  for (const file of typeScriptFiles(ROOT)) {
    try {
      load(notCompiled, file);
    } catch {
      // A file esbuild cannot transform fails, with its message, in the test that loads it.
    }
  }
}
