/**
 * `npm run build:function-app`: builds the Function App's code package (lib/function-app-package.ts) and prints the
 * zip path, size, SHA-256 and whether an earlier build was reused, as JSON.
 */
import { buildFunctionAppPackage } from "../lib/function-app-package";

const built = buildFunctionAppPackage();
const { zipPath, bytes, sha256, reused } = built;
process.stdout.write(`${JSON.stringify({ zipPath, bytes, sha256, reused })}\n`);
