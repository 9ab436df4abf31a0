/**
 * Rapid updates: OCS_RAPID_UPDATES (default 1000) atomic renames of the credentials file, each
 * with a later expiresAt, as fast as this process can make them, while the bundled runtime's
 * `watch` runs. After it settles, every target must hold the LAST token, and stay so.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fakeAccessToken, findLeakedToken } from "../helpers/tokens";
import { allEqual, credsText, ensureBundle, readTargets, sleep, waitFor, within, writeCredsAtomic } from "./watch-fixture";
import { runtimeSuite } from "./runtime-suite";

const N = Number(process.env.OCS_RAPID_UPDATES ?? 1000);

before(() => ensureBundle());

for (const polling of [false, true]) {
  describe(`rapid updates (${polling ? "polling" : "inotify"})`, () => {
    const suite = runtimeSuite();

    test(`${N} atomic renames → every target equals the last source`, async () => {
      const fx = suite.fixture(`rapid-${polling ? "poll" : "inotify"}`, { polling, pollIntervalMs: 100 });
      let exp = Date.now() + 3600_000;
      const first = fakeAccessToken();
      writeCredsAtomic(fx.credsPath, credsText(first, exp));
      const rt = suite.start(fx.configPath, ["watch"]);
      await waitFor("the sync at start", () => allEqual(readTargets(fx), first), 15_000);

      const tokens = new Set<string>([first]);
      let last = first;
      let readsDuringBurst = 0;
      for (let i = 0; i < N; i++) {
        last = fakeAccessToken();
        tokens.add(last);
        exp += 1000;
        writeCredsAtomic(fx.credsPath, credsText(last, exp));
        if (i % 100 === 50) {
          // Targets are always whole: each one parses and holds a token we wrote.
          const t = readTargets(fx);
          for (const v of [t.env, t.oauth, t.auth]) assert.ok(v !== undefined && tokens.has(v), "a target held something we never wrote");
          readsDuringBurst++;
          await sleep(0);
        }
      }
      assert.ok(readsDuringBurst > 0 || N < 51);
      await waitFor(`every target to hold the last of ${N} tokens`, () => allEqual(readTargets(fx), last), 20_000, 20);
      await sleep(polling ? 400 : 200);
      assert.ok(allEqual(readTargets(fx), last), "still the last token after settling (no late older write)");

      rt.child.kill("SIGTERM");
      assert.equal(await within(rt.exited, 5000, "no exit within 5 s"), 0, rt.output());
      assert.equal(findLeakedToken(rt.output(), [...tokens]), undefined, "a token value appeared in the runtime's output");
      if (process.env.OCS_TEST_TIMING) {
        const syncs = rt.output().split("\n").filter((l) => l.startsWith("sync done")).length;
        console.log(`${N} updates → ${syncs} syncs`);
      }
    });
  });
}
