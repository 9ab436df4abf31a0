/**
 * EnvEntries and JsonKeys providers against a real sshd, using the bundled runtime's
 * `edit-env` / `edit-json` subcommands installed on the "host" (a tmp path) and run as root.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSshd, type Sshd } from "../helpers/sshd";
import { closeAll } from "../../infra/ssh/transport";
import { envProvider, type EnvProps } from "../../infra/hoststate/env-entries.provider";
import { jsonProvider, type JsonProps } from "../../infra/hoststate/json-keys.provider";
import { fakeAccessToken } from "../helpers/tokens";
import { commonProps, runtimeBundle } from "./fixture";


describe("EnvEntries / JsonKeys providers (real sshd, bundled runtime)", () => {
  let sshd: Sshd;
  let root: string;
  let runtime: { node: string; bundle: string };
  before(async () => {
    sshd = await startSshd();
    root = mkdtempSync(join(tmpdir(), "ocs-edits-"));
    chmodSync(root, 0o755);
    // The bundle `npm run build` makes, "installed" in a tmp path as on a host.
    const bundle = join(root, "openclaw-oauth-sync.cjs");
    copyFileSync(runtimeBundle(), bundle);
    runtime = { node: process.execPath, bundle };
  });
  after(async () => {
    await closeAll({ exitMasters: true });
    await sshd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const envProps = (path: string, entries: Record<string, string>, extra: Partial<EnvProps> = {}): EnvProps => ({ ...commonProps(sshd), path, entries, runtime, ...extra });

  test("EnvEntries: create → read equals; hand edits are read back and diffed; other lines and the token untouched; delete removes only ours", async () => {
    const path = join(root, ".env");
    const token = fakeAccessToken();
    writeFileSync(path, `# OpenClaw env\nOTHER=keep\nANTHROPIC_OAUTH_TOKEN=${token}\n`, { mode: 0o600 });
    const p = envProps(path, { OPENCLAW_MODEL: "anthropic/claude-opus-4-5", SYNC_LOG: "info" });
    const { id, outs } = await envProvider.create(p);
    let text = readFileSync(path, "utf8");
    assert.match(text, /^OPENCLAW_MODEL=/m);
    assert.match(text, /^OTHER=keep$/m);
    let r = await envProvider.read(id, outs);
    assert.deepEqual(r.inputs, p);
    assert.equal((await envProvider.diff(id, r.props!, p)).changes, false);
    assert.ok(!JSON.stringify(r).includes(token), "the token never reaches provider results");

    assert.match(text, /^SYNC_LOG=/m);
    writeFileSync(path, text.replace(/^SYNC_LOG=.*$/m, "SYNC_LOG=debug").replace(/^OPENCLAW_MODEL=.*\n/m, ""));
    r = await envProvider.read(id, r.props!);
    assert.deepEqual(r.inputs!.entries, { SYNC_LOG: "debug" });
    assert.equal((await envProvider.diff(id, r.props!, p)).changes, true);
    const { outs: repaired } = await envProvider.update(id, r.props!, p);
    r = await envProvider.read(id, repaired);
    assert.deepEqual(r.inputs!.entries, p.entries);

    // Dropping a key from the inputs removes it on update.
    const p2 = envProps(path, { OPENCLAW_MODEL: "anthropic/claude-opus-4-5" });
    const { outs: o2 } = await envProvider.update(id, repaired, p2);
    assert.doesNotMatch(readFileSync(path, "utf8"), /SYNC_LOG/);

    await envProvider.delete(id, o2);
    text = readFileSync(path, "utf8");
    assert.doesNotMatch(text, /OPENCLAW_MODEL/);
    assert.equal(text, `# OpenClaw env\nOTHER=keep\nANTHROPIC_OAUTH_TOKEN=${token}\n`, "every other line byte for byte");
    rmSync(path);
    assert.equal((await envProvider.read(id, o2)).id, "", "a missing file reads as gone");
  });

  test("EnvEntries: keys to remove stay absent (drift when one comes back), previous values restored on delete, no removed value ever in results", async () => {
    const path = join(root, "restore.env");
    const stray = "sk-ant-api03-stray-key-that-must-go-AAAAAAAAAAAAAAAAAAAAAA";
    writeFileSync(path, `OPENCLAW_LOG_LEVEL=debug\nANTHROPIC_API_KEY=${stray}\nOTHER=keep\n`, { mode: 0o600 });
    const p = envProps(path, { OPENCLAW_LOG_LEVEL: "info", NEW_KEY: "1" }, { absent: ["ANTHROPIC_API_KEY"] });
    const { id, outs } = await envProvider.create(p);
    assert.deepEqual(outs.previous, { OPENCLAW_LOG_LEVEL: "debug", NEW_KEY: null });
    assert.equal(readFileSync(path, "utf8"), "OPENCLAW_LOG_LEVEL=info\nOTHER=keep\nNEW_KEY=\"1\"\n");
    let r = await envProvider.read(id, outs);
    assert.deepEqual(r.inputs, p, "no drift; previous is an output, not an input");
    // The stray key comes back by hand: the read shows it as drift, without its value.
    writeFileSync(path, readFileSync(path, "utf8") + `ANTHROPIC_API_KEY=${stray}\n`);
    r = await envProvider.read(id, r.props!);
    assert.deepEqual(r.inputs!.absent, []);
    assert.equal((await envProvider.diff(id, r.props!, p)).changes, true);
    assert.ok(!JSON.stringify(r).includes(stray), "a removed key's value never reaches provider results");
    const { outs: repaired } = await envProvider.update(id, r.props!, p);
    assert.doesNotMatch(readFileSync(path, "utf8"), /ANTHROPIC_API_KEY/);
    await envProvider.delete(id, repaired);
    assert.equal(readFileSync(path, "utf8"), "OPENCLAW_LOG_LEVEL=debug\nOTHER=keep\n", "previous value back, our new key gone, the removed key stays removed");
  });

  test("EnvEntries: a new file gets the owner/group/mode asked for (names resolved on the host)", async () => {
    const path = join(root, "new.env");
    await envProvider.create(envProps(path, { A: "1" }, { owner: "ocs-test", group: "root", mode: "0640" }));
    const st = statSync(path);
    assert.equal(st.mode & 0o777, 0o640);
    assert.equal(st.uid, Number(require("node:child_process").execFileSync("id", ["-u", "ocs-test"], { encoding: "utf8" })));
    await assert.rejects(envProvider.create(envProps(join(root, "x.env"), { A: "1" }, { owner: "no-such-user-x", group: "root" })), /no such user/);
  });

  const jsonProps = (path: string, values: JsonProps["values"], extra: Partial<JsonProps> = {}): JsonProps => ({
    ...commonProps(sshd),
    path,
    json5: true,
    values,
    restoreOnDelete: true,
    runtime,
    createIfMissing: false,
    ...extra,
  });

  test("JsonKeys: records previous values, reads live values, shows a hand edit, restores on delete", async () => {
    const path = join(root, "openclaw.json");
    const original = `{
  // OpenClaw config (JSON5)
  "agents": { "defaults": { "model": { "primary": "openai/gpt-5", "fallbacks": ["x/y"] } } },
  "gateway": { "port": 18789 },
  "models": { "providers": { "anthropic": { "baseUrl": "broken" } } },
}
`;
    writeFileSync(path, original);
    const p = jsonProps(path, [
      { path: ["agents", "defaults", "model", "primary"], value: "anthropic/claude-opus-4-5" },
      { path: ["agents", "defaults", "models", "anthropic/claude-opus-4-5"], value: { alias: "opus" } },
      { path: ["models", "providers", "anthropic"] }, // must be absent
    ]);
    const { id, outs } = await jsonProvider.create(p);
    assert.deepEqual(outs.previous, [
      { path: ["agents", "defaults", "model", "primary"], present: true, value: "openai/gpt-5" },
      { path: ["agents", "defaults", "models", "anthropic/claude-opus-4-5"], present: false },
      { path: ["models", "providers", "anthropic"], present: true, value: { baseUrl: "broken" } },
    ]);
    const text = readFileSync(path, "utf8");
    assert.match(text, /\/\/ OpenClaw config \(JSON5\)/, "comments survive");
    assert.match(text, /claude-opus-4-5/);
    let r = await jsonProvider.read(id, outs);
    assert.deepEqual(r.inputs, p);
    assert.equal((await jsonProvider.diff(id, r.props!, p)).changes, false);

    const edited = readFileSync(path, "utf8").replace(/"primary": "anthropic\/claude-opus-4-5"/, '"primary": "openai/gpt-5"');
    assert.notEqual(edited, readFileSync(path, "utf8"), "the hand edit changed the file");
    writeFileSync(path, edited);
    r = await jsonProvider.read(id, r.props!);
    assert.deepEqual(r.inputs!.values[0], { path: ["agents", "defaults", "model", "primary"], value: "openai/gpt-5" });
    assert.equal((await jsonProvider.diff(id, r.props!, p)).changes, true);
    const { outs: repaired } = await jsonProvider.update(id, r.props!, p);
    r = await jsonProvider.read(id, repaired);
    assert.equal((await jsonProvider.diff(id, r.props!, p)).changes, false);
    assert.deepEqual(repaired.previous, outs.previous, "previous values survive updates");

    await jsonProvider.delete(id, r.props!);
    const restored = readFileSync(path, "utf8");
    assert.match(restored, /"primary": "openai\/gpt-5"/);
    assert.match(restored, /"baseUrl": "broken"/, "a removed key comes back on delete");
    assert.doesNotMatch(restored, /opus/, "a key that was absent is removed again");
    assert.match(restored, /\/\/ OpenClaw config/);
  });

  test("JsonKeys: a path dropped from the inputs is restored on update; a missing file reads as gone and is refused on create", async () => {
    const path = join(root, "c.json");
    writeFileSync(path, JSON.stringify({ a: 1, b: 2 }, null, 2) + "\n");
    const p = jsonProps(path, [{ path: ["a"], value: 10 }, { path: ["b"], value: 20 }], { json5: false });
    const { id, outs } = await jsonProvider.create(p);
    const { outs: o2 } = await jsonProvider.update(id, outs, jsonProps(path, [{ path: ["a"], value: 10 }, { path: ["c"], value: 30 }], { json5: false }));
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { a: 10, b: 2, c: 30 });
    assert.deepEqual(o2.previous.map((x) => x.path), [["a"], ["c"]]);
    rmSync(path);
    assert.equal((await jsonProvider.read(id, o2)).id, "");
    await assert.rejects(jsonProvider.create(p), /does not exist/);
    assert.equal(existsSync(path), false);
  });
});
