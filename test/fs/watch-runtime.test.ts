/**
 * The real bundled runtime (`dist/runtime/openclaw-oauth-sync.cjs watch`) as a child process with
 * real file targets: an env file, credentials/oauth.json, and a JSON-era auth-profiles.json.
 * Run with inotify and with polling.
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { fakeAccessToken, findLeakedToken } from "../helpers/tokens";
import {
  allEqual,
  credsText,
  ensureBundle,
  makeFixture,
  readTargets,
  sleep,
  startRuntime,
  waitFor,
  within,
  writeCredsByOtherProcess,
} from "./watch-fixture";
import { runtimeSuite } from "./runtime-suite";

before(() => ensureBundle());

for (const polling of [false, true]) {
  describe(`runtime watch (${polling ? "polling" : "inotify"})`, () => {
    const suite = runtimeSuite();

    test("rename-over, delete + recreate, truncated then completed write; SIGTERM → exit 0; no token in output", async () => {
      const f = suite.fixture(`rt-${polling ? "poll" : "inotify"}`, { polling, pollIntervalMs: 100 });
      const tokens: string[] = [];
      let exp = Date.now() + 3600_000;
      const next = () => {
        const t = fakeAccessToken();
        tokens.push(t);
        exp += 1000;
        return { t, text: credsText(t, exp) };
      };
      const settle = polling ? 5000 : 3000;

      const s0 = next();
      writeCredsByOtherProcess(f.credsPath, s0.text);
      const rt = suite.start(f.configPath, ["watch"]);
      const tStart = Date.now();
      await waitFor("the sync at start to write all three targets", () => allEqual(readTargets(f), s0.t), 10_000);

      if (process.env.OCS_TEST_TIMING) console.log(`start sync after ${Date.now() - tStart} ms`);
      const s1 = next();
      writeCredsByOtherProcess(f.credsPath, s1.text);
      await waitFor("all targets after a rename-over by another process", () => allEqual(readTargets(f), s1.t), settle);

      rmSync(f.credsPath);
      await sleep(polling ? 250 : 50);
      const s2 = next();
      writeFileSync(f.credsPath, s2.text, { mode: 0o600 });
      await waitFor("all targets after delete + recreate", () => allEqual(readTargets(f), s2.t), settle);

      const s3 = next();
      truncateSync(f.credsPath, 0);
      appendFileSync(f.credsPath, s3.text.slice(0, 50));
      await sleep(polling ? 250 : 60);
      assert.ok(allEqual(readTargets(f), s2.t), "a truncated source leaves the targets alone");
      appendFileSync(f.credsPath, s3.text.slice(50));
      await waitFor("all targets after the write completed", () => allEqual(readTargets(f), s3.t), settle);

      const t0 = Date.now();
      rt.child.kill("SIGTERM");
      const code = await within(rt.exited, 5000, "no exit within 5 s");
      assert.equal(code, 0, `exit status after SIGTERM (${Date.now() - t0} ms)\n${rt.output()}`);

      const out = rt.output();
      assert.match(out, new RegExp(`^watch start path=\\S+ polling=${polling} .*resync=0s`, "m"));
      assert.match(out, /^change path=\S+ event=\S+ action=(sync|pending|after-current)$/m, "one line per decision");
      assert.match(out, /^watch stop/m);
      assert.equal(findLeakedToken(out, tokens), undefined, "a token value appeared in the runtime's output");
    });
  });
}

test("runtime watch: a bad config exits 78 at once", async () => {
  const f = makeFixture("rt-badconfig");
  try {
    writeFileSync(f.configPath, JSON.stringify({ claudeCredentials: "relative/path", targets: [] }));
    const rt = startRuntime(f.configPath, ["watch"]);
    const code = await within(rt.exited, 5000, "no exit within 5 s");
    assert.equal(code, 78, rt.output());
    assert.match(rt.output(), /claudeCredentials/);
  } finally {
    f.cleanup();
  }
});
