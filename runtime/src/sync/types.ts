/**
 * The sync engine's public contract, used by `sync`, `watch`, `refresh` and `status`.
 */
import type { Config } from "../contract/schema";
import type { Logger } from "../log";
import type { ClaudeCredentials } from "../credentials";
import type { StorageEra } from "../contract/era";

/** OpenClaw's credential storage era for one agent dir (the table: contract/era.ts). */
export type { StorageEra };

/** What happened to one target in one sync. */
export type TargetOutcome =
  | "written" // content changed and was written atomically
  | "unchanged" // desired content already there; nothing written
  | "skipped-newer" // target holds a token that expires later: never downgrade
  | "refused" // e.g. unparseable target file, JSON store next to a SQLite store: left untouched
  | "failed"; // I/O or CLI error

export interface TargetResult {
  /** Stable label, e.g. "auth-store:main", "env:/home/node/.openclaw/.env". */
  target: string;
  outcome: TargetOutcome;
  /** Path written or inspected, if any. */
  path?: string;
  era?: StorageEra;
  /** Operator-facing explanation (never a token value). */
  detail: string;
}

export interface SyncReport {
  /** Source token's expiry (epoch ms); undefined when the credentials could not be read. */
  sourceExpiresAt?: number;
  results: TargetResult[];
  /** True if any target was written. */
  changed: boolean;
  reload?: { action: string; ok: boolean; detail: string; deferredUntil?: number };
  /** Non-empty when the run as a whole failed (e.g. credentials unreadable). */
  error?: string;
  /** With `error`: the exit code it maps to (CredentialsError: 65/66/77). */
  errorExitCode?: number;
  /** The source token had already expired; it was synced anyway (it may be the newest there is). */
  sourceExpired?: boolean;
}

/** Read-only view of a target for `status` (no writes). */
export type TargetState = "in-sync" | "stale" | "missing" | "wrong-format" | "newer" | "error";
export interface TargetInspection {
  target: string;
  state: TargetState;
  path?: string;
  era?: StorageEra;
  /** Expiry of the token the target holds, if readable. */
  expiresAt?: number;
  /** First 16 hex of the SHA-256 of the token the target holds (SQLite era: read from OpenClaw's store); never the token. */
  fingerprint?: string;
  detail: string;
}

export interface SyncDeps {
  log: Logger;
  now: () => number;
  /**
   * `sync --remove-route-profile`: on the claude-cli route (OpenClaw ≥ 2026.8), remove the token
   * profile this tool pasted earlier (`openclaw models auth logout <id> --yes`), issue 18 point 6.
   */
  removeRouteProfile?: boolean;
}

/** Signatures implemented in sync/engine.ts. */
export type RunSync = (config: Config, deps: SyncDeps) => Promise<SyncReport>;
export type InspectTargets = (config: Config, creds: ClaudeCredentials | undefined, deps: SyncDeps) => Promise<TargetInspection[]>;
