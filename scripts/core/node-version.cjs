/**
 * Run first by every npm script: stops at once, with one sentence, on a Node.js older than package.json `engines`.
 * The minimum is tls.setDefaultCACertificates, which the tests use to trust the stand-ins' certificates: added in
 * Node.js 22.19.0 (nodejs/node CHANGELOG_V22.md, 22.19.0: "crypto: add tls.setDefaultCACertificates()", #58822).
 * Without the guard, Node 20 gets as far as `node --test` and fails with "Could not find 'tests/**\/*.test.ts'".
 * CommonJS and plain syntax, so that the Node.js versions still found on machines (16 and later) run it.
 */
"use strict";

const path = require("node:path");

/** `>=22.19.0` → [22, 19, 0]. */
function minimumOf(engines) {
  const match = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(engines);
  if (!match) throw new Error(`package.json engines.node must read ">=MAJOR.MINOR.PATCH", not "${engines}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** The sentence to print when `version` (e.g. "20.20.2") is older than `engines`, else null. */
function refusalOf(version, engines) {
  const minimum = minimumOf(engines);
  const parts = version.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if (parts[i] > minimum[i]) return null;
    if (parts[i] < minimum[i]) {
      return (
        `This project needs Node.js ${minimum.join(".")} or newer (package.json engines.node "${engines}") but this is ` +
        `Node.js ${version}: install Node.js 22 with \`nvm install\` or \`fnm install\` (both read .nvmrc) and run ` +
        `the command again (README, "Getting Node.js 22").`
      );
    }
  }
  return null;
}

module.exports = { refusalOf };

if (require.main === module) {
  const engines = require(path.join(__dirname, "..", "..", "package.json")).engines.node;
  const refusal = refusalOf(process.versions.node, engines);
  if (refusal) {
    process.stderr.write(`${refusal}\n`);
    process.exit(3);
  }
}
