/**
 * The sync engine: reads Claude's credentials once, brings every configured target up to date
 * (DESIGN §3–§4), then reloads OpenClaw once if anything changed. One log line per target.
 */
import type { Config } from "../contract/schema";
import type { Target } from "../contract/targets";
import { CredentialsError, readCredentials, type ClaudeCredentials } from "../credentials";
import { errnoCode, ExitCode, UserError } from "../errors";
import { readDeclaredAgents } from "../openclaw/agents";
import { readOpenClawVersion } from "../openclaw/era";
import { resolveOwner } from "../openclaw/owner";
import { openclawConfigPath } from "../openclaw/paths";
import { redactToken, scrubText } from "../redact";
import { isDir, serialQueue, type RunContext } from "./context";
import { reloadAfterChange } from "./reload";
import { withSyncLock } from "./lock";
import { loadSyncState, saveSyncState } from "./state";
import { syncAuthStore } from "./targets/auth-store";
import { syncEnv } from "./targets/env";
import { syncOauthJson } from "./targets/oauth-json";
import type { SyncDeps, SyncReport, TargetResult } from "./types";

export { inspectTargets } from "./inspect";
export { runPendingReload } from "./reload";

/** Shared, read-mostly facts of one run. */
export async function buildContext(config: Config, creds: ClaudeCredentials, deps: SyncDeps): Promise<RunContext> {
  const stateDir = config.openclaw.stateDir;
  const [owner, version, stateDirExists, loaded, declared] = await Promise.all([
    resolveOwner(config),
    readOpenClawVersion(config.openclaw.version, openclawConfigPath(stateDir, config.openclaw.configPath)),
    isDir(stateDir),
    loadSyncState(config.stateDir),
    config.targets.some((t) => t.kind === "auth-store") ? readDeclaredAgents(config) : Promise.resolve({ agents: [], problems: [] }),
  ]);
  if (loaded.warning) deps.log.warn(loaded.warning);
  return { config, creds, deps, owner, version, stateDirExists, state: loaded.state, declaredAgents: declared.agents, serial: serialQueue() };
}

async function syncTarget(ctx: RunContext, target: Target): Promise<TargetResult[]> {
  switch (target.kind) {
    case "auth-store":
      return syncAuthStore(ctx, target);
    case "oauth-json":
      return [await syncOauthJson(ctx, target)];
    case "env":
      return [await syncEnv(ctx, target)];
  }
}

function logResult(deps: SyncDeps, r: TargetResult, secrets: readonly string[]): void {
  const fields = { target: r.target, outcome: r.outcome, era: r.era, path: r.path, detail: scrubText(r.detail, secrets) };
  if (r.outcome === "failed") deps.log.error("sync", fields);
  else if (r.outcome === "refused") deps.log.warn("sync", fields);
  else deps.log.info("sync", fields);
}

/**
 * One sync, holding the host's sync lock (sync/lock.ts). Never throws for a target's problem (it
 * becomes that target's result); an unreadable source, or another sync holding the lock too
 * long, becomes `report.error` and nothing is touched.
 */
export async function runSync(config: Config, deps: SyncDeps): Promise<SyncReport> {
  try {
    return await withSyncLock(config, deps, () => syncLocked(config, deps));
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    deps.log.error("sync", { outcome: "busy", detail: e.message });
    return { results: [], changed: false, error: e.message, errorExitCode: e.exitCode };
  }
}

async function syncLocked(config: Config, deps: SyncDeps): Promise<SyncReport> {
  let creds: ClaudeCredentials;
  try {
    creds = await readCredentials(config.claudeCredentials);
  } catch (e) {
    if (e instanceof CredentialsError) {
      deps.log.error("sync", { outcome: "no-source", detail: e.message });
      return { results: [], changed: false, error: e.message, errorExitCode: e.exitCode };
    }
    const msg = `${config.claudeCredentials}: ${scrubText(e instanceof Error ? e.message : String(e))}`;
    deps.log.error("sync", { outcome: "no-source", detail: msg });
    return { results: [], changed: false, error: msg, errorExitCode: ExitCode.ioErr };
  }
  const secrets = [creds.accessToken, creds.refreshToken];
  const sourceExpired = creds.expiresAt <= deps.now();
  if (sourceExpired) {
    deps.log.warn(
      `source token ${redactToken(creds.accessToken)} expired at ${new Date(creds.expiresAt).toISOString()}; syncing it anyway (it may be the newest there is) — run 'refresh' or log in with 'claude'`,
    );
  }
  let ctx: RunContext;
  try {
    ctx = await buildContext(config, creds, deps);
  } catch (e) {
    // openclaw.stateDir or our own stateDir cannot even be looked at: nothing is touched.
    const code = errnoCode(e);
    const msg = `cannot inspect ${config.openclaw.stateDir} or ${config.stateDir}: ${scrubText(e instanceof Error ? e.message : String(e), secrets)}${
      code === "EACCES" || code === "EPERM" ? " (run as root or as the account that owns them)" : ""
    }`;
    deps.log.error("sync", { outcome: "no-context", detail: msg });
    return { sourceExpiresAt: creds.expiresAt, results: [], changed: false, error: msg, errorExitCode: code === "EACCES" || code === "EPERM" ? ExitCode.noPerm : ExitCode.ioErr };
  }
  const before = JSON.stringify(ctx.state);
  // Targets are independent files (or CLI calls) and each write ends in an fsync: run them
  // concurrently, report in config order. Two targets on one store serialise on OpenClaw's lock.
  const results: TargetResult[] = (await Promise.all(config.targets.map((t) => syncTarget(ctx, t)))).flat();
  for (const r of results) {
    r.detail = scrubText(r.detail, secrets);
    logResult(deps, r, secrets);
  }
  const changed = results.some((r) => r.outcome === "written");
  const report: SyncReport = { sourceExpiresAt: creds.expiresAt, results, changed, ...(sourceExpired ? { sourceExpired } : {}) };
  if (changed) report.reload = await reloadAfterChange(config, ctx.state, deps);
  if (JSON.stringify(ctx.state) !== before) {
    try {
      await saveSyncState(config.stateDir, ctx.state);
    } catch (e) {
      // The targets are written; losing the record costs one redundant paste next time.
      deps.log.warn(`could not save ${config.stateDir}/sync-state.json: ${scrubText((e as Error).message)}`);
    }
  }
  return report;
}
