/**
 * Pure planner for the SQLite-era target: `openclaw models auth paste-token` is the only
 * supported way in, and the store is not ours to read, so idempotence and "never downgrade"
 * come from our record of what we pasted last (sync-state.json).
 */
import type { ClaudeCredentials } from "../../credentials";
import { credentialHash, type WrittenRecord } from "../state";

export type PastePlan =
  | { action: "unchanged"; detail: string }
  | { action: "skip-newer"; heldExpiresAt: number; detail: string }
  | { action: "paste"; expiresInMinutes: number; hash: string; detail: string };

/** Remaining lifetime in whole minutes, rounded up; at least 1 (an expired token still goes in). */
export function expiresInMinutes(expiresAt: number, now: number): number {
  return Math.max(1, Math.ceil((expiresAt - now) / 60_000));
}

export function planPaste(record: WrittenRecord | undefined, creds: ClaudeCredentials, profileId: string, now: number): PastePlan {
  const hash = credentialHash(creds.accessToken, creds.expiresAt);
  if (record?.hash === hash) return { action: "unchanged", detail: `${profileId} already pasted (same token and expiry)` };
  if (record && record.expiresAt > creds.expiresAt) {
    return {
      action: "skip-newer",
      heldExpiresAt: record.expiresAt,
      detail: `${profileId} holds a newer token we pasted earlier (expires ${new Date(record.expiresAt).toISOString()}, source ${new Date(creds.expiresAt).toISOString()})`,
    };
  }
  const minutes = expiresInMinutes(creds.expiresAt, now);
  return { action: "paste", expiresInMinutes: minutes, hash, detail: `${profileId} pasted (expires in ${minutes}m)` };
}
