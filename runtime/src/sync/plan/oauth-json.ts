/**
 * Pure planner for `<stateDir>/credentials/oauth.json` (facts/openclaw.md §4): the legacy import
 * file `{ "<provider>": { access, refresh?, expires, … } }`. Only the `anthropic` entry's keys
 * that we own change; other providers and other keys of that entry are kept.
 */
import { isDeepStrictEqual } from "node:util";
import type { ClaudeCredentials } from "../../credentials";
import type { JsonEdit } from "../../edit/types";
import { editJsonText, parseJsonText } from "../../edit/json";
import { scrubText } from "../../redact";

export const NEW_OAUTH_JSON_TEXT = "{}\n";

export type OauthJsonPlan =
  | { action: "refuse"; detail: string }
  | { action: "skip-newer"; heldExpiresAt: number; detail: string }
  | { action: "unchanged"; detail: string }
  | { action: "write"; text: string; detail: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function desiredOauthEntry(creds: ClaudeCredentials, includeRefreshToken: boolean): Obj {
  const e: Obj = { access: creds.accessToken, expires: creds.expiresAt, scopes: creds.scopes };
  if (typeof creds.subscriptionType === "string") e.subscriptionType = creds.subscriptionType;
  if (typeof creds.rateLimitTier === "string") e.rateLimitTier = creds.rateLimitTier;
  if (includeRefreshToken) e.refresh = creds.refreshToken;
  return e;
}

export function planOauthJson(text: string | undefined, creds: ClaudeCredentials, includeRefreshToken: boolean): OauthJsonPlan {
  const base = text ?? NEW_OAUTH_JSON_TEXT;
  let root: unknown;
  try {
    root = parseJsonText(base);
  } catch (e) {
    return { action: "refuse", detail: `not valid JSON (${scrubText((e as Error).message)}); left untouched: repair it (or move it away) and sync again` };
  }
  if (!isObj(root)) return { action: "refuse", detail: "not a JSON object; left untouched: repair it (or move it away) and sync again" };
  const entry = root.anthropic;
  if (isObj(entry) && typeof entry.expires === "number" && entry.expires > creds.expiresAt) {
    return {
      action: "skip-newer",
      heldExpiresAt: entry.expires,
      detail: `holds a newer token (expires ${new Date(entry.expires).toISOString()}, source ${new Date(creds.expiresAt).toISOString()})`,
    };
  }
  const want = desiredOauthEntry(creds, includeRefreshToken);
  const edits: JsonEdit[] = [];
  if (!isObj(entry)) {
    edits.push({ path: ["anthropic"], value: want });
  } else {
    for (const [k, v] of Object.entries(want)) if (!isDeepStrictEqual(entry[k], v)) edits.push({ path: ["anthropic", k], value: v });
    // Invariant 1: one refresher per refresh token — a copy we no longer hand out must go.
    if (!includeRefreshToken && "refresh" in entry) edits.push({ path: ["anthropic", "refresh"], value: undefined });
  }
  if (edits.length === 0) return { action: "unchanged", detail: "anthropic entry already holds the current token" };
  let r;
  try {
    r = editJsonText(base, edits);
  } catch (e) {
    return { action: "refuse", detail: `cannot edit: ${scrubText((e as Error).message)}; left untouched` };
  }
  if (!r.changed && text !== undefined) return { action: "unchanged", detail: "anthropic entry already holds the current token" };
  return { action: "write", text: r.text, detail: `anthropic entry set (expires ${new Date(creds.expiresAt).toISOString()})` };
}
