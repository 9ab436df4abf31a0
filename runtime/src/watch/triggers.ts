/**
 * When `watch` syncs: pure decision logic, `(event, now, state) → { state, actions }`.
 *
 * No timers, no filesystem: the shell (watcher.ts) feeds events in, performs the actions and arms
 * ONE timer at `nextWakeAt(state)`. At idle with resync off there is nothing to wake for, so the
 * shell arms no timer at all (no periodic wake-ups).
 *
 * Rules:
 * - debounce (leading edge): the first change after a quiet spell syncs at once (a rename-over is
 *   complete when seen, and latency is the product). Syncs then start at least `debounceMs` apart:
 *   changes inside that window are folded into ONE sync at its end, which reads the file as it is
 *   then. A steady stream of changes therefore cannot starve the sync, and cannot make it spin.
 * - coalescing: never two syncs at once. Changes seen while a sync (or reload) runs mark the state
 *   dirty; when it ends, exactly one more sync follows (still `debounceMs` after the last start).
 * - verify: chokidar drops a change that follows an emitted one within its 50 ms throttle. So
 *   `verifyAfterMs` after each change, and after each sync, the shell compares the file's identity
 *   (inode, size, mtime) with the one it saw when the last sync started, and reports a change if
 *   they differ. One stat, only after activity.
 * - resync: every `resyncIntervalMs` after the last sync (0 = never), one sync heals targets that
 *   someone else changed.
 * - unreadable source (empty, truncated, not JSON: a writer mid-way): wait for the next event, plus
 *   ONE re-check `recheckMs` later, in case the completing write raced our read.
 * - failed sync (I/O, lock): retried with exponential backoff, at most `maxRetries` times; then the
 *   next change or resync tries again.
 * - pending reload: the sync engine may defer OpenClaw's reload (rate limit); it is run when due.
 */

export type SyncReason = "start" | "change" | "resync" | "retry" | "recheck";

/** How one sync ended, as far as scheduling cares. */
export type SyncResult = "ok" | "failed" | "source-unreadable";

export type TriggerEvent =
  | { type: "start" }
  /** Our file changed (`fs`: watcher event; `verify`: identity check found a change). */
  | { type: "change"; origin: "fs" | "verify" }
  /** The shell's timer fired. */
  | { type: "tick" }
  | {
      type: "sync-done";
      result: SyncResult;
      /** The engine deferred OpenClaw's reload until then (epoch ms). */
      reloadDeferredUntil?: number | undefined;
      /** The engine reloaded (or found nothing to reload): any pending reload is settled. */
      reloadSettled?: boolean | undefined;
    }
  | { type: "reload-done"; deferredUntil?: number | undefined }
  | { type: "stop" };

export type TriggerAction =
  | { type: "sync"; reason: SyncReason }
  | { type: "reload" }
  /** Compare the file's identity with the one seen at the last sync start; report `change` if it differs. */
  | { type: "verify" };

/** What a `change` event led to, for the one log line per decision. */
export type ChangeDecision = "sync" | "pending" | "after-current" | "ignored";

export interface TriggerSettings {
  debounceMs: number;
  /** 0 = no periodic resync. */
  resyncIntervalMs: number;
  recheckMs: number;
  verifyAfterMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxRetries: number;
}

export const DEFAULT_TRIGGER_SETTINGS: Readonly<TriggerSettings> = Object.freeze({
  debounceMs: 25,
  resyncIntervalMs: 300_000,
  recheckMs: 200,
  // chokidar's change throttle is 50 ms; a change it swallowed happened within that window.
  verifyAfterMs: 75,
  retryBaseMs: 5_000,
  retryMaxMs: 300_000,
  maxRetries: 5,
});

export interface TriggerState {
  readonly started: boolean;
  readonly stopped: boolean;
  /** A job is running; its `*-done` event ends it. */
  readonly busy?: "sync" | "reload" | undefined;
  readonly syncDueAt?: number | undefined;
  readonly syncReason?: SyncReason | undefined;
  /** First change seen while busy: one more sync follows the running job. */
  readonly dirtySince?: number | undefined;
  /** When the last sync started: the next one starts no sooner than `debounceMs` after it. */
  readonly lastSyncAt?: number | undefined;
  readonly resyncAt?: number | undefined;
  readonly reloadAt?: number | undefined;
  readonly verifyAt?: number | undefined;
  /** The one re-check after an unreadable source has been used (reset by the next change). */
  readonly recheckUsed: boolean;
  /** Consecutive failed syncs. */
  readonly failures: number;
}

export const INITIAL_TRIGGER_STATE: TriggerState = Object.freeze({
  started: false,
  stopped: false,
  recheckUsed: false,
  failures: 0,
});

export interface Step {
  state: TriggerState;
  actions: TriggerAction[];
  /** Set for `change` events. */
  decision?: ChangeDecision;
  /** Set when a failed sync was scheduled for a retry (or retries ran out). */
  retry?: { attempt: number; at: number } | "exhausted";
}

/** The retry delay after `failures` consecutive failures (1-based). */
export function retryDelay(failures: number, s: TriggerSettings): number {
  return Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.max(0, failures - 1));
}

/** When the shell must call back with `tick`; undefined = no timer (idle, busy, or stopped). */
export function nextWakeAt(state: TriggerState): number | undefined {
  // While busy nothing may start, and the *-done event re-evaluates: a timer would only spin.
  if (state.stopped || !state.started || state.busy) return undefined;
  const times = [state.syncDueAt, state.reloadAt, state.resyncAt, state.verifyAt].filter(
    (t): t is number => t !== undefined,
  );
  return times.length ? Math.min(...times) : undefined;
}

export function step(event: TriggerEvent, now: number, state: TriggerState, s: TriggerSettings = DEFAULT_TRIGGER_SETTINGS): Step {
  if (state.stopped) return { state, actions: [], ...(event.type === "change" ? { decision: "ignored" as const } : {}) };
  switch (event.type) {
    case "stop":
      return { state: { ...state, stopped: true }, actions: [] };

    case "start": {
      if (state.started) return { state, actions: [] };
      const st: TriggerState = { ...state, started: true, syncDueAt: now, syncReason: "start" };
      return runDue(st, now);
    }

    case "change": {
      let st: TriggerState = { ...state, recheckUsed: false };
      if (event.origin === "fs") st = { ...st, verifyAt: now + s.verifyAfterMs };
      if (!st.started) return { state: st, actions: [], decision: "ignored" };
      let decision: ChangeDecision;
      if (st.busy) {
        st = { ...st, dirtySince: st.dirtySince ?? now };
        decision = "after-current";
      } else {
        const due = Math.max(now, (st.lastSyncAt ?? -Infinity) + s.debounceMs);
        if (st.syncDueAt !== undefined && st.syncDueAt <= due) {
          // A sync is already due no later than this change's: folded into it.
          st = st.syncReason === "change" || st.syncReason === "start" ? st : { ...st, syncReason: "change" };
          decision = "pending";
        } else {
          // A later retry/re-check is brought forward: a change is news.
          st = { ...st, syncDueAt: due, syncReason: "change" };
          decision = "sync";
        }
      }
      return { ...runDue(st, now), decision };
    }

    case "tick":
      return runDue(state, now);

    case "sync-done": {
      if (state.busy !== "sync") return { state, actions: [] };
      let st: TriggerState = {
        ...state,
        busy: undefined,
        resyncAt: s.resyncIntervalMs > 0 ? now + s.resyncIntervalMs : undefined,
      };
      let retry: Step["retry"];
      if (event.result === "ok") {
        st = { ...st, failures: 0, recheckUsed: false };
      } else if (event.result === "source-unreadable") {
        // A writer is mid-way (or the file is gone): its completing event will come. One re-check
        // covers a completing write that raced our read.
        if (!st.recheckUsed) st = { ...st, recheckUsed: true, ...earlier(st, now + s.recheckMs, "recheck") };
      } else {
        const failures = st.failures + 1;
        st = { ...st, failures };
        if (failures <= s.maxRetries) {
          const at = now + retryDelay(failures, s);
          st = { ...st, ...earlier(st, at, "retry") };
          retry = { attempt: failures, at };
        } else {
          retry = "exhausted";
        }
      }
      if (event.reloadDeferredUntil !== undefined) st = { ...st, reloadAt: event.reloadDeferredUntil };
      else if (event.reloadSettled) st = { ...st, reloadAt: undefined };
      const dirty = st.dirtySince !== undefined;
      if (st.dirtySince !== undefined) {
        const due = Math.max(now, (st.lastSyncAt ?? -Infinity) + s.debounceMs);
        st = { ...st, dirtySince: undefined, syncDueAt: Math.min(due, st.syncDueAt ?? Infinity), syncReason: "change" };
      }
      const out = runDue(st, now);
      // After a sync, look once more at the file unless another sync is coming anyway.
      const syncComing = dirty || out.actions.some((a) => a.type === "sync");
      if (!syncComing && !out.actions.some((a) => a.type === "verify")) out.actions.push({ type: "verify" });
      return retry ? { ...out, retry } : out;
    }

    case "reload-done": {
      if (state.busy !== "reload") return { state, actions: [] };
      return runDue({ ...state, busy: undefined, reloadAt: event.deferredUntil }, now);
    }
  }
}

/** Keeps the earlier of an already scheduled sync and one at `at`. */
function earlier(st: TriggerState, at: number, reason: SyncReason): Pick<TriggerState, "syncDueAt" | "syncReason"> {
  if (st.syncDueAt !== undefined && st.syncDueAt <= at) return { syncDueAt: st.syncDueAt, syncReason: st.syncReason };
  return { syncDueAt: at, syncReason: reason };
}

/** Starts whatever is due, one job at a time: a sync first, then a reload, then a resync; verify is not a job. */
function runDue(st: TriggerState, now: number): Step {
  if (st.stopped || !st.started || st.busy) return { state: st, actions: [] };
  if (st.syncDueAt !== undefined && st.syncDueAt <= now) {
    const reason = st.syncReason ?? "change";
    return { state: { ...st, busy: "sync", syncDueAt: undefined, syncReason: undefined, lastSyncAt: now }, actions: [{ type: "sync", reason }] };
  }
  if (st.reloadAt !== undefined && st.reloadAt <= now) {
    return { state: { ...st, busy: "reload", reloadAt: undefined }, actions: [{ type: "reload" }] };
  }
  if (st.resyncAt !== undefined && st.resyncAt <= now) {
    return { state: { ...st, busy: "sync", resyncAt: undefined, lastSyncAt: now }, actions: [{ type: "sync", reason: "resync" }] };
  }
  if (st.verifyAt !== undefined && st.verifyAt <= now) {
    return { state: { ...st, verifyAt: undefined }, actions: [{ type: "verify" }] };
  }
  return { state: st, actions: [] };
}
