/**
 * runRefresh in process with injected collaborators (CLI, clock, sleep, sync, notify), so the
 * sequencing is checked without processes: what is reported to notify, when sync runs, when the
 * CLI runs at all. The credentials file is real (in a scratch dir) and read by the runtime's own
 * reader; the fake CLI behaves like the real one (facts/claude-code.md §2, §4): it renews only in
 * the last 5 minutes, writes the token endpoint's answer to the `--debug-file` it is given, and
 * rewrites (renewed) or blanks (refresh token refused) the credentials file.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRefresh, type RefreshDeps, type RefreshReport } from "../../../runtime/src/refresh/run";
import { ConfigSchema, type Config } from "../../../runtime/src/contract/schema";
import { memoryLogger } from "../../../runtime/src/log";
import { readCredentials } from "../../../runtime/src/credentials";
import { cliWouldRenew, pointFraction } from "../../../runtime/src/refresh/schedule";
import { tokenFingerprint } from "../../../runtime/src/state/refresh-state";
import type { ConditionReport } from "../../../runtime/src/refresh/types";
import type { Invocation } from "../../../runtime/src/refresh/plan";
import type { RunResult } from "../../../runtime/src/proc";
import { fakeAccessToken, fakeRefreshToken } from "../../helpers/tokens";

const MIN = 60_000;
const H = 3600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6, 12);

/** What the real CLI prints for every failed renewal, dead login or not (facts §4). */
const TRANSIENT_LINE = "Failed to authenticate. API Error: 401 OAuth token has expired. Please obtain a new token or refresh your existing token.";
const DEAD_LOGIN_LINE = "Failed to authenticate: OAuth session expired and could not be refreshed";

/** The token endpoint as the fake CLI meets it on one call. */
type Endpoint = "ok" | 400 | 401 | 403 | 429 | 500 | 503 | "hang";

function debugLine(e: Exclude<Endpoint, "ok">): string {
  const ts = "2026-12-06T12:00:00.000Z";
  if (e === "hang") return `${ts} [DEBUG] OAuth refresh still in flight after 8000.41ms; exiting without waiting further`;
  if (e >= 500) return `${ts} [ERROR] "AxiosError: [url=https://platform.claude.com/v1/oauth/token,status=${e},body={"type":"error"}] Request failed with status code ${e}"`;
  return `${ts} [ERROR] OAuth refresh failed (expected): Request failed with status code ${e}`;
}

interface Login {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  refreshTokenExpiresAt?: number;
}

function login(expiresAt: number, o: Partial<Login> = {}): Login {
  return { accessToken: fakeAccessToken(), refreshToken: fakeRefreshToken(), expiresAt, ...o };
}

interface Harness {
  config: Config;
  deps: RefreshDeps;
  clock: { t: number };
  credPath: string;
  /** Condition reports with the fake clock at the time they were made. */
  reports: (ConditionReport & { at: number })[];
  log: ReturnType<typeof memoryLogger>;
  calls: { at: number; argv: string[] }[];
  sleeps: number[];
  syncs: () => number;
  write: (l: Login | "blanked") => void;
  read: () => { claudeAiOauth: Record<string, unknown> } & Record<string, unknown>;
}

/**
 * `endpoint(n)` is what the token endpoint answers on the CLI's n-th run (0-based) when the CLI
 * asks it (only when due); `print` is the CLI's stdout.
 */
function setup(
  t: { after: (fn: () => void) => void },
  first: Login | "blanked",
  endpoint: (n: number) => Endpoint = () => "ok",
  o: { refresh?: Record<string, unknown>; print?: string; exitCode?: (n: number) => number; blankOn400?: boolean } = {},
): Harness {
  const dir = mkdtempSync(join(tmpdir(), "oos-run-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, ".claude"));
  const credPath = join(dir, ".claude", ".credentials.json");
  const write = (l: Login | "blanked") => {
    const oauth =
      l === "blanked"
        ? { accessToken: "", refreshToken: "", expiresAt: 0, scopes: ["user:inference"], subscriptionType: "max" }
        : { ...l, scopes: ["user:inference", "user:profile"], subscriptionType: "max", ...(l.refreshToken === "" ? { refreshToken: undefined } : {}) };
    writeFileSync(credPath, JSON.stringify({ claudeAiOauth: oauth, mcpOAuth: { kept: true } }), { mode: 0o600 });
  };
  const read = () => JSON.parse(readFileSync(credPath, "utf8")) as { claudeAiOauth: Record<string, unknown> } & Record<string, unknown>;
  write(first);
  const config: Config = ConfigSchema.parse({
    claudeCredentials: credPath,
    stateDir: join(dir, "state"),
    openclaw: { stateDir: join(dir, "openclaw") },
    targets: [{ kind: "env" }],
    ...(o.refresh ? { refresh: o.refresh } : {}),
  });
  const clock = { t: NOW };
  const reports: Harness["reports"] = [];
  const calls: Harness["calls"] = [];
  const sleeps: number[] = [];
  let syncs = 0;
  const log = memoryLogger();
  const deps: RefreshDeps = {
    log,
    now: () => clock.t,
    random: () => 0.5,
    readCredentials,
    runSync: async () => {
      syncs++;
      return { results: [], changed: true };
    },
    reportCondition: async (_c, r) => {
      reports.push({ ...r, at: clock.t });
    },
    plan: {
      processEnv: { PATH: "/usr/bin:/bin" },
      getuid: () => 0,
      readPasswd: async () => "",
      run: async () => ({ exitCode: 0, signal: null, timedOut: false, stdout: "", stderr: "", durationMs: 1 }),
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.t += ms;
    },
    runCli: async (inv: Invocation): Promise<RunResult> => {
      const n = calls.length;
      calls.push({ at: clock.t, argv: [...inv.argv] });
      const i = inv.argv.indexOf("--debug-file");
      assert.ok(i > 0, `no --debug-file in ${inv.argv.join(" ")}`);
      const debugFile = inv.argv[i + 1]!;
      const cur = read().claudeAiOauth;
      const lines = ["2026-12-06T12:00:00.000Z [DEBUG] HEAD https://api.anthropic.com/api/hello", `2026-12-06T12:00:00.000Z [DEBUG] stored token ${String(cur.accessToken)}`];
      let exitCode = 0;
      // The real CLI asks the token endpoint only in the last 5 minutes (an expired token too).
      if (typeof cur.expiresAt === "number" && cur.expiresAt > 0 && cliWouldRenew(cur.expiresAt, clock.t)) {
        const e = endpoint(n);
        if (e === "ok") {
          write({ accessToken: fakeAccessToken(), refreshToken: fakeRefreshToken(), expiresAt: clock.t + 8 * H, refreshTokenExpiresAt: clock.t + 30 * DAY });
        } else {
          lines.push(debugLine(e));
          exitCode = 1;
          if (e === 400 && o.blankOn400 !== false) write("blanked");
        }
      }
      writeFileSync(debugFile, lines.join("\n") + "\n", { flag: "a" });
      clock.t += 2000;
      const code = o.exitCode ? o.exitCode(n) : exitCode;
      return { exitCode: code, signal: null, timedOut: false, stdout: o.print ?? (code === 0 ? "ok" : TRANSIENT_LINE), stderr: "", durationMs: 2000 };
    },
  };
  return { config, deps, clock, credPath, reports, log, calls, sleeps, syncs: () => syncs, write, read };
}

const ids = (h: Harness) => h.reports.map((r) => [r.id, r.active]);
const run = (h: Harness, o: { force?: boolean; scheduled?: boolean } = {}): Promise<RefreshReport> => runRefresh(h.config, { force: o.force ?? false, scheduled: o.scheduled ?? false }, h.deps);

describe("runRefresh: a run by hand (decides at once)", () => {
  test("due → the CLI runs once with --debug-file, renews; sync once; login-required and expiring-unrenewed cleared", async (t) => {
    const h = setup(t, login(NOW + 4 * MIN));
    const r = await run(h);
    assert.deepEqual([r.outcome, r.reason, r.exitCode, r.ranCli], ["renewed", "renewed", 0, true]);
    assert.equal(h.calls.length, 1);
    const argv = h.calls[0]!.argv;
    assert.deepEqual([argv[0], argv[1], ...argv.slice(3)], ["claude", "--debug-file", "auth", "status"], "claude --debug-file FILE auth status: no model call");
    assert.equal(existsSync(argv[2]!), false, "the debug log (a secret) is removed after the run");
    assert.equal(h.syncs(), 1);
    assert.deepEqual(ids(h).filter(([id]) => id !== "login-expiring"), [["login-required", false], ["expiring-unrenewed", false]]);
    assert.deepEqual(h.read().mcpOAuth, { kept: true });
  });

  test("method print → claude --debug-file FILE -p ok --model haiku --max-turns 1", async (t) => {
    const h = setup(t, login(NOW + 4 * MIN), () => "ok", { refresh: { method: "print" } });
    assert.equal((await run(h)).outcome, "renewed");
    assert.deepEqual(h.calls[0]!.argv.slice(3), ["-p", "ok", "--model", "haiku", "--max-turns", "1"]);
  });

  test("not due (30 min left) → not-needed without a CLI run, naming the renewal window", async (t) => {
    const h = setup(t, login(NOW + 30 * MIN));
    const r = await run(h);
    assert.deepEqual([r.outcome, r.reason, r.exitCode, r.ranCli], ["not-needed", "not-due", 0, false]);
    assert.equal(h.calls.length, 0);
    assert.match(r.message, /the timer renews it between 2026-12-06T12:25:30Z and 2026-12-06T12:28:00Z/);
    assert.equal(h.syncs(), 0);
  });

  test("--force runs the CLI even when not due; the CLI keeps the token → not-needed cli-kept-token", async (t) => {
    const h = setup(t, login(NOW + 30 * MIN));
    const r = await run(h, { force: true });
    assert.deepEqual([r.outcome, r.reason, r.ranCli], ["not-needed", "cli-kept-token", true]);
    assert.equal(h.calls.length, 1);
  });

  test("logged-out source (blanked file) → login-required without a CLI run, exit 1", async (t) => {
    const h = setup(t, "blanked");
    for (const opts of [{}, { force: true }, { scheduled: true }]) {
      const r = await run(h, opts);
      assert.deepEqual([r.outcome, r.reason, r.exitCode, r.ranCli], ["login-required", "logged-out", 1, false], JSON.stringify(opts));
      assert.match(r.message, /logged out: Claude Code cleared this login.*log in again/);
    }
    assert.equal(h.calls.length, 0);
    assert.deepEqual(ids(h), [["login-required", true], ["login-required", true], ["login-required", true]]);
  });

  test("no credentials file → login-required, no CLI run", async (t) => {
    const h = setup(t, login(NOW + 4 * MIN));
    rmSync(h.credPath);
    const r = await run(h, { force: true });
    assert.deepEqual([r.outcome, r.reason, r.ranCli], ["login-required", "no-credentials", false]);
    assert.equal(h.calls.length, 0);
  });

  test("long-lived token (claude setup-token, no refresh token) → not-needed without a CLI run; login-expiring off far from its end", async (t) => {
    const h = setup(t, login(NOW + 200 * DAY, { refreshToken: "" }));
    const r = await run(h);
    assert.deepEqual([r.outcome, r.reason, r.exitCode, r.ranCli], ["not-needed", "long-lived-token", 0, false]);
    assert.equal(h.calls.length, 0);
    assert.deepEqual(ids(h), [["login-expiring", false]]);
    const r2 = await run(h, { force: true });
    assert.deepEqual([r2.outcome, r2.ranCli], ["not-needed", false], "--force does not run the CLI on a token nothing can renew");
  });

  test("long-lived token inside loginWarnDays → login-expiring reported, still not-needed", async (t) => {
    const h = setup(t, login(NOW + 2 * DAY, { refreshToken: "" }));
    const r = await run(h);
    assert.deepEqual([r.outcome, r.reason], ["not-needed", "long-lived-token"]);
    assert.deepEqual(ids(h), [["login-expiring", true]]);
    assert.match(h.reports[0]!.detail, /long-lived token \(claude setup-token\) expires at 2026-12-08T12:00:00Z, in 2d0h/);
  });

  test("long-lived token expired → login-required, no CLI run", async (t) => {
    const h = setup(t, login(NOW - MIN, { refreshToken: "" }));
    const r = await run(h);
    assert.deepEqual([r.outcome, r.reason, r.exitCode, r.ranCli], ["login-required", "long-lived-token-expired", 1, false]);
  });

  test("a refreshable login whose end (refreshTokenExpiresAt) is inside loginWarnDays → login-expiring reported; renewal goes on", async (t) => {
    const h = setup(t, login(NOW + 4 * MIN, { refreshTokenExpiresAt: NOW + 1 * DAY }));
    const r = await run(h);
    assert.equal(r.outcome, "renewed");
    assert.deepEqual(h.reports[0] && [h.reports[0].id, h.reports[0].active], ["login-expiring", true]);
    assert.match(h.reports[0]!.detail, /the Claude login ends \(refreshTokenExpiresAt\)/);
  });

  test("refresh token refused (debug log 400, file blanked) → login-required, reported; a later new login clears it", async (t) => {
    const h = setup(t, login(NOW - MIN), () => 400);
    const r = await run(h);
    assert.deepEqual([r.outcome, r.reason, r.exitCode, r.ranCli], ["login-required", "logged-out", 1, true]);
    assert.equal(h.read().claudeAiOauth.accessToken, "");
    assert.deepEqual(ids(h), [["login-required", true]]);
    assert.match(h.reports[0]!.detail, /HTTP 400.*Claude Code cleared the login/);
    h.write(login(NOW + 8 * H)); // the human ran /login
    const r2 = await run(h);
    assert.deepEqual([r2.outcome, r2.reason], ["not-needed", "not-due"]);
    assert.deepEqual(ids(h).slice(1), [["login-required", false]]);
    assert.equal(h.calls.length, 1);
  });

  test("the CLI's wording does not decide: the transient line with a 400 behind it is login-required; the dead-login line with a 500 is transient", async (t) => {
    const a = setup(t, login(NOW - MIN), () => 400, { print: TRANSIENT_LINE });
    assert.equal((await run(a)).outcome, "login-required");
    const b = setup(t, login(NOW - MIN), () => 500, { print: DEAD_LOGIN_LINE });
    assert.equal((await run(b)).outcome, "transient");
    const c = setup(t, login(NOW - MIN), () => 500, { print: '{"storedClaudeAiLogin":true}', exitCode: () => 0 });
    assert.deepEqual([(await run(c)).outcome, (await run(c)).reason], ["transient", "backoff"], "auth status exits 0 on a failed renewal: still transient");
  });

  test("a timer run inside the backoff of a refused refresh token is login-required (exit 1, reported again), not transient", async (t) => {
    // 400 while the file stays readable (not blanked by this CLI version): the backoff path.
    const h = setup(t, login(NOW - MIN), () => 400, { blankOn400: false });
    const r1 = await run(h);
    assert.deepEqual([r1.outcome, r1.reason], ["login-required", "refresh-token-refused"]);
    const r2 = await run(h);
    assert.equal(h.calls.length, 1, "no CLI run while backing off");
    assert.deepEqual([r2.outcome, r2.reason, r2.exitCode], ["login-required", "backoff", 1]);
    assert.match(r2.message, /^login-required: the last renewal attempt found the login dead \(refresh-token-refused\).*log in again/);
    assert.deepEqual(ids(h).filter(([id]) => id === "login-required"), [["login-required", true], ["login-required", true]], "re-reported: the unit's failure stays explained");
  });

  test("transient (debug log 500, file unchanged) → exit 75 with the backoff; expiring-unrenewed only once the token has been expired alertExpiredAfterMinutes", async (t) => {
    const h = setup(t, login(NOW + 4 * MIN), () => 500);
    const r = await run(h);
    assert.deepEqual([r.outcome, r.reason, r.exitCode], ["transient", "token-endpoint-500", 75]);
    assert.match(r.message, /next attempt after 2026-12-06T12:01:02Z/);
    assert.equal(h.syncs(), 0);
    assert.deepEqual(ids(h), [], "4 min left: no alert for a passing outage");

    h.clock.t = NOW + 4 * MIN + 29 * MIN; // expired 29 min ago
    assert.equal((await run(h)).outcome, "transient");
    assert.deepEqual(ids(h), []);
    h.clock.t = NOW + 4 * MIN + 31 * MIN; // expired 31 min ago
    const r3 = await run(h);
    assert.equal(r3.outcome, "transient");
    assert.deepEqual(ids(h), [["expiring-unrenewed", true]]);
    assert.match(h.reports[0]!.detail, /token expired 31m00s ago.*token-endpoint-500/);
  });

  test("no answer from the token endpoint (auth status gives up after ~8 s) → transient, not unknown", async (t) => {
    const h = setup(t, login(NOW - MIN), () => "hang");
    const r = await run(h);
    assert.deepEqual([r.outcome, r.reason], ["transient", "token-endpoint-no-answer"]);
  });

  test("inside the backoff of a transient failure: no CLI run, exit 75; --force ignores the backoff", async (t) => {
    let ok = false;
    const h = setup(t, login(NOW + 4 * MIN), () => (ok ? "ok" : 429));
    assert.equal((await run(h)).reason, "token-endpoint-429");
    const r2 = await run(h);
    assert.deepEqual([r2.outcome, r2.reason, r2.exitCode, r2.ranCli], ["transient", "backoff", 75, false]);
    ok = true;
    assert.equal((await run(h, { force: true })).outcome, "renewed");
    assert.equal(h.calls.length, 2);
  });

  test("deprecated config keys are logged as warnings on every run", async (t) => {
    const h = setup(t, login(NOW + 30 * MIN), () => "ok", { refresh: { command: ["claude", "-p", "ok"], windowMinutes: 45 } });
    await run(h);
    assert.equal(h.log.lines.filter((l) => /^warn: refresh\.(command is deprecated|windowMinutes is ignored)/.test(l)).length, 2);
  });

  test("no token value in any log line, report or message", async (t) => {
    const first = login(NOW + 4 * MIN);
    const h = setup(t, first, () => 500, { print: `Failed to authenticate ${first.accessToken} ${first.refreshToken}` });
    const r = await run(h);
    const all = [...h.log.lines, r.message, ...h.reports.map((x) => x.detail)].join("\n");
    for (const tok of [first.accessToken, first.refreshToken]) assert.ok(!all.includes(tok) && !all.includes(tok.slice(13, 40)), all);
  });
});

describe("runRefresh --scheduled (the timer's run: waits for the renewal point, retries transient failures)", () => {
  test("waits for the renewal point, then runs the CLI once and renews", async (t) => {
    const exp = NOW + 10 * MIN;
    const creds = login(exp);
    const h = setup(t, creds);
    const r = await run(h, { scheduled: true });
    assert.deepEqual([r.outcome, r.exitCode], ["renewed", 0]);
    assert.equal(h.calls.length, 1, "one CLI run");
    const at = h.calls[0]!.at;
    const f = pointFraction(tokenFingerprint(creds.accessToken));
    assert.equal(at, Math.round(exp - 270_000 + 150_000 * f), "the token's own point in 270–120 s before expiry (from its fingerprint)");
    assert.ok(cliWouldRenew(exp, at));
    assert.equal(h.sleeps.reduce((a, b) => a + b, 0), at - NOW);
    assert.ok(h.sleeps.every((s) => s <= 30_000), "waits in slices, re-reading the file between them");
    assert.equal(h.syncs(), 1);
  });

  test("renewal point further ahead than maxWaitMinutes → not-needed at once: no wait, no CLI run", async (t) => {
    const h = setup(t, login(NOW + 60 * MIN));
    const r = await run(h, { scheduled: true });
    assert.deepEqual([r.outcome, r.reason, r.exitCode], ["not-needed", "not-due", 0]);
    assert.deepEqual([h.calls.length, h.sleeps.length], [0, 0]);
  });

  test("started inside the CLI's window (a late timer: 4 min left, the point at 3m15s) → runs at once", async (t) => {
    const h = setup(t, login(NOW + 4 * MIN));
    assert.equal((await run(h, { scheduled: true })).outcome, "renewed");
    assert.deepEqual([h.calls.length, h.sleeps.length, h.calls[0]!.at], [1, 0, NOW]);
  });

  test("already due (expired) → runs at once, without waiting", async (t) => {
    const h = setup(t, login(NOW - 10 * MIN));
    assert.equal((await run(h, { scheduled: true })).outcome, "renewed");
    assert.deepEqual([h.calls.length, h.sleeps.length, h.calls[0]!.at], [1, 0, NOW]);
  });

  test("the login renewed by someone else while waiting → not-needed, no CLI run", async (t) => {
    const h = setup(t, login(NOW + 10 * MIN));
    const sleep = h.deps.sleep!;
    h.deps.sleep = async (ms) => {
      await sleep(ms);
      if (h.clock.t > NOW + 3 * MIN && h.read().claudeAiOauth.expiresAt === NOW + 10 * MIN) h.write(login(h.clock.t + 8 * H)); // e.g. an interactive claude
    };
    const r = await run(h, { scheduled: true });
    assert.equal(r.outcome, "not-needed");
    assert.equal(h.calls.length, 0);
  });

  test("a transient failure (debug log 500, file unchanged) is retried after the backoff, then renewed", async (t) => {
    const exp = NOW + 4 * MIN;
    const h = setup(t, login(exp), (n) => (n === 0 ? 500 : "ok"));
    const r = await run(h, { scheduled: true });
    assert.deepEqual([r.outcome, r.exitCode], ["renewed", 0]);
    assert.equal(h.calls.length, 2);
    const gap = h.calls[1]!.at - h.calls[0]!.at;
    assert.ok(gap >= 1 * MIN && gap < 2 * MIN, `retried after the first backoff (1 min), not ${gap} ms`);
    assert.equal(h.syncs(), 1);
    assert.deepEqual(ids(h).filter(([, active]) => active), [], "a retry that worked alerts nobody");
  });

  test("a persisting outage: retries with a growing backoff until maxRunMinutes, exit 75; expiring-unrenewed only after alertExpiredAfterMinutes expired", async (t) => {
    const exp = NOW + 4 * MIN;
    const h = setup(t, login(exp), () => 503);
    const r = await run(h, { scheduled: true });
    assert.deepEqual([r.outcome, r.reason, r.exitCode], ["transient", "token-endpoint-503", 75]);
    const maxRun = h.config.refresh.maxRunMinutes * MIN;
    assert.ok(h.calls.length >= 8, `only ${h.calls.length} attempts in ${h.config.refresh.maxRunMinutes} min`);
    assert.ok(h.calls.every((c) => c.at <= NOW + maxRun), "no attempt after maxRunMinutes");
    assert.ok(h.clock.t <= NOW + maxRun + 5000, `the run ended at +${(h.clock.t - NOW) / MIN} min`);
    const gaps = h.calls.slice(1).map((c, i) => c.at - h.calls[i]!.at);
    assert.ok(gaps.every((g) => g >= 1 * MIN && g <= 5 * MIN + 5000), `gaps ${gaps}`);
    const alerts = h.reports.filter((x) => x.id === "expiring-unrenewed" && x.active);
    assert.ok(alerts.length >= 1, "alerted once the outage outlasted the grace time");
    assert.ok(alerts.every((a) => a.at >= exp + h.config.refresh.alertExpiredAfterMinutes * MIN), "not before the token has been expired alertExpiredAfterMinutes");
  });

  test("a dead login found by a retry ends the run at once (login-required, exit 1)", async (t) => {
    const h = setup(t, login(NOW + 4 * MIN), (n) => (n === 0 ? 429 : 400));
    const r = await run(h, { scheduled: true });
    assert.deepEqual([r.outcome, r.reason, r.exitCode], ["login-required", "logged-out", 1]);
    assert.equal(h.calls.length, 2);
  });
});
