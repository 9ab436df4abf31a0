/**
 * `notify --test`: sends a test message to every configured channel and prints one line per
 * channel. Exit 0 all delivered, 1 any failed, 78 bad notify config or refused secrets file.
 *
 * `notify --unit-failed <unit>` / `--unit-ok <unit>`: raise / clear the condition
 * `unit-failed:<unit>` through the alert policy (dedupe, re-alert, rate limit, recovery). Run by
 * systemd: OnFailure= starts the alert unit, ExecStartPost= of our units clears. Not raised when
 * the unit alerted the cause itself just before failing (a dead login: one message, not two).
 * Exit 0 even when no channel took the message (the log says why): a failing alert unit would
 * only add noise, and the state keeps the alert pending for the next report. Exit 64 on a bad
 * unit name.
 */
import type { Command } from "./types";
import { ExitCode, UserError } from "../errors";
import { loadConfig } from "../config/load";
import { sendTestNotification, readAlertState, reportCondition, reportUnitFailure } from "../notify/index";
import { unitFailedCondition } from "../notify/state";

const NOTIFY_USAGE =
  "usage: openclaw-oauth-sync notify --test [--json] | notify --state | notify --unit-failed <unit> [--json] | notify --unit-ok <unit> [--json]";

export const notifyCommand: Command = async (ctx) => {
  const json = ctx.args.includes("--json");
  const rest = ctx.args.filter((a) => a !== "--json");
  const flag = rest[0];
  if (flag === "--unit-failed" || flag === "--unit-ok") {
    if (rest.length !== 2) throw new UserError(NOTIFY_USAGE, ExitCode.usage);
    const unit = rest[1]!;
    // Checked before the config is read, so a bad name is 64 whatever the config's state.
    const id = unitFailedCondition(unit);
    if (id === undefined) {
      throw new UserError(
        `notify ${flag}: ${JSON.stringify(unit.slice(0, 300))} is not a systemd unit name (only letters, digits and : _ . @ - \\; ending in .service or .timer; at most 256 characters); pass the full unit name, e.g. openclaw-oauth-sync-watch.service`,
        ExitCode.usage,
      );
    }
    const active = flag === "--unit-failed";
    const config = await loadConfig(ctx.configPath);
    if (!active && (await readAlertState(config, { log: ctx.log })).conditions[id] === undefined) {
      // Every successful start runs --unit-ok: a unit that never failed costs a read, not a lock and a write.
      if (json) ctx.out(JSON.stringify({ condition: id, active, event: null, results: [], suppressed: [] }, null, 2) + "\n");
      else ctx.out(`${id}: not active; nothing to send\n`);
      return ExitCode.ok;
    }
    const deps = { log: ctx.log, now: ctx.now };
    const outcome = active
      ? await reportUnitFailure(config, unit, deps)
      : await reportCondition(config, { id, active, detail: `${unit} started successfully again.` }, deps);
    const explainedBy = "explainedBy" in outcome ? outcome.explainedBy : undefined;
    if (json) {
      ctx.out(JSON.stringify({ condition: id, active: active && !explainedBy, explainedBy: explainedBy ?? null, event: outcome.event ?? null, results: outcome.results, suppressed: outcome.suppressed }, null, 2) + "\n");
    } else if (explainedBy) {
      ctx.out(`${id}: not raised; ${unit} alerted ${explainedBy} itself before it failed\n`);
    } else {
      const delivered = outcome.results.filter((r) => r.ok).map((r) => r.channel);
      const what = outcome.event === undefined ? "nothing to send" : `${outcome.event}${delivered.length ? ` delivered to ${delivered.join(", ")}` : " not delivered (see log)"}`;
      ctx.out(`${id}: ${active ? "active" : "cleared"}; ${what}\n`);
    }
    return ExitCode.ok;
  }
  const config = await loadConfig(ctx.configPath);
  if (rest.length === 1 && rest[0] === "--state") {
    ctx.out(JSON.stringify(await readAlertState(config, { log: ctx.log }), null, 2) + "\n");
    return ExitCode.ok;
  }
  if (rest.length !== 1 || rest[0] !== "--test") throw new UserError(NOTIFY_USAGE, ExitCode.usage);
  if (config.notify.channels.length === 0) {
    throw new UserError(`${ctx.configPath}: notify.channels is empty; nothing to test (see docs/runtime.md, "Notifications")`, ExitCode.config);
  }
  const results = await sendTestNotification(config, { log: ctx.log, now: ctx.now });
  if (json) {
    ctx.out(JSON.stringify({ results }, null, 2) + "\n");
  } else {
    for (const r of results) ctx.out(`${r.ok ? "ok    " : "FAILED"} ${r.channel} (${r.type} → ${r.target}): ${r.detail}\n`);
  }
  return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.failure;
};
