/**
 * The runtime config file (JSON). Every key is documented in README ("Runtime config"), with its
 * default; unknown keys are rejected, naming the key.
 */
import { z } from "zod";
import { TargetSchema } from "./targets";
import { RefreshSchema } from "./refresh";
import { NotifySchema } from "./notify";

/**
 * This tool's own state dir (locks, backoff, last outcomes; the runtime config's `stateDir`, not
 * OpenClaw's `openclaw.stateDir`): the units' `StateDirectory=` under /var/lib, which systemd
 * creates. Named once here for the runtime's default, the program's settings and the units.
 */
export const SYNC_STATE_DIRECTORY = "openclaw-oauth-sync";
export const DEFAULT_SYNC_STATE_DIR = `/var/lib/${SYNC_STATE_DIRECTORY}`;

const AbsPath = z.string().refine((p) => p.startsWith("/"), { message: "must be an absolute path" });
const Argv = z.array(z.string().min(1)).min(1);

export const DockerSchema = z.strictObject({
  /** Container name or id; or leave empty and give composeService (+ composeProject). */
  container: z.string().min(1).optional(),
  composeService: z.string().min(1).default("openclaw-gateway"),
  composeProject: z.string().min(1).optional(),
  /** The account OpenClaw runs as inside the container (docker exec -u). */
  user: z.string().min(1).default("node"),
  /** The docker client. */
  command: Argv.default(["docker"]),
});

export const OpenClawSchema = z.strictObject({
  /** OpenClaw's state dir on this host (the host side of the bind mount in Docker mode). */
  stateDir: AbsPath,
  /** Default: <stateDir>/openclaw.json */
  configPath: AbsPath.optional(),
  /** host: OpenClaw runs natively; docker: in a container reached with `docker exec`. */
  mode: z.enum(["host", "docker"]).default("host"),
  docker: DockerSchema.optional(),
  /** How to run the OpenClaw CLI: on the host (mode host) or inside the container (mode docker). */
  cli: Argv.optional(),
  /** Installed OpenClaw version if known (e.g. from the Pulumi facts); helps era detection. */
  version: z.string().optional(),
  /**
   * Bound of one OpenClaw CLI call made by a sync (`models auth paste-token`, SQLite era). Not
   * reload.timeoutSeconds: on a busy 2-core host 2026.9.6's paste-token took 26–48 s, and a killed
   * call may leave openclaw.json.bak.N behind (issue 18).
   */
  cliTimeoutSeconds: z.number().int().min(1).max(3600).default(180),
});

export const OwnerSchema = z.strictObject({
  uid: z.number().int().min(0),
  gid: z.number().int().min(0),
});

export const ReloadSchema = z.strictObject({
  /**
   * What makes OpenClaw pick up a changed credential:
   * secrets-reload: `openclaw secrets reload`; gateway-restart: `openclaw gateway restart` (host) or
   * `docker restart` (docker); container-recreate: `docker compose up -d --force-recreate <service>`
   * (needed for the Compose project's .env); command: `command` argv; none.
   */
  action: z.enum(["secrets-reload", "gateway-restart", "container-recreate", "command", "none"]).default("secrets-reload"),
  command: Argv.optional(),
  /** Compose project dir for container-recreate. */
  composeDir: AbsPath.optional(),
  /** At most one reload per this many seconds; a change inside the window is reloaded at its end. */
  minIntervalSeconds: z.number().int().min(0).default(30),
  timeoutSeconds: z.number().int().min(1).default(60),
});

export const WatchSchema = z.strictObject({
  debounceMs: z.number().int().min(0).max(10_000).default(25),
  /** Poll instead of inotify: for bind mounts and network filesystems that lose events. */
  polling: z.boolean().default(false),
  pollIntervalMs: z.number().int().min(100).default(1000),
  /** Periodic re-sync that heals targets changed by someone else; 0 disables it. */
  resyncIntervalSeconds: z.number().int().min(0).default(300),
});

export const ConfigSchema = z.strictObject({
  /** Claude Code's credentials file: ~/.claude/.credentials.json of the account that logs in. */
  claudeCredentials: AbsPath,
  /** Our own state: locks, backoff, last outcomes. */
  stateDir: AbsPath.default(DEFAULT_SYNC_STATE_DIR),
  openclaw: OpenClawSchema,
  /** Owner of files we create (existing files keep theirs). Default: the owner of openclaw.stateDir. */
  owner: OwnerSchema.optional(),
  targets: z.array(TargetSchema).min(1),
  reload: ReloadSchema.default(ReloadSchema.parse({})),
  watch: WatchSchema.default(WatchSchema.parse({})),
  refresh: RefreshSchema.default(RefreshSchema.parse({})),
  notify: NotifySchema.default(NotifySchema.parse({})),
  /** How long to wait for OpenClaw's auth-profiles.json.lock held by a live process. */
  lockTimeoutMs: z.number().int().min(0).default(10_000),
});

export type Config = z.infer<typeof ConfigSchema>;
export type OpenClawConfig = z.infer<typeof OpenClawSchema>;
export type ReloadConfig = z.infer<typeof ReloadSchema>;
export type WatchConfig = z.infer<typeof WatchSchema>;
export type DockerConfig = z.infer<typeof DockerSchema>;
