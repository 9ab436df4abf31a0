/**
 * Notification delivery against recording HTTP servers on 127.0.0.1, a stand-in script for the
 * command channel, and the alert state on the real filesystem.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLogger } from "../../runtime/src/log";
import { ConfigError } from "../../runtime/src/errors";
import { readAlertState, recordSyncOutcome, reportCondition, sendTestNotification } from "../../runtime/src/notify/index";
import { notifyCommand } from "../../runtime/src/commands/notify";
import { closedPort, makeConfig, recordingServer, requestText, type RecordingServer } from "../unit/notify/helpers";
import { fakeAccessToken, fakeRefreshToken, findLeakedToken } from "../helpers/tokens";

const uid = process.getuid?.() ?? 0;
const T0 = Date.UTC(2026, 10, 1, 12);
const MIN = 60_000;

let dir: string;
let srv: RecordingServer;
let secrets: Record<string, string>;
let secretsFile: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "notify-"));
  srv = await recordingServer();
  secrets = {
    hook: `${srv.base}/webhook/HOOKSECRET0001`,
    slack: `${srv.base}/slack/T000/B000/SLACKSECRET0002`,
    discord: `${srv.base}/discord/api/webhooks/1/DISCORDSECRET0003`,
    tg: "123456:TELEGRAMSECRET0004",
    ntfytoken: "tk_NTFYSECRET0005",
  };
  secretsFile = join(dir, "notify-secrets.json");
  writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
});

afterEach(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

function allChannels() {
  return [
    { type: "ntfy", server: srv.base, topic: "oc-alerts", tokenSecret: "ntfytoken", tags: ["robot"] },
    { type: "webhook", urlSecret: "hook" },
    { type: "telegram", tokenSecret: "tg", chatId: -1001234, apiBase: srv.base },
    { type: "slack", urlSecret: "slack" },
    { type: "discord", urlSecret: "discord" },
  ];
}

function deps(log = memoryLogger(), clock = { t: T0 }) {
  return { log, now: () => clock.t, secretsOwnerUid: uid };
}

describe("delivery per channel", () => {
  test("payload shape of ntfy, webhook, telegram, slack, discord; no token anywhere", async () => {
    const at = fakeAccessToken();
    const rt = fakeRefreshToken();
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: allChannels() });
    const log = memoryLogger();
    const out = await reportCondition(config, { id: "login-required", active: true, detail: `refresh rejected; state held ${at} and ${rt}` }, deps(log));
    assert.equal(out.event, "alert");
    assert.deepEqual(out.results.map((r) => [r.channel, r.ok]), [["ntfy#0", true], ["webhook#1", true], ["telegram#2", true], ["slack#3", true], ["discord#4", true]]);
    assert.equal(srv.requests.length, 5);
    const by = (p: string) => srv.requests.find((r) => r.url.startsWith(p))!;

    const ntfy = by("/oc-alerts");
    assert.equal(ntfy.method, "POST");
    assert.equal(ntfy.headers["title"], "Claude login required on gw1");
    assert.equal(ntfy.headers["priority"], "high");
    assert.equal(ntfy.headers["tags"], "warning,robot");
    assert.equal(ntfy.headers["authorization"], "Bearer tk_NTFYSECRET0005");
    assert.match(ntfy.body, /Run `claude` as alice on gw1 and log in again \(\/login\); then `openclaw-oauth-sync refresh --force`/);

    const hook = JSON.parse(by("/webhook/").body);
    assert.deepEqual(Object.keys(hook).sort(), ["active", "condition", "event", "host", "message", "timestamp"]);
    assert.equal(hook.event, "alert");
    assert.equal(hook.condition, "login-required");
    assert.equal(hook.active, true);
    assert.equal(hook.host, "gw1");
    assert.equal(hook.timestamp, new Date(T0).toISOString());
    assert.equal(by("/webhook/").headers["content-type"], "application/json");

    const tg = by("/bot123456:TELEGRAMSECRET0004/sendMessage");
    assert.deepEqual(Object.keys(JSON.parse(tg.body)).sort(), ["chat_id", "text"]);
    assert.equal(JSON.parse(tg.body).chat_id, -1001234);

    assert.deepEqual(Object.keys(JSON.parse(by("/slack/").body)), ["text"]);
    assert.deepEqual(Object.keys(JSON.parse(by("/discord/").body)), ["content"]);

    for (const r of srv.requests) {
      assert.equal(findLeakedToken(requestText(r), [at, rt]), undefined, `Claude token in request ${r.url}`);
      for (const s of Object.values(secrets)) assert.ok(!r.body.includes(s.split("/").pop()!), `channel secret in the body of ${r.url}`);
    }
    const logs = log.lines.join("\n");
    assert.equal(findLeakedToken(logs, [at, rt]), undefined);
    for (const s of ["HOOKSECRET", "SLACKSECRET", "DISCORDSECRET", "TELEGRAMSECRET", "NTFYSECRET"]) assert.ok(!logs.includes(s), `${s} in logs`);
    // The stored state holds the scrubbed detail only.
    const stateText = readFileSync(join(dir, "state", "alerts.json"), "utf8");
    assert.equal(findLeakedToken(stateText, [at, rt]), undefined);
    assert.equal(statSync(join(dir, "state", "alerts.json")).mode & 0o777, 0o600);
  });

  test("command channel: message on stdin, NOTIFY_* in the environment, argv as given", async () => {
    const script = join(dir, "standin-notifier.sh"); // stand-in for an operator's notify script
    const outFile = join(dir, "received");
    writeFileSync(script, `#!/bin/sh\n{ echo "argv=$1"; echo "event=$NOTIFY_EVENT condition=$NOTIFY_CONDITION active=$NOTIFY_ACTIVE host=$NOTIFY_HOST"; cat; } > "$1"\n`, { mode: 0o755 });
    const at = fakeAccessToken();
    const config = makeConfig(join(dir, "state"), { channels: [{ type: "command", name: "script", argv: [script, outFile] }] });
    const out = await reportCondition(config, { id: "sync-failing", active: true, detail: `write failed for ${at}` }, deps());
    assert.deepEqual(out.results.map((r) => [r.channel, r.ok, r.detail]), [["script", true, "exit status 0"]]);
    const got = readFileSync(outFile, "utf8");
    assert.match(got, new RegExp(`^argv=${outFile}\nevent=alert condition=sync-failing active=1 host=gw1\n`));
    assert.match(got, /OpenClaw credential sync failing on gw1/);
    assert.equal(findLeakedToken(got, [at]), undefined);
  });

  test("command channel failure is reported with its exit status", async () => {
    const config = makeConfig(join(dir, "state"), { channels: [{ type: "command", argv: ["/bin/sh", "-c", "echo boom >&2; exit 3"] }] });
    const log = memoryLogger();
    const out = await reportCondition(config, { id: "sync-failing", active: true, detail: "" }, deps(log));
    assert.equal(out.results[0]?.ok, false);
    assert.match(out.results[0]!.detail, /exit status 3: boom/);
    assert.match(log.lines.join("\n"), /notify: delivery failed channel=command#0/);
  });
});

describe("dedupe, re-alert, recovery, rate limit", () => {
  test("two reports of an active condition give one alert; re-alert after the interval; recovery after clear", async () => {
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", urlSecret: "hook" }], reAlertMinutes: 60 });
    const clock = { t: T0 };
    const d = deps(memoryLogger(), clock);
    const events = () => srv.requests.map((r) => JSON.parse(r.body).event);
    await reportCondition(config, { id: "login-required", active: true, detail: "a" }, d);
    clock.t += 5 * MIN;
    await reportCondition(config, { id: "login-required", active: true, detail: "b" }, d);
    assert.deepEqual(events(), ["alert"]);
    clock.t = T0 + 59 * MIN;
    await reportCondition(config, { id: "login-required", active: true, detail: "c" }, d);
    assert.deepEqual(events(), ["alert"]);
    clock.t = T0 + 60 * MIN;
    await reportCondition(config, { id: "login-required", active: true, detail: "d" }, d);
    assert.deepEqual(events(), ["alert", "re-alert"]);
    clock.t += MIN;
    await reportCondition(config, { id: "login-required", active: false, detail: "logged in again" }, d);
    await reportCondition(config, { id: "login-required", active: false, detail: "logged in again" }, d);
    assert.deepEqual(events(), ["alert", "re-alert", "recovery"]);
    const rec = JSON.parse(srv.requests[2]!.body);
    assert.equal(rec.active, false);
    assert.match(rec.message, /^Resolved on gw1/);
    const st = await readAlertState(config);
    assert.equal(st.conditions["login-required"]?.active, false);
    assert.equal(st.lastSent?.event, "recovery");
  });

  test("no recovery for a condition that was never alerted (all deliveries failed)", async () => {
    const port = await closedPort();
    writeFileSync(secretsFile, JSON.stringify({ hook: `http://127.0.0.1:${port}/x` }), { mode: 0o600 });
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", urlSecret: "hook" }] });
    const a = await reportCondition(config, { id: "sync-failing", active: true, detail: "" }, deps());
    assert.equal(a.event, "alert");
    assert.equal(a.results[0]?.ok, false);
    const b = await reportCondition(config, { id: "sync-failing", active: false, detail: "" }, deps());
    assert.equal(b.event, undefined);
  });

  test("rate limit: at most maxPerHour messages per channel; suppressed ones are logged", async () => {
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "slack", urlSecret: "slack" }], maxPerHour: 2 });
    const clock = { t: T0 };
    const log = memoryLogger();
    const d = deps(log, clock);
    await reportCondition(config, { id: "login-required", active: true, detail: "" }, d); // 1
    clock.t += MIN;
    await reportCondition(config, { id: "sync-failing", active: true, detail: "" }, d); // 2
    clock.t += MIN;
    const third = await reportCondition(config, { id: "expiring-unrenewed", active: true, detail: "" }, d);
    assert.equal(srv.requests.length, 2);
    assert.deepEqual(third.suppressed, ["slack#0"]);
    assert.match(log.lines.join("\n"), /rate limit reached.*condition=expiring-unrenewed/);
    // An hour later the suppressed alert goes out on the next report.
    clock.t = T0 + 61 * MIN;
    const later = await reportCondition(config, { id: "expiring-unrenewed", active: true, detail: "" }, d);
    assert.equal(later.event, "alert");
    assert.equal(srv.requests.length, 3);
  });

  test("recordSyncOutcome: sync-failing after N consecutive failures, recovery on success", async () => {
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", urlSecret: "hook" }], syncFailureThreshold: 3 });
    const d = deps();
    await recordSyncOutcome(config, false, "auth-store:main failed", d);
    await recordSyncOutcome(config, false, "auth-store:main failed", d);
    assert.equal(srv.requests.length, 0);
    assert.equal((await readAlertState(config)).syncFailures.consecutive, 2);
    await recordSyncOutcome(config, true, "", d); // a success resets the count
    await recordSyncOutcome(config, false, "x", d);
    await recordSyncOutcome(config, false, "x", d);
    assert.equal(srv.requests.length, 0);
    await recordSyncOutcome(config, false, "EACCES on auth-profiles.json", d);
    assert.equal(srv.requests.length, 1);
    const alert = JSON.parse(srv.requests[0]!.body);
    assert.equal(alert.condition, "sync-failing");
    assert.match(alert.message, /3 consecutive failed syncs; last: EACCES on auth-profiles\.json/);
    await recordSyncOutcome(config, false, "x", d);
    assert.equal(srv.requests.length, 1, "still failing: no second alert");
    await recordSyncOutcome(config, true, "", d);
    assert.equal(srv.requests.length, 2);
    assert.equal(JSON.parse(srv.requests[1]!.body).event, "recovery");
    await recordSyncOutcome(config, true, "", d);
    assert.equal(srv.requests.length, 2);
  });

  test("a corrupt alerts.json is reported and treated as empty", async () => {
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", urlSecret: "hook" }] });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "state"));
    writeFileSync(join(dir, "state", "alerts.json"), "{truncated");
    const log = memoryLogger();
    const out = await reportCondition(config, { id: "login-required", active: true, detail: "" }, deps(log));
    assert.equal(out.event, "alert");
    assert.match(log.lines.join("\n"), /alerts\.json: not valid JSON.*empty alert state/);
    assert.equal((await readAlertState(config)).conditions["login-required"]?.active, true);
  });

  test("concurrent reports from several callers still give one alert (lock)", async () => {
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", urlSecret: "hook" }] });
    await Promise.all(Array.from({ length: 5 }, () => reportCondition(config, { id: "login-required", active: true, detail: "" }, deps())));
    assert.equal(srv.requests.length, 1);
    assert.ok(!existsSync(join(dir, "state", "alerts.json.lock")), "lock released");
  });
});

describe("secrets file", () => {
  test("group/other-readable secrets file is refused: reportCondition logs and sends nothing; notify --test throws exit 78", async () => {
    chmodSync(secretsFile, 0o644);
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", urlSecret: "hook" }] });
    const log = memoryLogger();
    const out = await reportCondition(config, { id: "login-required", active: true, detail: "" }, deps(log));
    assert.equal(out.results.length, 0);
    assert.equal(srv.requests.length, 0);
    assert.match(log.lines.join("\n"), /mode 0644.*chmod 600/);
    assert.ok(!log.lines.join("\n").includes("HOOKSECRET"));
    await assert.rejects(sendTestNotification(config, deps()), (e: unknown) => e instanceof ConfigError && e.exitCode === 78 && /chmod 600/.test(e.message));
    // Once fixed, the pending alert goes out on the next report.
    chmodSync(secretsFile, 0o600);
    const again = await reportCondition(config, { id: "login-required", active: true, detail: "" }, deps(log));
    assert.equal(again.event, "alert");
    assert.equal(srv.requests.length, 1);
  });

  test("secrets file not owned by root is refused", { skip: uid !== 0 ? "needs root to chown the file to another owner" : false }, async () => {
    chownSync(secretsFile, 1000, 1000);
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", urlSecret: "hook" }] });
    await assert.rejects(sendTestNotification(config, { log: memoryLogger(), now: () => T0 }), (e: unknown) => e instanceof ConfigError && /owned by uid 1000, must be owned by root/.test(e.message));
  });

  test("a channel naming a missing secret is a config error naming channel and key", async () => {
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "slack", name: "ops", urlSecret: "nope" }] });
    await assert.rejects(sendTestNotification(config, deps()), /notify\.channels\[0\] \(ops\): secret "nope" is not in/);
  });
});

describe("unreachable and slow endpoints", () => {
  test("closed port: logged failure with the origin only, not fatal, other channels still delivered", async () => {
    const port = await closedPort();
    writeFileSync(secretsFile, JSON.stringify({ ...secrets, dead: `http://127.0.0.1:${port}/hooks/DEADSECRET0006` }), { mode: 0o600 });
    const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", name: "dead", urlSecret: "dead" }, { type: "slack", urlSecret: "slack" }] });
    const log = memoryLogger();
    const t = Date.now();
    const out = await reportCondition(config, { id: "login-required", active: true, detail: "" }, deps(log));
    assert.ok(Date.now() - t < 5000, "bounded");
    assert.deepEqual(out.results.map((r) => [r.channel, r.ok]), [["dead", false], ["slack#1", true]]);
    const logs = log.lines.join("\n");
    assert.match(logs, new RegExp(`delivery failed channel=dead type=webhook to=http://127.0.0.1:${port} .*ECONNREFUSED`));
    assert.ok(!logs.includes("DEADSECRET"));
  });

  test("a server that never answers is cut off after timeoutSeconds", async () => {
    const slow = await recordingServer(() => "hang");
    try {
      writeFileSync(secretsFile, JSON.stringify({ hook: `${slow.base}/x` }), { mode: 0o600 });
      const config = makeConfig(join(dir, "state"), { secretsFile, channels: [{ type: "webhook", urlSecret: "hook" }], timeoutSeconds: 1 });
      const t = Date.now();
      const results = await sendTestNotification(config, deps());
      const took = Date.now() - t;
      assert.equal(results[0]?.ok, false);
      assert.match(results[0]!.detail, /timed out after 1 s/);
      assert.ok(took >= 900 && took < 4000, `took ${took} ms, expected about 1 s`);
    } finally {
      await slow.close();
    }
  });
});

describe("notify --test command", () => {
  function ctx(configPath: string, args: string[]) {
    const out: string[] = [];
    return { out, ctx: { args, configPath, log: memoryLogger(), now: () => T0, out: (t: string) => void out.push(t), stopSignal: new Promise<void>(() => undefined) } };
  }
  function writeConfig(channels: unknown[]): string {
    const p = join(dir, "config.json");
    writeFileSync(p, JSON.stringify({ claudeCredentials: "/home/alice/.claude/.credentials.json", stateDir: join(dir, "state"), openclaw: { stateDir: "/home/alice/.openclaw" }, targets: [{ kind: "env" }], notify: { hostname: "gw1", channels } }));
    return p;
  }

  test("prints one line per channel; exit 0 when all delivered", async () => {
    const { out, ctx: c } = ctx(writeConfig([{ type: "ntfy", server: srv.base, topic: "t1" }, { type: "command", name: "true", argv: ["/bin/true"] }]), ["--test"]);
    assert.equal(await notifyCommand(c), 0);
    assert.match(out.join(""), /^ok +ntfy#0 \(ntfy → http:\/\/127\.0\.0\.1:\d+\): HTTP 200\nok +true \(command → \/bin\/true\): exit status 0\n$/);
    assert.equal(srv.requests[0]?.headers["tags"], "test_tube");
    assert.equal(srv.requests[0]?.headers["priority"], "default");
  });

  test("exit 1 when any channel failed", async () => {
    const { out, ctx: c } = ctx(writeConfig([{ type: "ntfy", server: srv.base, topic: "t1" }, { type: "command", argv: ["/bin/false"] }]), ["--test"]);
    assert.equal(await notifyCommand(c), 1);
    assert.match(out.join(""), /FAILED command#1/);
  });

  test("usage error without --test", async () => {
    const { ctx: c } = ctx(writeConfig([]), []);
    await assert.rejects(notifyCommand(c), (e: unknown) => (e as { exitCode?: number }).exitCode === 64);
  });
});
