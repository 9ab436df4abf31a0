/**
 * Pure backoff arithmetic: exponential with jitter, capped. Persisted in refresh-state.json so a
 * timer that fires every few minutes does not hammer a failing endpoint (Cloudflare, 429).
 */
import type { BackoffConfig } from "../contract/refresh";
import type { BackoffState, RefreshOutcome } from "../state/refresh-state";

/** Delay before attempt number `failures + 1`, in ms. `random` in [0,1) (injected for tests). */
export function backoffDelayMs(cfg: BackoffConfig, failures: number, random: () => number): number {
  const n = Math.max(1, failures);
  const capMs = cfg.maxMinutes * 60_000;
  const raw = Math.min(capMs, cfg.baseMinutes * 60_000 * Math.pow(cfg.factor, n - 1));
  const spread = 1 + cfg.jitter * (2 * random() - 1);
  return Math.round(Math.min(capMs, raw * spread));
}

/**
 * A CLI run that never called the token endpoint although the token was due: Claude Code 2.1.332
 * sometimes exits from `auth status` after its connectivity probe, before its refresh starts (seen
 * both after a failed refresh, 4–6 runs of 12, and in the steady-state soak, up to 4 in a row).
 * Anthropic's token endpoint was not contacted, so there is nothing to back off from: such runs
 * are retried after a few seconds, up to QUICK_RETRIES in a row (about 1.5 min with the runs
 * themselves, inside the 270–120 s the renewal aims before expiry), and the usual backoff after
 * them starts from its base: counting them as failures would make the next wait the longest.
 */
export const CLI_DID_NOT_TRY = "due-not-renewed";
export const QUICK_RETRY_MS = 5_000;
export const QUICK_RETRIES = 12;

/** The backoff after a failed attempt. */
export function nextBackoff(
  cfg: BackoffConfig,
  previous: BackoffState | undefined,
  failed: { outcome: RefreshOutcome; reason: string; fingerprint?: string | undefined },
  now: number,
  random: () => number,
): BackoffState {
  // A backoff for an older login does not count: the streak starts again for this one.
  const sameLogin = previous !== undefined && previous.fingerprint === failed.fingerprint;
  const failures = sameLogin ? previous.failures + 1 : 1;
  const quickBefore = sameLogin ? (previous.quickRetries ?? 0) : 0;
  const quick = failed.reason === CLI_DID_NOT_TRY && quickBefore === failures - 1 && quickBefore < QUICK_RETRIES;
  const b: BackoffState = {
    failures,
    until: now + (quick ? QUICK_RETRY_MS : backoffDelayMs(cfg, failures - quickBefore, random)),
    reason: failed.reason,
    outcome: failed.outcome,
  };
  if (quick || quickBefore > 0) b.quickRetries = quickBefore + (quick ? 1 : 0);
  if (failed.fingerprint !== undefined) b.fingerprint = failed.fingerprint;
  return b;
}

export type BackoffDecision = { active: false; why?: string } | { active: true; until: number; failures: number; reason: string };

/** The longest delay backoffDelayMs can return. */
export function maxBackoffMs(cfg: BackoffConfig): number {
  return cfg.maxMinutes * 60_000;
}

/**
 * Whether a (non-forced) refresh must wait. A changed login voids the backoff. With `maxDelayMs`
 * (maxBackoffMs of the config), a backoff that ends further ahead than any delay we ever set was
 * recorded before the wall clock jumped backwards: it is void, or a clock set back by a day would
 * silence renewals for a day.
 */
export function backoffActive(b: BackoffState | undefined, currentFingerprint: string | undefined, now: number, maxDelayMs?: number): BackoffDecision {
  if (!b) return { active: false };
  if (b.until <= now) return { active: false, why: "backoff elapsed" };
  if (maxDelayMs !== undefined && b.until - now > maxDelayMs) return { active: false, why: "the clock moved backwards since the last failed attempt" };
  if (b.fingerprint !== undefined && currentFingerprint !== undefined && b.fingerprint !== currentFingerprint) {
    return { active: false, why: "credentials changed since the last failed attempt" };
  }
  return { active: true, until: b.until, failures: b.failures, reason: b.reason };
}
