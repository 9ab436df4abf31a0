/**
 * A process that used the SSH transport and then fails must end promptly: the ControlMaster it
 * started (ControlPersist 60 s, backgrounded with -f) must not hold it open through inherited
 * stdio, a timer or a handle — that is what a failing `pulumi preview` waits for. Runs the
 * program's real failure path in a child: a session, one command, then an uncaught RunError
 * (with a stack frame of the shape that hangs Node's util.inspect) handled the way Pulumi's
 * runner does (util.inspect with colours).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSshd, type Sshd } from "../helpers/sshd";

const REPO = join(__dirname, "..", "..");
/** From the error being reported to the process gone with its pipes closed. ControlPersist (60 s)
 * or Node's inspect loop (minutes) would exceed it; start-up time under load is not counted. */
const EXIT_BOUND_MS = 10_000;

let sshd: Sshd;
let tmp: string;
before(async () => {
  sshd = await startSshd();
  tmp = mkdtempSync(join("/tmp", "ocs-exit-"));
});
after(async () => {
  await sshd?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function runChild(code: string, env: Record<string, string>): Promise<{ code: number | null; ms: number; out: string; timedOut: boolean }> {
  let failedAt: number | undefined;
  return new Promise((resolve) => {
    // Pipes on every fd, like the Pulumi language host: an ssh child inheriting them would keep them open.
    const child = spawn(process.execPath, ["--import", "tsx", "-e", code], { cwd: REPO, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
      if (failedAt === undefined && out.includes("failed:")) failedAt = Date.now();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, 90_000);
    // 'close' = the process exited AND every pipe it (or a descendant) held is closed.
    child.on("close", (c) => {
      clearTimeout(timer);
      resolve({ code: c, ms: failedAt === undefined ? Infinity : Date.now() - failedAt, out, timedOut });
    });
  });
}

test("after an SSH session and a failing program, the process (and its pipes) close within seconds", { timeout: 120_000 }, async () => {
  const code = `
    const util = require("util");
    const pulumi = require("@pulumi/pulumi");
    const { makeInspectSafe } = require(${JSON.stringify(join(REPO, "infra/error-stack.ts"))});
    const { getSession } = require(${JSON.stringify(join(REPO, "infra/ssh/transport.ts"))});
    process.on("uncaughtException", (e) => { util.inspect(e, { colors: true }); console.error("failed:", e.message); process.exitCode = 32; });
    (async () => {
      const s = await getSession(JSON.parse(process.env.OCS_TEST_HOST));
      console.log("remote:", (await s.check("echo facts-ok")).trim());
      const e = new pulumi.RunError("This host cannot run openclaw-oauth-sync yet");
      e.stack = "Error: This host cannot run openclaw-oauth-sync yet\\n    at x (/r/node_modules/@pulumi/resource.ts:1:2)";
      throw makeInspectSafe(e);
    })().catch((e) => setImmediate(() => { throw e; }));
  `;
  const r = await runChild(code, { OCS_TEST_HOST: JSON.stringify(sshd.hostRef()), TMPDIR: tmp });
  assert.ok(!r.timedOut, `the child did not exit: killed after 90 s. Output:\n${r.out}`);
  assert.match(r.out, /remote: facts-ok/);
  assert.match(r.out, /failed: This host cannot run/);
  assert.equal(r.code, 32, r.out);
  assert.ok(r.ms < EXIT_BOUND_MS, `after reporting the error the child took ${r.ms} ms to exit and close its pipes (bound ${EXIT_BOUND_MS} ms). Output:\n${r.out}`);
  // The master outlives the process on purpose (ControlPersist: the provider process reuses it); stop it.
  const { closeAll, getSession } = await import("../../infra/ssh/transport");
  process.env.TMPDIR = tmp;
  try {
    await getSession(sshd.hostRef());
  } finally {
    await closeAll({ exitMasters: true });
  }
});
