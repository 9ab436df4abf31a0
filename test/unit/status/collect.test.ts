/**
 * collectStatus over real credentials-file texts (parsed by the runtime's parser): a blanked file,
 * a long-lived token, a login without refreshTokenExpiresAt, and one that ends inside loginWarnDays.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectStatus, type StatusDeps } from "../../../runtime/src/status/collect";
import { ConfigSchema, type Config } from "../../../runtime/src/contract/schema";
import { parseCredentials } from "../../../runtime/src/credentials";
import { memoryLogger } from "../../../runtime/src/log";
import { fakeCredentialsFile } from "../../helpers/tokens";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const DAY = 86_400_000;
const H = 3600_000;

function run(t: { after: (fn: () => void) => void }, file: object) {
  const dir = mkdtempSync(join(tmpdir(), "oos-status-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config: Config = ConfigSchema.parse({
    claudeCredentials: "/home/a/.claude/.credentials.json",
    stateDir: join(dir, "state"),
    openclaw: { stateDir: join(dir, "openclaw") },
    targets: [{ kind: "env" }],
  });
  const deps: StatusDeps = {
    log: memoryLogger(),
    now: () => NOW,
    readCredentials: async (p) => parseCredentials(JSON.stringify(file), p),
    inspectTargets: async () => [],
    readLastAlert: async () => undefined,
    readFile: async () => "{}",
  };
  return collectStatus(config, deps);
}

function oauth(o: Record<string, unknown>, drop: string[] = []): object {
  const f = fakeCredentialsFile();
  const c: Record<string, unknown> = { ...f.claudeAiOauth, ...o };
  for (const k of drop) delete c[k];
  return { ...f, claudeAiOauth: c };
}

describe("collectStatus", () => {
  test("blanked file (Claude Code logged out) → logged out, login required, --check 1", async (t) => {
    const r = await run(t, { claudeAiOauth: { accessToken: "", refreshToken: "", expiresAt: 0, scopes: [] }, mcpOAuth: {} });
    assert.equal(r.credentials.loggedOut, true);
    assert.equal(r.credentials.readable, false);
    assert.deepEqual([r.loginRequired.active, r.check.code, r.check.level], [true, 1, "login-required"]);
    assert.match(r.loginRequired.reason ?? "", /^logged out/);
    assert.equal(r.refresh.nextRenewal, undefined);
  });
  test("refreshable login without refreshTokenExpiresAt → login end unknown, next renewal in the last 5 minutes", async (t) => {
    const r = await run(t, oauth({ expiresAt: NOW + 8 * H }, ["refreshTokenExpiresAt"]));
    assert.equal(r.credentials.kind, "refreshable");
    assert.equal(r.credentials.loginDeadline, undefined);
    assert.deepEqual(r.refresh.nextRenewal, { earliest: NOW + 8 * H - 270_000, latest: NOW + 8 * H - 120_000 });
    assert.deepEqual([r.check.code, r.check.level], [0, "ok"]);
    assert.equal(r.refresh.method, "auth-status");
  });
  test("login ending inside loginWarnDays → --check 2 login-expiring", async (t) => {
    const r = await run(t, oauth({ expiresAt: NOW + 8 * H, refreshTokenExpiresAt: NOW + 2 * DAY }));
    assert.equal(r.credentials.loginDeadline, NOW + 2 * DAY);
    assert.deepEqual([r.check.code, r.check.level], [2, "login-expiring"]);
    assert.equal(r.loginRequired.active, false);
  });
  test("long-lived token (no refresh token) → no next renewal, its expiry is the login end", async (t) => {
    const r = await run(t, oauth({ expiresAt: NOW + 300 * DAY }, ["refreshToken", "refreshTokenExpiresAt"]));
    assert.equal(r.credentials.kind, "long-lived");
    assert.equal(r.credentials.loginDeadline, NOW + 300 * DAY);
    assert.equal(r.refresh.nextRenewal, undefined);
    assert.deepEqual([r.check.code, r.check.level], [0, "ok"]);
  });
});
