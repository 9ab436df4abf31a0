/** Contracts `refresh` and `status` use from other modules, injected so each side is testable alone. */
import type { Config } from "../contract/schema";
import type { ClaudeCredentials } from "../credentials";
import type { RunSync, InspectTargets } from "../sync/types";

/** Conditions the notify module de-duplicates, alerts on and reports recovery of. */
export type ConditionId = "login-required" | "login-expiring" | "expiring-unrenewed" | "sync-failing";
export interface ConditionReport {
  id: ConditionId;
  active: boolean;
  /** Operator-facing, never a token. */
  detail: string;
}
/** notify's reportCondition with its own deps already bound. */
export type ReportCondition = (config: Config, c: ConditionReport) => Promise<void>;

/** The last alert as `status` shows it (adapted from notify's alert state). */
export interface LastAlert {
  condition: string;
  /** alert, re-alert, recovery, test. */
  event?: string | undefined;
  active: boolean;
  /** When it was last sent (epoch ms). */
  at?: number | undefined;
  detail?: string | undefined;
}
export type ReadLastAlert = (config: Config) => Promise<LastAlert | undefined>;

export type ReadCredentials = (path: string) => Promise<ClaudeCredentials>;
export type { RunSync, InspectTargets };
