/**
 * parseCredentials on the shapes Claude Code leaves (facts/claude-code.md §1, §4): a renewed login,
 * the blanked file after a refused refresh token, and a long-lived `claude setup-token` token.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CredentialsError, isLoggedOut, isLongLived, loginDeadline, parseCredentials } from "../../../runtime/src/credentials";
import { ExitCode } from "../../../runtime/src/errors";
import { fakeAccessToken, fakeCredentialsFile, fakeRefreshToken } from "../../helpers/tokens";

const P = "/home/a/.claude/.credentials.json";

function problemOf(text: string): CredentialsError {
  try {
    parseCredentials(text, P);
  } catch (e) {
    assert.ok(e instanceof CredentialsError, String(e));
    return e;
  }
  assert.fail("expected a CredentialsError");
}

describe("parseCredentials", () => {
  test("a /login login: refreshable, its login end is refreshTokenExpiresAt", () => {
    const f = fakeCredentialsFile({ expiresAt: 2_000_000_000_000 });
    const c = parseCredentials(JSON.stringify(f), P);
    assert.equal(isLongLived(c), false);
    assert.equal(loginDeadline(c), f.claudeAiOauth.refreshTokenExpiresAt);
    assert.equal(c.expiresAt, 2_000_000_000_000);
  });
  test("without refreshTokenExpiresAt the login end is unknown", () => {
    const f = fakeCredentialsFile();
    delete f.claudeAiOauth.refreshTokenExpiresAt;
    assert.equal(loginDeadline(parseCredentials(JSON.stringify(f), P)), undefined);
  });

  test("the blanked file Claude Code leaves after invalid_grant → logged-out, exit 1 (not bad input)", () => {
    // Exactly what the CLI writes (facts §4): tokens emptied, expiresAt 0, other keys kept.
    const blanked = { claudeAiOauth: { accessToken: "", refreshToken: "", expiresAt: 0, scopes: ["user:inference"], subscriptionType: "max", rateLimitTier: null }, mcpOAuth: { x: {} } };
    const e = problemOf(JSON.stringify(blanked));
    assert.equal(e.problem, "logged-out");
    assert.equal(e.exitCode, ExitCode.failure);
    assert.equal(e.exitCode, 1);
    assert.equal(isLoggedOut(e), true);
    assert.match(e.message, /^\/home\/a\/\.claude\/\.credentials\.json: logged out: .*only a new \/login helps/);
  });
  test("blanked without expiresAt, or with null, is logged out too", () => {
    assert.equal(problemOf(JSON.stringify({ claudeAiOauth: { accessToken: "", refreshToken: "" } })).problem, "logged-out");
    assert.equal(problemOf(JSON.stringify({ claudeAiOauth: { accessToken: "", expiresAt: null } })).problem, "logged-out");
  });
  test("an empty token with a real expiry is not a logout but a wrong shape (exit 65)", () => {
    const e = problemOf(JSON.stringify({ claudeAiOauth: { accessToken: "", refreshToken: "x", expiresAt: 1_900_000_000_000 } }));
    assert.equal(e.problem, "wrong-shape");
    assert.equal(e.exitCode, ExitCode.dataErr);
    assert.equal(isLoggedOut(e), false);
  });

  test("no refreshToken → a long-lived token; its expiry is the login end", () => {
    const f = fakeCredentialsFile({ expiresAt: 2_000_000_000_000 });
    delete (f.claudeAiOauth as Record<string, unknown>).refreshToken;
    delete f.claudeAiOauth.refreshTokenExpiresAt;
    const c = parseCredentials(JSON.stringify(f), P);
    assert.equal(c.refreshToken, "");
    assert.equal(isLongLived(c), true);
    assert.equal(loginDeadline(c), 2_000_000_000_000);
  });
  test('refreshToken "" → long-lived too', () => {
    const c = parseCredentials(JSON.stringify(fakeCredentialsFile({ refreshToken: "" })), P);
    assert.equal(isLongLived(c), true);
  });

  test("no error message echoes a token", () => {
    const at = fakeAccessToken();
    const rt = fakeRefreshToken();
    for (const o of [{ accessToken: `x${at}`, refreshToken: rt, expiresAt: 1 }, { accessToken: at, refreshToken: rt, expiresAt: "soon" }]) {
      const e = problemOf(JSON.stringify({ claudeAiOauth: o }));
      assert.ok(!e.message.includes(at.slice(13, 40)) && !e.message.includes(rt.slice(13, 40)), e.message);
    }
  });
});
