/**
 * Stack config + facts → the settings every other planner uses. Pure. This is where defaults
 * that depend on the host are filled in (home directories, the node binary, the storage era) and
 * where the service account is decided.
 */
import { posix } from "node:path";
import type { RuntimeInstallPaths } from "../contracts";
import type { EraOrUnknown, Facts } from "../facts/interpret";
import type { StackConfig } from "./stack-config";
import { DEFAULT_SYNC_STATE_DIR } from "../../runtime/src/contract/schema";
import { CONTAINER_HOME, parseDeclaredAgents } from "../../runtime/src/contract/declared-agents";

export const UNIT_PREFIX = "openclaw-oauth-sync";
export const UNIT_DIR = "/etc/systemd/system";

export const UNIT_NAMES = {
  watch: `${UNIT_PREFIX}-watch.service`,
  refreshService: `${UNIT_PREFIX}-refresh.service`,
  refreshTimer: `${UNIT_PREFIX}-refresh.timer`,
  alert: `${UNIT_PREFIX}-alert@.service`,
} as const;

/** Where the runtime lives on the host (contracts.ts RuntimeInstallPaths). */
export function installPaths(prefix: string): RuntimeInstallPaths {
  return {
    bundle: posix.join(prefix, "lib", "openclaw-oauth-sync", "openclaw-oauth-sync.cjs"),
    bin: posix.join(prefix, "bin", "openclaw-oauth-sync"),
    configFile: "/etc/openclaw-oauth-sync/config.json",
    secretsFile: "/etc/openclaw-oauth-sync/secrets.json",
    syncStateDir: DEFAULT_SYNC_STATE_DIR,
  };
}

export interface Account {
  name: string;
  uid?: number | undefined;
  gid?: number | undefined;
  home?: string | undefined;
}

export interface HostSettings {
  stack: StackConfig;
  paths: RuntimeInstallPaths;
  nodePath: string;
  /** OpenClaw's state dir (~/.openclaw of its account, or the host side of the container's mount). */
  openclawStateDir: string;
  configPath: string;
  claudeCredentials: string;
  account: Account;
  claudeAccount: Account;
  /** The account the units run as, and why. */
  serviceUser: { name: string; reason: string };
  /** Storage era used for planning and reported as an output (the runtime re-detects per agent). */
  era: EraOrUnknown;
  openclawVersion?: string | undefined;
  /** Owner of files the runtime creates in OpenClaw's state dir; undefined = the state dir's owner. */
  fileOwner?: { uid: number; gid: number } | undefined;
  /** Whether the notification secrets file is installed. */
  hasSecrets: boolean;
  /**
   * Host paths of the agent dirs openclaw.json gives agents of their own (`agentDir`), resolved
   * as the runtime resolves them: the runtime writes those agents' stores, so the units must be
   * allowed to (they may not exist yet).
   */
  declaredAgentDirs: string[];
}

/**
 * Pure: the agent dirs openclaw.json declares, from the facts (a JSON openclaw.json only: the
 * facts script reads no JSON5; such a host's own agent dirs belong in the target's agentDirs).
 */
export function declaredAgentDirs(c: StackConfig, f: Facts): string[] {
  const text = f.config.agentsDeclared;
  if (text === undefined) return [];
  let doc: unknown;
  try {
    doc = { agents: JSON.parse(text) as unknown };
  } catch {
    return [];
  }
  const d =
    c.mode === "docker"
      ? parseDeclaredAgents(doc, f.stateDir.path, CONTAINER_HOME, `${CONTAINER_HOME}/.openclaw`)
      : parseDeclaredAgents(doc, f.stateDir.path, f.account.home);
  return d.agents.filter((a) => a.custom).map((a) => a.agentDir);
}

/**
 * Decides the account the units run as. root only when the runtime must act for other users:
 * - docker mode: the docker socket is root-equivalent anyway, and files in the bind-mounted state
 *   dir belong to uid 1000 (the container's `node`), usually not the SSH account;
 * - Claude's login belongs to another account than OpenClaw's state dir: the runtime reads one
 *   and writes the other, keeping each file's owner (chown needs root);
 * - notification secrets: the runtime accepts them only from a root-owned 0600 file.
 * Otherwise the account that owns both is enough.
 */
export function decideServiceUser(c: StackConfig, account: Account, claudeAccount: Account, hasSecrets: boolean): { name: string; reason: string } {
  if (c.serviceUser !== "auto") return { name: c.serviceUser, reason: "set by serviceUser" };
  if (c.mode === "docker") return { name: "root", reason: "docker mode: needs the docker socket and writes files owned by the container's uid 1000" };
  if (account.name !== claudeAccount.name) return { name: "root", reason: `reads ${claudeAccount.name}'s Claude login and writes ${account.name}'s OpenClaw files, keeping their owners` };
  if (hasSecrets) return { name: "root", reason: "reads the root-owned 0600 notification secrets file" };
  if (account.name === "root") return { name: "root", reason: "OpenClaw and Claude belong to root" };
  return { name: account.name, reason: "OpenClaw's state dir and Claude's login belong to this account" };
}

export function resolveSettings(c: StackConfig, f: Facts, opts: { hasSecrets: boolean }): HostSettings {
  const account: Account = f.account;
  const claudeAccount: Account = f.claudeAccount;
  const nodePath = c.nodePath ?? f.node?.path;
  if (!nodePath) throw new Error("resolveSettings: no node path (facts should have refused this host)");
  return {
    stack: c,
    paths: installPaths(c.installPrefix),
    nodePath,
    openclawStateDir: f.stateDir.path,
    configPath: f.config.path,
    claudeCredentials: f.credentials.path,
    account,
    claudeAccount,
    serviceUser: decideServiceUser(c, account, claudeAccount, opts.hasSecrets),
    era: c.storageEra !== "auto" ? c.storageEra : f.era,
    openclawVersion: f.openclaw.version,
    // The official image runs OpenClaw as `node` (uid/gid 1000): files we create in the mount must
    // be readable by it (facts/openclaw.md §2.2). Natively, the state dir's owner is right.
    fileOwner: c.mode === "docker" ? { uid: 1000, gid: 1000 } : undefined,
    hasSecrets: opts.hasSecrets,
    declaredAgentDirs: declaredAgentDirs(c, f),
  };
}

/** The home directory a credentials path lives in: `/home/u/.claude/.credentials.json` → `/home/u`. */
export function claudeHomeOf(credentialsPath: string): string | undefined {
  const m = /^(.*)\/\.claude\/[^/]+$/.exec(credentialsPath);
  return m ? m[1] || "/" : undefined;
}
