/**
 * Generic stand-in server for tests: HTTP or HTTPS on 127.0.0.1 with an ephemeral port, a tiny router, and a record
 * of every request for assertions. The stand-ins speak the documented Azure protocols so the real client libraries
 * (@azure/identity, @azure/arm-*, openai) and real bash/curl can be driven against them; nothing leaves 127.0.0.1.
 *
 * Why HTTPS: @azure/core-rest-pipeline 1.24's bearerTokenAuthenticationPolicy throws "Bearer token authentication is
 * not permitted for non-TLS protected (non-https) URLs." for any non-https URL, with no client option to allow http
 * (node_modules/@azure/core-rest-pipeline/dist/commonjs/policies/bearerTokenAuthenticationPolicy.js). ARM stand-ins
 * therefore need TLS; child processes trust the run-time certificate through NODE_EXTRA_CA_CERTS, which Node reads
 * only at process start. Token endpoints (IMDS, App Service identity) are plain http, as in Azure.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One request the stand-in received, kept for assertions. */
export interface RecordedRequest {
  method: string;
  /** Full URL as the server saw it (origin of the stand-in + path and query). */
  url: URL;
  /** Header names are lower case, as Node gives them. */
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Epoch milliseconds when the request was complete. */
  receivedAt: number;
}

/** What a route answers. An object or array body is sent as JSON; a string is sent as is. */
export interface StandInResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** One route: method and a path pattern matched against the URL path (without the query). */
export interface Route {
  method: string;
  path: RegExp;
  handle: (request: RecordedRequest, match: RegExpExecArray) => StandInResponse | Promise<StandInResponse>;
}

/** A running stand-in. */
export interface StandInServer {
  /** Origin, e.g. `https://127.0.0.1:43123`. */
  origin: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1/localhost, written to a temporary directory. */
export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** Path of the certificate PEM: give it to child processes as NODE_EXTRA_CA_CERTS (or curl --cacert). */
  certPath: string;
  dispose(): void;
}

/** Options for {@link startStandIn}. */
export interface StandInOptions {
  routes: Route[];
  /** Serve HTTPS with this certificate; plain HTTP when left out. */
  tls?: TlsMaterial;
}

/**
 * Creates a self-signed certificate with the openssl CLI (subjectAltName IP:127.0.0.1 and DNS:localhost; Node checks
 * the SAN, not the CN). `openssl req -x509` marks it CA:TRUE, so it can be its own trust anchor in NODE_EXTRA_CA_CERTS.
 */
export function createSelfSignedCertificate(): TlsMaterial {
  const directory = mkdtempSync(join(tmpdir(), "standin-tls-"));
  const keyPath = join(directory, "key.pem");
  const certPath = join(directory, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdio: "ignore" },
  );
  return {
    certPem: readFileSync(certPath, "utf8"),
    keyPem: readFileSync(keyPath, "utf8"),
    certPath,
    dispose: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): StandInResponse {
  return { status, body, headers };
}

function send(response: http.ServerResponse, answer: StandInResponse): void {
  const headers: Record<string, string> = { ...answer.headers };
  let payload = "";
  if (typeof answer.body === "string") {
    payload = answer.body;
  } else if (answer.body !== undefined) {
    payload = JSON.stringify(answer.body);
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  response.writeHead(answer.status, headers);
  response.end(payload);
}

/** Starts a stand-in on 127.0.0.1 with an ephemeral port. Unmatched requests get 404 with a body naming the stand-in. */
export async function startStandIn(options: StandInOptions): Promise<StandInServer> {
  const requests: RecordedRequest[] = [];
  let origin = "";

  const listener: http.RequestListener = (incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const request: RecordedRequest = {
        method: incoming.method ?? "GET",
        url: new URL(incoming.url ?? "/", origin),
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAt: Date.now(),
      };
      requests.push(request);
      const answer = async (): Promise<StandInResponse> => {
        for (const route of options.routes) {
          if (route.method !== request.method) continue;
          const match = route.path.exec(request.url.pathname);
          if (match) return route.handle(request, match);
        }
        return json(404, {
          error: { code: "StandInRouteNotFound", message: `${request.method} ${request.url.pathname}` },
        });
      };
      answer().then(
        (result) => send(response, result),
        (error: unknown) => send(response, json(500, { error: { code: "StandInFailure", message: String(error) } })),
      );
    });
  };

  const server = options.tls
    ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, listener)
    : http.createServer(listener);
  // Node closes an idle keep-alive socket after 5 s by default; a client that reuses it at that moment gets
  // ECONNRESET, which the Azure clients retry but a test that turns retries off would report as a network failure
  // on a busy machine. A stand-in keeps its sockets until the client or close() ends them.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;

  return {
    origin,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
