/**
 * `refresh`: make Claude Code renew its own login shortly before it expires (DESIGN §2), one run
 * per host at a time, with backoff, then sync. The decisions are pure (classify.ts, backoff.ts);
 * this module sequences the effects: read, lock, run, classify, record, sync, report.
 */
import type { Config } from "../config/schema";
import { CredentialsError, type ClaudeCredentials } from "../credentials";
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
import { classifyAttempt, exitCodeFor, oneLine, type CredSnapshot } from "./classify";
import { formatDuration, formatTime } from "./duration";
import { acquireRefreshLock } from "../state/lock";
import { resolveInvocation, type Invocation, type PlanDeps } from "./plan";
import type { ReadCredentials, ReportCondition, RunSync } from "./types";

export interface RefreshOptions {
  /** Run the CLI even with time left, and ignore the backoff. */
  force: boolean;
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

function snapshot(c: ClaudeCredentials): CredSnapshot {
  return { fingerprint: tokenFingerprint(c.accessToken), expiresAt: c.expiresAt, refreshTokenExpiresAt: c.refreshTokenExpiresAt };
}

function validFor(c: CredSnapshot, now: number): string {
  const left = c.expiresAt - now;
  return left > 0
    ? `token valid for ${formatDuration(left)} (expires ${formatTime(c.expiresAt)})`
    : `token expired ${formatDuration(-left)} ago (at ${formatTime(c.expiresAt)})`;
}

function report(outcome: RefreshOutcome, reason: string, message: string, ranCli: boolean, exitCode = exitCodeFor(outcome)): RefreshReport {
  return { outcome, reason, message, exitCode, ranCli };
}

const defaultRunCli = (inv: Invocation, timeoutMs: number): Promise<RunResult> => {
  const o: Parameters<typeof runProcess>[1] = { env: inv.env, timeoutMs };
  if (inv.cwd !== undefined) o.cwd = inv.cwd;
  if (inv.uid !== undefined) o.uid = inv.uid;
  if (inv.gid !== undefined) o.gid = inv.gid;
  return runProcess(inv.argv, o);
};

/** Where a human has to log in again, for the login-required message. */
function loginHint(config: Config): string {
  return config.refresh.on === "container"
    ? `log in again inside the OpenClaw container: docker exec -it -u ${config.openclaw.docker?.user ?? "node"} <container> claude, then /login`
    : `log in again as the account that owns ${config.claudeCredentials}: run 'claude', then /login`;
}

export async function runRefresh(config: Config, opts: RefreshOptions, deps: RefreshDeps): Promise<RefreshReport> {
  const { log, now } = deps;
  const rcfg = config.refresh;
  const stateDir = config.stateDir;

  const readSnap = async (): Promise<{ creds?: CredSnapshot; problem?: CredentialsError }> => {
    try {
      return { creds: snapshot(await deps.readCredentials(config.claudeCredentials)) };
    } catch (e) {
      if (e instanceof CredentialsError) return { problem: e };
      throw e;
    }
  };

  /** The token runs out inside the warning window and renewing failed: say so before it is dead. */
  const reportExpiring = async (c: CredSnapshot, why: string): Promise<void> => {
    if (c.expiresAt - now() >= rcfg.warnMinutes * 60_000) return;
    await deps.reportCondition(config, { id: "expiring-unrenewed", active: true, detail: `${validFor(c, now())}; ${why}` });
  };

  const first = await readSnap();
  if (first.problem) {
    if (first.problem.problem === "missing") {
      const detail = `${config.claudeCredentials}: no Claude login on this host (credentials file not found)`;
      await deps.reportCondition(config, { id: "login-required", active: true, detail });
      return report("login-required", "no-credentials", `login-required: ${detail}; ${loginHint(config)}`, false);
    }
    throw first.problem;
  }
  const before0 = first.creds!;
  const state0 = (await readRefreshState(stateDir, log)).value;

  // A new login since a login-required attempt: the condition is fixed.
  if (state0.lastAttempt?.outcome === "login-required" && state0.lastAttempt.fingerprintBefore !== before0.fingerprint) {
    await deps.reportCondition(config, { id: "login-required", active: false, detail: "a new Claude login was found" });
  }

  if (!opts.force) {
    const rtExp = before0.refreshTokenExpiresAt;
    if (rtExp !== undefined && rtExp <= now()) {
      const detail = `the Claude login expired at ${formatTime(rtExp)} (refreshTokenExpiresAt in ${config.claudeCredentials})`;
      await deps.reportCondition(config, { id: "login-required", active: true, detail });
      return report("login-required", "refresh-token-expired", `login-required: ${detail}; ${loginHint(config)}`, false);
    }
    const left = before0.expiresAt - now();
    if (left > rcfg.windowMinutes * 60_000) {
      return report("not-needed", "outside-window", `not-needed: ${validFor(before0, now())}`, false);
    }
    const b = backoffActive(state0.backoff, before0.fingerprint, now(), maxBackoffMs(rcfg.backoff));
    if (b.active && state0.backoff?.outcome === "login-required") {
      // The backoff is for this very login (a new one voids it): it is still dead, not "transient".
      const detail = `the last renewal attempt found the login dead (${b.reason}) and there has been no new login since`;
      await deps.reportCondition(config, { id: "login-required", active: true, detail });
      return report("login-required", "backoff", `login-required: ${detail}; next attempt after ${formatTime(b.until)}; ${loginHint(config)}`, false);
    }
    if (b.active) {
      await reportExpiring(before0, `renewal is backing off after ${b.failures} failed attempt(s) (${b.reason})`);
      return report(
        "transient",
        "backoff",
        `backoff: ${b.failures} failed attempt${b.failures > 1 ? "s" : ""} (${b.reason}); next attempt after ${formatTime(b.until)} (in ${formatDuration(b.until - now())}); ${validFor(before0, now())}; --force ignores the backoff`,
        false,
        ExitCode.tempFail,
      );
    }
  }

  const lock = await acquireRefreshLock(stateDir, { timeoutMs: rcfg.timeoutSeconds * 1000 + 30_000, now, log });
  try {
    const state: RefreshState = (await readRefreshState(stateDir, log)).value;
    const fresh = await readSnap();
    if (fresh.problem) throw fresh.problem;
    const before = fresh.creds!;

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
    if (!opts.force && before.expiresAt - now() > rcfg.windowMinutes * 60_000) {
      return report("not-needed", "outside-window", `not-needed: ${validFor(before, now())}`, false);
    }

    const startedAt = now();
    const failedAttempt = (outcome: RefreshOutcome, reason: string, detail: string): RefreshAttempt => ({ startedAt, finishedAt: now(), outcome, reason, detail: oneLine(detail), exitCode: null, durationMs: now() - startedAt, forced: opts.force, on: rcfg.on, fingerprintBefore: before.fingerprint });

    /** Under the lock: the attempt, its backoff and counters, in one atomic write. */
    const record = async (attempt: RefreshAttempt, b: CredSnapshot): Promise<void> => {
      state.lastAttempt = attempt;
      state.lastCheck = { at: attempt.finishedAt, outcome: attempt.outcome, detail: attempt.detail };
      if (attempt.outcome === "renewed" || attempt.outcome === "not-needed") {
        delete state.backoff;
        if (attempt.outcome === "renewed") state.lastSuccessAt = attempt.finishedAt;
      } else {
        state.counters.refreshFailures[attempt.outcome] = (state.counters.refreshFailures[attempt.outcome] ?? 0) + 1;
        state.backoff = nextBackoff(rcfg.backoff, state.backoff, { outcome: attempt.outcome, reason: attempt.reason, fingerprint: b.fingerprint }, attempt.finishedAt, deps.random);
      }
      await writeRefreshState(stateDir, state);
    };

    let inv: Invocation;
    try {
      inv = await resolveInvocation(config, deps.plan);
    } catch (e) {
      if (e instanceof UserError && e.exitCode === ExitCode.tempFail) {
        // The container is down or restarting: a transient condition, with backoff like any other.
        const attempt = failedAttempt("transient", "container-unavailable", e.message);
        await record(attempt, before);
        return report("transient", "container-unavailable", `transient: ${e.message}`, false);
      }
      throw e;
    }
    log.info("running the Claude CLI to renew the login", { where: inv.where, command: rcfg.command.join(" "), timeoutSeconds: rcfg.timeoutSeconds, forced: opts.force });
    const res = await (deps.runCli ?? defaultRunCli)(inv, rcfg.timeoutSeconds * 1000);
    const after = await readSnap();
    const output = `${res.stdout}\n${res.stderr}`;
    const cls = classifyAttempt({
      before,
      after: after.creds,
      afterProblem: after.problem?.message,
      run: { exitCode: res.exitCode, signal: res.signal, timedOut: res.timedOut, spawnError: res.spawnError, output },
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
    if (cls.outcome !== "renewed" && cls.outcome !== "not-needed") {
      const tail = output.trim().split("\n").filter(Boolean).slice(-4).join(" | ");
      if (tail) log.warn("claude CLI output (last lines, tokens redacted)", { output: oneLine(tail, 600) });
    }
    await record(attempt, before);

    switch (cls.outcome) {
      case "renewed": {
        const msg = `renewed: ${validFor(after.creds!, now())} (was ${validFor(before, startedAt).replace(/^token /, "")}); ran ${inv.where} in ${formatDuration(res.durationMs)}`;
        log.info(msg);
        await deps.reportCondition(config, { id: "login-required", active: false, detail: "the Claude login was renewed" });
        await deps.reportCondition(config, { id: "expiring-unrenewed", active: false, detail: `the Claude login was renewed; ${validFor(after.creds!, now())}` });
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
        return report("not-needed", cls.reason, `not-needed: ${cls.evidence}; ${validFor(after.creds!, now())}`, true);
      case "transient":
        await reportExpiring(before, `the last renewal attempt failed (${cls.reason}: ${cls.evidence})`);
        return report("transient", cls.reason, `transient: ${cls.reason}: ${cls.evidence}; next attempt after ${formatTime(state.backoff!.until)} (backoff ${formatDuration(state.backoff!.until - finishedAt)}); ${validFor(before, now())}`, true);
      case "login-required": {
        const detail = `the Claude CLI could not renew the login (${cls.reason}: ${cls.evidence})`;
        await deps.reportCondition(config, { id: "login-required", active: true, detail });
        return report("login-required", cls.reason, `login-required: ${detail}; ${loginHint(config)}`, true);
      }
      case "unknown":
        await reportExpiring(before, `the last renewal attempt failed (${cls.reason}: ${cls.evidence})`);
        return report("unknown", cls.reason, `unknown: ${cls.reason}: ${cls.evidence}${unknownHint(cls.reason, config)}`, true);
    }

  } finally {
    await lock.release();
  }
}

function unknownHint(reason: string, config: Config): string {
  if (reason === "cli-not-started") return `; check refresh.command (${config.refresh.command[0]}) exists on the ${config.refresh.on === "container" ? "container" : "host"} PATH, or give an absolute path`;
  if (reason === "expired-not-renewed") return "; run 'openclaw-oauth-sync doctor'";
  return "; the CLI output above says more";
}
