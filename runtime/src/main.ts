/**
 * Entry point of the host runtime (bundled into one file). The only module with process-level
 * effects: argv, exit codes, signals.
 */
import { consoleLogger } from "./log";
import { ExitCode, UserError } from "./errors";
import { DEFAULT_CONFIG_PATH } from "./config/load";
import { scrubText } from "./redact";
import type { Command, CommandContext } from "./commands/types";
import { COMMANDS, USAGE } from "./commands/index";

export const VERSION = "0.1.0";

function parseGlobal(argv: string[]): { configPath: string; command?: string; args: string[] } {
  let configPath = process.env.OPENCLAW_OAUTH_SYNC_CONFIG || DEFAULT_CONFIG_PATH;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--config" || a === "-c") {
      const v = argv[++i];
      if (!v) throw new UserError("--config needs a file path", ExitCode.usage);
      configPath = v;
    } else if (a.startsWith("--config=")) {
      configPath = a.slice("--config=".length);
    } else {
      rest.push(a);
    }
  }
  const [command, ...args] = rest;
  return command === undefined ? { configPath, args } : { configPath, command, args };
}

async function main(argv: string[]): Promise<number> {
  const log = consoleLogger();
  let stop!: () => void;
  const stopSignal = new Promise<void>((r) => (stop = r));
  process.once("SIGTERM", () => stop());
  process.once("SIGINT", () => stop());
  try {
    const g = parseGlobal(argv);
    if (!g.command || g.command === "help" || g.command === "--help" || g.command === "-h") {
      process.stdout.write(USAGE);
      return g.command ? ExitCode.ok : ExitCode.usage;
    }
    if (g.command === "version" || g.command === "--version") {
      process.stdout.write(`openclaw-oauth-sync ${VERSION}\n`);
      return ExitCode.ok;
    }
    const cmd: Command | undefined = COMMANDS[g.command];
    if (!cmd) {
      process.stderr.write(`unknown command "${g.command}"\n${USAGE}`);
      return ExitCode.usage;
    }
    const ctx: CommandContext = {
      args: g.args,
      configPath: g.configPath,
      log,
      now: () => Date.now(),
      out: (t) => process.stdout.write(t),
      stopSignal,
    };
    return await cmd(ctx);
  } catch (e) {
    if (e instanceof UserError) {
      log.error(e.message);
      return e.exitCode;
    }
    log.error(`internal error: ${scrubText(e instanceof Error ? (e.stack ?? e.message) : String(e))}`);
    return ExitCode.software;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = ExitCode.software;
  },
);
