/**
 * Shared setup for the refresh/status tests that run the real bundled runtime
 * (dist/runtime/openclaw-oauth-sync.cjs; `npm run build` first) against a scratch host layout:
 * a credentials file, an OpenClaw state dir with one .env target, our state dir, and the
 * `claude` stand-in (test/stand-ins/claude-standin.mjs) as refresh.command.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fakeCredentialsFile } from "../helpers/tokens";

export const RUNTIME = resolve("dist/runtime/openclaw-oauth-sync.cjs");
export const STANDIN = resolve("test/stand-ins/claude-standin.mjs");
export const DOCKER_STANDIN = resolve("test/stand-ins/claude-docker-standin.mjs");
/** The Node that runs the bundled runtime: OOS_RUNTIME_NODE=$(scripts/ensure-node.sh 18.20.8) proves Node 18. */
export const RUNTIME_NODE = process.env.OOS_RUNTIME_NODE || process.execPath;

export function requireBuild(): void {
  if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} missing: run 'npm run build' before the fs tests`);
}

export interface Scratch {
  dir: string;
  credPath: string;
  claudeDir: string;
  stateDir: string;
  openclawDir: string;
  envPath: string;
  recordPath: string;
  configPath: string;
  /** Every token value written so far (for leak checks). */
  tokens: string[];
  writeCreds(o: { expiresInMs: number; refreshTokenExpiresAt?: number }): void;
  readCreds(): { claudeAiOauth: Record<string, unknown> } & Record<string, unknown>;
  writeConfig(refresh: Record<string, unknown>, extra?: Record<string, unknown>): void;
  records(): Array<{ argv: string[]; env: Record<string, string>; uid: number; cwd: string; pid: number }>;
  cleanup(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), "oos-refresh-"));
  const claudeDir = join(dir, "claude");
  const openclawDir = join(dir, "openclaw");
  mkdirSync(claudeDir, { mode: 0o700 });
  mkdirSync(openclawDir, { mode: 0o700 });
  const s: Scratch = {
    dir,
    claudeDir,
    credPath: join(claudeDir, ".credentials.json"),
    stateDir: join(dir, "state"),
    openclawDir,
    envPath: join(openclawDir, ".env"),
    recordPath: join(dir, "standin-record.jsonl"),
    configPath: join(dir, "config.json"),
    tokens: [],
    writeCreds(o) {
      const f = fakeCredentialsFile({ expiresAt: Date.now() + o.expiresInMs, extra: { mcpOAuth: { kept: true } } });
      if (o.refreshTokenExpiresAt !== undefined) f.claudeAiOauth.refreshTokenExpiresAt = o.refreshTokenExpiresAt;
      s.tokens.push(String(f.claudeAiOauth.accessToken), String(f.claudeAiOauth.refreshToken));
      writeFileSync(s.credPath, JSON.stringify(f), { mode: 0o600 });
    },
    readCreds() {
      const f = JSON.parse(readFileSync(s.credPath, "utf8"));
      s.tokens.push(String(f.claudeAiOauth.accessToken), String(f.claudeAiOauth.refreshToken));
      return f;
    },
    writeConfig(refresh, extra = {}) {
      const cfg = {
        claudeCredentials: s.credPath,
        stateDir: s.stateDir,
        openclaw: { stateDir: openclawDir },
        targets: [{ kind: "env", path: s.envPath }],
        reload: { action: "none" },
        refresh: { cli: [process.execPath, STANDIN], ...refresh },
        ...extra,
      };
      writeFileSync(s.configPath, JSON.stringify(cfg, null, 2));
    },
    records() {
      if (!existsSync(s.recordPath)) return [];
      return readFileSync(s.recordPath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return s;
}

export interface RunResultT {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundled runtime; bounded by `timeoutMs` (kills it by pid and fails with a message). */
export function runRuntime(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<RunResultT> {
  return new Promise((resolveP, reject) => {
    const child = spawn(RUNTIME_NODE, [RUNTIME, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timed out after ${timeoutMs} ms waiting for: openclaw-oauth-sync ${args.join(" ")}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(t);
      resolveP({ code, stdout, stderr });
    });
  });
}

/** Variables that must never reach the refresh child; set in the runtime's own environment. */
export const BYPASS_ENV: Record<string, string> = {
  ANTHROPIC_API_KEY: "sk-ant-api03-bypass-key-for-test-AAAA",
  ANTHROPIC_AUTH_TOKEN: "bypass-auth-token",
  CLAUDE_CODE_OAUTH_TOKEN: "bypass-oauth-token",
  CLAUDE_CODE_OAUTH_REFRESH_TOKEN: "bypass-refresh",
  CLAUDE_CODE_OAUTH_SCOPES: "user:inference",
  ANTHROPIC_OAUTH_TOKEN: "bypass-anthropic-oauth",
  CLAUDE_CONFIG_DIR: "/nonexistent-claude-config",
  CLAUDE_CODE_USE_BEDROCK: "1",
  CLAUDE_CODE_USE_VERTEX: "1",
  CLAUDE_CODE_USE_FOUNDRY: "1",
  ANTHROPIC_BASE_URL: "http://127.0.0.1:9/proxy-from-service-env",
};
