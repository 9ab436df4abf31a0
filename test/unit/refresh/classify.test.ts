/**
 * Classification table over the failure shapes the real Claude CLI shows (facts/claude-code.md §4):
 * the credentials file afterwards × the token endpoint's answer in the debug log × whether the CLI
 * was due to renew at all. The CLI's wording and exit code must never change the verdict: it
 * prints the same line for a dead login and a passing outage, and `auth status` exits 0 always.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { classifyAttempt, exitCodeFor, isRenewed, type AfterState, type ClassifyInput, type CredSnapshot, type RunSummary } from "../../../runtime/src/refresh/classify";
import type { TokenEndpointResult } from "../../../runtime/src/refresh/debug-log";
import { fakeAccessToken, fakeRefreshToken } from "../../helpers/tokens";

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const MIN = 60_000;

// What the CLI prints (stdout; stderr empty), facts §4, plus texts it never prints but a naive
// classifier would key on.
const DEAD_LOGIN_LINE = "Failed to authenticate: OAuth session expired and could not be refreshed";
const TRANSIENT_LINE = "Failed to authenticate. API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.";
const AUTH_STATUS_JSON = '{"loggedIn":true,"authMethod":"claude.ai","storedClaudeAiLogin":true,"subscriptionType":"max"}';
const WORDINGS = ["", DEAD_LOGIN_LINE, TRANSIENT_LINE, AUTH_STATUS_JSON, 'OAuth error: {"error":"invalid_grant"}', "OAuth token has expired · Please run /login", "refresh_token_reused", "API Error: 529 Overloaded", "ok"];

type Timing = "due" | "expired" | "not-due";
const LEFT: Record<Timing, number> = { due: 4 * MIN, expired: -1 * MIN, "not-due": 6 * MIN };
const beforeOf = (t: Timing): CredSnapshot => ({ fingerprint: "aaaa", expiresAt: NOW + LEFT[t], refreshTokenExpiresAt: NOW + 30 * 86400_000 });

type After = "renewed" | "logged-out" | "unchanged" | "unreadable";
function afterOf(a: After, before: CredSnapshot): AfterState {
  switch (a) {
    case "renewed":
      return { state: "ok", creds: { fingerprint: "bbbb", expiresAt: NOW + 8 * 3600_000, refreshTokenExpiresAt: before.refreshTokenExpiresAt } };
    case "logged-out":
      return { state: "logged-out" };
    case "unchanged":
      return { state: "ok", creds: { ...before } };
    case "unreadable":
      return { state: "unreadable", problem: "/home/a/.claude/.credentials.json: not valid JSON (12 bytes; truncated mid-write?)" };
  }
}

type Endpoint = 400 | 401 | 403 | 429 | 500 | 503 | "no-answer" | "none";
const ENDPOINTS: Endpoint[] = [400, 401, 403, 429, 500, 503, "no-answer", "none"];
const endpointOf = (e: Endpoint): TokenEndpointResult => (e === "no-answer" ? { kind: "no-answer" } : e === "none" ? { kind: "none" } : { kind: "status", status: e });

/** The expected verdict: the table, written as the rules it follows. */
function expected(a: After, e: Endpoint, t: Timing): [string, string] {
  if (a === "logged-out") return ["login-required", "logged-out"];
  if (a === "renewed") return ["renewed", "renewed"];
  if (e === 400) return ["login-required", "refresh-token-refused"];
  if (e === "no-answer") return ["transient", "token-endpoint-no-answer"];
  if (e !== "none") return ["transient", `token-endpoint-${e}`];
  if (a === "unreadable") return ["unknown", "credentials-unreadable-after"];
  return t === "not-due" ? ["not-needed", "cli-kept-token"] : ["transient", "due-not-renewed"];
}

function input(a: After, e: Endpoint, t: Timing, run: Partial<RunSummary> = {}): ClassifyInput {
  const before = beforeOf(t);
  return { before, after: afterOf(a, before), endpoint: endpointOf(e), run: { exitCode: 1, timedOut: false, output: "", ...run }, startedAt: NOW, now: NOW + 3000 };
}

describe("classifyAttempt: after-state × token endpoint × timing", () => {
  for (const a of ["renewed", "logged-out", "unchanged", "unreadable"] as const) {
    for (const e of ENDPOINTS) {
      for (const t of ["due", "expired", "not-due"] as const) {
        const [outcome, reason] = expected(a, e, t);
        test(`file ${a}, token endpoint ${e}, ${t} → ${outcome} (${reason}), whatever the CLI printed or exited with`, () => {
          for (const output of WORDINGS) {
            for (const exitCode of [0, 1]) {
              const c = classifyAttempt(input(a, e, t, { output, exitCode }));
              assert.deepEqual([c.outcome, c.reason], [outcome, reason], `output ${JSON.stringify(output)}, exit ${exitCode}: ${c.evidence}`);
              assert.doesNotMatch(c.evidence, /\n/);
            }
          }
        });
      }
    }
  }
});

describe("classifyAttempt: the CLI's wording is not evidence", () => {
  test("the real transient line with a dead login behind it → login-required (only the file and the log tell)", () => {
    const c = classifyAttempt(input("logged-out", 400, "expired", { output: TRANSIENT_LINE }));
    assert.equal(c.outcome, "login-required");
    assert.match(c.evidence, /HTTP 400.*Claude Code cleared the login/);
  });
  test('"invalid_grant" or "OAuth token has expired" on stdout with a 500 at the endpoint → transient', () => {
    for (const output of ['invalid_grant', "OAuth token has expired", DEAD_LOGIN_LINE]) {
      assert.equal(classifyAttempt(input("unchanged", 500, "expired", { output })).outcome, "transient", output);
    }
  });
  test("auth status exits 0 whatever happened: exit 0 after a 400 that blanked the file is still login-required", () => {
    assert.equal(classifyAttempt(input("logged-out", 400, "expired", { exitCode: 0, output: AUTH_STATUS_JSON })).outcome, "login-required");
  });
  test("-p exits 0 on a failed renewal with 1–5 min left (falls back to the valid token): transient, not not-needed", () => {
    const c = classifyAttempt(input("unchanged", 429, "due", { exitCode: 0, output: "ok" }));
    assert.deepEqual([c.outcome, c.reason], ["transient", "token-endpoint-429"]);
    assert.match(c.evidence, /answered HTTP 429; a retry fixes this/);
  });
});

describe("classifyAttempt: other cases", () => {
  test("renewed with a non-zero exit says so", () => {
    const c = classifyAttempt(input("renewed", "none", "due", { exitCode: 1 }));
    assert.equal(c.outcome, "renewed");
    assert.match(c.evidence, /status 1 after renewing/);
    assert.equal(classifyAttempt(input("renewed", "none", "due", { exitCode: 0 })).evidence, "credentials renewed");
  });
  test("isRenewed: a new token or a later expiry", () => {
    const b = beforeOf("due");
    assert.equal(isRenewed(b, { ...b, fingerprint: "cccc" }), true);
    assert.equal(isRenewed(b, { ...b, expiresAt: b.expiresAt + 1 }), true);
    assert.equal(isRenewed(b, { ...b }), false);
    assert.equal(isRenewed(b, { ...b, expiresAt: b.expiresAt - 1 }), false);
  });
  test("408 → transient; another 4xx (404) → unknown with its status", () => {
    const t = classifyAttempt({ ...input("unchanged", "none", "due"), endpoint: { kind: "status", status: 408 } });
    assert.deepEqual([t.outcome, t.reason], ["transient", "token-endpoint-408"]);
    const c = classifyAttempt({ ...input("unchanged", "none", "due"), endpoint: { kind: "status", status: 404 } });
    assert.deepEqual([c.outcome, c.reason], ["unknown", "token-endpoint-404"]);
  });
  test("the CLI timed out with nothing in its log → transient timeout", () => {
    const c = classifyAttempt(input("unchanged", "none", "expired", { exitCode: null, timedOut: true, signal: "SIGTERM" }));
    assert.deepEqual([c.outcome, c.reason], ["transient", "timeout"]);
  });
  test("killed by a signal, not a timeout → unknown killed", () => {
    const c = classifyAttempt(input("unchanged", "none", "expired", { exitCode: null, signal: "SIGKILL" }));
    assert.deepEqual([c.outcome, c.reason], ["unknown", "killed"]);
  });
  test("CLI not found → unknown cli-not-started, whatever the file says", () => {
    for (const a of ["unchanged", "logged-out"] as const) {
      const c = classifyAttempt(input(a, "none", "due", { exitCode: null, spawnError: "spawn claude ENOENT" }));
      assert.deepEqual([c.outcome, c.reason], ["unknown", "cli-not-started"]);
    }
  });
  test("the login's end (refreshTokenExpiresAt) passed, nothing else known → login-required", () => {
    const i = input("unchanged", "none", "expired");
    i.before = { ...i.before, refreshTokenExpiresAt: NOW - 1 };
    i.after = { state: "ok", creds: { ...i.before } };
    const c = classifyAttempt(i);
    assert.deepEqual([c.outcome, c.reason], ["login-required", "refresh-token-expired"]);
  });
  test("due-not-renewed names the likely cause", () => {
    const c = classifyAttempt(input("unchanged", "none", "due"));
    assert.match(c.evidence, /no call to the token endpoint; retried/);
    assert.match(c.evidence, /apiKeyHelper/);
  });
});

test("evidence never contains a token printed by the CLI", () => {
  const at = fakeAccessToken();
  const rt = fakeRefreshToken();
  const output = `Failed to authenticate (token ${at}, refresh ${rt})\nsk-ant-oat01-${at.slice(13)}`;
  for (const a of ["renewed", "logged-out", "unchanged", "unreadable"] as const) {
    for (const e of ENDPOINTS) {
      for (const t of ["due", "not-due"] as const) {
        for (const extra of [{}, { spawnError: `spawn ${at} ENOENT` }, { timedOut: true }, { signal: "SIGKILL" }]) {
          const c = classifyAttempt(input(a, e, t, { output, ...extra }));
          assert.ok(!c.evidence.includes(at) && !c.evidence.includes(at.slice(13, 40)), c.evidence);
          assert.ok(!c.evidence.includes(rt) && !c.evidence.includes(rt.slice(13, 40)), c.evidence);
        }
      }
    }
  }
});

test("exit codes per outcome (documented in docs/runtime.md)", () => {
  assert.deepEqual(
    (["renewed", "not-needed", "transient", "login-required", "unknown"] as const).map(exitCodeFor),
    [0, 0, 75, 1, 70],
  );
});
