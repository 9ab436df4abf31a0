/**
 * kill -9 in the middle of writes. OCS_CRASH_CYCLES cycles (default 100; run with 500 for the
 * trust issue), alternating `sync` and `watch` of the bundled runtime:
 *   sync:  change the source, start `sync`, SIGKILL it 0–30 ms after its first output line
 *          (it prints one line per target as it goes, so the kill lands among the writes);
 *   watch: start `watch`, wait for its start sync, change the source, SIGKILL 0–30 ms later.
 * After each kill every target must parse and hold either the token it held before the cycle or
 * the new one: never a mix, never empty. Only the PIDs this test started are killed.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fakeAccessToken, findLeakedToken } from "../helpers/tokens";
import {
  allEqual,
  credsText,
  ensureBundle,
  readTargets,
  sleep,
  startRuntime,
  waitFor,
  within,
  writeCredsAtomic,
  type RuntimeChild,
  type TargetTokens,
} from "./watch-fixture";
import { runtimeSuite } from "./runtime-suite";

const CYCLES = Number(process.env.OCS_CRASH_CYCLES ?? 100);

before(() => ensureBundle());
const suite = runtimeSuite();

function waitForOutput(rt: RuntimeChild, re: RegExp, what: string, timeoutMs: number): Promise<void> {
  return waitFor(what, () => re.test(rt.output()) || rt.child.exitCode !== null, timeoutMs, 1);
}

test(`kill -9 during writes, ${CYCLES} cycles: every target holds the old or the new token, whole`, async () => {
  const fx = suite.fixture("crash", { resyncIntervalSeconds: 0, lockTimeoutMs: 300 });
  let exp = Date.now() + 3600_000;
  const first = fakeAccessToken();
  const tokens: string[] = [first];
  writeCredsAtomic(fx.credsPath, credsText(first, exp), true);
  const init = startRuntime(fx.configPath, ["sync"]);
  assert.equal(await within(init.exited, 30_000, "sync did not finish"), 0, init.output());
  assert.ok(allEqual(readTargets(fx), first), "the first sync wrote every target");

  const stats = { killedBeforeWrite: 0, partial: 0, allNew: 0, deadPidLocks: 0, emptyLocks: 0 };
  let output = "";
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    let before: TargetTokens = readTargets(fx);
    const next = fakeAccessToken();
    tokens.push(next);
    exp += 1000;
    const delay = Math.floor(Math.random() * 31);
    const mode = cycle % 2 === 0 ? "sync" : "watch";
    let current: RuntimeChild;
    if (mode === "sync") {
      writeCredsAtomic(fx.credsPath, credsText(next, exp), true);
      current = suite.start(fx.configPath, ["sync"]);
      await waitForOutput(current, /\S/, "the sync's first output line", 30_000);
    } else {
      current = suite.start(fx.configPath, ["watch"]);
      await waitForOutput(current, /^sync done reason=start/m, "the watcher's start sync", 30_000);
      // The start sync heals what the previous kill left half done: that is the "old" state now.
      before = readTargets(fx);
      writeCredsAtomic(fx.credsPath, credsText(next, exp), true);
    }
    await sleep(delay);
    current.child.kill("SIGKILL");
    await within(current.exited, 10_000, "not reaped");
    output += current.output();

    let after: TargetTokens;
    try {
      after = readTargets(fx);
    } catch (e) {
      assert.fail(`cycle ${cycle} (${mode}, kill after ${delay} ms): a target does not parse: ${(e as Error).message}`);
    }
    for (const k of ["env", "oauth", "auth"] as const) {
      assert.ok(
        after[k] === before[k] || after[k] === next,
        `cycle ${cycle} (${mode}, kill after ${delay} ms): target ${k} holds neither its old nor the new token`,
      );
      assert.ok(after[k], `cycle ${cycle}: target ${k} is empty`);
    }
    const n = (["env", "oauth", "auth"] as const).filter((k) => after[k] === next).length;
    if (n === 0) stats.killedBeforeWrite++;
    else if (n === 3) stats.allNew++;
    else stats.partial++;
    // A lock left by the killed process names its (dead) pid: the next run must break it itself.
    // A kill between creating the lock file and writing the pid leaves one that only ages out
    // (30 s): count it, and clear it so that later cycles still exercise writes.
    const lock = `${fx.authPath}.lock`;
    if (existsSync(lock)) {
      if (/"pid":\s*\d+/.test(readFileSync(lock, "utf8"))) stats.deadPidLocks++;
      else {
        stats.emptyLocks++;
        rmSync(lock, { force: true });
      }
    }
  }

  // Stray temp files are what a crash may leave (never a damaged target); report how many.
  const strays = [dirname(fx.envPath), dirname(fx.oauthPath), dirname(fx.authPath)]
    .flatMap((d) => readdirSync(d).filter((n) => n.endsWith(".tmp")))
    .length;
  console.log(`crash: ${CYCLES} cycles: ${stats.allNew} all-new, ${stats.partial} partial (per target old/new), ${stats.killedBeforeWrite} killed before any write; ${stats.deadPidLocks} locks of a dead pid left (broken by the next run), ${stats.emptyLocks} empty locks left, ${strays} stray temp files`);
  assert.equal(findLeakedToken(output, tokens), undefined, "a token value appeared in the runtime's output");

  // And the next run heals everything.
  const heal = suite.start(fx.configPath, ["sync"]);
  assert.equal(await within(heal.exited, 30_000, "sync did not finish"), 0, heal.output());
  assert.ok(allEqual(readTargets(fx), tokens.at(-1)!), "a sync after the crashes brings every target to the last token");
});
