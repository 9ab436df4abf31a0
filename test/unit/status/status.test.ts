import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkResult, loginRequired, type CredentialFacts } from "../../../runtime/src/status/evaluate";
import { inferRoute } from "../../../runtime/src/status/route";
import { formatPrometheus } from "../../../runtime/src/status/prometheus";
import { renderStatus } from "../../../runtime/src/status/render";
import type { StatusReport } from "../../../runtime/src/status/collect";
import { emptyRefreshState, type RefreshState } from "../../../runtime/src/state/refresh-state";
import { formatDuration } from "../../../runtime/src/refresh/duration";
import { RefreshSchema } from "../../../runtime/src/contract/refresh";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const MIN = 60_000;
const facts = (o: Partial<CredentialFacts> = {}): CredentialFacts => ({ readable: true, expiresAt: NOW + 5 * 3600_000, fingerprint: "f1", ...o });

const DEFAULTS = RefreshSchema.parse({});
const DAY = 86_400_000;

describe("status --check verdict", () => {
  // The runtime's defaults: warnMinutes 1 (the renewal fires 270–120 s before expiry), loginWarnDays 3.
  const check = (c: CredentialFacts, r: RefreshState = emptyRefreshState()) => checkResult(c, loginRequired(c, r, NOW), NOW, DEFAULTS.warnMinutes, DEFAULTS.loginWarnDays);
  test("ok", () => assert.deepEqual([check(facts()).code, check(facts()).level], [0, "ok"]));
  test("14 min left is normal now (the renewal comes in the last 5 minutes) → ok", () => assert.equal(check(facts({ expiresAt: NOW + 14 * MIN })).code, 0));
  test("expiring within warnMinutes (renewal overdue) → 2", () => {
    const r = check(facts({ expiresAt: NOW + 59_000 }));
    assert.deepEqual([r.code, r.level], [2, "expiring"]);
    assert.match(r.reason, /within 1 min \(refresh\.warnMinutes\)/);
  });
  test("exactly warnMinutes left → ok", () => assert.equal(check(facts({ expiresAt: NOW + 1 * MIN })).code, 0));
  test("the login ends within loginWarnDays → 2 login-expiring", () => {
    const r = check(facts({ refreshTokenExpiresAt: NOW + 2 * DAY, loginDeadline: NOW + 2 * DAY }));
    assert.deepEqual([r.code, r.level], [2, "login-expiring"]);
    assert.match(r.reason, /login ends within 3 day\(s\) \(refresh\.loginWarnDays\)/);
  });
  test("the login ends later than loginWarnDays → ok", () => assert.equal(check(facts({ refreshTokenExpiresAt: NOW + 4 * DAY, loginDeadline: NOW + 4 * DAY })).code, 0));
  test("login end unknown (no refreshTokenExpiresAt) → ok, never login-expiring", () => assert.deepEqual([check(facts()).code, check(facts()).level], [0, "ok"]));
  test("loginWarnDays 0 → never login-expiring", () => {
    const c = facts({ loginDeadline: NOW + 3600_000 });
    assert.equal(checkResult(c, loginRequired(c, emptyRefreshState(), NOW), NOW, 1, 0).code, 0);
  });
  test("an expiring access token outranks the login's end", () => assert.equal(check(facts({ expiresAt: NOW + 30_000, loginDeadline: NOW + DAY })).level, "expiring"));
  test("logged out (blanked file) → 1 login-required, named as logged out", () => {
    const c: CredentialFacts = { readable: false, loggedOut: true, problem: "/c: logged out: …" };
    const r = check(c);
    assert.deepEqual([r.code, r.level], [1, "login-required"]);
    assert.match(r.reason, /^logged out: Claude Code cleared the login/);
  });
  test("long-lived token: valid → ok; inside loginWarnDays → 2; expired → 1 login-required", () => {
    const ll = (expiresAt: number) => facts({ longLived: true, expiresAt, loginDeadline: expiresAt });
    assert.equal(check(ll(NOW + 200 * DAY)).code, 0);
    assert.deepEqual([check(ll(NOW + DAY)).code, check(ll(NOW + DAY)).level], [2, "login-expiring"]);
    const dead = check(ll(NOW - 1));
    assert.deepEqual([dead.code, dead.level], [1, "login-required"]);
    assert.match(dead.reason, /long-lived token \(claude setup-token\) has expired/);
  });
  test("expired → 1", () => assert.deepEqual([check(facts({ expiresAt: NOW - 1 })).code, check(facts({ expiresAt: NOW - 1 })).level], [1, "expired"]));
  test("credentials unreadable → 1", () => assert.equal(check({ readable: false, problem: "not JSON" }).code, 1));
  test("refresh token expired → 1 login-required", () => {
    const r = check(facts({ refreshTokenExpiresAt: NOW - 1 }));
    assert.deepEqual([r.code, r.level], [1, "login-required"]);
  });
  const rejected = (fp: string): RefreshState => ({
    ...emptyRefreshState(),
    lastAttempt: { startedAt: NOW - 2000, finishedAt: NOW - 1000, outcome: "login-required", reason: "invalid-grant", detail: "invalid_grant", exitCode: 1, durationMs: 1000, forced: false, on: "host", fingerprintBefore: fp },
  });
  test("last refresh rejected for this login → 1, even with time left", () => assert.equal(check(facts(), rejected("f1")).code, 1));
  test("…but not after a new login (fingerprint changed)", () => assert.equal(check(facts(), rejected("f0")).code, 0));
});

describe("route inference", () => {
  test("anthropic/* default → direct", () => {
    assert.equal(inferRoute({ agents: { defaults: { model: "anthropic/claude-opus-4-6" } } }).route, "direct");
    assert.equal(inferRoute({ agents: { defaults: { model: { primary: "anthropic/claude-sonnet-4-6", fallbacks: [] } } } }).route, "direct");
  });
  test("agentRuntime claude-cli → claude-cli", () => {
    const j = { agents: { defaults: { model: { primary: "anthropic/claude-opus-5" }, models: { "anthropic/claude-opus-5": { agentRuntime: { id: "claude-cli" } } } } } };
    const r = inferRoute(j);
    assert.equal(r.route, "claude-cli");
    assert.equal(r.model, "anthropic/claude-opus-5");
  });
  test("legacy claude-cli/* model ref → claude-cli", () => assert.equal(inferRoute({ agents: { defaults: { model: "claude-cli/opus" } } }).route, "claude-cli"));
  test("no model / non-Anthropic → other", () => {
    assert.equal(inferRoute({}).route, "other");
    assert.equal(inferRoute({ agents: { defaults: { model: "openai/gpt-5" } } }).route, "other");
    assert.equal(inferRoute(null).route, "other");
  });
});

function report(o: Partial<StatusReport> = {}): StatusReport {
  return {
    schemaVersion: 1,
    generatedAt: NOW,
    credentials: { path: "/root/.claude/.credentials.json", readable: true, expiresAt: NOW + 5 * 3600_000 + 12 * MIN, timeLeftMs: 5 * 3600_000 + 12 * MIN, subscriptionType: "max", rateLimitTier: "default_claude_max_20x", hasInferenceScope: true },
    loginRequired: { active: false },
    check: { code: 0, level: "ok", reason: "access token valid" },
    refresh: {
      method: "auth-status",
      warnMinutes: 1,
      loginWarnDays: 3,
      lastSuccessAt: NOW - 3 * 3600_000,
      counters: { refreshFailures: { transient: 3 }, syncFailures: 1, cliRuns: 9 },
    },
    targets: [
      { target: "env:/home/node/.openclaw/.env", state: "in-sync", detail: "holds the current token" },
      { target: 'auth-store:"quoted"', state: "stale", era: "json-split", detail: "older token" },
    ],
    route: { route: "direct", model: "anthropic/claude-opus-4-6", detail: "anthropic/claude-opus-4-6 through the Anthropic API", configPath: "/home/node/.openclaw/openclaw.json" },
    ...o,
  };
}

describe("prometheus textfile format", () => {
  test("HELP and TYPE lines precede every metric; values in seconds; all failure reasons present", () => {
    const text = formatPrometheus(report());
    const lines = text.trimEnd().split("\n");
    const names = new Set(lines.filter((l) => !l.startsWith("#")).map((l) => l.split(/[{ ]/)[0]!));
    for (const n of names) {
      const help = lines.findIndex((l) => l.startsWith(`# HELP ${n} `));
      const type = lines.findIndex((l) => l.startsWith(`# TYPE ${n} `));
      const first = lines.findIndex((l) => l.startsWith(n));
      assert.ok(help >= 0 && type === help + 1 && first === type + 1, `HELP/TYPE before ${n}`);
    }
    assert.ok(lines.includes(`openclaw_oauth_sync_access_token_expiry_timestamp_seconds ${Math.floor((NOW + 5 * 3600_000 + 12 * MIN) / 1000)}`));
    assert.ok(lines.includes(`openclaw_oauth_sync_last_refresh_success_timestamp_seconds ${Math.floor((NOW - 3 * 3600_000) / 1000)}`));
    assert.ok(lines.includes('openclaw_oauth_sync_refresh_failures_total{reason="transient"} 3'));
    assert.ok(lines.includes('openclaw_oauth_sync_refresh_failures_total{reason="login-required"} 0'));
    assert.ok(lines.includes('openclaw_oauth_sync_refresh_failures_total{reason="unknown"} 0'));
    assert.ok(lines.includes("openclaw_oauth_sync_sync_failures_total 1"));
    assert.ok(lines.includes("openclaw_oauth_sync_login_required 0"));
    assert.ok(lines.includes("# TYPE openclaw_oauth_sync_refresh_failures_total counter"));
    assert.ok(lines.includes("# TYPE openclaw_oauth_sync_login_required gauge"));
    assert.ok(lines.includes('openclaw_oauth_sync_target_in_sync{target="auth-store:\\"quoted\\"",state="stale"} 0'), "label values escaped");
    // Every sample line is `name{labels} value` with a numeric value.
    for (const l of lines.filter((x) => !x.startsWith("#"))) assert.match(l, /^[a-z_]+(\{[^}]*\})? -?\d+(\.\d+)?$/);
    assert.ok(text.endsWith("\n"));
  });
  test("unknown expiry → no sample (not a misleading 0); login required → 1", () => {
    const text = formatPrometheus(report({ credentials: { path: "/x", readable: false, problem: "missing" }, loginRequired: { active: true, reason: "x" } }));
    assert.ok(!text.includes("openclaw_oauth_sync_access_token_expiry_timestamp_seconds "));
    assert.ok(text.includes("openclaw_oauth_sync_login_required 1"));
    assert.ok(text.includes("openclaw_oauth_sync_credentials_readable 0"));
  });
});

describe("human output", () => {
  test("aligned lines with time left, subscription, route, targets", () => {
    const text = renderStatus(report());
    assert.match(text, /^credentials {5}\/root\/\.claude\/\.credentials\.json$/m);
    assert.match(text, /^access token {4}valid for 5h12m, expires 2026-11-24T17:12:00Z$/m);
    assert.match(text, /^subscription {4}max \(default_claude_max_20x\)$/m);
    assert.match(text, /^route {11}direct: /m);
    assert.match(text, /^target {10}env:\/home\/node\/\.openclaw\/\.env  in-sync  -/m);
    assert.match(text, /^check {11}ok \(exit 0 with --check\)/m);
    for (const l of text.trimEnd().split("\n")) assert.match(l, /^.{15} \S/, `aligned: ${l}`);
  });
});

test("formatDuration", () => {
  assert.deepEqual([5 * 3600_000 + 12 * MIN, 42_000, 3 * MIN + 5000, 3 * 86400_000 + 4 * 3600_000, -90_000].map(formatDuration), ["5h12m", "42s", "3m05s", "3d4h", "-1m30s"]);
});

describe("login end, next renewal, logged out", () => {
  test("login end unknown when the file records no refreshTokenExpiresAt; next renewal shown with the method", () => {
    const r = report();
    r.refresh.nextRenewal = { earliest: NOW + 5 * 3600_000 + 7 * MIN + 30_000, latest: NOW + 5 * 3600_000 + 10 * MIN };
    const text = renderStatus(r);
    assert.match(text, /^login ends {6}unknown \(the credentials file records no refreshTokenExpiresAt\)$/m);
    assert.match(text, /^next renewal {4}between 2026-11-24T17:07:30Z and 2026-11-24T17:10:00Z \(claude auth status\)$/m);
    for (const l of text.trimEnd().split("\n")) assert.match(l, /^.{15} \S/, `aligned: ${l}`);
    const prom = formatPrometheus(r);
    assert.ok(!prom.includes("openclaw_oauth_sync_login_deadline_timestamp_seconds "), "unknown → no sample");
    assert.ok(prom.includes(`openclaw_oauth_sync_next_renewal_timestamp_seconds ${Math.floor((NOW + 5 * 3600_000 + 10 * MIN) / 1000)}`));
    assert.ok(prom.includes("openclaw_oauth_sync_logged_out 0"));
  });
  test("a known login end is shown with the time left, and exported", () => {
    const r = report();
    r.credentials.loginDeadline = NOW + 2 * DAY;
    r.credentials.refreshTokenExpiresAt = NOW + 2 * DAY;
    assert.match(renderStatus(r), /^login ends {6}2026-11-26T12:00:00Z \(in 2d0h\)$/m);
    assert.ok(formatPrometheus(r).includes(`openclaw_oauth_sync_login_deadline_timestamp_seconds ${Math.floor((NOW + 2 * DAY) / 1000)}`));
  });
  test("long-lived token: no next renewal, the login end marked", () => {
    const r = report();
    r.credentials.kind = "long-lived";
    r.credentials.loginDeadline = NOW + 300 * DAY;
    const text = renderStatus(r);
    assert.match(text, /^login ends {6}.*\(long-lived token\)$/m);
    assert.match(text, /^next renewal {4}none: a long-lived token \(claude setup-token\) cannot be renewed$/m);
    assert.ok(!formatPrometheus(r).includes("openclaw_oauth_sync_next_renewal_timestamp_seconds "));
  });
  test("logged out: one clear line instead of UNREADABLE, and the gauge", () => {
    const r = report({
      credentials: { path: "/root/.claude/.credentials.json", readable: false, loggedOut: true, problem: "/root/.claude/.credentials.json: logged out: …" },
      loginRequired: { active: true, reason: "logged out: …" },
    });
    const text = renderStatus(r);
    assert.match(text, /^access token {4}LOGGED OUT: Claude Code cleared the login .*\/login\)$/m);
    assert.doesNotMatch(text, /UNREADABLE/);
    assert.ok(formatPrometheus(r).includes("openclaw_oauth_sync_logged_out 1"));
  });
});
