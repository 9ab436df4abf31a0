/**
 * When the renewal fires: inside [expiresAt − earliest, expiresAt − latest], which lies inside the
 * Claude CLI's own renewal window (it renews only when `now + 300000 >= expiresAt`, facts §2).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cliWouldRenew, pointFraction, renewalPoint, renewWindow } from "../../../runtime/src/refresh/schedule";
import { tokenFingerprint } from "../../../runtime/src/state/refresh-state";
import { fakeAccessToken } from "../../helpers/tokens";
import { CLI_RENEW_THRESHOLD_MS, RefreshSchema, RenewBeforeExpirySchema } from "../../../runtime/src/contract/refresh";

const MIN = 60_000;
const EXP = Date.UTC(2026, 11, 6, 20, 0, 0);
const DEFAULTS = RefreshSchema.parse({}).renewBeforeExpiry;

describe("cliWouldRenew (the CLI's compiled-in 5-minute threshold)", () => {
  test("4 min left → renews (measured)", () => assert.equal(cliWouldRenew(EXP, EXP - 4 * MIN), true));
  test("6 min left → does not (measured)", () => assert.equal(cliWouldRenew(EXP, EXP - 6 * MIN), false));
  test("30 min left → does not (measured)", () => assert.equal(cliWouldRenew(EXP, EXP - 30 * MIN), false));
  test("exactly 5 min left → renews (now + 300000 >= expiresAt)", () => {
    assert.equal(cliWouldRenew(EXP, EXP - CLI_RENEW_THRESHOLD_MS), true);
    assert.equal(cliWouldRenew(EXP, EXP - CLI_RENEW_THRESHOLD_MS - 1), false);
  });
  test("expired → renews (an expired token still renews)", () => {
    assert.equal(cliWouldRenew(EXP, EXP), true);
    assert.equal(cliWouldRenew(EXP, EXP + 3 * 3600_000), true);
  });
});

describe("renewWindow / renewalPoint", () => {
  test("defaults: 270 s to 120 s before expiry", () => {
    assert.deepEqual(renewWindow(EXP, DEFAULTS), { earliest: EXP - 270_000, latest: EXP - 120_000 });
    assert.equal(renewalPoint(EXP, DEFAULTS, () => 0), EXP - 270_000);
    assert.equal(renewalPoint(EXP, DEFAULTS, () => 0.5), EXP - 195_000);
    assert.ok(renewalPoint(EXP, DEFAULTS, () => 0.999999) <= EXP - 120_000);
  });

  test("property: for any valid config, expiry and random, the point stays inside the window and the CLI would renew there", () => {
    const cfgArb = fc
      .record({ earliestSeconds: fc.integer({ min: 20, max: 290 }), latestSeconds: fc.integer({ min: 10, max: 280 }) })
      .filter((c) => RenewBeforeExpirySchema.safeParse(c).success);
    fc.assert(
      fc.property(cfgArb, fc.integer({ min: 1_600_000_000_000, max: 2_100_000_000_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (cfg, expiresAt, r) => {
        const p = renewalPoint(expiresAt, cfg, () => r);
        const w = renewWindow(expiresAt, cfg);
        assert.ok(p >= w.earliest && p <= w.latest, `${p} outside [${w.earliest}, ${w.latest}]`);
        assert.ok(p >= expiresAt - cfg.earliestSeconds * 1000 && p <= expiresAt - cfg.latestSeconds * 1000);
        assert.ok(p < expiresAt, "before the expiry");
        assert.equal(cliWouldRenew(expiresAt, p), true, "inside the CLI's 5-minute window");
      }),
      { numRuns: 500 },
    );
  });

  test("the schema refuses windows the CLI would not renew in, or that end before they start", () => {
    assert.equal(RenewBeforeExpirySchema.safeParse({ earliestSeconds: 301, latestSeconds: 120 }).success, false);
    assert.equal(RenewBeforeExpirySchema.safeParse({ earliestSeconds: 100, latestSeconds: 150 }).success, false);
  });
});

test("pointFraction: the same token always aims at the same point; different tokens spread over [0,1)", () => {
  const fp = tokenFingerprint(fakeAccessToken());
  assert.equal(pointFraction(fp), pointFraction(fp));
  const fs = Array.from({ length: 200 }, () => pointFraction(tokenFingerprint(fakeAccessToken())));
  assert.ok(fs.every((f) => f >= 0 && f < 1));
  assert.ok(Math.min(...fs) < 0.1 && Math.max(...fs) > 0.9, "a fleet spreads over the window");
  assert.equal(pointFraction("not-hex"), 0.5, "a fingerprint that is not hex falls back to the middle");
});
