/**
 * E2E scenario d: hosts the program must refuse in `pulumi preview`, with the documented
 * messages and within a bound: a host without Node, an unreachable host (closed port; an address
 * nothing answers), and a host-key mismatch (a pinned key the host does not have).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PulumiWorkspace, TestHost, requirePrerequisites } from "./harness";

// Generous: on a loaded 2-core machine a refused no-Node preview was measured at 145–195 s (open
// problem, see README.md, "End-to-end tests"); the unreachable and host-key cases fail much sooner.
const PREVIEW_BOUND_MS = 120_000;

test("e2e refused hosts: no Node, unreachable, host-key mismatch → preview fails with the documented message", { timeout: 900_000 }, async (t) => {
  requirePrerequisites();
  const name = TestHost.uniqueName("d");
  let host: TestHost | undefined;
  const ws = new PulumiWorkspace();
  const keyDir = mkdtempSync(join(tmpdir(), "ocs-e2e-key-"));
  try {
    host = await TestHost.up(name, { noNode: true });
    const h = host;
    t.diagnostic(`boot ${name} (--no-node): ${h.bootMs} ms`);
    await h.sh("useradd -m -u 1000 -U claw && install -d -o claw -g claw /home/claw/.openclaw");
    assert.notEqual((await h.ssh("command -v node")).code, 0, "the --no-node host really has no node");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(keyDir, "other")]);
    const otherKey = readFileSync(join(keyDir, "other.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    const unused = h.address.replace(/\.2$/, ".3"); // in the host's /24, assigned to nobody
    const base = { host: h.address, sshUser: "root", sshHostKey: h.hostKeyLine(), account: "claw" };
    const cases: Array<{ stack: string; config: Record<string, unknown>; expect: RegExp }> = [
      { stack: "nonode", config: base, expect: new RegExp(`${h.address.replace(/\./g, "\\.")}: no node binary found \\(looked on PATH, /usr/bin/node, /usr/local/bin/node\\)\\. The runtime needs Node\\.js >= 18`) },
      { stack: "closedport", config: { ...base, sshPort: 2, sshConnectTimeoutSeconds: 5 }, expect: new RegExp(`cannot reach ${h.address.replace(/\./g, "\\.")}:2 within 5 s`) },
      { stack: "noanswer", config: { ...base, host: unused, sshConnectTimeoutSeconds: 3 }, expect: new RegExp(`cannot reach ${unused.replace(/\./g, "\\.")}:22 within 3 s`) },
      { stack: "hostkey", config: { ...base, sshHostKey: otherKey }, expect: new RegExp(`host key of ${h.address.replace(/\./g, "\\.")}:22 does not match`) },
    ];
    for (const c of cases) {
      await ws.initStack(c.stack, c.config, { sshPrivateKey: h.privateKey() });
      const r = await ws.pulumi(["preview", "--stack", c.stack], { timeoutMs: PREVIEW_BOUND_MS + 30_000 });
      t.diagnostic(`${c.stack}: preview failed after ${r.ms} ms`);
      assert.notEqual(r.code, 0, `${c.stack}: preview must fail`);
      assert.ok(!r.timedOut && r.ms < PREVIEW_BOUND_MS, `${c.stack}: preview took ${r.ms} ms`);
      const out = `${r.stdout}\n${r.stderr}`;
      assert.match(out, c.expect, `${c.stack}: output:\n${out}`);
    }
  } finally {
    rmSync(keyDir, { recursive: true, force: true });
    await ws.cleanup();
    if (host) await host.down();
    else await TestHost.down(name);
  }
});
