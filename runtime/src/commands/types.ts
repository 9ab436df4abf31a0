import type { Logger } from "../log";

/** What every subcommand receives from main.ts (the only module with process-level effects). */
export interface CommandContext {
  /** Arguments after the subcommand name. */
  args: string[];
  /** --config, or $OPENCLAW_OAUTH_SYNC_CONFIG, or the default path. */
  configPath: string;
  log: Logger;
  /** Injected clock (epoch ms), so expiry logic is testable. */
  now: () => number;
  /** stdout for machine-readable output (--json); log lines go through `log`. */
  out: (text: string) => void;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT); for long-running commands. */
  stopSignal: Promise<void>;
}

/** Returns the process exit code (see errors.ts ExitCode). */
export type Command = (ctx: CommandContext) => Promise<number>;
