/**
 * Pure planner for the JSON-era auth store of one agent (facts/openclaw.md §3.2): given the
 * current text of auth-profiles.json (and auth-state.json for json-split), decide what to write.
 * Only our profile's credential keys change; the profile's other keys (email, displayName) and
 * every other profile stay as they are, byte for byte where the editor allows.
 */
import { isDeepStrictEqual } from "node:util";
import type { ClaudeCredentials } from "../../credentials";
import type { AuthStoreTarget } from "../../contract/targets";
import type { JsonEdit } from "../../edit/types";
import { editJsonText, parseJsonText } from "../../edit/json";
import { scrubText } from "../../redact";

/** Keys that carry a credential or its kind; all of them are ours to set or remove. */
const CREDENTIAL_KEYS = ["type", "mode", "provider", "token", "tokenRef", "access", "refresh", "key", "keyRef", "apiKey", "expires"] as const;
/** usageStats fields that keep a profile out of rotation (§3.2). */
const COOLDOWN_REMOVE = ["cooldownUntil", "disabledUntil", "disabledReason"] as const;

export const NEW_AUTH_PROFILES_TEXT = JSON.stringify({ version: 1, profiles: {} }, null, 2) + "\n";
export const NEW_AUTH_STATE_TEXT = JSON.stringify({ version: 1 }, null, 2) + "\n";

export type JsonStoreEra = "json" | "json-split";

export interface AuthJsonInput {
  era: JsonStoreEra;
  /** auth-profiles.json text; undefined when the file does not exist. */
  profilesText: string | undefined;
  /** auth-state.json text (json-split only); undefined when absent. */
  stateText?: string | undefined;
  creds: ClaudeCredentials;
  target: Pick<AuthStoreTarget, "profileId" | "profileType" | "setLastGood" | "clearCooldown" | "includeRefreshToken">;
}

export type AuthJsonPlan =
  | { action: "refuse"; file: "auth-profiles.json" | "auth-state.json"; detail: string }
  | { action: "skip-newer"; heldExpiresAt: number; detail: string }
  | { action: "unchanged"; detail: string }
  /** New texts; a file whose text is undefined is left alone. */
  | { action: "write"; profilesText?: string; stateText?: string; detail: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The credential part of our profile, exactly as OpenClaw reads it. */
export function desiredProfile(creds: ClaudeCredentials, target: AuthJsonInput["target"]): Obj {
  if (target.profileType === "oauth") {
    const p: Obj = { type: "oauth", provider: "anthropic", access: creds.accessToken, expires: creds.expiresAt };
    if (target.includeRefreshToken) p.refresh = creds.refreshToken;
    return p;
  }
  return { type: "token", provider: "anthropic", token: creds.accessToken, expires: creds.expiresAt };
}

function parseOrRefuse(text: string, file: "auth-profiles.json" | "auth-state.json"): Obj | { refuse: AuthJsonPlan } {
  let v: unknown;
  try {
    v = parseJsonText(text);
  } catch (e) {
    return {
      refuse: {
        action: "refuse",
        file,
        detail: `${file} is not valid JSON (${scrubText((e as Error).message)}); left untouched: repair it (or move it away) and sync again`,
      },
    };
  }
  if (!isObj(v)) return { refuse: { action: "refuse", file, detail: `${file} is not a JSON object; left untouched: repair it (or move it away) and sync again` } };
  return v;
}

/** Edits that make `existing` (our profile, maybe absent) hold `desired`; [] when it already does. */
export function profileEdits(profiles: unknown, profileId: string, desired: Obj): JsonEdit[] {
  if (!isObj(profiles)) return [{ path: ["profiles"], value: { [profileId]: desired } }];
  const existing = profiles[profileId];
  if (!isObj(existing)) return [{ path: ["profiles", profileId], value: desired }];
  const edits: JsonEdit[] = [];
  for (const k of CREDENTIAL_KEYS) {
    const want = desired[k];
    if (want === undefined) {
      if (k in existing) edits.push({ path: ["profiles", profileId, k], value: undefined });
    } else if (!isDeepStrictEqual(existing[k], want)) {
      edits.push({ path: ["profiles", profileId, k], value: want });
    }
  }
  return edits;
}

/** Edits of the routing state (lastGood, cooldown), in whichever file holds it for this era. */
export function stateEdits(state: Obj, profileId: string, target: AuthJsonInput["target"]): JsonEdit[] {
  const edits: JsonEdit[] = [];
  if (target.setLastGood) {
    const lastGood = state.lastGood;
    if (!isObj(lastGood)) edits.push({ path: ["lastGood"], value: { anthropic: profileId } });
    else if (lastGood.anthropic !== profileId) edits.push({ path: ["lastGood", "anthropic"], value: profileId });
  }
  if (target.clearCooldown) {
    const stats = isObj(state.usageStats) ? state.usageStats[profileId] : undefined;
    if (isObj(stats)) {
      for (const k of COOLDOWN_REMOVE) if (k in stats) edits.push({ path: ["usageStats", profileId, k], value: undefined });
      if ("errorCount" in stats && stats.errorCount !== 0) edits.push({ path: ["usageStats", profileId, "errorCount"], value: 0 });
    }
  }
  return edits;
}

const nonEmpty = (v: unknown): boolean => typeof v === "string" && v.trim() !== "";

/**
 * Can OpenClaw use this stored credential at all (facts/openclaw.md §3.3)? Its eligibility rule:
 * `token` needs token/tokenRef, `oauth` needs access or refresh, `api_key` needs key/keyRef
 * (`mode`/`apiKey` are the legacy spellings it normalises). The seed's `{type:"oauth", key}` is
 * dropped from the auth order ("No API key found"), so it protects nothing.
 */
export function usableCredential(p: unknown): boolean {
  if (!isObj(p)) return false;
  const type = typeof p.type === "string" ? p.type : p.mode;
  switch (type) {
    case "token":
      return nonEmpty(p.token) || isObj(p.tokenRef);
    case "oauth":
      return nonEmpty(p.access) || nonEmpty(p.refresh);
    case "api_key":
      return nonEmpty(p.key) || nonEmpty(p.apiKey) || isObj(p.keyRef);
    default:
      return false;
  }
}

/** Expiry the store's copy of our profile carries, if any (also for a credential OpenClaw cannot use). */
export function heldExpiry(profiles: unknown, profileId: string): number | undefined {
  const p = isObj(profiles) ? profiles[profileId] : undefined;
  return isObj(p) && typeof p.expires === "number" && Number.isFinite(p.expires) ? p.expires : undefined;
}

/**
 * The expiry "never downgrade" protects: only that of a credential OpenClaw can use (DESIGN §3.4).
 * Undefined for a missing or unusable profile, which is rewritten whatever its expiry says.
 */
export function protectedExpiry(profiles: unknown, profileId: string): number | undefined {
  const p = isObj(profiles) ? profiles[profileId] : undefined;
  return usableCredential(p) ? heldExpiry(profiles, profileId) : undefined;
}

/**
 * Decides the write. lastGood and the cooldown reset ride along with a credential change only:
 * re-asserting them on every resync would fight OpenClaw's own routing (a real rate-limit
 * cooldown would be wiped every few minutes).
 */
export function planAuthJson(input: AuthJsonInput): AuthJsonPlan {
  const { creds, target } = input;
  const profilesText = input.profilesText ?? NEW_AUTH_PROFILES_TEXT;
  const root = parseOrRefuse(profilesText, "auth-profiles.json");
  if ("refuse" in root) return root.refuse as AuthJsonPlan;
  if ("profiles" in root && !isObj(root.profiles)) {
    return { action: "refuse", file: "auth-profiles.json", detail: "auth-profiles.json: \"profiles\" is not an object; left untouched: repair it and sync again" };
  }
  let stateRoot: Obj | undefined;
  if (input.era === "json-split") {
    const st = parseOrRefuse(input.stateText ?? NEW_AUTH_STATE_TEXT, "auth-state.json");
    if ("refuse" in st) return st.refuse as AuthJsonPlan;
    stateRoot = st;
  }

  const held = protectedExpiry(root.profiles, target.profileId);
  if (held !== undefined && held > creds.expiresAt) {
    return {
      action: "skip-newer",
      heldExpiresAt: held,
      detail: `${target.profileId} holds a newer token (expires ${new Date(held).toISOString()}, source ${new Date(creds.expiresAt).toISOString()})`,
    };
  }

  const pEdits = profileEdits(root.profiles, target.profileId, desiredProfile(creds, target));
  if (pEdits.length === 0) return { action: "unchanged", detail: `${target.profileId} already holds the current token` };
  const unusable = isObj(root.profiles) && isObj(root.profiles[target.profileId]) && !usableCredential(root.profiles[target.profileId]);

  let newProfiles = profilesText;
  let newState: string | undefined;
  try {
    if (input.era === "json") {
      const r = editJsonText(profilesText, [...pEdits, ...stateEdits(root, target.profileId, target)]);
      newProfiles = r.text;
    } else {
      newProfiles = editJsonText(profilesText, pEdits).text;
      const sEdits = stateEdits(stateRoot!, target.profileId, target);
      const base = input.stateText ?? NEW_AUTH_STATE_TEXT;
      if (sEdits.length > 0) {
        const r = editJsonText(base, sEdits);
        if (r.changed || input.stateText === undefined) newState = r.text;
      }
    }
  } catch (e) {
    // e.g. duplicate keys on our path: the editor will not guess which one OpenClaw reads.
    return { action: "refuse", file: "auth-profiles.json", detail: `cannot edit: ${scrubText((e as Error).message)}; left untouched` };
  }
  const profilesChanged = newProfiles !== input.profilesText;
  if (!profilesChanged && newState === undefined) return { action: "unchanged", detail: `${target.profileId} already holds the current token` };
  return {
    action: "write",
    ...(profilesChanged ? { profilesText: newProfiles } : {}),
    ...(newState !== undefined ? { stateText: newState } : {}),
    detail: `${target.profileId} set (${target.profileType}, expires ${new Date(creds.expiresAt).toISOString()})${
      unusable ? "; replaced a profile OpenClaw could not use (e.g. type oauth with key instead of access)" : ""
    }`,
  };
}
