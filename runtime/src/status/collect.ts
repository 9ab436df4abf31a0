/**
 * Gathers everything `status` shows. Reads only: credentials, our state files, openclaw.json and
 * the targets (through the sync engine's read-only inspectTargets). Every part that cannot be read
 * becomes a problem in the report, never an exception: status must work on a broken host.
 */
import { promises as fsp } from "node:fs";
import JSON5 from "json5";
import type { Config } from "../contract/schema";
import { CredentialsError, isLongLived, loginDeadline, type ClaudeCredentials } from "../credentials";
import { renewWindow, type RenewWindow } from "../refresh/schedule";
import type { Logger } from "../log";
import { openclawConfigPath } from "../openclaw/paths";
import { scrubText } from "../redact";
import type { TargetInspection } from "../sync/types";
import { readRefreshState, tokenFingerprint, type RefreshAttempt, type RefreshState } from "../state/refresh-state";
import { backoffActive, maxBackoffMs } from "../refresh/backoff";
import type { InspectTargets, LastAlert, ReadCredentials, ReadLastAlert } from "../refresh/types";
import { checkResult, loginRequired, type CheckResult } from "./evaluate";
import { inferRoute, type RouteInfo } from "./route";

/** `status --json` output. Documented in README.md; bump on breaking change. */
export interface StatusReport {
  schemaVersion: 1;
  /** Epoch ms. All times in this report are epoch ms. */
  generatedAt: number;
  credentials: {
    path: string;
    readable: boolean;
    problem?: string;
    expiresAt?: number;
    timeLeftMs?: number;
    refreshTokenExpiresAt?: number;
    /** Claude Code cleared the login (blanked file) after its refresh token was refused. */
    loggedOut?: boolean;
    /** refreshable (`/login`) or long-lived (`claude setup-token`, nothing to renew). */
    kind?: "refreshable" | "long-lived";
    /** When a human must log in again at the latest; absent = unknown (the file records none). */
    loginDeadline?: number;
    subscriptionType?: string | null;
    rateLimitTier?: string | null;
    /** false when scopes lack "user:inference" (Claude Code then reports "Not logged in"). */
    hasInferenceScope?: boolean;
  };
  loginRequired: { active: boolean; reason?: string };
  check: CheckResult;
  refresh: {
    method: "auth-status" | "print";
    /** Where the next renewal is aimed (absent for a long-lived token or without a readable login). */
    nextRenewal?: RenewWindow;
    warnMinutes: number;
    loginWarnDays: number;
    lastAttempt?: RefreshAttempt;
    lastSuccessAt?: number;
    backoff?: { active: boolean; until: number; failures: number; reason: string };
    counters: RefreshState["counters"];
    stateProblem?: string;
  };
  targets: TargetInspection[];
  targetsError?: string;
  route: RouteInfo & { configPath: string };
  lastAlert?: LastAlert;
  alertError?: string;
}

export interface StatusDeps {
  log: Logger;
  now: () => number;
  readCredentials: ReadCredentials;
  inspectTargets: InspectTargets;
  readLastAlert: ReadLastAlert;
  readFile?: (path: string) => Promise<string>;
}

const msg = (e: unknown) => scrubText(e instanceof Error ? e.message : String(e));

export async function collectStatus(config: Config, deps: StatusDeps): Promise<StatusReport> {
  const now = deps.now();
  let creds: ClaudeCredentials | undefined;
  let credProblem: string | undefined;
  let loggedOut = false;
  try {
    creds = await deps.readCredentials(config.claudeCredentials);
  } catch (e) {
    if (!(e instanceof CredentialsError)) throw e;
    credProblem = e.message;
    loggedOut = e.problem === "logged-out";
  }
  const credentials: StatusReport["credentials"] = { path: config.claudeCredentials, readable: creds !== undefined };
  if (credProblem) credentials.problem = credProblem;
  if (loggedOut) credentials.loggedOut = true;
  const deadline = creds ? loginDeadline(creds) : undefined;
  if (creds) {
    credentials.kind = isLongLived(creds) ? "long-lived" : "refreshable";
    if (deadline !== undefined) credentials.loginDeadline = deadline;
    credentials.expiresAt = creds.expiresAt;
    credentials.timeLeftMs = creds.expiresAt - now;
    if (creds.refreshTokenExpiresAt !== undefined) credentials.refreshTokenExpiresAt = creds.refreshTokenExpiresAt;
    if (creds.subscriptionType !== undefined) credentials.subscriptionType = creds.subscriptionType;
    if (creds.rateLimitTier !== undefined) credentials.rateLimitTier = creds.rateLimitTier;
    credentials.hasInferenceScope = creds.scopes.includes("user:inference");
  }

  const rs = await readRefreshState(config.stateDir);
  const facts = {
    readable: creds !== undefined,
    problem: credProblem,
    expiresAt: creds?.expiresAt,
    refreshTokenExpiresAt: creds?.refreshTokenExpiresAt,
    loginDeadline: deadline,
    loggedOut,
    longLived: creds ? isLongLived(creds) : false,
    fingerprint: creds ? tokenFingerprint(creds.accessToken) : undefined,
  };
  const login = loginRequired(facts, rs.value, now);
  const refresh: StatusReport["refresh"] = {
    method: config.refresh.method,
    warnMinutes: config.refresh.warnMinutes,
    loginWarnDays: config.refresh.loginWarnDays,
    counters: rs.value.counters,
  };
  if (creds && !isLongLived(creds)) refresh.nextRenewal = renewWindow(creds.expiresAt, config.refresh.renewBeforeExpiry);
  if (rs.value.lastAttempt) refresh.lastAttempt = rs.value.lastAttempt;
  if (rs.value.lastSuccessAt !== undefined) refresh.lastSuccessAt = rs.value.lastSuccessAt;
  if (rs.value.backoff) {
    const b = backoffActive(rs.value.backoff, facts.fingerprint, now, maxBackoffMs(config.refresh.backoff));
    refresh.backoff = { active: b.active, until: rs.value.backoff.until, failures: rs.value.backoff.failures, reason: rs.value.backoff.reason };
  }
  if (rs.problem) refresh.stateProblem = rs.problem;

  const report: StatusReport = {
    schemaVersion: 1,
    generatedAt: now,
    credentials,
    loginRequired: login.reason ? { active: login.required, reason: login.reason } : { active: login.required },
    check: checkResult(facts, login, now, config.refresh.warnMinutes, config.refresh.loginWarnDays),
    refresh,
    targets: [],
    route: { ...(await readRoute(config, deps)) },
  };
  try {
    report.targets = await deps.inspectTargets(config, creds, { log: deps.log, now: deps.now });
  } catch (e) {
    report.targetsError = msg(e);
  }
  try {
    const a = await deps.readLastAlert(config);
    if (a) report.lastAlert = a;
  } catch (e) {
    report.alertError = msg(e);
  }
  return report;
}

async function readRoute(config: Config, deps: StatusDeps): Promise<RouteInfo & { configPath: string }> {
  const configPath = openclawConfigPath(config.openclaw.stateDir, config.openclaw.configPath);
  let text: string;
  try {
    text = await (deps.readFile ?? ((p: string) => fsp.readFile(p, "utf8")))(configPath);
  } catch (e) {
    return { route: "unknown", detail: `cannot read ${configPath}: ${msg(e)}`, configPath };
  }
  try {
    return { ...inferRoute(JSON5.parse(text)), configPath };
  } catch (e) {
    return { route: "unknown", detail: `${configPath} is not valid JSON5: ${msg(e)}`, configPath };
  }
}
