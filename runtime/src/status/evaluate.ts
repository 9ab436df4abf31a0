/**
 * Pure verdicts of `status`: whether a human must log in, and the `--check` exit code
 * (0 ok, 1 expired / logged out / login required / credentials unreadable, 2 expiring within
 * warnMinutes or the login's end within loginWarnDays),
 * the same contract as `openclaw models status --check`.
 */
import type { RefreshState } from "../state/refresh-state";

export interface CredentialFacts {
  readable: boolean;
  problem?: string | undefined;
  expiresAt?: number | undefined;
  refreshTokenExpiresAt?: number | undefined;
  /** loginDeadline() of the credentials: when a human must log in again at the latest. */
  loginDeadline?: number | undefined;
  /** The file is blanked: Claude Code logged out after its refresh token was refused. */
  loggedOut?: boolean | undefined;
  /** A long-lived token (no refresh token): its expiry is the end of the login. */
  longLived?: boolean | undefined;
  /** tokenFingerprint of the current access token. */
  fingerprint?: string | undefined;
}

export interface LoginVerdict {
  required: boolean;
  reason?: string;
}

export function loginRequired(c: CredentialFacts, refresh: RefreshState, now: number): LoginVerdict {
  if (c.loggedOut) return { required: true, reason: "logged out: Claude Code cleared the login after Anthropic refused its refresh token" };
  if (!c.readable) return { required: true, reason: `credentials unreadable: ${c.problem ?? "unknown problem"}` };
  if (c.longLived && c.expiresAt !== undefined && c.expiresAt <= now) {
    return { required: true, reason: "the long-lived token (claude setup-token) has expired" };
  }
  if (c.refreshTokenExpiresAt !== undefined && c.refreshTokenExpiresAt <= now) {
    return { required: true, reason: "the refresh token has expired (refreshTokenExpiresAt)" };
  }
  const a = refresh.lastAttempt;
  // Only a failure of the login we see now counts: after /login the fingerprint differs.
  if (a && a.outcome === "login-required" && a.fingerprintBefore === c.fingerprint) {
    return { required: true, reason: `the last refresh was rejected (${a.reason}: ${a.detail})` };
  }
  return { required: false };
}

export type CheckCode = 0 | 1 | 2;
export interface CheckResult {
  code: CheckCode;
  level: "ok" | "expiring" | "login-expiring" | "expired" | "login-required";
  reason: string;
}

export function checkResult(c: CredentialFacts, login: LoginVerdict, now: number, warnMinutes: number, loginWarnDays = 0): CheckResult {
  if (login.required) return { code: 1, level: "login-required", reason: login.reason ?? "login required" };
  if (c.expiresAt === undefined) return { code: 1, level: "login-required", reason: "access-token expiry unknown" };
  if (c.expiresAt <= now) return { code: 1, level: "expired", reason: "the access token has expired" };
  if (c.expiresAt - now < warnMinutes * 60_000) return { code: 2, level: "expiring", reason: `the access token expires within ${warnMinutes} min (refresh.warnMinutes)` };
  if (c.loginDeadline !== undefined && c.loginDeadline - now < loginWarnDays * 86_400_000) {
    return { code: 2, level: "login-expiring", reason: `the login ends within ${loginWarnDays} day(s) (refresh.loginWarnDays): log in again before then` };
  }
  return { code: 0, level: "ok", reason: "access token valid" };
}
