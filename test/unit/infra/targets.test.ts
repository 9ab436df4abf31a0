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
