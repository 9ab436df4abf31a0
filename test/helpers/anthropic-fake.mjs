#!/usr/bin/env node
/**
 * A loopback FAKE of Anthropic's servers, for running the real Claude Code CLI in tests. It is
 * NOT Anthropic: it hands out fake tokens (`sk-ant-oat01-fake-…`, `sk-ant-ort01-fake-…`) that are
 * valid nowhere else, and answers just enough for `claude auth status` and `claude -p ok`.
 *
 * Run it only where the CLI cannot reach anything else: inside a private network namespace whose
 * only interface is loopback, with a hosts file that points Anthropic's names at 127.0.0.1 and a
 * certificate (for those names) from a throwaway CA that the CLI trusts via NODE_EXTRA_CA_CERTS
 * (test/helpers/claude-sandbox.ts does all of that).
 *
 *   node test/helpers/anthropic-fake.mjs --cert leaf.pem --key leaf-key.pem \
 *        [--port 443] [--host 127.0.0.1] [--control /path/ctl.sock] [--expires-in 28800] \
 *        [--refresh-token-expires-in N] [--seed-refresh-token-file FILE] [--mode MODE] [--dns] [--quiet]
 *
 * --dns also answers DNS on UDP <host>:53 with NXDOMAIN for every name and records the names asked
 * (stats.dnsQueries): point the namespace's resolv.conf at it to see which names the CLI looks up
 * beyond those in its hosts file.
 *
 * Prints "ready" on stdout once it listens (and the control socket too, if given).
 *
 * HTTPS, any Host:
 *   HEAD|GET /api/hello                 200
 *   POST     /v1/oauth/token            refresh_token grant; single-use refresh tokens; behaviour
 *                                       switchable (see modes); any other grant: 400 invalid_grant
 *   GET      /api/oauth/profile         a Max-plan profile for a valid bearer, else 401
 *   POST     /v1/messages[?beta=true]   a MODEL CALL: one "ok" turn (JSON, or SSE when stream:true)
 *                                       for a valid bearer, else 401 (expired: the real wording)
 *   anything else                       200 {}
 *
 * Token endpoint modes: ok | invalid_grant (400) | 401 | 403-json | 403-cloudflare (HTML
 * "Just a moment..." page) | 429 (retry-after) | 500 | hang (never answers).
 *
 * Control channel: HTTP over the UNIX socket given with --control (a pathname socket, so it works
 * from outside the network namespace):
 *   POST /mode  {"mode":"500","retryAfter":1}
 *   POST /issue {"expiresIn":420,"refreshTokenExpiresIn":null|N}  what the next grants carry
 *   POST /seed  {"refreshToken":"…","accessToken":"…","expiresAt":ms}  registers valid tokens
 *   POST /reset-stats
 *   GET  /stats → {mode, tokenRequests, tokenOk, tokenFailed, modelCalls (every POST /v1/messages,
 *                  answered or not), modelCallsUnauthorized (of those, answered 401), profileCalls,
 *                  otherRequests, byPath, hosts (Host header → count), tokenRequestShapes,
 *                  dnsQueries (with --dns), hanging (token requests held open)}
 *
 * It never logs or reports token values (stderr gets method, host, path and status only; the
 * token-request shapes hold field names, grant type, client id and scope, not the tokens).
 */
import { createServer as createHttpsServer } from "node:https";
import { createServer as createHttpServer } from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { createSocket } from "node:dgram";
import { readFileSync, rmSync } from "node:fs";

const MODES = ["ok", "invalid_grant", "401", "403-json", "403-cloudflare", "429", "500", "hang"];

function parseArgs(argv) {
  const o = { port: 443, host: "127.0.0.1", expiresIn: 28800, refreshTokenExpiresIn: null, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--cert": o.cert = val(); break;
      case "--key": o.key = val(); break;
      case "--port": o.port = Number(val()); break;
      case "--host": o.host = val(); break;
      case "--control": o.control = val(); break;
      case "--expires-in": o.expiresIn = Number(val()); break;
      case "--refresh-token-expires-in": o.refreshTokenExpiresIn = Number(val()); break;
      case "--seed-refresh-token-file": o.seedFile = val(); break;
      case "--mode": o.mode = val(); break;
      case "--dns": o.dns = true; break;
      case "--quiet": o.quiet = true; break;
      default: fail(`unknown argument ${a}`);
    }
  }
  if (!o.cert || !o.key) fail("--cert and --key are required");
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) fail("--port must be 0..65535");
  return o;
}

function fail(msg) {
  process.stderr.write(`anthropic-fake: ${msg}\n`);
  process.exit(2);
}

const opts = parseArgs(process.argv.slice(2));
const log = (line) => {
  if (!opts.quiet) process.stderr.write(`anthropic-fake: ${line}\n`);
};

const state = {
  mode: opts.mode ?? "ok",
  retryAfter: 1,
  expiresIn: opts.expiresIn,
  refreshTokenExpiresIn: opts.refreshTokenExpiresIn,
  /** refresh token → true while unused */
  refreshTokens: new Map(),
  /** access token → expiresAt (ms) */
  accessTokens: new Map(),
};
if (!MODES.includes(state.mode)) fail(`--mode must be one of ${MODES.join(", ")}`);

const newStats = () => ({
  tokenRequests: 0,
  tokenOk: 0,
  tokenFailed: 0,
  modelCalls: 0,
  profileCalls: 0,
  otherRequests: 0,
  byPath: {},
  hosts: {},
  tokenRequestShapes: [],
  dnsQueries: [],
  modelCallsUnauthorized: 0,
});
let stats = newStats();
const hanging = new Set();

function seed(body) {
  if (typeof body.refreshToken === "string" && body.refreshToken) state.refreshTokens.set(body.refreshToken, true);
  if (typeof body.accessToken === "string" && body.accessToken) {
    state.accessTokens.set(body.accessToken, typeof body.expiresAt === "number" ? body.expiresAt : Date.now() + 8 * 3600_000);
  }
}
if (opts.seedFile) {
  for (const line of readFileSync(opts.seedFile, "utf8").split("\n")) if (line.trim()) seed({ refreshToken: line.trim() });
}

const ORG = { uuid: "00000000-0000-4000-8000-0000000000a1", name: "Fake Org (loopback fake, not Anthropic)" };
const ACCOUNT = { uuid: "00000000-0000-4000-8000-0000000000b2", email_address: "fake@example.invalid" };
const SCOPES = "user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload user:plugins";

function send(res, status, body, headers = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/html; charset=UTF-8" : "application/json";
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text), "request-id": `req_fake_${randomBytes(8).toString("hex")}`, ...headers });
  res.end(res.req.method === "HEAD" ? undefined : text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > 8 * 1024 * 1024) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(text, contentType) {
  if (!text) return {};
  try {
    if ((contentType ?? "").includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** "valid" | "expired" | "unknown" for the request's bearer token. */
function bearerState(req) {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return "unknown";
  const exp = state.accessTokens.get(m[1].trim());
  if (exp === undefined) return "unknown";
  return exp > Date.now() ? "valid" : "expired";
}

function authError(res, why) {
  const message = why === "expired" ? "OAuth token has expired. Please obtain a new token or refresh your existing token." : "Invalid bearer token";
  send(res, 401, { type: "error", error: { type: "authentication_error", message } });
}

const CLOUDFLARE_PAGE = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow"></head><body><div class="main-wrapper" role="main"><div class="main-content"><noscript>Enable JavaScript and cookies to continue</noscript></div></div><!-- loopback fake of a Cloudflare challenge page --></body></html>`;

function tokenFailure(res, mode) {
  switch (mode) {
    case "invalid_grant":
      return send(res, 400, { error: "invalid_grant", error_description: "Refresh token not found or invalid" });
    case "401":
      return send(res, 401, { type: "error", error: { type: "authentication_error", message: "Invalid client credentials" } });
    case "403-json":
      return send(res, 403, { type: "error", error: { type: "permission_error", message: "Forbidden" } });
    case "403-cloudflare":
      return send(res, 403, CLOUDFLARE_PAGE, { server: "cloudflare", "cf-mitigated": "challenge", "cf-ray": "0000000000000000-FAK" });
    case "429":
      return send(res, 429, { type: "error", error: { type: "rate_limit_error", message: "Rate limited" } }, { "retry-after": String(state.retryAfter) });
    case "500":
      return send(res, 500, { type: "error", error: { type: "api_error", message: "Internal server error" } });
    default:
      return send(res, 500, { type: "error", error: { type: "api_error", message: `fake: unknown mode ${mode}` } });
  }
}

function issueTokens(scope) {
  // As long as real ones (~108 characters): OpenClaw 2026.9.6's paste-token refuses tokens under 80.
  const accessToken = `sk-ant-oat01-fake-${randomBytes(68).toString("base64url")}`;
  const refreshToken = `sk-ant-ort01-fake-${randomBytes(68).toString("base64url")}`;
  state.accessTokens.set(accessToken, Date.now() + state.expiresIn * 1000);
  state.refreshTokens.set(refreshToken, true);
  const body = {
    token_type: "Bearer",
    access_token: accessToken,
    refresh_token: refreshToken,
    expires_in: state.expiresIn,
    scope: typeof scope === "string" && scope ? scope : SCOPES,
    organization: ORG,
    account: ACCOUNT,
  };
  if (typeof state.refreshTokenExpiresIn === "number") body.refresh_token_expires_in = state.refreshTokenExpiresIn;
  return body;
}

async function handleToken(req, res) {
  stats.tokenRequests++;
  const text = await readBody(req);
  const body = parseBody(text, req.headers["content-type"]);
  stats.tokenRequestShapes.push({
    contentType: req.headers["content-type"] ?? null,
    hasAuthorization: req.headers.authorization !== undefined,
    fields: Object.keys(body).sort(),
    grant_type: body.grant_type ?? null,
    client_id: body.client_id ?? null,
    scope: body.scope ?? null,
  });
  if (stats.tokenRequestShapes.length > 50) stats.tokenRequestShapes.shift();
  const mode = state.mode;
  if (mode === "hang") {
    hanging.add(res);
    res.on("close", () => hanging.delete(res));
    log(`token request left unanswered (mode hang)`);
    return;
  }
  if (mode !== "ok") {
    stats.tokenFailed++;
    return tokenFailure(res, mode);
  }
  const rt = body.refresh_token;
  if (body.grant_type !== "refresh_token" || typeof rt !== "string" || state.refreshTokens.get(rt) !== true) {
    stats.tokenFailed++;
    const reused = typeof rt === "string" && state.refreshTokens.has(rt);
    return send(res, 400, { error: "invalid_grant", error_description: reused ? "Refresh token has already been used" : "Refresh token not found or invalid" });
  }
  state.refreshTokens.set(rt, false); // single use
  stats.tokenOk++;
  send(res, 200, issueTokens(body.scope));
}

function profile() {
  return {
    account: {
      uuid: ACCOUNT.uuid,
      full_name: "Fake User",
      display_name: "Fake",
      email: ACCOUNT.email_address,
      has_claude_max: true,
      has_claude_pro: false,
      created_at: "2025-01-01T00:00:00.000000Z",
    },
    organization: {
      uuid: ORG.uuid,
      name: ORG.name,
      organization_type: "claude_max",
      billing_type: "stripe_subscription",
      rate_limit_tier: "default_claude_max_20x",
      has_extra_usage_enabled: false,
      subscription_status: "active",
      subscription_created_at: "2025-01-01T00:00:00.000000Z",
    },
    application: { uuid: "00000000-0000-4000-8000-0000000000c3", name: "Claude Code", slug: "claude-code" },
  };
}

async function handleMessages(req, res) {
  stats.modelCalls++;
  const body = parseBody(await readBody(req), "application/json");
  const who = bearerState(req);
  if (who !== "valid" && req.headers["x-api-key"] === undefined) {
    stats.modelCallsUnauthorized++;
    return authError(res, who);
  }
  const model = typeof body.model === "string" ? body.model : "claude-fake";
  const id = `msg_fake_${randomBytes(12).toString("hex")}`;
  const usage = { input_tokens: 8, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (!body.stream) {
    return send(res, 200, { id, type: "message", role: "assistant", model, content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", stop_sequence: null, usage });
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": `req_fake_${randomBytes(8).toString("hex")}` });
  const ev = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  ev("message_start", { message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 0 } } });
  ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "ok" } });
  ev("content_block_stop", { index: 0 });
  ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 1 } });
  ev("message_stop", {});
  res.end();
}

async function handle(req, res) {
  const url = new URL(req.url ?? "/", "https://fake.invalid");
  const path = url.pathname;
  const host = String(req.headers.host ?? req.socket.servername ?? "").replace(/:\d+$/, "");
  const key = `${req.method} ${path}`;
  stats.byPath[key] = (stats.byPath[key] ?? 0) + 1;
  stats.hosts[host] = (stats.hosts[host] ?? 0) + 1;
  res.on("finish", () => log(`${req.method} ${host} ${path} -> ${res.statusCode}`));
  if (path === "/v1/oauth/token" && req.method === "POST") return handleToken(req, res);
  if (path === "/api/hello") {
    stats.otherRequests++;
    return send(res, 200, { message: "hello" });
  }
  if (path === "/api/oauth/profile") {
    stats.profileCalls++;
    const who = bearerState(req);
    if (who !== "valid") return authError(res, who);
    return send(res, 200, profile());
  }
  if (path === "/v1/messages" && req.method === "POST") return handleMessages(req, res);
  if (path === "/v1/messages/count_tokens") {
    stats.otherRequests++;
    await readBody(req).catch(() => "");
    return send(res, 200, { input_tokens: 8 });
  }
  stats.otherRequests++;
  await readBody(req).catch(() => "");
  return send(res, 200, {});
}

const server = createHttpsServer({ cert: readFileSync(opts.cert), key: readFileSync(opts.key) }, (req, res) => {
  handle(req, res).catch((e) => {
    log(`handler error: ${e instanceof Error ? e.message : String(e)}`);
    if (!res.headersSent) send(res, 500, { type: "error", error: { type: "api_error", message: "fake handler error" } });
  });
});
server.keepAliveTimeout = 5000;
// A hanging token request must stay open as long as the client waits (the CLI gives up after 30 s).
server.requestTimeout = 0;
server.headersTimeout = 60_000;
server.on("tlsClientError", (e) => log(`TLS error: ${e.message}`));

async function controlHandler(req, res) {
  const reply = (status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  let body = {};
  try {
    const text = await readBody(req);
    body = text ? JSON.parse(text) : {};
  } catch {
    return reply(400, { error: "body must be JSON" });
  }
  const route = `${req.method} ${req.url}`;
  switch (route) {
    case "POST /mode":
      if (!MODES.includes(body.mode)) return reply(400, { error: `mode must be one of ${MODES.join(", ")}` });
      state.mode = body.mode;
      if (typeof body.retryAfter === "number") state.retryAfter = body.retryAfter;
      log(`control: mode ${state.mode}`);
      return reply(200, { mode: state.mode, retryAfter: state.retryAfter });
    case "POST /issue":
      if (body.expiresIn !== undefined) {
        if (typeof body.expiresIn !== "number" || body.expiresIn <= 0) return reply(400, { error: "expiresIn must be a positive number of seconds" });
        state.expiresIn = body.expiresIn;
      }
      if (body.refreshTokenExpiresIn !== undefined) {
        if (body.refreshTokenExpiresIn !== null && typeof body.refreshTokenExpiresIn !== "number") return reply(400, { error: "refreshTokenExpiresIn must be a number or null" });
        state.refreshTokenExpiresIn = body.refreshTokenExpiresIn;
      }
      return reply(200, { expiresIn: state.expiresIn, refreshTokenExpiresIn: state.refreshTokenExpiresIn });
    case "POST /seed":
      seed(body);
      return reply(200, { seeded: true });
    case "POST /reset-stats":
      stats = newStats();
      return reply(200, { reset: true });
    case "GET /stats":
      return reply(200, { mode: state.mode, ...stats, hanging: hanging.size });
    default:
      return reply(404, { error: `no route ${route}` });
  }
}

/** Minimal DNS: every question gets NXDOMAIN; the names are recorded. */
function startDns() {
  const sock = createSocket("udp4");
  sock.on("message", (msg, rinfo) => {
    if (msg.length < 17) return;
    const labels = [];
    let i = 12;
    while (i < msg.length && msg[i] !== 0 && labels.length < 64) {
      const len = msg[i];
      labels.push(msg.subarray(i + 1, i + 1 + len).toString("latin1"));
      i += len + 1;
    }
    if (i + 5 > msg.length) return;
    const name = labels.join(".").toLowerCase();
    const qtype = msg.readUInt16BE(i + 1);
    stats.dnsQueries.push({ name, type: qtype === 1 ? "A" : qtype === 28 ? "AAAA" : String(qtype) });
    if (stats.dnsQueries.length > 500) stats.dnsQueries.shift();
    log(`DNS query ${name} (NXDOMAIN)`);
    const resp = Buffer.from(msg.subarray(0, i + 5));
    resp[2] = 0x81 | (msg[2] & 0x01); // QR, RD copied
    resp[3] = 0x83; // RA, NXDOMAIN
    resp.writeUInt16BE(1, 4);
    resp.writeUInt16BE(0, 6);
    resp.writeUInt16BE(0, 8);
    resp.writeUInt16BE(0, 10);
    sock.send(resp, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(53, opts.host, () => resolve(sock));
  });
}

let control;
let dns;
function shutdown() {
  dns?.close();
  for (const res of hanging) res.destroy();
  server.close();
  server.closeAllConnections?.();
  if (control) {
    control.close();
    rmSync(opts.control, { force: true });
  }
  setTimeout(() => process.exit(0), 200).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(opts.port, opts.host, resolve);
});
if (opts.control) {
  rmSync(opts.control, { force: true });
  control = createHttpServer((req, res) => {
    controlHandler(req, res).catch(() => res.destroy());
  });
  await new Promise((resolve, reject) => {
    control.once("error", reject);
    control.listen(opts.control, resolve);
  });
}
if (opts.dns) dns = await startDns();
log(`listening on ${opts.host}:${server.address().port}${opts.control ? `, control ${opts.control}` : ""}`);
process.stdout.write("ready\n");
