/**
 * Pure classification of one refresh attempt from what the Claude CLI leaves behind, never from
 * its wording: the CLI prints the same line for a dead login and for a passing outage, and exits
 * 0 from `auth status` whatever happened (facts/claude-code.md §4). What tells them apart:
 *
 *  1. the credentials file afterwards: renewed (new token or later expiry), blanked (Claude Code
 *     logged out after the token endpoint refused the refresh token), or unchanged;
 *  2. the token endpoint's answer, read from the CLI's debug log (debug-log.ts): 400 means the
 *     refresh token was refused (login required); 401/403/429/5xx or no answer is an outage that
 *     a retry fixes.
 */
import { scrubText } from "../redact";
import type { RefreshOutcome } from "../state/refresh-state";
import type { TokenEndpointResult } from "./debug-log";
import { cliWouldRenew } from "./schedule";

export interface CredSnapshot {
  /** tokenFingerprint(accessToken): compared, never the token itself. */
  fingerprint: string;
  expiresAt: number;
  refreshTokenExpiresAt?: number | undefined;
}

/** The credentials file after the run. */
export type AfterState =
  | { state: "ok"; creds: CredSnapshot }
  | { state: "logged-out" }
  | { state: "unreadable"; problem: string };

export interface RunSummary {
  exitCode: number | null;
  signal?: string | null | undefined;
  timedOut: boolean;
  spawnError?: string | undefined;
  /** The CLI's stdout (only its last line is quoted, scrubbed). */
  output: string;
}

export interface ClassifyInput {
  before: CredSnapshot;
  after: AfterState;
  run: RunSummary;
  endpoint: TokenEndpointResult;
  /** When the CLI was started (whether it would renew at all depends on it). */
  startedAt: number;
  now: number;
}

export interface Classification {
  outcome: RefreshOutcome;
  /** Short machine reason (state file, Prometheus label, tests). */
  reason: string;
  /** What we saw, for the operator (scrubbed, one line). */
  evidence: string;
}

export function oneLine(s: string, max = 240): string {
  const flat = scrubText(s).replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function isRenewed(before: CredSnapshot, after: CredSnapshot): boolean {
  return after.fingerprint !== before.fingerprint || after.expiresAt > before.expiresAt;
}

/** The token endpoint's answer as a reason for a transient outcome, or undefined if it is not one. */
function transientReason(e: TokenEndpointResult): string | undefined {
  if (e.kind === "no-answer") return "token-endpoint-no-answer";
  if (e.kind !== "status") return undefined;
  if (e.status === 401 || e.status === 403 || e.status === 408 || e.status === 429 || e.status >= 500) return `token-endpoint-${e.status}`;
  return undefined;
}

function lastLine(output: string): string {
  return oneLine(output.trim().split("\n").filter(Boolean).slice(-1)[0] ?? "");
}

export function classifyAttempt(i: ClassifyInput): Classification {
  const { run, endpoint } = i;
  const said = lastLine(run.output);
  const cli = said ? `; the CLI said: ${said}` : "";
  if (run.spawnError) return { outcome: "unknown", reason: "cli-not-started", evidence: oneLine(run.spawnError) };
  if (i.after.state === "logged-out") {
    return {
      outcome: "login-required",
      reason: "logged-out",
      evidence: `Anthropic refused the refresh token${endpoint.kind === "status" ? ` (HTTP ${endpoint.status})` : ""} and Claude Code cleared the login`,
    };
  }
  if (i.after.state === "ok" && isRenewed(i.before, i.after.creds)) {
    const note = run.exitCode === 0 ? "" : ` (the CLI exited ${run.timedOut ? "on timeout" : `with status ${run.exitCode ?? run.signal}`} after renewing)`;
    return { outcome: "renewed", reason: "renewed", evidence: `credentials renewed${note}` };
  }
  if (endpoint.kind === "status" && endpoint.status === 400) {
    return { outcome: "login-required", reason: "refresh-token-refused", evidence: `the token endpoint answered HTTP 400 (refresh token refused)${cli}` };
  }
  const transient = transientReason(endpoint);
  if (transient) {
    const what = endpoint.kind === "status" ? `answered HTTP ${endpoint.status}` : "did not answer";
    return { outcome: "transient", reason: transient, evidence: `Anthropic's token endpoint ${what}; a retry fixes this` };
  }
  if (endpoint.kind === "status") {
    return { outcome: "unknown", reason: `token-endpoint-${endpoint.status}`, evidence: `the token endpoint answered HTTP ${endpoint.status}${cli}` };
  }
  if (run.timedOut) return { outcome: "transient", reason: "timeout", evidence: "the CLI did not finish within refresh.timeoutSeconds" };
  if (i.after.state === "unreadable") return { outcome: "unknown", reason: "credentials-unreadable-after", evidence: i.after.problem };
  const rtExp = i.before.refreshTokenExpiresAt;
  if (rtExp !== undefined && rtExp <= i.now) {
    return { outcome: "login-required", reason: "refresh-token-expired", evidence: `the login ended at ${new Date(rtExp).toISOString()} (refreshTokenExpiresAt)` };
  }
  if (!cliWouldRenew(i.before.expiresAt, i.startedAt)) {
    return {
      outcome: "not-needed",
      reason: "cli-kept-token",
      evidence: "the CLI kept the current token (Claude Code renews only in the last 5 minutes before expiry)",
    };
  }
  if (run.signal) return { outcome: "unknown", reason: "killed", evidence: `killed by ${run.signal}${cli}` };
  // Seen with the real 2.1.332 after a failed refresh: `auth status` sometimes exits after its
  // connectivity probe, before its refresh starts (no token request at all); the next run renews.
  // So this is retried like an outage; if it persists (e.g. another credential source such as
  // apiKeyHelper), expiring-unrenewed pages once the token has stayed expired long enough.
  return {
    outcome: "transient",
    reason: "due-not-renewed",
    evidence: `the token was due but the CLI (exit ${run.exitCode}) made no call to the token endpoint; retried (if this persists: another credential source in its environment or settings, e.g. apiKeyHelper?)${cli}`,
  };
}

/** Process exit code of `refresh` for an outcome (documented in docs). */
export function exitCodeFor(outcome: RefreshOutcome): number {
  switch (outcome) {
    case "renewed":
    case "not-needed":
      return 0;
    case "transient":
      return 75;
    case "login-required":
      return 1;
    case "unknown":
      return 70;
  }
}
