/**
 * What every target of one sync run shares: the config, the source credentials, who owns new
 * files, the OpenClaw version, and our mutable sync state.
 */
import { promises as fsp } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "../contract/schema";
import type { ClaudeCredentials } from "../credentials";
import { errnoCode } from "../errors";
import { explainWriteError, type NewFileOwnership } from "../fsx/atomic";
import type { DeclaredAgent } from "../openclaw/agents";
import type { Owner } from "../openclaw/owner";
import type { SyncState } from "./state";
import type { SyncDeps, TargetResult } from "./types";

export interface RunContext {
  config: Config;
  creds: ClaudeCredentials;
  deps: SyncDeps;
  owner: Owner | undefined;
  version: { version: string; source: string } | undefined;
  state: SyncState;
  /** Does openclaw.stateDir exist? Targets inside a missing state dir are refused. */
  stateDirExists: boolean;
  /** Agents openclaw.json declares (agents.list / agents.entries), with their agent dirs. */
  declaredAgents: DeclaredAgent[];
  /** Runs `fn` after every earlier serial() call of this run has settled (OpenClaw CLI calls). */
  serial: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** A one-slot queue: targets run concurrently, but what must not overlap goes through here. */
export function serialQueue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  };
}

/**
 * New credential files: 0600, owned by the OpenClaw account. A symlinked target may point
 * anywhere inside openclaw.stateDir (agents sharing one store), nowhere else (fsx/atomic.ts).
 */
export function newFileOwnership(ctx: Pick<RunContext, "owner" | "config">): NewFileOwnership {
  return { mode: 0o600, uid: ctx.owner?.uid, gid: ctx.owner?.gid, symlinkRoots: [ctx.config.openclaw.stateDir] };
}

/** Makes `dir` (one level) if its parent exists: 0700, owned by the OpenClaw account, like OpenClaw's own dirs. */
export async function ensureDir(dir: string, owner: Owner | undefined): Promise<void> {
  try {
    await fsp.mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return;
    throw e;
  }
  if (owner) await fsp.chown(dir, owner.uid, owner.gid);
}

export async function isDir(path: string): Promise<boolean> {
  try {
    return (await fsp.stat(path)).isDirectory();
  } catch (e) {
    if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return false;
    throw e;
  }
}

export async function parentExists(path: string): Promise<boolean> {
  return isDir(dirname(path));
}

/** A failure as a TargetResult; errno codes get the operator's fix. */
export function failure(target: string, path: string | undefined, e: unknown, scrub: (s: string) => string): TargetResult {
  // A full or read-only filesystem met outside writeFileAtomic (e.g. creating OpenClaw's lock) gets the same fix.
  e = explainWriteError(e, path ?? target);
  const code = errnoCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  const detail =
    code === "EACCES" || code === "EPERM"
      ? `permission denied (${scrub(msg)}): run as root or as the account that owns the OpenClaw state dir`
      : code === "EISDIR"
        ? `${path ?? "target"} is a directory, expected a file: remove it or fix the path in the config`
        : scrub(msg);
  return { target, outcome: "failed", ...(path ? { path } : {}), detail };
}
