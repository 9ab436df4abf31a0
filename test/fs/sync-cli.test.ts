/**
 * The SQLite-era target (`openclaw models auth paste-token`, token on stdin) and the reload
 * step, against scripted stand-ins for the `openclaw` and `docker` CLIs (see standIn in
 * sync-harness.ts): they record argv and stdin, so we can prove the token never reaches argv.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeConfig, readJson, sandbox, standIn, sync } from "./sync-harness";
import { runPendingReload } from "../../runtime/src/sync/engine";
import { memoryLogger } from "../../runtime/src/log";
import { findLeakedToken, fakeCredentialsFile } from "../helpers/tokens";

describe("auth-store, SQLite era (paste-token)", () => {
  test("per-agent SQLite: token on stdin only, expiry in minutes, --agent for non-main; unchanged without a CLI call next time", async () => {
    const sb = sandbox("sqlite-agent");
    try {
      mkdirSync(join(sb.oc, "agents", "work", "agent"), { recursive: true });
      writeFileSync(join(sb.oc, "agents", "work", "agent", "openclaw-agent.sqlite"), "");
      const oc = standIn(join(sb.root, "bin"), "openclaw");
      const now = sb.expiresAt - 8 * 3600_000 + 30_000; // 7 h 59.5 min left → 480 min
      const cfg = makeConfig(sb, { openclaw: { cli: [oc.bin] }, targets: [{ kind: "auth-store" }] });
      const { report } = await sync(cfg, now);
      assert.deepEqual(report.results.map((r) => [r.target, r.outcome, r.era]), [
        ["auth-store:main", "written", "sqlite"],
        ["auth-store:work", "written", "sqlite"],
      ]);
      const calls = oc.calls();
      assert.equal(calls.length, 2);
      assert.deepEqual(calls[0]!.argv, ["models", "auth", "paste-token", "--provider", "anthropic", "--profile-id", "anthropic:default", "--expires-in", "480m"]);
      assert.deepEqual(calls[1]!.argv.slice(-2), ["--agent", "work"]);
      for (const c of calls) {
        assert.equal(c.stdin, sb.accessToken, "the token came on stdin");
        assert.equal(findLeakedToken(c.argv.join(" "), [sb.accessToken, sb.refreshToken]), undefined, "and never in argv");
      }
      const state = readFileSync(join(sb.ours, "sync-state.json"), "utf8");
      assert.equal(statSync(join(sb.ours, "sync-state.json")).mode & 0o777, 0o600);
      assert.equal(findLeakedToken(state, [sb.accessToken]), undefined, "only hashes in sync-state.json");

      const again = await sync(cfg, now + 1000);
      assert.deepEqual(again.report.results.map((r) => r.outcome), ["unchanged", "unchanged"]);
      assert.equal(oc.calls().length, 2, "no CLI call when the recorded hash matches");
    } finally {
      sb.cleanup();
    }
  });

  test("2026.9.6 layout (only state/openclaw.sqlite, no agent dir): main via the CLI", async () => {
    const sb = sandbox("sqlite-shared");
    try {
      const oc = standIn(join(sb.root, "bin"), "openclaw");
      const { report } = await sync(makeConfig(sb, { openclaw: { cli: [oc.bin] }, targets: [{ kind: "auth-store" }] }));
      assert.deepEqual(report.results.map((r) => [r.target, r.outcome]), [["auth-store:main", "written"]]);
      assert.match(report.results[0]!.detail, /shared state\/openclaw\.sqlite/);
      assert.equal(oc.calls().length, 1);
    } finally {
      sb.cleanup();
    }
  });

  test("never downgrade: a source older than what we pasted is skipped", async () => {
    const sb = sandbox("sqlite-shared");
    try {
      const oc = standIn(join(sb.root, "bin"), "openclaw");
      const cfg = makeConfig(sb, { openclaw: { cli: [oc.bin] }, targets: [{ kind: "auth-store" }] });
      await sync(cfg);
      writeFileSync(sb.credsPath, JSON.stringify(fakeCredentialsFile({ expiresAt: sb.expiresAt - 3600_000 })));
      const { report } = await sync(cfg);
      assert.equal(report.results[0]!.outcome, "skipped-newer");
      assert.equal(oc.calls().length, 1);
    } finally {
      sb.cleanup();
    }
  });

  test("CLI failure: failed, stderr tail in the detail with the token scrubbed, nothing recorded", async () => {
    const sb = sandbox("sqlite-shared");
    try {
      const oc = standIn(join(sb.root, "bin"), "openclaw");
      oc.failNext(true);
      const cfg = makeConfig(sb, { openclaw: { cli: [oc.bin] }, targets: [{ kind: "auth-store" }] });
      const { report, lines } = await sync(cfg);
      const r = report.results[0]!;
      assert.equal(r.outcome, "failed");
      assert.match(r.detail, /paste-token failed: .*exit status 3: error: rejected token sk-ant-oat01-…/);
      assert.equal(findLeakedToken(r.detail + lines.join("\n"), [sb.accessToken]), undefined);
      assert.equal(existsSync(join(sb.ours, "sync-state.json")), false);
      oc.failNext(false);
      assert.equal((await sync(cfg)).report.results[0]!.outcome, "written", "retried next time");
    } finally {
      sb.cleanup();
    }
  });

  test("host mode as root: the CLI runs as the owner of the state dir, pointed at it", async () => {
    const sb = sandbox("sqlite-shared");
    try {
      chownSync(sb.oc, 1000, 1000);
      chmodSync(sb.root, 0o755); // the stand-in, run as uid 1000, must reach its own dir
      const oc = standIn(join(sb.root, "bin"), "openclaw");
      const { report } = await sync(makeConfig(sb, { openclaw: { cli: [oc.bin] }, targets: [{ kind: "auth-store" }] }));
      assert.equal(report.results[0]!.outcome, "written", report.results[0]!.detail);
      assert.equal(oc.calls()[0]!.uid, "1000");
      assert.equal(oc.calls()[0]!.stateDir, sb.oc, "OPENCLAW_STATE_DIR points at openclaw.stateDir");
    } finally {
      sb.cleanup();
    }
  });

  test("docker mode: container found by Compose label, docker exec -i -u node … node dist/index.js, token on stdin", async () => {
    const sb = sandbox("sqlite-shared");
    try {
      const dk = standIn(join(sb.root, "bin"), "docker");
      writeFileSync(join(sb.root, "bin", "ps-output"), "c0ffee123\n");
      const cfg = makeConfig(sb, {
        openclaw: { mode: "docker", docker: { command: [dk.bin], composeProject: "oc" } },
        reload: { action: "gateway-restart", minIntervalSeconds: 0 },
        targets: [{ kind: "auth-store" }],
      });
      const { report } = await sync(cfg);
      assert.equal(report.results[0]!.outcome, "written");
      assert.equal(report.reload?.ok, true, report.reload?.detail);
      const calls = dk.calls();
      assert.deepEqual(calls[0]!.argv, ["ps", "-q", "--filter", "label=com.docker.compose.service=openclaw-gateway", "--filter", "label=com.docker.compose.project=oc"]);
      assert.deepEqual(calls[1]!.argv.slice(0, 7), ["exec", "-i", "-u", "node", "c0ffee123", "node", "dist/index.js"]);
      assert.equal(calls[1]!.stdin, sb.accessToken);
      assert.equal(findLeakedToken(calls.map((c) => c.argv.join(" ")).join("\n"), [sb.accessToken]), undefined);
      assert.deepEqual(calls.at(-1)!.argv, ["restart", "c0ffee123"]);
    } finally {
      sb.cleanup();
    }
  });

  test("docker mode, no running container: failed with the fix", async () => {
    const sb = sandbox("sqlite-shared");
    try {
      const dk = standIn(join(sb.root, "bin"), "docker");
      const cfg = makeConfig(sb, { openclaw: { mode: "docker", docker: { command: [dk.bin] } }, targets: [{ kind: "auth-store" }] });
      const r = (await sync(cfg)).report.results[0]!;
      assert.equal(r.outcome, "failed");
      assert.match(r.detail, /no running container for Compose service openclaw-gateway.*openclaw\.docker\.container/);
    } finally {
      sb.cleanup();
    }
  });
});

describe("reload", () => {
  test("once after a change (secrets reload), not at all when nothing changed; rate-limited changes are deferred and run later", async () => {
    const sb = sandbox("json");
    try {
      const oc = standIn(join(sb.root, "bin"), "openclaw");
      const cfg = makeConfig(sb, { openclaw: { cli: [oc.bin] }, reload: { action: "secrets-reload", minIntervalSeconds: 30 }, targets: [{ kind: "auth-store" }, { kind: "env" }] });
      const t0 = Date.now();
      const first = await sync(cfg, t0);
      assert.equal(first.report.results.filter((r) => r.outcome === "written").length, 3);
      assert.deepEqual(oc.calls().map((c) => c.argv), [["secrets", "reload"]], "one reload for three writes");
      assert.equal(first.report.reload?.ok, true);

      assert.equal((await sync(cfg, t0 + 1000)).report.reload, undefined, "no change, no reload");

      writeFileSync(sb.credsPath, JSON.stringify(fakeCredentialsFile({ expiresAt: sb.expiresAt + 3600_000 })));
      const second = await sync(cfg, t0 + 10_000);
      assert.equal(second.report.changed, true);
      assert.equal(second.report.reload?.deferredUntil, t0 + 30_000);
      assert.equal(oc.calls().length, 1, "deferred, not run");
      assert.ok(readJson(join(sb.ours, "sync-state.json")).reload.pending);

      const deps = { log: memoryLogger(), now: () => t0 + 20_000 };
      assert.equal((await runPendingReload(cfg, deps))?.deferredUntil, t0 + 30_000, "still early");
      assert.equal(oc.calls().length, 1);
      const ran = await runPendingReload(cfg, { ...deps, now: () => t0 + 30_000 });
      assert.equal(ran?.ok, true);
      assert.equal(oc.calls().length, 2);
      assert.equal(await runPendingReload(cfg, { ...deps, now: () => t0 + 31_000 }), undefined, "nothing pending any more");
    } finally {
      sb.cleanup();
    }
  });

  test("a failing reload is reported (not ok) with its stderr; command and container-recreate argv", async () => {
    const sb = sandbox("json");
    try {
      const oc = standIn(join(sb.root, "bin"), "openclaw");
      oc.failNext(true);
      const cfg = makeConfig(sb, { openclaw: { cli: [oc.bin] }, reload: { action: "command", command: [oc.bin, "custom"] }, targets: [{ kind: "auth-store", agents: ["main"] }] });
      const { report } = await sync(cfg);
      assert.equal(report.reload?.ok, false);
      assert.match(report.reload!.detail, /exit status 3/);

      const dk = standIn(join(sb.root, "dk"), "docker");
      const compose = join(sb.root, "compose");
      mkdirSync(compose);
      writeFileSync(sb.credsPath, JSON.stringify(fakeCredentialsFile({ expiresAt: sb.expiresAt + 3600_000 })));
      const cfg2 = makeConfig(sb, {
        openclaw: { mode: "docker", docker: { command: [dk.bin] } },
        reload: { action: "container-recreate", composeDir: compose, minIntervalSeconds: 0 },
        targets: [{ kind: "auth-store", agents: ["main"] }],
      });
      const r2 = await sync(cfg2);
      assert.equal(r2.report.reload?.ok, true, r2.report.reload?.detail);
      assert.deepEqual(dk.calls().at(-1)!.argv, ["compose", "up", "-d", "--force-recreate", "openclaw-gateway"]);
    } finally {
      sb.cleanup();
    }
  });
});
