/**
 * STAND-IN for Anthropic's API (api.anthropic.com), for the compatibility suite only. It is NOT
 * Anthropic: it answers one streamed `/v1/messages` turn with a fixed text and records which
 * credential arrived, so the suite can see what a real OpenClaw release actually sends.
 *
 * It is an HTTP CONNECT proxy listening on 127.0.0.1 only. OpenClaw children get
 * HTTPS_PROXY/HTTP_PROXY pointing here (and NO_PROXY empty), so nothing they do can leave the
 * machine: a CONNECT to api.anthropic.com is terminated here with a certificate for that name
 * (self-signed, trusted by the child through NODE_EXTRA_CA_CERTS); every other host, and every
 * plain-HTTP proxy request, is refused with 403 and only its host is recorded.
 * Tokens are kept in memory for comparison and never printed.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ANTHROPIC_HOST = "api.anthropic.com";
export const STANDIN_REPLY = "stand-in reply";

export interface SeenRequest {
  method: string;
  path: string;
  /** The credential as sent: "bearer" (Authorization: Bearer) or "x-api-key". */
  scheme?: "bearer" | "x-api-key";
  /** SHA-256 of the credential; compare with tokenDigest(), never print the credential. */
  digest?: string;
  last4?: string;
  model?: string;
}

export interface AnthropicStandIn {
  proxyUrl: string;
  caFile: string;
  requests: SeenRequest[];
  /** Hosts a child tried to reach through the proxy other than api.anthropic.com (refused). */
  refusedHosts: string[];
  reset(): void;
  close(): Promise<void>;
}

export function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function selfSignedCert(dir: string): { key: string; cert: string; caFile: string } {
  const keyFile = join(dir, "key.pem");
  const caFile = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", caFile, "-days", "2", "-subj", `/CN=${ANTHROPIC_HOST}`, "-addext", `subjectAltName=DNS:${ANTHROPIC_HOST}`],
    { stdio: "ignore", timeout: 30_000 },
  );
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(caFile, "utf8"), caFile };
}

function sse(res: ServerResponse, model: string): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const events: [string, unknown][] = [
    ["message_start", { type: "message_start", message: { id: "msg_standin", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }],
    ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
    ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: STANDIN_REPLY } }],
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } }],
    ["message_stop", { type: "message_stop" }],
  ];
  for (const [name, data] of events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

function answer(seen: SeenRequest[], req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const rec: SeenRequest = { method: req.method ?? "", path: req.url ?? "" };
    const auth = req.headers.authorization;
    const key = req.headers["x-api-key"];
    const cred = typeof auth === "string" && /^Bearer /i.test(auth) ? auth.slice(7).trim() : typeof key === "string" ? key : undefined;
    if (cred !== undefined) {
      rec.scheme = typeof auth === "string" && /^Bearer /i.test(auth) ? "bearer" : "x-api-key";
      rec.digest = tokenDigest(cred);
      rec.last4 = cred.slice(-4);
    }
    let body: { model?: string; stream?: boolean } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
    } catch {
      // not JSON: recorded without a model
    }
    if (typeof body.model === "string") rec.model = body.model;
    seen.push(rec);
    if (req.method === "POST" && (req.url ?? "").startsWith("/v1/messages")) {
      const model = body.model ?? "claude-standin";
      if (body.stream) return sse(res, model);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ id: "msg_standin", type: "message", role: "assistant", model, content: [{ type: "text", text: STANDIN_REPLY }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 5, output_tokens: 3 } }),
      );
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ type: "error", error: { type: "not_found_error", message: "stand-in: only /v1/messages" } }));
  });
}

export async function startAnthropicStandIn(): Promise<AnthropicStandIn> {
  const certDir = mkdtempSync(join(tmpdir(), "ocs-standin-"));
  const { key, cert, caFile } = selfSignedCert(certDir);
  const requests: SeenRequest[] = [];
  const refusedHosts: string[] = [];
  const tlsSide = createHttpsServer({ key, cert }, (req, res) => answer(requests, req, res));
  const sockets = new Set<Socket>();
  const proxy: Server = createHttpServer((req, res) => {
    // A plain-HTTP proxy request (absolute URL): never forwarded.
    refusedHosts.push(req.headers.host ?? "?");
    res.writeHead(403).end("stand-in proxy: refused");
  });
  proxy.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  proxy.on("connect", (req: IncomingMessage, socket: Socket) => {
    const [host] = (req.url ?? "").split(":");
    socket.on("error", () => undefined);
    if (host !== ANTHROPIC_HOST) {
      refusedHosts.push(host ?? "?");
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    // Hand the raw socket to the TLS server, which terminates TLS as api.anthropic.com.
    tlsSide.emit("connection", socket);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once("error", reject);
    proxy.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = proxy.address();
  if (addr === null || typeof addr === "string") throw new Error("stand-in proxy: no port");
  return {
    proxyUrl: `http://127.0.0.1:${addr.port}`,
    caFile,
    requests,
    refusedHosts,
    reset() {
      requests.length = 0;
      refusedHosts.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      rmSync(certDir, { recursive: true, force: true });
    },
  };
}
