/** `status` end to end: the real bundled runtime against a scratch host layout. */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { requireBuild, runRuntime, scratch } from "./refresh-helpers";
import { findLeakedToken } from "../helpers/tokens";

const MIN = 60_000;
before(requireBuild);

describe("status (bundled runtime)", { concurrency: Number(process.env.STATUS_TEST_CONCURRENCY ?? 4) }, () => {
  const cases: Array<{ name: string; expiresInMs: number; code: number; level: string }> = [
    { name: "ok", expiresInMs: 5 * 3600_000, code: 0, level: "ok" },
    // warnMinutes is 1 by default: renewals fire 4.5–2 min before expiry, so under a minute left is overdue.
    { name: "expiring within warnMinutes", expiresInMs: 30_000, code: 2, level: "expiring" },
    { name: "expired", expiresInMs: -MIN, code: 1, level: "expired" },
  ];
  for (const c of cases) {
    test(`--check: ${c.name} → exit ${c.code}`, async (t) => {
      const s = scratch();
      t.after(() => s.cleanup());
      s.writeCreds({ expiresInMs: c.expiresInMs });
      s.writeConfig({});
      const r = await runRuntime(["--config", s.configPath, "status", "--check"]);
      assert.equal(r.code, c.code, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`^check +${c.level} \\(exit ${c.code} with --check\\)`, "m"));
      assert.equal(findLeakedToken(r.stdout + r.stderr, s.tokens), undefined);
      const plain = await runRuntime(["--config", s.configPath, "status"]);
      assert.equal(plain.code, 0, "without --check status exits 0");
    });
  }

  test("--check: login-required after a rejected refresh (the CLI blanked the login) → exit 1; a new login clears it", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    s.writeConfig({ env: { STANDIN_TOKEN_ENDPOINT: "400" } });
    const rf = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(rf.code, 1, rf.stderr);
    const r = await runRuntime(["--config", s.configPath, "status", "--check"]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^login required +YES: logged out: Claude Code cleared the login/m);
    assert.match(r.stdout, /^last alert +(alert|undelivered) login-required/m);
    s.writeCreds({ expiresInMs: 5 * 3600_000 }); // the human logged in again
    const r2 = await runRuntime(["--config", s.configPath, "status", "--check"]);
    assert.equal(r2.code, 0, r2.stdout);
  });

  test("--check: unreadable credentials → exit 1", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    writeFileSync(s.credPath, "{ truncated");
    s.writeConfig({});
    const r = await runRuntime(["--config", s.configPath, "status", "--check"]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^access token +UNREADABLE: .*not valid JSON/m);
  });

  test("--json: the documented schema, no token anywhere", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 3 * 3600_000 });
    writeFileSync(join(s.openclawDir, "openclaw.json"), '// JSON5\n{ agents: { defaults: { model: "anthropic/claude-opus-4-6" } } }\n');
    s.writeConfig({});
    await runRuntime(["--config", s.configPath, "sync"]);
    const r = await runRuntime(["--config", s.configPath, "status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.schemaVersion, 1);
    assert.deepEqual(Object.keys(j).sort(), ["check", "credentials", "generatedAt", "loginRequired", "refresh", "route", "schemaVersion", "targets"]);
    assert.equal(j.credentials.readable, true);
    assert.ok(Math.abs(j.credentials.timeLeftMs - 3 * 3600_000) < 60_000);
    assert.equal(j.credentials.subscriptionType, "max");
    assert.equal(typeof j.credentials.refreshTokenExpiresAt, "number");
    assert.equal(j.route.route, "direct");
    assert.equal(j.route.model, "anthropic/claude-opus-4-6");
    assert.equal(j.targets.length, 1);
    assert.equal(j.targets[0].state, "in-sync", JSON.stringify(j.targets[0]));
    assert.equal(j.check.code, 0);
    assert.equal(findLeakedToken(r.stdout + r.stderr, s.tokens), undefined);
  });

  test("--prometheus FILE writes the textfile atomically (0644, no temp file left)", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 3 * 3600_000 });
    s.writeConfig({});
    const prom = join(s.dir, "textfile", "openclaw_oauth_sync.prom");
    mkdirSync(join(s.dir, "textfile"));
    const r = await runRuntime(["--config", s.configPath, "status", "--prometheus", prom]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(prom, "utf8");
    const exp = Math.floor(s.readCreds().claudeAiOauth.expiresAt as number / 1000);
    assert.match(text, /^# HELP openclaw_oauth_sync_access_token_expiry_timestamp_seconds /m);
    assert.match(text, /^# TYPE openclaw_oauth_sync_access_token_expiry_timestamp_seconds gauge$/m);
    assert.ok(text.includes(`openclaw_oauth_sync_access_token_expiry_timestamp_seconds ${exp}\n`));
    assert.match(text, /^openclaw_oauth_sync_login_required 0$/m);
    assert.equal(statSync(prom).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(join(s.dir, "textfile")), ["openclaw_oauth_sync.prom"]);
  });

  test("refresh updates refresh.prometheusTextfile too", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 5 * MIN });
    const prom = join(s.dir, "oos.prom");
    s.writeConfig({ env: { STANDIN_MODE: "renew" }, prometheusTextfile: prom });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(prom, "utf8");
    assert.match(text, /^openclaw_oauth_sync_last_refresh_success_timestamp_seconds \d+$/m);
    assert.match(text, /^openclaw_oauth_sync_refresh_failures_total\{reason="transient"\} 0$/m);
  });

  test("a corrupt refresh state file is reported and status still works", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 3 * 3600_000 });
    s.writeConfig({});
    mkdirSync(s.stateDir, { recursive: true });
    writeFileSync(join(s.stateDir, "refresh-state.json"), JSON.stringify({ version: 7 }));
    const r = await runRuntime(["--config", s.configPath, "status", "--check"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^refresh state +ignored: unexpected content/m);
  });
});
