/**
 * One sync at a time on a host, across processes: the watcher, refresh's sync after a renewal and
 * `sync` by hand each take `<stateDir>/sync.lock` (state/lock.ts) before reading the source, so
 * the later run sees the newer token and sync-state.json keeps both runs' records.
 */
import type { Config } from "../contract/schema";
import { errnoCode, UserError } from "../errors";
import { acquireSyncLock, type LockHandle } from "../state/lock";
import type { SyncDeps } from "./types";

/** Longer than any one sync: a reload that re-creates the OpenClaw container takes tens of seconds. */
export const SYNC_LOCK_TIMEOUT_MS = 120_000;
/** Long enough for the holder's OpenClaw CLI call and its reload, each at its own configured bound. */
export function syncLockTimeoutMs(config: Config): number {
  return Math.max(SYNC_LOCK_TIMEOUT_MS, (config.openclaw.cliTimeoutSeconds + config.reload.timeoutSeconds) * 1000 + 30_000);
}
/** Short polls: a waiting watcher should start the moment the other sync ends. */
const SYNC_LOCK_POLL_MS = 20;

/**
 * Runs `fn` holding the sync lock. Throws UserError (exit 75) when another sync holds it past
 * syncLockTimeoutMs(). A state dir that cannot hold the lock (read-only, not ours, full, not a
 * directory) does not stop a sync: it runs unlocked and says so; the sync then reports the state
 * dir's problem itself.
 */
export async function withSyncLock<T>(config: Config, deps: SyncDeps, fn: () => Promise<T>): Promise<T> {
  let lock: LockHandle | undefined;
  try {
    // Wall-clock time, not deps.now: the wait is real even where a test fixes the clock.
    lock = await acquireSyncLock(config.stateDir, { timeoutMs: syncLockTimeoutMs(config), pollMs: SYNC_LOCK_POLL_MS, now: Date.now, log: deps.log });
  } catch (e) {
    if (e instanceof UserError) throw e;
    deps.log.warn(`cannot take ${config.stateDir}/sync.lock (${errnoCode(e) ?? (e as Error).message}); syncing without it`);
  }
  try {
    return await fn();
  } finally {
    await lock?.release();
  }
}
