/**
 * The alerting API other modules call.
 *
 * - `reportCondition` after every check of a condition (active or not): alerts once when it
 *   becomes active, again after `notify.reAlertMinutes` while it stays active, and sends a
 *   recovery when it clears (only if an alert went out).
 * - `recordSyncOutcome` after every sync: `sync-failing` turns active after
 *   `notify.syncFailureThreshold` consecutive failures.
 * - `readAlertState` for `status`.
 *
 * Never fatal: a broken channel, a refused secrets file or an unwritable state file is logged and
 * the caller goes on. No token or channel secret reaches a message or a log line.
 *
 * @example
 *   await reportCondition(config, { id: "login-required", active: true, detail: "refresh rejected: invalid_grant" }, { log, now: Date.now });
 */
import { hostname as osHostname } from "node:os";
import type { Config } from "../contract/schema";
import type { Logger } from "../log";
import { errnoCode, UserError } from "../errors";
import { runProcess as realRunProcess } from "../proc";
import { deliver, type DeliveryResult, type FetchLike, type RunProcessLike } from "./channels";
import { buildMessage, scrubSecrets, userFromCredentialsPath, type Message, type MessageContext } from "./messages";
import { applyDelivery, decide, explainingCondition, recordSend, withinRateLimit, type ConditionReport, type SendEvent } from "./policy";
import { resolveChannels, type ResolvedChannel } from "./secrets";
import { loadAlertState, saveAlertState, unitFailedCondition, withAlertLock, type AlertState, type ConditionId } from "./state";

export type { ConditionReport } from "./policy";
export type { AlertState, ConditionId } from "./state";
export type { DeliveryResult } from "./channels";

export interface NotifyDeps {
  log: Logger;
  now: () => number;
  fetch?: FetchLike;
  runProcess?: RunProcessLike;
  /** Required owner of notify.secretsFile; root unless a test says otherwise. */
  secretsOwnerUid?: number;
}

export interface ReportOutcome {
  event?: SendEvent;
  results: DeliveryResult[];
  /** Channels skipped by the rate limit. */
  suppressed: string[];
}

function defaultFetch(): FetchLike {
  return globalThis.fetch as unknown as FetchLike;
}

export function messageContext(config: Config): MessageContext {
  const d = config.openclaw.docker;
  const container = d?.container ?? `$(docker ps -q -f label=com.docker.compose.service=${d?.composeService ?? "openclaw-gateway"})`;
  return {
    host: config.notify.hostname ?? osHostname(),
    user: config.notify.loginUser ?? userFromCredentialsPath(config.claudeCredentials) ?? `the owner of ${config.claudeCredentials}`,
    docker: config.openclaw.mode === "docker" ? { container, user: d?.user ?? "node" } : undefined,
  };
}

function lockOptions(config: Config) {
  const longest = Math.max(config.notify.timeoutSeconds, ...config.notify.channels.map((c) => (c.type === "command" ? c.timeoutSeconds : 0)));
  return { waitMs: (longest + 5) * 1000, staleMs: (longest + 60) * 1000 };
}

/** Sends `msg` to every channel the rate limit allows; returns the new state and the results. */
async function sendAll(
  config: Config,
  channels: ResolvedChannel[],
  state: AlertState,
  msg: Message,
  deps: NotifyDeps,
): Promise<{ state: AlertState; results: DeliveryResult[]; suppressed: string[] }> {
  const now = deps.now();
  const suppressed: string[] = [];
  const allowed: ResolvedChannel[] = [];
  let next = state;
  for (const ch of channels) {
    if (!withinRateLimit(next.sends[ch.label], now, config.notify.maxPerHour)) {
      suppressed.push(ch.label);
      continue;
    }
    next = recordSend(next, ch.label, now);
    allowed.push(ch);
  }
  const ddeps = {
    fetch: deps.fetch ?? defaultFetch(),
    runProcess: deps.runProcess ?? realRunProcess,
    timeoutMs: config.notify.timeoutSeconds * 1000,
  };
  const results = await Promise.all(allowed.map((ch) => deliver(ch, msg, ddeps)));
  for (const r of results) {
    if (r.ok) deps.log.info("notify: sent", { channel: r.channel, event: msg.event, condition: msg.condition });
    else deps.log.warn("notify: delivery failed", { channel: r.channel, type: r.type, to: r.target, event: msg.event, condition: msg.condition, error: r.detail });
  }
  for (const s of suppressed) {
    deps.log.warn("notify: rate limit reached; message not sent", { channel: s, event: msg.event, condition: msg.condition, maxPerHour: config.notify.maxPerHour });
  }
  return { state: next, results, suppressed };
}

/** Under the lock: decide, send, record. `state` is the freshly loaded state (possibly modified by the caller). */
async function reportLocked(config: Config, state: AlertState, report: ConditionReport, deps: NotifyDeps): Promise<{ state: AlertState; outcome: ReportOutcome }> {
  const now = deps.now();
  const detail = scrubSecrets(report.detail, []);
  const d = decide(state, { ...report, detail }, now, config.notify);
  if (!d.event) return { state: d.state, outcome: { results: [], suppressed: [] } };
  const event = d.event;
  let channels: ResolvedChannel[] | undefined;
  try {
    channels = await resolveChannels(config.notify, deps.secretsOwnerUid === undefined ? {} : { expectedUid: deps.secretsOwnerUid });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    deps.log.error(`notify: cannot send ${event} for ${report.id}: ${e.message}`);
  }
  const secrets = (channels ?? []).flatMap((c) => Object.values(c.secrets));
  const msg = buildMessage(messageContext(config), { event, condition: report.id, detail, since: d.state.conditions[report.id]?.since, now }, secrets);
  deps.log.warn(`notify: ${event}: ${msg.title}`, { condition: report.id });
  let next = d.state;
  let results: DeliveryResult[] = [];
  let suppressed: string[] = [];
  let delivered: boolean;
  if (channels === undefined) {
    delivered = false; // secrets refused: keep the event pending, retry on the next report
  } else if (channels.length === 0) {
    deps.log.warn(`notify: no channels configured; the log line above is the alert`, { condition: report.id });
    delivered = true;
  } else {
    ({ state: next, results, suppressed } = await sendAll(config, channels, next, msg, deps));
    delivered = results.some((r) => r.ok);
  }
  next = applyDelivery(next, report.id, event, now, delivered);
  if (delivered) {
    next = { ...next, lastSent: { condition: report.id, event, at: now, delivered: results.filter((r) => r.ok).map((r) => r.channel), failed: results.filter((r) => !r.ok).map((r) => r.channel) } };
  }
  return { state: next, outcome: { event, results, suppressed } };
}

async function mutateState(config: Config, deps: NotifyDeps, fn: (s: AlertState) => Promise<{ state: AlertState; outcome: ReportOutcome }>): Promise<ReportOutcome> {
  try {
    return await withAlertLock(config.stateDir, lockOptions(config), deps.log, async () => {
      const before = await loadAlertState(config.stateDir, deps.log);
      const { state, outcome } = await fn(before);
      if (JSON.stringify(state) !== JSON.stringify(before)) {
        try {
          await saveAlertState(config.stateDir, state);
        } catch (e) {
          deps.log.error("notify: cannot save the alert state (alerts may repeat)", { path: config.stateDir, error: errnoCode(e) ?? (e as Error).message });
        }
      }
      return outcome;
    });
  } catch (e) {
    // Never fatal for the caller (sync, refresh): log and go on.
    deps.log.error("notify: alert handling failed", { error: scrubSecrets(e instanceof Error ? e.message : String(e), []) });
    return { results: [], suppressed: [] };
  }
}

/** Reports the current value of a condition; sends an alert, re-alert or recovery when due. */
export async function reportCondition(config: Config, report: ConditionReport, deps: NotifyDeps): Promise<ReportOutcome> {
  return mutateState(config, deps, (s) => reportLocked(config, s, report, deps));
}

/**
 * `notify --unit-failed <unit>`: raises `unit-failed:<unit>`, unless the unit alerted the cause
 * itself just before it failed (policy.ts explainingCondition): then nothing is sent and
 * `explainedBy` names that condition. Throws on a name that is not a unit name (the caller checks).
 */
export async function reportUnitFailure(config: Config, unit: string, deps: NotifyDeps): Promise<ReportOutcome & { explainedBy?: ConditionId }> {
  const id = unitFailedCondition(unit);
  if (id === undefined) throw new Error(`not a systemd unit name: ${JSON.stringify(unit.slice(0, 300))}`);
  let explainedBy: ConditionId | undefined;
  const outcome = await mutateState(config, deps, async (s) => {
    explainedBy = explainingCondition(s, unit, deps.now());
    if (explainedBy === undefined) return reportLocked(config, s, { id, active: true, detail: `systemd reports ${unit} as failed.` }, deps);
    deps.log.info(`notify: ${unit} failed after alerting ${explainedBy} itself; no separate unit-failed alert`, { condition: id });
    return { state: s, outcome: { results: [], suppressed: [] } };
  });
  return explainedBy === undefined ? outcome : { ...outcome, explainedBy };
}

/** Counts consecutive sync failures; `sync-failing` is active from `notify.syncFailureThreshold` on. */
export async function recordSyncOutcome(config: Config, ok: boolean, detail: string, deps: NotifyDeps): Promise<ReportOutcome> {
  return mutateState(config, deps, async (s) => {
    const now = deps.now();
    const consecutive = ok ? 0 : s.syncFailures.consecutive + 1;
    const clean = scrubSecrets(detail, []);
    const state: AlertState = { ...s, syncFailures: ok ? { consecutive: 0 } : { consecutive, lastDetail: clean, lastAt: now } };
    const wasActive = s.conditions["sync-failing"]?.active ?? false;
    const pending = s.conditions["sync-failing"]?.pendingRecovery ?? false;
    const threshold = config.notify.syncFailureThreshold;
    // Nothing to decide while healthy and nothing is pending: keeps the per-sync cost to a read.
    if (ok && !wasActive && !pending) return { state, outcome: { results: [], suppressed: [] } };
    const report: ConditionReport = ok
      ? { id: "sync-failing", active: false, detail: `Sync succeeded again${clean ? `: ${clean}` : ""}.` }
      : { id: "sync-failing", active: consecutive >= threshold, detail: `${consecutive} consecutive failed sync${consecutive === 1 ? "" : "s"}; last: ${clean}` };
    if (!ok && consecutive < threshold && !wasActive) return { state, outcome: { results: [], suppressed: [] } };
    return reportLocked(config, state, report, deps);
  });
}

/** The stored alert state (empty when none or corrupt; corruption is logged if a logger is given). */
export async function readAlertState(config: Config, deps: { log?: Logger } = {}): Promise<AlertState> {
  return loadAlertState(config.stateDir, deps.log);
}

/**
 * `notify --test`: one test message to every configured channel, bypassing the rate limit and
 * the alert state. Throws ConfigError (exit 78) when the secrets file is refused.
 */
export async function sendTestNotification(config: Config, deps: NotifyDeps): Promise<DeliveryResult[]> {
  const channels = await resolveChannels(config.notify, deps.secretsOwnerUid === undefined ? {} : { expectedUid: deps.secretsOwnerUid });
  const secrets = channels.flatMap((c) => Object.values(c.secrets));
  const msg = buildMessage(messageContext(config), { event: "test", condition: "test", detail: "", now: deps.now() }, secrets);
  const ddeps = { fetch: deps.fetch ?? defaultFetch(), runProcess: deps.runProcess ?? realRunProcess, timeoutMs: config.notify.timeoutSeconds * 1000 };
  return Promise.all(channels.map((ch) => deliver(ch, msg, ddeps)));
}

/** The last alert as `status` shows it: condition, whether it is still active, when it was sent. */
export interface LastAlertView {
  condition: string;
  active: boolean;
  at?: number | undefined;
  event?: string | undefined;
  detail?: string | undefined;
}

export async function readLastAlert(config: Config, deps: { log?: Logger } = {}): Promise<LastAlertView | undefined> {
  const s = await readAlertState(config, deps);
  if (!s.lastSent) return undefined;
  const c = s.conditions[s.lastSent.condition];
  return { condition: s.lastSent.condition, active: c?.active ?? false, at: s.lastSent.at, event: s.lastSent.event, detail: c?.detail };
}
