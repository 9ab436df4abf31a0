/** Shared by the notify tests: a config builder and a recording HTTP server on loopback. */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigSchema, type Config } from "../../../runtime/src/contract/schema";

export function makeConfig(stateDir: string, notify: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({
    claudeCredentials: "/home/alice/.claude/.credentials.json",
    stateDir,
    openclaw: { stateDir: "/home/alice/.openclaw" },
    targets: [{ kind: "env" }],
    notify: { hostname: "gw1", ...notify },
  });
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingServer {
  base: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * HTTP server on 127.0.0.1 (port 0) that records every request. `respond` picks the status;
 * "hang" accepts the request and never answers (for the timeout test).
 */
export async function recordingServer(respond: (r: RecordedRequest) => number | "hang" = () => 200): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const r = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(r);
      const status = respond(r);
      if (status === "hang") return;
      res.writeHead(status, { "Content-Type": "text/plain" });
      res.end(status < 300 ? "ok" : "nope");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Everything a recorded request carries, as one string, for leak checks. */
export function requestText(r: RecordedRequest): string {
  return `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
}
