/**
 * Which credential store an OpenClaw agent dir uses (facts/openclaw.md §0, §3, §7):
 *   json        auth-profiles.json with order/lastGood/usageStats inside (≤ 2026.4.6)
 *   json-split  auth-profiles.json + auth-state.json (2026.4.7 – 2026.6.1)
 *   sqlite      openclaw-agent.sqlite per agent, or the shared <stateDir>/state/openclaw.sqlite (≥ 2026.6.5)
 * The SQLite boundary comes from the real releases (test/compat): 2026.5.28 and 2026.6.1 still load
 * auth-profiles.json; 2026.6.5 and 2026.6.11 keep the store in openclaw-agent.sqlite (facts/openclaw.md
 * said ~2026.7). No release was published between 2026.6.1 and 2026.6.5.
 * decideEra is pure; gatherEraFacts is the small fs reader that feeds it. The version → era table
 * itself is shared with the Pulumi program: ../contract/era.ts.
 */
import { FileTooLargeError, MAX_STORE_BYTES, readFileCapped } from "../security/limits";
import { promises as fsp } from "node:fs";
import JSON5 from "json5";
import type { StorageEra } from "../sync/types";
import { eraForVersion } from "../contract/era";
import { errnoCode } from "../errors";
import { agentSqlitePath, authProfilesPath, authStatePath, sharedSqlitePath } from "./paths";

export type EraSetting = "auto" | StorageEra;

/** What the filesystem and config say about one agent dir. */
export interface EraFacts {
  agentSqlite: boolean;
  sharedSqlite: boolean;
  authStateJson: boolean;
  /** auth-profiles.json holds order/lastGood/usageStats; undefined when absent or unreadable. */
  profilesHasStateKeys?: boolean | undefined;
  /** Installed OpenClaw version, if known, and where it came from. */
  version?: string | undefined;
  versionSource?: string | undefined;
  /** The version is openclaw.version from our config (the installed binary's, per the Pulumi facts). */
  versionConfigured?: boolean | undefined;
}

export interface EraDecision {
  era: StorageEra;
  /** Why, for the operator (goes into the target's detail). */
  reason: string;
  /** A SQLite store exists for this agent dir (per-agent or shared). */
  sqlitePresent: boolean;
  /** Detection found no evidence and fell back to json. */
  guessed: boolean;
}

/**
 * Does the shared <stateDir>/state/openclaw.sqlite say "SQLite era"? Not when the configured
 * version predates the SQLite store: 2026.6.1 already creates that database (for other state)
 * while its auth store is still auth-profiles.json + auth-state.json (seen in the real release,
 * test/compat). meta.lastTouchedVersion does not overrule the database: after an upgrade it may
 * still name the old release, and JSON written for a SQLite-era OpenClaw is ignored or blocks it.
 */
function sharedSqliteCounts(facts: EraFacts): boolean {
  if (!facts.sharedSqlite) return false;
  if (!facts.versionConfigured || !facts.version) return true;
  const byVersion = eraForVersion(facts.version);
  return byVersion === undefined || byVersion === "sqlite";
}

/** Pure: the era of one agent dir. An explicit setting wins over detection. */
export function decideEra(facts: EraFacts, setting: EraSetting = "auto"): EraDecision {
  const sharedCounts = sharedSqliteCounts(facts);
  const sqlitePresent = facts.agentSqlite || sharedCounts;
  if (setting !== "auto") {
    return { era: setting, reason: `era ${setting} set in the target config`, sqlitePresent, guessed: false };
  }
  if (facts.agentSqlite) {
    return { era: "sqlite", reason: "openclaw-agent.sqlite present", sqlitePresent, guessed: false };
  }
  if (sharedCounts) {
    return { era: "sqlite", reason: "shared state/openclaw.sqlite present", sqlitePresent, guessed: false };
  }
  if (facts.authStateJson) {
    return { era: "json-split", reason: "auth-state.json present", sqlitePresent, guessed: false };
  }
  if (facts.profilesHasStateKeys) {
    return { era: "json", reason: "auth-profiles.json holds order/lastGood/usageStats", sqlitePresent, guessed: false };
  }
  if (facts.version) {
    const byVersion = eraForVersion(facts.version);
    if (byVersion) {
      return { era: byVersion, reason: `OpenClaw ${facts.version} (${facts.versionSource ?? "config"})`, sqlitePresent, guessed: false };
    }
  }
  if (facts.profilesHasStateKeys === false) {
    // Both JSON eras read this file; json-split releases merge order/lastGood/usageStats from it
    // with auth-state.json (facts §3.1), so the single-file layout is right for either.
    return {
      era: "json",
      reason: "auth-profiles.json without order/lastGood/usageStats and no auth-state.json (the single-file layout, which both JSON eras read)",
      sqlitePresent,
      guessed: false,
    };
  }
  return {
    era: "json",
    reason: `era unknown (no store files${facts.version ? `, unrecognised version "${facts.version}"` : ", no version"}); assuming json — set openclaw.version or the target's era to be sure`,
    sqlitePresent,
    guessed: true,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await fsp.stat(path);
    return true;
  } catch (e) {
    if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return false;
    throw e;
  }
}

async function profilesHasStateKeys(agentDir: string): Promise<boolean | undefined> {
  let text: string | undefined;
  try {
    text = await readFileCapped(authProfilesPath(agentDir), MAX_STORE_BYTES, "auth-profiles.json");
  } catch (e) {
    if (e instanceof FileTooLargeError) return undefined; // the target reports it
    throw e;
  }
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null) return undefined;
    return ["order", "lastGood", "usageStats"].some((k) => k in v);
  } catch {
    return undefined; // unparseable: the target reports it; detection falls through
  }
}

/**
 * The OpenClaw version: openclaw.version from our config, else `meta.lastTouchedVersion` of
 * openclaw.json (JSON5; written by every OpenClaw that saved the config). Undefined when neither.
 */
export const CONFIGURED_VERSION_SOURCE = "openclaw.version in config";

export async function readOpenClawVersion(configured: string | undefined, openclawJson: string): Promise<{ version: string; source: string } | undefined> {
  if (configured) return { version: configured, source: CONFIGURED_VERSION_SOURCE };
  let text: string;
  try {
    text = await fsp.readFile(openclawJson, "utf8");
  } catch {
    return undefined;
  }
  try {
    const v: unknown = JSON5.parse(text);
    const meta = typeof v === "object" && v !== null ? (v as Record<string, unknown>).meta : undefined;
    const touched = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>).lastTouchedVersion : undefined;
    return typeof touched === "string" ? { version: touched, source: "meta.lastTouchedVersion in openclaw.json" } : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the facts for one agent dir. */
export async function gatherEraFacts(
  agentDir: string,
  stateDir: string,
  version?: { version: string; source: string },
): Promise<EraFacts> {
  const [agentSqlite, sharedSqlite, authStateJson, stateKeys] = await Promise.all([
    exists(agentSqlitePath(agentDir)),
    exists(sharedSqlitePath(stateDir)),
    exists(authStatePath(agentDir)),
    profilesHasStateKeys(agentDir),
  ]);
  return {
    agentSqlite,
    sharedSqlite,
    authStateJson,
    profilesHasStateKeys: stateKeys,
    version: version?.version,
    versionSource: version?.source,
    versionConfigured: version?.source === CONFIGURED_VERSION_SOURCE,
  };
}
