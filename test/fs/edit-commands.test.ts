import { test, describe, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, statSync, readdirSync, chmodSync, symlinkSync, lstatSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeEditEnvCommand } from "../../runtime/src/commands/edit-env";
import { makeEditJsonCommand } from "../../runtime/src/commands/edit-json";
import type { Command, CommandContext } from "../../runtime/src/commands/types";
import { UserError } from "../../runtime/src/errors";
import { memoryLogger } from "../../runtime/src/log";
import { fakeAccessToken, findLeakedToken } from "../helpers/tokens";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "edit-commands-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: unknown;
  raw: string;
}

/** Runs a command module with a fake context and `request` as its stdin. */
async function run(make: (d: { stdin: () => Promise<string> }) => Command, args: string[], request: unknown): Promise<Run> {
  let raw = "";
  const ctx: CommandContext = {
    args,
    configPath: join(dir, "no-config.json"),
    log: memoryLogger(),
    now: () => Date.now(),
    out: (t) => {
      raw += t;
    },
    stopSignal: new Promise<void>(() => undefined),
  };
  const stdin = async () => (typeof request === "string" ? request : JSON.stringify(request));
  const code = await make({ stdin })(ctx);
  return { code, out: raw ? JSON.parse(raw) : undefined, raw };
}
const env = (args: string[], req: unknown) => run(makeEditEnvCommand, args, req);
const json = (args: string[], req: unknown) => run(makeEditJsonCommand, args, req);

async function rejectsWith(p: Promise<unknown>, exitCode: number, pattern: RegExp): Promise<UserError> {
  let caught: unknown;
  await p.catch((e) => (caught = e));
  assert.ok(caught instanceof UserError, `expected a UserError, got ${String(caught)}`);
  assert.equal(caught.exitCode, exitCode, caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

const mode = (p: string) => statSync(p).mode & 0o7777;
const noTempFiles = () => assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith(".tmp")), []);

describe("edit-env", () => {
  test("creates a missing file with mode 0600, then reports unchanged without writing", async () => {
    const file = join(dir, ".env");
    const token = fakeAccessToken();
    const first = await env([], { file, set: { ANTHROPIC_OAUTH_TOKEN: token } });
    assert.deepEqual(first.out, { changed: true, message: `changed: set ANTHROPIC_OAUTH_TOKEN in ${file}` });
    assert.equal(readFileSync(file, "utf8"), `ANTHROPIC_OAUTH_TOKEN="${token}"\n`);
    assert.equal(mode(file), 0o600);
    const ino = statSync(file).ino;
    const second = await env([], { file, set: { ANTHROPIC_OAUTH_TOKEN: token } });
    assert.deepEqual(second.out, { changed: false, message: `unchanged: ANTHROPIC_OAUTH_TOKEN already set in ${file}` });
    assert.equal(statSync(file).ino, ino, "an unchanged file is not rewritten");
    assert.equal(findLeakedToken(first.raw + second.raw, [token]), undefined);
  });

  test("keeps the mode and owner of an existing file and every other line", async () => {
    const file = join(dir, ".env");
    writeFileSync(file, "# keep me\r\nOTHER=1\r\nexport K='old' # c\r\n");
    chmodSync(file, 0o640);
    const before = statSync(file);
    const r = await env([], { file, set: { K: "new" }, remove: ["GONE"], mode: "0600" });
    assert.deepEqual(r.out, { changed: true, message: `changed: set K in ${file}` });
    assert.equal(readFileSync(file, "utf8"), "# keep me\r\nOTHER=1\r\nexport K='new' # c\r\n");
    const after = statSync(file);
    assert.equal(after.mode & 0o7777, 0o640, "existing mode kept (the request's mode is for new files)");
    assert.equal(after.uid, before.uid);
    assert.equal(after.gid, before.gid);
    noTempFiles();
  });

  test("a new file gets the requested owner and mode", { skip: process.getuid?.() !== 0 ? "needs root to chown" : false }, async () => {
    const file = join(dir, "owned.env");
    await env([], { file, set: { K: "v" }, owner: { uid: 1234, gid: 2345 }, mode: "0640" });
    const st = statSync(file);
    assert.equal(st.uid, 1234);
    assert.equal(st.gid, 2345);
    assert.equal(st.mode & 0o7777, 0o640);
  });

  test("--get prints only the requested keys that are present", async () => {
    const file = join(dir, ".env");
    const other = fakeAccessToken();
    writeFileSync(file, `SECRET_OF_SOMEONE_ELSE="${other}"\nWANTED=yes\n`);
    const r = await env(["--get"], { file, keys: ["WANTED", "MISSING"] });
    assert.deepEqual(r.out, { exists: true, entries: { WANTED: "yes" } });
    assert.equal(findLeakedToken(r.raw, [other]), undefined);
    const missing = await env(["--get"], { file: join(dir, "nope.env"), keys: ["WANTED"] });
    assert.deepEqual(missing.out, { exists: false, entries: {} });
  });

  test("removing from a missing file creates nothing", async () => {
    const file = join(dir, "absent.env");
    const r = await env([], { file, remove: ["K"] });
    assert.deepEqual(r.out, { changed: false, message: `unchanged: K already absent in ${file}` });
    assert.equal(existsSync(file), false);
  });

  test("a missing directory is a clear error and nothing is created", async () => {
    const file = join(dir, "no-such-dir", ".env");
    await rejectsWith(env([], { file, set: { K: "v" } }), 74, /no-such-dir does not exist; create it first/);
    assert.deepEqual(readdirSync(dir), []);
  });

  test("editing through a symlink updates the target and keeps the link", async () => {
    const target = join(dir, "real.env");
    const link = join(dir, "link.env");
    writeFileSync(target, "A=1\n");
    symlinkSync(target, link);
    await env([], { file: link, set: { K: "v" } });
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(target, "utf8"), 'A=1\nK="v"\n');
  });

  test("bad requests exit 64 and name the problem", async () => {
    const file = join(dir, ".env");
    await rejectsWith(env([], { file, set: { "BAD-KEY": "v" } }), 64, /set/);
    await rejectsWith(env([], { file: "relative/.env", set: { K: "v" } }), 64, /absolute path/);
    await rejectsWith(env([], { file, set: { K: "v" }, extra: 1 }), 64, /extra/);
    await rejectsWith(env([], "not json"), 64, /not valid JSON/);
    await rejectsWith(env(["--set"], { file }), 64, /unknown argument "--set"/);
    await rejectsWith(env([], { file, set: { K: "a\u0000b" } }), 64, /NUL/);
  });

  test("a value dotenv cannot read back is refused (exit 65) without echoing it; the file is untouched", async () => {
    const file = join(dir, ".env");
    writeFileSync(file, "A=1\n");
    const token = fakeAccessToken();
    const err = await rejectsWith(env([], { file, set: { K: `${token}"\r` } }), 65, /value for K has no form/);
    assert.equal(findLeakedToken(err.message, [token]), undefined);
    assert.equal(readFileSync(file, "utf8"), "A=1\n");
  });
});

describe("edit-json", () => {
  const openclaw = `// managed partly by openclaw-oauth-sync\n{\n  "meta": { "lastTouchedVersion": "2026.4.12" },\n  "agents": {\n    "defaults": {\n      "model": "openai/gpt-5", // was\n    },\n  },\n}\n`;

  test("sets a path in a JSON5 file with comments, keeps them, and is idempotent", async () => {
    const file = join(dir, "openclaw.json");
    writeFileSync(file, openclaw);
    chmodSync(file, 0o644);
    const req = { file, json5: true, edits: [{ path: ["agents", "defaults", "model"], value: { primary: "anthropic/claude-opus-4-5" } }] };
    const first = await json([], req);
    assert.deepEqual(first.out, { changed: true, message: `changed: set agents.defaults.model in ${file}` });
    const text = readFileSync(file, "utf8");
    assert.ok(text.startsWith("// managed partly by openclaw-oauth-sync\n"));
    assert.ok(text.includes('"meta": { "lastTouchedVersion": "2026.4.12" }'));
    assert.equal(mode(file), 0o644);
    const second = await json([], req);
    assert.deepEqual(second.out, { changed: false, message: `unchanged: agents.defaults.model already set in ${file}` });
    assert.equal(readFileSync(file, "utf8"), text);

    const got = await json(["--get"], { file, json5: true, paths: [["agents", "defaults", "model", "primary"], ["models", "providers", "anthropic"], ["meta"]] });
    assert.deepEqual(got.out, {
      exists: true,
      values: ["anthropic/claude-opus-4-5", null, { lastTouchedVersion: "2026.4.12" }],
      present: [true, false, true],
    });
  });

  test("removes a path (an edit without value) and says so", async () => {
    const file = join(dir, "openclaw.json");
    writeFileSync(file, '{\n  "models": {\n    "providers": {\n      "anthropic": { "baseUrl": "https://api.anthropic.com/v1" }\n    }\n  }\n}\n');
    const r = await json([], { file, edits: [{ path: ["models", "providers", "anthropic"] }, { path: ["never", "there"] }] });
    assert.deepEqual(r.out, { changed: true, message: `changed: removed models.providers.anthropic in ${file}` });
    assert.equal(readFileSync(file, "utf8"), '{\n  "models": {\n    "providers": {}\n  }\n}\n');
  });

  test("an unparseable file exits 65 and is left byte for byte", async () => {
    const file = join(dir, "auth-profiles.json");
    const token = fakeAccessToken();
    const broken = `{\n  "profiles": {\n    "anthropic:default": { "token": "${token}" \n`;
    writeFileSync(file, broken);
    const err = await rejectsWith(json([], { file, edits: [{ path: ["profiles", "x"], value: 1 }] }), 65, /not valid JSON at line 4, column 1.*left unchanged/s);
    assert.ok(err.message.startsWith(file));
    assert.equal(findLeakedToken(err.message, [token]), undefined);
    assert.equal(readFileSync(file, "utf8"), broken);
    noTempFiles();
    await rejectsWith(json(["--get"], { file, paths: [["profiles"]] }), 65, /not valid JSON/);
  });

  test("issue 18: JSON5 as OpenClaw accepts it (unquoted keys, trailing commas) is edited in place; Infinity exits 65 with the position", async () => {
    const file = join(dir, "openclaw.json");
    const text = "{\n  agents: { defaults: {} },\n}\n";
    writeFileSync(file, text);
    const r = await json([], { file, json5: true, edits: [{ path: ["agents", "defaults", "model"], value: "x" }] });
    assert.equal((r.out as { changed: boolean }).changed, true);
    assert.equal(readFileSync(file, "utf8"), '{\n  agents: { defaults: { "model": "x" } },\n}\n');
    writeFileSync(file, text);
    const inf = join(dir, "inf.json");
    writeFileSync(inf, "{\n  a: Infinity,\n}\n");
    await rejectsWith(json([], { file: inf, json5: true, edits: [{ path: ["b"], value: 1 }] }), 65, /uses Infinity, which JSON cannot carry at line 2, column 6/);
    assert.equal(readFileSync(inf, "utf8"), "{\n  a: Infinity,\n}\n");
    // Reading full JSON5 works.
    const got = await json(["--get"], { file, json5: true, paths: [["agents", "defaults"]] });
    assert.deepEqual(got.out, { exists: true, values: [{}], present: [true] });
  });

  test("a missing file: exit 66 unless createIfMissing, then created with the requested mode", async () => {
    const file = join(dir, "new.json");
    const edits = [{ path: ["version"], value: 1 }];
    await rejectsWith(json([], { file, edits }), 66, /does not exist.*createIfMissing/);
    assert.equal(existsSync(file), false);
    const r = await json([], { file, edits, createIfMissing: true, mode: "0640" });
    assert.equal((r.out as { changed: boolean }).changed, true);
    assert.equal(readFileSync(file, "utf8"), '{\n  "version": 1\n}\n');
    assert.equal(mode(file), 0o640);
    const missing = await json(["--get"], { file: join(dir, "nope.json"), paths: [["a"], ["b"]] });
    assert.deepEqual(missing.out, { exists: false, values: [null, null], present: [false, false] });
  });

  test("a missing directory is a clear error", async () => {
    const file = join(dir, "gone", "openclaw.json");
    await rejectsWith(json([], { file, edits: [{ path: ["a"], value: 1 }], createIfMissing: true }), 74, /gone does not exist/);
  });

  test("bad requests exit 64", async () => {
    const file = join(dir, "x.json");
    await rejectsWith(json([], { file, edits: [{ path: ["a", -1], value: 1 }] }), 64, /edits/);
    await rejectsWith(json([], { file, edits: [], json5: "yes" }), 64, /json5/);
    await rejectsWith(json(["--get"], { file, paths: "a.b" }), 64, /paths/);
  });
});
