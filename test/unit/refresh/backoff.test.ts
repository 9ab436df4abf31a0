import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { backoffActive, backoffDelayMs, maxBackoffMs, nextBackoff, QUICK_RETRIES, QUICK_RETRY_MS } from "../../../runtime/src/refresh/backoff";
import { BackoffSchema, RefreshSchema } from "../../../runtime/src/contract/refresh";

const cfg = BackoffSchema.parse({});
const mid = () => 0.5; // no jitter
const MIN = 60_000;

describe("backoff", () => {
  test("1, 2, 4, 5, 5 minutes without jitter: short, so a renewal follows the endpoint's recovery within minutes", () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelayMs(cfg, n, mid) / MIN), [1, 2, 4, 5, 5]);
    assert.equal(maxBackoffMs(cfg), 5 * MIN);
  });
  test("the defaults leave room for several retries inside the CLI's 5-minute window and the default maxRunMinutes", () => {
    const r = RefreshSchema.parse({});
    let t = 0;
    let n = 0;
    while (t + backoffDelayMs(cfg, n + 1, mid) <= r.maxRunMinutes * MIN) t += backoffDelayMs(cfg, ++n, mid);
    assert.ok(n >= 8, `only ${n} retries within maxRunMinutes`);
    assert.ok(backoffDelayMs(cfg, 1, () => 0.999) < 2 * MIN, "the first retry lands while the token is still inside the window");
  });
  test("jitter stays within ±20% and under the cap", () => {
    for (const r of [0, 0.25, 0.999]) {
      const d = backoffDelayMs(cfg, 2, () => r);
      assert.ok(d >= 2 * MIN * 0.8 && d <= 2 * MIN * 1.2, String(d));
      assert.ok(backoffDelayMs(cfg, 20, () => r) <= 5 * MIN);
    }
  });
  test("failures accumulate for the same login and restart for a new one", () => {
    const b1 = nextBackoff(cfg, undefined, { outcome: "transient", reason: "rate-limited", fingerprint: "f1" }, 0, mid);
    const b2 = nextBackoff(cfg, b1, { outcome: "transient", reason: "rate-limited", fingerprint: "f1" }, 1000, mid);
    assert.equal(b2.failures, 2);
    assert.equal(b2.until, 1000 + 2 * MIN);
    const b3 = nextBackoff(cfg, b2, { outcome: "transient", reason: "network", fingerprint: "f2" }, 2000, mid);
    assert.equal(b3.failures, 1);
  });
  test("active until it elapses; a changed login voids it", () => {
    const b = nextBackoff(cfg, undefined, { outcome: "transient", reason: "cloudflare", fingerprint: "f1" }, 0, mid);
    assert.equal(backoffActive(b, "f1", 1000).active, true);
    assert.equal(backoffActive(b, "f1", 1 * MIN).active, false);
    const changed = backoffActive(b, "f2", 1000);
    assert.equal(changed.active, false);
    assert.match(changed.active ? "" : (changed.why ?? ""), /credentials changed/);
    assert.equal(backoffActive(undefined, "f1", 0).active, false);
  });
});

test("a CLI run that never called the token endpoint is retried after 5 s, up to QUICK_RETRIES in a row; the backoff after them starts from its base", () => {
  const cfg = BackoffSchema.parse({});
  const failed = { outcome: "transient" as const, reason: "due-not-renewed", fingerprint: "f1" };
  let b: ReturnType<typeof nextBackoff> | undefined;
  for (let i = 1; i <= QUICK_RETRIES; i++) {
    b = nextBackoff(cfg, b, failed, i * 1_000, () => 0.5);
    assert.equal(b.until - i * 1_000, QUICK_RETRY_MS, `quick retry ${i}`);
  }
  assert.equal(b!.failures, QUICK_RETRIES);
  b = nextBackoff(cfg, b, failed, 100_000, () => 0.5);
  assert.equal(b.until - 100_000, 60_000, "the next waits the base delay, not the delay of its failure count");
  b = nextBackoff(cfg, b, { ...failed, reason: "token-endpoint-500" }, 200_000, () => 0.5);
  assert.equal(b.until - 200_000, 120_000, "and the backoff grows from there");
  const endpoint = nextBackoff(cfg, undefined, { outcome: "transient", reason: "token-endpoint-500", fingerprint: "f1" }, 1_000, () => 0.5);
  assert.equal(endpoint.until - 1_000, 60_000, "an answer from the token endpoint backs off normally");
  // A real failure first: a run that never tried after it is not a quick retry (the endpoint may still be down).
  const after = nextBackoff(cfg, endpoint, failed, 70_000, () => 0.5);
  assert.equal(after.until - 70_000, 120_000);
  // Two runs that never tried, then the endpoint answers 500: that is the streak's first real failure.
  let mixed = nextBackoff(cfg, undefined, failed, 0, () => 0.5);
  mixed = nextBackoff(cfg, mixed, failed, 10_000, () => 0.5);
  mixed = nextBackoff(cfg, mixed, { ...failed, reason: "token-endpoint-500" }, 20_000, () => 0.5);
  assert.equal(mixed.until - 20_000, 60_000);
  // A new login starts the count again.
  const fresh = nextBackoff(cfg, { ...b, fingerprint: "f0" }, failed, 300_000, () => 0.5);
  assert.equal(fresh.until - 300_000, QUICK_RETRY_MS);
});
