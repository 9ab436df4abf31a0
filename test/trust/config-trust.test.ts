/**
 * SECURITY.md guarantee S5–S6: the runtime refuses to start (exit 78) with a config file or a
 * channel-secrets file that another account could change, naming the file, its mode/owner and
 * the fix. Whoever can write the config decides what we run as root (refresh.command,
 * reload.command, a command channel) and where alerts go.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { loadConfig, trustProblem } from "../../runtime/src/config/load";
import { ConfigError } from "../../runtime/src/errors";
import { requireBuild, runtime } from "./helpers";

const isRoot = process.getuid?.() === 0;

function scratch(): { dir: string; config: string; secrets: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "oos-trust-cfg-"));
  const secrets = join(dir, "notify-secrets.json");
  writeFileSync(secrets, JSON.stringify({ hook: "http://127.0.0.1:9/x" }), { mode: 0o600 });
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      claudeCredentials: join(dir, "creds.json"),
      stateDir: join(dir, "state"),
      openclaw: { stateDir: dir },
      targets: [{ kind: "env" }],
      reload: { action: "none" },
      notify: { secretsFile: secrets, channels: [{ type: "webhook", urlSecret: "hook" }] },
    }),
    { mode: 0o644 },
  );
  return { dir, config, secrets, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function refused(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.exitCode, 78);
    assert.match(e.message, re);
    return true;
  });
}

describe("config trust: refuse files others can change", () => {
  before(requireBuild);

  test("pure rule: refused exactly when group/other-writable, or owned by neither root nor us", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0o7777 }), fc.constantFrom(0, 1000, 4321), fc.constantFrom(0, 1000), (mode, uid, me) => {
        const p = trustProblem("/etc/x.json", "the config file", { uid, gid: 0, mode: 0o100000 | mode }, me);
        const bad = (mode & 0o022) !== 0 || (uid !== 0 && uid !== me);
        assert.equal(p !== undefined, bad, `mode ${mode.toString(8)} uid ${uid} me ${me}`);
        if (p) assert.match(p, /^\/etc\/x\.json: .*(chmod 600|chown root:)/);
      }),
    );
  });

  test("a world-writable or group-writable config is refused with its mode and the chmod fix; 0644 and 0600 are fine", async () => {
    const s = scratch();
    try {
      await loadConfig(s.config); // 0644, root: accepted
      chmodSync(s.config, 0o600);
      await loadConfig(s.config);
      chmodSync(s.config, 0o666);
      await refused(loadConfig(s.config), new RegExp(`${s.config}: the config file is writable by group and others \\(mode 0666, owner uid \\d+\\).*Fix: chmod 600 ${s.config}.*refusing to start`));
      chmodSync(s.config, 0o664);
      await refused(loadConfig(s.config), /writable by group \(mode 0664/);
    } finally {
      s.cleanup();
    }
  });

  test("as root: a config owned by another (non-root) account is refused with the chown fix; as that account it is accepted", { skip: !isRoot && "needs root (chown)" }, async () => {
    const s = scratch();
    try {
      chownSync(s.config, 4321, 4321);
      await refused(loadConfig(s.config), new RegExp(`owned by uid 4321 \\(mode 0644\\), but this program runs as root.*Fix: chown root: ${s.config}`));
      await loadConfig(s.config, { uid: 4321 }).catch((e: Error) => assert.doesNotMatch(e.message, /config file is owned/));
    } finally {
      s.cleanup();
    }
  });

  test("a channel-secrets file writable by others, or owned by another account, stops every command at start", { skip: !isRoot && "needs root (chown)" }, async () => {
    const s = scratch();
    try {
      chmodSync(s.secrets, 0o622);
      await refused(loadConfig(s.config), new RegExp(`${s.secrets}: notify.secretsFile is writable by group and others \\(mode 0622.*chmod 600`));
      chmodSync(s.secrets, 0o600);
      chownSync(s.secrets, 4321, 0);
      await refused(loadConfig(s.config), /notify\.secretsFile is owned by uid 4321.*chown root:/);
      chownSync(s.secrets, 0, 0);
      await loadConfig(s.config);
    } finally {
      s.cleanup();
    }
  });

  test("the bundle: every command exits 78 with one clear line naming the file; nothing is read or written", async () => {
    const s = scratch();
    try {
      chmodSync(s.config, 0o646);
      for (const cmd of [["sync"], ["refresh"], ["status"], ["doctor"], ["notify", "--test"], ["watch"]]) {
        const r = await runtime(["--config", s.config, ...cmd]);
        assert.equal(r.code, 78, `${cmd.join(" ")}: exit ${r.code}\n${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${s.config}: the config file is writable by others \\(mode 0646.*chmod 600`), cmd.join(" "));
      }
    } finally {
      s.cleanup();
    }
  });
});
