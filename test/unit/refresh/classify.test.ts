/**
 * Classification table. Each row's output text is a real message seen from Claude Code (source in
 * the `src` column: facts/openclaw.md sections or the anthropics/claude-code issue quoting it).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { classifyAttempt, exitCodeFor, isRenewed, type CredSnapshot, type RunSummary } from "../../../runtime/src/refresh/classify";
import { fakeAccessToken } from "../../helpers/tokens";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const before: CredSnapshot = { fingerprint: "aaaa", expiresAt: NOW + 10 * 60_000, refreshTokenExpiresAt: NOW + 30 * 86400_000 };
const sameAfter: CredSnapshot = { ...before };
const run = (output: string, exitCode: number | null = 1, extra: Partial<RunSummary> = {}): RunSummary => ({ exitCode, timedOut: false, output, ...extra });

interface Row {
  name: string;
  src: string;
  output: string;
  exitCode?: number | null;
  outcome: string;
  reason: string;
}

const rows: Row[] = [
  // login-required: the refresh token or the login itself is dead
  { name: "invalid_grant from the token endpoint", src: "facts/openclaw.md §5 (#390)", output: 'OAuth token refresh failed: 400 {"error":"invalid_grant","error_description":"Refresh token not found or invalid"}', outcome: "login-required", reason: "invalid-grant" },
  { name: "refresh_token_reused", src: "facts/openclaw.md §3.4, §5 (#26322)", output: 'Token refresh failed: {"error":"invalid_grant","error_description":"refresh_token_reused"}', outcome: "login-required", reason: "invalid-grant" },
  { name: "refresh_token_reused alone", src: "facts/peers.md §2.4 (#57107)", output: "refresh_token_reused", outcome: "login-required", reason: "refresh-token-reused" },
  { name: "OAuth token revoked (CLI line)", src: "anthropics/claude-code#13350", output: "OAuth token revoked · Please run /login", outcome: "login-required", reason: "token-revoked" },
  {
    name: "OAuth token has been revoked (403 permission_error, not Cloudflare)",
    src: "anthropics/claude-code#5210",
    output: 'Error: 403 {"type":"error","error":{"type":"permission_error","message":"OAuth token has been revoked. Please obtain a new token."}}',
    outcome: "login-required",
    reason: "token-revoked",
  },
  { name: "OAuth session expired (headless -p)", src: "facts/openclaw.md §1.3 (#79685, #81937)", output: "OAuth session expired and could not be refreshed. Please run /login", outcome: "login-required", reason: "session-expired" },
  { name: "Not logged in", src: "facts/openclaw.md §1.2 (hermes-agent#4126)", output: "Not logged in · Please run /login", outcome: "login-required", reason: "not-logged-in" },
  { name: "Please run /login after expiry", src: "facts/openclaw.md §1.3 (CC 2.1.117 changelog)", output: "Please run /login", outcome: "login-required", reason: "login-prompt" },
  {
    name: "401 OAuth token has expired · Please run /login",
    src: "anthropics/claude-code#33811",
    output: 'API Error: 401 {"type":"error","error":{"type":"authentication_error","message":"OAuth token has expired. Please obtain a new token or refresh your existing token."}} · Please run /login',
    outcome: "login-required",
    reason: "token-expired",
  },
  { name: "401 Invalid authentication credentials", src: "anthropics/claude-code#50743", output: '401 authentication_error "Invalid authentication credentials"', outcome: "login-required", reason: "invalid-credentials" },
  // transient: retry later with backoff
  { name: "fetch failed", src: "anthropics/claude-code#4064", output: "API Error (Connection error.) · Retrying in 34 seconds… (attempt 8/10)\n  ⎿  TypeError (fetch failed)", outcome: "transient", reason: "network" },
  { name: "ECONNRESET", src: "issue brief (network errors)", output: "Error: read ECONNRESET\n    at TLSWrap.onStreamRead", outcome: "transient", reason: "network" },
  { name: "ETIMEDOUT", src: "issue brief", output: "connect ETIMEDOUT 160.79.104.10:443", outcome: "transient", reason: "network" },
  { name: "ENOTFOUND", src: "issue brief", output: "getaddrinfo ENOTFOUND platform.claude.com", outcome: "transient", reason: "network" },
  { name: "Request timed out", src: "Claude Code API error text", output: "API Error: Request timed out.", outcome: "transient", reason: "network" },
  {
    name: "529 overloaded",
    src: "anthropics/claude-code#39745",
    output: 'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CZTEFvft13DajMTp9pp64"}',
    outcome: "transient",
    reason: "overloaded",
  },
  { name: "529 Overloaded (2026 wording)", src: "anthropics/claude-code#81327", output: "API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment. If it persists, check https://status.claude.com.", outcome: "transient", reason: "overloaded" },
  { name: "429 from the token endpoint", src: "facts/peers.md §0.4 (#47754)", output: "OAuth token refresh failed: Request failed with status code 429", outcome: "transient", reason: "rate-limited" },
  { name: "rate_limit_error", src: "Anthropic API error type", output: 'API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"Rate limited"}}', outcome: "transient", reason: "rate-limited" },
  { name: "500 api_error", src: "Anthropic API error type", output: 'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}', outcome: "transient", reason: "server-error" },
  { name: "503 from a proxy", src: "issue brief (5xx)", output: "Request failed with status code 503", outcome: "transient", reason: "server-error" },
  {
    name: "Cloudflare 403 HTML on refresh (with the generic /login hint)",
    src: "anthropics/claude-code#47754, #50743",
    output:
      'OAuth token refresh failed: 403 <!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>cloudflare … cf-ray: 8f1e2d3c4b5a6978-FRA</body></html>\nPlease run /login',
    outcome: "transient",
    reason: "cloudflare",
  },
  { name: "Cloudflare Attention Required", src: "anthropics/claude-code#47754", output: "Request failed with status code 403: Attention Required! | Cloudflare", outcome: "transient", reason: "cloudflare" },
  // strong login markers beat network noise
  { name: "invalid_grant after retries with fetch failed", src: "mixed", output: "TypeError (fetch failed)\nOAuth refresh: invalid_grant", outcome: "login-required", reason: "invalid-grant" },
  // unknown
  { name: "other non-zero exit", src: "-", output: "Error: something unexpected happened", outcome: "unknown", reason: "exit-1" },
];

describe("classifyAttempt: real error texts", () => {
  for (const r of rows) {
    test(`${r.name} → ${r.outcome} (${r.src})`, () => {
      const c = classifyAttempt({ before, after: sameAfter, run: run(r.output, r.exitCode ?? 1), now: NOW });
      assert.equal(c.outcome, r.outcome, `evidence: ${c.evidence}`);
      assert.equal(c.reason, r.reason);
    });
  }
});

describe("classifyAttempt: credentials and exit status", () => {
  test("token changed → renewed, even with a non-zero exit and an error text", () => {
    const after = { ...before, fingerprint: "bbbb", expiresAt: NOW + 8 * 3600_000 };
    const c = classifyAttempt({ before, after, run: run("API Error: 529 Overloaded", 1), now: NOW });
    assert.equal(c.outcome, "renewed");
    assert.match(c.evidence, /status 1/);
  });
  test("same token, later expiresAt → renewed", () => {
    assert.equal(isRenewed(before, { ...before, expiresAt: before.expiresAt + 1 }), true);
    assert.equal(isRenewed(before, { ...before }), false);
    assert.equal(isRenewed(before, { ...before, expiresAt: before.expiresAt - 1 }), false);
    assert.equal(isRenewed(before, undefined), false);
  });
  test("exit 0, not renewed, token still valid → not-needed (the CLI keeps tokens until shortly before expiry)", () => {
    const c = classifyAttempt({ before, after: sameAfter, run: run("ok", 0), now: NOW });
    assert.deepEqual([c.outcome, c.reason], ["not-needed", "cli-kept-token"]);
  });
  test("exit 0, not renewed, token expired → unknown", () => {
    const expired = { ...before, expiresAt: NOW - 1000 };
    const c = classifyAttempt({ before: expired, after: expired, run: run("ok", 0), now: NOW });
    assert.deepEqual([c.outcome, c.reason], ["unknown", "expired-not-renewed"]);
  });
  test("refresh token expired per refreshTokenExpiresAt → login-required", () => {
    const b = { ...before, refreshTokenExpiresAt: NOW - 1 };
    const c = classifyAttempt({ before: b, after: b, run: run("", 1), now: NOW });
    assert.deepEqual([c.outcome, c.reason], ["login-required", "refresh-token-expired"]);
  });
  test("timeout without a recognised text → transient timeout", () => {
    const c = classifyAttempt({ before, after: sameAfter, run: run("", null, { timedOut: true, signal: "SIGTERM" }), now: NOW });
    assert.deepEqual([c.outcome, c.reason], ["transient", "timeout"]);
  });
  test("CLI not found → unknown cli-not-started", () => {
    const c = classifyAttempt({ before, after: sameAfter, run: run("", null, { spawnError: "spawn claude ENOENT" }), now: NOW });
    assert.deepEqual([c.outcome, c.reason], ["unknown", "cli-not-started"]);
  });
  test("credentials unreadable after the run → unknown", () => {
    const c = classifyAttempt({ before, after: undefined, afterProblem: "not valid JSON", run: run("", 0), now: NOW });
    assert.deepEqual([c.outcome, c.reason], ["unknown", "credentials-unreadable-after"]);
  });
  test("evidence never contains a token printed by the CLI", () => {
    const tok = fakeAccessToken();
    const c = classifyAttempt({ before, after: sameAfter, run: run(`invalid_grant for ${tok}`, 1), now: NOW });
    assert.equal(c.outcome, "login-required");
    assert.ok(!c.evidence.includes(tok), c.evidence);
    assert.ok(!c.evidence.includes(tok.slice(13, 40)));
  });
  test("a request id containing 429 or 500 is not a status code", () => {
    const c = classifyAttempt({ before, after: sameAfter, run: run('Error: something {"request_id":"req_011CZ429x500Q"}', 1), now: NOW });
    assert.equal(c.outcome, "unknown");
  });
});

test("exit codes per outcome (documented in README)", () => {
  assert.deepEqual(
    (["renewed", "not-needed", "transient", "login-required", "unknown"] as const).map(exitCodeFor),
    [0, 0, 75, 1, 70],
  );
});
