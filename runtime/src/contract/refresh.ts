/**
 * Config of `refresh` (renew before expiry) and of `status` (warning window, Prometheus file).
 * Owned by the refresh module; every key is documented in README.md.
 */
import { z } from "zod";

const AbsPath = z.string().refine((p) => p.startsWith("/"), { message: "must be an absolute path" });

/**
 * Variables that make the Claude CLI bypass (or relocate) the stored subscription login
 * (facts/openclaw.md §1.6): never passed to the refresh child, and refused in `refresh.env`.
 */
export const SCRUBBED_ENV_VARS = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "ANTHROPIC_OAUTH_TOKEN",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "CLAUDE_CODE_OAUTH_REFRESH_TOKEN",
  "CLAUDE_CODE_OAUTH_SCOPES",
  "CLAUDE_CONFIG_DIR",
  "CLAUDE_SECURESTORAGE_CONFIG_DIR",
  "CLAUDE_CODE_USE_BEDROCK",
  "CLAUDE_CODE_USE_VERTEX",
  "CLAUDE_CODE_USE_FOUNDRY",
  "ANTHROPIC_BASE_URL",
] as const;

/**
 * Claude Code renews its login only when this little is left (compiled into the CLI:
 * `now + 300000 >= expiresAt`, facts/claude-code.md §2). Any run earlier renews nothing.
 */
export const CLI_RENEW_THRESHOLD_MS = 5 * 60_000;

/** `claude auth status` renews a due login without any model call (facts/claude-code.md §3). */
export const DEFAULT_PRINT_ARGS = ["-p", "ok", "--model", "haiku", "--max-turns", "1"];

const ClaudeArgv = z
  .array(z.string().min(1))
  .min(1)
  .refine((argv) => !argv.some((a) => a === "--bare" || a.startsWith("--bare=")), {
    message:
      '"--bare" disables the OAuth login (bare mode needs ANTHROPIC_API_KEY), so the CLI would never renew it: remove "--bare"',
  });

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an environment variable name" });

export const BackoffSchema = z.strictObject({
  /** Short on purpose: the token is renewed within minutes of the endpoint recovering. */
  baseMinutes: z.number().positive().default(1),
  factor: z.number().min(1).default(2),
  maxMinutes: z.number().positive().default(5),
  /** ±fraction of each delay, so hosts that failed together do not retry together. */
  jitter: z.number().min(0).max(0.5).default(0.2),
});

/**
 * When, before the access token's expiry, the renewal fires: a random point between
 * `earliestSeconds` and `latestSeconds` before it, inside the CLI's own 5-minute window.
 */
export const RenewBeforeExpirySchema = z
  .strictObject({
    earliestSeconds: z.number().int().min(20).max(290).default(270),
    latestSeconds: z.number().int().min(10).max(280).default(120),
  })
  .refine((r) => r.earliestSeconds >= r.latestSeconds, { message: "earliestSeconds must be at least latestSeconds" });

const RefreshObject = z.strictObject({
  /**
   * auth-status: `claude auth status` (renews a due login, no model call; the default).
   * print: `claude -p …` (printArgs): one small model request per run; for CLI versions whose
   * `auth status` does not renew.
   */
  method: z.enum(["auth-status", "print"]).default("auth-status"),
  /** The Claude Code executable (and leading arguments), e.g. ["/home/u/.local/bin/claude"]. */
  cli: ClaudeArgv.default(["claude"]),
  /** Arguments after the executable for method "print". */
  printArgs: ClaudeArgv.default(DEFAULT_PRINT_ARGS),
  renewBeforeExpiry: RenewBeforeExpirySchema.default(RenewBeforeExpirySchema.parse({})),
  /**
   * A scheduled run (`refresh --scheduled`, the timer's) waits for the renewal point when it is at
   * most this far ahead; further ahead, it exits and a later timer run takes it. Keep it above the
   * timer's interval plus its randomized delay.
   */
  maxWaitMinutes: z.number().int().min(1).max(720).default(20),
  /** A scheduled run ends after this long: waiting, attempts and retries after transient failures included. */
  maxRunMinutes: z.number().int().min(1).max(720).default(45),
  /** Deprecated: the whole argv. Mapped onto cli/method/printArgs (a warning names them). */
  command: ClaudeArgv.optional(),
  /** Deprecated and ignored: Claude Code renews only in its last 5 minutes (see renewBeforeExpiry). */
  windowMinutes: z.number().int().min(1).optional(),
  /**
   * host: run as the account that owns the credentials file (HOME from /etc/passwd);
   * container: `docker exec -u <openclaw.docker.user> <container> …` (container from openclaw.docker).
   */
  on: z.enum(["host", "container"]).default("host"),
  /** Temporary ANTHROPIC_BASE_URL for the refresh child only (e.g. the container's env points at a proxy). */
  baseUrlOverride: z.url({ message: "must be a URL such as https://api.anthropic.com" }).optional(),
  /**
   * CLAUDE_CONFIG_DIR (and CLAUDE_SECURESTORAGE_CONFIG_DIR) for the child. Default: unset when the
   * credentials file is <home>/.claude/.credentials.json, else its directory (so the CLI renews
   * the file we watch).
   */
  claudeConfigDir: AbsPath.optional(),
  /** Extra non-secret variables for the child (e.g. HTTPS_PROXY). Scrubbed names are refused. */
  env: z
    .record(EnvName, z.string())
    .default({})
    .refine((e) => !Object.keys(e).some((k) => (SCRUBBED_ENV_VARS as readonly string[]).includes(k)), {
      message: `must not set ${SCRUBBED_ENV_VARS.join(", ")}: they bypass the stored login (use refresh.baseUrlOverride / refresh.claudeConfigDir for those)`,
    }),
  /** The CLI is killed after this long (the whole process group). */
  timeoutSeconds: z.number().int().min(1).max(3600).default(120),
  backoff: BackoffSchema.default(BackoffSchema.parse({})),
  /** status --check exits 2 when less than this many minutes are left (the renewal is overdue). */
  warnMinutes: z.number().int().min(1).default(1),
  /** Alert (and status --check exit 2) this many days before the login's deadline (refreshTokenExpiresAt, or a long-lived token's expiry). */
  loginWarnDays: z.number().min(0).max(60).default(3),
  /**
   * A token that stays expired this long while renewals fail for reasons a retry fixes (429, 5xx,
   * no answer) raises `expiring-unrenewed`; shorter outages page nobody.
   */
  alertExpiredAfterMinutes: z.number().int().min(0).default(30),
  /** node_exporter textfile written by every `status` and `refresh` run (e.g. /var/lib/prometheus/node-exporter/openclaw_oauth_sync.prom). */
  prometheusTextfile: AbsPath.refine((p) => p.endsWith(".prom"), { message: 'must end in ".prom" (node_exporter reads only those)' }).optional(),
});

/**
 * Pure: maps the deprecated `command` onto cli/method/printArgs and says what it did, so that
 * runtime configs written before expiry-scheduled renewal keep working.
 */
function migrate(r: z.infer<typeof RefreshObject>) {
  const deprecations: string[] = [];
  let { cli, method, printArgs } = r;
  if (r.command) {
    // The executable is everything before the first option or subcommand (`node script.mjs -p …`
    // keeps `node script.mjs`), so --debug-file lands where the CLI reads it.
    const split = r.command.findIndex((a, i) => i > 0 && (a.startsWith("-") || a === "auth"));
    const at = split === -1 ? r.command.length : split;
    cli = r.command.slice(0, at);
    const rest = r.command.slice(at);
    if (rest[0] === "auth" && rest[1] === "status") {
      method = "auth-status";
    } else if (rest.length > 0) {
      method = "print";
      printArgs = rest;
    }
    deprecations.push(
      `refresh.command is deprecated: read as refresh.cli ${JSON.stringify(cli)}, refresh.method "${method}"${method === "print" ? `, refresh.printArgs ${JSON.stringify(printArgs)}` : ""}; write those instead (the default method "auth-status" renews without a model call)`,
    );
  }
  if (r.windowMinutes !== undefined) {
    deprecations.push(
      "refresh.windowMinutes is ignored: Claude Code renews only in the last 5 minutes before expiry, so the renewal now fires at refresh.renewBeforeExpiry (default 270–120 s before); remove the key",
    );
  }
  const { command: _command, windowMinutes: _window, ...rest } = r;
  return { ...rest, cli, method, printArgs, deprecations };
}

export const RefreshSchema = RefreshObject.transform(migrate);

export type RefreshConfig = z.infer<typeof RefreshSchema>;
export type BackoffConfig = z.infer<typeof BackoffSchema>;
