/**
 * Shared by the watch/rapid/crash fs tests and the bench: a throwaway host layout in os.tmpdir()
 * (Claude's credentials dir, a JSON-era OpenClaw state dir with one agent, our state dir, a config
 * with an env, an oauth-json and an auth-store target), helpers to change the source the way
 * Claude Code does, and readers for the three targets.
 */
import { mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, openSync, fsyncSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fakeCredentialsFile } from "../helpers/tokens";

export const REPO = resolve(__dirname, "../..");
export const RUNTIME = join(REPO, "dist/runtime/openclaw-oauth-sync.cjs");

export interface Fixture {
  root: string;
  credsDir: string;
  credsPath: string;
  configPath: string;
  openclawDir: string;
  envPath: string;
  oauthPath: string;
  authPath: string;
  cleanup(): void;
}

export interface FixtureOptions {
  polling?: boolean;
  pollIntervalMs?: number;
  resyncIntervalSeconds?: number;
  debounceMs?: number;
  lockTimeoutMs?: number;
  /** Do not create Claude's credentials dir (the watcher must wait for it). */
  noCredsDir?: boolean;
}

export function makeFixture(prefix: string, o: FixtureOptions = {}): Fixture {
  const root = mkdtempSync(join(tmpdir(), `ocs-${prefix}-`));
  const credsDir = join(root, "home/.claude");
  const openclawDir = join(root, "openclaw");
  const agentDir = join(openclawDir, "agents/main/agent");
  if (!o.noCredsDir) mkdirSync(credsDir, { recursive: true });
  mkdirSync(agentDir, { recursive: true });
  mkdirSync(join(openclawDir, "credentials"), { recursive: true });
  // A JSON-era store (order/lastGood/usageStats inside: OpenClaw ≤ 2026.4.6).
  writeFileSync(join(agentDir, "auth-profiles.json"), JSON.stringify({ version: 1, profiles: {}, order: {}, lastGood: {}, usageStats: {} }, null, 2) + "\n", { mode: 0o600 });
  writeFileSync(join(openclawDir, ".env"), "# kept byte for byte\nOTHER=1\n", { mode: 0o600 });
  const configPath = join(root, "config.json");
  const config = {
    claudeCredentials: join(credsDir, ".credentials.json"),
    stateDir: join(root, "state"),
    openclaw: { stateDir: openclawDir },
    targets: [{ kind: "env" }, { kind: "oauth-json" }, { kind: "auth-store", agents: ["main"], era: "json" }],
    reload: { action: "none" },
    watch: {
      polling: o.polling ?? false,
      pollIntervalMs: o.pollIntervalMs ?? 100,
      resyncIntervalSeconds: o.resyncIntervalSeconds ?? 0,
      debounceMs: o.debounceMs ?? 25,
    },
    lockTimeoutMs: o.lockTimeoutMs ?? 10_000,
  };
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return {
    root,
    credsDir,
    credsPath: config.claudeCredentials,
    configPath,
    openclawDir,
    envPath: join(openclawDir, ".env"),
    oauthPath: join(openclawDir, "credentials/oauth.json"),
    authPath: join(agentDir, "auth-profiles.json"),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Text of a credentials file holding `token`, expiring at `expiresAt`. */
export function credsText(token: string, expiresAt: number): string {
  return JSON.stringify(fakeCredentialsFile({ accessToken: token, expiresAt }), null, 2);
}

let seq = 0;
/** What Claude Code does: write a temp file beside it, fsync, rename over (in this process). */
export function writeCredsAtomic(path: string, text: string, fsync = false): void {
  const tmp = `${path}.tmp.${process.pid}.${seq++}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  if (fsync) {
    const fd = openSync(tmp, "r+");
    fsyncSync(fd);
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The same rename-over, done by another process (`mv`), as on a real host. */
export function writeCredsByOtherProcess(path: string, text: string): void {
  const tmp = `${path}.other.${seq++}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const r = spawnSync("mv", ["-f", tmp, path]);
  if (r.status !== 0) throw new Error(`mv failed: ${r.stderr.toString()}`);
}

export interface TargetTokens {
  env?: string | undefined;
  oauth?: string | undefined;
  auth?: string | undefined;
}

/**
 * The token each target holds; throws if a target exists but does not parse (the crash test's
 * "never a mix, never empty"). Undefined = the file or the entry is absent.
 */
export function readTargets(f: Fixture): TargetTokens {
  const out: TargetTokens = {};
  if (existsSync(f.envPath)) {
    const text = readFileSync(f.envPath, "utf8");
    if (!text.startsWith("# kept byte for byte\nOTHER=1\n")) throw new Error(`${f.envPath}: other lines not kept`);
    const m = /^ANTHROPIC_OAUTH_TOKEN=(.*)$/m.exec(text);
    out.env = m ? m[1]!.replace(/^"(.*)"$/, "$1") : undefined;
  }
  if (existsSync(f.oauthPath)) {
    const o = JSON.parse(readFileSync(f.oauthPath, "utf8")) as { anthropic?: { access?: string } };
    out.oauth = o.anthropic?.access;
  }
  if (existsSync(f.authPath)) {
    const o = JSON.parse(readFileSync(f.authPath, "utf8")) as { profiles?: Record<string, { token?: string; access?: string }> };
    const p = o.profiles?.["anthropic:default"];
    out.auth = p?.token ?? p?.access;
  }
  return out;
}

export function allEqual(t: TargetTokens, token: string): boolean {
  return t.env === token && t.oauth === token && t.auth === token;
}

/** Polls `cond` every `everyMs` until true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000, everyMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let ok = false;
    try {
      ok = await cond();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (Date.now() > end) throw new Error(`timeout after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Builds the bundle if a test runs without `npm run build` first. */
export function ensureBundle(): void {
  if (existsSync(RUNTIME)) return;
  const r = spawnSync(process.execPath, [join(REPO, "scripts/build-runtime.mjs")], { cwd: REPO, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}

export interface RuntimeChild {
  child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the exit code (or signal name) when the child ends. */
  exited: Promise<number | string>;
}

/** The Node that runs the bundle: OCS_RUNTIME_NODE (e.g. a Node 18 binary) or this one. */
export const RUNTIME_NODE = process.env.OCS_RUNTIME_NODE || process.execPath;

/** Starts the bundled runtime; output is captured (and checked for tokens by the caller). */
export function startRuntime(configPath: string, args: string[]): RuntimeChild {
  const child = spawn(RUNTIME_NODE, [RUNTIME, "--config", configPath, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((r) => child.on("close", (code, sig) => r(code ?? sig ?? "unknown")));
  return { child, output: () => out, exited };
}

/** `p`, or `onTimeout` after `ms` (the timer does not keep the process alive). */
export function within<T, U>(p: Promise<T>, ms: number, onTimeout: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<U>((r) => {
    timer = setTimeout(() => r(onTimeout), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
