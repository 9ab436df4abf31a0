/**
 * Pure verdicts of `status`: whether a human must log in, and the `--check` exit code
 * (0 ok, 1 expired / login required / credentials unreadable, 2 expiring within warnMinutes),
 * the same contract as `openclaw models status --check`.
 */
import type { RefreshState } from "../state/refresh-state";

export interface CredentialFacts {
  readable: boolean;
  problem?: string | undefined;
  expiresAt?: number | undefined;
  refreshTokenExpiresAt?: number | undefined;
  /** tokenFingerprint of the current access token. */
  fingerprint?: string | undefined;
}

export interface LoginVerdict {
  required: boolean;
  reason?: string;
}

export function loginRequired(c: CredentialFacts, refresh: RefreshState, now: number): LoginVerdict {
  if (!c.readable) return { required: true, reason: `credentials unreadable: ${c.problem ?? "unknown problem"}` };
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
  level: "ok" | "expiring" | "expired" | "login-required";
  reason: string;
}

export function checkResult(c: CredentialFacts, login: LoginVerdict, now: number, warnMinutes: number): CheckResult {
  if (login.required) return { code: 1, level: "login-required", reason: login.reason ?? "login required" };
  if (c.expiresAt === undefined) return { code: 1, level: "login-required", reason: "access-token expiry unknown" };
  if (c.expiresAt <= now) return { code: 1, level: "expired", reason: "the access token has expired" };
  if (c.expiresAt - now < warnMinutes * 60_000) return { code: 2, level: "expiring", reason: `the access token expires within ${warnMinutes} min (refresh.warnMinutes)` };
  return { code: 0, level: "ok", reason: "access token valid" };
}
