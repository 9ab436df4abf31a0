/**
 * SECURITY.md guarantees C5–C6: OpenClaw's store lock and our refresh lock hold under contention.
 * A stand-in "OpenClaw writer" rewrites auth-profiles.json under OpenClaw's lock in a tight loop
 * while we sync new tokens into the same file: neither side loses an update, no read sees a torn
 * file. Concurrent `refresh` runs spend the refresh token exactly once.
 *
 * Knob: OCS_TRUST_WRITER_ITERATIONS (default 300) read-modify-write cycles of the writer.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../../runtime/src/config/load";
import { memoryLogger } from "../../runtime/src/log";
import { runSync } from "../../runtime/src/sync/engine";
import { CLAUDE_STANDIN, host, knob, requireBuild, runtime } from "./helpers";

const ITER = knob("OCS_TRUST_WRITER_ITERATIONS", 300);

describe("contention", () => {
  before(requireBuild);

  test(`OpenClaw's lock: a writer doing ${ITER} read-modify-writes and our syncs on one auth store lose nothing and never tear it`, { timeout: 10 * 60_000 }, async () => {
    const h = host("oos-contention-");
    try {
      const store = join(h.agentDir, "auth-profiles.json");
      // JSON era: lastGood/usageStats live in the same file, so both sides rewrite it.
      rmSync(join(h.agentDir, "auth-state.json"));
      writeFileSync(store, JSON.stringify({ version: 1, profiles: { "openai:default": { type: "api_key", provider: "openai", key: "sk-openai-keep-me" } }, order: {}, usageStats: {} }, null, 2) + "\n");
      h.writeCreds();
      h.writeConfig({ targets: [{ kind: "auth-store" }], lockTimeoutMs: 20_000 });
      const config = await loadConfig(h.configPath);
      const writer = spawn(process.execPath, [resolve("test/trust/fixtures/openclaw-writer.mjs"), store], { env: { ...process.env, WRITER_ITERATIONS: String(ITER) }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      writer.stdout!.on("data", (c) => (out += c));
      writer.stderr!.on("data", (c) => (err += c));
      let done = false;
      const exited = new Promise<number | null>((r) => writer.on("close", (code) => ((done = true), r(code))));
      const deadline = Date.now() + 5 * 60_000;
      let syncs = 0;
      let last = "";
      while (!done) {
        assert.ok(Date.now() < deadline, "timed out after 5 min waiting for the OpenClaw writer stand-in to finish");
        last = h.writeCreds();
        const r = await runSync(config, { log: memoryLogger(), now: () => Date.now() });
        assert.deepEqual(r.results.map((x) => [x.outcome, x.detail.slice(0, 300)]).filter(([o]) => o !== "written"), [], "a sync under contention did not write");
        syncs++;
      }
      assert.equal(await exited, 0, `the writer failed: ${err}`);
      const rep = JSON.parse(out) as { done: number; torn: number; waits: number };
      const doc = JSON.parse(readFileSync(store, "utf8"));
      assert.equal(rep.torn, 0, "the writer read a torn auth-profiles.json");
      assert.equal(doc.profiles["openclaw:writer"].n, ITER, `the writer's counter lost updates: ${doc.profiles["openclaw:writer"].n} of ${ITER}`);
      assert.ok(doc.usageStats["openclaw:writer"], "the writer's usageStats survived");
      assert.equal(doc.profiles["anthropic:default"].token, last, "our last token was lost");
      assert.equal(doc.profiles["openai:default"].key, "sk-openai-keep-me");
      assert.equal(existsSync(`${store}.lock`), false, "a lock was left behind");
      assert.ok(syncs >= 5 && rep.waits > 0, `there was contention (${syncs} syncs, the writer waited ${rep.waits} times)`);
      console.log(`# contention: ${ITER} writer cycles, ${syncs} syncs, writer waited ${rep.waits}×`);
    } finally {
      h.cleanup();
    }
  });

  test("our refresh lock: 4 concurrent refresh runs → exactly one Claude CLI run, the others adopt its result", { timeout: 5 * 60_000 }, async () => {
    const h = host("oos-contention-refresh-");
    try {
      const record = join(h.dir, "claude-runs.jsonl");
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      h.writeConfig({ refresh: { command: [process.execPath, CLAUDE_STANDIN, "-p", "ok"], claudeConfigDir: h.claudeDir, env: { STANDIN_RECORD: record, STANDIN_DELAY_MS: "1500" } } });
      const runs = await Promise.all([0, 1, 2, 3].map(() => runtime(["--config", h.configPath, "refresh"], { timeoutMs: 120_000 })));
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const cli = readFileSync(record, "utf8").split("\n").filter(Boolean);
      assert.equal(cli.length, 1, `the Claude CLI ran ${cli.length} times`);
      assert.equal(runs.filter((r) => /renewed by a concurrent refresh/.test(r.stdout)).length + runs.filter((r) => /^renewed:/m.test(r.stdout)).length, 4);
    } finally {
      h.cleanup();
    }
  });
});
