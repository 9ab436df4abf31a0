import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DEFAULT_TRIGGER_SETTINGS,
  INITIAL_TRIGGER_STATE,
  nextWakeAt,
  retryDelay,
  step,
  type TriggerAction,
  type TriggerEvent,
  type TriggerSettings,
  type TriggerState,
} from "../../../runtime/src/watch/triggers";

const S: TriggerSettings = { ...DEFAULT_TRIGGER_SETTINGS, debounceMs: 25, resyncIntervalMs: 300_000 };

/** A fake clock driving the pure machine the way the shell does: one timer at nextWakeAt. */
class Sim {
  t = 1_000_000;
  state: TriggerState = INITIAL_TRIGGER_STATE;
  log: { at: number; action: TriggerAction }[] = [];
  decisions: string[] = [];
  constructor(readonly s: TriggerSettings = S) {}
  send(e: TriggerEvent): TriggerAction[] {
    const out = step(e, this.t, this.state, this.s);
    this.state = out.state;
    if (out.decision) this.decisions.push(out.decision);
    for (const a of out.actions) this.log.push({ at: this.t, action: a });
    return out.actions;
  }
  /** Advances the clock by `ms`, firing the timer whenever it is due (as setTimeout would). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let guard = 0; guard < 10_000; guard++) {
      const wake = nextWakeAt(this.state);
      if (wake === undefined || wake > end) break;
      this.t = Math.max(this.t, wake);
      this.send({ type: "tick" });
    }
    this.t = end;
  }
  syncs(): { at: number; reason: string }[] {
    return this.log.flatMap((l) => (l.action.type === "sync" ? [{ at: l.at, reason: l.action.reason }] : []));
  }
}

function started(s: TriggerSettings = S): Sim {
  const sim = new Sim(s);
  assert.deepEqual(sim.send({ type: "start" }), [{ type: "sync", reason: "start" }]);
  sim.advance(3);
  sim.send({ type: "sync-done", result: "ok" });
  sim.advance(10_000);
  return sim;
}

describe("triggers: start and idle", () => {
  test("start syncs at once; no timer while the sync runs", () => {
    const sim = new Sim();
    assert.deepEqual(sim.send({ type: "start" }), [{ type: "sync", reason: "start" }]);
    assert.equal(nextWakeAt(sim.state), undefined);
    assert.deepEqual(sim.send({ type: "start" }), [], "a second start is ignored");
  });

  test("after a sync the only timer is the resync, resyncIntervalMs later", () => {
    const sim = new Sim();
    sim.send({ type: "start" });
    sim.t += 4;
    const actions = sim.send({ type: "sync-done", result: "ok" });
    assert.deepEqual(actions, [{ type: "verify" }], "one identity check after the sync");
    assert.equal(nextWakeAt(sim.state), sim.t + 300_000);
  });

  test("resync 0: no timer at all at idle", () => {
    const sim = started({ ...S, resyncIntervalMs: 0 });
    assert.equal(nextWakeAt(sim.state), undefined);
    sim.send({ type: "change", origin: "fs" });
    sim.send({ type: "sync-done", result: "ok" });
    sim.advance(1000); // the verify after the change fires once
    assert.equal(nextWakeAt(sim.state), undefined, "back to no timer after the activity");
  });

  test("periodic resync fires every interval after the last sync", () => {
    const sim = started();
    sim.log = [];
    sim.advance(300_000);
    assert.deepEqual(sim.syncs().map((x) => x.reason), ["resync"]);
    sim.send({ type: "sync-done", result: "ok" });
    sim.advance(299_999);
    assert.equal(sim.syncs().length, 1, "not before the next interval");
    sim.advance(1);
    assert.equal(sim.syncs().length, 2);
  });

  test("a change-triggered sync pushes the next resync back", () => {
    const sim = started();
    sim.advance(200_000);
    sim.log = [];
    sim.send({ type: "change", origin: "fs" });
    sim.send({ type: "sync-done", result: "ok" });
    sim.advance(299_000);
    assert.deepEqual(sim.syncs().map((s) => s.reason), ["change"]);
    sim.advance(1_000);
    assert.deepEqual(sim.syncs().map((s) => s.reason), ["change", "resync"]);
  });
});

describe("triggers: debounce and coalescing", () => {
  test("the first change after a quiet spell syncs at once (leading edge)", () => {
    const sim = started();
    const t = sim.t;
    assert.deepEqual(sim.send({ type: "change", origin: "fs" }), [{ type: "sync", reason: "change" }]);
    assert.equal(sim.decisions.at(-1), "sync");
    assert.equal(sim.syncs()[1]!.at, t);
  });

  test("changes within debounceMs after a sync start fold into one sync at the window's end", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    const first = sim.t;
    sim.advance(2);
    sim.send({ type: "sync-done", result: "ok" });
    for (let i = 0; i < 10; i++) {
      sim.advance(1);
      sim.send({ type: "change", origin: "fs" });
    }
    assert.deepEqual(sim.decisions.slice(-10), ["sync", ...Array(9).fill("pending")]);
    sim.advance(100);
    const later = sim.syncs().slice(2);
    assert.equal(later.length, 1, "exactly one sync for the ten changes");
    assert.equal(later[0]!.at, first + 25);
  });

  test("changes during a running sync: exactly one more sync after it, never in parallel", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    for (let i = 0; i < 50; i++) {
      sim.advance(1);
      assert.deepEqual(sim.send({ type: "change", origin: "fs" }), [], "nothing starts while a sync runs");
    }
    assert.equal(sim.decisions.at(-1), "after-current");
    const done = sim.send({ type: "sync-done", result: "ok" });
    assert.deepEqual(done, [{ type: "sync", reason: "change" }], "the follow-up starts at once: the window has passed");
    sim.send({ type: "sync-done", result: "ok" });
    sim.advance(10_000);
    assert.equal(sim.syncs().filter((s) => s.reason === "change").length, 2);
  });

  test("follow-up sync waits out the debounce window when the sync was quick", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    const t0 = sim.t;
    sim.advance(1);
    sim.send({ type: "change", origin: "fs" });
    sim.advance(1);
    assert.deepEqual(sim.send({ type: "sync-done", result: "ok" }), []);
    assert.equal(nextWakeAt(sim.state), t0 + 25);
  });

  test("debounce 0: every change after a finished sync syncs at once", () => {
    const sim = started({ ...S, debounceMs: 0 });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(sim.send({ type: "change", origin: "fs" }), [{ type: "sync", reason: "change" }]);
      sim.send({ type: "sync-done", result: "ok" });
    }
  });

  test("property: never two jobs at once, and every change is followed by a sync that starts after it", () => {
    type Op = { kind: "change" | "wait" | "finish"; ms: number };
    const op = fc.record({ kind: fc.constantFrom("change", "wait", "finish"), ms: fc.integer({ min: 0, max: 60 }) }) as fc.Arbitrary<Op>;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 0, max: 50 }), (ops, debounceMs) => {
        const sim = new Sim({ ...S, debounceMs, resyncIntervalMs: 0 });
        let running = 0;
        const apply = (acts: TriggerAction[]) => {
          for (const a of acts) {
            if (a.type === "sync" || a.type === "reload") {
              assert.equal(running, 0, "a job started while another ran");
              running++;
            }
          }
        };
        apply(sim.send({ type: "start" }));
        let lastChange = -Infinity;
        for (const o of ops) {
          if (o.kind === "change") {
            lastChange = sim.t;
            apply(sim.send({ type: "change", origin: "fs" }));
          } else if (o.kind === "finish" && running) {
            running--;
            apply(sim.send({ type: "sync-done", result: "ok" }));
          }
          const before = sim.log.length;
          sim.advance(o.ms);
          apply(sim.log.slice(before).map((l) => l.action));
        }
        // settle: finish jobs until quiet
        for (let i = 0; i < 100; i++) {
          if (running) {
            running--;
            apply(sim.send({ type: "sync-done", result: "ok" }));
          }
          const before = sim.log.length;
          sim.advance(1000);
          apply(sim.log.slice(before).map((l) => l.action));
        }
        assert.equal(running, 0);
        const syncs = sim.syncs();
        assert.ok(syncs.length >= 1);
        if (lastChange > -Infinity) assert.ok(syncs.at(-1)!.at >= lastChange, "the last change was synced");
      }),
      { numRuns: 300 },
    );
  });
});

describe("triggers: failures, unreadable source, verify, reload, stop", () => {
  test("unreadable source: exactly one re-check recheckMs later, then wait for a change", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    const t = sim.t;
    sim.send({ type: "sync-done", result: "source-unreadable" });
    sim.advance(199);
    assert.equal(sim.syncs().length, 2);
    sim.advance(1);
    assert.deepEqual(sim.syncs().at(-1), { at: t + 200, reason: "recheck" });
    sim.send({ type: "sync-done", result: "source-unreadable" });
    sim.advance(60_000);
    assert.equal(sim.syncs().length, 3, "no second re-check");
    sim.send({ type: "change", origin: "fs" });
    sim.send({ type: "sync-done", result: "source-unreadable" });
    sim.advance(200);
    assert.equal(sim.syncs().at(-1)!.reason, "recheck", "a new change earns a new re-check");
  });

  test("failed sync: backoff 5s, 10s, 20s, 40s, 80s, then no more retries; success resets", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    const gaps: number[] = [];
    for (let i = 0; i < 6; i++) {
      const doneAt = sim.t;
      const out = step({ type: "sync-done", result: "failed" }, sim.t, sim.state, sim.s);
      sim.state = out.state;
      if (i === 5) {
        assert.equal(out.retry, "exhausted");
        const n = sim.syncs().filter((x) => x.reason === "retry").length;
        sim.advance(1_000_000);
        assert.equal(sim.syncs().filter((x) => x.reason === "retry").length, n, "no retry after the last attempt");
        assert.equal(sim.syncs().at(-1)!.reason, "resync", "the periodic resync still runs");
        break;
      }
      assert.ok(out.retry && out.retry !== "exhausted");
      assert.equal(out.retry.attempt, i + 1);
      gaps.push(out.retry.at - doneAt);
      sim.advance(out.retry.at - sim.t);
      assert.deepEqual(sim.syncs().at(-1), { at: out.retry.at, reason: "retry" });
    }
    assert.deepEqual(gaps, [5_000, 10_000, 20_000, 40_000, 80_000]);
    assert.equal(sim.state.failures, 6);
    sim.send({ type: "change", origin: "fs" });
    sim.send({ type: "sync-done", result: "ok" });
    assert.equal(sim.state.failures, 0);
  });

  test("a change brings a pending retry forward", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    sim.advance(1000);
    sim.send({ type: "sync-done", result: "failed" });
    assert.equal(nextWakeAt(sim.state), sim.t + 5_000);
    assert.deepEqual(sim.send({ type: "change", origin: "fs" }), [{ type: "sync", reason: "change" }]);
  });

  test("verify: verifyAfterMs after a change the shell is asked to compare the file's identity", () => {
    const sim = started({ ...S, resyncIntervalMs: 0 });
    sim.send({ type: "change", origin: "fs" });
    sim.advance(1);
    sim.send({ type: "sync-done", result: "ok" });
    sim.log = [];
    sim.advance(73);
    assert.equal(sim.log.length, 0, "nothing before verifyAfterMs");
    sim.advance(1);
    assert.deepEqual(sim.log.map((l) => l.action), [{ type: "verify" }]);
    // a verify that finds a change behaves like a change
    assert.deepEqual(sim.send({ type: "change", origin: "verify" }), [{ type: "sync", reason: "change" }]);
  });

  test("verify is deferred while a sync runs and happens when it ends", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    sim.advance(500);
    assert.equal(sim.log.at(-1)!.action.type, "sync", "no verify while busy");
    assert.deepEqual(sim.send({ type: "sync-done", result: "ok" }), [{ type: "verify" }]);
  });

  test("deferred reload runs when due, after (not during) a sync, and can be deferred again", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    const due = sim.t + 30_000;
    sim.send({ type: "sync-done", result: "ok", reloadDeferredUntil: due });
    sim.advance(29_999);
    assert.ok(!sim.log.some((l) => l.action.type === "reload"));
    sim.send({ type: "change", origin: "fs" });
    sim.advance(10);
    assert.ok(!sim.log.some((l) => l.action.type === "reload"), "not while a sync runs");
    sim.send({ type: "sync-done", result: "ok" });
    assert.ok(sim.log.some((l) => l.action.type === "reload"), "due reload runs when the sync ends");
    sim.send({ type: "reload-done", deferredUntil: sim.t + 5_000 });
    sim.log = [];
    sim.advance(5_000);
    assert.deepEqual(sim.log.map((l) => l.action).filter((a) => a.type !== "verify"), [{ type: "reload" }]);
    sim.send({ type: "reload-done" });
    sim.advance(200_000);
    assert.equal(sim.log.filter((l) => l.action.type === "reload").length, 1, "settled: no further reload");
  });

  test("a sync that reloaded settles a pending reload", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    sim.send({ type: "sync-done", result: "ok", reloadDeferredUntil: sim.t + 30_000 });
    sim.advance(100);
    sim.send({ type: "change", origin: "fs" });
    sim.send({ type: "sync-done", result: "ok", reloadSettled: true });
    sim.advance(60_000);
    assert.ok(!sim.log.some((l) => l.action.type === "reload"));
  });

  test("stop: nothing more happens and no timer is left", () => {
    const sim = started();
    sim.send({ type: "change", origin: "fs" });
    sim.send({ type: "stop" });
    assert.deepEqual(sim.send({ type: "sync-done", result: "ok" }), []);
    assert.deepEqual(sim.send({ type: "change", origin: "fs" }), []);
    assert.equal(sim.decisions.at(-1), "ignored");
    assert.equal(nextWakeAt(sim.state), undefined);
  });

  test("changes before start are not synced on their own (start syncs anyway)", () => {
    const sim = new Sim();
    assert.deepEqual(sim.send({ type: "change", origin: "fs" }), []);
    assert.equal(nextWakeAt(sim.state), undefined);
  });
});
