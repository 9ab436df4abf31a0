/**
 * Making OpenClaw pick up a changed credential (facts/openclaw.md §2.5, §6): the gateway serves
 * an in-memory snapshot of the auth stores, and reads `.env` only at start. One reload per sync,
 * only when something changed, at most one per `reload.minIntervalSeconds`; a change inside the
 * window is recorded as pending and run by the watcher (runPendingReload) when the window ends.
 */
import type { Config } from "../contract/schema";
import { describeFailure, runProcess, type RunResult } from "../proc";
import { describeCliFailure, resolveContainer, runOpenClawCli } from "../openclaw/cli";
import { scrubText } from "../redact";
import { withSyncLock } from "./lock";
import { loadSyncState, saveSyncState, type SyncState } from "./state";
import type { SyncDeps, SyncReport } from "./types";

export type ReloadReport = NonNullable<SyncReport["reload"]>;

/** Pure: run now, or defer until the rate-limit window ends. */
export function decideReload(reload: SyncState["reload"], now: number, minIntervalSeconds: number): { run: true } | { run: false; dueAt: number } {
  const last = reload.lastAt;
  if (last === undefined || minIntervalSeconds <= 0) return { run: true };
  const dueAt = last + minIntervalSeconds * 1000;
  return now >= dueAt ? { run: true } : { run: false, dueAt };
}

/** Pure: the argv of the configured action (docker-mode container already resolved), or why not. */
export function reloadArgv(config: Config, container?: string): { argv: string[]; cwd?: string } | { error: string } | { cli: string[] } {
  const r = config.reload;
  const docker = config.openclaw.docker?.command ?? ["docker"];
  switch (r.action) {
    case "secrets-reload":
      return { cli: ["secrets", "reload"] };
    case "gateway-restart":
      if (config.openclaw.mode === "docker") return { argv: [...docker, "restart", container ?? "<container>"] };
      return { cli: ["gateway", "restart"] };
    case "container-recreate": {
      if (!r.composeDir) return { error: "reload.action container-recreate needs reload.composeDir (the Compose project dir): set it in the config" };
      const project = config.openclaw.docker?.composeProject;
      const service = config.openclaw.docker?.composeService ?? "openclaw-gateway";
      return { argv: [...docker, "compose", ...(project ? ["--project-name", project] : []), "up", "-d", "--force-recreate", service], cwd: r.composeDir };
    }
    case "command":
      if (!r.command) return { error: "reload.action command needs reload.command (an argv array): set it in the config" };
      return { argv: [...r.command] };
    case "none":
      return { error: "none" };
  }
}

/** Runs the configured action now (bounded by reload.timeoutSeconds). */
export async function performReload(config: Config): Promise<ReloadReport> {
  const action = config.reload.action;
  if (action === "none") return { action, ok: true, detail: "reload.action is none: OpenClaw picks the change up on its own schedule" };
  const timeoutMs = config.reload.timeoutSeconds * 1000;
  try {
    const container = action === "gateway-restart" && config.openclaw.mode === "docker" ? await resolveContainer(config) : undefined;
    const how = reloadArgv(config, container);
    if ("error" in how) return { action, ok: false, detail: how.error };
    if ("cli" in how) {
      const run = await runOpenClawCli(config, how.cli, { timeoutMs });
      return run.result.exitCode === 0
        ? { action, ok: true, detail: `${run.argv.join(" ")}: ok` }
        : { action, ok: false, detail: describeCliFailure(run) };
    }
    const r: RunResult = await runProcess(how.argv, { timeoutMs, ...(how.cwd ? { cwd: how.cwd } : {}) });
    return r.exitCode === 0
      ? { action, ok: true, detail: `${how.argv.join(" ")}: ok` }
      : { action, ok: false, detail: scrubText(describeFailure(how.argv.join(" "), r)) };
  } catch (e) {
    return { action, ok: false, detail: scrubText(e instanceof Error ? e.message : String(e)) };
  }
}

/** Reload after a change, honouring the rate limit. Mutates `state.reload`. */
export async function reloadAfterChange(config: Config, state: SyncState, deps: SyncDeps): Promise<ReloadReport> {
  const action = config.reload.action;
  if (action === "none") return performReload(config);
  const now = deps.now();
  const d = decideReload(state.reload, now, config.reload.minIntervalSeconds);
  if (!d.run) {
    state.reload.pending = { since: state.reload.pending?.since ?? now, dueAt: d.dueAt };
    const detail = `reload pending: the last one ran less than ${config.reload.minIntervalSeconds} s ago`;
    deps.log.info("reload", { action, outcome: "deferred", until: new Date(d.dueAt).toISOString() });
    return { action, ok: true, detail, deferredUntil: d.dueAt };
  }
  const rep = await performReload(config);
  // A failed attempt counts for the rate limit too (no hammering); the next change retries.
  state.reload.lastAt = deps.now();
  delete state.reload.pending;
  logReload(deps, action, rep, false);
  return rep;
}

/**
 * For the watcher: runs a reload that was deferred by the rate limit, once its window has
 * ended. Returns undefined when nothing is pending; a report with deferredUntil when still early.
 */
export async function runPendingReload(config: Config, deps: SyncDeps): Promise<ReloadReport | undefined> {
  return withSyncLock(config, deps, () => pendingReloadLocked(config, deps));
}

async function pendingReloadLocked(config: Config, deps: SyncDeps): Promise<ReloadReport | undefined> {
  const { state } = await loadSyncState(config.stateDir);
  const pending = state.reload.pending;
  if (!pending) return undefined;
  const action = config.reload.action;
  if (deps.now() < pending.dueAt) return { action, ok: true, detail: "reload pending", deferredUntil: pending.dueAt };
  const rep = await performReload(config);
  state.reload.lastAt = deps.now();
  delete state.reload.pending;
  await saveSyncState(config.stateDir, state);
  logReload(deps, action, rep, true);
  return rep;
}

function logReload(deps: SyncDeps, action: string, rep: ReloadReport, pending: boolean): void {
  const fields = { action, outcome: rep.ok ? "ok" : "failed", pending: pending || undefined, detail: rep.detail };
  if (rep.ok) deps.log.info("reload", fields);
  else deps.log.error("reload", fields);
}
