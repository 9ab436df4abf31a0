import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyDelivery, decide, recordSend, withinRateLimit } from "../../../runtime/src/notify/policy";
import { emptyAlertState, parseAlertState, type AlertState } from "../../../runtime/src/notify/state";

const cfg = { reAlertMinutes: 360 };
const T0 = Date.UTC(2026, 10, 1, 12);
const MIN = 60_000;

/** decide + a delivery that succeeds, like reportCondition does. */
function step(s: AlertState, active: boolean, now: number, delivered = true) {
  const d = decide(s, { id: "login-required", active, detail: "d" }, now, cfg);
  return { event: d.event, state: d.event ? applyDelivery(d.state, "login-required", d.event, now, delivered) : d.state };
}

describe("alert policy", () => {
  test("alerts once when a condition becomes active, then stays quiet", () => {
    let r = step(emptyAlertState(), true, T0);
    assert.equal(r.event, "alert");
    r = step(r.state, true, T0 + 5 * MIN);
    assert.equal(r.event, undefined);
    r = step(r.state, true, T0 + 359 * MIN);
    assert.equal(r.event, undefined);
  });

  test("re-alerts after reAlertMinutes while still active, measured from the last alert", () => {
    let r = step(emptyAlertState(), true, T0);
    r = step(r.state, true, T0 + 360 * MIN);
    assert.equal(r.event, "re-alert");
    r = step(r.state, true, T0 + 361 * MIN);
    assert.equal(r.event, undefined);
    r = step(r.state, true, T0 + 720 * MIN);
    assert.equal(r.event, "re-alert");
    assert.equal(r.state.conditions["login-required"]?.alertCount, 3);
  });

  test("reAlertMinutes 0 never re-alerts", () => {
    let s = emptyAlertState();
    const d1 = decide(s, { id: "sync-failing", active: true, detail: "" }, T0, { reAlertMinutes: 0 });
    s = applyDelivery(d1.state, "sync-failing", d1.event!, T0, true);
    assert.equal(decide(s, { id: "sync-failing", active: true, detail: "" }, T0 + 10_000 * MIN, { reAlertMinutes: 0 }).event, undefined);
  });

  test("recovery after an alert was delivered; silence when none was", () => {
    let r = step(emptyAlertState(), true, T0);
    r = step(r.state, false, T0 + MIN);
    assert.equal(r.event, "recovery");
    r = step(r.state, false, T0 + 2 * MIN);
    assert.equal(r.event, undefined, "recovery only once");

    // An activation whose alert never got out clears without a recovery message.
    let q = step(emptyAlertState(), true, T0, false);
    assert.equal(q.event, "alert");
    q = step(q.state, false, T0 + MIN);
    assert.equal(q.event, undefined);
  });

  test("an undelivered alert is retried on the next report; an undelivered recovery too", () => {
    let r = step(emptyAlertState(), true, T0, false);
    r = step(r.state, true, T0 + MIN);
    assert.equal(r.event, "alert");
    r = step(r.state, false, T0 + 2 * MIN, false);
    assert.equal(r.event, "recovery");
    r = step(r.state, false, T0 + 3 * MIN);
    assert.equal(r.event, "recovery");
    r = step(r.state, false, T0 + 4 * MIN);
    assert.equal(r.event, undefined);
  });

  test("conditions are independent", () => {
    let s = step(emptyAlertState(), true, T0).state;
    const d = decide(s, { id: "sync-failing", active: true, detail: "" }, T0, cfg);
    assert.equal(d.event, "alert");
    s = d.state;
    assert.equal(decide(s, { id: "login-required", active: true, detail: "" }, T0, cfg).event, undefined);
  });

  test("rate limit: maxPerHour per channel over a rolling hour", () => {
    let s = emptyAlertState();
    for (let i = 0; i < 3; i++) {
      assert.ok(withinRateLimit(s.sends["a"], T0 + i * MIN, 3));
      s = recordSend(s, "a", T0 + i * MIN);
    }
    assert.equal(withinRateLimit(s.sends["a"], T0 + 3 * MIN, 3), false);
    assert.ok(withinRateLimit(s.sends["b"], T0 + 3 * MIN, 3), "other channels unaffected");
    assert.ok(withinRateLimit(s.sends["a"], T0 + 61 * MIN, 3), "the oldest send left the window");
    s = recordSend(s, "a", T0 + 61 * MIN);
    assert.deepEqual(s.sends["a"], [T0 + 2 * MIN, T0 + 61 * MIN], "sends older than an hour are pruned");
  });
});

describe("alert state file", () => {
  test("missing file is the empty state, without a problem", () => {
    assert.deepEqual(parseAlertState(undefined, "/x/alerts.json"), { state: emptyAlertState() });
  });
  test("corrupt JSON and wrong shape are reported and treated as empty", () => {
    const a = parseAlertState("{not json", "/x/alerts.json");
    assert.deepEqual(a.state, emptyAlertState());
    assert.match(a.problem ?? "", /\/x\/alerts\.json: not valid JSON/);
    const b = parseAlertState(JSON.stringify({ version: 1, conditions: { "login-required": { active: "yes" } } }), "/x/alerts.json");
    assert.deepEqual(b.state, emptyAlertState());
    assert.match(b.problem ?? "", /conditions\.login-required\.active/);
  });
  test("a valid state round-trips", () => {
    const s = step(emptyAlertState(), true, T0).state;
    assert.deepEqual(parseAlertState(JSON.stringify(s), "p").state, s);
  });
});
