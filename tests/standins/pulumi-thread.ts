/**
 * The worker thread behind the stand-in `pulumi` client (tests/standins/arm-teardown.ts): an HTTP stand-in on a
 * Unix socket that runs each forwarded invocation (tests/standins/pulumi-cli.ts). It lives in its own thread so it
 * answers while the test's thread waits in spawnSync (the pseudo-terminal runs of tests/deploy.test.ts).
 *
 * Request body, each field NUL-terminated: typed answer given ("1" or ""), typed answer, stdin is a terminal,
 * stdout is a terminal, working directory, state file, calls log, terminals log, PULUMI_BACKEND_URL set,
 * PULUMI_BACKEND_URL, then the arguments.
 * Answer: `prompt\n<prompt>`, or `<exit code>\n<stdout byte length>\n<stdout><stderr>`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runPulumiStandIn } from "./pulumi-cli";
import { startStandIn } from "./server";

/** What the installing thread gives: the socket to listen on and a flag it waits on (1 listening, 2 failed). */
export interface PulumiThreadData {
  socketPath: string;
  ready: Int32Array;
}

if (!parentPort) throw new Error("tests/standins/pulumi-thread.ts runs as a worker thread of installPulumiStandIn");
const { socketPath, ready } = workerData as PulumiThreadData;

function answer(body: string): string {
  const [answered, typed, stdin, stdout, cwd, statePath, callsPath, terminalsPath, backendSet, backendUrl, ...rest] =
    body.split("\0");
  // Every field ends with a NUL, so the split leaves one empty string after the last argument.
  const args = rest.slice(0, -1);
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

startStandIn({
  socketPath,
  routes: [{ method: "POST", path: /^\/run$/, handle: (request) => ({ status: 200, body: answer(request.body) }) }],
}).then(
  () => {
    Atomics.store(ready, 0, 1);
    Atomics.notify(ready, 0);
  },
  () => {
    Atomics.store(ready, 0, 2);
    Atomics.notify(ready, 0);
  },
);
