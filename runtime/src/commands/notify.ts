/**
 * `notify --test`: sends a test message to every configured channel and prints one line per
 * channel. Exit 0 all delivered, 1 any failed, 78 bad notify config or refused secrets file.
 */
import type { Command } from "./types";
import { ExitCode, UserError } from "../errors";
import { loadConfig } from "../config/load";
import { sendTestNotification, readAlertState } from "../notify/index";

const NOTIFY_USAGE = "usage: openclaw-oauth-sync notify --test [--json] | notify --state";

export const notifyCommand: Command = async (ctx) => {
  const json = ctx.args.includes("--json");
  const rest = ctx.args.filter((a) => a !== "--json");
  const config = await loadConfig(ctx.configPath);
  if (rest.length === 1 && rest[0] === "--state") {
    ctx.out(JSON.stringify(await readAlertState(config, { log: ctx.log }), null, 2) + "\n");
    return ExitCode.ok;
  }
  if (rest.length !== 1 || rest[0] !== "--test") throw new UserError(NOTIFY_USAGE, ExitCode.usage);
  if (config.notify.channels.length === 0) {
    throw new UserError(`${ctx.configPath}: notify.channels is empty; nothing to test (see README "Notifications")`, ExitCode.config);
  }
  const results = await sendTestNotification(config, { log: ctx.log, now: ctx.now });
  if (json) {
    ctx.out(JSON.stringify({ results }, null, 2) + "\n");
  } else {
    for (const r of results) ctx.out(`${r.ok ? "ok    " : "FAILED"} ${r.channel} (${r.type} → ${r.target}): ${r.detail}\n`);
  }
  return results.every((r) => r.ok) ? ExitCode.ok : ExitCode.failure;
};
