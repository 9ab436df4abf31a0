/**
 * Issue 8 item 2, SSH defaults: every ssh argv we build verifies the host key strictly, never
 * prompts, never offers passwords, and bounds every wait; a pinned key goes into a private
 * known_hosts holding only that key; the private key is written to a 0600 file, never into argv.
 *
 * The pure argv builder (infra/ssh/args.ts) is checked for every HostRef shape, and the transport
 * (infra/ssh/transport.ts) is driven against a recording stand-in for `ssh` (OCS_SSH_BIN) so the
 * argv it really spawns and the files it really writes are checked too. That a mismatching or
 * unknown host key is refused by a real sshd is proven in test/sshd/transport.test.ts
 * ("a pinned key of another host → host-key mismatch message", "no pin and no known_hosts entry →
 * refused (never accept-new)").
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostRef } from "../../infra/contracts";
import { baseArgs, commandArgs, controlArgs, masterArgs, PINNED_ALIAS, type SshPaths } from "../../infra/ssh/args";

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOcsdefaultstestpinnedkeyAAAAAAAAAAAAAAAAAA test@pin";
// Not a real key: a recognisable body whose presence in argv would be the leak.
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAFAKEPRIVATEKEYBODYforssh-defaults\n-----END OPENSSH PRIVATE KEY-----\n";

/** `-o Key=Value` pairs of an argv, in order. */
function options(argv: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < argv.length - 1; i++) {
    if (argv[i] !== "-o") continue;
    const kv = argv[i + 1]!;
    const eq = kv.indexOf("=");
    out.push([kv.slice(0, eq), kv.slice(eq + 1)]);
  }
  return out;
}

/** The first value ssh uses for a key: with `-o`, the first occurrence wins. */
function first(argv: string[], key: string): string | undefined {
  return options(argv).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
}

/** Asserts the safety defaults that must hold for every argv. */
function assertSafeDefaults(argv: string[], what: string): void {
  assert.equal(first(argv, "BatchMode"), "yes", `${what}: BatchMode`);
  assert.equal(first(argv, "StrictHostKeyChecking"), "yes", `${what}: StrictHostKeyChecking (never accept-new/no)`);
  assert.equal(first(argv, "PasswordAuthentication"), "no", `${what}: PasswordAuthentication`);
  assert.equal(first(argv, "KbdInteractiveAuthentication"), "no", `${what}: KbdInteractiveAuthentication`);
  const connect = Number(first(argv, "ConnectTimeout"));
  assert.ok(Number.isInteger(connect) && connect >= 1 && connect <= 120, `${what}: ConnectTimeout bounded 1..120, got ${first(argv, "ConnectTimeout")}`);
  const interval = Number(first(argv, "ServerAliveInterval"));
  const count = Number(first(argv, "ServerAliveCountMax"));
  assert.ok(interval >= 1 && count >= 1 && interval * count <= 60, `${what}: a dead server is noticed within 60 s (ServerAliveInterval=${interval}, CountMax=${count})`);
  for (const [k, v] of options(argv)) {
    if (k.toLowerCase() === "stricthostkeychecking") assert.equal(v, "yes", `${what}: a later StrictHostKeyChecking=${v}`);
    if (/^(password|kbdinteractive)authentication$/i.test(k)) assert.equal(v, "no", `${what}: a later ${k}=${v}`);
  }
  // Our options precede the destination, so they win over any ssh_config (first value wins).
  const dest = argv.indexOf("--");
  if (dest >= 0) assert.ok(options(argv.slice(dest)).length === 0, `${what}: an -o after the destination`);
  assert.ok(!argv.join("\n").includes("PRIVATE KEY"), `${what}: private key text in argv`);
}

const paths: SshPaths = { controlPath: "/tmp/ocs-ssh-0/c-x", configFile: "/tmp/ocs-ssh-0/cfg-x" };
const refs: Record<string, HostRef> = {
  "bare host": { host: "gw.example" },
  "user, port, long timeout": { host: "10.0.0.7", user: "deploy", port: 2222, connectTimeoutSeconds: 100_000 },
  "zero timeout": { host: "gw.example", connectTimeoutSeconds: 0 },
  "pinned key + private key": { host: "gw.example", hostKey: HOST_KEY, privateKey: PRIVATE_KEY },
};

describe("ssh argv defaults (infra/ssh/args.ts)", () => {
  for (const [name, h] of Object.entries(refs)) {
    test(`${name}: master, command and control argv keep the safe defaults`, () => {
      const p: SshPaths = h.hostKey ? { ...paths, pinnedKnownHosts: "/tmp/ocs-ssh-0/kh-x", identityFile: "/tmp/ocs-ssh-0/k-1/id-x" } : paths;
      assertSafeDefaults(masterArgs(h, p), `${name} master`);
      assertSafeDefaults(commandArgs(h, p, "true"), `${name} command`);
      assertSafeDefaults(controlArgs(h, p, "check"), `${name} control`);
    });
  }

  test("a pinned key: only our known_hosts, looked up under our alias, never updated", () => {
    const argv = baseArgs(refs["pinned key + private key"]!, { ...paths, pinnedKnownHosts: "/k/kh", identityFile: "/k/id" });
    assert.equal(first(argv, "UserKnownHostsFile"), "/k/kh");
    assert.equal(first(argv, "GlobalKnownHostsFile"), "/dev/null");
    assert.equal(first(argv, "HostKeyAlias"), PINNED_ALIAS);
    assert.equal(first(argv, "UpdateHostKeys"), "no");
    assert.equal(first(argv, "IdentityFile"), "/k/id");
    assert.equal(first(argv, "IdentitiesOnly"), "yes");
  });

  test("the check can fail: an argv with accept-new is rejected", () => {
    const bad = ["-o", "StrictHostKeyChecking=accept-new", ...baseArgs(refs["bare host"]!, paths)];
    assert.throws(() => assertSafeDefaults(bad, "bad"), /StrictHostKeyChecking/);
  });
});

describe("ssh transport (infra/ssh/transport.ts) against a recording ssh stand-in", () => {
  let dir: string;
  let log: string;
  const saved = { TMPDIR: process.env.TMPDIR, OCS_SSH_BIN: process.env.OCS_SSH_BIN };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "ocs-sshdef-"));
    log = join(dir, "argv.log");
    const fake = join(dir, "ssh");
    // Records each argv (one arg per line, a blank line after each call); -O check finds no master;
    // the master "connects" nowhere. Quoting: the log path has no quotes (mkdtemp under tmpdir).
    writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done >> '${log}'\necho >> '${log}'\necho "ssh: connect to host gw.example port 22: Connection refused" >&2\nexit 255\n`);
    chmodSync(fake, 0o755);
    process.env.OCS_SSH_BIN = fake;
    process.env.TMPDIR = dir; // privateDir() → <dir>/ocs-ssh-<uid>
  });

  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("spawned argv keeps the defaults; the pin is a private known_hosts; the key is a 0600 file, not argv", async () => {
    // Imported here: transport reads OCS_SSH_BIN when it loads.
    const { openSession, closeAll } = await import("../../infra/ssh/transport");
    const h: HostRef = { host: "gw.example", hostKey: HOST_KEY, privateKey: PRIVATE_KEY, connectTimeoutSeconds: 3 };
    await assert.rejects(openSession(h), /gw\.example/, "the stand-in refuses every connection");
    await closeAll().catch(() => undefined);

    assert.ok(existsSync(log), "the ssh stand-in was never run");
    const calls = readFileSync(log, "utf8").split("\n\n").map((c) => c.split("\n").filter((l) => l !== "")).filter((c) => c.length > 0);
    assert.ok(calls.some((c) => c.includes("-N")), `no master invocation among ${calls.length} ssh calls`);
    const body = "b3BlbnNzaC1rZXktdjEAAAAAFAKEPRIVATEKEYBODY";
    for (const argv of calls) {
      assertSafeDefaults(argv, `spawned ssh ${argv.slice(-2).join(" ")}`);
      assert.ok(!argv.join("\n").includes(body), "private key body in a spawned argv");

      const kh = first(argv, "UserKnownHostsFile");
      assert.ok(kh, "pinned host key but no UserKnownHostsFile");
      const khText = readFileSync(kh, "utf8");
      const [type, key] = HOST_KEY.split(" ");
      assert.equal(khText, `${PINNED_ALIAS} ${type} ${key}\n`, "known_hosts must hold exactly the pinned key");
      assert.equal(statSync(kh).mode & 0o077, 0, `${kh} readable by others`);

      const id = first(argv, "IdentityFile");
      assert.ok(id, "privateKey set but no IdentityFile");
      assert.ok(id.startsWith(dir), `IdentityFile ${id} outside the private dir`);
      if (existsSync(id)) {
        assert.equal(statSync(id).mode & 0o777, 0o600, `${id} must be 0600`);
        assert.equal(readFileSync(id, "utf8"), PRIVATE_KEY);
      }
    }
  });
});
