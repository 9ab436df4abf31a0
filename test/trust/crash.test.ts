/**
 * SECURITY.md guarantees C1–C3: kill -9 at random points of sync and refresh never leaves a
 * target unparseable, never loses another program's keys, and every target holds the old or the
 * new token; the locks a killed run leaves behind do not block the next run.
 *
 * Knobs: OCS_TRUST_SYNC_KILLS (default 500) kills of the sync loop, OCS_TRUST_SYNC_WORKERS
 * (default 2) hosts killed in parallel, OCS_TRUST_REFRESH_KILLS (default 50) kills of `refresh`.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { loadConfig } from "../../runtime/src/config/load";
import { runSync } from "../../runtime/src/sync/engine";
import { memoryLogger } from "../../runtime/src/log";
import { host, knob, requireBuild, runtime, sleep, spawnRuntime, targetTokens, type Host } from "./helpers";

const SYNC_KILLS = knob("OCS_TRUST_SYNC_KILLS", 500);
const WORKERS = Math.max(1, knob("OCS_TRUST_SYNC_WORKERS", 2));
const REFRESH_KILLS = knob("OCS_TRUST_REFRESH_KILLS", 50);
/** Kills land uniformly in this window after the driver starts syncing (a few sync cycles). */
const KILL_WINDOW_MS = knob("OCS_TRUST_SYNC_KILL_WINDOW_MS", 150);

let driver = "";
const buildDir = mkdtempSync(join(tmpdir(), "oos-crash-driver-"));
before(async () => {
  requireBuild();
  driver = join(buildDir, "sync-loop.cjs");
  await build({ entryPoints: [resolve("test/trust/fixtures/sync-loop.ts")], bundle: true, platform: "node", target: "node18", format: "cjs", outfile: driver, logLevel: "error", mainFields: ["module", "main"] });
});
process.on("exit", () => rmSync(buildDir, { recursive: true, force: true }));

/** Stray files a write can leave: our temp files and OpenClaw-style lock files. */
function strays(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...strays(p));
    else if (e.name.endsWith(".tmp") || e.name.endsWith(".lock")) out.push(p);
  }
  return out;
}

function startDriver(h: Host, warm: Host): Promise<{ child: ChildProcess; cycles: () => number; bad: () => string[] }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [driver, h.dir, h.configPath, warm.dir, warm.configPath], { stdio: ["pipe", "pipe", "inherit"] });
    let buf = "";
    let cycles = 0;
    const bad: string[] = [];
    const t = setTimeout(() => rej(new Error("timed out after 20 s waiting for the crash driver's 'ready'")), 20_000);
    child.stdout!.on("data", (c: Buffer) => {
      buf += c.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === "ready") {
          clearTimeout(t);
          res({ child, cycles: () => cycles, bad: () => bad });
        } else if (line.startsWith("cycle ")) cycles++;
        else if (line.startsWith("bad ")) bad.push(line);
      }
    });
    child.on("error", rej);
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once("exit", () => res());
    child.kill("SIGKILL");
  });
}

/**
 * Every target parses, kept the other program's keys, and holds either what it held before this
 * round (old) or a token written during the round (new) — never an older one, never garbage.
 */
function checkHost(h: Host, heldBefore: Record<string, string | undefined>, logFrom: number, where: string): Record<string, string | undefined> {
  const log = readFileSync(join(h.dir, "tokens.log"), "utf8").split("\n").filter(Boolean);
  const cur = h.currentToken();
  assert.ok(log.includes(cur), `${where}: the credentials file holds a token the driver wrote`);
  const fresh = new Set(log.slice(logFrom));
  let t: ReturnType<typeof targetTokens>;
  try {
    t = targetTokens(h);
  } catch (e) {
    assert.fail(`${where}: a target does not parse or lost foreign keys: ${(e as Error).message}`);
  }
  for (const name of ["authStore", "oauth", "env"] as const) {
    const tok = t[name];
    assert.ok(tok !== undefined && (tok === heldBefore[name] || fresh.has(tok)), `${where}: target ${name} holds neither its old token nor one written in this round`);
  }
  const ss = join(h.ours, "sync-state.json");
  if (existsSync(ss)) JSON.parse(readFileSync(ss, "utf8"));
  return { ...t };
}

function logLength(h: Host): number {
  return readFileSync(join(h.dir, "tokens.log"), "utf8").split("\n").filter(Boolean).length;
}

describe("crash safety: kill -9 at random points", () => {
  test(`sync: ${SYNC_KILLS} kills of a sync loop (${WORKERS} hosts in parallel): targets parse, hold the old or new token, next run heals`, { timeout: 30 * 60_000 }, async () => {
    let totalCycles = 0;
    const per = Math.ceil(SYNC_KILLS / WORKERS);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const h = host(`oos-crash-${w}-`);
        const warm = host(`oos-crash-warm-${w}-`);
        try {
          warm.writeCreds();
          warm.writeConfig();
          h.writeCreds();
          h.writeConfig();
          const first = await runSync(await loadConfig(h.configPath), { log: memoryLogger(), now: () => Date.now() });
          assert.ok(first.results.every((r) => r.outcome === "written"), "the first sync wrote every target");
          // The driver's log starts with the token the targets hold now.
          writeFileSync(join(h.dir, "tokens.log"), h.tokens[0] + "\n");
          let held: Record<string, string | undefined> = { ...targetTokens(h) };
          let next = startDriver(h, warm);
          try {
            for (let k = 0; k < per; k++) {
              const d = await next;
              next = startDriver(h, warm); // pre-start the next one: its start-up overlaps this round
              const from = logLength(h);
              d.child.stdin!.write("go\n");
              await sleep(Math.random() * KILL_WINDOW_MS);
              await killAndWait(d.child);
              totalCycles += d.cycles();
              assert.deepEqual(d.bad(), [], `host ${w} round ${k}: a sync cycle did not write every target`);
              held = checkHost(h, held, from, `host ${w} after kill ${k}`);
            }
          } finally {
            await next.then((d) => killAndWait(d.child), () => undefined);
          }
          // Healing: one more credential change and sync leave every target current and no strays.
          const tok = h.writeCreds();
          const r = await runSync(await loadConfig(h.configPath), { log: memoryLogger(), now: () => Date.now() });
          assert.ok(r.results.every((x) => x.outcome === "written"), `the sync after the kills wrote every target: ${JSON.stringify(r.results.map((x) => [x.outcome, x.detail]))}`);
          assert.deepEqual(targetTokens(h), { authStore: tok, oauth: tok, env: tok });
          assert.deepEqual(strays(h.dir).filter((p) => !p.endsWith(".credentials.json.driver.tmp")), [], "stale temp files or locks left behind after a healing sync");
        } finally {
          h.cleanup();
          warm.cleanup();
        }
      }),
    );
    const secs = (Date.now() - started) / 1000;
    console.log(`# crash/sync: ${SYNC_KILLS} kills, ${totalCycles} sync cycles completed between them (+${SYNC_KILLS} interrupted), ${secs.toFixed(1)} s (${WORKERS} workers)`);
    // Not vacuous: kills landed both inside the first cycle and after completed ones.
    assert.ok(totalCycles > 0, `the driver completed sync cycles between kills (${totalCycles})`);
  });

  test(`refresh: ${REFRESH_KILLS} kills of 'refresh --force' with a renewing claude stand-in: credentials and targets whole, lock never stuck`, { timeout: 30 * 60_000 }, async () => {
    const h = host("oos-crash-refresh-");
    try {
      const record = join(h.dir, "claude-record.jsonl");
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      // Renewed tokens stay inside Claude Code's 5-minute window, so every run renews (the real CLI renews only then).
      h.writeConfig({ refresh: { command: [process.execPath, resolve("test/stand-ins/claude-standin.mjs"), "-p", "ok"], claudeConfigDir: h.claudeDir, env: { STANDIN_RECORD: record, STANDIN_LIFETIME_MS: "240000" } } });
      const first = await runtime(["--config", h.configPath, "refresh", "--force"], { timeoutMs: 60_000 });
      assert.equal(first.code, 0, first.stderr);
      // How long an uninterrupted run takes: kills land uniformly inside it.
      const t0 = Date.now();
      const timed = await runtime(["--config", h.configPath, "refresh", "--force"], { timeoutMs: 60_000 });
      const span = Math.max(200, Date.now() - t0);
      assert.equal(timed.code, 0, timed.stderr);
      let killed = 0;
      for (let k = 0; k < REFRESH_KILLS; k++) {
        const oldTok = h.currentToken();
        const held = targetTokens(h);
        const child = spawnRuntime(["--config", h.configPath, "refresh", "--force"]);
        let err = "";
        child.stderr!.on("data", (c) => (err += c));
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        await Promise.race([sleep(Math.random() * span), exited]);
        if (child.exitCode === null && child.signalCode === null) killed++;
        await killAndWait(child);
        // The claude stand-in runs in its own process group and may outlive the runtime, like a
        // real CLI would: wait for every recorded run to end before looking at the files.
        const pids = existsSync(record) ? readFileSync(record, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).pid as number) : [];
        for (const pid of pids) {
          for (let i = 0; i < 200; i++) {
            try {
              process.kill(pid, 0);
            } catch {
              break;
            }
            await sleep(25);
          }
        }
        const newTok = h.currentToken(); // the credentials parse (Claude-style atomic writes)
        let now: ReturnType<typeof targetTokens>;
        try {
          now = targetTokens(h);
        } catch (e) {
          assert.fail(`refresh kill ${k}: a target does not parse: ${(e as Error).message}`);
        }
        for (const [name, tok] of Object.entries(now)) {
          assert.ok(tok === oldTok || tok === newTok || tok === (held as Record<string, string>)[name], `refresh kill ${k}: target ${name} holds neither the old nor the new token`);
        }
        const rs = join(h.ours, "refresh-state.json");
        if (existsSync(rs)) JSON.parse(readFileSync(rs, "utf8"));
        assert.equal(err.includes("sk-ant-"), false, "refresh stderr held a token-shaped string");
      }
      // The lock a killed run left is stale (dead pid): the next run takes it at once and heals.
      const t1 = Date.now();
      const last = await runtime(["--config", h.configPath, "refresh", "--force"], { timeoutMs: 60_000 });
      assert.equal(last.code, 0, `the refresh after ${REFRESH_KILLS} kills succeeded: ${last.stderr}`);
      assert.ok(Date.now() - t1 < 15_000, "the refresh after the kills was not blocked by a leftover lock");
      const tok = h.currentToken();
      assert.deepEqual(targetTokens(h), { authStore: tok, oauth: tok, env: tok });
      console.log(`# crash/refresh: ${REFRESH_KILLS} runs, ${killed} killed mid-run (uniform in 0–${span} ms)`);
      assert.ok(killed >= REFRESH_KILLS / 2, `at least half of the runs were killed mid-run (${killed})`);
    } finally {
      h.cleanup();
    }
  });
});
