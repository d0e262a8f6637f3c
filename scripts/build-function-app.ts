/**
 * `npm run build:function-app`: builds the Function App's code package (lib/function-app-package.ts) and prints the
 * zip path, size, SHA-256 and whether an earlier build was reused, as JSON.
 */
import { buildFunctionAppPackage } from "../lib/function-app-package";
import { defineCommand, EXIT, runCommand, runMain } from "./core/cli";

const SPEC = defineCommand({
  name: "build:function-app",
  summary: `Builds the Function App's code package (function-app/ bundled with esbuild into a deterministic zip under
.build/function-app/), or reuses the last build when nothing it was made from changed, and prints its zipPath, bytes,
sha256 and reused as one JSON line. The program and the publish step build it the same way.`,
  options: {},
  exitCodes: { ok: "built or reused", failed: "the build failed (esbuild's message is printed)" },
});

if (require.main === module)
  runMain(() =>
    runCommand(SPEC, process.argv.slice(2), async () => {
      const { zipPath, bytes, sha256, reused } = buildFunctionAppPackage();
      process.stdout.write(`${JSON.stringify({ zipPath, bytes, sha256, reused })}\n`);
      return EXIT.ok;
    }),
  );
