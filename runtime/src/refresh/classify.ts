/**
 * Pure classification of one refresh attempt from the credentials before/after, the CLI's exit
 * status and its output. Table-tested against the real error texts (facts/openclaw.md §1.3–1.5,
 * anthropics/claude-code issues quoted in test/unit/refresh/classify.test.ts).
 *
 * Order matters:
 *  1. a renewed login wins over any text (the CLI may print a warning and still renew);
 *  2. "strong" login markers (the refresh token itself was rejected) beat network noise;
 *  3. transient markers beat the generic "Please run /login" hint, which the CLI appends to
 *     failures of any cause (a Cloudflare 403 during refresh must not page a human);
 *  4. the generic hint and "Not logged in" mean a human must log in.
 */
import { scrubText } from "../redact";
import type { RefreshOutcome } from "../state/refresh-state";

export interface CredSnapshot {
  /** tokenFingerprint(accessToken): compared, never the token itself. */
  fingerprint: string;
  expiresAt: number;
  refreshTokenExpiresAt?: number | undefined;
}

export interface RunSummary {
  exitCode: number | null;
  signal?: string | null | undefined;
  timedOut: boolean;
  spawnError?: string | undefined;
  /** stdout + stderr of the CLI (any size; only matched lines are quoted). */
  output: string;
}

export interface ClassifyInput {
  before: CredSnapshot | undefined;
  after: CredSnapshot | undefined;
  /** Why the credentials could not be read after the run, if they could not. */
  afterProblem?: string | undefined;
  run: RunSummary;
  now: number;
}

export interface Classification {
  outcome: RefreshOutcome;
  /** Short machine reason (state file, Prometheus label, tests). */
  reason: string;
  /** What we saw, for the operator (scrubbed, one line). */
  evidence: string;
}

interface Marker {
  reason: string;
  test: RegExp;
}

/** The refresh token (or the whole login) is dead: only a human with a browser can fix it. */
const STRONG_LOGIN: Marker[] = [
  { reason: "invalid-grant", test: /\binvalid_grant\b/ },
  { reason: "refresh-token-reused", test: /\brefresh_token_reused\b/ },
  { reason: "token-revoked", test: /OAuth token (?:has been )?revoked/i },
  { reason: "refresh-token-expired", test: /refresh[ _]token (?:has )?expired/i },
];

/** Worth retrying later, with backoff. */
const TRANSIENT: Marker[] = [
  { reason: "network", test: /\b(?:ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|EPIPE)\b/ },
  { reason: "network", test: /fetch failed|socket hang up|Connection error|Request timed out|network error/i },
  {
    reason: "cloudflare",
    test: /(?:<!DOCTYPE html|<html)[\s\S]{0,4000}?(?:cloudflare|cf-ray|Just a moment|Attention Required)|\b403\b[\s\S]{0,400}?(?:cloudflare|cf-ray|Just a moment|Attention Required)|(?:cloudflare|cf-ray)[\s\S]{0,400}?\b403\b/i,
  },
  { reason: "rate-limited", test: /(?:API Error|status(?: code)?|HTTP(?:\/[\d.]+)?|error)[:\s(]*429\b|Too Many Requests|rate[_ ]limit(?:ed|_error)?\b/i },
  { reason: "overloaded", test: /overloaded/i },
  {
    reason: "server-error",
    test: /(?:API Error|status(?: code)?|HTTP(?:\/[\d.]+)?)[:\s(]*5\d\d\b|\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)|\bapi_error\b/i,
  },
];

/** A login is needed, as the CLI says it: checked after TRANSIENT (see the header). */
const WEAK_LOGIN: Marker[] = [
  { reason: "session-expired", test: /OAuth session expired and could not be refreshed/i },
  { reason: "not-logged-in", test: /Not logged in/i },
  { reason: "token-expired", test: /OAuth token has expired/i },
  { reason: "invalid-credentials", test: /Invalid API key|Invalid authentication credentials/i },
  { reason: "login-prompt", test: /Please run \/login|run \/login/i },
];

function firstMatch(markers: Marker[], text: string): { reason: string; evidence: string } | undefined {
  for (const m of markers) {
    const hit = m.test.exec(text);
    if (hit) return { reason: m.reason, evidence: evidenceAround(text, hit.index) };
  }
  return undefined;
}

/** The output line holding a match, scrubbed and shortened. */
export function evidenceAround(text: string, index: number): string {
  const start = text.lastIndexOf("\n", index) + 1;
  const endNl = text.indexOf("\n", index);
  const line = text.slice(start, endNl === -1 ? undefined : endNl).trim();
  return oneLine(line);
}

export function oneLine(s: string, max = 240): string {
  const flat = scrubText(s).replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function isRenewed(before: CredSnapshot | undefined, after: CredSnapshot | undefined): boolean {
  if (!after) return false;
  if (!before) return true;
  return after.fingerprint !== before.fingerprint || after.expiresAt > before.expiresAt;
}

export function classifyAttempt(i: ClassifyInput): Classification {
  const { run } = i;
  if (run.spawnError) {
    return { outcome: "unknown", reason: "cli-not-started", evidence: oneLine(run.spawnError) };
  }
  if (isRenewed(i.before, i.after)) {
    const note = run.exitCode === 0 ? "" : ` (the CLI exited ${run.timedOut ? "on timeout" : `with status ${run.exitCode ?? run.signal}`} after renewing)`;
    return { outcome: "renewed", reason: "renewed", evidence: `credentials renewed${note}` };
  }
  const strong = firstMatch(STRONG_LOGIN, run.output);
  if (strong) return { outcome: "login-required", ...strong };
  const rtExp = i.before?.refreshTokenExpiresAt;
  if (rtExp !== undefined && rtExp <= i.now) {
    return { outcome: "login-required", reason: "refresh-token-expired", evidence: `the refresh token expired at ${new Date(rtExp).toISOString()}` };
  }
  const transient = firstMatch(TRANSIENT, run.output);
  if (transient) return { outcome: "transient", ...transient };
  if (run.timedOut) return { outcome: "transient", reason: "timeout", evidence: "the CLI did not finish within refresh.timeoutSeconds" };
  const weak = firstMatch(WEAK_LOGIN, run.output);
  if (weak) return { outcome: "login-required", ...weak };
  if (!i.after) {
    return { outcome: "unknown", reason: "credentials-unreadable-after", evidence: i.afterProblem ?? "credentials unreadable after the run" };
  }
  if (run.exitCode === 0) {
    if (i.after.expiresAt > i.now) {
      return {
        outcome: "not-needed",
        reason: "cli-kept-token",
        evidence: "the CLI ran and kept the current token (Claude Code renews only shortly before expiry)",
      };
    }
    return {
      outcome: "unknown",
      reason: "expired-not-renewed",
      evidence: "the CLI exited 0 but the token is expired and was not renewed (another credential source in its environment or settings, e.g. apiKeyHelper?)",
    };
  }
  const tail = run.output.trim().split("\n").slice(-1)[0] ?? "";
  if (run.signal) return { outcome: "unknown", reason: "killed", evidence: `killed by ${run.signal}${tail ? `: ${oneLine(tail)}` : ""}` };
  return { outcome: "unknown", reason: `exit-${run.exitCode}`, evidence: `exit status ${run.exitCode}${tail ? `: ${oneLine(tail)}` : ""}` };
}

/** Process exit code of `refresh` for an outcome (documented in README). */
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
