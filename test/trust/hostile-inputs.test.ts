/**
 * SECURITY.md guarantees H1–H8: hostile and odd inputs give one clear error and lose nothing.
 * fast-check over the credentials parser, both editors and the config loader; real files for
 * huge and deeply nested documents, NUL bytes, symlinks out of the target dir, directories in
 * place of files, a read-only filesystem and a full disk (small tmpfs mounts; root only).
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { CredentialsError, parseCredentials, readCredentials } from "../../runtime/src/credentials";
import { loadConfig, parseConfig } from "../../runtime/src/config/load";
import { editJsonText, getJsonPath, JsonEditError, parseJsonText } from "../../runtime/src/edit/json";
import { getEnvEntries, setEnvEntries } from "../../runtime/src/edit/env";
import { ConfigError, UserError } from "../../runtime/src/errors";
import { memoryLogger } from "../../runtime/src/log";
import { runSync } from "../../runtime/src/sync/engine";
import { jsonNestingDepth, MAX_CREDENTIALS_BYTES, MAX_JSON_DEPTH, MAX_STORE_BYTES } from "../../runtime/src/security/limits";
import { writeFileAtomic } from "../../runtime/src/fsx/atomic";
import { fakeAccessToken, fakeCredentialsFile } from "../helpers/tokens";
import { host, leak, mountTmpfs, remount, requireBuild, runtime, targetTokens, type Host } from "./helpers";

const isRoot = process.getuid?.() === 0;
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
const sync = async (h: Host) => runSync(await loadConfig(h.configPath), { log: memoryLogger(), now: () => Date.now() });

/** Strings with the awkward parts: any unicode, NUL and other control bytes, CR/LF, quotes, tokens. */
const nasty = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.array(fc.constantFrom("\0", "\r\n", "\n", "\r", '"', "'", "`", "\\", "=", "#", "{", "}", "[", "]", ":", ",", "export ", "\u2028", "\uFEFF", "é", "😀", fakeAccessToken()), { maxLength: 40 }).map((a) => a.join("")),
);

describe("hostile inputs: property tests", () => {
  test("credentials parser: any text → credentials or a CredentialsError that never quotes a token", () => {
    const token = fakeAccessToken();
    const valid = JSON.stringify(fakeCredentialsFile({ accessToken: token }));
    const mutated = fc.tuple(fc.nat(valid.length), fc.nat(valid.length), nasty).map(([a, b, s]) => valid.slice(0, Math.min(a, b)) + s + valid.slice(Math.max(a, b)));
    fc.assert(
      fc.property(fc.oneof(nasty, mutated, fc.json().map((j) => `{"claudeAiOauth":${j}}`), fc.anything().map((v) => JSON.stringify({ claudeAiOauth: v }) ?? "")), (text) => {
        try {
          const c = parseCredentials(text, "/x/.credentials.json");
          assert.ok(c.accessToken.startsWith("sk-ant-oat"));
        } catch (e) {
          assert.ok(e instanceof CredentialsError, `not a CredentialsError: ${String(e)}`);
          assert.ok(e.message.startsWith("/x/.credentials.json: "));
          assert.equal(leak(e.message, [token]), undefined, "the error quoted the token");
        }
      }),
      { numRuns: 500 },
    );
  });

  test(".env editor: any text → an EnvEditError, or a text where dotenv reads our value and a second run changes nothing", () => {
    const value = fakeAccessToken();
    fc.assert(
      fc.property(nasty, (text) => {
        let r;
        try {
          r = setEnvEntries(text, { ANTHROPIC_OAUTH_TOKEN: value });
        } catch (e) {
          assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
          assert.equal(leak((e as Error).message, [value]), undefined);
          return;
        }
        assert.equal(getEnvEntries(r.text, ["ANTHROPIC_OAUTH_TOKEN"]).ANTHROPIC_OAUTH_TOKEN, value, "dotenv would not read our value back");
        assert.equal(setEnvEntries(r.text, { ANTHROPIC_OAUTH_TOKEN: value }).changed, false, "not idempotent");
      }),
      { numRuns: 500 },
    );
  });

  test("JSON editor: any document → a JsonEditError, or valid JSON with our value set and every other top-level key as it was", () => {
    const value = { type: "token", provider: "anthropic", token: fakeAccessToken(), expires: 1 };
    const docs = fc.oneof(
      nasty,
      fc.json(),
      fc.dictionary(fc.string({ unit: "grapheme", maxLength: 12 }), fc.jsonValue()).map((o) => JSON.stringify({ version: 1, profiles: {}, ...o }, null, fc.sample(fc.constantFrom(0, 2, "\t"), 1)[0])),
    );
    fc.assert(
      fc.property(docs, (text) => {
        let r;
        try {
          r = editJsonText(text, [{ path: ["profiles", "anthropic:default"], value }]);
        } catch (e) {
          assert.ok(e instanceof JsonEditError, `not a JsonEditError: ${String(e)}`);
          return;
        }
        // The editor keeps a leading BOM as it found it (by design); the JSON after it must be valid.
        assert.equal(r.text.startsWith("\uFEFF"), text.startsWith("\uFEFF"), "a BOM was added or dropped");
        const after = parseJsonText(r.text.replace(/^\uFEFF/, "")) as Record<string, unknown>;
        assert.deepEqual(getJsonPath(after, ["profiles", "anthropic:default"]), value);
        if (text.replace(/^\uFEFF/, "").trim() === "") return; // a blank file becomes a new document
        const before = parseJsonText(text.replace(/^\uFEFF/, "")) as Record<string, unknown>;
        for (const k of Object.keys(before)) if (k !== "profiles") assert.deepEqual(after[k], before[k], `key ${k} changed`);
      }),
      { numRuns: 500 },
    );
  });

  test("config loader: any JSON value → a Config or one ConfigError (exit 78) that never quotes a token", () => {
    const token = fakeAccessToken();
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.constant({ claudeCredentials: token, openclaw: { stateDir: token }, targets: [{ kind: token }] })), (raw) => {
        try {
          parseConfig(raw, "cfg.json");
        } catch (e) {
          assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
          assert.equal(e.exitCode, 78);
          assert.equal(leak(e.message, [token]), undefined, "the config error quoted a token");
        }
      }),
      { numRuns: 300 },
    );
  });

  test("nesting depth scanner: matches the real depth of generated JSON, ignores brackets in strings and comments", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        const depth = (x: unknown): number => (typeof x === "object" && x !== null ? 1 + Math.max(0, ...Object.values(x).map(depth)) : 0);
        assert.equal(jsonNestingDepth(JSON.stringify(v)), depth(v));
      }),
    );
    assert.equal(jsonNestingDepth('{"a":"[[[[{{", // [[[\n /* {{{ */ "b":[1]}'), 2);
  });
});

describe("hostile inputs: huge and deep files", () => {
  before(requireBuild);

  test("a 50 MB credentials file: refused in bounded time and memory with a clear error (exit 65 from the bundle)", async () => {
    const h = host();
    try {
      h.writeConfig();
      const f = openSync(h.credPath, "w", 0o600);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 50; i++) writeSync(f, chunk);
      closeSync(f);
      const rss0 = process.memoryUsage().rss;
      const t0 = Date.now();
      await assert.rejects(readCredentials(h.credPath), (e: unknown) => e instanceof CredentialsError && e.problem === "too-large" && /is 50 MiB, more than the 1 MiB this program reads/.test(e.message));
      assert.ok(Date.now() - t0 < 2000, `refusing took ${Date.now() - t0} ms`);
      assert.ok(process.memoryUsage().rss - rss0 < 16 * 1024 * 1024, "refusing the file did not read it into memory");
      const r = spawnSync("/usr/bin/time", ["-f", "maxrss_kb=%M", process.execPath, "dist/runtime/openclaw-oauth-sync.cjs", "--config", h.configPath, "sync"], { encoding: "utf8" });
      assert.equal(r.status, 65, r.stderr);
      assert.match(r.stderr, new RegExp(`${h.credPath}: the credentials file is 50 MiB, more than the 1 MiB`));
      const kb = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1] ?? "0");
      assert.ok(kb > 0 && kb < 150 * 1024, `the runtime's peak RSS was ${kb} KiB`);
      assert.equal(MAX_CREDENTIALS_BYTES, 1024 * 1024);
    } finally {
      h.cleanup();
    }
  });

  test("a 20 MB auth store: the target fails naming the 16 MiB limit, the file is untouched, the other targets are written", async () => {
    const h = host();
    try {
      const tok = h.writeCreds();
      h.writeConfig();
      const store = join(h.agentDir, "auth-profiles.json");
      writeFileSync(store, JSON.stringify({ version: 1, profiles: {}, pad: "x".repeat(20 * 1024 * 1024) }));
      const before = sha(store);
      const r = await sync(h);
      const a = r.results.find((x) => x.target.startsWith("auth-store"))!;
      assert.equal(a.outcome, "failed");
      assert.match(a.detail, /auth-profiles\.json: the file is 20 MiB, more than the 16 MiB this program reads; left untouched/);
      assert.equal(sha(store), before);
      assert.equal(MAX_STORE_BYTES, 16 * 1024 * 1024);
      assert.deepEqual(r.results.filter((x) => x !== a).map((x) => x.outcome), ["written", "written"]);
      assert.equal(readFileSync(h.envPath, "utf8").includes(tok), true);
    } finally {
      h.cleanup();
    }
  });

  test("100,000 nested arrays in an auth store, oauth.json, openclaw.json, the credentials and the config: clear errors, no stack overflow", async () => {
    const h = host();
    try {
      h.writeCreds();
      h.writeConfig();
      const deep = "[".repeat(100_000) + "]".repeat(100_000);
      const store = join(h.agentDir, "auth-profiles.json");
      writeFileSync(store, `{"version":1,"profiles":{},"x":${deep}}`);
      writeFileSync(h.oauthPath, `{"x":${deep}}`);
      writeFileSync(join(h.oc, "openclaw.json"), `{meta:{lastTouchedVersion:"2026.5.1"}, x:${deep}}`);
      const before = sha(store);
      const r = await sync(h);
      for (const x of r.results.filter((y) => !y.target.startsWith("env"))) {
        assert.equal(x.outcome, "refused", `${x.target}: ${x.detail}`);
        assert.match(x.detail, new RegExp(`nested 100001 levels deep, more than the ${MAX_JSON_DEPTH}`));
      }
      assert.equal(sha(store), before, "the deep store was left as it was");
      // The credentials file: V8's JSON.parse is iterative and the schema ignores unknown keys.
      const c = JSON.parse(readFileSync(h.credPath, "utf8"));
      writeFileSync(h.credPath, JSON.stringify(c).slice(0, -1) + `,"x":${deep}}`);
      await readCredentials(h.credPath);
      writeFileSync(h.credPath, `{"claudeAiOauth":${deep}}`);
      await assert.rejects(readCredentials(h.credPath), (e: unknown) => e instanceof CredentialsError && e.problem === "wrong-shape");
      writeFileSync(h.configPath, `{"targets":${deep}}`, { mode: 0o600 });
      await assert.rejects(loadConfig(h.configPath), (e: unknown) => e instanceof ConfigError);
      writeFileSync(h.configPath, "x".repeat(2 * 1024 * 1024), { mode: 0o600 });
      await assert.rejects(loadConfig(h.configPath), (e: unknown) => e instanceof ConfigError && /2 MiB, more than 1 MiB/.test(e.message));
    } finally {
      h.cleanup();
    }
  });

  test("NUL bytes and odd unicode in targets: unparseable JSON is refused and kept; an .env keeps its other bytes", async () => {
    const h = host();
    try {
      const tok = h.writeCreds();
      h.writeConfig();
      const store = join(h.agentDir, "auth-profiles.json");
      writeFileSync(store, '{"version":1,"profiles":{}\0}');
      writeFileSync(h.envPath, "# é 😀 \u2028\nOTHER=keep\nNUL=a\0b\n\uFEFFX=1\n");
      const envBefore = readFileSync(h.envPath, "utf8");
      const before = sha(store);
      const r = await sync(h);
      const a = r.results.find((x) => x.target.startsWith("auth-store"))!;
      assert.equal(a.outcome, "refused");
      assert.equal(sha(store), before);
      const e = r.results.find((x) => x.target.startsWith("env"))!;
      assert.equal(e.outcome, "written", e.detail);
      const envAfter = readFileSync(h.envPath, "utf8");
      assert.ok(envAfter.startsWith(envBefore), "every existing byte of the .env was kept");
      assert.ok(envAfter.includes(tok));
    } finally {
      h.cleanup();
    }
  });
});

describe("hostile inputs: symlinks and directories in place of files", () => {
  test("a target that is a symlink to a file outside its directory and outside openclaw.stateDir is refused; the outside file is untouched", async () => {
    const h = host();
    const outside = mkdtempSync(join(tmpdir(), "oos-outside-"));
    try {
      h.writeCreds();
      const victim = join(outside, "passwd");
      writeFileSync(victim, "root:x:0:0:root:/root:/bin/bash\n");
      const victimJson = join(outside, "victim.json");
      writeFileSync(victimJson, JSON.stringify({ version: 1, profiles: {} }));
      const composeDir = join(h.dir, "compose");
      mkdirSync(composeDir);
      symlinkSync(victim, join(composeDir, ".env"));
      rmSync(join(h.agentDir, "auth-profiles.json"));
      symlinkSync(victimJson, join(h.agentDir, "auth-profiles.json"));
      rmSync(h.envPath);
      symlinkSync(victim, h.envPath);
      h.writeConfig({ targets: [{ kind: "auth-store" }, { kind: "env" }, { kind: "env", path: join(composeDir, ".env"), consumer: "compose-project" }] });
      const before = [sha(victim), sha(victimJson)];
      const r = await sync(h);
      assert.deepEqual(r.results.map((x) => x.outcome), ["failed", "failed", "failed"]);
      for (const x of r.results) assert.match(x.detail, /is a symlink to .*oos-outside-.*, outside .*; refusing to write through it\. Replace the link by a regular file, or point the config at the real file/);
      assert.deepEqual([sha(victim), sha(victimJson)], before, "a file outside the target dirs was changed");
    } finally {
      h.cleanup();
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test("a symlink inside openclaw.stateDir (agents sharing one store) is followed and the link survives", async () => {
    const h = host();
    try {
      const tok = h.writeCreds();
      const work = join(h.oc, "agents", "work", "agent");
      mkdirSync(work, { recursive: true });
      writeFileSync(join(work, "auth-state.json"), "{}\n");
      symlinkSync("../../main/agent/auth-profiles.json", join(work, "auth-profiles.json"));
      h.writeConfig({ targets: [{ kind: "auth-store", agents: ["work"] }] });
      const r = await sync(h);
      assert.equal(r.results[0]!.outcome, "written", r.results[0]!.detail);
      assert.equal(spawnSync("test", ["-L", join(work, "auth-profiles.json")]).status, 0, "the link is still a link");
      assert.equal(targetTokens(h).authStore, tok, "the shared store (the link's target) holds the token");
    } finally {
      h.cleanup();
    }
  });

  test("directories in place of the store, oauth.json, .env and the credentials file: clear errors, nothing removed", async () => {
    const h = host();
    try {
      h.writeCreds();
      h.writeConfig();
      for (const p of [join(h.agentDir, "auth-profiles.json"), h.oauthPath, h.envPath]) {
        rmSync(p, { force: true });
        mkdirSync(p);
        writeFileSync(join(p, "keep"), "x");
      }
      const r = await sync(h);
      for (const x of r.results) {
        assert.equal(x.outcome, "failed", x.target);
        assert.match(x.detail, /is a directory, expected a file: remove it or fix the path in the config/);
      }
      for (const p of [join(h.agentDir, "auth-profiles.json"), h.oauthPath, h.envPath]) assert.ok(existsSync(join(p, "keep")));
      rmSync(h.credPath);
      mkdirSync(h.credPath);
      const r2 = await runtime(["--config", h.configPath, "sync"]);
      assert.equal(r2.code, 65);
      assert.match(r2.stderr, /is a directory, not a file/);
    } finally {
      h.cleanup();
    }
  });
});

describe("hostile inputs: read-only and full filesystems (tmpfs; root only)", { skip: !isRoot && "needs root (mount)" }, () => {
  test("a read-only filesystem: every target fails with the remount fix, the old files are intact, a later sync heals", async () => {
    const h = host();
    const fs = mountTmpfs("1m");
    assert.ok(fs, "mount -t tmpfs failed");
    try {
      const oc = join(fs.dir, "openclaw");
      spawnSync("cp", ["-a", h.oc, oc]);
      const old = h.writeCreds();
      h.writeConfig({ openclaw: { stateDir: oc, version: "2026.5.1" } });
      assert.ok((await sync(h)).results.every((x) => x.outcome === "written"));
      remount(fs.dir, "ro");
      const snap = readdirSync(join(oc, "agents/main/agent")).map((n) => [n, sha(join(oc, "agents/main/agent", n))]);
      h.writeCreds();
      const r = await sync(h);
      for (const x of r.results) {
        assert.equal(x.outcome, "failed", x.target);
        assert.match(x.detail, /cannot write the new version \(EROFS: the filesystem is mounted read-only: remount it read-write \(or fix the path\)\); the old file is unchanged/);
      }
      assert.deepEqual(readdirSync(join(oc, "agents/main/agent")).map((n) => [n, sha(join(oc, "agents/main/agent", n))]), snap);
      assert.match(readFileSync(join(oc, ".env"), "utf8"), new RegExp(old.replace(/[-]/g, "\\-")));
      remount(fs.dir, "rw");
      assert.ok((await sync(h)).results.every((x) => x.outcome === "written"), "healed after remount");
    } finally {
      fs.umount();
      h.cleanup();
    }
  });

  test("a full disk: the write fails naming ENOSPC, the old file is intact and no temp file is left", async () => {
    const fs = mountTmpfs("64k");
    assert.ok(fs, "mount -t tmpfs failed");
    try {
      const target = join(fs.dir, "auth-profiles.json");
      const old = JSON.stringify({ version: 1, profiles: {}, pad: "o".repeat(8000) });
      writeFileSync(target, old);
      // Fill the rest of the filesystem.
      const f = openSync(join(fs.dir, "filler"), "w");
      try {
        for (;;) writeSync(f, Buffer.alloc(4096, 1));
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, "ENOSPC");
      } finally {
        closeSync(f);
      }
      await assert.rejects(writeFileAtomic(target, JSON.stringify({ version: 1, profiles: {}, pad: "n".repeat(20_000) })), (e: unknown) =>
        /auth-profiles\.json: cannot write the new version \(ENOSPC: no space left on the filesystem: free some space\); the old file is unchanged/.test((e as Error).message),
      );
      assert.equal(readFileSync(target, "utf8"), old);
      assert.deepEqual(readdirSync(fs.dir).sort(), ["auth-profiles.json", "filler"], "no temp file left behind");
    } finally {
      fs.umount();
    }
  });
});
