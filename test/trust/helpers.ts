/**
 * Shared set-up of the trust suite (SECURITY.md): a scratch host layout driven through the
 * bundled runtime (dist/runtime/openclaw-oauth-sync.cjs; `npm run build` first), stand-ins for
 * the OpenClaw CLI and docker that read the token from stdin and (on demand) echo it to stderr,
 * and helpers to scan /proc and mount small tmpfs filesystems.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fakeCredentialsFile } from "../helpers/tokens";

export const RUNTIME = resolve(process.env.OCS_TRUST_RUNTIME || "dist/runtime/openclaw-oauth-sync.cjs");
export const CLAUDE_STANDIN = resolve("test/stand-ins/claude-standin.mjs");
export const RUNTIME_NODE = process.env.OOS_RUNTIME_NODE || process.execPath;

export function requireBuild(): void {
  if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} missing: run 'npm run build' before test/trust`);
}

/** An integer env knob with a default (documented in SECURITY.md). */
export function knob(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: expected a non-negative number`);
  return n;
}

export interface Host {
  dir: string;
  /** OpenClaw state dir, JSON era with one agent "main" (auth-profiles.json + auth-state.json). */
  oc: string;
  ours: string;
  claudeDir: string;
  credPath: string;
  configPath: string;
  agentDir: string;
  envPath: string;
  oauthPath: string;
  bin: string;
  /** Every token value ever written here: none may appear in any output. */
  tokens: string[];
  /** Writes new credentials (atomically, like Claude Code); returns the access token. */
  writeCreds(o?: { expiresInMs?: number; raw?: string }): string;
  currentToken(): string;
  writeConfig(extra?: Record<string, unknown>): void;
  cleanup(): void;
}

/**
 * A scratch host: OpenClaw state dir in the json-split era (auth-profiles.json with another
 * provider's profile we must keep, auth-state.json), an .env and oauth.json target, our state dir.
 */
export function host(prefix = "oos-trust-"): Host {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const oc = join(dir, "openclaw");
  const agentDir = join(oc, "agents", "main", "agent");
  mkdirSync(agentDir, { recursive: true });
  mkdirSync(join(oc, "credentials"), { mode: 0o700 });
  writeFileSync(
    join(agentDir, "auth-profiles.json"),
    JSON.stringify({ version: 1, profiles: { "openai:default": { type: "api_key", provider: "openai", key: "sk-openai-keep-me" } } }, null, 2) + "\n",
  );
  writeFileSync(join(agentDir, "auth-state.json"), JSON.stringify({ version: 1, order: {} }, null, 2) + "\n");
  writeFileSync(join(oc, ".env"), "# OpenClaw env\nOTHER=keep\n");
  const claudeDir = join(dir, "claude");
  mkdirSync(claudeDir, { mode: 0o700 });
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const h: Host = {
    dir,
    oc,
    ours: join(dir, "state"),
    claudeDir,
    credPath: join(claudeDir, ".credentials.json"),
    configPath: join(dir, "config.json"),
    agentDir,
    envPath: join(oc, ".env"),
    oauthPath: join(oc, "credentials", "oauth.json"),
    bin,
    tokens: [],
    writeCreds(o = {}) {
      const f = fakeCredentialsFile({ expiresAt: Date.now() + (o.expiresInMs ?? 8 * 3600_000) });
      const a = String(f.claudeAiOauth.accessToken);
      h.tokens.push(a, String(f.claudeAiOauth.refreshToken));
      const tmp = `${h.credPath}.tmp`;
      writeFileSync(tmp, o.raw ?? JSON.stringify(f), { mode: 0o600 });
      renameSync(tmp, h.credPath);
      return a;
    },
    currentToken() {
      const f = JSON.parse(readFileSync(h.credPath, "utf8"));
      const a = String(f.claudeAiOauth.accessToken);
      if (!h.tokens.includes(a)) h.tokens.push(a, String(f.claudeAiOauth.refreshToken));
      return a;
    },
    writeConfig(extra = {}) {
      const cfg = {
        claudeCredentials: h.credPath,
        stateDir: h.ours,
        openclaw: { stateDir: oc, version: "2026.5.1" },
        targets: [{ kind: "auth-store" }, { kind: "oauth-json" }, { kind: "env" }],
        reload: { action: "none" },
        refresh: { command: [process.execPath, CLAUDE_STANDIN, "-p", "ok"], claudeConfigDir: claudeDir },
        lockTimeoutMs: 5000,
        ...extra,
      };
      writeFileSync(h.configPath, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** The tokens a host's targets hold now (each file must parse; a parse error throws). */
export function targetTokens(h: Host): { authStore?: string; oauth?: string; env?: string } {
  const out: { authStore?: string; oauth?: string; env?: string } = {};
  const store = JSON.parse(readFileSync(join(h.agentDir, "auth-profiles.json"), "utf8"));
  if (store.profiles?.["openai:default"]?.key !== "sk-openai-keep-me") throw new Error("auth-profiles.json lost the openai profile");
  JSON.parse(readFileSync(join(h.agentDir, "auth-state.json"), "utf8"));
  if (store.profiles?.["anthropic:default"]) out.authStore = store.profiles["anthropic:default"].token;
  if (existsSync(h.oauthPath)) out.oauth = JSON.parse(readFileSync(h.oauthPath, "utf8")).anthropic?.access;
  const env = readFileSync(h.envPath, "utf8");
  if (!env.includes("OTHER=keep")) throw new Error(".env lost the OTHER line");
  const m = /^ANTHROPIC_OAUTH_TOKEN="?([^"\n]*)"?$/m.exec(env);
  if (m) out.env = m[1];
  return out;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundled runtime to completion; bounded (kills it by pid and fails with a message). */
export function runtime(args: string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number; stdin?: string } = {}): Promise<RunResult> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  return new Promise((res, rej) => {
    const child = spawn(RUNTIME_NODE, [RUNTIME, ...args], { env: { ...process.env, ...o.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.stdin.end(o.stdin ?? "");
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error(`timed out after ${timeoutMs} ms waiting for: openclaw-oauth-sync ${args.join(" ")}\nstderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(t);
      res({ code, stdout, stderr });
    });
  });
}

export function spawnRuntime(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(RUNTIME_NODE, [RUNTIME, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

/** A token (or a 24-character piece of one) found in `text`, or undefined. Never prints it. */
export function leak(text: string, tokens: readonly string[]): string | undefined {
  for (const t of tokens) {
    if (text.includes(t)) return `a whole token (${t.slice(0, 13)}…)`;
    const body = t.slice(13);
    for (let i = 0; i + 24 <= body.length; i += 12) if (text.includes(body.slice(i, i + 24))) return `a 24-character piece of a token (${t.slice(0, 13)}…)`;
  }
  return undefined;
}

/**
 * Stand-in for the OpenClaw CLI (and, in docker mode, for `docker exec … <cli>`): NOT OpenClaw.
 * Reads the token from stdin, sleeps STANDIN_SLEEP seconds (so /proc sampling can see it), and
 * if `<bin>/fail` exists prints what it got on stdin to stderr and exits 3 — the worst a real CLI
 * could do with our secret — so the runtime's scrubbing of CLI output is proven.
 */
export function writeCliStandIn(bin: string, name: string): string {
  const p = join(bin, name);
  writeFileSync(
    p,
    `#!/bin/sh
# Stand-in for \`${name}\` in the trust tests; never a real ${name}.
tok="$(cat)"
sleep "\${STANDIN_SLEEP:-0}"
if [ -f "$(dirname "$0")/fail" ]; then echo "error: the server rejected token $tok (argv: $*)" >&2; echo "stdout echo $tok"; exit 3; fi
exit 0
`,
    { mode: 0o755 },
  );
  chmodSync(p, 0o755);
  return p;
}

/** Mounts a tmpfs of `size` at a fresh dir (root only); `umount` must be called in finally. */
export function mountTmpfs(size: string, opts = ""): { dir: string; umount(): void } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "oos-tmpfs-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}${opts ? "," + opts : ""}`, "tmpfs", dir]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    umount() {
      spawnSync("umount", ["-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function remount(dir: string, opts: string): void {
  const r = spawnSync("mount", ["-o", `remount,${opts}`, dir]);
  if (r.status !== 0) throw new Error(`mount -o remount,${opts} ${dir} failed: ${r.stderr}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
