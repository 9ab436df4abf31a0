/** Issue 18: the latency bench interleaves its contenders, and a run never writes a tracked file. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { interleavedSchedule, runOutputPaths } from "../../../bench/output";

const REPO = join(__dirname, "../../..");

test("interleaved schedule: every round gives each contender exactly one change, orders vary", () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rounds = interleavedSchedule(["runtime", "shell", "floor"], 50, rnd);
  assert.equal(rounds.length, 50);
  for (const r of rounds) assert.deepEqual([...r].sort(), ["floor", "runtime", "shell"]);
  assert.ok(new Set(rounds.map((r) => r.join())).size > 1, "the order changes between rounds");
  assert.ok(new Set(rounds.map((r) => r[0])).size === 3, "each contender sometimes goes first");
});

test("bench/run.ts measures through the interleaved schedule, not one contender after another", () => {
  const src = readFileSync(join(REPO, "bench/run.ts"), "utf8");
  assert.match(src, /interleavedSchedule\(/);
  assert.doesNotMatch(src, /runContender\(/);
});

test("a bench run writes only git-ignored files; the committed summary only with OCS_BENCH_SUMMARY=1", () => {
  const run = runOutputPaths("latest", {});
  assert.equal(run.length, 1);
  for (const p of run) {
    const rel = relative(REPO, p);
    const ignored = spawnSync("git", ["check-ignore", "-q", rel], { cwd: REPO });
    assert.equal(ignored.status, 0, `${rel} is not git-ignored`);
    const tracked = spawnSync("git", ["ls-files", "--error-unmatch", rel], { cwd: REPO });
    assert.notEqual(tracked.status, 0, `${rel} is tracked`);
  }
  for (const f of ["bench/run.ts", "bench/fleet.ts"]) {
    assert.doesNotMatch(readFileSync(join(REPO, f), "utf8"), /writeFileSync\([^)]*results/, `${f} writes into bench/results directly`);
  }
  assert.deepEqual(runOutputPaths("latest", { OCS_BENCH_SUMMARY: "1" }).map((p) => relative(REPO, p)), ["bench/runs/latest.json", "bench/results/latest.json"]);
});
