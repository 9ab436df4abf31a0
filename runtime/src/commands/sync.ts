/**
 * `sync`: one pass over every configured target, then one reload if anything changed.
 * Exit codes (docs/runtime.md, "Exit codes of `sync`"): 0 every target written/unchanged/skipped-newer; 1 a target
 * failed or was refused, or the reload failed; 65/66/77 the credentials file is unusable /
 * missing / unreadable; 78 bad config.
 */
import type { Command } from "./types";
import { ExitCode, UserError } from "../errors";
import { loadConfig } from "../config/load";
import type { Logger } from "../log";
import { runSync } from "../sync/engine";
import type { SyncReport, TargetResult } from "../sync/types";

const USAGE = "usage: openclaw-oauth-sync sync [--json] [--verbose] [--remove-route-profile]";

/** Pure: the human line for one target. */
export function formatResult(r: TargetResult): string {
  const where = r.path ? ` (${r.path})` : "";
  switch (r.outcome) {
    case "written":
      return `written: ${r.target}${where}: ${r.detail}`;
    case "unchanged":
      return `unchanged: ${r.target}${where}`;
    case "skipped-newer":
      return `skipped: ${r.target}${where}: ${r.detail}`;
    case "refused":
      return `refused: ${r.target}${where}: ${r.detail}`;
    case "failed":
      return `failed: ${r.target}${where}: ${r.detail}`;
  }
}

/** Pure: the summary line. */
export function formatSummary(rep: SyncReport): string {
  if (rep.error) return `sync failed: ${rep.error}`;
  const n = (o: TargetResult["outcome"]) => rep.results.filter((r) => r.outcome === o).length;
  const bad = n("failed") + n("refused");
  if (!rep.changed) return bad ? `nothing written; ${bad} target(s) need attention` : "nothing to do";
  let line = `${n("written")} target(s) written`;
  if (bad) line += `, ${bad} need attention`;
  if (rep.reload) {
    line += rep.reload.deferredUntil
      ? `; reload (${rep.reload.action}) deferred until ${new Date(rep.reload.deferredUntil).toISOString()}`
      : `; reload (${rep.reload.action}): ${rep.reload.ok ? "ok" : `FAILED: ${rep.reload.detail}`}`;
  }
  return line;
}

/** Pure: the exit code of a report. */
export function syncExitCode(rep: SyncReport): number {
  if (rep.error) return rep.errorExitCode ?? ExitCode.failure;
  if (rep.results.some((r) => r.outcome === "failed" || r.outcome === "refused")) return ExitCode.failure;
  if (rep.reload && !rep.reload.ok) return ExitCode.failure;
  return ExitCode.ok;
}

export const syncCommand: Command = async (ctx) => {
  let json = false;
  let verbose = false;
  let removeRouteProfile = false;
  for (const a of ctx.args) {
    if (a === "--json") json = true;
    else if (a === "--remove-route-profile") removeRouteProfile = true;
    else if (a === "--verbose" || a === "-v") verbose = true;
    else throw new UserError(`sync: unknown option "${a}"\n${USAGE}`, ExitCode.usage);
  }
  const config = await loadConfig(ctx.configPath);
  // The per-target lines below replace the engine's info lines; warnings/errors still go to stderr.
  const log: Logger =
    verbose && !json ? ctx.log : { info: () => undefined, warn: (m, f) => ctx.log.warn(m, f), error: (m, f) => ctx.log.error(m, f) };
  const report = await runSync(config, { log, now: ctx.now, ...(removeRouteProfile ? { removeRouteProfile } : {}) });
  if (json) {
    ctx.out(JSON.stringify(report, null, 2) + "\n");
  } else {
    for (const r of report.results) ctx.out(formatResult(r) + "\n");
    ctx.out(formatSummary(report) + "\n");
  }
  return syncExitCode(report);
};
