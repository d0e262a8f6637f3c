/**
 * The worker thread behind the stand-in `pulumi` client (tests/standins/arm-teardown.ts): a TCP listener on
 * 127.0.0.1 that runs each forwarded invocation (tests/standins/pulumi-cli.ts). It lives in its own thread so it
 * answers while the test's thread waits in spawnSync (the pseudo-terminal runs of tests/deploy.test.ts).
 *
 * Request, each field NUL-terminated: the number of fields that follow, then typed answer given ("1" or ""), typed
 * answer, stdin is a terminal, stdout is a terminal, working directory, state file, calls log, terminals log,
 * PULUMI_BACKEND_URL set, PULUMI_BACKEND_URL, and the arguments. The client is bash alone (`/dev/tcp`), which cannot
 * close its half of the connection, hence the count.
 * Answer, then the connection closes: `prompt\n<prompt>`, or `<exit code>\n<stdout byte length>\n<stdout><stderr>`.
 */
import { createServer, type Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { runPulumiStandIn } from "./pulumi-cli";

/** What the installing thread gives: a flag it waits on (1 listening, 2 failed) and the port, written before it. */
export interface PulumiThreadData {
  ready: Int32Array;
  port: Int32Array;
}

if (!parentPort) throw new Error("tests/standins/pulumi-thread.ts runs as a worker thread of installPulumiStandIn");
const { ready, port } = workerData as PulumiThreadData;

function answer(fields: string[]): string {
  const [answered, typed, stdin, stdout, cwd, statePath, callsPath, terminalsPath, backendSet, backendUrl, ...args] =
    fields;
  const result = runPulumiStandIn({
    args,
    cwd: cwd ?? "",
    statePath: statePath ?? "",
    callsPath: callsPath ?? "",
    terminalsPath: terminalsPath ?? "",
    backendUrl: backendSet === "1" ? backendUrl : undefined,
    stdinIsTerminal: stdin === "1",
    stdoutIsTerminal: stdout === "1",
    typedAnswer: answered === "1" ? typed : undefined,
  });
  if (result.prompt !== undefined) return `prompt\n${result.prompt}`;
  return `${result.exitCode}\n${Buffer.byteLength(result.stdout)}\n${result.stdout}${result.stderr}`;
}

/** Reads one request from the connection and answers it once its last field has come. */
function serve(socket: Socket): void {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    const tokens = Buffer.concat(chunks).toString("utf8").split("\0");
    const count = Number(tokens[0]);
    // Every field ends with a NUL: the split leaves one empty string after the last complete field.
    if (!Number.isInteger(count) || tokens.length < count + 2) return;
    socket.end(answer(tokens.slice(1, count + 1)));
  });
  socket.on("error", () => socket.destroy());
}

const server = createServer(serve);
server.on("error", () => {
  Atomics.store(ready, 0, 2);
  Atomics.notify(ready, 0);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  Atomics.store(port, 0, typeof address === "object" && address !== null ? address.port : 0);
  Atomics.store(ready, 0, 1);
  Atomics.notify(ready, 0);
});
