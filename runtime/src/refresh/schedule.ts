/**
 * Pure: when a renewal is due. Claude Code renews its login only in the last 5 minutes before
 * the access token expires (CLI_RENEW_THRESHOLD_MS), so the renewal is aimed at one point inside
 * that window, once per token lifetime, instead of polling on a blind interval.
 */
import { CLI_RENEW_THRESHOLD_MS } from "../contract/refresh";

export interface RenewWindow {
  /** Earliest and latest moment the renewal is aimed at (epoch ms). */
  earliest: number;
  latest: number;
}

export interface RenewBeforeExpiry {
  earliestSeconds: number;
  latestSeconds: number;
}

export function renewWindow(expiresAt: number, cfg: RenewBeforeExpiry): RenewWindow {
  return { earliest: expiresAt - cfg.earliestSeconds * 1000, latest: expiresAt - cfg.latestSeconds * 1000 };
}

/**
 * Where in the window one token's renewal goes, in [0,1): from the token's fingerprint, so every
 * timer run aims at the same point for the same token (a run that cannot wait that long leaves it
 * to a later one, which aims at the same point), while a fleet that logged in together still
 * spreads out, each host's token being different.
 */
export function pointFraction(fingerprint: string): number {
  const n = Number.parseInt(fingerprint.slice(0, 8), 16);
  return Number.isFinite(n) ? n / 0x1_0000_0000 : 0.5;
}

/** One point of the window; `random` in [0,1) picks where. */
export function renewalPoint(expiresAt: number, cfg: RenewBeforeExpiry, random: () => number): number {
  const w = renewWindow(expiresAt, cfg);
  return Math.round(w.earliest + (w.latest - w.earliest) * random());
}

/** Whether a CLI run now would renew at all (it renews an expired token too). */
export function cliWouldRenew(expiresAt: number, now: number): boolean {
  return now + CLI_RENEW_THRESHOLD_MS >= expiresAt;
}
