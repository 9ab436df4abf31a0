import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { outOfSyncFromStatus, statusScript } from "../../../infra/hoststate/targets-in-sync.provider";

const status = (targets: Array<{ target: string; state: string }>, extra: Record<string, unknown> = {}) => JSON.stringify({ schemaVersion: 1, targets, ...extra });

test("targets in sync or holding a newer token are not drift; every other state is, sorted", () => {
  const out = outOfSyncFromStatus(
    status([
      { target: "env:/home/claw/.openclaw/.env", state: "stale" },
      { target: "auth-store:main", state: "in-sync" },
      { target: "auth-store:work", state: "newer" },
      { target: "oauth-json", state: "missing" },
    ]),
  );
  assert.deepEqual(out, ["env:/home/claw/.openclaw/.env: stale", "oauth-json: missing"]);
  assert.deepEqual(outOfSyncFromStatus(status([{ target: "auth-store:main", state: "in-sync" }])), []);
});

test("a status that could not inspect the targets is drift, named; a status that is not JSON is an error", () => {
  assert.deepEqual(outOfSyncFromStatus(status([], { targetsError: "permission denied" })), ["targets: cannot inspect (permission denied)"]);
  assert.throws(() => outOfSyncFromStatus("Error: boom"), /printed no JSON/);
  assert.throws(() => outOfSyncFromStatus(JSON.stringify({ targets: "x" })), /no targets\[\]/);
});

test("the read script turns a failing status (e.g. the runtime config removed by hand) into drift, not a failed audit", () => {
  const failed = execFileSync("sh", ["-c", statusScript("exit 78")], { encoding: "utf8" });
  assert.deepEqual(outOfSyncFromStatus(failed), ["targets: cannot inspect (openclaw-oauth-sync status failed (exit 78))"]);
  const ok = execFileSync("sh", ["-c", statusScript(`printf '%s' '${status([{ target: "a", state: "stale" }])}'`)], { encoding: "utf8" });
  assert.deepEqual(outOfSyncFromStatus(ok), ["a: stale"]);
});

test("diff: a target the facts report out of sync is drift in every audit, whatever was recorded; none is no change", async () => {
  const base = { host: { host: "h" }, providerVersion: "1", statusCommand: "s", syncCommand: "y", outOfSync: [] as string[] };
  const { targetsProvider } = await import("../../../infra/hoststate/targets-in-sync.provider");
  assert.equal((await targetsProvider.diff("id", base, base)).changes, false);
  assert.equal((await targetsProvider.diff("id", base, { ...base, outOfSync: ["env: missing"] })).changes, true);
  // Recorded out of sync by a create and still so: still drift (a plain old/new comparison would hide it).
  const stale = { ...base, outOfSync: ["env: stale"] };
  assert.equal((await targetsProvider.diff("id", stale, stale)).changes, true);
  assert.equal((await targetsProvider.diff("id", stale, base)).changes, false);
  assert.equal((await targetsProvider.diff("id", base, { ...base, syncCommand: "y2" })).changes, true);
});

test("read costs no round trip: it keeps what was recorded (the live verdict arrives as the input)", async () => {
  const { targetsProvider } = await import("../../../infra/hoststate/targets-in-sync.provider");
  // A loopback port nothing listens on: any SSH attempt would fail.
  const props = { host: { host: "127.0.0.1", port: 1, connectTimeoutSeconds: 1 }, providerVersion: "1", statusCommand: "s", syncCommand: "y", outOfSync: [] as string[] };
  const r = await targetsProvider.read("127.0.0.1:targets", props);
  assert.equal(r.id, "127.0.0.1:targets");
  assert.deepEqual(r.props, props);
  assert.deepEqual(r.inputs, props);
});

test("observedOutOfSync: no report is drift; a report is sorted", async () => {
  const { observedOutOfSync, TARGETS_NOT_REPORTED } = await import("../../../infra/plan/targets");
  assert.deepEqual(observedOutOfSync(undefined), [TARGETS_NOT_REPORTED]);
  assert.deepEqual(observedOutOfSync(["b: stale", "a: missing"]), ["a: missing", "b: stale"]);
  assert.deepEqual(observedOutOfSync([]), []);
});
