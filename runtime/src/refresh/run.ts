/**
 * `refresh`: make Claude Code renew its own login inside its renewal window (the last 5 minutes
 * before expiry), once per token lifetime, under a host-wide lock, then sync (DESIGN §2). The
 * decisions are pure (schedule.ts, classify.ts, debug-log.ts, backoff.ts); this module sequences
 * the effects: read, wait, lock, run, classify, record, sync, report.
 *
 * Scheduled runs (`refresh --scheduled`, started by the coarse systemd timer) wait inside the run
 * for the renewal point when it is near (refresh.maxWaitMinutes) and retry transient failures
 * with a short backoff until refresh.maxRunMinutes; a run by hand decides at once.
 */
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../contract/schema";
import { CredentialsError, isLongLived, loginDeadline, type ClaudeCredentials } from "../credentials";
import { ExitCode, UserError } from "../errors";
import type { Logger } from "../log";
import { runProcess, type RunResult } from "../proc";
import type { SyncReport } from "../sync/types";
import {
  readRefreshState,
  tokenFingerprint,
  writeRefreshState,
  type RefreshAttempt,
  type RefreshOutcome,
  type RefreshState,
} from "../state/refresh-state";
import { backoffActive, maxBackoffMs, nextBackoff } from "./backoff";
import { classifyAttempt, exitCodeFor, oneLine, type AfterState, type CredSnapshot } from "./classify";
import { tokenEndpointResult } from "./debug-log";
import { formatDuration, formatTime } from "./duration";
import { cliWouldRenew, pointFraction, renewalPoint, renewWindow } from "./schedule";
import { acquireRefreshLock } from "../state/lock";
import { resolveInvocation, type Invocation, type PlanDeps } from "./plan";
import type { ReadCredentials, ReportCondition, RunSync } from "./types";

export interface RefreshOptions {
  /** Run the CLI now, whatever the schedule and the backoff say. */
  force: boolean;
  /** The timer's run: wait for a near renewal point, retry transient failures (see the header). */
  scheduled?: boolean;
}

export interface RefreshDeps {
  log: Logger;
  now: () => number;
  random: () => number;
  readCredentials: ReadCredentials;
  runSync: RunSync;
  reportCondition: ReportCondition;
  plan: PlanDeps;
  runCli?: (inv: Invocation, timeoutMs: number) => Promise<RunResult>;
  /** Waits `ms` (injected for tests). */
  sleep?: (ms: number) => Promise<void>;
}

export interface RefreshReport {
  outcome: RefreshOutcome;
  reason: string;
  /** The one line printed for the operator. */
  message: string;
  exitCode: number;
  ranCli: boolean;
  sync?: SyncReport;
}

/** How often a waiting run looks at the credentials file and the wall clock again. */
const WAIT_SLICE_MS = 30_000;
/** The debug log is read from its end; the status lines are the last ones the CLI writes. */
const MAX_DEBUG_LOG_BYTES = 4 * 1024 * 1024;

function snapshot(c: ClaudeCredentials): CredSnapshot {
  return { fingerprint: tokenFingerprint(c.accessToken), expiresAt: c.expiresAt, refreshTokenExpiresAt: c.refreshTokenExpiresAt };
}

function validFor(c: { expiresAt: number }, now: number): string {
  const left = c.expiresAt - now;
  return left > 0
    ? `token valid for ${formatDuration(left)} (expires ${formatTime(c.expiresAt)})`
    : `token expired ${formatDuration(-left)} ago (at ${formatTime(c.expiresAt)})`;
}

function report(outcome: RefreshOutcome, reason: string, message: string, ranCli: boolean, exitCode = exitCodeFor(outcome)): RefreshReport {
  return { outcome, reason, message, exitCode, ranCli };
}

const defaultRunCli = (inv: Invocation, timeoutMs: number): Promise<RunResult> => {
  // 1 MiB: in a container the debug log arrives on stderr, and its last lines are the ones read.
  const o: Parameters<typeof runProcess>[1] = { env: inv.env, timeoutMs, maxOutputBytes: 1024 * 1024 };
  if (inv.cwd !== undefined) o.cwd = inv.cwd;
  if (inv.uid !== undefined) o.uid = inv.uid;
  if (inv.gid !== undefined) o.gid = inv.gid;
  return runProcess(inv.argv, o);
};

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Where a human has to log in again, for the login-required message. */
function loginHint(config: Config): string {
  return config.refresh.on === "container"
    ? `log in again inside the OpenClaw container: docker exec -it -u ${config.openclaw.docker?.user ?? "node"} <container> claude, then /login`
    : `log in again as the account that owns ${config.claudeCredentials}: run 'claude', then /login`;
}

/** The credentials file as refresh sees it. Problems other than these two are thrown. */
type Source = { state: "ok"; creds: ClaudeCredentials; snap: CredSnapshot } | { state: "missing" | "logged-out"; error: CredentialsError };

/** The CLI's arguments after the executable. */
function cliArgs(config: Config): string[] {
  return config.refresh.method === "auth-status" ? ["auth", "status"] : [...config.refresh.printArgs];
}

export async function runRefresh(config: Config, opts: RefreshOptions, deps: RefreshDeps): Promise<RefreshReport> {
  const { log, now } = deps;
  const rcfg = config.refresh;
  const sleep = deps.sleep ?? defaultSleep;
  for (const d of rcfg.deprecations) log.warn(d);

  const readSource = async (): Promise<Source> => {
    try {
      const creds = await deps.readCredentials(config.claudeCredentials);
      return { state: "ok", creds, snap: snapshot(creds) };
    } catch (e) {
      if (e instanceof CredentialsError && (e.problem === "missing" || e.problem === "logged-out")) return { state: e.problem, error: e };
      throw e;
    }
  };

  const loginRequired = async (reason: string, detail: string, ranCli: boolean): Promise<RefreshReport> => {
    await deps.reportCondition(config, { id: "login-required", active: true, detail });
    return report("login-required", reason, `login-required: ${detail}; ${loginHint(config)}`, ranCli);
  };

  /** A source that cannot be renewed at all; undefined for a login to renew. */
  const unrenewable = async (src: Source): Promise<RefreshReport | undefined> => {
    if (src.state !== "ok") {
      return src.state === "missing"
        ? loginRequired("no-credentials", `${config.claudeCredentials}: no Claude login on this host (credentials file not found)`, false)
        : loginRequired("logged-out", src.error.message, false);
    }
    if (isLongLived(src.creds)) {
      if (src.creds.expiresAt <= now()) return loginRequired("long-lived-token-expired", `the long-lived token (claude setup-token) expired at ${formatTime(src.creds.expiresAt)}`, false);
      return report("not-needed", "long-lived-token", `not-needed: a long-lived token (claude setup-token) has nothing to renew; ${validFor(src.creds, now())}`, false);
    }
    const rtExp = src.creds.refreshTokenExpiresAt;
    if (rtExp !== undefined && rtExp <= now()) {
      return loginRequired("refresh-token-expired", `the Claude login ended at ${formatTime(rtExp)} (refreshTokenExpiresAt in ${config.claudeCredentials})`, false);
    }
    return undefined;
  };

  const first = await readSource();
  if (first.state === "ok") await reportLoginDeadline(config, first.creds, deps);
  const stop = await unrenewable(first);
  if (stop) return stop;
  const state0 = (await readRefreshState(config.stateDir, log)).value;
  // A new login since a login-required attempt: the condition is fixed.
  if (first.state === "ok" && state0.lastAttempt?.outcome === "login-required" && state0.lastAttempt.fingerprintBefore !== first.snap.fingerprint) {
    await deps.reportCondition(config, { id: "login-required", active: false, detail: "a new Claude login was found" });
  }

  const startedAt = now();
  const runEnds = startedAt + rcfg.maxRunMinutes * 60_000;
  let aim: { fingerprint: string; expiresAt: number; at: number } | undefined;
  let lastFailure: RefreshReport | undefined;
  let announced: number | undefined;
  for (;;) {
    const src = await readSource();
    const halt = await unrenewable(src);
    if (halt) return halt;
    if (src.state !== "ok") throw new Error("unreachable: unrenewable() handles every other source state");
    const snap = src.snap;
    if (!opts.force) {
      if (!aim || aim.fingerprint !== snap.fingerprint || aim.expiresAt !== snap.expiresAt) {
        const at = renewalPoint(snap.expiresAt, rcfg.renewBeforeExpiry, () => pointFraction(snap.fingerprint));
        // A run that starts inside the CLI's window (a late timer, an expired token) goes at once; a
        // run that waits into the window fires at the renewal point, not as soon as the window opens.
        aim = { fingerprint: snap.fingerprint, expiresAt: snap.expiresAt, at: cliWouldRenew(snap.expiresAt, now()) ? Math.min(at, now()) : at };
      }
      const state = (await readRefreshState(config.stateDir, log)).value;
      const b = backoffActive(state.backoff, snap.fingerprint, now(), maxBackoffMs(rcfg.backoff));
      if (b.active && state.backoff?.outcome === "login-required") {
        // The backoff is for this very login (a new one voids it): it is still dead, not "transient".
        return loginRequired("backoff", `the last renewal attempt found the login dead (${b.reason}) and there has been no new login since`, false);
      }
      const due = Math.max(aim.at, b.active ? b.until : 0);
      if (!opts.scheduled) {
        if (!cliWouldRenew(snap.expiresAt, now())) return report("not-needed", "not-due", `not-needed: ${validFor(snap, now())}; ${nextRenewalText(snap, config)}`, false);
        if (b.active) {
          await reportExpiredUnrenewed(config, snap, `renewal is backing off after ${b.failures} failed attempt(s) (${b.reason})`, deps);
          return report("transient", "backoff", `backoff: ${b.failures} failed attempt${b.failures > 1 ? "s" : ""} (${b.reason}); next attempt after ${formatTime(b.until)} (in ${formatDuration(b.until - now())}); ${validFor(snap, now())}; --force ignores the backoff`, false, ExitCode.tempFail);
        }
      } else if (due > now()) {
        if (lastFailure && due > runEnds) return lastFailure;
        if (due - now() > rcfg.maxWaitMinutes * 60_000 || due > runEnds) {
          return report("not-needed", "not-due", `not-needed: ${validFor(snap, now())}; ${nextRenewalText(snap, config)}`, false);
        }
        if (!lastFailure && announced !== due) {
          announced = due;
          log.info(`waiting for the renewal point ${formatTime(due)} (in ${formatDuration(due - now())}); ${validFor(snap, now())}`);
        }
        await sleep(Math.min(WAIT_SLICE_MS, Math.max(0, due - now())));
        continue;
      }
    }
    const rep = await attemptRenewal(config, opts, deps, snap);
    if (!opts.scheduled || opts.force || rep.outcome !== "transient" || now() >= runEnds) return rep;
    lastFailure = rep;
  }
}

function nextRenewalText(snap: CredSnapshot, config: Config): string {
  const w = renewWindow(snap.expiresAt, config.refresh.renewBeforeExpiry);
  return `the timer renews it between ${formatTime(w.earliest)} and ${formatTime(w.latest)} (Claude Code renews only in its last 5 minutes; --force runs the CLI now, which renews nothing before then)`;
}

/** `login-expiring` while the login's end (or a long-lived token's expiry) is closer than refresh.loginWarnDays. */
async function reportLoginDeadline(config: Config, creds: ClaudeCredentials, deps: RefreshDeps): Promise<void> {
  const deadline = loginDeadline(creds);
  if (deadline === undefined) return;
  const left = deadline - deps.now();
  const active = left > 0 && left < config.refresh.loginWarnDays * 86_400_000;
  const what = isLongLived(creds) ? "the long-lived token (claude setup-token) expires" : "the Claude login ends (refreshTokenExpiresAt)";
  await deps.reportCondition(config, { id: "login-expiring", active, detail: `${what} at ${formatTime(deadline)}, in ${formatDuration(Math.max(0, left))}` });
}

/** `expiring-unrenewed` once the token has stayed expired refresh.alertExpiredAfterMinutes: a short outage pages nobody. */
async function reportExpiredUnrenewed(config: Config, c: CredSnapshot, why: string, deps: RefreshDeps): Promise<void> {
  if (c.expiresAt + config.refresh.alertExpiredAfterMinutes * 60_000 > deps.now()) return;
  await deps.reportCondition(config, { id: "expiring-unrenewed", active: true, detail: `${validFor(c, deps.now())}; ${why}` });
}

/** One CLI run under the host-wide lock: run, classify, record, and sync after a renewal. */
async function attemptRenewal(config: Config, opts: RefreshOptions, deps: RefreshDeps, seen: CredSnapshot): Promise<RefreshReport> {
  const { log, now } = deps;
  const rcfg = config.refresh;
  const stateDir = config.stateDir;
  const lock = await acquireRefreshLock(stateDir, { timeoutMs: rcfg.timeoutSeconds * 1000 + 30_000, now, log });
  try {
    const state: RefreshState = (await readRefreshState(stateDir, log)).value;
    let before: CredSnapshot;
    try {
      before = snapshot(await deps.readCredentials(config.claudeCredentials));
    } catch (e) {
      if (e instanceof CredentialsError && e.problem === "logged-out") {
        await deps.reportCondition(config, { id: "login-required", active: true, detail: e.message });
        return report("login-required", "logged-out", `login-required: ${e.message}; ${loginHint(config)}`, false);
      }
      throw e;
    }

    // We waited for another refresh: its run was ours too (one CLI run per N triggers). Its attempt
    // started after it took the lock; comparing with our wait start instead would miss a run whose
    // CLI finished before we arrived while its sync still held the lock.
    if (lock.waitedFor && state.lastAttempt && state.lastAttempt.startedAt >= lock.waitedFor.createdAt) {
      const other = state.lastAttempt;
      const by = `a concurrent refresh (pid ${lock.waitedFor.pid})`;
      if (other.outcome === "renewed" || other.outcome === "not-needed") {
        return report("not-needed", "concurrent", `not-needed: renewed by ${by}; ${validFor(before, now())}`, false);
      }
      return report(other.outcome, "concurrent", `${other.outcome}: ${by} just ran: ${other.detail}`, false);
    }
    if (!opts.force && (before.fingerprint !== seen.fingerprint || before.expiresAt !== seen.expiresAt) && !cliWouldRenew(before.expiresAt, now())) {
      return report("not-needed", "renewed-meanwhile", `not-needed: the login was renewed meanwhile; ${validFor(before, now())}`, false);
    }

    const startedAt = now();
    const failedAttempt = (outcome: RefreshOutcome, reason: string, detail: string): RefreshAttempt => ({ startedAt, finishedAt: now(), outcome, reason, detail: oneLine(detail), exitCode: null, durationMs: now() - startedAt, forced: opts.force, on: rcfg.on, fingerprintBefore: before.fingerprint });

    /** Under the lock: the attempt, its backoff and counters, in one atomic write. */
    const record = async (attempt: RefreshAttempt): Promise<void> => {
      state.lastAttempt = attempt;
      state.lastCheck = { at: attempt.finishedAt, outcome: attempt.outcome, detail: attempt.detail };
      if (attempt.outcome === "renewed" || attempt.outcome === "not-needed") {
        delete state.backoff;
        if (attempt.outcome === "renewed") state.lastSuccessAt = attempt.finishedAt;
      } else {
        state.counters.refreshFailures[attempt.outcome] = (state.counters.refreshFailures[attempt.outcome] ?? 0) + 1;
        state.backoff = nextBackoff(rcfg.backoff, state.backoff, { outcome: attempt.outcome, reason: attempt.reason, fingerprint: before.fingerprint }, attempt.finishedAt, deps.random);
      }
      await writeRefreshState(stateDir, state);
    };

    // The debug log is a secret until proven otherwise: a private directory, only the token
    // endpoint's status is read from it, and it is removed before anything is reported.
    const debugDir = await fsp.mkdtemp(join(tmpdir(), "openclaw-oauth-sync-claude-"));
    let inv: Invocation;
    let res: RunResult;
    let debugText = "";
    try {
      try {
        inv = await resolveInvocation(config, deps.plan, { args: cliArgs(config), debugFile: join(debugDir, "debug.log") });
      } catch (e) {
        if (e instanceof UserError && e.exitCode === ExitCode.tempFail) {
          // The container is down or restarting: a transient condition, with backoff like any other.
          await record(failedAttempt("transient", "container-unavailable", e.message));
          return report("transient", "container-unavailable", `transient: ${e.message}`, false);
        }
        throw e;
      }
      if (inv.uid !== undefined) await fsp.chown(debugDir, inv.uid, inv.gid ?? inv.uid);
      log.info("running the Claude CLI to renew the login", { where: inv.where, method: rcfg.method, timeoutSeconds: rcfg.timeoutSeconds, forced: opts.force });
      res = await (deps.runCli ?? defaultRunCli)(inv, rcfg.timeoutSeconds * 1000);
      if (inv.debugLog === "file") debugText = await readTail(join(debugDir, "debug.log"), MAX_DEBUG_LOG_BYTES);
      else if (inv.debugLog === "stderr") debugText = res.stderr;
    } finally {
      await fsp.rm(debugDir, { recursive: true, force: true });
    }
    const endpoint = tokenEndpointResult(debugText);
    debugText = "";
    const after = await afterState(config, deps);
    const cls = classifyAttempt({
      before,
      after,
      run: { exitCode: res.exitCode, signal: res.signal, timedOut: res.timedOut, spawnError: res.spawnError, output: res.stdout },
      endpoint,
      startedAt,
      now: now(),
    });
    const finishedAt = now();
    const attempt: RefreshAttempt = {
      startedAt,
      finishedAt,
      outcome: cls.outcome,
      reason: cls.reason,
      detail: cls.evidence,
      exitCode: res.exitCode,
      durationMs: res.durationMs,
      forced: opts.force,
      on: inv.on,
      fingerprintBefore: before.fingerprint,
    };
    state.counters.cliRuns += 1;
    await record(attempt);

    switch (cls.outcome) {
      case "renewed": {
        const renewed = (after as Extract<AfterState, { state: "ok" }>).creds;
        const msg = `renewed: ${validFor(renewed, now())} (was ${validFor(before, startedAt).replace(/^token /, "")}); ran ${inv.where} in ${formatDuration(res.durationMs)}`;
        log.info(msg);
        await deps.reportCondition(config, { id: "login-required", active: false, detail: "the Claude login was renewed" });
        await deps.reportCondition(config, { id: "expiring-unrenewed", active: false, detail: `the Claude login was renewed; ${validFor(renewed, now())}` });
        let sync: SyncReport | undefined;
        try {
          sync = await deps.runSync(config, { log, now });
        } catch (e) {
          sync = { results: [], changed: false, error: e instanceof Error ? e.message : String(e) };
        }
        if (sync.error || sync.results.some((r) => r.outcome === "failed")) {
          state.counters.syncFailures += 1;
          await writeRefreshState(stateDir, state);
          log.warn("sync after renewal failed", { error: sync.error ? oneLine(sync.error) : undefined, failed: sync.results.filter((r) => r.outcome === "failed").map((r) => r.target).join(",") || undefined });
        }
        return { ...report("renewed", cls.reason, msg, true), sync };
      }
      case "not-needed":
        return report("not-needed", cls.reason, `not-needed: ${cls.evidence}; ${validFor(before, now())}`, true);
      case "transient":
        await reportExpiredUnrenewed(config, before, `the last renewal attempt failed (${cls.reason}: ${cls.evidence})`, deps);
        return report("transient", cls.reason, `transient: ${cls.reason}: ${cls.evidence}; next attempt after ${formatTime(state.backoff!.until)} (backoff ${formatDuration(state.backoff!.until - finishedAt)}); ${validFor(before, now())}`, true);
      case "login-required": {
        const detail = `the Claude CLI could not renew the login (${cls.reason}: ${cls.evidence})`;
        await deps.reportCondition(config, { id: "login-required", active: true, detail });
        return report("login-required", cls.reason, `login-required: ${detail}; ${loginHint(config)}`, true);
      }
      case "unknown":
        await reportExpiredUnrenewed(config, before, `the last renewal attempt failed (${cls.reason}: ${cls.evidence})`, deps);
        return report("unknown", cls.reason, `unknown: ${cls.reason}: ${cls.evidence}${unknownHint(cls.reason, config)}`, true);
    }
  } finally {
    await lock.release();
  }
}

/** The last `max` bytes of a file ("" when it does not exist or cannot be read). */
async function readTail(path: string, max: number): Promise<string> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(path, "r");
    const { size } = await fh.stat();
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    return buf.toString("utf8");
  } catch {
    return "";
  } finally {
    await fh?.close();
  }
}

async function afterState(config: Config, deps: RefreshDeps): Promise<AfterState> {
  try {
    return { state: "ok", creds: snapshot(await deps.readCredentials(config.claudeCredentials)) };
  } catch (e) {
    if (!(e instanceof CredentialsError)) throw e;
    return e.problem === "logged-out" ? { state: "logged-out" } : { state: "unreadable", problem: e.message };
  }
}

function unknownHint(reason: string, config: Config): string {
  if (reason === "cli-not-started") return `; check refresh.cli (${config.refresh.cli[0]}) exists on the ${config.refresh.on === "container" ? "container" : "host"} PATH, or give an absolute path`;
  return "; run 'openclaw-oauth-sync status' and 'doctor'";
}
