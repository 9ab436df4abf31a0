/**
 * Binds `status` (and the Prometheus update after `refresh`) to the real modules: the sync
 * engine's read-only inspection and notify's alert state.
 */
import type { Config } from "../contract/schema";
import { readCredentials } from "../credentials";
import type { Logger } from "../log";
import { readAlertState } from "../notify/index";
import { inspectTargets } from "../sync/engine";
import type { LastAlert } from "../refresh/types";
import { collectStatus, type StatusDeps, type StatusReport } from "./collect";
import { writePrometheusFile } from "./prometheus";

/** Adapts notify's alert state to the one line `status` shows. */
export async function readLastAlert(config: Config, log?: Logger): Promise<LastAlert | undefined> {
  const s = await readAlertState(config, log ? { log } : {});
  const last = s.lastSent;
  if (last) {
    const cond = s.conditions[last.condition];
    return { condition: last.condition, event: last.event, active: cond?.active ?? false, at: last.at, detail: cond?.detail || undefined };
  }
  // Active but never delivered (no channels configured, or every delivery failed).
  const active = Object.entries(s.conditions).find(([, c]) => c.active);
  if (!active) return undefined;
  const [id, c] = active;
  return { condition: id, event: "undelivered", active: true, at: c.since, detail: c.detail || undefined };
}

export function realStatusDeps(log: Logger, now: () => number): StatusDeps {
  return {
    log,
    now,
    readCredentials,
    inspectTargets,
    readLastAlert: (config) => readLastAlert(config, log),
  };
}

export async function collectRealStatus(config: Config, log: Logger, now: () => number): Promise<StatusReport> {
  return collectStatus(config, realStatusDeps(log, now));
}

/** After `refresh`: keep the textfile current if one is configured. Failures are logged, not fatal. */
export async function updatePrometheusTextfile(config: Config, log: Logger, now: () => number): Promise<void> {
  const path = config.refresh.prometheusTextfile;
  if (!path) return;
  try {
    await writePrometheusFile(path, await collectRealStatus(config, log, now));
  } catch (e) {
    log.warn(`cannot write the Prometheus textfile ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
