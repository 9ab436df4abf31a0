/**
 * The bundled runtime's `notify --unit-failed` / `--unit-ok` (what the systemd units run) against a
 * recording ntfy server on 127.0.0.1: one alert, no second alert while active, one recovery,
 * exit 0 when delivery fails, 64 on a bad unit name, no second message when the refresh unit
 * already alerted the dead login that made it fail.
 *
 * The bundle is built by scripts/build-runtime.mjs (what `npm run build` runs) in this test's tmp
 * dir, as in sync-bundle.test.ts, so dist/ of other suites is left alone. The child runs
 * asynchronously: spawnSync would block the in-process server it is talking to.
 */
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort, recordingServer, type RecordingServer } from "../unit/notify/helpers";

const UNIT = "x.service";
const COND = `unit-failed:${UNIT}`;

let buildDir = "";
let bundle = "";

before(() => {
  const repo = join(__dirname, "../..");
  buildDir = mkdtempSync(join(tmpdir(), "oos-notify-bundle-"));
  symlinkSync(join(repo, "runtime"), join(buildDir, "runtime"));
  const r = spawnSync(process.execPath, [join(repo, "scripts/build-runtime.mjs")], { cwd: buildDir, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `building the bundle: ${r.stderr}`);
  bundle = join(buildDir, "dist/runtime/openclaw-oauth-sync.cjs");
});
after(() => rmSync(buildDir, { recursive: true, force: true }));

let dir = "";
let srv: RecordingServer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "notify-unit-"));
  srv = await recordingServer();
});
afterEach(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A runtime config whose only channel is ntfy at `server` (no secrets file: runs as any uid). */
function writeConfig(server: string): string {
  const p = join(dir, "config.json");
  writeFileSync(
    p,
    JSON.stringify({
      claudeCredentials: "/home/alice/.claude/.credentials.json",
      stateDir: join(dir, "state"),
      openclaw: { stateDir: "/home/alice/.openclaw" },
      targets: [{ kind: "env" }],
      notify: { hostname: "gw1", timeoutSeconds: 2, channels: [{ type: "ntfy", server, topic: "oc-alerts" }] },
    }),
  );
  return p;
}

function run(config: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCommand(config, ["notify", ...args]);
}

/** Runs `<bundle> --config <config> <argv…>` with `env` added to ours. */
function runCommand(config: string, argv: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = argv.slice(1);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, "--config", config, ...argv], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${argv[0]} ${args.join(" ")} did not exit within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** ntfy tags tell the events apart: warning = alert/re-alert, white_check_mark = recovery. */
function events(): string[] {
  return srv.requests.map((r) => String(r.headers["tags"]));
}

describe("bundled runtime: notify --unit-failed / --unit-ok", () => {
  test("one alert, none while still active, one recovery, nothing after", async () => {
    const cfg = writeConfig(srv.base);
    const a = await run(cfg, ["--unit-failed", UNIT]);
    assert.equal(a.code, 0, a.stderr);
    // Info log lines go to stdout too; the summary is the last line.
    assert.match(a.stdout, new RegExp(`^${COND}: active; alert delivered to ntfy#0\n$`, "m"));
    assert.deepEqual(events(), ["warning"]);
    const alert = srv.requests[0]!;
    assert.equal(alert.url, "/oc-alerts");
    assert.equal(alert.headers["title"], `Unit ${UNIT} failed on gw1`);
    assert.match(alert.body, new RegExp(`journalctl -u ${UNIT} -n 50`));
    assert.match(alert.body, /openclaw-oauth-sync doctor/);

    const again = await run(cfg, ["--unit-failed", UNIT]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^${COND}: active; nothing to send\n$`, "m"));
    assert.deepEqual(events(), ["warning"], "a second failure while active sends no second alert");

    const ok = await run(cfg, ["--unit-ok", UNIT]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(events(), ["warning", "white_check_mark"]);
    assert.equal(srv.requests[1]!.headers["title"], `Resolved on gw1: Unit ${UNIT} failed`);

    const ok2 = await run(cfg, ["--unit-ok", UNIT]);
    assert.equal(ok2.code, 0, ok2.stderr);
    assert.deepEqual(events(), ["warning", "white_check_mark"], "a second clear sends nothing");

    const state = JSON.parse(readFileSync(join(dir, "state", "alerts.json"), "utf8"));
    assert.equal(state.conditions[COND].active, false);
    assert.equal(state.lastSent.event, "recovery");
  });

  test("--unit-ok for a unit that never failed sends nothing and writes no state", async () => {
    const cfg = writeConfig(srv.base);
    const r = await run(cfg, ["--unit-ok", UNIT]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(srv.requests.length, 0);
    assert.equal(existsSync(join(dir, "state", "alerts.json")), false);
  });

  test("delivery failure: exit 0, logged; the alert stays pending and goes out on the next report", async () => {
    const port = await closedPort();
    const dead = writeConfig(`http://127.0.0.1:${port}`);
    const r = await run(dead, ["--unit-failed", UNIT]);
    assert.equal(r.code, 0, "a failed delivery must not fail the alert unit");
    assert.match(r.stderr, /notify: delivery failed channel=ntfy#0/);
    assert.match(r.stdout, /alert not delivered/);
    const live = writeConfig(srv.base);
    const retry = await run(live, ["--unit-failed", UNIT]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.deepEqual(events(), ["warning"]);
  });

  test("bad unit name: exit 64, nothing sent, even with no config file", async () => {
    const cfg = writeConfig(srv.base);
    for (const bad of ["x.socket", "$(id).service"]) {
      for (const flag of ["--unit-failed", "--unit-ok"]) {
        const r = await run(cfg, [flag, bad]);
        assert.equal(r.code, 64, `${flag} ${JSON.stringify(bad)}: ${r.stderr}`);
        assert.match(r.stderr, /is not a systemd unit name/);
      }
    }
    const missing = await run(join(dir, "no-such-config.json"), ["--unit-failed", "x y"]);
    assert.equal(missing.code, 64, missing.stderr);
    const noArg = await run(cfg, ["--unit-failed"]);
    assert.equal(noArg.code, 64, noArg.stderr);
    assert.equal(srv.requests.length, 0);
  });
  test("a dead login: the refresh unit alerts login-required, its failure then sends no second message", async () => {
    const cfg = writeConfig(srv.base); // claudeCredentials does not exist: no login on this host
    const REFRESH = "openclaw-oauth-sync-refresh.service";
    const r = await runCommand(cfg, ["refresh"], { OPENCLAW_OAUTH_SYNC_UNIT: REFRESH });
    assert.equal(r.code, 1, `login-required exits 1 (so systemd marks the unit failed): ${r.stderr}`);
    assert.match(r.stderr, /login-required: .*no Claude login on this host/);
    assert.deepEqual(srv.requests.map((q) => q.headers["title"]), ["Claude login required on gw1"]);

    // What OnFailure= runs next, as the alert unit does.
    const f = await run(cfg, ["--unit-failed", REFRESH]);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, new RegExp(`^unit-failed:${REFRESH}: not raised; ${REFRESH} alerted login-required itself before it failed\n$`, "m"));
    assert.equal(srv.requests.length, 1, "one event, one message");
    const state = JSON.parse(readFileSync(join(dir, "state", "alerts.json"), "utf8"));
    assert.equal(state.conditions[`unit-failed:${REFRESH}`], undefined, "no condition left to recover from");

    // Any other unit failing at the same time is news.
    const w = await run(cfg, ["--unit-failed", "openclaw-oauth-sync-watch.service"]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(srv.requests.length, 2);
    assert.equal(srv.requests[1]!.headers["title"], "Unit openclaw-oauth-sync-watch.service failed on gw1");
  });

  test("refresh run by hand (no OPENCLAW_OAUTH_SYNC_UNIT): a later unit failure is still alerted", async () => {
    const cfg = writeConfig(srv.base);
    const r = await runCommand(cfg, ["refresh"], { OPENCLAW_OAUTH_SYNC_UNIT: "" });
    assert.equal(r.code, 1, r.stderr);
    const f = await run(cfg, ["--unit-failed", "openclaw-oauth-sync-refresh.service"]);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /: active; alert delivered to ntfy#0/);
    assert.equal(srv.requests.length, 2);
  });
});
