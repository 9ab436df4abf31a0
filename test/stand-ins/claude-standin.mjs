#!/usr/bin/env node
// STAND-IN for the Claude Code CLI (`claude`), used by the refresh tests. It is NOT Claude Code:
// it mimics, on purpose, only what `openclaw-oauth-sync refresh` observes of it: the credentials
// file it rewrites, its exit status and its output. Behaviour is chosen by environment variables
// (which the runtime passes through `refresh.env` in the test config):
//
//   STANDIN_RECORD   file to append one JSON line per run: {argv, env, uid, gid, cwd, pid}
//   STANDIN_MODE     renew | fail | hang | noop        (default: renew)
//   STANDIN_MESSAGE  text printed to stderr in "fail" mode (the real error texts from facts/)
//   STANDIN_STDOUT   text printed to stdout in "fail" mode (optional)
//   STANDIN_EXIT     exit status in "fail" mode (default 1)
//   STANDIN_DELAY_MS sleep before acting (lock contention tests)
//   STANDIN_LIFETIME_MS  lifetime of the renewed access token (default 8 h)
//
// "renew" rewrites the credentials file the way Claude Code does (facts/openclaw.md §1.2): every
// existing key kept, `scopes` an array, new accessToken/refreshToken/expiresAt, mode 0600,
// temp file + rename. The file is $CLAUDE_CONFIG_DIR/.credentials.json, else
// $HOME/.claude/.credentials.json, as for the real CLI.
import { appendFileSync, readFileSync, writeFileSync, renameSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const env = process.env;
if (env.STANDIN_RECORD) {
  const line = JSON.stringify({
    argv: process.argv.slice(2),
    env,
    uid: process.getuid?.(),
    gid: process.getgid?.(),
    cwd: process.cwd(),
    pid: process.pid,
  });
  appendFileSync(env.STANDIN_RECORD, line + "\n");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const delay = Number(env.STANDIN_DELAY_MS || 0);
if (delay > 0) await sleep(delay);

const mode = env.STANDIN_MODE || "renew";
const credPath = join(env.CLAUDE_CONFIG_DIR || join(env.HOME || "/nonexistent", ".claude"), ".credentials.json");

if (mode === "renew") {
  let file;
  try {
    file = JSON.parse(readFileSync(credPath, "utf8"));
  } catch (e) {
    process.stderr.write(`Not logged in · Please run /login\n`);
    process.exit(1);
  }
  const old = file.claudeAiOauth ?? {};
  const lifetime = Number(env.STANDIN_LIFETIME_MS || 8 * 3600_000);
  file.claudeAiOauth = {
    ...old,
    accessToken: `sk-ant-oat01-${randomBytes(60).toString("base64url")}AA`,
    refreshToken: `sk-ant-ort01-${randomBytes(60).toString("base64url")}AA`,
    expiresAt: Date.now() + lifetime,
    scopes: Array.isArray(old.scopes) ? old.scopes : ["user:inference", "user:profile", "user:sessions:claude_code"],
  };
  const tmp = `${credPath}.tmp.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(file), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, credPath);
  process.stdout.write("ok\n");
  process.exit(0);
} else if (mode === "fail") {
  if (env.STANDIN_STDOUT) process.stdout.write(env.STANDIN_STDOUT + "\n");
  process.stderr.write((env.STANDIN_MESSAGE || "unspecified failure") + "\n");
  process.exit(Number(env.STANDIN_EXIT || 1));
} else if (mode === "hang") {
  // Never finishes on its own: the runtime's timeout must kill it.
  setInterval(() => undefined, 1 << 30);
} else if (mode === "noop") {
  process.stdout.write("ok\n");
  process.exit(0);
} else {
  process.stderr.write(`claude-standin: unknown STANDIN_MODE ${mode}\n`);
  process.exit(2);
}
