/**
 * The SSH transport against a real OpenSSH sshd on 127.0.0.1 (test/helpers/sshd.ts).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runNodeChild } from "../helpers/node-child";
import { freePort, startSshd, type Sshd } from "../helpers/sshd";
import { closeAll, getSession, openSession, runScript, SshError, sshArgvFor, connectionKey } from "../../infra/ssh/transport";
import type { HostRef } from "../../infra/contracts";

/** A fresh node process (own ssh session cache) that runs one command over `getSession`. */
const CHILD_RUN = `
  const { getSession } = require(${JSON.stringify(join(REPO, "infra/ssh/transport.ts"))});
  getSession(JSON.parse(process.env.OCS_TEST_HOST)).then((s) => s.check("echo child-ok")).then((o) => { process.stdout.write(o); }, (e) => { console.error(String(e)); process.exit(3); });
`;

async function runInChildProcess(host: HostRef): Promise<{ code: number | null; out: string }> {
  const r = await runNodeChild(CHILD_RUN, { OCS_TEST_HOST: JSON.stringify(host) });
  assert.ok(!r.timedOut, `timed out after 20 s waiting for the child process's ssh command: ${r.out}`);
  return r;
}

async function expectSshError(p: Promise<unknown>, kind: string, re: RegExp): Promise<SshError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof SshError, `expected an SshError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, re);
    return e;
  }
  assert.fail(`expected an SshError of kind ${kind}`);
}

describe("ssh transport (real sshd on 127.0.0.1)", () => {
  let sshd: Sshd;
  let other: Sshd; // a second host: its key is "the pinned key of another host"
  let work: string;

  before(async () => {
    [sshd, other] = await Promise.all([startSshd(), startSshd()]);
    work = mkdtempSync(join(tmpdir(), "ocs-transport-"));
  });
  after(async () => {
    await closeAll({ exitMasters: true });
    await Promise.all([sshd?.stop(), other?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  test("runs commands and a batched script with JSON on stdin over one handshake", async () => {
    const before = sshd.acceptedCount();
    const s = await getSession(sshd.hostRef());
    assert.equal((await s.check("id -un")).trim(), "ocs-test");
    assert.equal((await s.run("exit 4")).code, 4);
    // Quotes, $, newlines and backslashes in the data must arrive unchanged and never be evaluated.
    const data = { a: "it's \"quoted\" $HOME `id` \\n\nline2", n: 3 };
    const out = await runScript(s, "set -eu\nprintf '%s\\n' \"$OCS_INPUT\"\necho second-line", data);
    const [json, second] = out.trim().split("\n");
    assert.deepEqual(JSON.parse(json!), data);
    assert.equal(second, "second-line");
    assert.equal(await runScript(s, "id -u", undefined, { asRoot: true }), "0\n");
    assert.equal(sshd.acceptedCount() - before, 1, "one SSH handshake for all of the above");
    assert.ok(s.masterPid && s.masterPid > 0, "the master's PID is known");
  });

  test("many commands at once stay on the one master (queued below sshd's MaxSessions 10)", async () => {
    const s = await getSession(sshd.hostRef());
    const before = sshd.acceptedCount();
    const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => s.check(`sleep 0.2; echo ${i}`)));
    assert.deepEqual(outs.map((o) => Number(o.trim())), Array.from({ length: 12 }, (_, i) => i));
    assert.equal(sshd.acceptedCount() - before, 0, "no mux client fell back to its own connection");
  });

  test("a remote command failure names the exit code, the command and the stderr tail", async () => {
    const s = await getSession(sshd.hostRef());
    const e = await expectSshError(s.check("echo context >&2; echo boom >&2; exit 7"), "remote-command", /exit code 7: echo context >&2; .*context \| boom/);
    assert.match(e.message, /ocs-test@127\.0\.0\.1:\d+/);
  });

  test("two processes share one master connection (one handshake in the sshd log)", async () => {
    await closeAll({ exitMasters: true }); // start without a master
    const ref = sshd.hostRef();
    const before = sshd.acceptedCount();
    const a = await runInChildProcess(ref);
    assert.equal(a.code, 0, a.out);
    assert.match(a.out, /child-ok/);
    const b = await runInChildProcess(ref);
    assert.equal(b.code, 0, b.out);
    assert.equal(sshd.acceptedCount() - before, 1, "the second process reused the first one's master (ControlPersist)");
    const s = await openSession(ref);
    assert.equal(sshd.acceptedCount() - before, 1, "and so did this process");
    await s.exitMaster();
  });

  test("a pinned key of another host → host-key mismatch message", async () => {
    const ref = sshd.hostRef({ hostKey: other.hostKeyPub });
    await expectSshError(openSession(ref), "host-key-mismatch", /host key of 127\.0\.0\.1:\d+ does not match the pinned hostKey: if the host was reinstalled, update known_hosts/);
  });

  test("no pin and no known_hosts entry → refused (never accept-new)", async () => {
    const cfg = join(work, "ssh_config_empty_kh");
    writeFileSync(cfg, `UserKnownHostsFile ${join(work, "empty_known_hosts")}\nGlobalKnownHostsFile /dev/null\n`);
    const ref = sshd.hostRef({ hostKey: undefined, sshConfigFile: cfg });
    await expectSshError(openSession(ref), "host-key-unknown", /is not in known_hosts/);
    assert.throws(() => statSync(join(work, "empty_known_hosts")), "nothing was added to known_hosts");
  });

  test("the operator's known_hosts (via ssh config) is honoured when no key is pinned", async () => {
    const kh = join(work, "known_hosts");
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPub}\n`);
    const cfg = join(work, "ssh_config_kh");
    writeFileSync(cfg, `UserKnownHostsFile ${kh}\nGlobalKnownHostsFile /dev/null\n`);
    const s = await openSession(sshd.hostRef({ hostKey: undefined, sshConfigFile: cfg }));
    assert.equal((await s.check("echo ok")).trim(), "ok");
    await s.exitMaster();
  });

  test("a closed port → 'cannot reach' quickly", async () => {
    const port = await freePort();
    const t0 = Date.now();
    await expectSshError(openSession({ ...sshd.hostRef(), port }), "unreachable", new RegExp(`cannot reach 127\\.0\\.0\\.1:${port} within 10 s: .*Connection refused`));
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  test("a port that never speaks SSH → 'cannot reach' within the connect timeout, no hang", async () => {
    const silent: Server = createServer(() => undefined); // accepts, never sends a banner
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    try {
      await expectSshError(openSession({ ...sshd.hostRef(), port, connectTimeoutSeconds: 2 }), "unreachable", /cannot reach 127\.0\.0\.1:\d+ within 2 s/);
      assert.ok(Date.now() - t0 < 9000, `took ${Date.now() - t0} ms`);
    } finally {
      silent.close();
    }
  });

  test("a key the host does not accept → '<user>@<host> rejected our key'", async () => {
    const wrongKey = readFileSync(other.clientKeyPath, "utf8");
    await expectSshError(openSession(sshd.hostRef({ privateKey: wrongKey })), "auth", /^ocs-test@127\.0\.0\.1 rejected our key \(the configured sshPrivateKey\)/);
  });

  test("a command that overruns its timeout is killed and reported", async () => {
    const s = await getSession(sshd.hostRef());
    const t0 = Date.now();
    await expectSshError(s.check("sleep 20", { timeoutMs: 1000 }), "timeout", /did not finish within 1 s/);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  });

  test("the private key is never in argv and sits in a 0600 file in a 0700 dir", () => {
    const ref = sshd.hostRef();
    const argv = sshArgvFor(ref).join(" ");
    const keyBody = sshd.clientKey.split("\n")[1]!;
    assert.ok(!argv.includes(keyBody), "key material in argv");
    const idx = sshArgvFor(ref).findIndex((a) => a.startsWith("IdentityFile="));
    const file = sshArgvFor(ref)[idx]!.slice("IdentityFile=".length);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(file, "..")).mode & 0o777, 0o700);
    assert.equal(readFileSync(file, "utf8"), sshd.clientKey);
    // Control sockets are keyed per host+port+user+key: another user gets another master.
    assert.notEqual(connectionKey(ref), connectionKey({ ...ref, user: "root" }));
  });
});
