/**
 * The sync engine against the real filesystem: one fresh tmp dir per test, fixture state dirs per
 * OpenClaw storage era (test/fixtures/stores), every target's outcomes.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chownSync, chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { agentFile, makeConfig, readJson, sandbox, sync } from "./sync-harness";
import { findLeakedToken } from "../helpers/tokens";

const modeOf = (p: string) => statSync(p).mode & 0o777;

describe("auth-store, era json", () => {
  test("written, then unchanged with nothing written; one log line per target, no token in logs", async () => {
    const sb = sandbox("json");
    try {
      const cfg = makeConfig(sb, { targets: [{ kind: "auth-store" }] });
      const first = await sync(cfg);
      assert.deepEqual(
        first.report.results.map((r) => [r.target, r.outcome, r.era]),
        [
          ["auth-store:main", "written", "json"],
          ["auth-store:work", "written", "json"], // agent dir without any profile yet
        ],
      );
      const store = readJson(agentFile(sb, "main", "auth-profiles.json"));
      assert.equal(store.profiles["anthropic:default"].token, sb.accessToken);
      assert.equal(store.profiles["anthropic:default"].expires, sb.expiresAt);
      assert.equal(store.profiles["anthropic:default"].email, "ops@example.com");
      assert.equal(store.lastGood.anthropic, "anthropic:default");
      const work = readJson(agentFile(sb, "work", "auth-profiles.json"));
      assert.deepEqual(Object.keys(work.profiles), ["anthropic:default"]);
      assert.equal(first.lines.filter((l) => l.startsWith("sync target=")).length, 2);
      assert.match(first.lines.join("\n"), /sync target=auth-store:main outcome=written era=json/);
      assert.equal(existsSync(agentFile(sb, "main", "auth-profiles.json.lock")), false, "lock released");

      const st = statSync(agentFile(sb, "main", "auth-profiles.json"));
      const second = await sync(cfg);
      assert.deepEqual(second.report.results.map((r) => r.outcome), ["unchanged", "unchanged"]);
      assert.equal(second.report.changed, false);
      const st2 = statSync(agentFile(sb, "main", "auth-profiles.json"));
      assert.equal(st2.ino, st.ino, "not replaced");
      assert.equal(st2.mtimeMs, st.mtimeMs, "not rewritten");
      assert.equal(findLeakedToken([...first.lines, ...second.lines].join("\n"), [sb.accessToken, sb.refreshToken]), undefined);
      assert.equal(findLeakedToken(JSON.stringify([first.report, second.report]), [sb.accessToken, sb.refreshToken]), undefined);
    } finally {
      sb.cleanup();
    }
  });

  test("skipped-newer: a store whose token expires later is left alone and reported", async () => {
    const sb = sandbox("json", { expiresAt: 1765759825273 - 60_000 });
    try {
      const before = readFileSync(agentFile(sb, "main", "auth-profiles.json"), "utf8");
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store", agents: ["main"] }] }));
      assert.equal(report.results[0]!.outcome, "skipped-newer");
      assert.match(report.results[0]!.detail, /newer token \(expires 2025-12-15T00:50:25\.273Z/);
      assert.equal(readFileSync(agentFile(sb, "main", "auth-profiles.json"), "utf8"), before);
    } finally {
      sb.cleanup();
    }
  });

  test("unparseable store: refused, bytes untouched, the rest still synced", async () => {
    const sb = sandbox("json");
    try {
      const broken = '{"version":1,"profiles":{"anthropic:default":{"type":"token","token":"sk-ant-oat01-FIXTUREtruncated';
      writeFileSync(agentFile(sb, "main", "auth-profiles.json"), broken);
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      const main = report.results.find((r) => r.target === "auth-store:main")!;
      assert.equal(main.outcome, "refused");
      assert.match(main.detail, /not valid JSON at line 1/);
      assert.ok(!main.detail.includes("FIXTUREtruncated"));
      assert.equal(readFileSync(agentFile(sb, "main", "auth-profiles.json"), "utf8"), broken);
      assert.equal(report.results.find((r) => r.target === "auth-store:work")!.outcome, "written");
    } finally {
      sb.cleanup();
    }
  });

  test("owner and mode of an existing store are kept (1000:1000, 0640)", async () => {
    const sb = sandbox("json");
    try {
      const p = agentFile(sb, "main", "auth-profiles.json");
      chownSync(p, 1000, 1000);
      chmodSync(p, 0o640);
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store", agents: ["main"] }] }));
      assert.equal(report.results[0]!.outcome, "written");
      const st = statSync(p);
      assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1000, 1000, 0o640]);
    } finally {
      sb.cleanup();
    }
  });

  test("new files: 0600, owned by config.owner, else by the owner of openclaw.stateDir", async () => {
    const sb = sandbox("json");
    try {
      const work = agentFile(sb, "work", "auth-profiles.json");
      await sync(makeConfig(sb, { owner: { uid: 1234, gid: 4321 }, targets: [{ kind: "auth-store", agents: ["work"] }] }));
      let st = statSync(work);
      assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1234, 4321, 0o600]);

      const sb2 = sandbox("json");
      try {
        chownSync(sb2.oc, 1000, 1000);
        await sync(makeConfig(sb2, { targets: [{ kind: "auth-store", agents: ["work"] }] }));
        st = statSync(agentFile(sb2, "work", "auth-profiles.json"));
        assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1000, 1000, 0o600]);
      } finally {
        sb2.cleanup();
      }
    } finally {
      sb.cleanup();
    }
  });

  test("agent dir missing (wrong id): refused, nothing created", async () => {
    const sb = sandbox("json");
    try {
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store", agents: ["ghost"] }] }));
      assert.equal(report.results[0]!.outcome, "refused");
      assert.match(report.results[0]!.detail, /agent dir .*ghost\/agent does not exist/);
      assert.equal(existsSync(join(sb.oc, "agents", "ghost")), false);
    } finally {
      sb.cleanup();
    }
  });

  test("no agent dirs at all and no SQLite store: refused with the fix", async () => {
    const sb = sandbox();
    try {
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      assert.equal(report.results[0]!.outcome, "refused");
      assert.match(report.results[0]!.detail, /no agent dirs .*start OpenClaw once/);
    } finally {
      sb.cleanup();
    }
  });

  test("openclaw.stateDir missing: refused", async () => {
    const sb = sandbox();
    try {
      const cfg = makeConfig(sb, { openclaw: { stateDir: join(sb.root, "nope") }, targets: [{ kind: "auth-store" }] });
      const { report } = await sync(cfg);
      assert.equal(report.results[0]!.outcome, "refused");
      assert.match(report.results[0]!.detail, /does not exist/);
    } finally {
      sb.cleanup();
    }
  });
});

describe("auth-store, era json-split and detection", () => {
  test("json-split fixture: lastGood/cooldown into auth-state.json", async () => {
    const sb = sandbox("json-split");
    try {
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      assert.equal(report.results[0]!.era, "json-split");
      assert.equal(report.results[0]!.outcome, "written");
      const store = readJson(agentFile(sb, "main", "auth-profiles.json"));
      assert.equal(store.lastGood, undefined);
      assert.equal(store.profiles["anthropic:default"].refresh, undefined);
      const state = readJson(agentFile(sb, "main", "auth-state.json"));
      assert.equal(state.lastGood.anthropic, "anthropic:default");
      assert.equal(state.usageStats["anthropic:default"].cooldownUntil, undefined);
    } finally {
      sb.cleanup();
    }
  });

  test("empty agent dir: era from meta.lastTouchedVersion in openclaw.json (JSON5)", async () => {
    const sb = sandbox("json-split");
    try {
      // Remove the store files: only the version in openclaw.json (2026.5.3) is left to go by.
      const { rmSync } = await import("node:fs");
      rmSync(agentFile(sb, "main", "auth-profiles.json"));
      rmSync(agentFile(sb, "main", "auth-state.json"));
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      assert.equal(report.results[0]!.era, "json-split");
      assert.ok(existsSync(agentFile(sb, "main", "auth-state.json")));
      assert.equal(modeOf(agentFile(sb, "main", "auth-state.json")), 0o600);
    } finally {
      sb.cleanup();
    }
  });

  test("unknown era: json, and the detail says it was assumed", async () => {
    const sb = sandbox("unknown");
    try {
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      assert.equal(report.results[0]!.era, "json");
      assert.match(report.results[0]!.detail, /era unknown.*assuming json/);
      assert.equal(existsSync(agentFile(sb, "main", "auth-state.json")), false);
    } finally {
      sb.cleanup();
    }
  });

  test("openclaw.version in config decides for an empty agent dir", async () => {
    const sb = sandbox("unknown");
    try {
      const { report } = await sync(makeConfig(sb, { openclaw: { version: "2026.6.1" }, targets: [{ kind: "auth-store" }] }));
      assert.equal(report.results[0]!.era, "json-split");
      assert.match(report.results[0]!.detail, /anthropic:default set/);
    } finally {
      sb.cleanup();
    }
  });

  test("era forced to json next to a SQLite store: refused, no JSON written", async () => {
    const sb = sandbox("sqlite-agent");
    try {
      const { report } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store", era: "json" }] }));
      assert.equal(report.results[0]!.outcome, "refused");
      assert.match(report.results[0]!.detail, /SQLite store.*retired/);
      assert.equal(existsSync(agentFile(sb, "main", "auth-profiles.json")), false);
    } finally {
      sb.cleanup();
    }
  });
});

describe("oauth-json", () => {
  test("written (credentials dir created 0700), unchanged, skipped-newer; other providers kept", async () => {
    const sb = sandbox("json");
    try {
      const cfg = makeConfig(sb, { targets: [{ kind: "oauth-json" }] });
      const path = join(sb.oc, "credentials", "oauth.json");
      const r1 = (await sync(cfg)).report.results[0]!;
      assert.equal(r1.outcome, "written");
      assert.equal(statSync(join(sb.oc, "credentials")).mode & 0o777, 0o700);
      assert.equal(modeOf(path), 0o600);
      const v = readJson(path);
      assert.deepEqual(Object.keys(v.anthropic).sort(), ["access", "expires", "rateLimitTier", "scopes", "subscriptionType"]);
      assert.equal((await sync(cfg)).report.results[0]!.outcome, "unchanged");

      writeFileSync(path, JSON.stringify({ openai: { access: "o" }, anthropic: { access: "x", expires: sb.expiresAt + 1000 } }));
      assert.equal((await sync(cfg)).report.results[0]!.outcome, "skipped-newer");
      writeFileSync(path, JSON.stringify({ openai: { access: "o" }, anthropic: { access: "x", expires: 1 } }));
      assert.equal((await sync(cfg)).report.results[0]!.outcome, "written");
      assert.deepEqual(readJson(path).openai, { access: "o" });
    } finally {
      sb.cleanup();
    }
  });

  test("refused in a SQLite-era state dir; unparseable file refused and untouched; missing explicit dir refused", async () => {
    const sb = sandbox("sqlite-shared");
    try {
      let r = (await sync(makeConfig(sb, { targets: [{ kind: "oauth-json" }] }))).report.results[0]!;
      assert.equal(r.outcome, "refused");
      assert.match(r.detail, /retired/);
      assert.equal(existsSync(join(sb.oc, "credentials")), false);
    } finally {
      sb.cleanup();
    }
    const sb2 = sandbox("json");
    try {
      mkdirSync(join(sb2.oc, "credentials"));
      writeFileSync(join(sb2.oc, "credentials", "oauth.json"), "{ nope");
      let r = (await sync(makeConfig(sb2, { targets: [{ kind: "oauth-json" }] }))).report.results[0]!;
      assert.equal(r.outcome, "refused");
      assert.equal(readFileSync(join(sb2.oc, "credentials", "oauth.json"), "utf8"), "{ nope");
      r = (await sync(makeConfig(sb2, { targets: [{ kind: "oauth-json", path: join(sb2.root, "no/such/oauth.json") }] }))).report.results[0]!;
      assert.equal(r.outcome, "refused");
      assert.match(r.detail, /does not exist/);
    } finally {
      sb2.cleanup();
    }
  });
});

describe("env", () => {
  test("written with other lines kept, unchanged next time; warns which reload action would apply it", async () => {
    const sb = sandbox("json");
    try {
      const path = join(sb.oc, ".env");
      writeFileSync(path, "# mine\nOPENCLAW_GATEWAY_TOKEN=abc\n");
      chownSync(path, 1000, 1000);
      chmodSync(path, 0o640);
      const cfg = makeConfig(sb, { reload: { action: "secrets-reload", minIntervalSeconds: 0 }, openclaw: { cli: ["/bin/true"] }, targets: [{ kind: "env" }] });
      const first = await sync(cfg);
      assert.equal(first.report.results[0]!.outcome, "written");
      const text = readFileSync(path, "utf8");
      assert.ok(text.startsWith("# mine\nOPENCLAW_GATEWAY_TOKEN=abc\n"));
      assert.ok(text.includes(`ANTHROPIC_OAUTH_TOKEN="${sb.accessToken}"`) || text.includes(sb.accessToken));
      const st = statSync(path);
      assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [1000, 1000, 0o640]);
      assert.ok(first.lines.some((l) => /warn: env:.* changed, but reload\.action=secrets-reload .*reload\.action=gateway-restart would/.test(l)), first.lines.join("\n"));
      assert.equal(findLeakedToken(first.lines.join("\n"), [sb.accessToken]), undefined);
      assert.equal((await sync(cfg)).report.results[0]!.outcome, "unchanged");
      assert.equal(modeOf(join(sb.ours, "sync-state.json")), 0o600);
      assert.ok(!readFileSync(join(sb.ours, "sync-state.json"), "utf8").includes(sb.accessToken.slice(13)));
    } finally {
      sb.cleanup();
    }
  });

  test("target dir missing: refused", async () => {
    const sb = sandbox("json");
    try {
      const r = (await sync(makeConfig(sb, { targets: [{ kind: "env", path: join(sb.root, "compose/.env"), consumer: "compose-project" }] }))).report.results[0]!;
      assert.equal(r.outcome, "refused");
    } finally {
      sb.cleanup();
    }
  });
});

describe("source credentials", () => {
  const bad: Array<[string, (p: string) => void, number, RegExp]> = [
    ["missing", (p) => require("node:fs").rmSync(p), 66, /not found/],
    ["empty", (p) => writeFileSync(p, ""), 65, /empty/],
    ["truncated", (p) => writeFileSync(p, readFileSync(p, "utf8").slice(0, 60)), 65, /not valid JSON/],
    ["not JSON", (p) => writeFileSync(p, "claudeAiOauth=1"), 65, /not valid JSON/],
    ["a directory", (p) => (require("node:fs").rmSync(p), mkdirSync(p)), 65, /is a directory/],
    ["missing fields", (p) => writeFileSync(p, JSON.stringify({ claudeAiOauth: { accessToken: "sk-ant-oat01-x" } })), 65, /expiresAt/],
    ["scopes not an array", (p) => writeFileSync(p, JSON.stringify({ claudeAiOauth: { ...readJson(p).claudeAiOauth, scopes: "user:inference" } })), 65, /scopes/],
    ["token without sk-ant-oat prefix", (p) => writeFileSync(p, JSON.stringify({ claudeAiOauth: { ...readJson(p).claudeAiOauth, accessToken: "sk-ant-api03-abcdefghijklmnop" } })), 65, /sk-ant-oat/],
  ];
  for (const [name, spoil, code, re] of bad) {
    test(`${name}: report.error (exit ${code}), no target touched`, async () => {
      const sb = sandbox("json");
      try {
        spoil(sb.credsPath);
        const before = readFileSync(agentFile(sb, "main", "auth-profiles.json"), "utf8");
        const { report, lines } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }, { kind: "env" }] }));
        assert.match(report.error ?? "", re);
        assert.equal(report.errorExitCode, code);
        assert.deepEqual(report.results, []);
        assert.equal(readFileSync(agentFile(sb, "main", "auth-profiles.json"), "utf8"), before);
        assert.equal(existsSync(join(sb.oc, ".env")), false);
        assert.equal(existsSync(agentFile(sb, "work", "auth-profiles.json")), false);
        assert.equal(findLeakedToken(lines.join("\n") + (report.error ?? ""), [sb.accessToken, sb.refreshToken]), undefined);
      } finally {
        sb.cleanup();
      }
    });
  }

  test("expired source token: synced anyway, flagged in report and log", async () => {
    const sb = sandbox("unknown", { expiresAt: Date.now() - 3600_000 });
    try {
      const { report, lines } = await sync(makeConfig(sb, { targets: [{ kind: "auth-store" }] }));
      assert.equal(report.sourceExpired, true);
      assert.equal(report.results[0]!.outcome, "written");
      assert.ok(lines.some((l) => /^warn: source token sk-ant-oat01-….{4} expired at .*syncing it anyway/.test(l)), lines.join("\n"));
      assert.equal(findLeakedToken(lines.join("\n"), [sb.accessToken]), undefined);
    } finally {
      sb.cleanup();
    }
  });
});

describe("inspectTargets (read-only, for status)", () => {
  test("missing → in-sync after a sync → stale after a new token → newer when the source goes back; never writes", async () => {
    const { inspectTargets } = await import("../../runtime/src/sync/engine");
    const { readCredentials } = await import("../../runtime/src/credentials");
    const { memoryLogger } = await import("../../runtime/src/log");
    const { fakeCredentialsFile } = await import("../helpers/tokens");
    const sb = sandbox("unknown");
    try {
      const cfg = makeConfig(sb, { targets: [{ kind: "auth-store" }, { kind: "env" }, { kind: "oauth-json" }] });
      const deps = { log: memoryLogger(), now: () => Date.now() };
      const states = async () => (await inspectTargets(cfg, await readCredentials(sb.credsPath), deps)).map((i) => `${i.target.split(":")[0]}=${i.state}`);
      assert.deepEqual(await states(), ["auth-store=missing", "env=missing", "oauth-json=missing"]);
      assert.equal(existsSync(agentFile(sb, "main", "auth-profiles.json")), false, "inspection wrote nothing");
      await sync(cfg);
      assert.deepEqual(await states(), ["auth-store=in-sync", "env=in-sync", "oauth-json=in-sync"]);
      writeFileSync(sb.credsPath, JSON.stringify(fakeCredentialsFile({ expiresAt: sb.expiresAt + 60_000 })));
      assert.deepEqual(await states(), ["auth-store=stale", "env=stale", "oauth-json=stale"]);
      writeFileSync(sb.credsPath, JSON.stringify(fakeCredentialsFile({ expiresAt: sb.expiresAt - 60_000 })));
      assert.deepEqual(await states(), ["auth-store=newer", "env=newer", "oauth-json=newer"]);
      const noSource = await inspectTargets(cfg, undefined, deps);
      assert.equal(noSource[0]!.expiresAt, sb.expiresAt, "held expiry still reported without a source");
      writeFileSync(agentFile(sb, "main", "auth-profiles.json"), "{");
      assert.equal((await inspectTargets(cfg, await readCredentials(sb.credsPath), deps))[0]!.state, "wrong-format");
    } finally {
      sb.cleanup();
    }
  });
});
