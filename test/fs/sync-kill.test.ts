/**
 * Issue 18 point 6, measured: `kill -9` of the bundled `sync` at random moments, then the next
 * `sync` (what a restarted watcher runs first). The sync lock a killed run leaves is never empty
 * or half written, the next run takes it over at once, and the targets (auth store, oauth.json,
 * .env) converge on the newest token in that one run. Figures go to the test's diagnostics.
 * Bounded: OCS_KILLS runs (default 30). The bundle is built into this test's tmp dir.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeCredentialsFile } from "../helpers/tokens";
import { FIXTURES } from "./sync-harness";

const KILLS = Math.min(200, Number(process.env.OCS_KILLS ?? 30));
const repo = join(__dirname, "../..");
let buildDir = "";
let bundle = "";

before(() => {
  buildDir = mkdtempSync(join(tmpdir(), "oos-kill-bundle-"));
  symlinkSync(join(repo, "runtime"), join(buildDir, "runtime"));
  const r = spawnSync(process.execPath, [join(repo, "scripts/build-runtime.mjs")], { cwd: buildDir, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `building the bundle: ${r.stderr}`);
  bundle = join(buildDir, "dist/runtime/openclaw-oauth-sync.cjs");
  chmodSync(buildDir, 0o755);
});
after(() => buildDir && rmSync(buildDir, { recursive: true, force: true }));

function runSync(cfg: string, killAfterMs?: number): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, "--config", cfg, "sync"], { stdio: "ignore" });
    const hard = setTimeout(() => child.kill("SIGKILL"), killAfterMs ?? 30_000);
    child.on("close", (code) => {
      clearTimeout(hard);
      resolve({ code, ms: Date.now() - t0 });
    });
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))]!;

test(`kill -9 of sync at random moments (${KILLS}×): the lock is never left empty, the next sync converges every target at once`, { timeout: 600_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), "oos-kill-"));
  try {
    const oc = join(root, "openclaw");
    spawnSync("cp", ["-r", join(FIXTURES, "json"), oc]);
    const ours = join(root, "state");
    const creds = join(root, "credentials.json");
    const cfg = join(root, "config.json");
    writeFileSync(cfg, JSON.stringify({ claudeCredentials: creds, stateDir: ours, openclaw: { stateDir: oc }, reload: { action: "none" }, targets: [{ kind: "auth-store" }, { kind: "oauth-json" }, { kind: "env" }] }), { mode: 0o600 });
    const holds = (tok: string) => [join(oc, "agents/main/agent/auth-profiles.json"), join(oc, "credentials/oauth.json"), join(oc, ".env")].map((p) => existsSync(p) && readFileSync(p, "utf8").includes(tok));

    // How long one whole sync takes here, so the kills land across all of it.
    writeFileSync(creds, JSON.stringify(fakeCredentialsFile({ expiresAt: Date.now() + 3600_000 })), { mode: 0o600 });
    const full = await runSync(cfg);
    assert.equal(full.code, 0);
    let expires = Date.now() + 3600_000;
    let mixed = 0;
    let lockLeft = 0;
    const recovery: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      expires += 60_000;
      const file = fakeCredentialsFile({ expiresAt: expires });
      const tok = (file.claudeAiOauth as { accessToken: string }).accessToken;
      writeFileSync(creds, JSON.stringify(file), { mode: 0o600 });
      await runSync(cfg, Math.floor(Math.random() * full.ms * 1.2));
      const lock = join(ours, "sync.lock");
      if (existsSync(lock)) {
        lockLeft++;
        const text = readFileSync(lock, "utf8");
        assert.ok(text !== "" && typeof JSON.parse(text).pid === "number", `kill ${i}: the lock was left empty or half written: ${JSON.stringify(text)}`);
      }
      const h = holds(tok);
      if (h.some(Boolean) && !h.every(Boolean)) mixed++;
      const r = await runSync(cfg);
      assert.equal(r.code, 0, `kill ${i}: the next sync failed`);
      assert.deepEqual(holds(tok), [true, true, true], `kill ${i}: not converged after the next sync`);
      recovery.push(r.ms);
    }
    t.diagnostic(`one sync (process start to exit): ${full.ms} ms; kills: ${KILLS}; left a lock: ${lockLeft}; left targets mixed: ${mixed}`);
    t.diagnostic(`next sync to convergence: median ${pct(recovery, 0.5)} ms, p90 ${pct(recovery, 0.9)} ms, max ${Math.max(...recovery)} ms`);
    assert.ok(Math.max(...recovery) < 5000, `a recovery sync took ${Math.max(...recovery)} ms: it waited for a dead holder`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
