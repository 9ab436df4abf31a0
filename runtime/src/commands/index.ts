/** The subcommand table. Each command lives in its own module. */
import type { Command } from "./types";
import { syncCommand } from "./sync";
import { watchCommand } from "./watch";
import { editEnvCommand } from "./edit-env";
import { editJsonCommand } from "./edit-json";
import { doctorCommand } from "./doctor";
import { notifyCommand } from "./notify";
import { refreshCommand } from "./refresh";
import { statusCommand } from "./status";

export const COMMANDS: Record<string, Command> = {
  sync: syncCommand,
  watch: watchCommand,
  "edit-env": editEnvCommand,
  "edit-json": editJsonCommand,
  doctor: doctorCommand,
  notify: notifyCommand,
  refresh: refreshCommand,
  status: statusCommand,
};

export const USAGE = `usage: openclaw-oauth-sync [--config FILE] <command> [options]

commands:
  sync       [--json] [--verbose] copy Claude's current access token into every configured OpenClaw target, once
  watch      follow the credentials file and sync on every change (the systemd service)
  doctor     check this host for known misconfigurations and print the fix (--json; exit 1 on errors)
  notify     --test: a test message to every channel (exit 1 if any failed); --unit-failed/--unit-ok UNIT: raise/clear a unit alert (used by systemd); --state
  refresh    run the Claude CLI so Claude Code renews its login when it is close to expiry, then sync (--force)
  status     token expiry, targets, last refresh, alerts, route (--json; --check: exit 0 ok / 1 expired or login required / 2 expiring; --prometheus FILE)
  edit-env   [--get] read/set entries of one .env file; JSON request on stdin, JSON answer on stdout (used by Pulumi)
  edit-json  [--get] read/set values at paths of one JSON/JSON5 file; JSON request on stdin (used by Pulumi)
  version    print the version

config: --config FILE, or $OPENCLAW_OAUTH_SYNC_CONFIG, or ${"/etc/openclaw-oauth-sync/config.json"}
`;
