/**
 * The SSH transport: the system OpenSSH client with one ControlMaster per host.
 *
 * Why the system client: the operator's ~/.ssh/config, agent, ProxyJump, certificates and
 * known_hosts apply unchanged. Why a ControlMaster with a shared, deterministic ControlPath: the
 * Pulumi program process and the dynamic-provider process (two processes in one `pulumi preview`)
 * then share ONE handshake; every further command costs one multiplexed session (~30 ms).
 *
 * Files live in a private 0700 dir `$TMPDIR/ocs-ssh-<uid>/` (checked: ours, not a symlink):
 *   c-<hash>        control sockets, keyed by host+port+user+key+pin (short: sockets max 108 bytes)
 *   kh-<hash>       known_hosts with exactly the pinned hostKey (when set)
 *   cfg-<hash>      ssh_config that includes `sshConfigFile`, then ~/.ssh/config, /etc/ssh/ssh_config
 *   k-<pid>/id      the configured private key, 0600, removed when this process exits (dirs of
 *                   dead processes are swept on the next start)
 * The private key never appears in argv or in any message.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { HostRef, RemoteRunResult, SshSession } from "../contracts";
import { baseArgs, commandArgs, connectTimeoutSeconds, controlArgs, masterArgs, pinnedKnownHostsLine, type SshPaths } from "./args";
import { classifySshFailure, describeTarget, remoteCommandError, SshError } from "./errors";
import { CHANNEL_COMMAND, CHANNEL_MAX_STDIN, ChannelPool } from "./channel";
import { sha256 as sha } from "../plan/hash";

export { SshError } from "./errors";

/** Default bound for one remote command (uploads of the runtime bundle included). */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;
const SSH_BIN = process.env.OCS_SSH_BIN || "ssh";
/** OCS_SSH_CHANNELS=0 turns the persistent command channels off (one ssh client per command). */
const CHANNELS_ON = process.env.OCS_SSH_CHANNELS !== "0";

export interface RunOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Shown instead of the command's first line in a failure message. */
  label?: string;
}

interface SpawnResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  spawnError?: string;
}

/** Runs the ssh client; a timeout kills it by PID (TERM, then KILL). */
function spawnSsh(args: string[], opts: { stdin?: string | Buffer; timeoutMs: number; stderrFile?: string }): Promise<SpawnResult> {
  return new Promise((resolve) => {
    const errFd = opts.stderrFile ? fs.openSync(opts.stderrFile, "w", 0o600) : undefined;
    // A backgrounded master (-f) must not inherit our pipes: its stderr goes to a file instead.
    const child = spawn(SSH_BIN, args, {
      stdio: [opts.stdin === undefined ? "ignore" : "pipe", errFd === undefined ? "pipe" : "ignore", errFd ?? "pipe"],
    });
    if (errFd !== undefined) fs.closeSync(errFd);
    const out: Buffer[] = [];
    let outLen = 0;
    let stderr = "";
    let timedOut = false;
    let settled = false;
    child.stdout?.on("data", (c: Buffer) => {
      outLen += c.length;
      if (outLen <= 64 * 1024 * 1024) out.push(c);
    });
    child.stderr?.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString("utf8")).slice(-64 * 1024);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 2000).unref();
    }, opts.timeoutMs);
    const finish = (code: number | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (opts.stderrFile) {
        try {
          stderr = fs.readFileSync(opts.stderrFile, "utf8");
          fs.rmSync(opts.stderrFile, { force: true });
        } catch {
          // nothing written
        }
      }
      resolve({ code, stdout: Buffer.concat(out), stderr, timedOut, ...(spawnError ? { spawnError } : {}) });
    };
    child.on("error", (e) => finish(null, e.message));
    child.on("close", (code) => finish(code));
    // A mux client hands its stdio fds to the master, so after we kill it on timeout our pipes
    // stay open until the remote command ends: do not wait for 'close' then.
    child.on("exit", (code) => {
      if (!timedOut) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish(code);
    });
    if (opts.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => undefined); // remote side closed early: reported by exit status
      child.stdin.end(opts.stdin);
    }
  });
}

// ---- private files -------------------------------------------------------------------------

let baseDirCache: string | undefined;

/** `$TMPDIR/ocs-ssh-<uid>`, 0700, owned by us; falls back to /tmp when TMPDIR is too long for sockets. */
export function privateDir(): string {
  if (baseDirCache) return baseDirCache;
  const uid = process.getuid?.() ?? 0;
  let root = os.tmpdir();
  if (root.length > 60) root = "/tmp";
  const dir = path.join(root, `ocs-ssh-${uid}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.isSymbolicLink() || st.uid !== uid) {
    throw new Error(`${dir}: exists but is not a directory owned by uid ${uid}; remove it and retry (it holds SSH control sockets)`);
  }
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  baseDirCache = dir;
  return dir;
}

function writeIfChanged(file: string, content: string, mode: number): void {
  try {
    if (fs.readFileSync(file, "utf8") === content) return;
  } catch {
    // missing
  }
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

let keyDir: string | undefined;

function processKeyDir(base: string): string {
  if (keyDir) return keyDir;
  // Sweep key dirs of processes that died without their exit hook (e.g. SIGKILL).
  for (const name of fs.readdirSync(base)) {
    const m = /^k-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") fs.rmSync(path.join(base, name), { recursive: true, force: true });
    }
  }
  const dir = path.join(base, `k-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  keyDir = dir;
  process.once("exit", () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  });
  return dir;
}

/** Identity of a connection: two HostRefs with the same key share one master. */
export function connectionKey(h: HostRef): string {
  return sha(
    JSON.stringify([h.host, h.port ?? null, h.user ?? null, h.hostKey?.trim() ?? null, h.privateKey ? sha(h.privateKey) : null, h.sshConfigFile ?? null]),
  ).slice(0, 16);
}

function pathsFor(h: HostRef): SshPaths {
  const base = privateDir();
  const key = connectionKey(h);
  const p: SshPaths = { controlPath: path.join(base, `c-${key}`) };
  if (h.hostKey) {
    const line = pinnedKnownHostsLine(h.hostKey);
    p.pinnedKnownHosts = path.join(base, `kh-${sha(line).slice(0, 16)}`);
    writeIfChanged(p.pinnedKnownHosts, line, 0o600);
  }
  if (h.privateKey) {
    const text = h.privateKey.endsWith("\n") ? h.privateKey : `${h.privateKey}\n`; // OpenSSH needs the final newline
    p.identityFile = path.join(processKeyDir(base), `id-${sha(text).slice(0, 12)}`);
    writeIfChanged(p.identityFile, text, 0o600);
  }
  if (h.sshConfigFile) {
    const abs = path.resolve(h.sshConfigFile);
    const cfg = `# generated by openclaw-oauth-sync: the extra config first, then the usual ones\nInclude ${abs}\nInclude ~/.ssh/config\nInclude /etc/ssh/ssh_config\n`;
    p.configFile = path.join(base, `cfg-${sha(cfg).slice(0, 16)}`);
    writeIfChanged(p.configFile, cfg, 0o600);
  }
  return p;
}

function validateHost(h: HostRef): void {
  if (!h.host || h.host.startsWith("-") || /\s/.test(h.host)) {
    throw new Error(`ssh host: ${JSON.stringify(h.host)} is not a host name, address or ssh config alias`);
  }
  if (h.user !== undefined && (h.user === "" || h.user.startsWith("-") || /\s/.test(h.user))) {
    throw new Error(`ssh user: ${JSON.stringify(h.user)} is not a user name`);
  }
  if (h.port !== undefined && (!Number.isInteger(h.port) || h.port < 1 || h.port > 65535)) {
    throw new Error(`ssh port: ${h.port} is not a TCP port (1-65535)`);
  }
}

// ---- sessions ------------------------------------------------------------------------------

/**
 * Sessions at once per process on one master. sshd's MaxSessions defaults to 10 per connection and
 * two processes (program + dynamic provider) share the master; beyond the limit a mux client
 * silently falls back to its own connection (a new handshake each), so we queue instead.
 */
export const MAX_CONCURRENT_SESSIONS = 4;

/**
 * One host's multiplexed connection. Commands with small stdin run on up to MAX_CHANNELS
 * persistent channels (infra/ssh/channel.ts); the rest spawn one ssh client each. Both count
 * against MAX_CONCURRENT_SESSIONS: a channel holds one slot for its whole life.
 */
export class OpenSshSession implements SshSession {
  #closed = false;
  #active = 0;
  #queue: (() => void)[] = [];
  #pool: ChannelPool | undefined;
  constructor(
    readonly host: HostRef,
    readonly paths: SshPaths,
    /** PID of the master when this session started it (or found it running). */
    readonly masterPid: number | undefined,
  ) {
    if (CHANNELS_ON) {
      this.#pool = new ChannelPool({
        host,
        sshBin: SSH_BIN,
        argv: commandArgs(host, paths, CHANNEL_COMMAND),
        slots: { tryAcquire: () => this.#tryAcquire(), release: () => this.#release() },
        openTimeoutMs: connectTimeoutSeconds(host) * 1000 + 5000,
      });
    }
  }

  get target(): string {
    return describeTarget(this.host);
  }

  /** The persistent channels' ssh clients and remote loops (tests, diagnostics). */
  get channels(): ChannelPool | undefined {
    return this.#pool;
  }

  #tryAcquire(): boolean {
    if (this.#active >= MAX_CONCURRENT_SESSIONS) return false;
    this.#active++;
    return true;
  }

  // A released slot is handed straight to the next waiter, so the limit is never exceeded.
  #release(): void {
    const next = this.#queue.shift();
    if (next) next();
    else this.#active--;
  }

  async run(command: string, opts: RunOptions = {}): Promise<RemoteRunResult> {
    if (this.#closed) throw new Error(`${this.target}: SSH session already closed`);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const stdin = opts.stdin ?? "";
    if (this.#pool && Buffer.byteLength(stdin) <= CHANNEL_MAX_STDIN) {
      // Resolves undefined when no channel can serve it: then the spawn path below.
      const c = await this.#pool.run(command, typeof stdin === "string" ? Buffer.from(stdin, "utf8") : stdin, timeoutMs);
      if (c) return { code: c.code, stdout: c.stdout.toString("utf8"), stderr: c.stderr };
    }
    if (!this.#tryAcquire()) await new Promise<void>((r) => this.#queue.push(r));
    let r: SpawnResult;
    try {
      r = await spawnSsh(commandArgs(this.host, this.paths, command), { stdin, timeoutMs });
    } finally {
      this.#release();
    }
    if (r.spawnError) throw new Error(`cannot start the ssh client (${SSH_BIN}): ${r.spawnError}; install OpenSSH's client`);
    if (r.timedOut || r.code === 255 || r.code === null) {
      const err = classifySshFailure(this.host, { stderr: r.stderr, timedOut: r.timedOut, phase: "command" }, Math.round(timeoutMs / 1000));
      if (err) throw err;
    }
    return { code: r.code ?? 255, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
  }

  async check(command: string, opts: RunOptions = {}): Promise<string> {
    const r = await this.run(command, opts);
    if (r.code !== 0) throw remoteCommandError(this.host, command, r.code, r.stderr, opts.label);
    return r.stdout;
  }

  /** Forgets this session; the master stays for ControlPersist so a sibling process can reuse it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
  }

  /** Stops the master connection now (`ssh -O exit`). */
  async exitMaster(): Promise<void> {
    this.#closed = true;
    await this.#pool?.close();
    await spawnSsh(controlArgs(this.host, this.paths, "exit"), { timeoutMs: 5000 });
  }
}

async function masterPid(h: HostRef, p: SshPaths): Promise<number | undefined> {
  const r = await spawnSsh(controlArgs(h, p, "check"), { timeoutMs: 5000 });
  if (r.code !== 0) return undefined;
  const m = /pid=(\d+)/.exec(r.stderr + r.stdout.toString());
  return m ? Number(m[1]) : 0;
}

/** Cross-process lock around master start-up, so two processes never race to create the socket. */
async function withStartLock<T>(controlPath: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const lock = `${controlPath}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      fs.mkdirSync(lock, { mode: 0o700 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      try {
        // A lock older than the longest possible start-up belongs to a dead process.
        if (Date.now() - fs.statSync(lock).mtimeMs > waitMs + 5000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // removed meanwhile
      }
      if (Date.now() > deadline) break; // proceed unlocked rather than hang; ssh copes with a lost race
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Opens (or joins) the master connection to `h` and returns a session on it. Throws an
 * `SshError` with one clear message when the host is unreachable, its key does not match, or it
 * rejects our key — within the connect timeout, never a hang.
 */
export async function openSession(h: HostRef): Promise<OpenSshSession> {
  validateHost(h);
  const p = pathsFor(h);
  const existing = await masterPid(h, p);
  if (existing !== undefined) return new OpenSshSession(h, p, existing);
  const timeoutS = connectTimeoutSeconds(h);
  const startMs = timeoutS * 1000 + 5000;
  return withStartLock(p.controlPath, startMs, async () => {
    const raced = await masterPid(h, p);
    if (raced !== undefined) return new OpenSshSession(h, p, raced);
    const errFile = `${p.controlPath}.err${process.pid}`;
    const r = await spawnSsh(masterArgs(h, p), { timeoutMs: startMs, stderrFile: errFile });
    if (r.spawnError) throw new Error(`cannot start the ssh client (${SSH_BIN}): ${r.spawnError}; install OpenSSH's client`);
    if (r.code !== 0 || r.timedOut) {
      throw (
        classifySshFailure(h, { stderr: r.stderr, timedOut: r.timedOut, phase: "connect" }, timeoutS) ??
        new SshError("unreachable", `cannot reach ${h.host}:${h.port ?? 22} within ${timeoutS} s: ssh exited with ${r.code}`)
      );
    }
    return new OpenSshSession(h, p, await masterPid(h, p));
  });
}

const cache = new Map<string, Promise<OpenSshSession>>();

/** The per-process session for `h`: many resources in one process share it (and its master). */
export function getSession(h: HostRef): Promise<OpenSshSession> {
  const key = connectionKey(h);
  let s = cache.get(key);
  if (!s) {
    s = openSession(h);
    cache.set(key, s);
    s.catch((e: unknown) => {
      // A failed open is retried by the next caller, except for a host that cannot be reached
      // at all: the many resources of that host in this process then fail at once, instead of each
      // waiting out the connect timeout again.
      if (e instanceof SshError && e.kind === "unreachable") setTimeout(() => cache.get(key) === s && cache.delete(key), UNREACHABLE_MEMORY_MS).unref();
      else cache.delete(key);
    });
  }
  return s;
}

/** How long a process remembers that a host could not be reached. */
export const UNREACHABLE_MEMORY_MS = 30_000;

/**
 * Forgets every cached session. By default the masters stay up for ControlPersist so the other
 * process of the same Pulumi operation reuses them; `exitMasters` stops them now (tests, CLI exit).
 */
export async function closeAll(opts: { exitMasters?: boolean } = {}): Promise<void> {
  const sessions = await Promise.allSettled([...cache.values()]);
  cache.clear();
  for (const s of sessions) {
    if (s.status !== "fulfilled") continue;
    if (opts.exitMasters) await s.value.exitMaster();
    else await s.value.close();
  }
}

/** Runs the script on stdin as root: directly when the ssh user is root, else via `sudo -n` (no prompt). */
export const AS_ROOT_SH_S = 'if [ "$(id -u)" = 0 ]; then exec sh -s; else exec sudo -n sh -s; fi';

/**
 * Runs a multi-line /bin/sh script in ONE round trip: the script travels on stdin to `sh -s`
 * (so it is not visible in the remote process list), and `stdinJson`, if given, is embedded as a
 * quoted here-document and exposed to the script as "$OCS_INPUT" (feed it to a command with
 * `printf '%s\n' "$OCS_INPUT" | cmd`; printf is a builtin, so it never reaches argv).
 * Secret values may go in `stdinJson`, never in `script`. `asRoot` runs it as root (see AS_ROOT_SH_S).
 */
export async function runScript(
  session: SshSession,
  script: string,
  stdinJson?: unknown,
  opts: { timeoutMs?: number; label?: string; asRoot?: boolean } = {},
): Promise<string> {
  let text = "";
  if (stdinJson !== undefined) {
    const json = JSON.stringify(stdinJson); // one line: no raw newline can end the here-document early
    const eof = `OCS_INPUT_EOF_${sha(json).slice(0, 12)}`;
    text += `OCS_INPUT=$(cat <<'${eof}'\n${json}\n${eof}\n)\n`;
  }
  text += script.endsWith("\n") ? script : `${script}\n`;
  return session.check(opts.asRoot ? AS_ROOT_SH_S : "sh -s", { stdin: text, timeoutMs: opts.timeoutMs, label: opts.label ?? firstMeaningfulLine(script) });
}

function firstMeaningfulLine(script: string): string {
  return (
    script
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "" && !l.startsWith("#") && l !== "set -eu") ?? "sh -s"
  );
}

/** argv of the ssh client for `h` (for diagnostics and tests; no secret is in it). */
export function sshArgvFor(h: HostRef): string[] {
  return baseArgs(h, pathsFor(h));
}
