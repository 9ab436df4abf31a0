/**
 * runRefresh in process with injected collaborators (credentials, CLI, sync, notify), so the
 * sequencing is checked without processes: what is reported to notify, when sync runs.
 * State and lock live in a scratch dir.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRefresh, type RefreshDeps } from "../../../runtime/src/refresh/run";
import { ConfigSchema, type Config } from "../../../runtime/src/config/schema";
import { memoryLogger } from "../../../runtime/src/log";
import { CredentialsError, type ClaudeCredentials } from "../../../runtime/src/credentials";
import type { ConditionReport } from "../../../runtime/src/refresh/types";
import type { RunResult } from "../../../runtime/src/proc";
import { fakeAccessToken, fakeRefreshToken } from "../../helpers/tokens";

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 12);

function creds(expiresInMs: number): ClaudeCredentials {
  return { accessToken: fakeAccessToken(), refreshToken: fakeRefreshToken(), expiresAt: NOW + expiresInMs, scopes: ["user:inference"], subscriptionType: "max" };
}
const result = (o: Partial<RunResult>): RunResult => ({ exitCode: 0, signal: null, timedOut: false, stdout: "", stderr: "", durationMs: 1000, ...o });

function setup(t: { after: (fn: () => void) => void }, current: { c: ClaudeCredentials | undefined }, cli: (cur: { c: ClaudeCredentials | undefined }) => RunResult) {
  const dir = mkdtempSync(join(tmpdir(), "oos-run-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config: Config = ConfigSchema.parse({
    claudeCredentials: "/home/a/.claude/.credentials.json",
    stateDir: join(dir, "state"),
    openclaw: { stateDir: join(dir, "openclaw") },
    targets: [{ kind: "env" }],
  });
  const reports: ConditionReport[] = [];
  let syncs = 0;
  let runs = 0;
  const log = memoryLogger();
  const deps: RefreshDeps = {
    log,
    now: () => NOW,
    random: () => 0.5,
    readCredentials: async (p) => {
      if (!current.c) throw new CredentialsError("missing", p, "credentials file not found");
      return current.c;
    },
    runSync: async () => {
      syncs++;
      return { results: [], changed: true };
    },
    reportCondition: async (_c, r) => {
      reports.push(r);
    },
    plan: { processEnv: {}, getuid: () => 0, readPasswd: async () => "a:x:1000:1000::/home/a:/bin/sh\n", run: async () => result({}) },
    runCli: async () => {
      runs++;
      return cli(current);
    },
  };
  // resolveInvocation stats the credentials file: point it at a file that exists.
  config.claudeCredentials = __filename;
  return { config, deps, reports, log, counts: () => ({ syncs, runs }) };
}

describe("runRefresh sequencing", () => {
  test("renewed → sync once, login-required and expiring-unrenewed cleared", async (t) => {
    const cur = { c: creds(5 * MIN) as ClaudeCredentials | undefined };
    const s = setup(t, cur, (x) => {
      x.c = creds(8 * 3600_000);
      return result({ stdout: "ok" });
    });
    const r = await runRefresh(s.config, { force: false }, s.deps);
    assert.equal(r.outcome, "renewed");
    assert.deepEqual(s.counts(), { syncs: 1, runs: 1 });
    assert.deepEqual(s.reports.map((x) => [x.id, x.active]), [["login-required", false], ["expiring-unrenewed", false]]);
  });

  test("transient inside the warning window → expiring-unrenewed active, no sync", async (t) => {
    const cur = { c: creds(5 * MIN) as ClaudeCredentials | undefined };
    const s = setup(t, cur, () => result({ exitCode: 1, stderr: "API Error: 529 Overloaded" }));
    const r = await runRefresh(s.config, { force: false }, s.deps);
    assert.equal(r.outcome, "transient");
    assert.equal(r.exitCode, 75);
    assert.deepEqual(s.counts(), { syncs: 0, runs: 1 });
    assert.deepEqual(s.reports.map((x) => [x.id, x.active]), [["expiring-unrenewed", true]]);
    assert.match(s.reports[0]!.detail, /overloaded/);
  });

  test("transient with more than warnMinutes left → nothing reported yet", async (t) => {
    const cur = { c: creds(30 * MIN) as ClaudeCredentials | undefined };
    const s = setup(t, cur, () => result({ exitCode: 1, stderr: "fetch failed" }));
    await runRefresh(s.config, { force: false }, s.deps);
    assert.deepEqual(s.reports, []);
  });

  test("login-required → reported active with the reason; a later new login clears it", async (t) => {
    const cur = { c: creds(5 * MIN) as ClaudeCredentials | undefined };
    const s = setup(t, cur, () => result({ exitCode: 1, stderr: "OAuth token revoked · Please run /login" }));
    const r = await runRefresh(s.config, { force: false }, s.deps);
    assert.equal(r.exitCode, 1);
    assert.deepEqual(s.reports.map((x) => [x.id, x.active]), [["login-required", true]]);
    assert.match(s.reports[0]!.detail, /token-revoked/);
    cur.c = creds(8 * 3600_000); // the human ran /login
    const r2 = await runRefresh(s.config, { force: false }, s.deps);
    assert.equal(r2.outcome, "not-needed");
    assert.deepEqual(s.reports.slice(1).map((x) => [x.id, x.active]), [["login-required", false]]);
  });

  test("a timer run inside the backoff of a dead login is login-required (exit 1, reported again), not transient", async (t) => {
    const cur = { c: creds(5 * MIN) as ClaudeCredentials | undefined };
    const s = setup(t, cur, () => result({ exitCode: 1, stderr: "OAuth error: invalid_grant" }));
    const r1 = await runRefresh(s.config, { force: false }, s.deps);
    assert.equal(r1.outcome, "login-required");
    const r2 = await runRefresh(s.config, { force: false }, s.deps);
    assert.equal(s.counts().runs, 1, "no CLI run while backing off");
    assert.deepEqual([r2.outcome, r2.reason, r2.exitCode], ["login-required", "backoff", 1]);
    assert.match(r2.message, /^login-required: the last renewal attempt found the login dead \(invalid-grant\).*next attempt after .*log in again/);
    assert.deepEqual(s.reports.map((x) => [x.id, x.active]), [["login-required", true], ["login-required", true]], "re-reported: the unit's failure stays explained");
  });

  test("no credentials → login-required, no CLI run", async (t) => {
    const cur = { c: undefined as ClaudeCredentials | undefined };
    const s = setup(t, cur, () => result({}));
    const r = await runRefresh(s.config, { force: true }, s.deps);
    assert.equal(r.outcome, "login-required");
    assert.equal(s.counts().runs, 0);
  });

  test("no token value in any log line or report", async (t) => {
    const cur = { c: creds(5 * MIN) as ClaudeCredentials | undefined };
    const tok = cur.c!.accessToken;
    const s = setup(t, cur, () => result({ exitCode: 1, stderr: `invalid_grant (sent ${tok})` }));
    const r = await runRefresh(s.config, { force: false }, s.deps);
    const all = [...s.log.lines, r.message, ...s.reports.map((x) => x.detail)].join("\n");
    assert.ok(!all.includes(tok) && !all.includes(tok.slice(13, 40)), all);
  });
});
