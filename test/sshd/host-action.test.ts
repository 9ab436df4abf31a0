/**
 * HostAction against a real sshd, and the provider-wide connection settings from `configure`
 * (a rotated SSH key in the stack config must work for refresh/delete of old state).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, chmodSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSshd, type Sshd } from "../helpers/sshd";
import { closeAll } from "../../infra/ssh/transport";
import { actionProvider, type ActionProps } from "../../infra/hoststate/host-action.provider";
import { configureFromStack, hostRefOf, resetConfigured } from "../../infra/hoststate/common";
import { fileProvider } from "../../infra/hoststate/remote-file.provider";
import { sha256 as sha256Hex } from "../../infra/plan/hash";
import { commonProps } from "./fixture";

describe("HostAction provider (real sshd)", () => {
  let sshd: Sshd;
  let other: Sshd;
  let root: string;
  before(async () => {
    [sshd, other] = await Promise.all([startSshd(), startSshd()]);
    root = mkdtempSync(join(tmpdir(), "ocs-action-"));
    chmodSync(root, 0o755);
  });
  after(async () => {
    resetConfigured();
    await closeAll({ exitMasters: true });
    await Promise.all([sshd?.stop(), other?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  const props = (over: Partial<ActionProps> = {}): ActionProps => ({
    ...commonProps(sshd),
    command: `id -u >> '${join(root, "runs")}'`,
    triggers: ["t1"],
    when: "create-and-update",
    ...over,
  });
  const runs = () => (existsSync(join(root, "runs")) ? readFileSync(join(root, "runs"), "utf8").trim().split("\n") : []);

  test("runs on create (as root), not on read or an unchanged update, again when triggers change", async () => {
    const p = props();
    const { id, outs } = await actionProvider.create(p);
    assert.deepEqual(runs(), ["0"]);
    const r = await actionProvider.read(id, outs);
    assert.deepEqual(r.inputs, p);
    assert.equal((await actionProvider.diff(id, outs, p)).changes, false);
    await actionProvider.update(id, outs, p);
    assert.equal(runs().length, 1);
    const p2 = props({ triggers: ["t2"] });
    assert.equal((await actionProvider.diff(id, outs, p2)).changes, true);
    await actionProvider.update(id, outs, p2);
    assert.equal(runs().length, 2);
    await actionProvider.delete(id, outs);
    assert.equal(runs().length, 2, "delete runs nothing");
  });

  test('when: "create" never re-runs; asRoot false runs as the ssh user; a failure names the command', async () => {
    const p = props({ when: "create", asRoot: false, command: `id -u >> '${join(root, "runs2")}'` });
    chmodSync(root, 0o777);
    const { id, outs } = await actionProvider.create(p);
    await actionProvider.update(id, outs, { ...p, triggers: ["t9"] });
    const lines = readFileSync(join(root, "runs2"), "utf8").trim().split("\n");
    assert.equal(lines.length, 1);
    assert.notEqual(lines[0], "0");
    chmodSync(root, 0o755);
    await assert.rejects(actionProvider.create(props({ command: "echo step-one >&2\nfalse" })), /exit code 1: echo step-one >&2: step-one/);
  });

  test("the stack config's SSH settings for the same host win over those in state (key rotation)", async () => {
    const path = join(root, "rotated.txt");
    const p = { ...commonProps(sshd), path, content: "x\n", sha256: sha256Hex("x\n"), mode: "0644", owner: "root", group: "root" };
    const { id, outs } = await fileProvider.create(p);
    await closeAll({ exitMasters: true }); // no master to reuse: a fresh handshake is needed
    const stale = { ...outs, sshPrivateKey: other.clientKey }; // state holds a key the host no longer accepts
    await assert.rejects(fileProvider.read(id, stale), /rejected our key/);
    configureFromStack({ get: (k: string) => ({ host: "127.0.0.1", sshPrivateKey: sshd.clientKey, sshPort: String(sshd.port) })[k] });
    try {
      assert.equal(hostRefOf(stale).privateKey, sshd.clientKey);
      assert.equal(hostRefOf({ ...stale, host: { host: "elsewhere" } }).privateKey, other.clientKey, "another host keeps its own settings");
      const r = await fileProvider.read(id, stale);
      assert.equal(r.id, id);
    } finally {
      resetConfigured();
    }
  });
});
