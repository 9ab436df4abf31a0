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
  "CLAUDE_CODE_USE_BEDROCK",
  "CLAUDE_CODE_USE_VERTEX",
  "CLAUDE_CODE_USE_FOUNDRY",
  "ANTHROPIC_BASE_URL",
] as const;

export const DEFAULT_REFRESH_COMMAND = ["claude", "-p", "ok", "--model", "haiku", "--max-turns", "1"];

const RefreshCommand = z
  .array(z.string().min(1))
  .min(1)
  .refine((argv) => !argv.some((a) => a === "--bare" || a.startsWith("--bare=")), {
    message:
      '"--bare" disables the OAuth login (bare mode needs ANTHROPIC_API_KEY), so the CLI would never renew it: remove "--bare" from refresh.command',
  });

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an environment variable name" });

export const BackoffSchema = z.strictObject({
  baseMinutes: z.number().positive().default(2),
  factor: z.number().min(1).default(2),
  maxMinutes: z.number().positive().default(60),
  /** ±fraction of each delay, so hosts that failed together do not retry together. */
  jitter: z.number().min(0).max(0.5).default(0.2),
});

export const RefreshSchema = z.strictObject({
  /** Renew when less than this many minutes are left. */
  windowMinutes: z.number().int().min(1).default(45),
  /** The Claude CLI call that makes Claude Code renew its own login: cheap, print mode, small model. */
  command: RefreshCommand.default(DEFAULT_REFRESH_COMMAND),
  /**
   * host: run as the account that owns the credentials file (HOME from /etc/passwd);
   * container: `docker exec -u <openclaw.docker.user> <container> …` (container from openclaw.docker).
   */
  on: z.enum(["host", "container"]).default("host"),
  /** Temporary ANTHROPIC_BASE_URL for the refresh child only (e.g. the container's env points at a proxy). */
  baseUrlOverride: z.url({ message: "must be a URL such as https://api.anthropic.com" }).optional(),
  /**
   * CLAUDE_CONFIG_DIR for the child. Default: unset when the credentials file is
   * <home>/.claude/.credentials.json, else its directory (so the CLI renews the file we watch).
   */
  claudeConfigDir: AbsPath.optional(),
  /** Extra non-secret variables for the child (e.g. HTTPS_PROXY). Scrubbed names are refused. */
  env: z
    .record(EnvName, z.string())
    .default({})
    .refine((e) => !Object.keys(e).some((k) => (SCRUBBED_ENV_VARS as readonly string[]).includes(k)), {
      message: `must not set ${SCRUBBED_ENV_VARS.join(", ")}: they bypass the stored login (use refresh.baseUrlOverride / refresh.claudeConfigDir for the last two)`,
    }),
  /** The CLI is killed after this long (the whole process group). */
  timeoutSeconds: z.number().int().min(1).max(3600).default(120),
  backoff: BackoffSchema.default(BackoffSchema.parse({})),
  /** status --check exits 2 when less than this many minutes are left. */
  warnMinutes: z.number().int().min(1).default(15),
  /** node_exporter textfile written by every `status` and `refresh` run (e.g. /var/lib/prometheus/node-exporter/openclaw_oauth_sync.prom). */
  prometheusTextfile: AbsPath.refine((p) => p.endsWith(".prom"), { message: 'must end in ".prom" (node_exporter reads only those)' }).optional(),
});
export type RefreshConfig = z.infer<typeof RefreshSchema>;
export type BackoffConfig = z.infer<typeof BackoffSchema>;
