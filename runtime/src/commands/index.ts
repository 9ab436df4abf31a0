/** The subcommand table. Each command lives in its own module. */
import type { Command } from "./types";
import { syncCommand } from "./sync";
import { watchCommand } from "./watch";

export const COMMANDS: Record<string, Command> = {
  sync: syncCommand,
  watch: watchCommand,
};

export const USAGE = `usage: openclaw-oauth-sync [--config FILE] <command> [options]

commands:
  sync       copy Claude's current access token into every configured OpenClaw target, once
  watch      follow the credentials file and sync on every change (the systemd service)
  version    print the version

config: --config FILE, or $OPENCLAW_OAUTH_SYNC_CONFIG, or ${"/etc/openclaw-oauth-sync/config.json"}
`;
