/**
 * OpenClaw's own store lock (facts/openclaw.md §3.4, 2026.2.14+ `src/plugin-sdk/file-lock.ts`):
 * `auth-profiles.json.lock` next to the store, created with O_EXCL, holding
 * `{"pid":<pid>,"createdAt":"<ISO>"}`; stale after 30 s or when the pid is dead. Taking the same
 * lock makes our writes and OpenClaw's read-modify-write cycles mutually exclusive.
 */
import { pidAlive } from "../proc";
import { promises as fsp, constants as fsc } from "node:fs";
import { errnoCode, ExitCode, UserError } from "../errors";
import { removeStaleTemps, tempPathFor } from "../fsx/atomic";

export const OPENCLAW_LOCK_STALE_MS = 30_000;

export interface LockContent {
  pid?: number;
  createdAt?: string;
}

export interface LockOptions {
  /** Give up after waiting this long for a live holder. */
  timeoutMs: number;
  staleMs?: number;
  /**
   * Whether the pid in the lock can be checked with kill(pid, 0). False in Docker mode: the
   * gateway writes its container-namespace pid, which means nothing (or another process) on the
   * host, so only the age decides there.
   */
  trustPid?: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class LockTimeoutError extends UserError {
  constructor(
    readonly lockPath: string,
    readonly holderPid: number | undefined,
    waitedMs: number,
  ) {
    super(
      `${lockPath}: held by ${holderPid !== undefined ? `pid ${holderPid}` : "another process"} for more than ${waitedMs} ms; ` +
        `OpenClaw is writing this auth store. Retry later; if no OpenClaw process is running, remove the lock file ` +
        `(it is also considered stale after ${OPENCLAW_LOCK_STALE_MS / 1000} s)`,
      ExitCode.tempFail,
    );
    this.name = "LockTimeoutError";
  }
}

/** Pure: parses the lock file; garbage yields {} (then only its age can make it stale). */
export function parseLockContent(text: string): LockContent {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null) return {};
    const o = v as Record<string, unknown>;
    const out: LockContent = {};
    if (typeof o.pid === "number" && Number.isInteger(o.pid) && o.pid > 0) out.pid = o.pid;
    if (typeof o.createdAt === "string") out.createdAt = o.createdAt;
    return out;
  } catch {
    return {};
  }
}

/**
 * Pure: is a lock stale? `pidAlive` is undefined when the pid cannot be checked (no pid, or
 * pids untrusted). `mtimeMs` is the fallback age when createdAt is missing or garbage.
 */
export function isLockStale(content: LockContent, mtimeMs: number, nowMs: number, pidAlive: boolean | undefined, staleMs = OPENCLAW_LOCK_STALE_MS): boolean {
  if (pidAlive === false) return true;
  const created = content.createdAt !== undefined ? Date.parse(content.createdAt) : NaN;
  const since = Number.isFinite(created) ? created : mtimeMs;
  // A lock "created" more than staleMs in the future predates a backward clock jump: stale too.
  return Math.abs(nowMs - since) > staleMs;
}

export { pidAlive };

/**
 * Creates the lock with its content in one step: the content goes to a temp file that is then
 * hard-linked to the lock path (link fails with EEXIST like O_EXCL). A crash can therefore never
 * leave an empty lock, which nobody could judge by pid and which would block every writer for
 * the full 30 s. Filesystems without hard links fall back to O_EXCL + write.
 */
async function tryCreate(lockPath: string, now: number): Promise<boolean> {
  const content = JSON.stringify({ pid: process.pid, createdAt: new Date(now).toISOString() });
  const tmp = tempPathFor(lockPath);
  let linkable = true;
  try {
    await fsp.writeFile(tmp, content, { mode: 0o600, flag: "wx" });
    try {
      await fsp.link(tmp, lockPath);
      return true;
    } catch (e) {
      const code = errnoCode(e);
      if (code === "EEXIST") return false;
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EXDEV" && code !== "ENOSYS") throw e;
      linkable = false;
    }
  } finally {
    await fsp.unlink(tmp).catch(() => undefined);
    await removeStaleTemps(lockPath);
  }
  if (linkable) return false;
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(lockPath, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return false;
    throw e;
  }
  try {
    await fh.writeFile(content);
  } finally {
    await fh.close();
  }
  return true;
}

/** Reads the current lock; undefined if it vanished meanwhile. */
async function readLock(lockPath: string): Promise<{ text: string; mtimeMs: number } | undefined> {
  try {
    const [text, st] = await Promise.all([fsp.readFile(lockPath, "utf8"), fsp.stat(lockPath)]);
    return { text, mtimeMs: st.mtimeMs };
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Takes the lock, runs `fn`, and always releases it. A stale lock is taken over: removed only
 * if it still holds what we judged stale (re-read just before unlinking), then re-created with
 * O_EXCL, so two takers cannot both win.
 */
export async function withOpenClawLock<T>(lockPath: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const staleMs = opts.staleMs ?? OPENCLAW_LOCK_STALE_MS;
  const trustPid = opts.trustPid ?? true;
  const start = now();
  let delay = 25;
  let holder: number | undefined;
  for (;;) {
    if (await tryCreate(lockPath, now())) break;
    const seen = await readLock(lockPath);
    if (seen) {
      const content = parseLockContent(seen.text);
      holder = content.pid;
      const alive = trustPid && content.pid !== undefined ? pidAlive(content.pid) : undefined;
      if (isLockStale(content, seen.mtimeMs, now(), alive, staleMs)) {
        const again = await readLock(lockPath);
        if (again && again.text === seen.text) {
          await fsp.unlink(lockPath).catch((e: unknown) => {
            if (errnoCode(e) !== "ENOENT") throw e;
          });
        }
        if (now() - start < opts.timeoutMs) continue; // retry the O_EXCL create at once
      }
    }
    const waited = now() - start;
    if (waited >= opts.timeoutMs) throw new LockTimeoutError(lockPath, holder, waited);
    await sleep(Math.min(delay, Math.max(1, opts.timeoutMs - waited)));
    delay = Math.min(delay * 2, 1000);
  }
  try {
    return await fn();
  } finally {
    await releaseIfOurs(lockPath);
  }
}

async function releaseIfOurs(lockPath: string): Promise<void> {
  const seen = await readLock(lockPath).catch(() => undefined);
  // Only remove our own lock: if ours was judged stale and taken over meanwhile, the new one is someone else's.
  if (seen && parseLockContent(seen.text).pid === process.pid) await fsp.unlink(lockPath).catch(() => undefined);
}
