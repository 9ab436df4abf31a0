/**
 * RemoteFile provider against a real sshd: create → read equals the inputs; each kind of hand
 * edit (content, mode, owner) is read back and diffed; a deleted file reads as gone.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSshd, type Sshd } from "../helpers/sshd";
import { closeAll } from "../../infra/ssh/transport";
import { fileProvider, parseFileState, type FileProps } from "../../infra/hoststate/remote-file.provider";
import { sha256 as sha256Hex } from "../../infra/plan/hash";
import { asRootOnHost, commonProps } from "./fixture";

describe("RemoteFile provider (real sshd)", () => {
  let sshd: Sshd;
  let root: string; // "remote" paths live here: the sshd is on this machine
  before(async () => {
    sshd = await startSshd();
    root = mkdtempSync(join(tmpdir(), "ocs-remotefile-"));
  });
  after(async () => {
    await closeAll({ exitMasters: true });
    await sshd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const props = (path: string, content: string, extra: Partial<FileProps> = {}): FileProps => ({
    ...commonProps(sshd),
    path,
    content,
    sha256: sha256Hex(content),
    mode: "0640",
    owner: "root",
    group: "ocs-test",
    ...extra,
  });

  test("create → read equals the inputs; no-change diff is empty", async () => {
    const p = props(join(root, "new/dir/unit.service"), "[Unit]\nDescription=x\n");
    const { id, outs } = await fileProvider.create(p);
    assert.equal(readFileSync(p.path, "utf8"), p.content);
    const st = statSync(p.path);
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, 0);
    assert.equal(statSync(join(root, "new")).mode & 0o777, 0o755, "created parents are 0755");
    const r = await fileProvider.read(id, outs);
    assert.equal(r.id, id);
    assert.deepEqual(r.inputs, { ...p });
    assert.deepEqual(await fileProvider.diff(id, r.props!, p), { changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test("hand edits of content, mode and owner are read back and diffed; update repairs them", async () => {
    const p = props(join(root, "config.json"), '{"a":1}\n');
    const { id, outs } = await fileProvider.create(p);
    writeFileSync(p.path, '{"a":2}\n'); // content edited by hand
    asRootOnHost(`chmod 0666 '${p.path}' && chown ocs-test:root '${p.path}'`);
    const r = await fileProvider.read(id, outs);
    assert.equal(r.inputs!.sha256, sha256Hex('{"a":2}\n'));
    assert.equal(r.inputs!.mode, "0666");
    assert.equal(r.inputs!.owner, "ocs-test");
    assert.equal(r.inputs!.group, "root");
    const d = await fileProvider.diff(id, r.props!, p);
    assert.equal(d.changes, true);
    assert.deepEqual(d.replaces, []);
    const { outs: repaired } = await fileProvider.update(id, r.props!, p);
    assert.equal(readFileSync(p.path, "utf8"), p.content);
    const again = await fileProvider.read(id, repaired);
    assert.equal((await fileProvider.diff(id, again.props!, p)).changes, false);
  });

  test("a deleted file reads as gone (id ''), so preview plans a create", async () => {
    const p = props(join(root, "gone.txt"), "x\n");
    const { id, outs } = await fileProvider.create(p);
    rmSync(p.path);
    assert.equal((await fileProvider.read(id, outs)).id, "");
  });

  test("delete removes the file; a path change is a replace", async () => {
    const p = props(join(root, "del.txt"), "bye\n");
    const { id, outs } = await fileProvider.create(p);
    assert.deepEqual((await fileProvider.diff(id, outs, { ...p, path: join(root, "other.txt") })).replaces, ["path"]);
    await fileProvider.delete(id, outs);
    assert.throws(() => statSync(p.path));
  });

  test("delete removes our own directory (openclaw-oauth-sync) once empty, never another one", async () => {
    const own = join(root, "openclaw-oauth-sync");
    const a = await fileProvider.create(props(join(own, "a.json"), "a\n"));
    const b = await fileProvider.create(props(join(own, "b.json"), "b\n"));
    const other = await fileProvider.create(props(join(root, "other-dir", "c.json"), "c\n"));
    await fileProvider.delete(a.id, a.outs);
    assert.ok(statSync(own).isDirectory(), "kept while another file is in it");
    await fileProvider.delete(b.id, b.outs);
    assert.throws(() => statSync(own), "removed with its last file");
    await fileProvider.delete(other.id, other.outs);
    assert.ok(statSync(join(root, "other-dir")).isDirectory(), "a directory not named openclaw-oauth-sync stays");
  });

  test("a 0600 secret file: never world-readable, read works through sudo, content only in the secret input", async () => {
    const secret = "webhook-secret-value-123";
    const p = props(join(root, "secrets.json"), JSON.stringify({ s: secret }), { mode: "0600", group: "root" });
    const { id, outs } = await fileProvider.create(p);
    assert.equal(statSync(p.path).mode & 0o777, 0o600);
    const r = await fileProvider.read(id, outs);
    assert.equal(r.inputs!.mode, "0600");
    // The read result carries the content only because it was an input (secret in Pulumi state).
    const { content: _c, ...rest } = r.props!;
    assert.ok(!JSON.stringify(rest).includes(secret));
  });

  test("sourceFile: uploads a local file; state keeps only its path and sha256", async () => {
    const src = join(root, "bundle.cjs");
    const body = Buffer.alloc(300_000, "a");
    writeFileSync(src, body);
    const p: FileProps = { ...props(join(root, "lib/bundle.cjs"), ""), content: undefined, sourceFile: src, sha256: sha256Hex(body), mode: "0644", group: "root" };
    const { id, outs } = await fileProvider.create(p);
    assert.equal(readFileSync(p.path).length, body.length);
    assert.equal(outs.content, undefined);
    const r = await fileProvider.read(id, outs);
    assert.equal(r.inputs!.sha256, p.sha256);
    // A changed sourceFile since the plan is refused instead of uploading something unplanned.
    writeFileSync(src, "changed");
    await assert.rejects(fileProvider.update(id, outs, p), /differs from the planned/);
  });

  test("parseFileState: missing, present, garbage", () => {
    assert.equal(parseFileState("missing\n"), undefined);
    assert.deepEqual(parseFileState(`stat 600 root adm\n${"a".repeat(64)}  /x\n`), { mode: "0600", owner: "root", group: "adm", sha256: "a".repeat(64) });
    assert.throws(() => parseFileState("stat x\n"), /unexpected output/);
  });
});
