/** State files in config.stateDir: typed, 0600, atomic, corrupt → reported and empty. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, statSync, readdirSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRefreshState, writeRefreshState, emptyRefreshState } from "../../runtime/src/state/refresh-state";
import { memoryLogger } from "../../runtime/src/log";

function dir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), "oos-state-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return join(d, "state");
}

test("round trip; the state dir is created 0700 and the file is 0600 with no temp file left", async (t) => {
  const d = dir(t);
  const s = emptyRefreshState();
  s.lastSuccessAt = 123;
  s.counters.refreshFailures.transient = 2;
  await writeRefreshState(d, s);
  assert.equal(statSync(d).mode & 0o777, 0o700);
  assert.equal(statSync(join(d, "refresh-state.json")).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(d), ["refresh-state.json"]);
  const r = await readRefreshState(d);
  assert.equal(r.problem, undefined);
  assert.deepEqual(r.value, s);
});

test("missing file → empty state, no problem", async (t) => {
  const r = await readRefreshState(dir(t));
  assert.deepEqual(r, { value: emptyRefreshState() });
});

for (const [name, text, re] of [
  ["not JSON", "{ half", /not valid JSON/],
  ["wrong shape", JSON.stringify({ version: 1, lastSuccessAt: "yesterday" }), /unexpected content \(lastSuccessAt/],
  ["future version", JSON.stringify({ version: 2 }), /unexpected content \(version/],
] as const) {
  test(`corrupt (${name}) → reported with the path, treated as empty`, async (t) => {
    const d = dir(t);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "refresh-state.json"), text);
    const log = memoryLogger();
    const r = await readRefreshState(d, log);
    assert.deepEqual(r.value, emptyRefreshState());
    assert.match(r.problem ?? "", re);
    assert.ok(log.lines.some((l) => l.includes(join(d, "refresh-state.json")) && l.includes("treating it as empty")), log.lines.join("\n"));
  });
}

test("unreadable state file (a directory) → reported, empty, no crash", async (t) => {
  const d = dir(t);
  mkdirSync(join(d, "refresh-state.json"), { recursive: true });
  chmodSync(d, 0o700);
  const r = await readRefreshState(d, memoryLogger());
  assert.deepEqual(r.value, emptyRefreshState());
  assert.match(r.problem ?? "", /cannot read \(EISDIR\)/);
});
