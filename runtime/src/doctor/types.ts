import type { RouteInfo } from "../status/route";
/**
 * doctor's data: the facts one effectful module gathers (facts.ts), and the findings the pure
 * checks (checks.ts) derive from them. Facts never hold a token value: stores are summarised
 * (which keys a profile has), environments are reduced to variable names.
 */
import type { Config } from "../contract/schema";

export type FindingLevel = "error" | "warn" | "info";

export interface Finding {
  /** Stable id of the check (README lists them). */
  id: string;
  level: FindingLevel;
  message: string;
  /** What to do; empty for info findings that need nothing. */
  fix: string;
}

/** One profile of a JSON auth store, without its secret values. */
export interface ProfileSummary {
  id: string;
  /** `type`, or the legacy `mode` OpenClaw normalises to it. */
  type?: string | undefined;
  provider?: string | undefined;
  hasAccess: boolean;
  hasKey: boolean;
  hasToken: boolean;
  hasRefresh: boolean;
}

export interface JsonStoreFacts {
  path: string;
  kind: "auth-profiles" | "auth-state" | "auth.json";
  parseError?: string | undefined;
  profiles: ProfileSummary[];
  /** The file holds at least one credential (what makes OpenClaw fail closed next to SQLite). */
  hasCredentials: boolean;
}

export interface AgentFacts {
  /** Agent id, or the dir when it is not shaped agents/<id>/agent. */
  id: string;
  dir: string;
  /** Per-agent openclaw-agent.sqlite exists. */
  agentSqlite: boolean;
  stores: JsonStoreFacts[];
  /** The SQLite-era auth store OpenClaw reads for this agent (per agent or shared), summarised like a JSON store. */
  sqliteStore?: JsonStoreFacts | undefined;
}

export interface MountFacts {
  mountPoint: string;
  fsType: string;
  readOnly: boolean;
}

export interface CredentialsFacts {
  path: string;
  kind: "file" | "directory" | "missing" | "other" | "unreadable";
  /** errno when the stat itself failed (other than ENOENT). */
  error?: string | undefined;
  /** The mount holding the file (or its nearest existing parent). */
  mount?: MountFacts | undefined;
  /** access(W_OK) said EROFS. */
  erofs?: boolean | undefined;
}

export interface ClaudeCliFacts {
  /** How it was run, e.g. "as alice on the host". */
  where: string;
  /** Output of `claude --version` when it ran. */
  output?: string | undefined;
  /** Why it could not run (not installed, timed out, …). */
  error?: string | undefined;
}

export interface ClockFacts {
  /** undefined = could not tell. */
  synchronized?: boolean | undefined;
  source: string;
}

export interface EnvFacts {
  /** Login-bypassing variable names set in doctor's own environment. */
  process: string[];
  /** … in config refresh.env. */
  config: string[];
  /** Claude Code settings files and what in them bypasses the login. */
  settings: { path: string; envNames: string[]; apiKeyHelper: boolean; parseError?: string | undefined }[];
}

/** An agent OpenClaw knows of (its agents dir, or openclaw.json), and whether an auth-store target covers it. */
export interface AgentCoverage {
  id: string;
  dir: string;
  /** "agents/<id>/agent" or where openclaw.json declares it, e.g. `agents.list[1]`. */
  source: string;
  exists: boolean;
  covered: boolean;
}

export interface DoctorFacts {
  openclawStateDir: string;
  openclawJson: {
    path: string;
    exists: boolean;
    parseError?: string | undefined;
    /** models.providers.anthropic, if present (baseUrl only; it may carry credentials elsewhere). */
    anthropicProvider?: { baseUrl?: unknown } | undefined;
    /** auth.profiles: id → mode. */
    authModes: Record<string, string | undefined>;
    /** Which way OpenClaw reaches Anthropic (status/route.ts). */
    route?: RouteInfo | undefined;
  };
  version?: { version: string; source: string } | undefined;
  sharedSqlite: boolean;
  oauthJson: { path: string; exists: boolean };
  agents: AgentFacts[];
  /** Every agent OpenClaw knows of, with coverage by the auth-store targets; problems resolving openclaw.json's agentDirs. */
  agentCoverage?: { agents: AgentCoverage[]; problems: string[] } | undefined;
  config: Pick<Config, "targets" | "reload" | "claudeCredentials"> & { openclawMode: Config["openclaw"]["mode"] };
  credentials: CredentialsFacts;
  env: EnvFacts;
  claude: ClaudeCliFacts;
  clock: ClockFacts;
  notify: { channels: number; secretsFile?: string | undefined; secretsProblem?: string | undefined };
}
