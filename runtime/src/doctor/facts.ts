/**
 * The one effectful part of doctor: reads files, /proc/self/mountinfo and the environment, runs
 * `claude --version` the way refresh runs Claude, and asks timedatectl about time sync. Every
 * source is injectable so the fixture tests run without a real Claude or systemd.
 *
 * Token values stay here: stores are reduced to which keys each profile has.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { dirname, join } from "node:path";
import JSON5 from "json5";
import type { Config } from "../contract/schema";
import { UserError, errnoCode } from "../errors";
import { runProcess, describeFailure, type RunOptions, type RunResult } from "../proc";
import { readOpenClawVersion } from "../openclaw/era";
import { readDeclaredAgents, type DeclaredAgents } from "../openclaw/agents";
import { agentIdFromDir, agentSqlitePath, agentsRoot, defaultAgentDir, oauthJsonPath, openclawConfigPath, sharedSqlitePath } from "../openclaw/paths";
import { readSqliteAuthStore } from "../openclaw/sqlite-store";
import { inferRoute } from "../status/route";
import { listAgents } from "../sync/targets/auth-store";
import { defaultPlanDeps, resolveInvocation, scrubEnv, type PlanDeps } from "../refresh/plan";
import { resolveChannels } from "../notify/secrets";
import { mountFor, parseMountinfo } from "./mountinfo";
import type { AgentCoverage, AgentFacts, ClaudeCliFacts, ClockFacts, CredentialsFacts, DoctorFacts, EnvFacts, JsonStoreFacts, ProfileSummary } from "./types";

/** Variables that make the Claude CLI use something other than the subscription login (facts §1.6). */
export const BYPASS_VARS = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "CLAUDE_CODE_USE_BEDROCK",
  "CLAUDE_CODE_USE_VERTEX",
  "CLAUDE_CODE_USE_FOUNDRY",
] as const;

export const MANAGED_SETTINGS = "/etc/claude-code/managed-settings.json";

type Run = (argv: readonly string[], o: RunOptions) => Promise<RunResult>;

export interface GatherDeps {
  env: NodeJS.ProcessEnv;
  run: Run;
  readMountinfo: () => Promise<string | undefined>;
  clock: () => Promise<ClockFacts>;
  claudeVersion: (config: Config) => Promise<ClaudeCliFacts>;
  managedSettingsPath: string;
  secretsOwnerUid?: number;
}

export function defaultGatherDeps(): GatherDeps {
  const planDeps = defaultPlanDeps();
  return {
    env: process.env,
    run: runProcess,
    readMountinfo: () => fsp.readFile("/proc/self/mountinfo", "utf8").catch(() => undefined),
    clock: () => probeClock(runProcess),
    claudeVersion: (config) => probeClaudeVersion(config, planDeps),
    managedSettingsPath: MANAGED_SETTINGS,
  };
}

const nonEmpty = (v: unknown): boolean => typeof v === "string" && v.trim() !== "";
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Pure: a store's profiles without their values. */
export function summariseStore(kind: JsonStoreFacts["kind"], path: string, text: string): JsonStoreFacts {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { path, kind, parseError: (e as Error).message.slice(0, 120), profiles: [], hasCredentials: false };
  }
  if (!isObj(raw)) return { path, kind, parseError: "not a JSON object", profiles: [], hasCredentials: false };
  const entries: [string, unknown][] =
    kind === "auth-profiles" ? (isObj(raw.profiles) ? Object.entries(raw.profiles) : []) : kind === "auth.json" ? Object.entries(raw).map(([prov, c]) => [`${prov}:default`, c]) : [];
  const profiles: ProfileSummary[] = entries.filter(([, p]) => isObj(p)).map(([id, p]) => {
    const o = p as Record<string, unknown>;
    const type = typeof o.type === "string" ? o.type : typeof o.mode === "string" ? o.mode : undefined;
    return {
      id,
      type,
      provider: typeof o.provider === "string" ? o.provider : undefined,
      hasAccess: nonEmpty(o.access),
      hasKey: nonEmpty(o.key) || nonEmpty(o.apiKey) || isObj(o.keyRef),
      hasToken: nonEmpty(o.token) || isObj(o.tokenRef),
      hasRefresh: nonEmpty(o.refresh),
    };
  });
  const hasCredentials = profiles.some((p) => p.hasAccess || p.hasKey || p.hasToken || p.hasRefresh);
  return { path, kind, profiles, hasCredentials };
}

async function exists(p: string): Promise<boolean> {
  return fsp.stat(p).then(() => true, () => false);
}

async function readIfExists(p: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(p, "utf8");
  } catch (e) {
    if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return undefined;
    throw e;
  }
}

const isDirectory = (d: string) => fsp.stat(d).then((s) => s.isDirectory(), () => false);

async function agentDirs(config: Config, declared: DeclaredAgents): Promise<string[]> {
  const dirs = new Set<string>();
  const root = agentsRoot(config.openclaw.stateDir);
  const names = await fsp.readdir(root).catch(() => [] as string[]);
  for (const n of names.sort()) {
    const d = join(root, n, "agent");
    if (await isDirectory(d)) dirs.add(d);
  }
  for (const a of declared.agents) if (a.custom && (await isDirectory(a.agentDir))) dirs.add(a.agentDir);
  for (const t of config.targets) if (t.kind === "auth-store") for (const d of t.agentDirs) dirs.add(d);
  return [...dirs];
}

/** Every agent OpenClaw knows of (agents/<id>/agent dirs, openclaw.json's agents) against what the auth-store targets cover. */
export async function gatherAgentCoverage(config: Config, declared: DeclaredAgents): Promise<NonNullable<DoctorFacts["agentCoverage"]>> {
  const stateDir = config.openclaw.stateDir;
  const known = new Map<string, AgentCoverage>();
  const names = await fsp.readdir(agentsRoot(stateDir)).catch(() => [] as string[]);
  for (const n of names.sort()) {
    const d = defaultAgentDir(stateDir, n);
    if (/^[A-Za-z0-9_.-]+$/.test(n) && (await isDirectory(d))) known.set(d, { id: n, dir: d, source: `agents/${n}/agent`, exists: true, covered: false });
  }
  for (const a of declared.agents) {
    if (!known.has(a.agentDir)) known.set(a.agentDir, { id: a.id, dir: a.agentDir, source: a.source, exists: await isDirectory(a.agentDir), covered: false });
  }
  const covered = new Set<string>();
  for (const t of config.targets) {
    if (t.kind !== "auth-store") continue;
    for (const r of await listAgents(stateDir, t, declared.agents)) covered.add(r.agentDir);
    // A declared dir that does not exist yet is covered once it does, if the target would list it.
    if (t.agents === "all") for (const a of declared.agents) covered.add(a.agentDir);
  }
  const agents = [...known.values()].map((a) => ({ ...a, covered: covered.has(a.dir) }));
  return { agents, problems: declared.problems };
}

async function gatherAgent(dir: string, stateDir: string): Promise<AgentFacts> {
  const stores: JsonStoreFacts[] = [];
  for (const [file, kind] of [["auth-profiles.json", "auth-profiles"], ["auth-state.json", "auth-state"], ["auth.json", "auth.json"]] as const) {
    const p = join(dir, file);
    const text = await readIfExists(p);
    if (text !== undefined) stores.push(summariseStore(kind, p, text));
  }
  // Read-only (no -shm, no writes); an unreadable database only leaves the SQLite facts out.
  const sqlite = await readSqliteAuthStore(dir, stateDir).catch(() => undefined);
  const sqliteStore = sqlite?.store ? summariseStore("auth-profiles", sqlite.path, JSON.stringify(sqlite.store)) : undefined;
  return { id: agentIdFromDir(dir) ?? dir, dir, agentSqlite: await exists(agentSqlitePath(dir)), stores, sqliteStore };
}

async function gatherOpenclawJson(config: Config): Promise<DoctorFacts["openclawJson"]> {
  const path = openclawConfigPath(config.openclaw.stateDir, config.openclaw.configPath);
  const text = await readIfExists(path).catch((e: unknown) => `\u0000${errnoCode(e) ?? "error"}`);
  if (text === undefined) return { path, exists: false, authModes: {} };
  if (text.startsWith("\u0000")) return { path, exists: true, parseError: `cannot read: ${text.slice(1)}`, authModes: {} };
  let raw: unknown;
  try {
    raw = JSON5.parse(text);
  } catch (e) {
    return { path, exists: true, parseError: (e as Error).message.slice(0, 160), authModes: {} };
  }
  const root = isObj(raw) ? raw : {};
  const models = isObj(root.models) ? root.models : {};
  const providers = isObj(models.providers) ? models.providers : {};
  const anth = providers.anthropic;
  const auth = isObj(root.auth) ? root.auth : {};
  const profiles = isObj(auth.profiles) ? auth.profiles : {};
  const authModes: Record<string, string | undefined> = {};
  for (const [id, p] of Object.entries(profiles)) authModes[id] = isObj(p) && typeof p.mode === "string" ? p.mode : undefined;
  return { path, exists: true, anthropicProvider: isObj(anth) ? { baseUrl: anth.baseUrl } : undefined, authModes, route: inferRoute(raw) };
}

async function gatherCredentials(path: string, deps: GatherDeps): Promise<CredentialsFacts> {
  let kind: CredentialsFacts["kind"];
  let error: string | undefined;
  try {
    const st = await fsp.stat(path);
    kind = st.isFile() ? "file" : st.isDirectory() ? "directory" : "other";
  } catch (e) {
    const code = errnoCode(e);
    kind = code === "ENOENT" || code === "ENOTDIR" ? "missing" : "unreadable";
    error = code ?? (e as Error).message;
  }
  // The mount of the file, or of its nearest existing parent (a missing file's dir may still be read-only).
  let probe = path;
  for (;;) {
    try {
      probe = await fsp.realpath(probe);
      break;
    } catch {
      const up = dirname(probe);
      if (up === probe) break;
      probe = up;
    }
  }
  const mi = await deps.readMountinfo();
  const mount = mi ? mountFor(parseMountinfo(mi), probe) : undefined;
  let erofs: boolean | undefined;
  if (kind === "file") {
    erofs = await fsp.access(path, fsc.W_OK).then(() => false, (e: unknown) => (errnoCode(e) === "EROFS" ? true : undefined));
  }
  return { path, kind, error, mount, erofs };
}

async function gatherEnv(config: Config, deps: GatherDeps): Promise<EnvFacts> {
  const isBypass = (k: string) => (BYPASS_VARS as readonly string[]).includes(k);
  const settings: EnvFacts["settings"] = [];
  for (const p of [join(dirname(config.claudeCredentials), "settings.json"), deps.managedSettingsPath]) {
    const text = await readIfExists(p).catch(() => undefined);
    if (text === undefined) continue;
    try {
      const raw: unknown = JSON.parse(text);
      const o = isObj(raw) ? raw : {};
      const env = isObj(o.env) ? o.env : {};
      settings.push({ path: p, envNames: Object.keys(env).filter(isBypass), apiKeyHelper: nonEmpty(o.apiKeyHelper) });
    } catch (e) {
      settings.push({ path: p, envNames: [], apiKeyHelper: false, parseError: (e as Error).message.slice(0, 120) });
    }
  }
  return {
    process: Object.keys(deps.env).filter((k) => isBypass(k) && deps.env[k] !== undefined && deps.env[k] !== ""),
    config: Object.keys(config.refresh.env).filter(isBypass),
    settings,
  };
}

async function gatherNotify(config: Config, deps: GatherDeps): Promise<DoctorFacts["notify"]> {
  const n = config.notify;
  try {
    await resolveChannels(n, deps.secretsOwnerUid === undefined ? {} : { expectedUid: deps.secretsOwnerUid });
    return { channels: n.channels.length, secretsFile: n.secretsFile };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { channels: n.channels.length, secretsFile: n.secretsFile, secretsProblem: e.message };
  }
}

/** Runs `<refresh.cli> --version` as refresh would run Claude: same account, same scrubbed env, same container. */
export async function probeClaudeVersion(config: Config, planDeps: PlanDeps): Promise<ClaudeCliFacts> {
  const bin = config.refresh.cli[0]!;
  let argv: string[];
  let opts: RunOptions;
  let where: string;
  try {
    const inv = await resolveInvocation(config, planDeps, { args: ["--version"] });
    argv = inv.argv;
    opts = { env: inv.env, timeoutMs: 20_000, ...(inv.uid !== undefined ? { uid: inv.uid, gid: inv.gid } : {}), ...(inv.cwd ? { cwd: inv.cwd } : {}) };
    where = inv.where;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    if (config.refresh.on === "container") return { where: "in the OpenClaw container", error: e.message };
    argv = [bin, "--version"];
    opts = { env: scrubEnv(planDeps.processEnv), timeoutMs: 20_000 };
    where = "as the current user (credentials owner unknown)";
  }
  const r = await planDeps.run(argv, opts);
  if (r.spawnError) return { where, error: /ENOENT/.test(r.spawnError) ? `"${argv[0]}" not found on PATH` : r.spawnError };
  if (r.exitCode !== 0) return { where, error: describeFailure(argv[0]!, r) };
  return { where, output: r.stdout.trim() };
}

/** NTP state without network: timedatectl's NTPSynchronized, else timesyncd's flag file. */
export async function probeClock(run: Run, flagFile = "/run/systemd/timesync/synchronized"): Promise<ClockFacts> {
  const r = await run(["timedatectl", "show", "-p", "NTPSynchronized", "--value"], { timeoutMs: 5000 });
  const v = r.exitCode === 0 ? r.stdout.trim() : "";
  if (v === "yes") return { synchronized: true, source: "timedatectl NTPSynchronized=yes" };
  if (v === "no") return { synchronized: false, source: "timedatectl NTPSynchronized=no" };
  if (await exists(flagFile)) return { synchronized: true, source: flagFile };
  return { synchronized: undefined, source: "no answer from timedatectl and no " + flagFile };
}

export async function gatherFacts(config: Config, deps: GatherDeps): Promise<DoctorFacts> {
  const stateDir = config.openclaw.stateDir;
  const openclawJson = await gatherOpenclawJson(config);
  const declared = await readDeclaredAgents(config);
  const [version, sharedSqlite, oauthExists, agents, agentCoverage, credentials, env, claude, clock, notify] = await Promise.all([
    readOpenClawVersion(config.openclaw.version, openclawJson.path),
    exists(sharedSqlitePath(stateDir)),
    exists(oauthJsonPath(stateDir)),
    agentDirs(config, declared).then((ds) => Promise.all(ds.map((d) => gatherAgent(d, stateDir)))),
    gatherAgentCoverage(config, declared),
    gatherCredentials(config.claudeCredentials, deps),
    gatherEnv(config, deps),
    deps.claudeVersion(config),
    deps.clock(),
    gatherNotify(config, deps),
  ]);
  return {
    openclawStateDir: stateDir,
    openclawJson,
    version,
    sharedSqlite,
    oauthJson: { path: oauthJsonPath(stateDir), exists: oauthExists },
    agents,
    agentCoverage,
    config: { targets: config.targets, reload: config.reload, claudeCredentials: config.claudeCredentials, openclawMode: config.openclaw.mode },
    credentials,
    env,
    claude,
    clock,
    notify,
  };
}
