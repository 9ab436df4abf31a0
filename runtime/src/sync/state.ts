/**
 * Our own memory between runs, in `<stateDir>/sync-state.json` (0600): what we pasted through
 * the OpenClaw CLI (the SQLite store is not ours to read), which env values we wrote, and when
 * we last reloaded OpenClaw. Only SHA-256 hashes of tokens, never values.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { readTextIfExists, writeFileAtomic } from "../fsx/atomic";

const Written = z.object({ hash: z.string(), expiresAt: z.number(), at: z.number() });

const SyncStateSchema = z.object({
  version: z.literal(1),
  /** Key: `<agent label>|<profileId>`. */
  pasted: z.record(z.string(), Written).default({}),
  /** Key: the env file path + "|" + key. */
  env: z.record(z.string(), Written).default({}),
  reload: z
    .object({
      lastAt: z.number().optional(),
      /** A reload was due but rate-limited; the watcher runs it at `dueAt`. */
      pending: z.object({ since: z.number(), dueAt: z.number() }).optional(),
    })
    .default({}),
});
export type SyncState = z.infer<typeof SyncStateSchema>;
export type WrittenRecord = z.infer<typeof Written>;

export function emptyState(): SyncState {
  return { version: 1, pasted: {}, env: {}, reload: {} };
}

export function syncStatePath(stateDir: string): string {
  return join(stateDir, "sync-state.json");
}

/** Hash of what we handed over; equal hash = nothing new to hand over. */
export function credentialHash(token: string, expiresAt: number): string {
  return createHash("sha256").update(`${token}\0${expiresAt}`).digest("hex");
}

export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Missing or damaged state starts empty: the worst case is one redundant paste or reload. */
export async function loadSyncState(stateDir: string): Promise<{ state: SyncState; warning?: string }> {
  const path = syncStatePath(stateDir);
  const text = await readTextIfExists(path);
  if (text === undefined) return { state: emptyState() };
  try {
    const r = SyncStateSchema.safeParse(JSON.parse(text));
    if (r.success) return { state: r.data };
  } catch {
    // fall through
  }
  return { state: emptyState(), warning: `${path}: unreadable, starting afresh (one redundant paste/reload may follow)` };
}

export async function saveSyncState(stateDir: string, state: SyncState): Promise<void> {
  await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(syncStatePath(stateDir), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}
