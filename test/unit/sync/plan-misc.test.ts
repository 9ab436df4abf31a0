import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planOauthJson } from "../../../runtime/src/sync/plan/oauth-json";
import { planEnv } from "../../../runtime/src/sync/plan/env";
import { expiresInMinutes, planPaste } from "../../../runtime/src/sync/plan/paste";
import { credentialHash, tokenHash } from "../../../runtime/src/sync/state";
import { decideReload, reloadArgv } from "../../../runtime/src/sync/reload";
import { envReloadAdvice } from "../../../runtime/src/sync/targets/env";
import { isLockStale, parseLockContent } from "../../../runtime/src/openclaw/lock";
import { homeFromPasswd } from "../../../runtime/src/openclaw/owner";
import { containerLookupArgv } from "../../../runtime/src/openclaw/cli";
import { formatResult, formatSummary, syncExitCode } from "../../../runtime/src/commands/sync";
import { parseConfig } from "../../../runtime/src/config/load";
import type { ClaudeCredentials } from "../../../runtime/src/credentials";
import { fakeAccessToken, fakeRefreshToken } from "../../helpers/tokens";

const NOW = 1_800_000_000_000;
function creds(o: Partial<ClaudeCredentials> = {}): ClaudeCredentials {
  return { accessToken: fakeAccessToken(), refreshToken: fakeRefreshToken(), expiresAt: NOW + 8 * 3600_000, scopes: ["user:inference", "user:profile"], subscriptionType: "max", rateLimitTier: "default_claude_max_20x", ...o };
}
const config = (extra: Record<string, unknown> = {}, oc: Record<string, unknown> = {}) =>
  parseConfig({ claudeCredentials: "/root/.claude/.credentials.json", openclaw: { stateDir: "/srv/oc", ...oc }, targets: [{ kind: "env" }], ...extra }, "test");

describe("planOauthJson", () => {
  const c = creds();
  test("missing file: anthropic entry with access, expires, scopes, tier; no refresh", () => {
    const p = planOauthJson(undefined, c, false);
    assert.equal(p.action, "write");
    const v = JSON.parse((p as { text: string }).text);
    assert.deepEqual(v, { anthropic: { access: c.accessToken, expires: c.expiresAt, scopes: c.scopes, subscriptionType: "max", rateLimitTier: "default_claude_max_20x" } });
  });
  test("other providers and other anthropic keys kept; stale refresh removed", () => {
    const given = JSON.stringify({ openai: { access: "x", expires: 1 }, anthropic: { access: "old", refresh: "sk-ant-ort01-FIXTURE", expires: 5, email: "a@b" } }, null, 2);
    const p = planOauthJson(given, c, false);
    const v = JSON.parse((p as { text: string }).text);
    assert.deepEqual(v.openai, { access: "x", expires: 1 });
    assert.equal(v.anthropic.email, "a@b");
    assert.equal(v.anthropic.refresh, undefined);
    assert.equal(planOauthJson((p as { text: string }).text, c, false).action, "unchanged");
  });
  test("refresh included only when opted in", () => {
    const v = JSON.parse((planOauthJson(undefined, c, true) as { text: string }).text);
    assert.equal(v.anthropic.refresh, c.refreshToken);
  });
  test("newer expiry held: skipped", () => {
    assert.equal(planOauthJson(JSON.stringify({ anthropic: { access: "x", expires: c.expiresAt + 1 } }), c, false).action, "skip-newer");
  });
  test("not JSON / not an object: refused", () => {
    assert.equal(planOauthJson("{", c, false).action, "refuse");
    assert.equal(planOauthJson('"str"', c, false).action, "refuse");
  });
});

describe("planEnv", () => {
  const c = creds();
  test("absent key: added, other lines kept byte for byte", () => {
    const given = "# comment\r\nOTHER='x y'\r\n";
    const p = planEnv(given, "ANTHROPIC_OAUTH_TOKEN", c, undefined);
    assert.equal(p.action, "write");
    const text = (p as { text: string }).text;
    assert.ok(text.startsWith(given), "existing lines untouched");
    assert.ok(text.includes(c.accessToken));
    assert.match(p.detail, /added/);
    assert.equal(planEnv(text, "ANTHROPIC_OAUTH_TOKEN", c, undefined).action, "unchanged");
  });
  test("a foreign value is replaced, and the detail says so", () => {
    const p = planEnv(`ANTHROPIC_OAUTH_TOKEN=${fakeAccessToken()}\n`, "ANTHROPIC_OAUTH_TOKEN", c, undefined);
    assert.equal(p.action, "write");
    assert.equal((p as { replacedForeign: boolean }).replacedForeign, true);
  });
  test("our own earlier token that lives longer: skipped (never downgrade)", () => {
    const older = fakeAccessToken();
    const rec = { hash: tokenHash(older), expiresAt: c.expiresAt + 60_000, at: NOW };
    assert.equal(planEnv(`ANTHROPIC_OAUTH_TOKEN=${older}\n`, "ANTHROPIC_OAUTH_TOKEN", c, rec).action, "skip-newer");
    const shorter = { ...rec, expiresAt: c.expiresAt - 60_000 };
    const p = planEnv(`ANTHROPIC_OAUTH_TOKEN=${older}\n`, "ANTHROPIC_OAUTH_TOKEN", c, shorter);
    assert.equal(p.action, "write");
    assert.equal((p as { replacedForeign: boolean }).replacedForeign, false);
  });
});

describe("planPaste", () => {
  const c = creds();
  test("expiry as remaining minutes, rounded up, at least 1", () => {
    assert.equal(expiresInMinutes(NOW + 60_000, NOW), 1);
    assert.equal(expiresInMinutes(NOW + 60_001, NOW), 2);
    assert.equal(expiresInMinutes(NOW + 8 * 3600_000, NOW), 480);
    assert.equal(expiresInMinutes(NOW - 3600_000, NOW), 1, "an expired token still goes in");
  });
  test("same token and expiry recorded: unchanged; new: paste; older than recorded: skipped", () => {
    const p = planPaste(undefined, c, "anthropic:default", NOW);
    assert.equal(p.action, "paste");
    assert.equal((p as { expiresInMinutes: number }).expiresInMinutes, 480);
    const rec = { hash: credentialHash(c.accessToken, c.expiresAt), expiresAt: c.expiresAt, at: NOW };
    assert.equal(planPaste(rec, c, "anthropic:default", NOW).action, "unchanged");
    assert.equal(planPaste({ ...rec, hash: "other", expiresAt: c.expiresAt + 1 }, c, "anthropic:default", NOW).action, "skip-newer");
    assert.equal(planPaste({ ...rec, hash: "other", expiresAt: c.expiresAt - 1 }, c, "anthropic:default", NOW).action, "paste");
  });
  test("the hash depends on the expiry too (a re-issued expiry is pasted again)", () => {
    assert.notEqual(credentialHash("t", 1), credentialHash("t", 2));
  });
});

describe("reload planning", () => {
  test("decideReload: first time and after the window run; inside it defers to the window's end", () => {
    assert.deepEqual(decideReload({}, NOW, 30), { run: true });
    assert.deepEqual(decideReload({ lastAt: NOW - 10_000 }, NOW, 30), { run: false, dueAt: NOW + 20_000 });
    assert.deepEqual(decideReload({ lastAt: NOW - 30_000 }, NOW, 30), { run: true });
    assert.deepEqual(decideReload({ lastAt: NOW }, NOW, 0), { run: true });
  });
  test("reloadArgv per action and mode", () => {
    assert.deepEqual(reloadArgv(config()), { cli: ["secrets", "reload"] });
    assert.deepEqual(reloadArgv(config({ reload: { action: "gateway-restart" } })), { cli: ["gateway", "restart"] });
    assert.deepEqual(reloadArgv(config({ reload: { action: "gateway-restart" } }, { mode: "docker", docker: {} }), "abc"), { argv: ["docker", "restart", "abc"] });
    assert.deepEqual(reloadArgv(config({ reload: { action: "container-recreate", composeDir: "/srv/compose" } }, { mode: "docker", docker: { composeProject: "oc" } })), {
      argv: ["docker", "compose", "--project-name", "oc", "up", "-d", "--force-recreate", "openclaw-gateway"],
      cwd: "/srv/compose",
    });
    assert.match((reloadArgv(config({ reload: { action: "container-recreate" } })) as { error: string }).error, /reload\.composeDir/);
    assert.match((reloadArgv(config({ reload: { action: "command" } })) as { error: string }).error, /reload\.command/);
  });
  test("envReloadAdvice names the action that makes a .env change take effect", () => {
    assert.equal(envReloadAdvice("openclaw-global", "secrets-reload"), "gateway-restart");
    assert.equal(envReloadAdvice("openclaw-global", "none"), "gateway-restart");
    assert.equal(envReloadAdvice("openclaw-global", "gateway-restart"), undefined);
    assert.equal(envReloadAdvice("compose-project", "gateway-restart"), "container-recreate");
    assert.equal(envReloadAdvice("compose-project", "container-recreate"), undefined);
    assert.equal(envReloadAdvice("compose-project", "command"), undefined);
  });
  test("containerLookupArgv filters by Compose labels", () => {
    assert.deepEqual(containerLookupArgv(config({}, { mode: "docker", docker: { composeProject: "p" } })), [
      "docker", "ps", "-q", "--filter", "label=com.docker.compose.service=openclaw-gateway", "--filter", "label=com.docker.compose.project=p",
    ]);
  });
});

describe("OpenClaw lock staleness (pure)", () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  test("dead pid: stale at once; live pid: stale after 30 s by createdAt", () => {
    assert.equal(isLockStale({ pid: 1, createdAt: iso(NOW) }, NOW, NOW, false), true);
    assert.equal(isLockStale({ pid: 1, createdAt: iso(NOW - 29_000) }, NOW, NOW, true), false);
    assert.equal(isLockStale({ pid: 1, createdAt: iso(NOW - 31_000) }, NOW, NOW, true), true);
  });
  test("unchecked pid (docker) or garbage content: age decides, mtime as fallback", () => {
    assert.equal(isLockStale({ pid: 7, createdAt: iso(NOW - 1000) }, NOW, NOW, undefined), false);
    assert.equal(isLockStale(parseLockContent("garbage"), NOW - 31_000, NOW, undefined), true);
    assert.equal(isLockStale(parseLockContent(""), NOW - 1000, NOW, undefined), false);
    assert.deepEqual(parseLockContent('{"pid":12,"createdAt":"x"}'), { pid: 12, createdAt: "x" });
    assert.deepEqual(parseLockContent('{"pid":-1}'), {});
  });
});

describe("misc", () => {
  test("homeFromPasswd", () => {
    const pw = "root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n";
    assert.equal(homeFromPasswd(pw, 1000), "/home/node");
    assert.equal(homeFromPasswd(pw, 1001), undefined);
  });
  test("sync command lines, summary and exit codes", () => {
    const w = { target: "auth-store:main", outcome: "written" as const, path: "/p", detail: "set" };
    assert.equal(formatResult({ ...w, outcome: "unchanged" }), "unchanged: auth-store:main (/p)");
    assert.equal(formatResult({ ...w, outcome: "skipped-newer", detail: "holds a newer token (expires X)" }), "skipped: auth-store:main (/p): holds a newer token (expires X)");
    assert.equal(formatSummary({ results: [{ ...w, outcome: "unchanged" }], changed: false }), "nothing to do");
    assert.equal(syncExitCode({ results: [{ ...w, outcome: "skipped-newer" }], changed: false }), 0);
    assert.equal(syncExitCode({ results: [{ ...w, outcome: "refused" }], changed: false }), 1);
    assert.equal(syncExitCode({ results: [w], changed: true, reload: { action: "secrets-reload", ok: false, detail: "x" } }), 1);
    assert.equal(syncExitCode({ results: [], changed: false, error: "missing", errorExitCode: 66 }), 66);
    assert.match(formatSummary({ results: [w], changed: true, reload: { action: "secrets-reload", ok: true, detail: "", deferredUntil: NOW } }), /deferred until/);
  });
});

describe("serialQueue", () => {
  test("calls never overlap and run in order, also after a rejection", async () => {
    const { serialQueue } = await import("../../../runtime/src/sync/context");
    const serial = serialQueue();
    const events: string[] = [];
    const task = (name: string, ms: number, fail = false) => () =>
      new Promise<string>((resolve, reject) => {
        events.push(`start ${name}`);
        setTimeout(() => {
          events.push(`end ${name}`);
          if (fail) reject(new Error(name));
          else resolve(name);
        }, ms);
      });
    const all = await Promise.allSettled([serial(task("a", 30)), serial(task("b", 5, true)), serial(task("c", 1))]);
    assert.deepEqual(events, ["start a", "end a", "start b", "end b", "start c", "end c"]);
    assert.deepEqual(all.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  });
});
