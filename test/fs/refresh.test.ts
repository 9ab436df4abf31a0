/**
 * `refresh` end to end: the real bundled runtime, the real filesystem, and a scripted stand-in
 * for the `claude` CLI (test/stand-ins/claude-standin.mjs, NOT Claude Code) that renews or fails
 * the way the real CLI was seen to (facts/claude-code.md): fast, and with faults on demand. The
 * real CLI against a loopback fake of Anthropic runs in test/claude/.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { BYPASS_ENV, requireBuild, runRuntime, scratch, DOCKER_STANDIN, STANDIN, type Scratch } from "./refresh-helpers";
import { findLeakedToken } from "../helpers/tokens";
import { SCRUBBED_ENV_VARS } from "../../runtime/src/contract/refresh";

const MIN = 60_000;
const standinEnv = (s: Scratch, extra: Record<string, string> = {}) => ({ STANDIN_RECORD: s.recordPath, ...extra });
const state = (s: Scratch) => JSON.parse(readFileSync(join(s.stateDir, "refresh-state.json"), "utf8"));
const noLeak = (s: Scratch, ...texts: string[]) => {
  const leaked = findLeakedToken(texts.join("\n"), s.tokens);
  assert.equal(leaked, undefined, "a token value appeared in the output");
};

before(requireBuild);

// Each test has its own scratch host, so they run concurrently (each spawns the runtime).
describe("refresh (bundled runtime, claude stand-in)", { concurrency: Number(process.env.REFRESH_TEST_CONCURRENCY ?? 4) }, () => {

  test("renews inside Claude Code's window with `auth status` (no model call), a scrubbed environment and the base-URL override, then syncs", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    const old = s.readCreds();
    s.writeConfig({ env: standinEnv(s), baseUrlOverride: "https://api.anthropic.com" });
    const r = await runRuntime(["--config", s.configPath, "refresh"], BYPASS_ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^renewed: token valid for 7h5\dm/m);
    const recs = s.records();
    assert.equal(recs.length, 1, "exactly one CLI run");
    const rec = recs[0]!;
    assert.equal(rec.argv[0], "--debug-file");
    assert.deepEqual(rec.argv.slice(2), ["auth", "status"], "auth status: renews without a model call");
    assert.equal(existsSync(rec.argv[1]!), false, "the debug log (it holds the bearer token) is removed after the run");
    for (const k of SCRUBBED_ENV_VARS) {
      if (k === "ANTHROPIC_BASE_URL" || k === "CLAUDE_CONFIG_DIR" || k === "CLAUDE_SECURESTORAGE_CONFIG_DIR") continue;
      assert.equal(rec.env[k], undefined, `${k} reached the CLI`);
    }
    assert.equal(rec.env.ANTHROPIC_BASE_URL, "https://api.anthropic.com");
    assert.equal(rec.env.CLAUDE_CONFIG_DIR, s.claudeDir, "the CLI is pointed at the credentials file we watch");
    assert.equal(rec.env.CLAUDE_SECURESTORAGE_CONFIG_DIR, s.claudeDir, "2.1.332 reads this one first");
    assert.equal(rec.env.HOME, "/root");
    // Rewritten the way Claude Code does: all fields kept, scopes an array, new tokens, 0600.
    const now = s.readCreds();
    assert.notEqual(now.claudeAiOauth.accessToken, old.claudeAiOauth.accessToken);
    assert.notEqual(now.claudeAiOauth.refreshToken, old.claudeAiOauth.refreshToken);
    assert.equal(now.claudeAiOauth.subscriptionType, "max");
    assert.deepEqual(now.mcpOAuth, { kept: true });
    assert.ok(Array.isArray(now.claudeAiOauth.scopes));
    assert.equal(statSync(s.credPath).mode & 0o777, 0o600);
    // The sync ran: the .env target holds the new access token.
    assert.ok(readFileSync(s.envPath, "utf8").includes(String(now.claudeAiOauth.accessToken)), ".env target updated after renewal");
    const st = state(s);
    assert.equal(st.lastAttempt.outcome, "renewed");
    assert.equal(typeof st.lastSuccessAt, "number");
    assert.equal(st.backoff, undefined);
    noLeak(s, r.stdout, r.stderr, readFileSync(join(s.stateDir, "refresh-state.json"), "utf8"));
  });

  test("method print runs `-p` with the print arguments, after --debug-file", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    s.writeConfig({ env: standinEnv(s), method: "print" });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(s.records()[0]!.argv.slice(2), ["-p", "ok", "--model", "haiku", "--max-turns", "1"]);
  });

  test("an old config's refresh.command still works, with a warning naming refresh.cli and refresh.method", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    s.writeConfig({ env: standinEnv(s), cli: undefined, command: [STANDIN, "-p", "ok", "--model", "haiku", "--max-turns", "1"], windowMinutes: 45 });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /refresh\.command is deprecated: read as refresh\.cli .*refresh\.method "print"/);
    assert.match(r.stderr, /refresh\.windowMinutes is ignored: Claude Code renews only in the last 5 minutes/);
    assert.deepEqual(s.records()[0]!.argv.slice(2), ["-p", "ok", "--model", "haiku", "--max-turns", "1"]);
  });

  test("no CLI run while more than 5 minutes are left (the CLI would renew nothing); --force runs it and it keeps the token", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 5 * 3600_000 + 12 * MIN + 30_000 });
    s.writeConfig({ env: standinEnv(s) });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^not-needed: token valid for 5h12m \(expires \d{4}-\d\d-\d\dT[\d:]+Z\); the timer renews it between /m);
    assert.equal(s.records().length, 0, "no CLI run");
    const f = await runRuntime(["--config", s.configPath, "refresh", "--force"]);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /not-needed: the CLI kept the current token \(Claude Code renews only in the last 5 minutes/);
    assert.equal(s.records().length, 1);
  });

  // What the token endpoint answered, as the real CLI leaves it behind (facts/claude-code.md §4):
  // the same stdout line for all of them; only the file afterwards and the debug log differ.
  const failures: Array<{ endpoint: string; method?: string; code: number; outcome: string; reason: string }> = [
    { endpoint: "400", code: 1, outcome: "login-required", reason: "logged-out" },
    { endpoint: "400", method: "print", code: 1, outcome: "login-required", reason: "logged-out" },
    { endpoint: "401", code: 75, outcome: "transient", reason: "token-endpoint-401" },
    { endpoint: "403", code: 75, outcome: "transient", reason: "token-endpoint-403" },
    { endpoint: "429", code: 75, outcome: "transient", reason: "token-endpoint-429" },
    { endpoint: "500", code: 75, outcome: "transient", reason: "token-endpoint-500" },
    { endpoint: "500", method: "print", code: 75, outcome: "transient", reason: "token-endpoint-500" },
    { endpoint: "503", code: 75, outcome: "transient", reason: "token-endpoint-503" },
    { endpoint: "no-answer", code: 75, outcome: "transient", reason: "token-endpoint-no-answer" },
  ];
  for (const f of failures) {
    test(`expired token, token endpoint ${f.endpoint}${f.method ? ` (${f.method})` : ""} → ${f.outcome} ${f.reason}, exit ${f.code}; no page for what a retry fixes`, async (t) => {
      const s = scratch();
      t.after(() => s.cleanup());
      s.writeCreds({ expiresInMs: -MIN });
      s.writeConfig({ env: standinEnv(s, { STANDIN_TOKEN_ENDPOINT: f.endpoint }), ...(f.method ? { method: f.method } : {}) });
      const r = await runRuntime(["--config", s.configPath, "refresh"]);
      assert.equal(r.code, f.code, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, new RegExp(`${f.outcome}: `));
      const st = state(s);
      assert.equal(st.lastAttempt.outcome, f.outcome);
      assert.equal(st.lastAttempt.reason, f.reason);
      assert.equal(st.counters.refreshFailures[f.outcome], 1);
      noLeak(s, r.stdout, r.stderr, JSON.stringify(st));
      const alertsPath = join(s.stateDir, "alerts.json");
      const alerts = existsSync(alertsPath) ? JSON.parse(readFileSync(alertsPath, "utf8")) : { conditions: {} };
      if (f.outcome === "login-required") {
        assert.equal(alerts.conditions["login-required"].active, true, "login-required reported to notify");
      } else {
        assert.notEqual(alerts.conditions["login-required"]?.active, true, "no login-required for an outage");
        assert.notEqual(alerts.conditions["expiring-unrenewed"]?.active, true, "expired 1 min: below alertExpiredAfterMinutes, nobody paged");
      }
    });
  }

  test("after a dead login (blanked file) every command says logged out: refresh exit 1 with no CLI run, status, sync (never 65)", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: -MIN });
    s.writeConfig({ env: standinEnv(s, { STANDIN_TOKEN_ENDPOINT: "400" }) });
    assert.equal((await runRuntime(["--config", s.configPath, "refresh"])).code, 1);
    assert.equal(s.readCreds().claudeAiOauth.accessToken, "", "the CLI blanked the login");
    const again = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(again.code, 1, again.stdout + again.stderr);
    assert.match(again.stderr, /login-required: .*logged out: Claude Code cleared this login/);
    assert.equal(s.records().length, 1, "no CLI run for a login that is gone");
    const status = await runRuntime(["--config", s.configPath, "status", "--json", "--check"]);
    assert.equal(status.code, 1);
    const rep = JSON.parse(status.stdout);
    assert.equal(rep.credentials.loggedOut, true);
    assert.equal(rep.loginRequired.active, true);
    assert.match(rep.loginRequired.reason, /^logged out/);
    const human = await runRuntime(["--config", s.configPath, "status"]);
    assert.match(human.stdout, /access token\s+LOGGED OUT/);
    const sync = await runRuntime(["--config", s.configPath, "sync"]);
    assert.equal(sync.code, 1, sync.stdout + sync.stderr);
    assert.match(sync.stdout + sync.stderr, /logged out/);
  });

  test("a long-lived token (claude setup-token, no refresh token): nothing to renew, no CLI run; login end tracked", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 2 * 86_400_000 });
    const f = s.readCreds();
    delete f.claudeAiOauth.refreshToken;
    writeFileSync(s.credPath, JSON.stringify(f), { mode: 0o600 });
    s.writeConfig({ env: standinEnv(s) });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /not-needed: a long-lived token \(claude setup-token\) has nothing to renew/);
    assert.equal(s.records().length, 0);
    const alerts = JSON.parse(readFileSync(join(s.stateDir, "alerts.json"), "utf8"));
    assert.equal(alerts.conditions["login-expiring"].active, true, "2 days left, inside loginWarnDays (3)");
    const status = await runRuntime(["--config", s.configPath, "status", "--json", "--check"]);
    assert.equal(status.code, 2, status.stdout);
    const rep = JSON.parse(status.stdout);
    assert.equal(rep.credentials.kind, "long-lived");
    assert.equal(rep.credentials.loginDeadline, f.claudeAiOauth.expiresAt);
    assert.equal(rep.check.level, "login-expiring");
    const sync = await runRuntime(["--config", s.configPath, "sync"]);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.ok(readFileSync(s.envPath, "utf8").includes(String(f.claudeAiOauth.accessToken)), "synced as usual");
  });

  test("a hanging CLI is killed after timeoutSeconds → transient timeout", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    s.writeConfig({ env: standinEnv(s, { STANDIN_MODE: "hang" }), timeoutSeconds: 1 });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 75, r.stderr);
    const a = state(s).lastAttempt;
    assert.equal(a.reason, "timeout");
    // Killed at timeoutSeconds (1 s), not left to hang; the upper bound allows for a loaded machine.
    assert.ok(a.durationMs >= 900 && a.durationMs < 8000, `CLI run lasted ${a.durationMs} ms`);
    const pid = s.records()[0]!.pid;
    assert.throws(() => process.kill(pid, 0), "the stand-in process is gone");
  });

  test("backoff is persisted across runs: a run by hand waits, --force ignores it, a new login voids it", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    s.writeConfig({ env: standinEnv(s, { STANDIN_TOKEN_ENDPOINT: "429" }) });
    const r1 = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r1.code, 75);
    const b1 = state(s).backoff;
    assert.equal(b1.failures, 1);
    assert.ok(b1.until - Date.now() > 0.6 * MIN && b1.until - Date.now() <= 1.2 * MIN, "first delay ≈ 1 min ± jitter");
    const r2 = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r2.code, 75);
    assert.match(r2.stderr, /backoff: 1 failed attempt \(token-endpoint-429\); next attempt after .*--force ignores the backoff/);
    assert.equal(s.records().length, 1, "no CLI run while backing off");
    const r3 = await runRuntime(["--config", s.configPath, "refresh", "--force"]);
    assert.equal(r3.code, 75);
    assert.equal(s.records().length, 2);
    const b3 = state(s).backoff;
    assert.equal(b3.failures, 2);
    assert.ok(b3.until - Date.now() > 1.5 * MIN, "second delay ≈ 2 min");
    // Someone logs in again (new token): the backoff no longer applies.
    s.writeCreds({ expiresInMs: 4 * MIN });
    s.writeConfig({ env: standinEnv(s) });
    const r4 = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r4.code, 0, r4.stderr);
    assert.equal(s.records().length, 3);
    assert.equal(state(s).backoff, undefined);
  });

  test("scheduled: waits for the renewal point inside the window and runs the CLI once; the next scheduled run exits at once", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    // 5 min 20 s left; renewal aimed at 5 min 10 s … 5 min before expiry: a wait of 10–20 s.
    s.writeCreds({ expiresInMs: 5 * MIN + 20_000 });
    s.writeConfig({ env: standinEnv(s), renewBeforeExpiry: { earliestSeconds: 290, latestSeconds: 280 } });
    const t0 = Date.now();
    const r = await runRuntime(["--config", s.configPath, "refresh", "--scheduled"], {}, 90_000);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /waiting for the renewal point/);
    assert.match(r.stdout, /^renewed: /m);
    assert.ok(Date.now() - t0 >= 9_000, "it waited for the window");
    assert.equal(s.records().length, 1);
    // Not due any more: a scheduled run exits at once without a CLI run.
    const again = await runRuntime(["--config", s.configPath, "refresh", "--scheduled"]);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /not-needed: token valid for 7h/);
    assert.equal(s.records().length, 1);
  });

  test("N concurrent refresh --force → exactly one CLI run; the others report the renewal", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    const n = Number(process.env.REFRESH_LOCK_N ?? 5);
    s.writeCreds({ expiresInMs: 4 * MIN });
    // The CLI holds the lock long enough that every process starts while it runs, even on a loaded machine.
    s.writeConfig({ env: standinEnv(s, { STANDIN_DELAY_MS: process.env.REFRESH_LOCK_HOLD_MS ?? "3000" }) });
    const rs = await Promise.all(Array.from({ length: n }, () => runRuntime(["--config", s.configPath, "refresh", "--force"], {}, 90_000)));
    assert.equal(s.records().length, 1, `exactly one CLI run for ${n} concurrent refreshes`);
    for (const r of rs) assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(rs.filter((r) => /^renewed:/m.test(r.stdout)).length, 1);
    assert.equal(rs.filter((r) => /not-needed: renewed by a concurrent refresh/.test(r.stdout)).length, n - 1);
    assert.equal(existsSync(join(s.stateDir, "refresh.lock")), false, "lock released");
  });

  test("a stale lock (dead pid) is taken over", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    s.writeConfig({ env: standinEnv(s) });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(s.stateDir, { recursive: true });
    writeFileSync(join(s.stateDir, "refresh.lock"), JSON.stringify({ pid: 2 ** 22 + 12345, createdAt: Date.now() - 1000 }));
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /removing stale refresh lock/);
    assert.equal(s.records().length, 1);
  });

  test("a corrupt state file is reported and treated as empty", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    s.writeConfig({ env: standinEnv(s) });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(s.stateDir, { recursive: true });
    writeFileSync(join(s.stateDir, "refresh-state.json"), "{ not json");
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /refresh-state\.json: not valid JSON.*treating it as empty/);
    assert.equal(state(s).lastAttempt.outcome, "renewed");
  });

  test("missing credentials → login-required without running the CLI", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeConfig({ env: standinEnv(s) });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /login-required: .*credentials file not found/);
    assert.equal(s.records().length, 0);
  });

  test("refresh token expired per refreshTokenExpiresAt → login-required without running the CLI", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 5 * MIN, refreshTokenExpiresAt: Date.now() - 1000 });
    s.writeConfig({ env: standinEnv(s) });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /login-required: the Claude login ended at/);
    assert.equal(s.records().length, 0);
  });

  test("--bare in the config is refused with the reason", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 5 * MIN });
    s.writeConfig({ cli: ["claude", "--bare"] });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 78);
    assert.match(r.stderr, /refresh\.cli: "--bare" disables the OAuth login/);
  });

  test("on: container → docker exec -u <user> with -e override and env -u for the container's bypass variables (docker stand-in)", async (t) => {
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    const dockerRecord = join(s.dir, "docker-record.jsonl");
    s.writeConfig(
      {
        on: "container",
        baseUrlOverride: "https://api.anthropic.com",
        // Inside the "container" the stand-in finds the credentials through CLAUDE_CONFIG_DIR.
        claudeConfigDir: s.claudeDir,
        env: standinEnv(s),
      },
      { openclaw: { stateDir: s.openclawDir, mode: "docker", docker: { command: [process.execPath, DOCKER_STANDIN], user: "node" } } },
    );
    const r = await runRuntime(["--config", s.configPath, "refresh"], {
      ...BYPASS_ENV,
      DOCKER_STANDIN_IDS: "0123456789ab",
      DOCKER_STANDIN_RECORD: dockerRecord,
      DOCKER_STANDIN_CONTAINER_ENV: JSON.stringify({ ANTHROPIC_API_KEY: "sk-ant-api03-in-container", CLAUDE_CODE_OAUTH_TOKEN: "x", ANTHROPIC_BASE_URL: "http://proxy.internal" }),
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const calls = readFileSync(dockerRecord, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(calls[0].sub, "ps");
    assert.deepEqual(calls[0].args, ["-q", "--filter", "label=com.docker.compose.service=openclaw-gateway"]);
    assert.equal(calls[1].sub, "exec");
    assert.equal(calls[1].user, "node");
    assert.equal(calls[1].container, "0123456789ab");
    assert.equal(calls[1].env.ANTHROPIC_BASE_URL, "https://api.anthropic.com");
    assert.equal(calls[1].cmd[0], "env");
    assert.ok(calls[1].cmd.includes("sh"), "the debug log is kept inside the container by a wrapper and copied to stderr");
    const rec = s.records()[0]!;
    assert.equal(rec.env.ANTHROPIC_API_KEY, undefined, "container's ANTHROPIC_API_KEY removed by env -u");
    assert.equal(rec.env.CLAUDE_CODE_OAUTH_TOKEN, undefined);
    assert.equal(rec.env.ANTHROPIC_BASE_URL, "https://api.anthropic.com", "override wins over the container's proxy");
    assert.ok(!rec.argv.includes("--bare"));
    assert.match(r.stdout, /renewed: .*as node in container 0123456789ab/);
  });
});

describe("refresh on the host as the account that owns the credentials", () => {
  test("root runs the CLI as the file's owner (uid/gid from stat, HOME from /etc/passwd)", async (t) => {
    if (process.getuid?.() !== 0) return t.skip("needs root to switch accounts");
    const { chmodSync, chownSync, copyFileSync } = await import("node:fs");
    const s = scratch();
    t.after(() => s.cleanup());
    s.writeCreds({ expiresInMs: 4 * MIN });
    // nobody (65534) owns the login; it must be able to reach the stand-in and its record file.
    // The stand-in is copied into the scratch dir: the checkout may sit below a 0700 directory.
    chmodSync(s.dir, 0o755);
    writeFileSync(s.recordPath, "", { mode: 0o666 });
    chmodSync(s.recordPath, 0o666);
    chownSync(s.claudeDir, 65534, 65534);
    chownSync(s.credPath, 65534, 65534);
    const standin = join(s.dir, "claude-standin.mjs");
    copyFileSync(STANDIN, standin);
    chmodSync(standin, 0o755);
    s.writeConfig({ env: standinEnv(s), cli: [process.execPath, standin] });
    const r = await runRuntime(["--config", s.configPath, "refresh"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const rec = s.records()[0]!;
    assert.equal(rec.uid, 65534);
    assert.equal(rec.env.USER, "nobody");
    assert.equal(rec.env.HOME, "/nonexistent");
    const st = statSync(s.credPath);
    assert.equal(st.uid, 65534, "the renewed file still belongs to its owner");
    assert.match(r.stdout, /renewed: .*as nobody \(uid 65534\) on the host/);
  });
});
