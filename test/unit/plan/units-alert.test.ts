/** Wiring of the per-unit alert: OnFailure= raises it, ExecStartPost= clears it, %n stays a specifier. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planRefreshView, planWatchView } from "../../../infra/plan/units";
import { nativeSettings } from "./fixtures";

describe("unit alert wiring", () => {
  test("with alerts: OnFailure= names the alert instance, ExecStartPost= clears with a leading '-'", () => {
    for (const v of [planWatchView(nativeSettings()), planRefreshView(nativeSettings())]) {
      assert.equal(v.onFailure, "openclaw-oauth-sync-alert@%n.service");
      assert.match(v.execStartPost ?? "", /^-\/usr\/bin\/node \S+ --config \S+ notify --unit-ok %n$/);
    }
  });

  test("without alerts: neither OnFailure= nor ExecStartPost=", () => {
    const s = nativeSettings({ alertOnFailure: false });
    for (const v of [planWatchView(s), planRefreshView(s)]) {
      assert.equal(v.onFailure, undefined);
      assert.equal(v.execStartPost, undefined);
    }
  });

  test("a literal % in a path is escaped, the %n specifier is not", () => {
    const v = planWatchView(nativeSettings({ installPrefix: "/opt/100%" }));
    assert.match(v.execStartPost ?? "", /^-\/usr\/bin\/node \/opt\/100%%\/\S+ .* --unit-ok %n$/);
  });
});
