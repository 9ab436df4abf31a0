/**
 * Persistent command channels (infra/ssh/channel.ts) against a real OpenSSH sshd on 127.0.0.1.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, runNodeChild } from "../helpers/node-child";
import { startSshd, type Sshd } from "../helpers/sshd";
import { pidAlive } from "../../runtime/src/proc";
import { closeAll, getSession, openSession, runScript, SshError, type OpenSshSession } from "../../infra/ssh/transport";
import { CHANNEL_MAX_STDIN, MAX_CHANNELS } from "../../infra/ssh/channel";

async function waitFor(what: string, ms: number, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out after ${ms} ms waiting for ${what}`);
}

/** Our ssh children (by parent PID and comm), from /proc. */
function sshChildren(): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && comm === "ssh") out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function channelsOf(s: OpenSshSession) {
  assert.ok(s.channels, "channels are on (OCS_SSH_CHANNELS is not 0)");
  return s.channels;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail("expected the call to fail");
}

/** A fresh node process that runs one command over a channel and then just ends (no closeAll). */
const CHILD_RUN = `
  const { getSession } = require(${JSON.stringify(join(REPO, "infra/ssh/transport.ts"))});
  getSession(JSON.parse(process.env.OCS_TEST_HOST)).then(async (s) => {
    const out = await s.check("echo child-ok");
    process.stdout.write(JSON.stringify({ out, pids: s.channels.processes.map((p) => p.pid) }));
  }, (e) => { console.error(String(e)); process.exit(3); });
`;

describe("ssh command channels (real sshd on 127.0.0.1)", () => {
  let sshd: Sshd;
  let s: OpenSshSession;

  before(async () => {
    sshd = await startSshd();
    s = await getSession(sshd.hostRef());
  });
  after(async () => {
    await closeAll({ exitMasters: true });
    await sshd?.stop();
  });

  test("stdout, stderr and exit codes arrive byte-exact (binary, empty, no trailing newline)", async () => {
    const before = sshd.acceptedCount();
    // Every byte value 0..255 on stdout, through the pool directly (it returns bytes).
    const octal = Array.from({ length: 256 }, (_, i) => `\\${i.toString(8).padStart(3, "0")}`).join("");
    const all = await channelsOf(s).run(`printf '${octal}'; printf '${octal}' >&2; exit 9`, Buffer.alloc(0), 10_000);
    assert.ok(all, "served by a channel");
    assert.deepEqual(all.stdout, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    assert.equal(all.code, 9);
    assert.equal(all.stderr, Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString("utf8"));

    assert.deepEqual(await s.run("true"), { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(await s.run("printf 'no newline'; printf 'err no newline' >&2"), { code: 0, stdout: "no newline", stderr: "err no newline" });
    assert.deepEqual(await s.run("printf '\\n\\n'; exit 255"), { code: 255, stdout: "\n\n", stderr: "" });
    assert.deepEqual(await s.run("printf 'ü € 😀 \\r\\t\\\\ x\\n' >&2; exit 1"), { code: 1, stdout: "", stderr: "ü € 😀 \r\t\\ x\n" });
    // A reply line that looks like our trailer or base64 must be data, not framing.
    assert.deepEqual(await s.run("echo '1 0 5'; echo 'QUJD'; echo '1 0 5' >&2"), { code: 0, stdout: "1 0 5\nQUJD\n", stderr: "1 0 5\n" });
    for (const code of [0, 1, 2, 7, 126, 127, 200]) assert.equal((await s.run(`exit ${code}`)).code, code);
    assert.equal((await s.run("no-such-command-ocs")).code, 127);
    assert.equal(sshd.acceptedCount() - before, 0, "no new handshake");
    assert.ok(channelsOf(s).processes.length >= 1 && channelsOf(s).processes.length <= MAX_CHANNELS);
  });

  test("large output (>= 2 MB) arrives complete", async () => {
    const bin = await channelsOf(s).run(
      "f=$(mktemp); head -c 2500000 /dev/urandom >\"$f\"; sha256sum <\"$f\" | cut -d' ' -f1 >&2; cat \"$f\"; rm -f \"$f\"",
      Buffer.alloc(0),
      30_000,
    );
    assert.ok(bin);
    assert.equal(bin.code, 0);
    assert.equal(bin.stdout.length, 2_500_000);
    assert.equal(createHash("sha256").update(bin.stdout).digest("hex"), bin.stderr.trim());
    const text = await s.check("seq 1 400000");
    assert.equal(text, `${Array.from({ length: 400000 }, (_, i) => i + 1).join("\n")}\n`);
    assert.ok(text.length > 2_000_000);
    // and a big stderr keeps its tail, as the spawn path does (64 KiB)
    const r = await s.run("seq 1 100000 >&2; echo done");
    assert.equal(r.stdout, "done\n");
    assert.ok(r.stderr.endsWith("99999\n100000\n") && r.stderr.length === 64 * 1024, `stderr tail of ${r.stderr.length} chars`);
  });

  test("stdin is passed exactly (request-like lines, no final newline, the 64 KiB boundary)", async () => {
    const tricky = "1 aGkK aGkK\n2  \n\\n \\\\ $HOME `id` 'q' \"d\"\r\n\t tab\n\x01\x02\x7f ü 😀\n\n\nno newline at end";
    assert.equal(await s.check("cat", { stdin: tricky }), tricky);
    assert.equal(await s.check("cat", { stdin: "" }), "");
    assert.equal(await s.check("cat", { stdin: Buffer.from("abc\n") }), "abc\n");
    const line = "0123456789abcdef".repeat(4); // 64 bytes
    const atLimit = line.repeat(CHANNEL_MAX_STDIN / 64); // channel
    const overLimit = `${atLimit}x`; // spawn path
    assert.equal(await s.check("cat", { stdin: atLimit }), atLimit);
    assert.equal(await s.check("cat", { stdin: overLimit }), overLimit);
    // A command that does not read its stdin does not disturb the next request.
    assert.equal(await s.check("echo ignored-stdin", { stdin: atLimit }), "ignored-stdin\n");
    assert.equal(await s.check("wc -c", { stdin: "12345" }), "5\n");
  });

  test("60 concurrent commands: each caller gets its own result, on at most 2 channels, one handshake", async () => {
    const before = sshd.acceptedCount();
    const n = 60;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => s.run(`sleep 0.0${i % 5}; echo out-${i}; cat; echo err-${i} >&2; exit ${i % 7}`, { stdin: `in-${i}\n` })),
    );
    results.forEach((r, i) => assert.deepEqual(r, { code: i % 7, stdout: `out-${i}\nin-${i}\n`, stderr: `err-${i}\n` }));
    assert.ok(channelsOf(s).processes.length <= MAX_CHANNELS, JSON.stringify(channelsOf(s).processes));
    assert.equal(sshd.acceptedCount() - before, 0, "no mux client fell back to its own connection");
  });

  test("a command that times out fails as a timeout; its channel goes; the next command succeeds", async () => {
    await s.check("true");
    const t0 = Date.now();
    const e = await rejection(s.check("sleep 30", { timeoutMs: 1000 }));
    assert.ok(e instanceof SshError && e.kind === "timeout", String(e));
    assert.match(e.message, /did not finish within 1 s/);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.equal(await s.check("echo next"), "next\n");
  });

  test("the remote loop killed mid-command → that call fails clearly, the next succeeds", async () => {
    const pool = channelsOf(s);
    const pending = s.check("sleep 30; echo never", { timeoutMs: 60_000 });
    pending.catch(() => undefined);
    await waitFor("a busy channel", 5000, () => pool.processes.some((p) => p.state === "busy"));
    const busy = pool.processes.find((p) => p.state === "busy")!;
    assert.ok(busy.remotePid && busy.remotePid > 1);
    // From another session: the loop is its sshd session's leader, so its process group holds
    // the loop, the command and the sleep (scoped to this channel: other tests' loops live on).
    // TERM, so the loop's EXIT trap still removes its temp dir.
    const other = await openSession(sshd.hostRef());
    await runScript(other, `kill -TERM -${busy.remotePid}`, undefined, { asRoot: true });
    await other.close();
    const t0 = Date.now();
    const e = await rejection(pending);
    assert.ok(e instanceof SshError, String(e));
    assert.match(e.message, /SSH command channel ended .*may or may not have completed/);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.equal(await s.check("echo after-remote-kill"), "after-remote-kill\n");
  });

  test("the local ssh client killed by PID mid-command → that call fails clearly, the next succeeds", async () => {
    const pool = channelsOf(s);
    const pending = s.check("sleep 3; echo late", { timeoutMs: 60_000 });
    pending.catch(() => undefined);
    await waitFor("a busy channel", 5000, () => pool.processes.some((p) => p.state === "busy"));
    const pid = pool.processes.find((p) => p.state === "busy")!.pid!;
    process.kill(pid, "SIGKILL");
    const e = await rejection(pending);
    assert.ok(e instanceof SshError, String(e));
    assert.match(e.message, /SSH command channel ended \(ssh exited with signal SIGKILL\)/);
    await waitFor(`ssh pid ${pid} gone`, 5000, () => !pidAlive(pid));
    assert.equal(await s.check("echo after-local-kill"), "after-local-kill\n");
  });

  test("asRoot scripts with JSON input run as root; the input is in no process's argv", async () => {
    const marker = `secret-${process.pid}-${Date.now()}`;
    const run = runScript(s, 'set -eu\nid -u\nprintf \'%s\\n\' "$OCS_INPUT"\nsleep 1', { token: marker }, { asRoot: true });
    // While it runs, no command line on this machine (the host) carries the input.
    await new Promise((r) => setTimeout(r, 400));
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      let cmdline = "";
      try {
        cmdline = readFileSync(`/proc/${name}/cmdline`, "latin1");
      } catch {
        continue;
      }
      assert.ok(!cmdline.includes(marker) && !cmdline.includes(Buffer.from(marker).toString("base64").slice(0, 16)), `pid ${name} has the input in argv`);
    }
    const out = (await run).split("\n");
    assert.equal(out[0], "0");
    assert.deepEqual(JSON.parse(out[1]!), { token: marker });
    const e = await rejection(runScript(s, "echo context >&2; exit 3", undefined, { asRoot: true }));
    assert.ok(e instanceof SshError && e.kind === "remote-command", String(e));
    assert.match(e.message, /exit code 3: echo context >&2; exit 3: context/);
  });

  test("an idle channel keeps no process alive; its ssh client ends with the process", async () => {
    const r = await runNodeChild(CHILD_RUN, { OCS_TEST_HOST: JSON.stringify(sshd.hostRef()) });
    assert.ok(!r.timedOut, `the child process did not end within 20 s (an open channel kept it alive?): ${r.out}`);
    assert.equal(r.code, 0, r.out);
    const { out, pids } = JSON.parse(r.out) as { out: string; pids: number[] };
    assert.equal(out, "child-ok\n");
    assert.equal(pids.length, 1, "the command ran on a channel");
    await waitFor(`the child's channel ssh pid ${pids[0]} to end`, 3000, () => !pidAlive(pids[0]!));
  });

  test("a host where the loop cannot start → the spawn path, as before", async () => {
    const broken = await startSshd();
    try {
      // A `mktemp` that fails (first on the session PATH): the loop exits before its ready line.
      writeFileSync(join(broken.binDir, "mktemp"), "#!/bin/sh\necho no tmp >&2\nexit 1\n", { mode: 0o755 });
      const b = await openSession(broken.hostRef());
      assert.equal(await b.check("echo via-spawn"), "via-spawn\n");
      assert.match(b.channels?.disabled ?? "", /ssh exited with code 3: no tmp/);
      assert.deepEqual(b.channels?.processes, []);
      assert.equal(await runScript(b, "id -u", undefined, { asRoot: true }), "0\n");
      await b.exitMaster();
    } finally {
      await broken.stop();
    }
  });

  test("closeAll ends every channel's ssh client (checked by PID); none is left behind", async () => {
    await Promise.all([s.check("sleep 0.2"), s.check("sleep 0.2")]);
    const pids = channelsOf(s).processes.map((p) => p.pid!);
    assert.ok(pids.length >= 1);
    for (const pid of pids) assert.ok(pidAlive(pid));
    await closeAll({ exitMasters: true });
    for (const pid of pids) assert.ok(!pidAlive(pid), `ssh pid ${pid} still runs`);
    assert.deepEqual(sshChildren(), [], "no ssh child process of ours is left");
    // A new session afterwards works (and gets new channels).
    s = await getSession(sshd.hostRef());
    assert.equal(await s.check("echo again"), "again\n");
    await closeAll({ exitMasters: true });
    assert.deepEqual(sshChildren(), []);
  });
});
