/**
 * Where OpenClaw keeps things inside its state dir (facts/openclaw.md §2.1, §3.1, §7).
 * Pure path arithmetic; nothing here touches the filesystem.
 */
import { basename, dirname, join } from "node:path";

export const AUTH_PROFILES_FILE = "auth-profiles.json";
export const AUTH_STATE_FILE = "auth-state.json";
/** Per-agent SQLite store (docs from 2026-07). */
export const AGENT_SQLITE_FILE = "openclaw-agent.sqlite";

export function agentsRoot(stateDir: string): string {
  return join(stateDir, "agents");
}

/** `<stateDir>/agents/<id>/agent`, OpenClaw's default agent dir. */
export { defaultAgentDir } from "../contract/declared-agents";

/** The shared database 2026.9.6 creates (facts §7); also the target of `doctor --fix` relocation. */
export function sharedSqlitePath(stateDir: string): string {
  return join(stateDir, "state", "openclaw.sqlite");
}

export function agentSqlitePath(agentDir: string): string {
  return join(agentDir, AGENT_SQLITE_FILE);
}

export function authProfilesPath(agentDir: string): string {
  return join(agentDir, AUTH_PROFILES_FILE);
}

export function authStatePath(agentDir: string): string {
  return join(agentDir, AUTH_STATE_FILE);
}

/** OpenClaw's O_EXCL lock file next to the store (facts §3.4). */
export function lockPathFor(storePath: string): string {
  return `${storePath}.lock`;
}

export function openclawConfigPath(stateDir: string, configured?: string): string {
  return configured ?? join(stateDir, "openclaw.json");
}

export function oauthJsonPath(stateDir: string): string {
  return join(stateDir, "credentials", "oauth.json");
}

export function globalEnvPath(stateDir: string): string {
  return join(stateDir, ".env");
}

/**
 * The agent id of an agent dir shaped `…/agents/<id>/agent`, else undefined (an agentDir from
 * agents.list[] may live anywhere; its id is then unknown to us).
 */
export function agentIdFromDir(agentDir: string): string | undefined {
  const clean = agentDir.replace(/\/+$/, "");
  if (basename(clean) !== "agent") return undefined;
  const idDir = dirname(clean);
  if (basename(dirname(idDir)) !== "agents") return undefined;
  const id = basename(idDir);
  return /^[A-Za-z0-9_.-]+$/.test(id) ? id : undefined;
}
