/**
 * Pure planner for one `KEY=token` line in a `.env` file (facts/openclaw.md §2.4). Every other
 * line is the editor's to keep byte for byte. The file has no expiry, so "never downgrade" uses
 * our own record: if the file still holds a token we wrote and we know that token lives longer
 * than the source's, it stays. A value we never wrote is replaced — the key is ours by config.
 */
import type { ClaudeCredentials } from "../../credentials";
import { getEnvEntries, setEnvEntries } from "../../edit/env";
import { tokenHash, type WrittenRecord } from "../state";

export type EnvPlan =
  | { action: "skip-newer"; heldExpiresAt: number; detail: string }
  | { action: "unchanged"; detail: string }
  | { action: "write"; text: string; detail: string; replacedForeign: boolean; warnings?: string[] };

export function planEnv(text: string | undefined, key: string, creds: ClaudeCredentials, record: WrittenRecord | undefined): EnvPlan {
  const base = text ?? "";
  const current = getEnvEntries(base, [key])[key];
  if (current === creds.accessToken) return { action: "unchanged", detail: `${key} already holds the current token` };
  const ours = current !== undefined && record !== undefined && tokenHash(current) === record.hash;
  if (ours && record!.expiresAt > creds.expiresAt) {
    return {
      action: "skip-newer",
      heldExpiresAt: record!.expiresAt,
      detail: `${key} holds a newer token we synced earlier (expires ${new Date(record!.expiresAt).toISOString()}, source ${new Date(creds.expiresAt).toISOString()})`,
    };
  }
  const r = setEnvEntries(base, { [key]: creds.accessToken }); // throws EnvEditError only for unencodable values; tokens are base64url
  const note = r.warnings?.length ? `; ${r.warnings.join("; ")}` : "";
  if (!r.changed && text !== undefined) return { action: "unchanged", detail: `${key} already holds the current token${note}` };
  const replacedForeign = current !== undefined && !ours;
  return {
    action: "write",
    text: r.text,
    replacedForeign,
    detail: `${key} set${current === undefined ? " (added)" : replacedForeign ? " (replaced a value this tool did not write)" : ""}${note}`,
    ...(r.warnings?.length ? { warnings: r.warnings } : {}),
  };
}
