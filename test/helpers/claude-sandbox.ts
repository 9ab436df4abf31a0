/**
 * Runs the REAL Claude Code CLI (npm @anthropic-ai/claude-code, installed by
 * scripts/ensure-claude-cli.sh) against a loopback FAKE of Anthropic's servers
 * (test/helpers/anthropic-fake.mjs), inside a private network namespace whose only interface is
 * loopback. The CLI can reach nothing but the fake: Anthropic's names resolve to 127.0.0.1 through
 * the namespace's own hosts file (`ip netns exec` bind-mounts /etc/netns/<name>/hosts over
 * /etc/hosts), every other name goes to a resolver on 127.0.0.1 that answers NXDOMAIN, and there
 * is no route off the machine. The fake's certificate comes from a throwaway CA that the CLI
 * trusts through NODE_EXTRA_CA_CERTS. Tokens are fake (`sk-ant-o?t01-…`), valid nowhere.
 *
 * Needs root (network namespaces) and `ip` (iproute2); claudeCliUnavailableReason() says why not.
 */
import { waitForReady } from "./ready";
import { randomBytes } from "node:crypto";
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(__dirname, "..", "..");
export const FAKE_SERVER = join(__dirname, "anthropic-fake.mjs");
const ENSURE_SCRIPT = join(REPO, "scripts", "ensure-claude-cli.sh");

/** The Claude Code versions the tests observe (newest served first). */
export const CLAUDE_VERSIONS = ["2.1.332", "2.1.328"] as const;

/**
 * Names the CLI was seen to contact (api.anthropic.com, platform.claude.com) plus Anthropic names
 * it may contact in other code paths (console login, claude.ai, statsig, downloads, MCP proxy). All
 * of them resolve to 127.0.0.1 in the namespace and are in the fake's certificate.
 */
export const CLAUDE_HOSTNAMES = [
  "api.anthropic.com",
  "platform.claude.com",
  "console.anthropic.com",
  "claude.ai",
  "claude.com",
  "statsig.anthropic.com",
  "mcp-proxy.anthropic.com",
  "downloads.claude.ai",
] as const;

export type FakeMode = "ok" | "invalid_grant" | "401" | "403-json" | "403-cloudflare" | "429" | "500" | "hang";

export interface FakeStats {
  mode: FakeMode;
  tokenRequests: number;
  tokenOk: number;
  tokenFailed: number;
  /** Every POST /v1/messages (answered or rejected with 401). */
  modelCalls: number;
  modelCallsUnauthorized: number;
  profileCalls: number;
  otherRequests: number;
  byPath: Record<string, number>;
  /** Host header → number of requests. */
  hosts: Record<string, number>;
  tokenRequestShapes: Array<{ contentType: string | null; hasAuthorization: boolean; fields: string[]; grant_type: string | null; client_id: string | null; scope: string | null }>;
  /** Names looked up through DNS (i.e. not in the hosts file); answered NXDOMAIN. */
  dnsQueries: Array<{ name: string; type: string }>;
  hanging: number;
}

export interface FakeControl {
  setMode(mode: FakeMode, opts?: { retryAfter?: number }): Promise<void>;
  /** What the next successful grants carry: expires_in (s) and refresh_token_expires_in (s, null = omitted). */
  issue(opts: { expiresIn?: number; refreshTokenExpiresIn?: number | null }): Promise<void>;
  /** Registers tokens as valid (refresh: unused; access: until expiresAt, default now + 8 h). */
  seed(tokens: { refreshToken?: string; accessToken?: string; expiresAt?: number }): Promise<void>;
  stats(): Promise<FakeStats>;
  resetStats(): Promise<void>;
}

export interface ExecOptions {
  /** The whole environment of the command (nothing is inherited). Default: claudeEnv() without a config dir. */
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  cwd?: string;
  /** Default 120 s; the process group is killed (SIGKILL) when it runs out. */
  timeoutMs?: number;
  input?: string;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface ClaudeNetns {
  /** The namespace's name (ocs-claude-<pid>-<n>). */
  name: string;
  /** A scratch directory (mode 0755) that is removed afterwards; CA and fake's files live in it. */
  dir: string;
  /** The throwaway CA's certificate: NODE_EXTRA_CA_CERTS for the CLI. */
  caPath: string;
  /** The lines of the namespace's hosts file (for a container's /etc/hosts, too). */
  hostsLines: string[];
  fake: FakeControl;
  /** Runs argv inside the namespace (via `ip netns exec`, privileges dropped with setpriv when uid is given). */
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** The fake's log so far (method, host, path, status; never tokens). */
  fakeLog(): string;
}

export interface NetnsOptions {
  hostnames?: readonly string[];
  /** Initial expires_in of issued access tokens (s). Default 28800. */
  expiresIn?: number;
  refreshTokenExpiresIn?: number;
  /** Bound on the fake's start. Default 15 s. */
  startTimeoutMs?: number;
  /** Keep the scratch directory (for debugging). */
  keepDir?: boolean;
}

// ---------------------------------------------------------------------------------------------
// availability and install

function which(cmd: string): string | undefined {
  for (const d of ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]) {
    const p = join(d, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const IP = which("ip");
const SETPRIV = which("setpriv");

const binCache = new Map<string, { path?: string; error?: string }>();

function ensureInstalled(version: string): { path?: string; error?: string } {
  let r = binCache.get(version);
  if (r) return r;
  try {
    const out = execFileSync("bash", [ENSURE_SCRIPT, version], { encoding: "utf8", timeout: 600_000, stdio: ["ignore", "pipe", "pipe"] });
    const last = out.trim().split("\n").pop() ?? "";
    r = existsSync(last) ? { path: last } : { error: `ensure-claude-cli.sh printed no existing path (${JSON.stringify(last)})` };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    r = { error: `ensure-claude-cli.sh ${version} failed: ${(err.stderr || err.message).trim().split("\n").slice(-5).join(" | ")}` };
  }
  binCache.set(version, r);
  return r;
}

/** Why a private network namespace with the fake cannot be made here (undefined = it can). */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "needs root for a private network namespace (ip netns)";
  if (!IP) return "`ip` (iproute2) is not installed";
  if (!SETPRIV) return "`setpriv` (util-linux) is not installed";
  if (!which("openssl")) return "`openssl` is not installed";
  return undefined;
}

/**
 * Why the real CLI of `version` cannot be run here (undefined = it can): no namespace, or the
 * install from the npm registry failed. Tests skip with this reason. Installs on first call.
 */
export function claudeCliUnavailableReason(version: string = CLAUDE_VERSIONS[0]): string | undefined {
  return netnsUnavailableReason() ?? ensureInstalled(version).error;
}

/** The runnable `claude` of that version (installs it into the cache on first use; cached per process). */
export function claudeBin(version: string): string {
  const r = ensureInstalled(version);
  if (!r.path) throw new Error(r.error ?? `claude ${version} unavailable`);
  return r.path;
}

// ---------------------------------------------------------------------------------------------
// certificates

/** A throwaway CA and a leaf certificate for `hostnames`, made with the openssl CLI in `dir`. */
export function throwawayCa(dir: string, hostnames: readonly string[] = CLAUDE_HOSTNAMES): { caPath: string; certPath: string; keyPath: string } {
  mkdirSync(dir, { recursive: true });
  const caPath = join(dir, "ca.pem");
  const caKey = join(dir, "ca-key.pem");
  const keyPath = join(dir, "leaf-key.pem");
  const csr = join(dir, "leaf.csr");
  const certPath = join(dir, "leaf.pem");
  const ext = join(dir, "leaf-ext.cnf");
  const run = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
  run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", caKey, "-out", caPath, "-days", "2", "-subj", "/CN=openclaw-oauth-sync throwaway test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyPath, "-out", csr, "-subj", `/CN=${hostnames[0]}`]);
  writeFileSync(ext, `subjectAltName=${hostnames.map((h) => `DNS:${h}`).join(",")}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  run(["x509", "-req", "-in", csr, "-CA", caPath, "-CAkey", caKey, "-CAcreateserial", "-out", certPath, "-days", "2", "-extfile", ext]);
  rmSync(caKey, { force: true }); // nobody signs anything else with it
  chmodSync(caPath, 0o644);
  chmodSync(certPath, 0o644);
  chmodSync(keyPath, 0o600);
  return { caPath, certPath, keyPath };
}

// ---------------------------------------------------------------------------------------------
// environment and credentials

/** The scrubbed environment the product gives the CLI: `env -i` + these. */
export function claudeEnv(o: { home: string; caPath: string; configDir?: string; user?: string; extra?: Record<string, string> }): Record<string, string> {
  const user = o.user ?? "root";
  const env: Record<string, string> = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: o.home,
    USER: user,
    LOGNAME: user,
    LANG: "C.UTF-8",
    NODE_EXTRA_CA_CERTS: o.caPath,
  };
  if (o.configDir !== undefined) env.CLAUDE_CONFIG_DIR = o.configDir;
  return { ...env, ...o.extra };
}

export interface ClaudeCredentials {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  refreshTokenExpiresAt?: number;
  scopes?: string[];
  subscriptionType?: string;
  rateLimitTier?: string;
  /** Other top-level keys (e.g. mcpOAuth) the CLI must keep. */
  extra?: Record<string, unknown>;
  uid?: number;
  gid?: number;
}

/**
 * Writes `<dir>/.credentials.json` (mode 0600) the way the CLI stores a claude.ai login
 * (facts/claude-code.md §1). CLAUDE_CONFIG_DIR=<dir> points the CLI at it. Nothing else is
 * needed: `auth status` and `-p` run non-interactively without ~/.claude.json or onboarding
 * flags (the CLI creates <dir>/.claude.json itself). Returns the file's path.
 */
export function writeClaudeCredentials(dir: string, c: ClaudeCredentials): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const oauth: Record<string, unknown> = {
    accessToken: c.accessToken,
    refreshToken: c.refreshToken,
    expiresAt: c.expiresAt,
    scopes: c.scopes ?? ["user:inference", "user:profile", "user:sessions:claude_code"],
    subscriptionType: c.subscriptionType ?? "max",
    rateLimitTier: c.rateLimitTier ?? "default_claude_max_20x",
  };
  if (c.refreshTokenExpiresAt !== undefined) oauth.refreshTokenExpiresAt = c.refreshTokenExpiresAt;
  const path = join(dir, ".credentials.json");
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ claudeAiOauth: oauth, ...c.extra }), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  if (c.uid !== undefined || c.gid !== undefined) {
    chownSync(tmp, c.uid ?? -1, c.gid ?? -1);
    chownSync(dir, c.uid ?? -1, c.gid ?? -1);
  }
  renameSync(tmp, path);
  return path;
}

/** Fake tokens in the CLI's shape and length (~108 characters), random, valid nowhere (and visibly fake). */
export function fakeTokenPair(): { accessToken: string; refreshToken: string } {
  const r = () => randomBytes(68).toString("base64url");
  return { accessToken: `sk-ant-oat01-fake-${r()}`, refreshToken: `sk-ant-ort01-fake-${r()}` };
}

// ---------------------------------------------------------------------------------------------
// the namespace

let counter = 0;

function sh(file: string, args: string[], timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: "SIGKILL", encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes namespaces this helper left behind in processes that no longer exist. */
async function sweepStale(): Promise<void> {
  const r = await sh(IP!, ["netns", "list"]);
  for (const line of r.stdout.split("\n")) {
    const m = /^(ocs-claude-(\d+)-\d+)\b/.exec(line.trim());
    if (!m || Number(m[2]) === process.pid || alive(Number(m[2]))) continue;
    await killNetnsPids(m[1]!);
    await sh(IP!, ["netns", "del", m[1]!]);
    rmSync(join("/etc/netns", m[1]!), { recursive: true, force: true });
  }
}

/** Kills what still runs inside the namespace: only our own children ever run there. */
async function killNetnsPids(name: string): Promise<void> {
  const r = await sh(IP!, ["netns", "pids", name]);
  for (const p of r.stdout.split(/\s+/).filter(Boolean)) {
    const pid = Number(p);
    if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once("exit", () => {
      clearTimeout(t);
      res(true);
    });
  });
}

function controlClient(socketPath: string): FakeControl {
  const call = (method: string, path: string, body?: unknown): Promise<unknown> =>
    new Promise((res, rej) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request({ socketPath, path, method, headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}, timeout: 5000 }, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if ((r.statusCode ?? 500) >= 300) rej(new Error(`fake control ${method} ${path}: ${r.statusCode} ${text}`));
          else res(text ? JSON.parse(text) : {});
        });
      });
      req.on("timeout", () => req.destroy(new Error(`fake control ${method} ${path}: no answer in 5 s`)));
      req.on("error", rej);
      req.end(data);
    });
  return {
    setMode: async (mode, o) => void (await call("POST", "/mode", { mode, ...o })),
    issue: async (o) => void (await call("POST", "/issue", o)),
    seed: async (t) => void (await call("POST", "/seed", t)),
    stats: async () => (await call("GET", "/stats")) as FakeStats,
    resetStats: async () => void (await call("POST", "/reset-stats")),
  };
}

/**
 * Creates a private network namespace (loopback only), its hosts/resolv.conf, a throwaway CA and
 * the fake (port 443 inside the namespace, control socket outside), runs `body`, and always
 * cleans up: the processes it started (by PID, and whatever is left in the namespace), the
 * namespace, /etc/netns/<name>, the scratch directory.
 */
export async function withClaudeNetns<T>(body: (ns: ClaudeNetns) => Promise<T>, opts: NetnsOptions = {}): Promise<T> {
  const why = netnsUnavailableReason();
  if (why) throw new Error(`withClaudeNetns: ${why}`);
  await sweepStale();
  const name = `ocs-claude-${process.pid}-${counter++}`;
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  chmodSync(dir, 0o755);
  const etc = join("/etc/netns", name);
  const hostnames = opts.hostnames ?? CLAUDE_HOSTNAMES;
  const hostsLines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback", `127.0.0.1 ${hostnames.join(" ")}`];
  const children = new Set<ChildProcess>();
  let fakeChild: ChildProcess | undefined;
  let fakeLog = "";
  let nsCreated = false;
  try {
    const add = await sh(IP!, ["netns", "add", name]);
    if (add.code !== 0) throw new Error(`ip netns add ${name}: ${add.stderr.trim()}`);
    nsCreated = true;
    const lo = await sh(IP!, ["-n", name, "link", "set", "lo", "up"]);
    if (lo.code !== 0) throw new Error(`ip -n ${name} link set lo up: ${lo.stderr.trim()}`);
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, "hosts"), hostsLines.join("\n") + "\n");
    // Unknown names go to the fake's DNS on 127.0.0.1:53 (NXDOMAIN, recorded in stats.dnsQueries).
    writeFileSync(join(etc, "resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
    // Verify that the namespace really has nothing but loopback and sees our hosts file.
    const links = await sh(IP!, ["-n", name, "-o", "link", "show"]);
    const ifaces = links.stdout.split("\n").filter(Boolean).map((l) => l.split(":")[1]?.trim());
    if (ifaces.length !== 1 || ifaces[0] !== "lo") throw new Error(`namespace ${name} has interfaces ${ifaces.join(",")}, expected only lo`);
    const seen = await sh(IP!, ["netns", "exec", name, "cat", "/etc/hosts"]);
    if (!seen.stdout.includes(hostnames[0]!)) throw new Error(`ip netns exec ${name} does not see /etc/netns/${name}/hosts as /etc/hosts`);

    const { caPath, certPath, keyPath } = throwawayCa(join(dir, "tls"), hostnames);
    chmodSync(join(dir, "tls"), 0o755);
    const controlPath = join(dir, "fake.sock");
    const fakeArgs = ["netns", "exec", name, process.execPath, FAKE_SERVER, "--cert", certPath, "--key", keyPath, "--port", "443", "--host", "127.0.0.1", "--control", controlPath, "--dns"];
    if (opts.expiresIn !== undefined) fakeArgs.push("--expires-in", String(opts.expiresIn));
    if (opts.refreshTokenExpiresIn !== undefined) fakeArgs.push("--refresh-token-expires-in", String(opts.refreshTokenExpiresIn));
    const child = spawn(IP!, fakeArgs, { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
    fakeChild = child;
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      fakeLog += d;
      if (fakeLog.length > 2_000_000) fakeLog = fakeLog.slice(-1_000_000);
    });
    await waitForReady(child, opts.startTimeoutMs ?? 15_000, () => fakeLog);

    const exec = (argv: string[], o: ExecOptions = {}): Promise<ExecResult> => {
      const env = o.env ?? claudeEnv({ home: dir, caPath });
      const args = ["netns", "exec", name];
      if (o.uid !== undefined || o.gid !== undefined) {
        args.push(SETPRIV!, `--reuid=${o.uid ?? 0}`, `--regid=${o.gid ?? o.uid ?? 0}`, "--clear-groups", "--");
      }
      args.push(...argv);
      const started = Date.now();
      return new Promise((res) => {
        const c = spawn(IP!, args, { detached: true, cwd: o.cwd ?? dir, env, stdio: ["pipe", "pipe", "pipe"] });
        children.add(c);
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        c.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        c.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        c.stdin!.on("error", () => {});
        c.stdin!.end(o.input ?? "");
        const t = setTimeout(() => {
          timedOut = true;
          killGroup(c, "SIGKILL");
        }, o.timeoutMs ?? 120_000);
        c.once("error", (e) => {
          stderr += `spawn error: ${e.message}`;
        });
        c.once("close", (code, signal) => {
          clearTimeout(t);
          children.delete(c);
          res({ code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
        });
      });
    };

    return await body({ name, dir, caPath, hostsLines, fake: controlClient(controlPath), exec, fakeLog: () => fakeLog });
  } finally {
    for (const c of children) killGroup(c, "SIGKILL");
    if (fakeChild) {
      killGroup(fakeChild, "SIGTERM");
      if (!(await waitExit(fakeChild, 3000))) {
        killGroup(fakeChild, "SIGKILL");
        await waitExit(fakeChild, 3000);
      }
    }
    if (nsCreated) {
      await killNetnsPids(name);
      const del = await sh(IP!, ["netns", "del", name]);
      if (del.code !== 0) process.stderr.write(`claude-sandbox: ip netns del ${name}: ${del.stderr}\n`);
    }
    rmSync(etc, { recursive: true, force: true });
    if (!opts.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads `<dir>/.credentials.json` (throws when absent). */
export function readClaudeCredentials(dir: string): { claudeAiOauth: Record<string, unknown> } & Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, ".credentials.json"), "utf8"));
}

/**
 * withClaudeNetns for before()/after() hooks: resolves once the namespace and the fake are up;
 * close() ends the body and waits for the clean-up (bounded by the clean-up's own waits).
 */
export async function openClaudeNetns(opts: NetnsOptions = {}): Promise<ClaudeNetns & { close(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let ready!: (ns: ClaudeNetns) => void;
  const readyP = new Promise<ClaudeNetns>((r) => (ready = r));
  const done = withClaudeNetns(async (ns) => {
    ready(ns);
    await released;
  }, opts);
  const ns = await Promise.race([readyP, done.then(() => Promise.reject(new Error("withClaudeNetns ended before it was ready")))]);
  return {
    ...ns,
    close: async () => {
      release();
      await done;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the CLI's debug log (`claude --debug-file FILE …`; the CLI APPENDS to FILE)

/**
 * The token endpoint's HTTP status as the CLI's debug log carries it (2.1.328 and 2.1.332):
 *   [ERROR] OAuth refresh failed (expected): Request failed with status code 400     (400/401/403/429)
 *   [ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token,status=500,body=…] …   (5xx)
 */
export const TOKEN_STATUS_RE =
  /\[ERROR\] (?:OAuth refresh failed \(expected\): Request failed with status code (\d{3})\b|"?AxiosError: \[url=https:\/\/[^,\]\s]+\/v1\/oauth\/token,status=(\d{3})\b)/g;

/** No answer from the token endpoint: `-p` times out (30 s per try); `auth status` stops waiting after ~8 s. */
export const TOKEN_NO_ANSWER_RE =
  /\[ERROR\] OAuth refresh failed \(expected\): timeout of \d+ms exceeded|\[DEBUG\] OAuth refresh still in flight after [\d.]+ms; exiting without waiting further/;

/** Every token-endpoint status in a debug log, in order. */
export function tokenEndpointStatuses(debugLog: string): number[] {
  return [...debugLog.matchAll(TOKEN_STATUS_RE)].map((m) => Number(m[1] ?? m[2]));
}
