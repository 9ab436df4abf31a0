/** The host-wide refresh lock, in process, on the real filesystem. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireRefreshLock } from "../../runtime/src/state/lock";
import { memoryLogger } from "../../runtime/src/log";

function dir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), "oos-lock-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
const opts = (o: Partial<Parameters<typeof acquireRefreshLock>[1]> = {}) => ({ timeoutMs: 2000, pollMs: 20, now: Date.now, log: memoryLogger(), ...o });

test("O_EXCL file with pid and createdAt, 0600; released by its owner", async (t) => {
  const d = dir(t);
  const h = await acquireRefreshLock(d, opts());
  const content = JSON.parse(readFileSync(h.path, "utf8"));
  assert.equal(content.pid, process.pid);
  assert.equal(typeof content.createdAt, "number");
  assert.equal(h.waitedFor, undefined);
  await h.release();
  assert.equal(existsSync(h.path), false);
});

test("a second acquirer waits for a live holder, then gets the lock and knows whom it waited for", async (t) => {
  const d = dir(t);
  const p = join(d, "refresh.lock");
  // Another live process (pid 1 is always alive) holds the lock for 150 ms.
  writeFileSync(p, JSON.stringify({ pid: 1, createdAt: Date.now() }));
  setTimeout(() => rmSync(p, { force: true }), 150);
  const t0 = Date.now();
  const second = await acquireRefreshLock(d, opts());
  assert.ok(Date.now() - t0 >= 100, "waited for the first holder");
  assert.equal(second.waitedFor?.pid, 1);
  await second.release();
});

test("a live holder that does not let go → exit 75 with the holder's pid and the file", async (t) => {
  const d = dir(t);
  writeFileSync(join(d, "refresh.lock"), JSON.stringify({ pid: 1, createdAt: Date.now() }));
  await assert.rejects(acquireRefreshLock(d, opts({ timeoutMs: 150, isAlive: () => true })), (e: Error & { exitCode?: number }) => {
    assert.equal(e.exitCode, 75);
    assert.match(e.message, /refresh\.lock: another refresh \(pid 1\) still holds the lock/);
    return true;
  });
});

test("stale: dead pid, or unparseable and old", async (t) => {
  const d = dir(t);
  const p = join(d, "refresh.lock");
  writeFileSync(p, JSON.stringify({ pid: 424242, createdAt: 0 }));
  const log = memoryLogger();
  const h = await acquireRefreshLock(d, opts({ isAlive: () => false, log }));
  assert.ok(log.lines.some((l) => l.includes("removing stale refresh lock")));
  await h.release();
  writeFileSync(p, "");
  const old = (Date.now() - 60_000) / 1000;
  utimesSync(p, old, old);
  const h2 = await acquireRefreshLock(d, opts());
  await h2.release();
});

test("release never removes a lock that another process has taken since", async (t) => {
  const d = dir(t);
  const h = await acquireRefreshLock(d, opts());
  writeFileSync(h.path, JSON.stringify({ pid: 99999, createdAt: Date.now() }));
  await h.release();
  assert.equal(existsSync(h.path), true);
});
