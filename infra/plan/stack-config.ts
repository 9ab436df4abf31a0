/**
 * The stack-config schema and its pure parser (no Pulumi import, so it is unit-testable).
 * infra/config.ts feeds it the raw strings from `pulumi.Config` and turns a failure into a
 * `pulumi.RunError`.
 *
 * Defaults here fit a native install and the official Docker Compose setup (facts/openclaw.md
 * §2.2: state dir `~/.openclaw` of the account that runs Compose, mounted at
 * `/home/node/.openclaw`, uid 1000). Defaults that depend on the host (home directories, the SSH
 * login account, the node binary) are left undefined here and filled in from the facts by
 * `resolveSettings` (plan/settings.ts).
 */
import { z } from "zod";
import { TargetSchema } from "../../runtime/src/contract/targets";
import { NotifySchema } from "../../runtime/src/contract/notify";
import { RenewBeforeExpirySchema } from "../../runtime/src/contract/refresh";

export const PROJECT = "openclaw-oauth-sync";

const AbsPath = z.string().refine((p) => p.startsWith("/") && !p.includes("\n") && !p.includes("\0"), {
  message: "must be an absolute path (starting with /)",
});
// An account name: what useradd accepts. Never starts with "-" (it ends up in argv of ssh/runuser).
const Account = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, { message: "must be a Linux account name (letters, digits, _ . -)" });
const Argv = z.array(z.string().min(1)).min(1);
const AgentId = z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: "agent ids are letters, digits, _ . -" });
const ModelRef = z.string().regex(/^[a-z0-9][a-z0-9_-]*\/[A-Za-z0-9._:@+-]+$/, {
  message: 'must be "provider/model", e.g. "anthropic/claude-sonnet-4-6"',
});
const ModelChoice = z.strictObject({
  primary: ModelRef.optional(),
  fallbacks: z.array(ModelRef).optional(),
});
/** A systemd time span limited to the forms we document: 30s, 2min, 1h. */
const TimeSpan = z.string().regex(/^\d+(s|min|h)$/, { message: 'must be a time span like "30s", "2min" or "1h"' });

/**
 * Refresh timer schedule: a span that divides the hour or the day ("15min", "1h"), turned into an
 * `OnCalendar=` expression so that `Persistent=true` catches up runs missed while the host was
 * off; or a literal systemd calendar expression ("hourly", "*:0/20").
 */
const RefreshInterval = z.string().superRefine((s, ctx) => {
  const m = /^(\d+)(min|h)$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    const ok = m[2] === "min" ? n >= 1 && n < 60 && 60 % n === 0 : n >= 1 && n <= 24 && 24 % n === 0;
    if (!ok) {
      ctx.addIssue({
        code: "custom",
        message: 'a span must divide the hour (1,2,3,4,5,6,10,12,15,20,30min) or the day (1,2,3,4,6,8,12,24h); or give an OnCalendar expression such as "*:0/20"',
      });
    }
    return;
  }
  if (!/^[A-Za-z0-9*:/,.~ -]+$/.test(s) || /^\d+$/.test(s)) {
    ctx.addIssue({ code: "custom", message: 'must be a span like "15min"/"1h" or a systemd calendar expression like "*:0/15" or "hourly"' });
  }
});

const TargetKind = z.enum(["auth-store", "oauth-json", "env"]);

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an environment variable name" });
/**
 * Non-secret KEY=VALUE entries in OpenClaw's .env, and keys to remove from it (issue 16): values
 * land in stack config and state, so anything token-shaped is refused.
 */
const OpenclawEnvSchema = z.strictObject({
  /** openclaw-global: <OpenClaw state dir>/.env; compose-project: <dockerComposeDir>/.env. */
  file: z.enum(["openclaw-global", "compose-project"]).default("openclaw-global"),
  set: z
    .record(
      EnvName,
      z
        .string()
        .refine((v) => !/[\n\r\0]/.test(v), { message: "must be one line" })
        .refine((v) => !/sk-ant-|\bsk-[A-Za-z0-9_-]{16,}/.test(v), { message: "looks like an API key or token; stack config and state are not the place for secrets (set it on the host by hand)" }),
    )
    .default({}),
  remove: z.array(EnvName).default([]),
});

export const ModelSchema = z.strictObject({
  /** agents.defaults.model.primary */
  primary: ModelRef.optional(),
  /** agents.defaults.model.fallbacks */
  fallbacks: z.array(ModelRef).optional(),
  /** agents.defaults.models["provider/model"].alias */
  aliases: z.record(ModelRef, z.string().min(1).max(64)).optional(),
  /** Per-agent overrides of primary/fallbacks, by agent id. */
  agents: z.record(AgentId, ModelChoice).optional(),
});

/** `notify` as the runtime takes it, minus `secretsFile`, which the program sets. */
export const StackNotifySchema = NotifySchema.omit({ secretsFile: true });

export const StackConfigSchema = z
  .strictObject({
    // SSH target
    host: z
      .string()
      .regex(/^[A-Za-z0-9_.:@[\]%-]+$/, { message: "must be a host name, address or ~/.ssh/config alias (no spaces)" })
      .refine((h) => !h.startsWith("-"), { message: 'must not start with "-"' }),
    sshPort: z.number().int().min(1).max(65535).optional(),
    sshUser: Account.optional(),
    sshHostKey: z
      .string()
      .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/=]+( [^\n]*)?$/, {
        message: 'must be one public host key line, e.g. "ssh-ed25519 AAAAC3Nza…" (ssh-keyscan -t ed25519 <host>)',
      })
      .optional(),
    sshConfigFile: z.string().min(1).optional(),
    sshConnectTimeoutSeconds: z.number().int().min(1).max(120).default(10),

    // Where OpenClaw runs
    mode: z.enum(["host", "docker"]).default("host"),
    dockerContainer: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: "must be a container name or id" }).optional(),
    dockerComposeService: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/).default("openclaw-gateway"),
    dockerComposeProject: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: "Compose project names are lowercase letters, digits, _ -" }).optional(),
    dockerUser: z.string().min(1).default("node"),
    dockerComposeDir: AbsPath.optional(),

    // OpenClaw and Claude on the host
    account: Account.optional(),
    openclawStateDir: AbsPath.optional(),
    // Deprecated: the old name of openclawStateDir, mapped onto it (a warning says so).
    stateDir: AbsPath.optional(),
    configPath: AbsPath.optional(),
    // "all", a list, or "main,work" (what `pulumi config set agents main,work` stores).
    agents: z
      .preprocess((v) => (typeof v === "string" && v !== "all" ? v.split(",").map((x) => x.trim()) : v), z.union([z.literal("all"), z.array(AgentId).min(1)]))
      .default("all"),
    storageEra: z.enum(["auto", "json", "json-split", "sqlite"]).default("auto"),
    claudeCredentials: AbsPath.optional(),
    claudeAccount: Account.optional(),
    serviceUser: z.union([z.literal("auto"), Account]).default("auto"),

    // Refresh
    refreshInterval: RefreshInterval.default("15min"),
    refreshRandomizedDelay: TimeSpan.default("2min"),
    // Deprecated, ignored (a warning says so): Claude Code renews only in its last 5 minutes.
    refreshWindowMinutes: z.number().int().min(1).max(1440).optional(),
    refreshOn: z.enum(["host", "container"]).default("host"),
    refreshMethod: z.enum(["auth-status", "print"]).default("auth-status"),
    // ANTHROPIC_BASE_URL for the refresh run only (the container's environment may point the CLI at a proxy).
    refreshBaseUrlOverride: z.url({ message: "must be a URL such as https://api.anthropic.com" }).optional(),
    refreshMaxWaitMinutes: z.number().int().min(1).max(720).optional(),
    // A timer run's whole bound (waiting, attempts, retries); the unit's TimeoutStartSec follows it.
    refreshMaxRunMinutes: z.number().int().min(1).max(720).optional(),
    // Where in the CLI's last 5 minutes the renewal aims ({earliestSeconds, latestSeconds} before expiry).
    refreshRenewBeforeExpiry: RenewBeforeExpirySchema.optional(),
    loginWarnDays: z.number().min(0).max(60).optional(),
    claudeCli: Argv.optional(),
    // Deprecated: the whole argv; mapped by the runtime onto cli/method/printArgs (a warning says so).
    claudeCommand: Argv.optional(),
    openclawCli: Argv.optional(),

    // What the runtime writes
    targets: z.array(z.union([TargetKind, TargetSchema])).min(1).default(["auth-store"]),
    profileType: z.enum(["token", "oauth"]).default("token"),
    profileId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*:[A-Za-z0-9_.@+-]+$/, { message: 'must look like "anthropic:default"' })
      .default("anthropic:default"),
    reloadAction: z.enum(["secrets-reload", "gateway-restart", "container-recreate", "command", "none"]).default("secrets-reload"),
    reloadCommand: Argv.optional(),

    // openclaw.json model config
    model: ModelSchema.default({}),
    removeBrokenAnthropicProvider: z.boolean().default(false),

    // OpenClaw's .env entries
    openclawEnv: OpenclawEnvSchema.optional(),

    // Alerts
    notify: StackNotifySchema.default(StackNotifySchema.parse({})),
    alertOnFailure: z.boolean().default(true),

    // Install
    installPrefix: AbsPath.default("/usr/local"),
    nodePath: AbsPath.optional(),

    // Many hosts in one stack: each entry takes the per-host keys above (plus `name`); the keys
    // set at the top level are its defaults. Validated entry by entry in parseStackConfig.
    hosts: z.array(z.record(z.string(), z.unknown())).min(1).optional(),
  })
  .superRefine((c, ctx) => {
    const need = (cond: boolean, path: string, message: string) => {
      if (!cond) ctx.addIssue({ code: "custom", path: [path], message });
    };
    need(c.stateDir === undefined || c.openclawStateDir === undefined, "stateDir", "is the old name of openclawStateDir, and both are set; fix: keep openclawStateDir and remove stateDir: pulumi config rm stateDir");
    need(c.reloadAction !== "command" || c.reloadCommand !== undefined, "reloadCommand", 'is required when reloadAction is "command"; fix: pulumi config set --path \'reloadCommand[0]\' <program>');
    need(c.refreshOn !== "container" || c.mode === "docker", "refreshOn", '"container" needs mode "docker" (the Claude CLI then runs with docker exec in the OpenClaw container)');
    need(c.reloadAction !== "container-recreate" || c.mode === "docker", "reloadAction", '"container-recreate" needs mode "docker"');
    need(c.reloadAction !== "container-recreate" || c.dockerComposeDir !== undefined, "dockerComposeDir", 'is required when reloadAction is "container-recreate" (the directory holding docker-compose.yml)');
    for (const [i, t] of c.targets.entries()) {
      if (typeof t === "object" && t.kind === "env" && t.consumer === "compose-project" && c.mode !== "docker") {
        ctx.addIssue({ code: "custom", path: ["targets", i, "consumer"], message: '"compose-project" needs mode "docker"' });
      }
    }
    if (c.openclawEnv) {
      const e = c.openclawEnv;
      for (const k of e.remove) if (k in e.set) ctx.addIssue({ code: "custom", path: ["openclawEnv", "remove"], message: `${k} is both set and removed` });
      // The runtime writes the env target's key (the token): Pulumi must never own it.
      const tokenKeys = c.targets.flatMap((t) => (t === "env" ? ["ANTHROPIC_OAUTH_TOKEN"] : typeof t === "object" && t.kind === "env" ? [t.key] : []));
      for (const k of [...Object.keys(e.set), ...e.remove]) {
        if (tokenKeys.includes(k)) ctx.addIssue({ code: "custom", path: ["openclawEnv"], message: `${k} is written by the runtime's env target (it holds the token); leave it out of openclawEnv` });
      }
      need(e.file !== "compose-project" || (c.mode === "docker" && c.dockerComposeDir !== undefined), "openclawEnv", '"compose-project" needs mode "docker" and dockerComposeDir');
    }
    const kinds = c.targets.map((t) => (typeof t === "string" ? t : t.kind));
    if (new Set(kinds).size !== kinds.length && c.targets.every((t) => typeof t === "string")) {
      ctx.addIssue({ code: "custom", path: ["targets"], message: "lists a target kind twice" });
    }
  });

export type StackConfig = z.infer<typeof StackConfigSchema>;

/** Pure: warnings for deprecated stack keys that still work, each naming its replacement. */
export function stackDeprecations(c: StackConfig): string[] {
  const out: string[] = [];
  if (c.refreshWindowMinutes !== undefined) {
    out.push(
      `${PROJECT}:refreshWindowMinutes is ignored: Claude Code renews only in the last 5 minutes before expiry, so the renewal is now scheduled by the token's expiry (refresh.renewBeforeExpiry in the runtime config); remove it: pulumi config rm refreshWindowMinutes`,
    );
  }
  if (c.stateDir !== undefined) {
    out.push(
      `${PROJECT}:stateDir is deprecated: it names OpenClaw's state dir, now the key openclawStateDir (this tool's own state dir is another one); it is mapped for now; rename it: pulumi config set openclawStateDir "$(pulumi config get stateDir)" && pulumi config rm stateDir`,
    );
  }
  if (c.claudeCommand !== undefined) {
    out.push(
      `${PROJECT}:claudeCommand is deprecated: use claudeCli (the executable, e.g. ["/home/u/.local/bin/claude"]) and refreshMethod ("auth-status", no model call, the default; or "print"); it is mapped for now`,
    );
  }
  return out;
}
export type ModelConfig = z.infer<typeof ModelSchema>;
export type RawStackConfig = Record<string, unknown>;

/** How a key's raw string from `pulumi config` is decoded before zod sees it. */
type Decode = "string" | "json" | "json-or-string";

/** Every stack key (not secrets) with its decoding. Kept beside the schema; a test checks they agree. */
export const STACK_KEYS: Readonly<Record<keyof StackConfig, Decode>> = {
  host: "string",
  sshPort: "json",
  sshUser: "string",
  sshHostKey: "string",
  sshConfigFile: "string",
  sshConnectTimeoutSeconds: "json",
  mode: "string",
  dockerContainer: "string",
  dockerComposeService: "string",
  dockerComposeProject: "string",
  dockerUser: "string",
  dockerComposeDir: "string",
  account: "string",
  openclawStateDir: "string",
  stateDir: "string",
  configPath: "string",
  agents: "json-or-string",
  storageEra: "string",
  claudeCredentials: "string",
  claudeAccount: "string",
  serviceUser: "string",
  refreshInterval: "string",
  refreshRandomizedDelay: "string",
  refreshWindowMinutes: "json",
  refreshOn: "string",
  refreshMethod: "string",
  refreshBaseUrlOverride: "string",
  refreshMaxWaitMinutes: "json",
  refreshMaxRunMinutes: "json",
  refreshRenewBeforeExpiry: "json",
  loginWarnDays: "json",
  claudeCli: "json",
  claudeCommand: "json",
  openclawCli: "json",
  targets: "json",
  profileType: "string",
  profileId: "string",
  reloadAction: "string",
  reloadCommand: "json",
  model: "json",
  removeBrokenAnthropicProvider: "json",
  openclawEnv: "json",
  notify: "json",
  alertOnFailure: "json",
  installPrefix: "string",
  nodePath: "string",
  hosts: "json",
};

/** Keys that hold secrets; they are not part of StackConfig. */
export const SECRET_KEYS = ["sshPrivateKey", "notifySecrets"] as const;

/** How to set a key, for the "fix:" part of a message. */
function fixHint(key: string, decode: Decode | undefined): string {
  if (decode === "json") return `pulumi config set --path '${key}…' <value>, or edit Pulumi.<stack>.yaml (see docs/stack-config.md)`;
  return `pulumi config set ${key} <value> (see docs/stack-config.md)`;
}

function showValue(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

function valueAt(raw: RawStackConfig, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

/** One host of a stack: its component name and its own (merged, validated) config. */
export interface StackHost {
  /** Name of the host's ManagedHost component; undefined for a one-host stack (named after the stack). */
  name: string | undefined;
  config: StackConfig;
}

export type ParseResult = { ok: true; config: StackConfig; hosts: StackHost[]; multi: boolean } | { ok: false; message: string };

/** What a `hosts` entry may hold besides the per-host keys. */
const ENTRY_ONLY_KEYS = ["name"] as const;
/** Component names: what stack names allow (they also name per-host log files). */
export const HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Pure: the component name of a `hosts` entry: its `name`, else its host with other characters as "-". */
export function hostEntryName(entry: Record<string, unknown>): string | undefined {
  if (typeof entry.name === "string") return entry.name;
  if (typeof entry.host !== "string") return undefined;
  const n = entry.host.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[^A-Za-z0-9]+/, "").slice(0, 63);
  return n === "" ? undefined : n;
}

/**
 * Pure: the names of a stack's hosts from its raw `hosts` value (the JSON text `pulumi config get
 * hosts` prints); [] when it is not a list of entries. For fleet, which only needs the names.
 */
export function hostNamesOf(hostsText: string | undefined): string[] {
  if (hostsText === undefined) return [];
  try {
    const v = JSON.parse(hostsText) as unknown;
    if (!Array.isArray(v)) return [];
    return v.map((e) => (e && typeof e === "object" ? hostEntryName(e as Record<string, unknown>) : undefined)).filter((n): n is string => n !== undefined);
  } catch {
    return [];
  }
}

/** Validates one host's raw config; problems are named `<where><key>` (where = "" or "hosts[i]."). */
function validateRaw(raw: RawStackConfig, problems: string[], keyPrefix: (key: string) => string): StackConfig | undefined {
  const r = StackConfigSchema.safeParse(raw, { reportInput: false });
  // The deprecated stateDir is kept (stackDeprecations names it) and mapped onto openclawStateDir,
  // which is the only one the program reads.
  if (r.success) return { ...r.data, openclawStateDir: r.data.openclawStateDir ?? r.data.stateDir };
  for (const issue of r.error.issues) {
    const [top, ...rest] = issue.path;
    const key = top === undefined ? "(stack)" : String(top);
    const sub = rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    const at = `${PROJECT}:${keyPrefix(key)}${sub}`;
    if (issue.code === "unrecognized_keys") {
      problems.push(`  ✖ ${at}: unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (remove or fix the spelling; see docs/stack-config.md)`);
      continue;
    }
    const v = top === undefined ? undefined : valueAt(raw, issue.path);
    const got = v === undefined ? (top !== undefined && raw[key] === undefined ? "not set" : "missing") : `got ${showValue(v)}`;
    const alreadyHasFix = issue.message.includes("fix:");
    const line = `  ✖ ${at}: ${issue.message} (${got})${alreadyHasFix ? "" : `; fix: ${fixHint(keyPrefix(key), STACK_KEYS[key as keyof StackConfig])}`}`;
    if (!problems.includes(line)) problems.push(line);
  }
  return undefined;
}

/**
 * Pure: decodes the raw strings (`read(key)` → what `pulumi config get` would print) and
 * validates them. Unknown project keys are reported too, so a typo does not pass silently.
 *
 * A stack either names one host (`host` + the other keys: `multi` false, as it always was) or
 * lists many in `hosts`: each entry is an object of per-host keys (any key but `hosts`, plus an
 * optional `name`, default: the host) laid over the top-level keys, and is validated as a
 * one-host config of its own.
 */
export function parseStackConfig(read: (key: string) => string | undefined, presentKeys?: readonly string[]): ParseResult {
  const raw: RawStackConfig = {};
  const problems: string[] = [];
  for (const [key, decode] of Object.entries(STACK_KEYS) as [string, Decode][]) {
    const text = read(key);
    if (text === undefined) continue;
    if (decode === "string") {
      raw[key] = text;
      continue;
    }
    try {
      raw[key] = JSON.parse(text);
    } catch {
      if (decode === "json-or-string") raw[key] = text;
      else problems.push(`  ✖ ${PROJECT}:${key}: ${showValue(text)} is not a JSON value; fix: ${fixHint(key, decode)}`);
    }
  }
  if (presentKeys) {
    const known = new Set<string>([...Object.keys(STACK_KEYS), ...SECRET_KEYS]);
    for (const k of presentKeys) {
      if (!known.has(k)) problems.push(`  ✖ ${PROJECT}:${k}: unknown key (remove it or fix the spelling; every key is listed in docs/stack-config.md)`);
    }
  }
  const fail = (): ParseResult => ({ ok: false, message: `Invalid stack config (${problems.length} problem${problems.length > 1 ? "s" : ""}):\n${problems.join("\n")}` });

  if (raw.hosts === undefined && read("hosts") !== undefined) return fail(); // not JSON: said above
  if (raw.hosts === undefined) {
    const config = validateRaw(raw, problems, (k) => k);
    if (problems.length > 0 || !config) return fail();
    return { ok: true, config, hosts: [{ name: undefined, config }], multi: false };
  }

  // Many hosts.
  const list = raw.hosts;
  const { hosts: _drop, ...defaults } = raw;
  void _drop;
  if (!Array.isArray(list) || list.length === 0 || !list.every((e) => e !== null && typeof e === "object" && !Array.isArray(e))) {
    problems.push(`  ✖ ${PROJECT}:hosts: must be a non-empty list of objects such as {"host":"gw1","sshUser":"admin"} (got ${showValue(list)}); fix: pulumi config set --path 'hosts[0].host' gw1`);
    return fail();
  }
  const perHost = new Set(Object.keys(STACK_KEYS).filter((k) => k !== "hosts"));
  const hosts: StackHost[] = [];
  const seen = new Map<string, number>();
  (list as Record<string, unknown>[]).forEach((entry, i) => {
    const where = `hosts[${i}]`;
    const bad = Object.keys(entry).filter((k) => !perHost.has(k) && !(ENTRY_ONLY_KEYS as readonly string[]).includes(k));
    for (const k of bad) {
      problems.push(`  ✖ ${PROJECT}:${where}.${k}: ${k === "hosts" ? "hosts cannot nest" : (SECRET_KEYS as readonly string[]).includes(k) ? "secrets are per stack, not per host (set it once at the top level)" : "unknown key (remove or fix the spelling; see docs/stack-config.md)"}`);
    }
    const name = hostEntryName(entry);
    if (name === undefined || !HOST_NAME_RE.test(name)) {
      problems.push(`  ✖ ${PROJECT}:${where}.name: ${name === undefined ? "missing (and no host to derive it from)" : `${showValue(name)} must be letters, digits, _ . - (at most 63, starting with a letter or digit)`}`);
    } else if (seen.has(name)) {
      problems.push(`  ✖ ${PROJECT}:${where}.name: "${name}" is also the name of hosts[${seen.get(name)}]; give one of them another name`);
    } else seen.set(name, i);
    if (bad.length > 0) return;
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => k !== "name"));
    // An entry's OpenClaw state dir, under either name, replaces the top-level one under either name.
    const base = "openclawStateDir" in own || "stateDir" in own ? Object.fromEntries(Object.entries(defaults).filter(([k]) => k !== "openclawStateDir" && k !== "stateDir")) : defaults;
    const merged: RawStackConfig = { ...base, ...own };
    const config = validateRaw(merged, problems, (k) => (k in own ? `${where}.${k}` : k === "host" ? `${where}.host` : k));
    if (config && name !== undefined) hosts.push({ name, config });
  });
  if (problems.length > 0) return fail();
  return { ok: true, config: hosts[0]!.config, hosts, multi: true };
}
