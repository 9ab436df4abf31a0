/**
 * Host-wide locks in our state dir: `<stateDir>/<name>`, holding {pid, createdAt, host}. The
 * content is written and fsynced to a temp file first, which is then hard-linked into place
 * (link() fails with EEXIST like O_EXCL), so the lock file is never seen empty or half written:
 * a process killed at any point leaves either no lock or a complete one whose pid is dead, and the
 * next holder takes it over at once. Stale when its pid is dead, or when it is empty/unparseable
 * (left by an older version, or by hand) past a short grace.
 *
 * - `refresh.lock`: invariant 1 (DESIGN §3): two triggers on one host never spend the refresh
 *   token at the same time.
 * - `sync.lock`: one sync at a time across processes (the watcher, refresh's sync after a renewal,
 *   `sync` by hand), so each reads the newest source and sync-state.json loses no record.
 */
import { pidAlive } from "../proc";
import { promises as fsp, constants as fsc } from "node:fs";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { errnoCode, ExitCode, UserError } from "../errors";
import type { Logger } from "../log";
import { ensureStateDir } from "./store";

export const REFRESH_LOCK_NAME = "refresh.lock";
export const SYNC_LOCK_NAME = "sync.lock";
/** Only an older runtime (create, then fill) could be mid-write: that window is microseconds. */
const UNPARSEABLE_GRACE_MS = 500;

const LockContentSchema = z.object({ pid: z.number().int().positive(), createdAt: z.number(), host: z.string().optional() });
export type LockContent = z.infer<typeof LockContentSchema>;

export interface LockHandle {
  path: string;
  /** Set when another live process held the lock and we waited for it. */
  waitedFor?: LockContent;
  /** When we started waiting (epoch ms), if we waited. */
  waitStartedAt?: number;
  release(): Promise<void>;
}

export interface LockOptions {
  timeoutMs: number;
  pollMs?: number;
  now: () => number;
  log: Logger;
  /** Liveness probe (injected for tests). */
  isAlive?: (pid: number) => boolean;
}

export { pidAlive };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function acquireRefreshLock(stateDir: string, o: LockOptions): Promise<LockHandle> {
  return acquireStateLock(stateDir, REFRESH_LOCK_NAME, "refresh", o);
}

export function acquireSyncLock(stateDir: string, o: LockOptions): Promise<LockHandle> {
  return acquireStateLock(stateDir, SYNC_LOCK_NAME, "sync", o);
}

/** Takes `<stateDir>/<name>`, waiting up to `o.timeoutMs` for a live holder; `what` names the holder in messages. */
async function acquireStateLock(stateDir: string, name: string, what: string, o: LockOptions): Promise<LockHandle> {
  await ensureStateDir(stateDir);
  const path = join(stateDir, name);
  const isAlive = o.isAlive ?? pidAlive;
  const pollMs = o.pollMs ?? 100;
  const started = o.now();
  let waitedFor: LockContent | undefined;
  let waitStartedAt: number | undefined;
  await removeDeadTemps(stateDir, name, isAlive);
  for (;;) {
    const mine: LockContent = { pid: process.pid, createdAt: o.now(), host: hostname() };
    const text = JSON.stringify(mine);
    if (await createComplete(path, text)) {
      const handle: LockHandle = {
        path,
        release: async () => {
          // Remove only our own lock: a holder that timed out must not delete its successor's.
          const now = await fsp.readFile(path, "utf8").catch(() => undefined);
          if (now === text) await fsp.unlink(path).catch(() => undefined);
        },
      };
      if (waitedFor) handle.waitedFor = waitedFor;
      if (waitStartedAt !== undefined) handle.waitStartedAt = waitStartedAt;
      return handle;
    }
    let holderText: string | undefined;
    try {
      holderText = await fsp.readFile(path, "utf8");
    } catch (e) {
      if (errnoCode(e) === "ENOENT") continue; // released between our open and read
      // Unreadable (another account's lock): wait for it like a live one; root can remove it.
    }
    const parsed = holderText === undefined ? undefined : safeParseLock(holderText);
    let stale = false;
    if (holderText !== undefined && !parsed) {
      const st = await fsp.stat(path).catch(() => undefined);
      stale = st !== undefined && o.now() - st.mtimeMs > UNPARSEABLE_GRACE_MS;
    } else if (parsed) {
      stale = parsed.pid === process.pid || !isAlive(parsed.pid);
    }
    if (stale) {
      // Re-check just before removing, so we never remove a lock someone just took.
      const again = await fsp.readFile(path, "utf8").catch(() => undefined);
      if (again === holderText) {
        o.log.warn(`removing stale ${what} lock ${path}`, { holderPid: parsed?.pid });
        await fsp.unlink(path).catch(() => undefined);
      }
      continue;
    }
    if (!waitedFor && parsed) {
      waitedFor = parsed;
      waitStartedAt = o.now();
      o.log.info(`waiting for a concurrent ${what}`, { pid: parsed.pid, lock: path });
    }
    if (o.now() - started >= o.timeoutMs) {
      throw new UserError(
        `${path}: another ${what} (pid ${parsed?.pid ?? "unknown"}) still holds the lock after ${Math.round(o.timeoutMs / 1000)}s; try again later, or remove the file if that process is gone`,
        ExitCode.tempFail,
      );
    }
    await sleep(pollMs + Math.floor(Math.random() * pollMs * 0.5));
  }
}

/** `.<name>.<pid>.<random>.tmp` beside the lock: the complete content before it is linked into place. */
const TEMP_LOCK = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/;

/**
 * Creates `path` holding exactly `text`, or returns false when it exists. Never leaves an empty
 * lock: the content is fsynced in a temp file that link() puts in place atomically. Filesystems
 * without hard links fall back to O_EXCL create-then-write (the grace above covers its window).
 */
async function createComplete(path: string, text: string): Promise<boolean> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fsp.link(tmp, path);
    return true;
  } catch (e) {
    const code = errnoCode(e);
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EXDEV" && code !== "EMLINK") throw e;
    return createExclusive(path, text);
  } finally {
    await fsp.unlink(tmp).catch(() => undefined);
  }
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  let fh;
  try {
    fh = await fsp.open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return false;
    throw e;
  }
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
  return true;
}

/** Temp files of `name` left by processes killed between writing and linking them (pid dead). */
async function removeDeadTemps(stateDir: string, name: string, isAlive: (pid: number) => boolean): Promise<void> {
  const names = await fsp.readdir(stateDir).catch(() => [] as string[]);
  for (const n of names) {
    const m = TEMP_LOCK.exec(n);
    if (!m || m[1] !== name) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !isAlive(pid)) await fsp.unlink(join(stateDir, n)).catch(() => undefined);
  }
}

function safeParseLock(text: string): LockContent | undefined {
  try {
    const r = LockContentSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
