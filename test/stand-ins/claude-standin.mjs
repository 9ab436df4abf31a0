#!/usr/bin/env node
// STAND-IN for the Claude Code CLI (`claude`). It is NOT Claude Code and contacts nothing. It
// mimics what the real CLI was seen to do (../shared/facts/claude-code.md, docs/claude-code-
// observed.md), for the faults and timings a loopback fake of Anthropic cannot produce cheaply:
//
// - it renews only when `now + 5 min >= expiresAt` (compiled into the real CLI);
// - `auth status` renews a due login with no model call and exits 0 whatever happened;
//   `-p …` makes one model call and exits 1 when the token is expired and not renewed;
// - the token endpoint's answer (STANDIN_TOKEN_ENDPOINT) shows only in the credentials file
//   afterwards and in `--debug-file`: 400 blanks the login (accessToken "", expiresAt 0);
//   401/403/429/5xx/no-answer leave the file unchanged; stdout is the same line for all of them;
// - the debug log holds the bearer token (the runtime must treat it as a secret).
//
//   STANDIN_RECORD          file to append one JSON line per run: {argv, env, uid, gid, cwd, pid, action}
//   STANDIN_TOKEN_ENDPOINT  ok | 400 | 401 | 403 | 429 | 500 | 503 | no-answer   (default ok)
//   STANDIN_MODE            normal | hang                                         (default normal)
//   STANDIN_DELAY_MS        sleep before acting (lock contention tests)
//   STANDIN_LIFETIME_MS     lifetime of a renewed access token (default 8 h)
import { appendFileSync, readFileSync, writeFileSync, renameSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const env = process.env;
const argv = process.argv.slice(2);
let debugFile;
const rest = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--debug-file") debugFile = argv[++i];
  else rest.push(argv[i]);
}
const isAuthStatus = rest[0] === "auth" && rest[1] === "status";
const isPrint = rest.includes("-p") || rest.includes("--print");
let action = "none";
const record = () => {
  if (!env.STANDIN_RECORD) return;
  appendFileSync(env.STANDIN_RECORD, JSON.stringify({ argv, env, uid: process.getuid?.(), gid: process.getgid?.(), cwd: process.cwd(), pid: process.pid, action }) + "\n");
};
const debug = (line) => {
  if (debugFile) appendFileSync(debugFile, `${new Date().toISOString()} ${line}\n`);
};

if (rest[0] === "--version") {
  process.stdout.write("2.1.332 (Claude Code)\n");
  process.exit(0);
}
if (!isAuthStatus && !isPrint) {
  action = "unsupported";
  record();
  process.stderr.write(`claude-standin: unsupported call: ${rest.join(" ")}\n`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const delay = Number(env.STANDIN_DELAY_MS || 0);
if (delay > 0) await sleep(delay);
if ((env.STANDIN_MODE || "normal") === "hang") {
  action = "hang";
  record();
  setInterval(() => undefined, 1 << 30); // never finishes: the runtime's timeout must kill it
} else {
  run();
}

function run() {
  const credPath = join(env.CLAUDE_SECURESTORAGE_CONFIG_DIR || env.CLAUDE_CONFIG_DIR || join(env.HOME || "/nonexistent", ".claude"), ".credentials.json");
  let file;
  try {
    file = JSON.parse(readFileSync(credPath, "utf8"));
  } catch {
    action = "no-login";
    record();
    process.stdout.write(isAuthStatus ? '{"loggedIn":false}\n' : "Not logged in · Please run /login\n");
    process.exit(isAuthStatus ? 1 : 1);
  }
  const o = file.claudeAiOauth ?? {};
  debug(`[DEBUG] Authorization: Bearer ${o.accessToken}`);
  const due = Date.now() + 5 * 60_000 >= Number(o.expiresAt);
  const expiredLine = "Failed to authenticate. API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.";
  const endpoint = env.STANDIN_TOKEN_ENDPOINT || "ok";
  let renewed = false;
  if (due) {
    if (endpoint === "ok") {
      const lifetime = Number(env.STANDIN_LIFETIME_MS || 8 * 3600_000);
      file.claudeAiOauth = {
        ...o,
        accessToken: `sk-ant-oat01-${randomBytes(60).toString("base64url")}AA`,
        refreshToken: `sk-ant-ort01-${randomBytes(60).toString("base64url")}AA`,
        expiresAt: Date.now() + lifetime,
        scopes: Array.isArray(o.scopes) ? o.scopes : ["user:inference", "user:profile", "user:sessions:claude_code"],
        subscriptionTypeSource: "sign_in",
      };
      write(credPath, file);
      renewed = true;
      action = "renewed";
      debug(`[DEBUG] refresh_token=${o.refreshToken} renewed`);
    } else if (endpoint === "400") {
      file.claudeAiOauth = { ...o, accessToken: "", refreshToken: "", expiresAt: 0 };
      write(credPath, file);
      action = "blanked";
      debug("[ERROR] OAuth refresh failed (expected): Request failed with status code 400");
    } else if (endpoint === "no-answer") {
      action = "no-answer";
      debug('[ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token,status=undefined] timeout of 30000ms exceeded"');
    } else {
      action = `endpoint-${endpoint}`;
      debug(`[ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token,status=${endpoint},body=...]"`);
    }
  }
  record();
  if (isAuthStatus) {
    // Exits 0 with its normal output whatever happened at the token endpoint.
    process.stdout.write('{"loggedIn":true,"authMethod":"claude.ai","apiProvider":"firstParty","storedClaudeAiLogin":true}\n');
    process.exit(0);
  }
  if (action === "blanked") {
    process.stdout.write("Failed to authenticate: OAuth session expired and could not be refreshed\n");
    process.exit(1);
  }
  if (!renewed && Number(o.expiresAt) <= Date.now()) {
    process.stdout.write(expiredLine + "\n");
    process.exit(1);
  }
  process.stdout.write("ok\n");
  process.exit(0);
}

function write(path, obj) {
  const tmp = `${path}.tmp.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(obj), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
