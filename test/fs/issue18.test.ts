/**
 * Issue 18, the runtime against the real filesystem: the OpenClaw CLI's own timeout and what is
 * shown of its output (point 4), the symlink refusal, a duplicated .env key, a profiles-only agent
 * dir, and agents declared in openclaw.json (point 1). Stand-in CLIs only (test/compat has the
 * real releases).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findLeakedToken } from "../helpers/tokens";
import { acquireSyncLock } from "../../runtime/src/state/lock";
import { memoryLogger } from "../../runtime/src/log";
import { agentFile, makeConfig, readJson, sandbox, sync } from "./sync-harness";

/** A stand-in `openclaw` that sleeps `sleep` seconds, prints coloured output and exits `code`. */
function slowCli(dir: string, sleep: number, code: number): string {
  mkdirSync(join(dir, "bin"), { recursive: true });
  const bin = join(dir, "bin", "openclaw");
  writeFileSync(
    bin,
    `#!/bin/sh
# Stand-in for a slow OpenClaw CLI (tests only): reads the token, answers in colour.
cat >/dev/null
sleep ${sleep}
printf '\\033[31mError:\\033[0m \\033]8;;https://docs\\007config invalid\\033]8;;\\007 \\033[2K\\033[1Gdone\\n' >&2
exit ${code}
`,
    { mode: 0o755 },
  );
  return bin;
}

describe("issue 18 point 4: the OpenClaw CLI's own timeout, terminal escapes stripped", () => {
  test("paste-token slower than reload.timeoutSeconds still succeeds: it is bounded by openclaw.cliTimeoutSeconds", { timeout: 30_000 }, async () => {
    const sb = sandbox("sqlite-shared");
    try {
      const bin = slowCli(sb.root, 2, 0);
      const cfg = makeConfig(sb, { openclaw: { cli: [bin] }, reload: { action: "none", timeoutSeconds: 1 }, targets: [{ kind: "auth-store" }] });
      assert.equal(cfg.openclaw.cliTimeoutSeconds, 180, "default");
      const { report } = await sync(cfg);
      assert.equal(report.results[0]!.outcome, "written", report.results[0]!.detail);
    } finally {
      sb.cleanup();
    }
  });

  test("a paste-token killed at openclaw.cliTimeoutSeconds says so, names the .bak.N it may leave, shows no escape code or token", { timeout: 30_000 }, async () => {
    const sb = sandbox("sqlite-shared");
    try {
      const bin = slowCli(sb.root, 5, 0);
      const cfg = makeConfig(sb, { openclaw: { cli: [bin], cliTimeoutSeconds: 1 }, targets: [{ kind: "auth-store" }] });
      const { report, lines } = await sync(cfg);
      const r = report.results[0]!;
      assert.equal(r.outcome, "failed");
      assert.match(r.detail, /timed out after 1 s \(openclaw\.cliTimeoutSeconds/);
      assert.match(r.detail, /openclaw\.json\.bak\.N/);
      assert.equal(findLeakedToken(JSON.stringify(report) + lines.join("\n"), [sb.accessToken, sb.refreshToken]), undefined);
    } finally {
      sb.cleanup();
    }
  });

  test("a failing paste-token's coloured stderr arrives without terminal escapes", { timeout: 30_000 }, async () => {
    const sb = sandbox("sqlite-shared");
    try {
      const bin = slowCli(sb.root, 0, 3);
      const { report, lines } = await sync(makeConfig(sb, { openclaw: { cli: [bin] }, targets: [{ kind: "auth-store" }] }));
      const r = report.results[0]!;
      assert.equal(r.outcome, "failed");
      assert.match(r.detail, /exit status 3: Error: config invalid done/);
      for (const s of [r.detail, ...lines]) assert.doesNotMatch(s, /[\u001b\u0007\u009b]/, "no terminal escape shown");
    } finally {
      sb.cleanup();
    }
  });
});

describe("issue 18: smaller items", () => {
  test("the symlink refusal names the state dir once", async () => {
    const sb = sandbox("json");
    const outside = mkdtempSync(join(tmpdir(), "oos-i18-outside-"));
    try {
      writeFileSync(join(outside, "victim"), "X=1\n");
      symlinkSync(join(outside, "victim"), join(sb.oc, ".env"));
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "env" }] }));
      const d = report.results[0]!.detail;
      assert.equal(report.results[0]!.outcome, "failed");
      assert.match(d, /is a symlink to .*, outside [^ ]+; refusing/);
      assert.equal(d.split(`${sb.oc} and ${sb.oc}`).length, 1, d);
      assert.equal(readFileSync(join(outside, "victim"), "utf8"), "X=1\n");
    } finally {
      sb.cleanup();
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("a duplicated key in .env: the last line is updated (dotenv's rule) and the output says the earlier one stays", async () => {
    const sb = sandbox("json");
    try {
      const env = join(sb.oc, ".env");
      writeFileSync(env, "ANTHROPIC_OAUTH_TOKEN=stale-first\nOTHER=1\nANTHROPIC_OAUTH_TOKEN=stale-second\n");
      const { report, lines } = await sync(makeConfig(sb, { targets: [{ kind: "env" }] }));
      const r = report.results[0]!;
      assert.equal(r.outcome, "written");
      assert.equal(readFileSync(env, "utf8"), `ANTHROPIC_OAUTH_TOKEN=stale-first\nOTHER=1\nANTHROPIC_OAUTH_TOKEN=${sb.accessToken}\n`);
      assert.match(r.detail, /set 2 times \(lines 1, 3\).*earlier line 1 stays/);
      assert.ok(lines.some((l) => /warn/i.test(l) && /lines 1, 3/.test(l)), lines.join("\n"));
      assert.equal(findLeakedToken(JSON.stringify(report) + lines.join("\n"), [sb.accessToken]), undefined);
    } finally {
      sb.cleanup();
    }
  });

  test("an agent dir with only auth-profiles.json (no lastGood/order/usageStats) is the JSON era, not 'unknown (no store files)'", async () => {
    const sb = sandbox();
    try {
      mkdirSync(join(sb.oc, "agents", "main", "agent"), { recursive: true });
      writeFileSync(agentFile(sb, "main", "auth-profiles.json"), JSON.stringify({ version: 1, profiles: {} }, null, 2) + "\n");
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      const r = report.results[0]!;
      assert.equal(r.outcome, "written");
      assert.equal(r.era, "json");
      assert.doesNotMatch(r.detail, /unknown|no store files/);
      assert.equal(readJson(agentFile(sb, "main", "auth-profiles.json")).profiles["anthropic:default"].token, sb.accessToken);
    } finally {
      sb.cleanup();
    }
  });
});

describe("issue 18 point 6: the sync lock is never empty, and an empty one is recovered at once", () => {
  test("a fresh empty sync.lock (a kill between create and fill, by an older version) is taken over in well under a second", { timeout: 20_000 }, async () => {
    const sb = sandbox("json");
    try {
      mkdirSync(sb.ours, { recursive: true });
      writeFileSync(join(sb.ours, "sync.lock"), "");
      const t0 = Date.now();
      const { report, lines } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      const took = Date.now() - t0;
      assert.equal(report.results[0]!.outcome, "written");
      assert.ok(took < 1500, `took ${took} ms (a 10 s wait is the bug)`);
      assert.ok(lines.some((l) => l.includes("removing stale sync lock")), lines.join("\n"));
    } finally {
      sb.cleanup();
    }
  });

  test("while held, the lock file always holds the complete content; no temp file is left", { timeout: 20_000 }, async () => {
    const d = mkdtempSync(join(tmpdir(), "oos-i18-lock-"));
    try {
      const seen: string[] = [];
      for (let i = 0; i < 50; i++) {
        const h = await acquireSyncLock(d, { timeoutMs: 2000, pollMs: 5, now: Date.now, log: memoryLogger() });
        seen.push(readFileSync(h.path, "utf8"));
        await h.release();
      }
      for (const t of seen) assert.equal(JSON.parse(t).pid, process.pid);
      assert.deepEqual(readdirSync(d).filter((n) => n !== "sync-state.json"), [], "no lock or temp file left");
      // A temp file of a dead process (killed between write and link) is cleaned up by the next holder.
      writeFileSync(join(d, ".sync.lock.999999.deadbeef.tmp"), "{}");
      const h = await acquireSyncLock(d, { timeoutMs: 2000, pollMs: 5, now: Date.now, log: memoryLogger(), isAlive: () => false });
      await h.release();
      assert.deepEqual(readdirSync(d), []);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("issue 18 point 1: agents declared in openclaw.json with their own agentDir", () => {
  test("the default auth-store target syncs them too (agents.list and agents.entries, JSON5, ~ and absolute paths)", async () => {
    const sb = sandbox("json");
    try {
      const work = join(sb.root, "elsewhere", "work", "agent");
      const ops = join(sb.root, "elsewhere", "ops", "agent");
      for (const d of [work, ops]) mkdirSync(d, { recursive: true });
      writeFileSync(join(work, "auth-profiles.json"), JSON.stringify({ version: 1, profiles: {}, lastGood: {} }));
      writeFileSync(
        join(sb.oc, "openclaw.json"),
        `// as OpenClaw accepts it\n{\n  agents: {\n    list: [{ id: 'main', default: true }, { id: 'work', agentDir: '${work}' }],\n    entries: { ops: { agentDir: "${ops}" } },\n  },\n}\n`,
      );
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      const by = Object.fromEntries(report.results.map((r) => [r.target, r]));
      assert.deepEqual(Object.keys(by).sort(), ["auth-store:main", "auth-store:ops", "auth-store:work"]);
      for (const r of report.results) assert.equal(r.outcome, "written", `${r.target}: ${r.detail}`);
      assert.equal(by["auth-store:work"]!.path, join(work, "auth-profiles.json"));
      assert.equal(readJson(join(work, "auth-profiles.json")).profiles["anthropic:default"].token, sb.accessToken);
      assert.equal(readJson(join(ops, "auth-profiles.json")).profiles["anthropic:default"].token, sb.accessToken);

      // A target listing the id syncs the declared dir, not <stateDir>/agents/work/agent.
      writeFileSync(sb.credsPath, readFileSync(sb.credsPath, "utf8")); // same token: unchanged
      const only = await sync(makeConfig(sb, { targets: [{ kind: "auth-store", agents: ["work"] }] }));
      assert.equal(only.report.results[0]!.path, join(work, "auth-profiles.json"));
      assert.equal(only.report.results[0]!.outcome, "unchanged");
    } finally {
      sb.cleanup();
    }
  });
});
