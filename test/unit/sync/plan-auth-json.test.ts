import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { planAuthJson, NEW_AUTH_PROFILES_TEXT, type AuthJsonInput, type AuthJsonPlan } from "../../../runtime/src/sync/plan/auth-json";
import type { ClaudeCredentials } from "../../../runtime/src/credentials";
import { fakeAccessToken, fakeRefreshToken } from "../../helpers/tokens";

const FIX = join(__dirname, "../../fixtures/stores");
const fixture = (p: string) => readFileSync(join(FIX, p), "utf8");
const JSON_STORE = fixture("json/agents/main/agent/auth-profiles.json");
const SPLIT_STORE = fixture("json-split/agents/main/agent/auth-profiles.json");
const SPLIT_STATE = fixture("json-split/agents/main/agent/auth-state.json");
const FIXTURE_EXPIRES = 1765759825273;

function creds(o: Partial<ClaudeCredentials> = {}): ClaudeCredentials {
  return {
    accessToken: fakeAccessToken(),
    refreshToken: fakeRefreshToken(),
    expiresAt: FIXTURE_EXPIRES + 3600_000,
    scopes: ["user:inference"],
    subscriptionType: "max",
    rateLimitTier: "default_claude_max_20x",
    ...o,
  };
}

const tokenTarget = { profileId: "anthropic:default", profileType: "token", setLastGood: true, clearCooldown: true, includeRefreshToken: false } as const;

function written(p: AuthJsonPlan): Extract<AuthJsonPlan, { action: "write" }> {
  assert.equal(p.action, "write", `expected a write, got ${p.action}: ${"detail" in p ? p.detail : ""}`);
  return p as Extract<AuthJsonPlan, { action: "write" }>;
}

describe("planAuthJson, era json (state inside auth-profiles.json)", () => {
  const c = creds();
  const input: AuthJsonInput = { era: "json", profilesText: JSON_STORE, creds: c, target: tokenTarget };

  test("sets our profile's credential, keeps its email and every other profile", () => {
    const p = written(planAuthJson(input));
    assert.equal(p.stateText, undefined, "era json never writes auth-state.json");
    const before = JSON.parse(JSON_STORE);
    const after = JSON.parse(p.profilesText!);
    assert.deepEqual(after.profiles["anthropic:default"], { type: "token", provider: "anthropic", token: c.accessToken, expires: c.expiresAt, email: "ops@example.com" });
    assert.deepEqual(after.profiles["anthropic:manual"], before.profiles["anthropic:manual"]);
    assert.deepEqual(after.profiles["openai:key"], before.profiles["openai:key"]);
    assert.deepEqual(after.order, before.order);
  });

  test("sets lastGood and clears only our profile's cooldown", () => {
    const after = JSON.parse(written(planAuthJson(input)).profilesText!);
    assert.equal(after.lastGood.anthropic, "anthropic:default");
    const ours = after.usageStats["anthropic:default"];
    assert.equal(ours.cooldownUntil, undefined);
    assert.equal(ours.disabledUntil, undefined);
    assert.equal(ours.disabledReason, undefined);
    assert.equal(ours.errorCount, 0);
    assert.equal(ours.lastUsed, 1765700000000, "usage history is kept");
    assert.deepEqual(after.usageStats["anthropic:manual"], JSON.parse(JSON_STORE).usageStats["anthropic:manual"]);
  });

  test("setLastGood/clearCooldown off: routing state untouched", () => {
    const p = written(planAuthJson({ ...input, target: { ...tokenTarget, setLastGood: false, clearCooldown: false } }));
    const after = JSON.parse(p.profilesText!);
    const before = JSON.parse(JSON_STORE);
    assert.deepEqual(after.lastGood, before.lastGood);
    assert.deepEqual(after.usageStats, before.usageStats);
  });

  test("keeps the file's formatting outside the edited keys", () => {
    const text = written(planAuthJson(input)).profilesText!;
    assert.ok(text.includes('"order": {\n    "anthropic": ["anthropic:default", "anthropic:manual"]\n  }'), "one-line array kept as written");
  });

  test("second run on its own output: unchanged", () => {
    const once = written(planAuthJson(input)).profilesText!;
    assert.equal(planAuthJson({ ...input, profilesText: once }).action, "unchanged");
  });

  test("a store holding a later expiry is never downgraded", () => {
    const p = planAuthJson({ ...input, creds: creds({ expiresAt: FIXTURE_EXPIRES - 1 }) });
    assert.equal(p.action, "skip-newer");
    assert.equal((p as { heldExpiresAt: number }).heldExpiresAt, FIXTURE_EXPIRES);
    assert.match(p.detail, /newer token/);
  });

  test("issue 18: an oauth profile with key instead of access is never 'newer': it is rewritten", () => {
    const c2 = creds({ expiresAt: FIXTURE_EXPIRES });
    const broken = JSON.stringify({
      version: 1,
      profiles: { "anthropic:default": { type: "oauth", provider: "anthropic", key: "sk-ant-oat01-seedseedseedseedseed", expires: FIXTURE_EXPIRES + 86_400_000, email: "a@b" } },
      lastGood: { anthropic: "anthropic:default" },
    }, null, 2) + "\n";
    const p = written(planAuthJson({ ...input, profilesText: broken, creds: c2 }));
    const prof = JSON.parse(p.profilesText!).profiles["anthropic:default"];
    assert.deepEqual(prof, { type: "token", provider: "anthropic", token: c2.accessToken, expires: c2.expiresAt, email: "a@b" });
    assert.match(p.detail, /could not use/);
    // A usable profile with the same later expiry is still protected.
    const usable = broken.replace('"key"', '"access"');
    assert.equal(planAuthJson({ ...input, profilesText: usable, creds: c2 }).action, "skip-newer");
    // The oauth-type target writes access and drops key.
    const o = written(planAuthJson({ ...input, profilesText: broken, creds: c2, target: { ...tokenTarget, profileType: "oauth" } }));
    const op = JSON.parse(o.profilesText!).profiles["anthropic:default"];
    assert.equal(op.access, c2.accessToken);
    assert.equal("key" in op, false);
  });

  test("missing file: created as {version:1, profiles}", () => {
    const p = written(planAuthJson({ ...input, profilesText: undefined }));
    const after = JSON.parse(p.profilesText!);
    assert.equal(after.version, 1);
    assert.deepEqual(Object.keys(after.profiles), ["anthropic:default"]);
    assert.equal(after.lastGood.anthropic, "anthropic:default");
    assert.ok(NEW_AUTH_PROFILES_TEXT.endsWith("\n"));
  });

  for (const [name, text] of [
    ["truncated", JSON_STORE.slice(0, 200)],
    ["not JSON", "profiles: yes"],
    ["an array", "[]"],
    ["empty", ""],
  ] as const) {
    test(`unparseable target (${name}): refused, message without token values`, () => {
      const p = planAuthJson({ ...input, profilesText: text });
      assert.equal(p.action, "refuse");
      assert.match(p.detail, /auth-profiles\.json/);
      assert.match(p.detail, /left untouched/);
      assert.ok(!p.detail.includes("FIXTURE"), p.detail);
    });
  }

  test('"profiles" not an object: refused', () => {
    assert.equal(planAuthJson({ ...input, profilesText: '{"version":1,"profiles":[]}' }).action, "refuse");
  });
});

describe("planAuthJson, era json-split (state in auth-state.json)", () => {
  const c = creds();
  const input: AuthJsonInput = { era: "json-split", profilesText: SPLIT_STORE, stateText: SPLIT_STATE, creds: c, target: tokenTarget };

  test("oauth profile becomes a token profile: access/refresh removed, email/displayName kept", () => {
    const p = written(planAuthJson(input));
    const prof = JSON.parse(p.profilesText!).profiles["anthropic:default"];
    assert.deepEqual(prof, { type: "token", provider: "anthropic", token: c.accessToken, expires: c.expiresAt, email: "ops@example.com", displayName: "Ops" });
  });

  test("lastGood and cooldown go to auth-state.json, not auth-profiles.json", () => {
    const p = written(planAuthJson(input));
    const store = JSON.parse(p.profilesText!);
    assert.equal(store.lastGood, undefined);
    assert.equal(store.usageStats, undefined);
    const state = JSON.parse(p.stateText!);
    assert.equal(state.version, 1);
    assert.equal(state.lastGood.anthropic, "anthropic:default");
    assert.equal(state.usageStats["anthropic:default"].cooldownUntil, undefined);
    assert.equal(state.usageStats["anthropic:default"].errorCount, 0);
    assert.deepEqual(state.order, JSON.parse(SPLIT_STATE).order);
  });

  test("auth-state.json missing: created with version 1", () => {
    const p = written(planAuthJson({ ...input, stateText: undefined }));
    assert.deepEqual(JSON.parse(p.stateText!), { version: 1, lastGood: { anthropic: "anthropic:default" } });
  });

  test("oauth type (seed-compatible): access + expires, no refresh unless opted in", () => {
    const t = { ...tokenTarget, profileType: "oauth" as const };
    const prof = JSON.parse(written(planAuthJson({ ...input, target: t })).profilesText!).profiles["anthropic:default"];
    assert.equal(prof.type, "oauth");
    assert.equal(prof.access, c.accessToken);
    assert.equal(prof.refresh, undefined, "the old refresh token is removed: one refresher per refresh token");
    assert.equal(prof.token, undefined);
    const opted = JSON.parse(written(planAuthJson({ ...input, target: { ...t, includeRefreshToken: true } })).profilesText!).profiles["anthropic:default"];
    assert.equal(opted.refresh, c.refreshToken);
  });

  test("unparseable auth-state.json: refused as a whole (auth-profiles.json not written either)", () => {
    const p = planAuthJson({ ...input, stateText: '{"version":1,' });
    assert.equal(p.action, "refuse");
    assert.equal((p as { file: string }).file, "auth-state.json");
  });

  test("second run: unchanged (state edits ride with credential changes only)", () => {
    const p = written(planAuthJson(input));
    assert.equal(planAuthJson({ ...input, profilesText: p.profilesText, stateText: p.stateText }).action, "unchanged");
    // A cooldown OpenClaw sets later for a real rate limit is not wiped by the next resync.
    const coolAgain = JSON.stringify({ ...JSON.parse(p.stateText!), usageStats: { "anthropic:default": { cooldownUntil: 1 } } });
    assert.equal(planAuthJson({ ...input, profilesText: p.profilesText, stateText: coolAgain }).action, "unchanged");
  });
});
