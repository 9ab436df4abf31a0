/**
 * `refresh-state.json`: what `refresh` did last, its backoff, and counters for Prometheus.
 * Written only under the refresh lock (one writer); read by `status` without it.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Logger } from "../log";
import { readState, writeState, type StateReadResult } from "./store";

export const REFRESH_STATE_NAME = "refresh-state";

export const RefreshOutcomeSchema = z.enum(["renewed", "not-needed", "transient", "login-required", "unknown"]);
export type RefreshOutcome = z.infer<typeof RefreshOutcomeSchema>;

const Ms = z.number().int().nonnegative();

export const RefreshAttemptSchema = z.object({
  startedAt: Ms,
  finishedAt: Ms,
  outcome: RefreshOutcomeSchema,
  /** Short machine reason, e.g. "rate-limited", "invalid-grant", "timeout", "cli-kept-token". */
  reason: z.string(),
  /** Operator-facing one line (scrubbed). */
  detail: z.string(),
  exitCode: z.number().int().nullable(),
  durationMs: Ms,
  forced: z.boolean(),
  on: z.enum(["host", "container"]),
  /** Hash prefix of the access token before the run: tells whether a login happened since. */
  fingerprintBefore: z.string().optional(),
});
export type RefreshAttempt = z.infer<typeof RefreshAttemptSchema>;

export const BackoffStateSchema = z.object({
  /** Consecutive failed attempts. */
  failures: z.number().int().positive(),
  /** No timer-triggered CLI run before this time (epoch ms). */
  until: Ms,
  reason: z.string(),
  outcome: RefreshOutcomeSchema,
  /** Backoff applies to this login only: a new token (re-login, renewal by someone else) voids it. */
  fingerprint: z.string().optional(),
  /** Of `failures`, the runs that never tried (retried after seconds): the exponential backoff does not count them. */
  quickRetries: z.number().int().nonnegative().optional(),
});
export type BackoffState = z.infer<typeof BackoffStateSchema>;

export const RefreshStateSchema = z.object({
  version: z.literal(1),
  lastAttempt: RefreshAttemptSchema.optional(),
  /** Last time the CLI renewed the login (epoch ms). */
  lastSuccessAt: Ms.optional(),
  /** Last decision of any kind, including "not needed" without a CLI run. */
  lastCheck: z.object({ at: Ms, outcome: RefreshOutcomeSchema, detail: z.string() }).optional(),
  backoff: BackoffStateSchema.optional(),
  counters: z
    .object({
      /** Failed CLI runs by outcome (transient, login-required, unknown). */
      refreshFailures: z.record(z.string(), z.number().int().nonnegative()).default({}),
      /** Syncs (run after a renewal) that failed or had a failed target. */
      syncFailures: z.number().int().nonnegative().default(0),
      cliRuns: z.number().int().nonnegative().default(0),
    })
    .default({ refreshFailures: {}, syncFailures: 0, cliRuns: 0 }),
});
export type RefreshState = z.infer<typeof RefreshStateSchema>;

export function emptyRefreshState(): RefreshState {
  return { version: 1, counters: { refreshFailures: {}, syncFailures: 0, cliRuns: 0 } };
}

/** A short, non-reversible identifier of a token (never the token). */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 16);
}

export function readRefreshState(stateDir: string, log?: Logger): Promise<StateReadResult<RefreshState>> {
  return readState(stateDir, REFRESH_STATE_NAME, RefreshStateSchema, emptyRefreshState(), log);
}

export function writeRefreshState(stateDir: string, state: RefreshState): Promise<void> {
  return writeState(stateDir, REFRESH_STATE_NAME, state);
}
