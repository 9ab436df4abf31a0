/**
 * `watch`: the long-running service. Follows the Claude credentials file and syncs on every
 * change, once at start, and every `watch.resyncIntervalSeconds`; runs reloads the engine deferred.
 * Exit codes: 0 on SIGTERM/SIGINT; 78 bad config; 64 bad arguments. A failed sync is logged and
 * retried, never fatal.
 */
import type { Command } from "./types";
import { ExitCode, UserError } from "../errors";
import { loadConfig } from "../config/load";
import { runPendingReload, runSync } from "../sync/engine";
import { watchCredentials } from "../watch/watcher";

const USAGE = "usage: openclaw-oauth-sync watch";

export const watchCommand: Command = async (ctx) => {
  if (ctx.args.length > 0) throw new UserError(`watch: unexpected argument "${ctx.args[0]}"\n${USAGE}`, ExitCode.usage);
  const config = await loadConfig(ctx.configPath);
  const deps = { log: ctx.log, now: ctx.now };
  const watcher = watchCredentials(
    config.claudeCredentials,
    {
      debounceMs: config.watch.debounceMs,
      polling: config.watch.polling,
      pollIntervalMs: config.watch.pollIntervalMs,
      resyncIntervalSeconds: config.watch.resyncIntervalSeconds,
    },
    {
      sync: () => runSync(config, deps),
      reload: () => runPendingReload(config, deps),
      log: ctx.log,
      now: ctx.now,
    },
  );
  await watcher.ready;
  await ctx.stopSignal;
  await watcher.close();
  return ExitCode.ok;
};
