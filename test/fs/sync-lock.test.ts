/**
 * OpenClaw's auth-profiles.json.lock (facts/openclaw.md §3.4): held by a live process → bounded
 * wait, then a clear failure; stale (dead pid, old createdAt, garbage) → taken over; always released.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { agentFile, makeConfig, sandbox, sync } from "./sync-harness";
import { withOpenClawLock } from "../../runtime/src/openclaw/lock";

const lockBody = (pid: number, createdAt: number) => JSON.stringify({ pid, createdAt: new Date(createdAt).toISOString() });

/** A pid that certainly belongs to no running process: a child we started and reaped. */
function deadPid(): number {
  const r = spawnSync("true");
  return r.pid!;
}

describe("OpenClaw lock", () => {
  test("held by a live process: bounded wait, then failed naming the lock file and the pid; store untouched", async () => {
    const sb = sandbox("json");
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const lock = agentFile(sb, "main", "auth-profiles.json.lock");
      const body = lockBody(holder.pid!, Date.now());
      writeFileSync(lock, body);
      const before = readFileSync(agentFile(sb, "main", "auth-profiles.json"), "utf8");
      const started = Date.now();
      const { report } = await sync(makeConfig(sb, { lockTimeoutMs: 400, targets: [{ kind: "auth-store", agents: ["main"] }] }));
      const took = Date.now() - started;
      const r = report.results[0]!;
      assert.equal(r.outcome, "failed");
      assert.ok(r.detail.includes(lock), r.detail);
      assert.match(r.detail, new RegExp(`held by pid ${holder.pid} for more than \\d+ ms`));
      assert.ok(took >= 350 && took < 3000, `waited ${took} ms for a 400 ms lock timeout`);
      assert.equal(readFileSync(agentFile(sb, "main", "auth-profiles.json"), "utf8"), before);
      assert.equal(readFileSync(lock, "utf8"), body, "someone else's lock is left alone");
    } finally {
      holder.kill("SIGKILL");
      sb.cleanup();
    }
  });

  test("released by its holder during our wait: we proceed", async () => {
    const sb = sandbox("json");
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const lock = agentFile(sb, "main", "auth-profiles.json.lock");
      writeFileSync(lock, lockBody(holder.pid!, Date.now()));
      setTimeout(() => require("node:fs").rmSync(lock), 150);
      const { report } = await sync(makeConfig(sb, { lockTimeoutMs: 5000, targets: [{ kind: "auth-store", agents: ["main"] }] }));
      assert.equal(report.results[0]!.outcome, "written");
      assert.equal(existsSync(lock), false);
    } finally {
      holder.kill("SIGKILL");
      sb.cleanup();
    }
  });

  const stale: Array<[string, (lock: string) => void]> = [
    ["dead pid", (lock) => writeFileSync(lock, lockBody(deadPid(), Date.now()))],
    ["live pid but createdAt older than 30 s", (lock) => writeFileSync(lock, lockBody(process.ppid, Date.now() - 31_000))],
    [
      "garbage content, old mtime",
      (lock) => {
        writeFileSync(lock, "{");
        const old = (Date.now() - 60_000) / 1000;
        utimesSync(lock, old, old);
      },
    ],
  ];
  for (const [name, make] of stale) {
    test(`stale lock (${name}): taken over, written, released`, async () => {
      const sb = sandbox("json");
      try {
        const lock = agentFile(sb, "main", "auth-profiles.json.lock");
        make(lock);
        const started = Date.now();
        const { report } = await sync(makeConfig(sb, { lockTimeoutMs: 2000, targets: [{ kind: "auth-store", agents: ["main"] }] }));
        assert.equal(report.results[0]!.outcome, "written", report.results[0]!.detail);
        assert.ok(Date.now() - started < 1500, "no waiting for a stale lock");
        assert.equal(existsSync(lock), false);
      } finally {
        sb.cleanup();
      }
    });
  }

  test("docker mode does not trust pids (container namespace): a dead-looking pid with a fresh lock is waited for", async () => {
    const sb = sandbox("json");
    try {
      const lock = agentFile(sb, "main", "auth-profiles.json.lock");
      writeFileSync(lock, lockBody(deadPid(), Date.now()));
      const { report } = await sync(
        makeConfig(sb, { lockTimeoutMs: 200, openclaw: { mode: "docker", docker: { container: "x" } }, targets: [{ kind: "auth-store", agents: ["main"], era: "json" }] }),
      );
      assert.equal(report.results[0]!.outcome, "failed");
      assert.match(report.results[0]!.detail, /held by pid/);
    } finally {
      sb.cleanup();
    }
  });

  test("mutual exclusion: two holders in one process never overlap, and the lock is released even when fn throws", async () => {
    const sb = sandbox("json");
    try {
      const lock = join(sb.oc, "x.lock");
      let inside = 0;
      let maxInside = 0;
      const section = async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 30));
        inside--;
      };
      await Promise.all([0, 1, 2].map(() => withOpenClawLock(lock, { timeoutMs: 5000 }, section)));
      assert.equal(maxInside, 1);
      await assert.rejects(withOpenClawLock(lock, { timeoutMs: 100 }, async () => Promise.reject(new Error("boom"))), /boom/);
      assert.equal(existsSync(lock), false, "released after a throw");
    } finally {
      sb.cleanup();
    }
  });
});
