/** `refresh [--force | --scheduled]`: renew Claude's login inside Claude Code's renewal window (docs "refresh"). */
import type { Command } from "./types";
import { ExitCode, UserError } from "../errors";
import { loadConfig } from "../config/load";
import { readCredentials } from "../credentials";
import { recordSyncOutcome, reportCondition } from "../notify/index";
import { runSync } from "../sync/engine";
import { runRefresh } from "../refresh/run";
import { defaultPlanDeps } from "../refresh/plan";
import { updatePrometheusTextfile } from "../status/wiring";
import { isValidUnitName } from "../notify/state";

/**
 * The systemd unit running us, from `OPENCLAW_OAUTH_SYNC_UNIT` (the refresh unit sets it to %n).
 * Conditions we report carry it, so that this unit's failure is not alerted a second time.
 */
export function unitFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const unit = env.OPENCLAW_OAUTH_SYNC_UNIT;
  return unit !== undefined && isValidUnitName(unit) ? unit : undefined;
}

export function parseRefreshArgs(args: readonly string[]): { force: boolean; scheduled: boolean } {
  let force = false;
  let scheduled = false;
  for (const a of args) {
    if (a === "--force" || a === "-f") force = true;
    else if (a === "--scheduled") scheduled = true;
    else throw new UserError(`refresh: unknown option "${a}" (usage: refresh [--force | --scheduled])`, ExitCode.usage);
  }
  if (force && scheduled) throw new UserError("refresh: --force and --scheduled exclude each other (--scheduled is the timer's; --force runs the CLI now)", ExitCode.usage);
  return { force, scheduled };
}

export const refreshCommand: Command = async (ctx) => {
  const opts = parseRefreshArgs(ctx.args);
  const config = await loadConfig(ctx.configPath);
  const notifyDeps = { log: ctx.log, now: ctx.now };
  const unit = unitFromEnv(process.env);
  const rep = await runRefresh(config, opts, {
    log: ctx.log,
    now: ctx.now,
    random: Math.random,
    readCredentials,
    runSync,
    reportCondition: async (c, r) => {
      await reportCondition(c, { ...r, unit }, notifyDeps);
    },
    plan: defaultPlanDeps(),
  });
  if (rep.outcome === "renewed") {
    // Renewal already logged its line; the sync logged its own.
    if (rep.sync) {
      const failed = rep.sync.results.filter((r) => r.outcome === "failed");
      const ok = !rep.sync.error && failed.length === 0;
      await recordSyncOutcome(config, ok, ok ? "" : (rep.sync.error ?? failed.map((f) => `${f.target}: ${f.detail}`).join("; ")), notifyDeps);
    }
  } else if (rep.exitCode === 0) {
    ctx.log.info(rep.message);
  } else if (rep.outcome === "transient") {
    ctx.log.warn(rep.message);
  } else {
    ctx.log.error(rep.message);
  }
  await updatePrometheusTextfile(config, ctx.log, ctx.now);
  return rep.exitCode;
};
