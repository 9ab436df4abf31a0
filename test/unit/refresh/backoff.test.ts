import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { backoffActive, backoffDelayMs, nextBackoff } from "../../../runtime/src/refresh/backoff";
import { BackoffSchema } from "../../../runtime/src/config/refresh";

const cfg = BackoffSchema.parse({});
const mid = () => 0.5; // no jitter
const MIN = 60_000;

describe("backoff", () => {
  test("2, 4, 8, 16, 32, 60, 60 minutes without jitter", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(cfg, n, mid) / MIN), [2, 4, 8, 16, 32, 60, 60]);
  });
  test("jitter stays within ±20% and under the cap", () => {
    for (const r of [0, 0.25, 0.999]) {
      const d = backoffDelayMs(cfg, 3, () => r);
      assert.ok(d >= 8 * MIN * 0.8 && d <= 8 * MIN * 1.2, String(d));
      assert.ok(backoffDelayMs(cfg, 20, () => r) <= 60 * MIN);
    }
  });
  test("failures accumulate for the same login and restart for a new one", () => {
    const b1 = nextBackoff(cfg, undefined, { outcome: "transient", reason: "rate-limited", fingerprint: "f1" }, 0, mid);
    const b2 = nextBackoff(cfg, b1, { outcome: "transient", reason: "rate-limited", fingerprint: "f1" }, 1000, mid);
    assert.equal(b2.failures, 2);
    assert.equal(b2.until, 1000 + 4 * MIN);
    const b3 = nextBackoff(cfg, b2, { outcome: "transient", reason: "network", fingerprint: "f2" }, 2000, mid);
    assert.equal(b3.failures, 1);
  });
  test("active until it elapses; a changed login voids it", () => {
    const b = nextBackoff(cfg, undefined, { outcome: "transient", reason: "cloudflare", fingerprint: "f1" }, 0, mid);
    assert.equal(backoffActive(b, "f1", 1000).active, true);
    assert.equal(backoffActive(b, "f1", 2 * MIN).active, false);
    const changed = backoffActive(b, "f2", 1000);
    assert.equal(changed.active, false);
    assert.match(changed.active ? "" : (changed.why ?? ""), /credentials changed/);
    assert.equal(backoffActive(undefined, "f1", 0).active, false);
  });
});
