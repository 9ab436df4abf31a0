/**
 * The effectful shell of `watch`: chokidar on the credentials file's DIRECTORY, one timer, and the
 * jobs (sync, reload) that triggers.ts decides on.
 *
 * Why the directory: Claude Code (and editors) replace the file by renaming a temp file over it.
 * A watch on the file itself stays attached to the old inode and sees nothing after the first
 * rename (facts/test-hosts.md §8); a watch on the directory sees every rename, delete, recreate.
 *
 * Why no awaitWriteFinish: a rename-over is complete when it is seen, and waiting (chokidar's
 * default 2 s) would be pure latency. An in-place truncating write is caught instead by the
 * parse: an empty or half-written file is "unreadable", and the trigger logic waits for the next
 * event plus one short re-check.
 */
import { promises as fsp } from "node:fs";
import { dirname, resolve } from "node:path";
import { watch as chokidarWatch, type FSWatcher } from "chokidar";
import type { Logger } from "../log";
import type { SyncReport } from "../sync/types";
import { CredentialsError, readCredentials } from "../credentials";
import { scrubText } from "../redact";
import { ExitCode } from "../errors";
import { classifySyncReport, reloadInfo, summaryFields } from "./outcome";
import {
  DEFAULT_TRIGGER_SETTINGS,
  INITIAL_TRIGGER_STATE,
  nextWakeAt,
  step,
  type SyncReason,
  type SyncResult,
  type TriggerAction,
  type TriggerEvent,
  type TriggerSettings,
  type TriggerState,
} from "./triggers";

/** Complete watcher options; the public type is `WatchOptions` (all optional). */
export interface ResolvedWatchOptions {
  /** Delay from the first change of a burst to the sync (config watch.debounceMs). */
  debounceMs: number;
  /** Poll instead of inotify (config watch.polling): bind mounts, network filesystems. */
  polling: boolean;
  /** config watch.pollIntervalMs; used only when polling. */
  pollIntervalMs: number;
  /** config watch.resyncIntervalSeconds; 0 = no periodic resync (and no timer at idle). */
  resyncIntervalSeconds: number;
  /** The one re-check after an unreadable (truncated, empty) credentials file. */
  recheckMs: number;
  /** When the directory is missing: first retry delay, doubled up to `dirRetryMaxMs`. */
  dirRetryMinMs: number;
  dirRetryMaxMs: number;
}
export type WatchOptions = Partial<ResolvedWatchOptions>;

const DEFAULTS: ResolvedWatchOptions = {
  debounceMs: DEFAULT_TRIGGER_SETTINGS.debounceMs,
  polling: false,
  pollIntervalMs: 1000,
  resyncIntervalSeconds: 300,
  recheckMs: DEFAULT_TRIGGER_SETTINGS.recheckMs,
  dirRetryMinMs: 1000,
  dirRetryMaxMs: 30_000,
};

/** Normalizes once; programmer errors (negative delays) throw here, not later in a timer. */
export function resolveWatchOptions(o: WatchOptions = {}): Readonly<ResolvedWatchOptions> {
  // undefined means "default", as with chokidar's own options
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as WatchOptions;
  const r: ResolvedWatchOptions = { ...DEFAULTS, ...given };
  for (const k of ["debounceMs", "pollIntervalMs", "resyncIntervalSeconds", "recheckMs", "dirRetryMinMs", "dirRetryMaxMs"] as const) {
    if (!Number.isFinite(r[k]) || r[k] < 0) throw new TypeError(`watch option ${k}: expected a number >= 0, got ${String(r[k])}`);
  }
  return Object.freeze(r);
}

export interface WatcherDeps {
  /** Runs one sync (the engine's runSync, bound to the config). May throw; never fatal. */
  sync(reason: SyncReason): Promise<SyncReport>;
  /** Runs a reload the engine deferred (rate limit); returns a new deferral if still limited. */
  reload?(): Promise<{ deferredUntil?: number | undefined } | undefined>;
  log: Logger;
  now?: () => number;
}

export interface CredentialsWatcher {
  /** Resolves when the directory is watched (or waiting for it to appear has begun). */
  readonly ready: Promise<void>;
  /** Stops watching, waits for a running sync to finish. Safe to call twice. */
  close(): Promise<void>;
}

// setTimeout's limit; a longer resync interval is reached in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Watches `credentialsPath` and syncs on every change, once at start, and periodically.
 * @example
 * const w = watchCredentials("/home/u/.claude/.credentials.json", { debounceMs: 25 }, { sync: () => runSync(config, deps), log });
 * await stopSignal; await w.close();
 */
export function watchCredentials(credentialsPath: string, options: WatchOptions, deps: WatcherDeps): CredentialsWatcher {
  const opts = resolveWatchOptions(options);
  const file = resolve(credentialsPath);
  const dir = dirname(file);
  const now = deps.now ?? Date.now;
  const log = deps.log;
  const settings: TriggerSettings = {
    ...DEFAULT_TRIGGER_SETTINGS,
    debounceMs: opts.debounceMs,
    resyncIntervalMs: opts.resyncIntervalSeconds * 1000,
    recheckMs: opts.recheckMs,
    // In polling mode a change is seen up to one interval late; verify after it, not before.
    verifyAfterMs: opts.polling ? Math.max(DEFAULT_TRIGGER_SETTINGS.verifyAfterMs, opts.pollIntervalMs + 50) : DEFAULT_TRIGGER_SETTINGS.verifyAfterMs,
  };

  let state: TriggerState = INITIAL_TRIGGER_STATE;
  let timer: NodeJS.Timeout | undefined;
  let timerAt: number | undefined;
  let dirTimer: NodeJS.Timeout | undefined;
  let dirDelay = opts.dirRetryMinMs;
  let fsw: FSWatcher | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  /** The running job, so close() can wait for it. */
  let job: Promise<void> = Promise.resolve();
  /** Identity of the credentials file when the last sync started (see triggers.ts "verify"). */
  let syncedIdentity: string | undefined;

  const dispatch = (event: TriggerEvent, detail?: { path?: string; event?: string }): void => {
    const out = step(event, now(), state, settings);
    state = out.state;
    if (out.decision && out.decision !== "ignored") {
      log.info("change", { path: detail?.path ?? file, event: detail?.event, action: out.decision });
    }
    if (out.retry === "exhausted") {
      log.error("sync keeps failing: no more retries until the next change or resync", { attempts: state.failures });
    } else if (out.retry) {
      log.warn("sync failed: will retry", { attempt: out.retry.attempt, in: `${Math.round((out.retry.at - now()) / 1000)}s` });
    }
    for (const a of out.actions) perform(a);
    arm();
  };

  const arm = (): void => {
    const at = nextWakeAt(state);
    if (at === timerAt && (timer !== undefined || at === undefined)) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    timerAt = at;
    if (at === undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = undefined;
      dispatch({ type: "tick" });
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - now())));
  };

  const perform = (a: TriggerAction): void => {
    if (a.type === "sync") job = runSyncJob(a.reason);
    else if (a.type === "reload") job = runReloadJob();
    else void verify();
  };

  const runSyncJob = async (reason: SyncReason): Promise<void> => {
    syncedIdentity = await identity(file);
    const started = now();
    log.info("sync", { reason });
    let result: SyncResult = "failed";
    let report: SyncReport | undefined;
    try {
      report = await deps.sync(reason);
      // The engine has logged the error itself; here it only decides what to wait for.
      const unreadable = report.error ? await sourceUnreadable(file, report.errorExitCode) : false;
      result = classifySyncReport(report, unreadable);
    } catch (e) {
      if (e instanceof CredentialsError) {
        result = "source-unreadable";
        log.warn(`sync: ${e.message}`);
      } else {
        result = "failed";
        log.error(`sync failed: ${scrubText(e instanceof Error ? e.message : String(e))}`);
      }
    }
    log.info("sync done", summaryFields(reason, result, report, now() - started));
    dispatch({ type: "sync-done", result, ...(report ? reloadInfo(report) : {}) });
  };

  const runReloadJob = async (): Promise<void> => {
    let deferredUntil: number | undefined;
    try {
      log.info("reload", { reason: "deferred" });
      deferredUntil = (await deps.reload?.())?.deferredUntil;
    } catch (e) {
      log.error(`reload failed: ${scrubText(e instanceof Error ? e.message : String(e))}`);
    }
    dispatch({ type: "reload-done", deferredUntil });
  };

  const verify = async (): Promise<void> => {
    const id = await identity(file);
    if (!closed && id !== syncedIdentity) dispatch({ type: "change", origin: "verify" }, { event: "verify" });
  };

  const onFsEvent = (event: string, path: string): void => {
    if (closed) return;
    const p = resolve(path);
    if (p === dir && event === "unlinkDir") {
      log.warn("watch: the credentials directory was removed; waiting for it to come back", { dir });
      void restartWhenDirExists();
      return;
    }
    if (p !== file) return;
    dispatch({ type: "change", origin: "fs" }, { path: p, event });
  };

  const startChokidar = (firstTime: boolean): Promise<void> =>
    new Promise<void>((resolveReady) => {
      const w = chokidarWatch(dir, {
        persistent: true,
        ignoreInitial: true,
        depth: 0,
        usePolling: opts.polling,
        interval: opts.pollIntervalMs,
        binaryInterval: opts.pollIntervalMs,
        awaitWriteFinish: false,
        // Only the directory itself and our file: other files (other tools' state, editors' swap
        // files) would cost a watch each and wake us for nothing.
        ignored: (p: string) => {
          const r = resolve(p);
          return r !== dir && r !== file;
        },
      });
      fsw = w;
      w.on("all", (event, path) => onFsEvent(event, path));
      w.on("error", (e) => log.warn(`watcher error (continuing): ${scrubText(e instanceof Error ? e.message : String(e))}`, { dir }));
      w.once("ready", () => {
        if (closed) return resolveReady();
        log.info(firstTime ? "watch start" : "watch resumed", {
          path: file,
          polling: opts.polling,
          ...(opts.polling ? { interval: `${opts.pollIntervalMs}ms` } : {}),
          resync: `${opts.resyncIntervalSeconds}s`,
          debounce: `${opts.debounceMs}ms`,
        });
        // The sync at start runs after the watch is in place, so no change can fall in between.
        dispatch(firstTime ? { type: "start" } : { type: "change", origin: "fs" }, { event: "resumed" });
        resolveReady();
      });
    });

  let started = false;
  const startWhenDirExists = async (): Promise<void> => {
    if (closed) return;
    const exists = await isDirectory(dir);
    if (closed) return;
    if (exists) {
      dirDelay = opts.dirRetryMinMs;
      const first = !started;
      started = true;
      await startChokidar(first);
      return;
    }
    log.warn("watch waiting: the credentials directory does not exist yet (log in with 'claude' as the owning account, or fix claudeCredentials)", {
      dir,
      retry: `${Math.round(dirDelay / 100) / 10}s`,
    });
    await new Promise<void>((r) => {
      dirTimer = setTimeout(() => {
        dirTimer = undefined;
        r();
      }, dirDelay);
      // close() must not hang on this wait
      closeWaiters.push(r);
    });
    dirDelay = Math.min(opts.dirRetryMaxMs, dirDelay * 2);
    return startWhenDirExists();
  };
  const closeWaiters: (() => void)[] = [];

  let restarting = false;
  const restartWhenDirExists = async (): Promise<void> => {
    if (restarting) return;
    restarting = true;
    try {
      const old = fsw;
      fsw = undefined;
      await old?.close().catch(() => undefined);
      await startWhenDirExists();
    } finally {
      restarting = false;
    }
  };

  warnAboutChokidarEnv(log);
  // "ready" resolves as soon as either the watch runs or the wait for the directory began.
  const ready = new Promise<void>((r) => {
    void (async () => {
      if (!(await isDirectory(dir))) r();
      await startWhenDirExists();
      r();
    })();
  });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true;
      dispatch({ type: "stop" });
      if (timer) clearTimeout(timer);
      if (dirTimer) clearTimeout(dirTimer);
      timer = dirTimer = undefined;
      for (const r of closeWaiters.splice(0)) r();
      await fsw?.close().catch(() => undefined);
      fsw = undefined;
      await job.catch(() => undefined);
      log.info("watch stop", { path: file });
    })();
    return closing;
  };

  return { ready, close };
}

/** inode, size, mtime, ctime (ns): changes with every rename-over and every write. */
export async function identity(path: string): Promise<string> {
  try {
    const st = await fsp.stat(path, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return "missing";
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Missing, empty, truncated or not a login: a writer may be mid-way. Permission denied is not that. */
async function sourceUnreadable(path: string, exitCode: number | undefined): Promise<boolean> {
  if (exitCode === ExitCode.dataErr || exitCode === ExitCode.noInput) return true;
  if (exitCode !== undefined) return false;
  try {
    await readCredentials(path);
    return false;
  } catch (e) {
    return e instanceof CredentialsError;
  }
}

/** chokidar lets these env vars override our options; the config is the one place that decides. */
function warnAboutChokidarEnv(log: Logger): void {
  for (const k of ["CHOKIDAR_USEPOLLING", "CHOKIDAR_INTERVAL"]) {
    if (process.env[k] !== undefined) {
      log.warn(`${k} is set in the environment and is ignored: set watch.polling / watch.pollIntervalMs in the config instead`);
      delete process.env[k];
    }
  }
}
