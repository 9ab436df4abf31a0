/**
 * Child processes for the runtime: argv arrays only (no shell), secrets on stdin only, a bounded
 * timeout, captured output with a size cap. Every caller goes through here.
 */
import { spawn } from "node:child_process";
import { stripTerminalEscapes } from "./redact";

export interface RunOptions {
  /** Written to the child's stdin, then stdin is closed. The only way a secret may reach a child. */
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** Run as this uid/gid (root only). */
  uid?: number;
  gid?: number;
  /** Keep at most this many bytes of stdout and of stderr (the tail). */
  maxOutputBytes?: number;
}

export interface RunResult {
  /** null when killed by a signal or on timeout. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (ENOENT, EACCES). */
  spawnError?: string;
  durationMs: number;
}

/** How long a child's output may still arrive after it exited (see runProcess). */
export const OUTPUT_DRAIN_MS = 3_000;

export function runProcess(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error("runProcess: empty argv");
  const cap = opts.maxOutputBytes ?? 64 * 1024;
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const child = spawn(file, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      uid: opts.uid,
      gid: opts.gid,
      stdio: ["pipe", "pipe", "pipe"],
      // Own process group, so a timeout kills the whole tree (a CLI may spawn helpers).
      detached: true,
    });
    const keepTail = (acc: string, chunk: Buffer): string => {
      const s = acc + chunk.toString("utf8");
      return s.length > cap ? s.slice(s.length - cap) : s;
    };
    child.stdout.on("data", (c: Buffer) => (stdout = keepTail(stdout, c)));
    child.stderr.on("data", (c: Buffer) => (stderr = keepTail(stderr, c)));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child.pid, "SIGTERM");
      setTimeout(() => killTree(child.pid, "SIGKILL"), 2000).unref();
    }, opts.timeoutMs);
    const finish = (r: Omit<RunResult, "stdout" | "stderr" | "timedOut" | "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, stdout, stderr, timedOut, durationMs: Date.now() - started });
    };
    child.on("error", (e) => finish({ exitCode: null, signal: null, spawnError: e.message }));
    child.on("close", (code, signal) => finish({ exitCode: code, signal }));
    // A process the child started (a daemon, a helper) may keep its stdout open long after the
    // child exited, so "close" may never come: after the child's exit its output gets a few
    // seconds to drain, then we stop listening. Nothing is killed: that process may be wanted
    // (e.g. the gateway a restart started).
    child.on("exit", (code, signal) => {
      setTimeout(() => {
        if (settled) return;
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ exitCode: code, signal });
      }, OUTPUT_DRAIN_MS).unref();
    });
    child.stdin.on("error", () => undefined); // child exited before reading stdin: reported by exit status
    child.stdin.end(opts.stdin ?? "");
  });
}

function killTree(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

/** One line describing a failed run, for logs and errors: exit status and the tail of stderr. */
export function describeFailure(argv0: string, r: RunResult): string {
  const why = r.spawnError
    ? `could not start: ${r.spawnError}`
    : r.timedOut
      ? "timed out"
      : r.signal
        ? `killed by ${r.signal}`
        : `exit status ${r.exitCode}`;
  const tail = stripTerminalEscapes(r.stderr.trim() || r.stdout.trim())
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-3)
    .join(" | ");
  return `${argv0}: ${why}${tail ? `: ${tail}` : ""}`;
}

/**
 * kill(pid, 0): only ESRCH means the process is gone (EPERM: alive but someone else's). Anything
 * else counts as alive, so a lock is never taken from a process that may still hold it.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException | undefined)?.code !== "ESRCH";
  }
}
