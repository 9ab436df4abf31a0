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
import { withTestHost } from "./harness";

// Generous: each refusal ends in 7–17 s (docs/benchmarks.md, "How long `pulumi preview` takes"), but under heavy
// load a preview's wall time grows several-fold.
const PREVIEW_BOUND_MS = 120_000;

test("e2e refused hosts: no Node, unreachable, host-key mismatch → preview fails with the documented message", { timeout: 900_000 }, async (t) => {
  const keyDir = mkdtempSync(join(tmpdir(), "ocs-e2e-key-"));
  t.after(() => rmSync(keyDir, { recursive: true, force: true }));
  await withTestHost(t, { tag: "d", noNode: true }, async (h, ws) => {
    await h.sh("useradd -m -u 1000 -U claw && install -d -o claw -g claw /home/claw/.openclaw");
    assert.notEqual((await h.ssh("command -v node")).code, 0, "the --no-node host really has no node");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(keyDir, "other")]);
    const otherKey = readFileSync(join(keyDir, "other.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    const unused = h.address.replace(/\.2$/, ".3"); // in the host's /24, assigned to nobody
    const base = { account: "claw" };
    const cases: Array<{ stack: string; config: Record<string, unknown>; expect: RegExp }> = [
      { stack: "nonode", config: base, expect: new RegExp(`${h.address.replace(/\./g, "\\.")}: no node binary found \\(looked on PATH, /usr/bin/node, /usr/local/bin/node\\)\\. The runtime needs Node\\.js >= 18`) },
      { stack: "closedport", config: { ...base, sshPort: 2, sshConnectTimeoutSeconds: 5 }, expect: new RegExp(`cannot reach ${h.address.replace(/\./g, "\\.")}:2 within 5 s`) },
      { stack: "noanswer", config: { ...base, host: unused, sshConnectTimeoutSeconds: 3 }, expect: new RegExp(`cannot reach ${unused.replace(/\./g, "\\.")}:22 within 3 s`) },
      { stack: "hostkey", config: { ...base, sshHostKey: otherKey }, expect: new RegExp(`host key of ${h.address.replace(/\./g, "\\.")}:22 does not match`) },
    ];
    for (const c of cases) {
      await ws.initHostStack(c.stack, h, c.config);
      const r = await ws.pulumi(["preview", "--stack", c.stack], { timeoutMs: PREVIEW_BOUND_MS + 30_000 });
      t.diagnostic(`${c.stack}: preview failed after ${r.ms} ms`);
      assert.notEqual(r.code, 0, `${c.stack}: preview must fail`);
      assert.ok(!r.timedOut && r.ms < PREVIEW_BOUND_MS, `${c.stack}: preview took ${r.ms} ms`);
      const out = `${r.stdout}\n${r.stderr}`;
      assert.match(out, c.expect, `${c.stack}: output:\n${out}`);
    }
  });
});
