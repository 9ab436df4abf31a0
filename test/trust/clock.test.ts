/**
 * SECURITY.md guarantee C4: expiry, backoff, lock staleness and alert decisions stay correct when
 * the wall clock jumps forwards or backwards (NTP step, a VM restored from a snapshot, a wrong
 * RTC at boot). Pure functions, fake clock; fast-check explores the jumps.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { backoffActive, backoffDelayMs, maxBackoffMs, nextBackoff } from "../../runtime/src/refresh/backoff";
import { checkResult, loginRequired } from "../../runtime/src/status/evaluate";
import { isLockStale, OPENCLAW_LOCK_STALE_MS } from "../../runtime/src/openclaw/lock";
import { decide, withinRateLimit, recordSend } from "../../runtime/src/notify/policy";
import { emptyRefreshState } from "../../runtime/src/state/refresh-state";
import type { AlertState } from "../../runtime/src/notify/state";

const CFG = { baseMinutes: 2, factor: 2, maxMinutes: 60, jitter: 0.2 };
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

describe("clock jumps: refresh backoff", () => {
  test("a backward jump after a failure does not create a backoff longer than the longest delay", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 400 * DAY }), fc.double({ min: 0, max: 0.999, noNaN: true }), (failures, back, rnd) => {
        let b = nextBackoff(CFG, undefined, { outcome: "transient", reason: "rate-limited", fingerprint: "fp" }, T0, () => rnd);
        for (let i = 1; i < failures; i++) b = nextBackoff(CFG, b, { outcome: "transient", reason: "rate-limited", fingerprint: "fp" }, T0, () => rnd);
        const now = T0 - back; // the clock was set back
        const d = backoffActive(b, "fp", now, maxBackoffMs(CFG));
        // Either it is over, or it ends within one maximal delay from "now": never "a day of silence".
        if (d.active) assert.ok(d.until - now <= maxBackoffMs(CFG), `backoff ends ${(d.until - now) / MIN} min ahead after a ${back / MIN} min backward jump`);
      }),
      { numRuns: 300 },
    );
  });

  test("a one-day backward jump voids the backoff and says why", () => {
    const b = nextBackoff(CFG, undefined, { outcome: "transient", reason: "rate-limited", fingerprint: "fp" }, T0, () => 0.5);
    assert.equal(backoffActive(b, "fp", T0 + MIN, maxBackoffMs(CFG)).active, true, "without a jump the backoff holds");
    const d = backoffActive(b, "fp", T0 - DAY, maxBackoffMs(CFG));
    assert.deepEqual(d, { active: false, why: "the clock moved backwards since the last failed attempt" });
  });

  test("a forward jump ends the backoff (at worst one early attempt), and delays stay within [base·(1−jitter), max]", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 30 * DAY }), fc.double({ min: 0, max: 0.999, noNaN: true }), (failures, fwd, rnd) => {
        const delay = backoffDelayMs(CFG, failures, () => rnd);
        assert.ok(delay >= CFG.baseMinutes * MIN * (1 - CFG.jitter) - 1 && delay <= maxBackoffMs(CFG), `delay ${delay} out of range`);
        const b = { failures, until: T0 + delay, reason: "x", outcome: "transient" as const, fingerprint: "fp" };
        const d = backoffActive(b, "fp", T0 + fwd, maxBackoffMs(CFG));
        assert.equal(d.active, T0 + fwd < b.until);
      }),
    );
  });
});

describe("clock jumps: status --check", () => {
  test("the verdict depends only on (expiresAt − now): forward jumps expire, backward jumps revive, never a crash or a wrong code", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10 * DAY, max: 10 * DAY }), fc.integer({ min: -400 * DAY, max: 400 * DAY }), (left, jump) => {
        const now = T0 + jump;
        const c = { readable: true, expiresAt: now + left, fingerprint: "fp" };
        const r = checkResult(c, loginRequired(c, emptyRefreshState(), now), now, 15);
        const want = left <= 0 ? 1 : left < 15 * MIN ? 2 : 0;
        assert.equal(r.code, want, `left ${left} ms → code ${r.code}`);
      }),
    );
  });

  test("a login expiry (refreshTokenExpiresAt) passed only because the clock jumped forward is reported; jumping back clears it", () => {
    const c = { readable: true, expiresAt: T0 + 8 * 3600_000, refreshTokenExpiresAt: T0 + 30 * DAY, fingerprint: "fp" };
    assert.equal(loginRequired(c, emptyRefreshState(), T0 + 31 * DAY).required, true);
    assert.equal(loginRequired(c, emptyRefreshState(), T0).required, false);
  });
});

describe("clock jumps: OpenClaw's lock file", () => {
  test("a lock created 'in the future' (before a backward jump) is stale once it is more than 30 s away from now, either way", () => {
    fc.assert(
      fc.property(fc.integer({ min: -DAY, max: DAY }), fc.constantFrom(undefined, true), (skew, alive) => {
        const created = new Date(T0 + skew).toISOString();
        const stale = isLockStale({ pid: 4242, createdAt: created }, 0, T0, alive);
        assert.equal(stale, Math.abs(skew) > OPENCLAW_LOCK_STALE_MS, `lock created ${skew} ms from now`);
      }),
    );
  });

  test("a lock of a dead process is stale whatever the clock says", () => {
    assert.equal(isLockStale({ pid: 4242, createdAt: new Date(T0 + 1000).toISOString() }, 0, T0, false), true);
  });
});

describe("clock jumps: alerts", () => {
  const empty: AlertState = { version: 1, conditions: {}, sends: {}, syncFailures: 0 } as unknown as AlertState;

  test("after a backward jump an active condition still re-alerts (not silenced until the clock catches up)", () => {
    const first = decide(empty, { id: "login-required", active: true, detail: "x" }, T0, { reAlertMinutes: 360 });
    assert.equal(first.event, "alert");
    const delivered: AlertState = {
      ...first.state,
      conditions: { ...first.state.conditions, "login-required": { ...first.state.conditions["login-required"]!, lastAlertAt: T0, alertCount: 1 } },
    };
    assert.equal(decide(delivered, { id: "login-required", active: true, detail: "x" }, T0 + 60 * MIN, { reAlertMinutes: 360 }).event, undefined, "inside the interval: quiet");
    assert.equal(decide(delivered, { id: "login-required", active: true, detail: "x" }, T0 - DAY, { reAlertMinutes: 360 }).event, "re-alert");
  });

  test("the rolling-hour rate limit ignores sends stamped in the future (a backward jump cannot block a channel)", () => {
    let s = empty;
    for (let i = 0; i < 6; i++) s = recordSend(s, "ops", T0 + i * 1000);
    assert.equal(withinRateLimit(s.sends["ops"], T0 + 10_000, 6), false, "six sends in the hour: limited");
    assert.equal(withinRateLimit(s.sends["ops"], T0 - DAY, 6), true, "after a one-day backward jump the channel may send");
  });
});
