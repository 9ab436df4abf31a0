/**
 * Persistent command channels: a few long-lived `ssh` mux clients per session, each running a
 * small POSIX `sh` server loop on the host that runs one command per request.
 *
 * Why: `pulumi preview` of a fleet runs hundreds of small read scripts. Spawning one ssh client
 * per command costs ~7 ms of CPU in this (large) Node process per fork, plus an sshd channel and a
 * login shell on the host. A channel pays that once; each further command is one line written to
 * a pipe. The mux client hands its stdio fds to the master, so the master reads/writes our pipes
 * directly and the client itself stays idle.
 *
 * Protocol (one request at a time per channel; byte-exact; dash/busybox sh + base64):
 *   loop → us, once:   `OCS-CHAN 1 <remote pid>\n`
 *   us → loop:         `<id> <base64(command)> <base64(stdin)>\n`   (read with `read -r`: a shell
 *                      `read` is byte-exact on a pipe, `head -c`/`dd` may swallow the next request)
 *   loop → us:         stdout as base64 lines (76 chars, multiples of 4), then
 *                      `<id> <exit code> <stderr bytes>\n` and the raw stderr bytes.
 * stdin and stdout travel only through pipes (they may hold secrets: OCS_INPUT); stderr goes
 * through a file in a private `mktemp -d` dir (removed on exit) so its length can be framed.
 * The loop is a fixed script in argv; commands and stdin only ever travel on the channel's stdin.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import type { HostRef } from "../contracts";
import { classifySshFailure, describeTarget, SshError } from "./errors";

/** Larger stdin (the runtime bundle upload) keeps the one-ssh-per-command path. */
export const CHANNEL_MAX_STDIN = 64 * 1024;
/** Channels per session: each holds one of the session's mux slots for its whole life. */
export const MAX_CHANNELS = 2;
const STDOUT_CAP = 64 * 1024 * 1024; // as the spawn path: more stdout is dropped
const STDERR_KEEP = 64 * 1024; // as the spawn path: the stderr tail
const MAX_LINE = 64 * 1024; // a base64 line is 76 chars; anything this long is not our reply
const KILL_GRACE_MS = 2000;

/** `$0` of the loop, so it is recognisable in the host's process list. */
export const CHANNEL_LOOP_NAME = "ocs-ssh-channel";

// No single quote inside (it is passed single-quoted) and no newline (some login shells reject
// one inside quotes). Variables are not exported, so commands never see them. The command's exit
// code travels through a file because a POSIX pipeline reports only its last member's status.
const LOOP = [
  "command -v base64 >/dev/null 2>&1 || { echo ocs-ssh-channel: no base64 on this host >&2; exit 3; }",
  "_ocs_d=$(mktemp -d) || exit 3",
  'trap "rm -rf \\"\\$_ocs_d\\"" EXIT',
  // Signals end the loop through its EXIT trap (so the dir goes): HUP/TERM from sshd or a kill,
  // PIPE when the reply cannot be written (our client was killed on a timeout meanwhile).
  'trap "exit 129" HUP; trap "exit 130" INT; trap "exit 141" PIPE; trap "exit 143" TERM',
  'echo "OCS-CHAN 1 $$"',
  "while IFS=\" \" read -r _ocs_i _ocs_c _ocs_s; do " +
    '_ocs_c=$(printf "%s\\n" "$_ocs_c" | base64 -d; echo .); ' +
    ': >"$_ocs_d/r"; ' +
    '{ printf "%s\\n" "$_ocs_s" | base64 -d; } 2>/dev/null | { sh -c "${_ocs_c%.}" 2>"$_ocs_d/e"; echo $? >"$_ocs_d/r"; } | base64; ' +
    'read -r _ocs_r <"$_ocs_d/r" || _ocs_r=255; ' +
    // `[ -s ]` is a builtin: no wc/cat processes for the usual empty stderr.
    'if [ -s "$_ocs_d/e" ]; then printf "%s %s %s\\n" "$_ocs_i" "$_ocs_r" $(wc -c <"$_ocs_d/e"); cat "$_ocs_d/e"; ' +
    'else printf "%s %s 0\\n" "$_ocs_i" "$_ocs_r"; fi; ' +
    "done",
].join("; ");

/** The remote command that starts the loop (for commandArgs). Contains no secret. */
export const CHANNEL_COMMAND = `exec sh -c '${LOOP}' ${CHANNEL_LOOP_NAME}`;

export interface ChannelReply {
  code: number;
  stdout: Buffer;
  stderr: string;
}

interface Request {
  command: string;
  stdin: Buffer;
  timeoutMs: number;
  resolve: (r: ChannelReply | undefined) => void;
  reject: (e: Error) => void;
}

/** The session's mux-slot accounting (MAX_CONCURRENT_SESSIONS), shared with the spawn path. */
export interface Slots {
  tryAcquire(): boolean;
  release(): void;
}

export interface PoolOptions {
  host: HostRef;
  sshBin: string;
  /** Full ssh argv (commandArgs with CHANNEL_COMMAND): same ControlPath, known_hosts, identity, config. */
  argv: string[];
  slots: Slots;
  /** Bound for opening a channel (a new master may have to be made: the connect timeout + 5 s). */
  openTimeoutMs: number;
}

/** Channels still running in this process, ended by PID when it exits. */
const live = new Set<Channel>();
let exitHook = false;

const B64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
const TRAILER = /^(\d{1,10}) (\d{1,3}) (\d{1,12})$/;

/** One ssh mux client running the loop. Serves one request at a time. */
class Channel {
  state: "opening" | "idle" | "busy" | "dead" = "opening";
  remotePid: number | undefined;
  readonly child: ChildProcess;
  #pool: ChannelPool;
  #nextId = 1;
  #req: (Request & { id: number; timer: NodeJS.Timeout }) | undefined;
  #openTimer: NodeJS.Timeout | undefined;
  /** Bytes not yet consumed by the parser. */
  #buf: Buffer = Buffer.alloc(0);
  #phase: "ready" | "out" | "err" = "ready";
  #out: Buffer[] = [];
  #outLen = 0;
  #err: Buffer[] = [];
  #errLen = 0;
  #errLeft = 0;
  #code = 0;
  /** The ssh client's own messages plus anything the loop printed to stderr (diagnostics). */
  #sshStderr = "";
  #killed: "timeout" | "protocol" | "close" | undefined;
  #exited = false;
  #termSent = false;
  /** Set when the channel ended before its ready line (the pool then decides: fail or fall back). */
  diedOpening = false;

  constructor(pool: ChannelPool, opts: PoolOptions) {
    this.#pool = pool;
    this.child = spawn(opts.sshBin, opts.argv, { stdio: ["pipe", "pipe", "pipe"] });
    live.add(this);
    if (!exitHook) {
      exitHook = true;
      process.once("exit", () => {
        for (const c of live) c.kill("SIGTERM");
      });
    }
    this.child.stdin?.on("error", () => undefined); // the channel ended: reported by 'exit'
    this.child.stdout?.on("data", (c: Buffer) => this.#onData(c));
    this.child.stderr?.on("data", (c: Buffer) => {
      this.#sshStderr = (this.#sshStderr + c.toString("utf8")).slice(-STDERR_KEEP);
    });
    this.child.on("error", (e) => {
      const neverStarted = this.child.pid === undefined; // then there is no 'exit' to wait for
      if (neverStarted) this.#markExited();
      this.#die(`cannot start the ssh client (${opts.sshBin}): ${e.message}`);
      if (neverStarted) this.#pool.onGone(this);
    });
    this.child.on("exit", (code, signal) => {
      this.#markExited();
      // The master holds our pipes (fd passing): they may stay open after the client is gone.
      if (this.#killed) this.#destroyPipes();
      else setTimeout(() => this.#destroyPipes(), 1000).unref();
      this.#die(`ssh exited with ${signal ? `signal ${signal}` : `code ${code}`}`);
      this.#pool.onGone(this);
    });
    this.#openTimer = setTimeout(() => {
      this.kill("SIGTERM", "protocol");
      this.#die(`no ready line within ${Math.round(opts.openTimeoutMs / 1000)} s`);
    }, opts.openTimeoutMs);
    this.#ref(true);
    this.child.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exited(): boolean {
    return this.#exited;
  }

  /** The ssh client no longer runs (its PID may be reused: never signal it again). */
  #markExited(): void {
    this.#exited = true;
    live.delete(this);
  }

  /** Ref'd while opening or busy, so an awaited reply keeps Node alive; unref'd when idle. */
  #ref(on: boolean): void {
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr] as (Socket | null)[]) {
      if (on) s?.ref();
      else s?.unref();
    }
  }

  #destroyPipes(): void {
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  /** Kills our ssh client by PID: TERM, then KILL if it is still there after a grace period. */
  kill(signal: "SIGTERM" | "SIGKILL", why?: "timeout" | "protocol" | "close"): void {
    if (why && !this.#killed) this.#killed = why;
    if (this.#exited || (signal === "SIGTERM" && this.#termSent)) return;
    this.child.kill(signal);
    if (signal === "SIGTERM") {
      this.#termSent = true;
      setTimeout(() => this.kill("SIGKILL"), KILL_GRACE_MS).unref();
    }
  }

  send(r: Request): void {
    const id = this.#nextId++;
    this.state = "busy";
    this.#ref(true);
    this.#phase = "out";
    this.#out = [];
    this.#outLen = 0;
    this.#err = [];
    this.#errLen = 0;
    const timer = setTimeout(() => {
      // As the spawn path: the command overran, its ssh client is killed; the channel goes with it.
      this.kill("SIGTERM", "timeout");
      this.#die("timeout");
    }, r.timeoutMs);
    this.#req = { ...r, id, timer };
    this.child.stdin?.write(`${id} ${Buffer.from(r.command, "utf8").toString("base64")} ${r.stdin.toString("base64")}\n`);
  }

  /** Graceful end: EOF on the loop's stdin makes it exit after the current command. */
  endInput(): void {
    this.child.stdin?.end();
  }

  #onData(chunk: Buffer): void {
    if (this.state === "dead") return;
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    try {
      this.#parse();
    } catch (e) {
      this.kill("SIGTERM", "protocol");
      this.#die((e as Error).message);
    }
  }

  #parse(): void {
    for (;;) {
      if (this.#phase === "err") {
        const n = Math.min(this.#errLeft, this.#buf.length);
        if (n > 0) this.#keepErr(this.#buf.subarray(0, n));
        this.#buf = this.#buf.subarray(n);
        this.#errLeft -= n;
        if (this.#errLeft > 0) return;
        this.#complete();
        continue;
      }
      const nl = this.#buf.indexOf(10);
      if (nl < 0) {
        if (this.#buf.length > MAX_LINE) throw new Error(`malformed reply: a line of more than ${MAX_LINE} bytes`);
        return;
      }
      const line = this.#buf.subarray(0, nl).toString("latin1");
      this.#buf = this.#buf.subarray(nl + 1);
      if (this.#phase === "ready") {
        const m = /^OCS-CHAN 1 (\d+)$/.exec(line);
        if (!m || this.state !== "opening") throw new Error(`unexpected first line from the channel: ${JSON.stringify(line.slice(0, 80))}`);
        clearTimeout(this.#openTimer);
        this.remotePid = Number(m[1]);
        this.state = "idle";
        this.#phase = "out";
        this.#ref(false);
        this.#pool.onIdle(this);
        continue;
      }
      if (!this.#req) throw new Error(`unexpected output from the channel while no command runs: ${JSON.stringify(line.slice(0, 80))}`);
      if (line.length % 4 === 0 && B64_LINE.test(line)) {
        if (this.#outLen < STDOUT_CAP) {
          const bytes = Buffer.from(line, "base64");
          this.#out.push(bytes);
          this.#outLen += bytes.length;
        }
        continue;
      }
      const t = TRAILER.exec(line);
      if (!t || Number(t[1]) !== this.#req.id || Number(t[2]) > 255) {
        throw new Error(`malformed reply to request ${this.#req.id}: ${JSON.stringify(line.slice(0, 80))}`);
      }
      this.#code = Number(t[2]);
      this.#errLeft = Number(t[3]);
      this.#phase = "err";
    }
  }

  #keepErr(b: Buffer): void {
    this.#err.push(Buffer.from(b)); // copy: the parser's buffer is reused
    this.#errLen += b.length;
    if (this.#errLen > 4 * STDERR_KEEP) {
      const all = Buffer.concat(this.#err).subarray(-2 * STDERR_KEEP);
      this.#err = [all];
      this.#errLen = all.length;
    }
  }

  #complete(): void {
    const r = this.#req!;
    clearTimeout(r.timer);
    this.#req = undefined;
    this.#phase = "out";
    this.state = "idle";
    this.#ref(false);
    let stdout = Buffer.concat(this.#out);
    if (stdout.length > STDOUT_CAP) stdout = stdout.subarray(0, STDOUT_CAP);
    r.resolve({ code: this.#code, stdout, stderr: Buffer.concat(this.#err).toString("utf8").slice(-STDERR_KEEP) });
    this.#out = [];
    this.#err = [];
    this.#pool.onIdle(this);
  }

  /** Ends the channel: fails its request (if any) and tells the pool. Idempotent. */
  #die(reason: string): void {
    if (this.state === "dead") return;
    this.diedOpening = this.state === "opening";
    this.state = "dead";
    clearTimeout(this.#openTimer);
    this.kill("SIGTERM", this.#killed ?? "protocol");
    this.#ref(false);
    const r = this.#req;
    this.#req = undefined;
    if (r) clearTimeout(r.timer);
    // Let ssh's own last words arrive (they are on stderr) before classifying.
    setImmediate(() => {
      const errFor = (timeoutMs: number | undefined) => this.#pool.failure(this.#sshStderr, reason, this.#killed === "timeout", timeoutMs);
      if (r) r.reject(errFor(r.timeoutMs));
      this.#pool.onDead(this, errFor);
    });
  }
}

/** The channels of one session, and the requests waiting for one. */
export class ChannelPool {
  #opts: PoolOptions;
  #channels = new Set<Channel>();
  #waiting: Request[] = [];
  #max = MAX_CHANNELS;
  #closed = false;
  /** Why channels are off for this session (then every command takes the spawn path). */
  disabled: string | undefined;

  constructor(opts: PoolOptions) {
    this.#opts = opts;
  }

  /** PIDs of our live ssh clients and of their remote loops (tests, diagnostics). */
  get processes(): { pid: number | undefined; remotePid: number | undefined; state: string }[] {
    return [...this.#channels].map((c) => ({ pid: c.pid, remotePid: c.remotePid, state: c.state }));
  }

  /**
   * Runs `command` on a channel. Resolves undefined when the caller should use the spawn path
   * (channels off, or no mux slot to open the first one); rejects with an SshError like the
   * spawn path's (timeout, connection lost, host unreachable).
   */
  run(command: string, stdin: Buffer, timeoutMs: number): Promise<ChannelReply | undefined> {
    if (this.disabled || this.#closed || stdin.length > CHANNEL_MAX_STDIN) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ command, stdin, timeoutMs, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#waiting.length > 0) {
      const idle = [...this.#channels].find((c) => c.state === "idle");
      if (idle) {
        idle.send(this.#waiting.shift()!);
        continue;
      }
      const opening = [...this.#channels].filter((c) => c.state === "opening").length;
      if (this.#channels.size < this.#max && this.#waiting.length > opening && this.#opts.slots.tryAcquire()) {
        this.#channels.add(new Channel(this, this.#opts));
        continue;
      }
      if (this.#channels.size === 0) {
        // No channel and no free slot (spawn-path commands hold them all): take the spawn path,
        // which queues for a slot as before.
        for (const r of this.#waiting.splice(0)) r.resolve(undefined);
      }
      return; // the rest waits for a channel to become idle or ready
    }
  }

  onIdle(c: Channel): void {
    if (this.#closed) c.endInput();
    this.#pump();
  }

  /** The channel's ssh client exited: its slot is free. */
  onGone(c: Channel): void {
    if (!this.#channels.delete(c)) return;
    this.#opts.slots.release();
    // A channel that died while opening is judged in onDead first (fail, fall back or retry).
    if (!c.diedOpening) this.#pump();
  }

  /** The channel ended (its request, if any, is already failed). */
  onDead(c: Channel, errFor: (timeoutMs: number | undefined) => SshError): void {
    if (!c.diedOpening) return this.#pump();
    const err = errFor(undefined);
    if (err.kind === "unreachable") {
      // As the spawn path would: every command waiting for this host fails now (with the same
      // message as there, which names the command's timeout).
      for (const r of this.#waiting.splice(0)) r.reject(errFor(r.timeoutMs));
      return;
    }
    // Not unreachable (no base64, a login shell that prints, MaxSessions reached, ...): never
    // worse than before — this session opens no more channels and uses the spawn path.
    this.#max = [...this.#channels].filter((x) => x.state !== "dead").length;
    if (this.#max === 0) {
      this.disabled = err.message;
      for (const r of this.#waiting.splice(0)) r.resolve(undefined);
    } else this.#pump();
  }

  /** The error for a channel that ended: classified like a spawn-path ssh failure when possible. */
  failure(sshStderr: string, reason: string, timedOut: boolean, timeoutMs: number | undefined): SshError {
    const h = this.#opts.host;
    const seconds = Math.round((timeoutMs ?? this.#opts.openTimeoutMs) / 1000);
    const classified = classifySshFailure(h, { stderr: sshStderr, timedOut, phase: "command" }, seconds);
    if (classified) return classified;
    const tail = sshStderr.trim().split(/\r?\n/).slice(-3).join(" | ");
    return new SshError(
      "remote-command",
      `${describeTarget(h)}: the SSH command channel ended (${reason}${tail ? `: ${tail}` : ""}); a command running on it may or may not have completed`,
    );
  }

  /** Ends every channel: EOF first (the loop exits after its current command), then TERM/KILL by PID. */
  async close(graceMs = 1000): Promise<void> {
    this.#closed = true;
    for (const r of this.#waiting.splice(0)) r.resolve(undefined); // the caller reports the closed session
    const all = [...this.#channels];
    for (const c of all) if (c.state !== "busy") c.endInput();
    const gone = (c: Channel) => c.exited || c.pid === undefined;
    const wait = async (ms: number) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline && !all.every(gone)) await new Promise((res) => setTimeout(res, 20));
    };
    await wait(graceMs);
    for (const c of all) if (!gone(c)) c.kill("SIGTERM", "close");
    await wait(KILL_GRACE_MS + 500);
  }
}
