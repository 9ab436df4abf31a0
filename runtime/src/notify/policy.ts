/**
 * Pure alert policy: given the stored state and a condition report, decide whether to send an
 * alert, a re-alert, a recovery, or nothing; and the per-channel rolling-hour rate limit.
 */
import type { AlertEvent, AlertState, ConditionId, ConditionState } from "./state";

export interface ConditionReport {
  id: ConditionId;
  active: boolean;
  /** Operator-facing detail (scrubbed before it is sent or stored). */
  detail: string;
  /**
   * The systemd unit whose run reports this (`OPENCLAW_OAUTH_SYNC_UNIT`), if any. When that unit
   * then fails, its `unit-failed:` alert would only repeat this one (see explainingCondition).
   */
  unit?: string | undefined;
}

export interface PolicyConfig {
  reAlertMinutes: number;
}

export type SendEvent = Exclude<AlertEvent, "test">;

const HOUR_MS = 3600_000;

/**
 * How long after a unit reported a condition its failure still counts as explained by it. The
 * report is the last thing such a run does before it exits, and OnFailure= starts the alert unit
 * at once; minutes of slack cover a loaded host, while a failure of a later run is not hidden.
 */
export const UNIT_FAILURE_EXPLAINED_MS = 5 * 60_000;

function inactive(detail: string): ConditionState {
  return { active: false, alertCount: 0, pendingRecovery: false, detail };
}

/** The condition's next state and the message to send, if any. */
export function decide(state: AlertState, report: ConditionReport, now: number, cfg: PolicyConfig): { state: AlertState; event?: SendEvent } {
  const prev: ConditionState = state.conditions[report.id] ?? inactive("");
  let next: ConditionState;
  let event: SendEvent | undefined;
  if (report.active) {
    if (!prev.active) {
      next = { active: true, since: now, alertCount: 0, pendingRecovery: false, detail: report.detail };
      event = "alert";
    } else {
      next = { ...prev, detail: report.detail };
      if (prev.lastAlertAt === undefined) event = "alert"; // earlier delivery failed or was rate-limited
      // now < lastAlertAt: the clock went backwards; re-alert rather than stay silent until it catches up.
      else if (cfg.reAlertMinutes > 0 && (now - prev.lastAlertAt >= cfg.reAlertMinutes * 60_000 || now < prev.lastAlertAt)) event = "re-alert";
    }
  } else if (prev.active) {
    // Recover only what we told someone about; a condition nobody heard of clears silently.
    const told = prev.lastAlertAt !== undefined;
    next = { ...inactive(report.detail), pendingRecovery: told };
    if (told) event = "recovery";
  } else {
    next = { ...prev, detail: prev.pendingRecovery ? report.detail : prev.detail };
    if (prev.pendingRecovery) event = "recovery";
  }
  if (report.active && report.unit !== undefined) next = { ...next, reportedBy: { unit: report.unit, at: now } };
  const out: AlertState = { ...state, conditions: { ...state.conditions, [report.id]: next } };
  return event ? { state: out, event } : { state: out };
}

/**
 * The active condition that `unit` itself reported just before it failed (e.g. refresh found a
 * dead login, alerted `login-required`, then exited 1): its failure says nothing new, so the
 * `unit-failed:` alert is skipped. Undefined when the failure is unexplained and must be alerted.
 */
export function explainingCondition(state: AlertState, unit: string, now: number): ConditionId | undefined {
  for (const [id, c] of Object.entries(state.conditions)) {
    const by = c.reportedBy;
    if (!c.active || by === undefined || by.unit !== unit) continue;
    // at > now: the clock went backwards since; the report cannot be dated, so it explains nothing.
    if (by.at <= now && now - by.at <= UNIT_FAILURE_EXPLAINED_MS) return id as ConditionId;
  }
  return undefined;
}

/** Records the outcome of sending `event` for `id`; `delivered` = at least one channel took it. */
export function applyDelivery(state: AlertState, id: ConditionId, event: SendEvent, now: number, delivered: boolean): AlertState {
  const c = state.conditions[id];
  if (!c || !delivered) return state;
  const next: ConditionState =
    event === "recovery" ? { ...c, pendingRecovery: false } : { ...c, lastAlertAt: now, alertCount: c.alertCount + 1 };
  return { ...state, conditions: { ...state.conditions, [id]: next } };
}

/** Send times within the last hour. */
export function recentSends(times: readonly number[] | undefined, now: number): number[] {
  return (times ?? []).filter((t) => t > now - HOUR_MS && t <= now);
}

/** True when the channel may send one more message now. */
export function withinRateLimit(times: readonly number[] | undefined, now: number, maxPerHour: number): boolean {
  return recentSends(times, now).length < maxPerHour;
}

/** State with one more send attempt recorded for `label` (old entries pruned). */
export function recordSend(state: AlertState, label: string, now: number): AlertState {
  return { ...state, sends: { ...state.sends, [label]: [...recentSends(state.sends[label], now), now] } };
}
