/** runProcess: the one way the runtime starts programs (OpenClaw's CLI, the Claude CLI, docker). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runProcess } from "../../runtime/src/proc";

test("a child that exits while something it started still holds its stdout is done after a short drain, and that process is left alone", async (t) => {
  const started = Date.now();
  // The background sleep inherits stdout (as a daemon started by `openclaw gateway restart` might).
  const r = await runProcess(["/bin/sh", "-c", "sleep 30 & echo $!; echo done"], { timeoutMs: 20_000 });
  const ms = Date.now() - started;
  const pid = Number(r.stdout.split("\n")[0]);
  t.after(() => {
    try {
      process.kill(pid, "SIGKILL"); // ours: the test started it
    } catch {
      // gone
    }
  });
  assert.equal(r.exitCode, 0);
  assert.equal(r.timedOut, false);
  assert.match(r.stdout, /done/);
  assert.ok(ms < 10_000, `returned after ${ms} ms, not after the helper's 30 s or the 20 s timeout`);
  assert.doesNotThrow(() => process.kill(pid, 0), "the process the child started is not killed");
});

test("output written right before exit is not lost, and a timeout still kills the whole group", async () => {
  const r = await runProcess(["/bin/sh", "-c", "printf 'a%.0s' $(seq 1 5000); exit 3"], { timeoutMs: 10_000 });
  assert.equal(r.exitCode, 3);
  assert.equal(r.stdout.length, 5000);
  const hung = await runProcess(["/bin/sh", "-c", "sleep 30"], { timeoutMs: 500 });
  assert.equal(hung.timedOut, true);
});
