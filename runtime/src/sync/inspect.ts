/**
 * Read-only view of every target for `status`: the same planners as `sync`, without writes.
 * "stale" = sync would write; "newer" = sync would skip (never downgrade).
 */
import type { Config } from "../contract/schema";
import type { AuthStoreTarget, EnvTarget, OauthJsonTarget } from "../contract/targets";
import type { ClaudeCredentials } from "../credentials";
import { getEnvEntries } from "../edit/env";
import { parseJsonText } from "../edit/json";
import { readTextIfExists } from "../fsx/atomic";
import { readDeclaredAgents } from "../openclaw/agents";
import { readOpenClawVersion } from "../openclaw/era";
import { authProfilesPath, authStatePath, openclawConfigPath } from "../openclaw/paths";
import { scrubText } from "../redact";
import { readSqliteAuthStore, type SqliteStoreRead } from "../openclaw/sqlite-store";
import { tokenFingerprint } from "../state/refresh-state";
import { isDir } from "./context";
import { heldExpiry, planAuthJson, usableCredential } from "./plan/auth-json";
import { planEnv } from "./plan/env";
import { planOauthJson } from "./plan/oauth-json";
import { planPaste } from "./plan/paste";
import { loadSyncState, tokenHash, type SyncState } from "./state";
import { agentEra, agentsToSync, claudeCliRouteForwarding, type AgentRef } from "./targets/auth-store";
import { envTargetPath } from "./targets/env";
import { oauthJsonTargetPath, stateDirEra } from "./targets/oauth-json";
import type { SyncDeps, TargetInspection } from "./types";

interface InspectCtx {
  config: Config;
  creds: ClaudeCredentials | undefined;
  version: { version: string; source: string } | undefined;
  state: SyncState;
  now: () => number;
}

const NO_SOURCE = "cannot compare: Claude credentials unreadable";

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const v = parseJsonText(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function inspectAuthStore(ic: InspectCtx, target: AuthStoreTarget): Promise<TargetInspection[]> {
  const stateDir = ic.config.openclaw.stateDir;
  if (!(await isDir(stateDir))) return [{ target: "auth-store", state: "error", path: stateDir, detail: `openclaw.stateDir ${stateDir} does not exist` }];
  const agents = await agentsToSync(stateDir, target, (await readDeclaredAgents(ic.config)).agents);
  if (agents.length === 0) return [{ target: "auth-store", state: "missing", path: stateDir, detail: "no agent dirs yet" }];
  const out: TargetInspection[] = [];
  for (const agent of agents) {
    const d = await agentEra(ic, target, agent.agentDir);
    const base = { target: agent.label, era: d.era };
    if (d.era === "sqlite") {
      out.push(await inspectSqliteAgent(ic, target, agent, d.reason));
      continue;
    }
    const storePath = authProfilesPath(agent.agentDir);
    if (d.sqlitePresent) {
      out.push({ ...base, state: "wrong-format", path: storePath, detail: `era ${d.era} forced next to a SQLite store` });
      continue;
    }
    const text = await readTextIfExists(storePath);
    const parsed = text === undefined ? undefined : safeParse(text);
    const held = parsed ? heldExpiry(parsed.profiles, target.profileId) : undefined;
    const withHeld = held !== undefined ? { expiresAt: held } : {};
    const hasProfile = parsed !== undefined && typeof parsed.profiles === "object" && parsed.profiles !== null && target.profileId in parsed.profiles;
    if (text === undefined || (parsed && !hasProfile)) {
      out.push({ ...base, state: "missing", path: storePath, detail: text === undefined ? "auth-profiles.json does not exist" : `no profile ${target.profileId}` });
      continue;
    }
    if (!ic.creds) {
      out.push({ ...base, state: parsed ? "stale" : "wrong-format", path: storePath, ...withHeld, detail: parsed ? NO_SOURCE : "auth-profiles.json is not valid JSON" });
      continue;
    }
    const stateText = d.era === "json-split" ? await readTextIfExists(authStatePath(agent.agentDir)) : undefined;
    const p = planAuthJson({ era: d.era, profilesText: text, stateText, creds: ic.creds, target });
    const state = p.action === "refuse" ? "wrong-format" : p.action === "skip-newer" ? "newer" : p.action === "unchanged" ? "in-sync" : "stale";
    out.push({ ...base, state, path: storePath, ...withHeld, detail: p.detail });
  }
  return out;
}

/**
 * SQLite era: what OpenClaw's store really holds (read-only, openclaw/sqlite-store.ts), reduced
 * to expiry and fingerprint; our paste record only when the store cannot be read.
 */
async function inspectSqliteAgent(ic: InspectCtx, target: AuthStoreTarget, agent: AgentRef, reason: string): Promise<TargetInspection> {
  const base = { target: agent.label, era: "sqlite" as const };
  const rec = agent.agentId ? ic.state.pasted[`${agent.agentId}|${target.profileId}`] : undefined;
  let read: SqliteStoreRead | undefined;
  let readProblem: string | undefined;
  try {
    read = await readSqliteAuthStore(agent.agentDir, ic.config.openclaw.stateDir);
  } catch (e) {
    readProblem = scrubText(e instanceof Error ? e.message : String(e));
  }
  if (read === undefined) {
    // Unreadable (or no database yet): fall back to what we pasted last.
    const why = readProblem ? `store unreadable (${readProblem})` : "no SQLite store yet";
    if (!rec) return { ...base, state: "missing", path: agent.agentDir, detail: `${why}; no paste-token recorded by this tool (${reason})` };
    if (!ic.creds) return { ...base, state: "stale", path: agent.agentDir, expiresAt: rec.expiresAt, detail: `${why}; ${NO_SOURCE}` };
    const p = planPaste(rec, ic.creds, target.profileId, ic.now());
    const state = p.action === "unchanged" ? "in-sync" : p.action === "skip-newer" ? "newer" : "stale";
    return { ...base, state, path: agent.agentDir, expiresAt: rec.expiresAt, detail: `${why}; by our record: ${p.detail}` };
  }
  const where = `${read.location === "shared" ? "shared " : ""}${read.path}`;
  const profiles = read.store?.profiles;
  const held = typeof profiles === "object" && profiles !== null ? (profiles as Record<string, unknown>)[target.profileId] : undefined;
  const route = await claudeCliRouteForwarding(ic);
  if (typeof held !== "object" || held === null) {
    return route
      ? { ...base, state: "in-sync", path: read.path, detail: `no token profile in ${where}, as wanted: ${route} (a saved profile would shadow Claude Code's login)` }
      : { ...base, state: "missing", path: read.path, detail: `no profile ${target.profileId} in ${where}` };
  }
  const h = held as Record<string, unknown>;
  const secret = typeof h.token === "string" ? h.token : typeof h.access === "string" ? h.access : typeof h.key === "string" ? h.key : undefined;
  const exp = heldExpiry(profiles, target.profileId);
  const fp = secret ? tokenFingerprint(secret) : undefined;
  const facts = { ...(exp !== undefined ? { expiresAt: exp } : {}), ...(fp ? { fingerprint: fp } : {}) };
  const what = `${target.profileId} in ${where}: ${String(h.type ?? "?")}${fp ? ` fingerprint ${fp}` : ", no token"}${exp !== undefined ? `, expires ${new Date(exp).toISOString()}` : ""}`;
  if (route) return { ...base, state: "stale", path: read.path, ...facts, detail: `${what}: it shadows Claude Code's login (${route}); remove it with sync --remove-route-profile` };
  if (!usableCredential(held)) return { ...base, state: "stale", path: read.path, ...facts, detail: `${what}: OpenClaw cannot use it; sync replaces it` };
  if (!ic.creds) return { ...base, state: "stale", path: read.path, ...facts, detail: `${what}; ${NO_SOURCE}` };
  if (secret !== undefined && tokenHash(secret) === tokenHash(ic.creds.accessToken)) return { ...base, state: "in-sync", path: read.path, ...facts, detail: `${what} (the current token)` };
  if (exp !== undefined && exp > ic.creds.expiresAt) return { ...base, state: "newer", path: read.path, ...facts, detail: `${what}: newer than the source; sync leaves it` };
  return { ...base, state: "stale", path: read.path, ...facts, detail: `${what}: not the current token; sync pastes it` };
}

async function inspectOauthJson(ic: InspectCtx, target: OauthJsonTarget): Promise<TargetInspection> {
  const path = oauthJsonTargetPath(ic.config.openclaw.stateDir, target);
  const label = `oauth-json:${path}`;
  const era = await stateDirEra(ic);
  if (era.era === "sqlite") return { target: label, state: "wrong-format", path, era: "sqlite", detail: `retired in SQLite-era OpenClaw (${era.reason})` };
  const text = await readTextIfExists(path);
  if (text === undefined) return { target: label, state: "missing", path, detail: "file does not exist" };
  const parsed = safeParse(text);
  const entry = parsed?.anthropic as Record<string, unknown> | undefined;
  const held = entry && typeof entry.expires === "number" ? { expiresAt: entry.expires } : {};
  if (!parsed) return { target: label, state: "wrong-format", path, detail: "not a JSON object" };
  if (!entry) return { target: label, state: "missing", path, detail: "no anthropic entry" };
  if (!ic.creds) return { target: label, state: "stale", path, ...held, detail: NO_SOURCE };
  const p = planOauthJson(text, ic.creds, target.includeRefreshToken);
  const state = p.action === "refuse" ? "wrong-format" : p.action === "skip-newer" ? "newer" : p.action === "unchanged" ? "in-sync" : "stale";
  return { target: label, state, path, ...held, detail: p.detail };
}

async function inspectEnv(ic: InspectCtx, target: EnvTarget): Promise<TargetInspection> {
  const path = envTargetPath(ic.config.openclaw.stateDir, target);
  const label = `env:${path}`;
  const text = await readTextIfExists(path);
  const value = text === undefined ? undefined : getEnvEntries(text, [target.key])[target.key];
  if (value === undefined) return { target: label, state: "missing", path, detail: `${target.key} not set` };
  const rec = ic.state.env[`${path}|${target.key}`];
  const held = rec && rec.hash === tokenHash(value) ? { expiresAt: rec.expiresAt } : {};
  if (!ic.creds) return { target: label, state: "stale", path, ...held, detail: NO_SOURCE };
  const p = planEnv(text, target.key, ic.creds, rec);
  const state = p.action === "skip-newer" ? "newer" : p.action === "unchanged" ? "in-sync" : "stale";
  return { target: label, state, path, ...held, detail: p.detail };
}

/** Read-only: what `sync` would find in each target. Never writes, never runs the OpenClaw CLI. */
export async function inspectTargets(config: Config, creds: ClaudeCredentials | undefined, deps: SyncDeps): Promise<TargetInspection[]> {
  const [version, loaded] = await Promise.all([
    readOpenClawVersion(config.openclaw.version, openclawConfigPath(config.openclaw.stateDir, config.openclaw.configPath)),
    loadSyncState(config.stateDir),
  ]);
  const ic: InspectCtx = { config, creds, version, state: loaded.state, now: deps.now };
  const out: TargetInspection[] = [];
  for (const t of config.targets) {
    try {
      if (t.kind === "auth-store") out.push(...(await inspectAuthStore(ic, t)));
      else if (t.kind === "oauth-json") out.push(await inspectOauthJson(ic, t));
      else out.push(await inspectEnv(ic, t));
    } catch (e) {
      const secrets = creds ? [creds.accessToken, creds.refreshToken] : [];
      out.push({ target: t.kind, state: "error", detail: scrubText(e instanceof Error ? e.message : String(e), secrets) });
    }
  }
  for (const i of out) i.detail = scrubText(i.detail, creds ? [creds.accessToken, creds.refreshToken] : []);
  return out;
}
