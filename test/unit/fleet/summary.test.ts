/** fleet's pure parts: result words, exit code, token time, alerts, the table, args, the pool. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  expandHosts,
  alerts,
  firstError,
  fleetExitCode,
  formatChanges,
  hasChanges,
  pickOutputs,
  renderTable,
  renderTotals,
  resultWord,
  stepText,
  tokenLeft,
  type HostRun,
} from "../../../tools/fleet/summary";
import { defaultParallel, parseFleetArgs } from "../../../tools/fleet/args";
import { logPath, mergeLiveHosts, runBounded } from "../../../tools/fleet/run";
import { liveTargets, parseLiveStatus } from "../../../tools/fleet/live";
import { UsageError } from "../../../tools/cli/args";

const NOW = Date.parse("2026-11-24T08:00:00Z");
const run = (over: Partial<HostRun>): HostRun => ({ stack: "gw1", op: "up", ok: true, durationMs: 1234, ...over });

describe("results and exit code", () => {
  test("refresh and read steps are not changes; anything else is", () => {
    assert.equal(hasChanges({ same: 12, refresh: 12, read: 1 }), false);
    assert.equal(hasChanges({ same: 11, update: 1 }), true);
    assert.equal(hasChanges({ create: 0, same: 3 }), false);
    assert.equal(hasChanges(undefined), false);
  });

  test("preview with changes is drift and fails the run; up with changes does not", () => {
    assert.equal(resultWord(run({ op: "preview", changes: { same: 11, update: 1 } })), "drift");
    assert.equal(resultWord(run({ op: "preview", changes: { same: 12 } })), "no changes");
    assert.equal(fleetExitCode([run({ op: "preview", changes: { same: 12 } }), run({ op: "preview", changes: { update: 1 } })]), 1);
    assert.equal(fleetExitCode([run({ op: "up", changes: { create: 12 } })]), 0);
    assert.equal(fleetExitCode([run({ op: "preview", changes: { same: 12 } })]), 0);
  });

  test("one failed host fails the fleet", () => {
    const runs = [run({ stack: "a" }), run({ stack: "b", ok: false, error: "cannot reach b:22 within 5 s" }), run({ stack: "c" })];
    assert.equal(fleetExitCode(runs), 1);
    assert.equal(resultWord(runs[1]!), "failed");
    assert.equal(fleetExitCode([]), 0);
  });
});

describe("formatting", () => {
  test("changes", () => {
    assert.equal(formatChanges({ update: 2, create: 1, same: 9 }), "1 created, 2 updated");
    assert.equal(formatChanges({ same: 12 }), "12 unchanged");
    assert.equal(formatChanges(undefined), "-");
  });

  test("token time left", () => {
    assert.equal(tokenLeft("2026-11-24T15:12:00Z", NOW), "7h 12m");
    assert.equal(tokenLeft("2026-11-24T08:43:30Z", NOW), "43m");
    assert.equal(tokenLeft("2026-11-24T07:55:00Z", NOW), "expired 5m ago");
    assert.equal(tokenLeft("2026-11-27T08:00:00Z", NOW), "3d 0h");
    assert.equal(tokenLeft(undefined, NOW), "-");
    assert.equal(tokenLeft("garbage", NOW), "-");
  });

  test("alerts: failure, token state, units", () => {
    assert.deepEqual(alerts(run({ outputs: { tokenState: "ok", tokenExpiresAt: "2026-11-24T15:00:00Z", watchActive: "active", timerActive: "active" } }), NOW), []);
    assert.deepEqual(alerts(run({ outputs: { tokenState: "login-required", watchActive: "failed", timerActive: "active" } }), NOW), ["token login-required", "watcher failed"]);
    assert.deepEqual(alerts(run({ outputs: { tokenExpiresAt: "2026-11-24T07:00:00Z" } }), NOW), ["token expired"]);
    assert.deepEqual(alerts(run({ ok: false, error: "boom" }), NOW), ["boom"]);
  });

  test("table: one aligned row per host, failures named", () => {
    const runs = [
      run({ stack: "gw1", outputs: { host: "gw1.example.net", tokenExpiresAt: "2026-11-24T15:12:00Z", loginExpiresAt: "2026-12-20T12:00:00Z", tokenState: "ok" }, changes: { create: 12 } }),
      run({ stack: "gw2", outputs: { host: "gw2.example.net", tokenExpiresAt: "2026-11-24T15:12:00Z", loginExpiresAt: "unknown", tokenState: "ok" }, changes: {} }),
      run({ stack: "gw-unreachable", ok: false, error: "cannot reach 10.201.9.2:22 within 5 s: connection timed out", durationMs: 5100 }),
    ];
    const t = renderTable(runs, NOW);
    const lines = t.split("\n");
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^stack\s+host\s+result\s+changes\s+token left\s+login left\s+time\s+alerts$/);
    assert.match(lines[2]!, /^gw1\s+gw1\.example\.net\s+changed\s+12 created\s+7h 12m\s+26d 4h\s+1\.2s\s+-$/);
    assert.match(lines[3]!, /^gw2\s+gw2\.example\.net\s+no changes\s+none\s+7h 12m\s+-\s+1\.2s\s+-$/, "no login deadline recorded → -");
    assert.match(lines[4]!, /^gw-unreachable\s+-\s+failed\s+-\s+-\s+-\s+5\.1s\s+cannot reach 10\.201\.9\.2:22/);
    // columns line up: "result" starts at the same offset in every row
    const col = lines[0]!.indexOf("result");
    assert.equal(lines[2]!.slice(col, col + 7), "changed");
    assert.equal(lines[4]!.slice(col, col + 6), "failed");
    assert.match(renderTotals(runs, "up", 61_000), /^fleet up: 3 hosts in 61\.0s — 1 changed, 1 no changes, 1 failed$/);
  });

  test("firstError skips the CLI's generic lines", () => {
    assert.equal(firstError(["error: update failed", "error: gw3: could not read the host's facts over SSH: cannot reach gw3:22 within 5 s"], "x"), "gw3: could not read the host's facts over SSH: cannot reach gw3:22 within 5 s");
    assert.equal(firstError([], "stderr: noise\nerror: passphrase must be set\n"), "passphrase must be set");
  });

  test("progress: bookkeeping steps are not printed", () => {
    assert.equal(stepText("same", "x:y:RemoteFile", "urn:pulumi:s::p::x:y:RemoteFile::a", 1), undefined);
    assert.equal(stepText("create", "pulumi:providers:pulumi-nodejs", "urn::default", 1), undefined);
    assert.match(stepText("update", "pulumi-nodejs:dynamic/openclaw-oauth-sync:RemoteFile", "urn:pulumi:s::p::t::gw1-runtime-config", 3) ?? "", /^~ update\s+RemoteFile gw1-runtime-config \(3 steps\)$/);
  });

  test("outputs: picked from the stack outputs", () => {
    const o = pickOutputs({ host: { value: "gw1" }, tokenState: { value: "ok" }, loginExpiresAt: { value: "2026-12-20T12:00:00.000Z" }, units: { value: { watch: { enabled: "enabled", active: "active" }, timer: { active: "inactive" } } } });
    assert.deepEqual(o, { host: "gw1", tokenExpiresAt: undefined, loginExpiresAt: "2026-12-20T12:00:00.000Z", tokenState: "ok", watchActive: "active", timerActive: "inactive" });
    assert.equal(pickOutputs({}), undefined);
  });

  test("live status: only expiry and state word; the SSH settings from the stack config", () => {
    assert.deepEqual(parseLiveStatus(JSON.stringify({ credentials: { expiresAt: NOW, other: "x" }, check: { level: "expiring" } })), { tokenExpiresAt: "2026-11-24T08:00:00.000Z", loginExpiresAt: "unknown", tokenState: "expiring" });
    assert.equal(parseLiveStatus(JSON.stringify({ credentials: { expiresAt: NOW, refreshTokenExpiresAt: NOW + 86_400_000 }, check: { level: "ok" } })).loginExpiresAt, "2026-11-25T08:00:00.000Z");
    const one = liveTargets({ "openclaw-oauth-sync:host": { value: "gw1" }, "openclaw-oauth-sync:sshPort": { value: "2222" }, "openclaw-oauth-sync:sshConnectTimeoutSeconds": { value: "5" } });
    assert.deepEqual(one, [{ name: undefined, ref: { host: "gw1", port: 2222, connectTimeoutSeconds: 5 }, bin: "/usr/local/bin/openclaw-oauth-sync" }]);
  });

  test("live status of a stack of many hosts: every entry over the top-level keys, as the program reads them; a bad config is refused", () => {
    const hosts = JSON.stringify([{ host: "10.0.0.1", name: "gw-a" }, { host: "gw-b.example", sshPort: 2200, installPrefix: "/opt" }]);
    const many = liveTargets({ "openclaw-oauth-sync:hosts": { value: hosts }, "openclaw-oauth-sync:sshUser": { value: "ops" }, "openclaw-oauth-sync:sshPrivateKey": { value: "KEY" } });
    assert.deepEqual(
      many.map((t) => [t.name, t.ref.host, t.ref.port, t.ref.user, t.ref.privateKey, t.bin]),
      [
        ["gw-a", "10.0.0.1", undefined, "ops", "KEY", "/usr/local/bin/openclaw-oauth-sync"],
        ["gw-b.example", "gw-b.example", 2200, "ops", "KEY", "/opt/bin/openclaw-oauth-sync"],
      ],
    );
    assert.throws(() => liveTargets({ "openclaw-oauth-sync:hosts": { value: "[]" } }), /not valid/);
  });

  test("live answers of a stack of many hosts: laid over each host's recorded outputs; one that cannot answer gets a failed row of its own", () => {
    const recorded = { hosts: { value: { a: { host: "a.example", tokenState: "ok", tokenExpiresAt: "old" }, b: { host: "b.example" } } } };
    const diagnostics: string[] = [];
    const { outputs } = mergeLiveHosts(recorded, { a: { outputs: { tokenExpiresAt: "2026-11-24T08:00:00.000Z", tokenState: "expiring" } }, b: { error: "cannot reach b.example:22 within 5 s" } }, diagnostics);
    const rows = expandHosts({ stack: "many", op: "status", ok: true, durationMs: 1 }, { hostNames: [], perHost: new Map(), diagnostics, outputs });
    assert.deepEqual(rows.map((r) => [r.stack, r.ok, r.outputs?.tokenState, r.outputs?.tokenExpiresAt, r.error]), [
      ["many/a", true, "expiring", "2026-11-24T08:00:00.000Z", undefined],
      ["many/b", false, undefined, undefined, "cannot reach b.example:22 within 5 s"],
    ]);
    assert.equal(fleetExitCode(rows), 1);
  });
});

describe("fleet args", () => {
  const ok = (argv: string[]) => (parseFleetArgs(argv) as { options: import("../../../tools/fleet/args").FleetOptions }).options;
  test("operation, stacks, parallel", () => {
    const o = ok(["up", "--stacks", "a,b,,a", "--parallel", "3"]);
    assert.equal(o.op, "up");
    assert.deepEqual(o.stacks, ["a", "b"]);
    assert.equal(o.parallel, 3);
  });
  test("misuse", () => {
    const bad: [string[], RegExp][] = [
      [[], /which operation/],
      [["deploy"], /unknown operation "deploy"/],
      [["destroy"], /--yes/],
      [["up", "--parallel", "0"], /--parallel must be a whole number/],
      [["up", "--live"], /--live only applies to status/],
      [["up", "--stacks", "a b"], /not a stack name/],
    ];
    for (const [argv, re] of bad) assert.throws(() => parseFleetArgs(argv), (e: unknown) => e instanceof UsageError && re.test((e as Error).message), argv.join(" "));
  });
  test("default parallelism is min(4, stacks)", () => {
    assert.equal(defaultParallel(1), 1);
    assert.equal(defaultParallel(3), 3);
    assert.equal(defaultParallel(9), 4);
    assert.equal(defaultParallel(9, 6), 6);
  });
});

describe("runBounded / logPath", () => {
  test("never more than the limit at once; results in input order", async () => {
    let active = 0;
    let peak = 0;
    const out = await runBounded([50, 10, 30, 5, 20, 1], 2, async (ms, i) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, ms));
      active--;
      return i;
    });
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5]);
    assert.equal(peak, 2);
  });
  test("log files per stack, named by time and op, no colons", () => {
    assert.equal(logPath("/p/.fleet-logs", "gw1", "up", new Date("2026-11-24T08:00:00.000Z")), "/p/.fleet-logs/gw1/2026-11-24T08-00-00.000Z-up.log");
  });
});
