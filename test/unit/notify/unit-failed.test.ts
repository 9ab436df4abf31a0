/** The per-unit condition `unit-failed:<unit>`: id validation, policy, message text. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyDelivery, decide, explainingCondition, UNIT_FAILURE_EXPLAINED_MS } from "../../../runtime/src/notify/policy";
import { buildMessage } from "../../../runtime/src/notify/messages";
import { emptyAlertState, isConditionId, isValidUnitName, parseAlertState, unitFailedCondition, unitOfCondition, type AlertState, type ConditionId } from "../../../runtime/src/notify/state";

const cfg = { reAlertMinutes: 360 };
const T0 = Date.UTC(2026, 10, 1, 12);
const MIN = 60_000;
const ctx = { host: "gw1", user: "alice" };
const WATCH = "openclaw-oauth-sync-watch.service";

function step(s: AlertState, id: ConditionId, active: boolean, now: number) {
  const d = decide(s, { id, active, detail: "d" }, now, cfg);
  return { event: d.event, state: d.event ? applyDelivery(d.state, id, d.event, now, true) : d.state };
}

describe("unit-failed condition ids", () => {
  test("systemd unit names are accepted, including template instances and \\x escapes", () => {
    for (const u of [WATCH, "openclaw-oauth-sync-refresh.timer", "openclaw-oauth-sync-alert@openclaw-oauth-sync-watch.service.service", "a:b_c.d.service", "mnt-data\\x2dx.service"]) {
      assert.equal(isValidUnitName(u), true, u);
      assert.equal(unitFailedCondition(u), `unit-failed:${u}`);
      assert.equal(isConditionId(`unit-failed:${u}`), true, u);
    }
  });

  test("anything else is refused: other suffixes, spaces, slashes, newlines, shell characters, too long", () => {
    const bad = ["", "watch", ".service", "x.socket", "x.service.bak", "a b.service", "../x.service", "x/y.service", "x.service\n", "x\n.service", "$(id).service", "x;y.service", "x'.service", "ä.service", `${"a".repeat(250)}.service`];
    for (const u of bad) {
      assert.equal(unitFailedCondition(u), undefined, JSON.stringify(u));
      assert.equal(isConditionId(`unit-failed:${u}`), false, JSON.stringify(u));
    }
    assert.equal(isValidUnitName(`${"a".repeat(248)}.service`), true, "256 characters is systemd's maximum and still fine");
  });

  test("the fixed conditions stay valid; unknown ids are not", () => {
    for (const id of ["login-required", "expiring-unrenewed", "sync-failing"]) assert.equal(isConditionId(id), true);
    assert.equal(isConditionId("unit-failed"), false);
    assert.equal(isConditionId("disk-full"), false);
    assert.equal(unitOfCondition("sync-failing"), undefined);
    assert.equal(unitOfCondition(`unit-failed:${WATCH}`), WATCH);
  });

  test("a state file holding unit-failed entries parses back", () => {
    const s = step(emptyAlertState(), `unit-failed:${WATCH}`, true, T0).state;
    const back = parseAlertState(JSON.stringify(s), "alerts.json");
    assert.equal(back.problem, undefined);
    assert.equal(back.state.conditions[`unit-failed:${WATCH}`]?.active, true);
  });
});

describe("unit-failed policy", () => {
  test("alert once per activation, per unit; recovery only after an alert", () => {
    const w: ConditionId = `unit-failed:${WATCH}`;
    const r: ConditionId = "unit-failed:openclaw-oauth-sync-refresh.service";
    let x = step(emptyAlertState(), w, true, T0);
    assert.equal(x.event, "alert");
    x = step(x.state, w, true, T0 + MIN);
    assert.equal(x.event, undefined, "second failure while active: no second alert");
    x = step(x.state, r, true, T0 + 2 * MIN);
    assert.equal(x.event, "alert", "another unit is its own condition");
    x = step(x.state, w, false, T0 + 3 * MIN);
    assert.equal(x.event, "recovery");
    assert.equal(x.state.conditions[r]?.active, true, "clearing one unit leaves the other active");
    x = step(x.state, w, false, T0 + 4 * MIN);
    assert.equal(x.event, undefined);
  });

  test("clearing a unit that never failed sends nothing", () => {
    assert.equal(step(emptyAlertState(), `unit-failed:${WATCH}`, false, T0).event, undefined);
  });

  test("re-alert after reAlertMinutes while the unit stays failed", () => {
    const w: ConditionId = `unit-failed:${WATCH}`;
    let x = step(emptyAlertState(), w, true, T0);
    x = step(x.state, w, true, T0 + 360 * MIN);
    assert.equal(x.event, "re-alert");
  });
});

describe("a unit failure the unit alerted itself", () => {
  const REFRESH = "openclaw-oauth-sync-refresh.service";
  const deadLogin = (unit: string | undefined, at: number) => decide(emptyAlertState(), { id: "login-required", active: true, detail: "invalid_grant", unit }, at, cfg).state;

  test("is explained by the condition that unit reported just before failing", () => {
    const s = deadLogin(REFRESH, T0);
    assert.deepEqual(s.conditions["login-required"]?.reportedBy, { unit: REFRESH, at: T0 });
    assert.equal(explainingCondition(s, REFRESH, T0 + 2_000), "login-required");
    assert.equal(explainingCondition(s, REFRESH, T0 + UNIT_FAILURE_EXPLAINED_MS), "login-required");
  });

  test("is not explained: another unit, a report without a unit, too long ago, cleared, or dated in the future", () => {
    assert.equal(explainingCondition(deadLogin(REFRESH, T0), WATCH, T0 + 1_000), undefined, "the watcher failing is news");
    assert.equal(explainingCondition(deadLogin(undefined, T0), REFRESH, T0 + 1_000), undefined, "run by hand: no unit");
    assert.equal(explainingCondition(deadLogin(REFRESH, T0), REFRESH, T0 + UNIT_FAILURE_EXPLAINED_MS + 1), undefined, "a later run's failure");
    const cleared = decide(deadLogin(REFRESH, T0), { id: "login-required", active: false, detail: "new login" }, T0 + 1_000, cfg).state;
    assert.equal(explainingCondition(cleared, REFRESH, T0 + 2_000), undefined);
    assert.equal(explainingCondition(deadLogin(REFRESH, T0), REFRESH, T0 - 1_000), undefined, "clock stepped back");
  });

  test("a repeated report while active (no new alert) still renews the explanation", () => {
    let s = deadLogin(REFRESH, T0);
    s = decide(s, { id: "login-required", active: true, detail: "invalid_grant", unit: REFRESH }, T0 + 60 * MIN, cfg).state;
    assert.equal(explainingCondition(s, REFRESH, T0 + 61 * MIN), "login-required");
    const back = parseAlertState(JSON.stringify(s), "alerts.json");
    assert.equal(back.problem, undefined);
    assert.deepEqual(back.state.conditions["login-required"]?.reportedBy, { unit: REFRESH, at: T0 + 60 * MIN });
  });
});

describe("unit-failed messages", () => {
  test("alert names the unit, the host and the fix", () => {
    const m = buildMessage(ctx, { event: "alert", condition: `unit-failed:${WATCH}`, detail: `systemd reports ${WATCH} as failed.`, now: T0 });
    assert.equal(m.title, `Unit ${WATCH} failed on gw1`);
    assert.equal(m.condition, `unit-failed:${WATCH}`);
    assert.equal(m.active, true);
    assert.match(m.text, new RegExp(`^Unit ${WATCH} failed on gw1\\.\\nsystemd reports ${WATCH} as failed\\.\\nFix: `));
    assert.ok(m.text.includes(`journalctl -u ${WATCH} -n 50`), m.text);
    assert.ok(m.text.includes("`openclaw-oauth-sync status`"), m.text);
    assert.ok(m.text.includes("`openclaw-oauth-sync doctor`"), m.text);
    assert.ok(m.text.includes(`systemctl restart ${WATCH}`), m.text);
  });

  test("recovery keeps the unit name's case", () => {
    const m = buildMessage(ctx, { event: "recovery", condition: "unit-failed:My-Unit.service", detail: "", now: T0 });
    assert.equal(m.active, false);
    assert.equal(m.title, "Resolved on gw1: Unit My-Unit.service failed");
    assert.match(m.text, /^Resolved on gw1: unit My-Unit\.service failed \(condition unit-failed:My-Unit\.service\) has cleared\.$/);
  });

  test("a unit name with a systemd \\x escape is quoted in the shell commands", () => {
    const m = buildMessage(ctx, { event: "alert", condition: "unit-failed:mnt-a\\x2db.service", detail: "", now: T0 });
    assert.ok(m.text.includes("journalctl -u 'mnt-a\\x2db.service' -n 50"), m.text);
  });

  test("re-alert says since when", () => {
    const m = buildMessage(ctx, { event: "re-alert", condition: `unit-failed:${WATCH}`, detail: "", since: T0, now: T0 + 360 * MIN });
    assert.match(m.text, /failed on gw1 \(still, since 2026-11-01T12:00:00\.000Z\)\./);
  });
});
