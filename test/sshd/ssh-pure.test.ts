/** The SSH transport's pure parts: argv and error classification (no sshd needed). */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { baseArgs, commandArgs, masterArgs, pinnedKnownHostsLine, PINNED_ALIAS } from "../../infra/ssh/args";
import { classifySshFailure, remoteCommandError } from "../../infra/ssh/errors";
import { canonical, diffKeys, normalizeMode } from "../../infra/hoststate/common";

const h = { host: "gw.example", port: 2222, user: "deploy" };

describe("ssh argv", () => {
  test("always verifies host keys, never prompts, bounded, multiplexed", () => {
    const a = baseArgs(h, { controlPath: "/tmp/ocs-ssh-0/c-1" }).join(" ");
    for (const o of ["BatchMode=yes", "StrictHostKeyChecking=yes", "PasswordAuthentication=no", "KbdInteractiveAuthentication=no", "ConnectTimeout=10", "ServerAliveInterval=5", "ServerAliveCountMax=3", "ControlPath=/tmp/ocs-ssh-0/c-1", "ControlPersist=60s"]) {
      assert.ok(a.includes(`-o ${o}`), o);
    }
    assert.ok(!/accept-new|StrictHostKeyChecking=no/.test(a));
    assert.ok(a.includes("-p 2222") && a.includes("-l deploy"));
  });
  test("a pinned key uses a private known_hosts under an alias; a key file is the only identity", () => {
    const a = baseArgs(h, { controlPath: "c", pinnedKnownHosts: "/k/kh", identityFile: "/k/id" }).join(" ");
    assert.ok(a.includes("-o UserKnownHostsFile=/k/kh") && a.includes("-o GlobalKnownHostsFile=/dev/null") && a.includes(`-o HostKeyAlias=${PINNED_ALIAS}`));
    assert.ok(a.includes("-o IdentityFile=/k/id") && a.includes("-o IdentitiesOnly=yes"));
  });
  test("host goes after --, so it can never be read as an option", () => {
    const m = masterArgs(h, { controlPath: "c" });
    assert.deepEqual(m.slice(-2), ["--", "gw.example"]);
    const c = commandArgs(h, { controlPath: "c" }, "true");
    assert.deepEqual(c.slice(-3), ["--", "gw.example", "true"]);
  });
  test("pinnedKnownHostsLine accepts a key line and refuses anything else", () => {
    assert.equal(pinnedKnownHostsLine("ssh-ed25519 AAAAC3Nz comment"), `${PINNED_ALIAS} ssh-ed25519 AAAAC3Nz\n`);
    assert.throws(() => pinnedKnownHostsLine("AAAAC3Nz"), /not an OpenSSH public key/);
    assert.throws(() => pinnedKnownHostsLine("ssh-ed25519 AAA\nevil ssh-rsa BBB"), /not an OpenSSH public key/);
  });
});

describe("ssh failure classification (the OpenSSH 9.2 client's own words)", () => {
  const c = (stderr: string, timedOut = false, phase: "connect" | "command" = "connect") => classifySshFailure(h, { stderr, timedOut, phase }, 10);
  test("mismatch", () => {
    const e = c("@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@\nHost key verification failed.\n");
    assert.equal(e?.kind, "host-key-mismatch");
    assert.match(e!.message, /^host key of gw\.example:2222 does not match the entry in known_hosts: if the host was reinstalled/);
  });
  test("unknown", () => assert.equal(c("No ED25519 host key is known for [gw.example]:2222 and you have requested strict checking.\nHost key verification failed.\n")?.kind, "host-key-unknown"));
  test("auth", () => assert.match(c("deploy@gw.example: Permission denied (publickey).\n")!.message, /^deploy@gw\.example rejected our key/));
  test("refused / dns / timeout", () => {
    assert.match(c("ssh: connect to host gw.example port 2222: Connection refused\n")!.message, /^cannot reach gw\.example:2222 within 10 s: ssh: connect to host .*Connection refused/);
    assert.equal(c("ssh: Could not resolve hostname gw.example: Name or service not known\n")?.kind, "unreachable");
    assert.equal(c("Connection timed out during banner exchange\n")?.kind, "unreachable");
    assert.equal(c("", true)?.kind, "unreachable");
  });
  test("a remote exit 255 without ssh words is not an ssh failure", () => assert.equal(c("my script failed\n", false, "command"), undefined));
  test("remote command error: first meaningful line, stderr tail, sudo hint", () => {
    const e = remoteCommandError(h, "set -eu\n# comment\ncp a b\nrm c", 1, "sudo: a password is required\n");
    assert.match(e.message, /^deploy@gw\.example:2222: remote command failed with exit code 1: cp a b: sudo: a password is required; deploy needs passwordless sudo/);
  });
});

describe("host-state diff helpers", () => {
  const base = { host: { host: "h", port: 22 }, providerVersion: "1", a: { x: 1, y: [1, 2] }, b: "s" };
  test("key order does not matter; a changed value does; the host is a replace; __provider and the key never count", () => {
    assert.equal(canonical({ b: 1, a: 2 }), canonical({ a: 2, b: 1 }));
    assert.equal(diffKeys(base, { ...base, a: { y: [1, 2], x: 1 } }, ["a", "b"]).changes, false);
    assert.equal(diffKeys(base, { ...base, b: "t" }, ["a", "b"]).changes, true);
    assert.deepEqual(diffKeys(base, { ...base, host: { host: "other", port: 22 } }, ["a"]).replaces, ["host"]);
    assert.equal(diffKeys({ ...base, __provider: "old", sshPrivateKey: "k1" } as typeof base, { ...base, __provider: "new", sshPrivateKey: "k2" } as typeof base, ["a", "b"]).changes, false);
    assert.equal(diffKeys(base, { ...base, providerVersion: "2" }, ["a"]).changes, true, "a provider version bump persists new code");
    assert.equal(diffKeys(base, { ...base, b: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, []).changes, true, "unknown during preview");
  });
  test("normalizeMode", () => {
    assert.equal(normalizeMode("644"), "0644");
    assert.equal(normalizeMode(0o600), "0600");
    assert.throws(() => normalizeMode("rw-r--r--"), /not an octal file mode/);
  });
});
