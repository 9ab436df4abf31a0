/**
 * Our own `<stateDir>/sync.lock` (sync/lock.ts): one sync at a time on a host across processes.
 * A live holder is waited for and the sync proceeds when it ends; a dead holder's lock is taken
 * over; a state dir that cannot hold a lock does not stop the sync.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { agentFile, makeConfig, sandbox, sync } from "./sync-harness";

const lockBody = (pid: number) => JSON.stringify({ pid, createdAt: Date.now(), host: "test" });
const storeTarget = { targets: [{ kind: "auth-store", agents: ["main"] }] };

describe("sync lock", () => {
  test("held by a live process: the sync waits, writes nothing meanwhile, and proceeds once it is released", async () => {
    const sb = sandbox("json");
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      mkdirSync(sb.ours, { recursive: true });
      const lock = join(sb.ours, "sync.lock");
      writeFileSync(lock, lockBody(holder.pid!));
      const store = agentFile(sb, "main", "auth-profiles.json");
      const before = readFileSync(store, "utf8");
      let done = false;
      const run = sync(makeConfig(sb, storeTarget)).then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(done, false, "the sync waited for the holder");
      assert.equal(readFileSync(store, "utf8"), before, "nothing written while another sync holds the lock");
      rmSync(lock);
      const { report, lines } = await run;
      assert.equal(report.results[0]!.outcome, "written");
      assert.ok(readFileSync(store, "utf8").includes(sb.accessToken));
      assert.ok(lines.some((l) => l.includes(`waiting for a concurrent sync`) && l.includes(`pid=${holder.pid}`)), lines.join("\n"));
      assert.equal(existsSync(lock), false, "our lock is released");
    } finally {
      holder.kill("SIGKILL");
      sb.cleanup();
    }
  });

  test("left by a dead process: taken over at once, written, released", async () => {
    const sb = sandbox("json");
    try {
      mkdirSync(sb.ours, { recursive: true });
      const lock = join(sb.ours, "sync.lock");
      writeFileSync(lock, lockBody(spawnSync("true").pid!)); // a child we started and reaped
      const { report, lines } = await sync(makeConfig(sb, storeTarget));
      assert.equal(report.results[0]!.outcome, "written");
      assert.ok(lines.some((l) => l.includes("removing stale sync lock")), lines.join("\n"));
      assert.equal(existsSync(lock), false);
    } finally {
      sb.cleanup();
    }
  });

  test("a state dir that cannot hold the lock: the sync still runs and reports the state dir's problem", async () => {
    const sb = sandbox("json");
    try {
      const notADir = join(sb.root, "a-file");
      writeFileSync(notADir, "");
      const { report, lines } = await sync(makeConfig(sb, { ...storeTarget, stateDir: join(notADir, "state") }));
      assert.ok(lines.some((l) => /cannot take .*sync\.lock \(ENOTDIR\); syncing without it/.test(l)), lines.join("\n"));
      assert.match(report.error ?? "", /cannot inspect .*ENOTDIR/);
    } finally {
      sb.cleanup();
    }
  });
});
