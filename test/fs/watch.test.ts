/**
 * The watcher in-process against the real filesystem, with a recording sync function; the whole
 * suite runs twice, with inotify and with polling (chokidar's own test discipline, STYLE §2.5).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { memoryLogger } from "../../runtime/src/log";
import { parseCredentials } from "../../runtime/src/credentials";
import type { SyncReport } from "../../runtime/src/sync/types";
import { resolveWatchOptions, watchCredentials, type CredentialsWatcher, type WatchOptions } from "../../runtime/src/watch/watcher";
import { fakeAccessToken } from "../helpers/tokens";
import { credsText, makeFixture, sleep, waitFor, writeCredsAtomic, writeCredsByOtherProcess, type Fixture } from "./watch-fixture";

interface Recorder {
  /** Token read by each sync ("unreadable" when the file did not parse). */
  seen: string[];
  maxConcurrent: number;
  sync(): Promise<SyncReport>;
}

function recorder(path: string, opts: { delayMs?: number; throwOnce?: boolean } = {}): Recorder {
  let running = 0;
  let threw = false;
  const r: Recorder = {
    seen: [],
    maxConcurrent: 0,
    async sync() {
      running++;
      r.maxConcurrent = Math.max(r.maxConcurrent, running);
      try {
        if (opts.delayMs) await sleep(opts.delayMs);
        if (opts.throwOnce && !threw) {
          threw = true;
          throw new Error("disk on fire");
        }
        try {
          const c = parseCredentials(readFileSync(path, "utf8"), path);
          r.seen.push(c.accessToken);
          return { results: [], changed: true, sourceExpiresAt: c.expiresAt };
        } catch (e) {
          r.seen.push("unreadable");
          return { results: [], changed: false, error: (e as Error).message, errorExitCode: 65 };
        }
      } finally {
        running--;
      }
    },
  };
  return r;
}

for (const mode of [{ name: "inotify", polling: false }, { name: "polling", polling: true }] as const) {
  describe(`watcher (${mode.name})`, () => {
    const base: WatchOptions = { polling: mode.polling, pollIntervalMs: 50, resyncIntervalSeconds: 0, debounceMs: 25, dirRetryMinMs: 50, dirRetryMaxMs: 200 };
    const settle = mode.polling ? 3000 : 2000;
    let f: Fixture;
    let w: CredentialsWatcher | undefined;
    const fixtures: Fixture[] = [];
    const watchers: CredentialsWatcher[] = [];

    async function start(rec: Recorder, o: WatchOptions = {}) {
      const log = memoryLogger();
      w = watchCredentials(f.credsPath, { ...base, ...o }, { sync: () => rec.sync(), log });
      watchers.push(w);
      await w.ready;
      return log;
    }

    after(async () => {
      // A failed test leaves its watcher open; close them all so the process can end.
      await Promise.all(watchers.map((x) => x.close()));
      for (const x of fixtures) x.cleanup();
    });

    function fresh(): Fixture {
      f = makeFixture(`watch-${mode.name}`);
      fixtures.push(f);
      return f;
    }

    test("syncs once at start, then on a rename-over by another process", async () => {
      fresh();
      const t0 = fakeAccessToken();
      writeCredsAtomic(f.credsPath, credsText(t0, Date.now() + 3600_000));
      const rec = recorder(f.credsPath);
      const log = await start(rec);
      await waitFor("the sync at start", () => rec.seen.length === 1, settle);
      assert.equal(rec.seen[0], t0);
      for (let i = 0; i < 3; i++) {
        const t = fakeAccessToken();
        writeCredsByOtherProcess(f.credsPath, credsText(t, Date.now() + 3600_000 + i));
        await waitFor(`sync of rename-over #${i + 1}`, () => rec.seen.at(-1) === t, settle);
      }
      assert.ok(log.lines.some((l) => /^watch start path=\S+ polling=(true|false) .*resync=0s/.test(l)), log.lines.join("\n"));
      assert.ok(log.lines.some((l) => /^change path=\S+ event=\S+ action=(sync|pending|after-current)$/.test(l)), "one line per decision");
      await w!.close();
    });

    test("delete + recreate is followed", async () => {
      fresh();
      writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
      const rec = recorder(f.credsPath);
      await start(rec);
      await waitFor("the sync at start", () => rec.seen.length === 1, settle);
      rmSync(f.credsPath);
      await sleep(mode.polling ? 150 : 30);
      const t = fakeAccessToken();
      writeFileSync(f.credsPath, credsText(t, Date.now() + 3600_000), { mode: 0o600 });
      await waitFor("sync of the recreated file", () => rec.seen.at(-1) === t, settle);
      await w!.close();
    });

    test("a truncating in-place write: the half-written state waits, the completed write syncs", async () => {
      fresh();
      writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
      const rec = recorder(f.credsPath);
      await start(rec);
      await waitFor("the sync at start", () => rec.seen.length === 1, settle);
      const t = fakeAccessToken();
      const full = credsText(t, Date.now() + 3600_000);
      truncateSync(f.credsPath, 0);
      await sleep(mode.polling ? 120 : 40);
      appendFileSync(f.credsPath, full.slice(0, 40));
      await sleep(mode.polling ? 120 : 40);
      appendFileSync(f.credsPath, full.slice(40));
      await waitFor("sync of the completed write", () => rec.seen.at(-1) === t, settle);
      await w!.close();
    });

    test("other files in the directory (editor swap files, temp files) do not trigger syncs", async () => {
      fresh();
      writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
      const rec = recorder(f.credsPath);
      await start(rec);
      await waitFor("the sync at start", () => rec.seen.length === 1, settle);
      writeFileSync(join(f.credsDir, ".credentials.json.swp"), "x");
      writeFileSync(join(f.credsDir, "settings.json"), "{}");
      writeFileSync(join(f.credsDir, "other.tmp"), "x");
      rmSync(join(f.credsDir, "other.tmp"));
      await sleep(mode.polling ? 400 : 200);
      assert.equal(rec.seen.length, 1, "no sync for other files");
      // ...and the watch still works afterwards
      const t = fakeAccessToken();
      writeCredsAtomic(f.credsPath, credsText(t, Date.now() + 3600_000));
      await waitFor("sync after the unrelated files", () => rec.seen.at(-1) === t, settle);
      await w!.close();
    });

    test("a burst of renames during slow syncs: never two syncs at once, the last one wins", async () => {
      fresh();
      writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
      const rec = recorder(f.credsPath, { delayMs: 30 });
      await start(rec);
      await waitFor("the sync at start", () => rec.seen.length === 1, settle);
      let last = "";
      for (let i = 0; i < 60; i++) {
        last = fakeAccessToken();
        writeCredsAtomic(f.credsPath, credsText(last, Date.now() + 3600_000 + i));
        await sleep(i % 7);
      }
      await waitFor("the last token synced", () => rec.seen.at(-1) === last, settle);
      // A follow-up sync may still be queued (a change seen during the last sync): let it run.
      let n = -1;
      await waitFor("no more syncs for 300 ms", async () => {
        const before = rec.seen.length;
        await sleep(300);
        n = rec.seen.length;
        return n === before;
      }, settle * 2, 0);
      assert.equal(rec.seen.at(-1), last, "still the last token after settling");
      assert.equal(rec.maxConcurrent, 1, "never two syncs at once");
      assert.ok(n < 60, `changes were coalesced (${n} syncs for 60 changes)`);
      await w!.close();
    });

    test("a sync that throws is logged and the watcher keeps going", async () => {
      fresh();
      writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
      const rec = recorder(f.credsPath, { throwOnce: true });
      const log = await start(rec);
      await waitFor("the failed sync at start to be logged", () => log.lines.some((l) => l.includes("sync failed: disk on fire")), settle);
      const t = fakeAccessToken();
      writeCredsAtomic(f.credsPath, credsText(t, Date.now() + 3600_000));
      await waitFor("sync after the failure", () => rec.seen.at(-1) === t, settle);
      await w!.close();
    });

    test("credentials directory missing at start: waits, then syncs when it appears", async () => {
      f = makeFixture(`watch-nodir-${mode.name}`, { noCredsDir: true });
      fixtures.push(f);
      const rec = recorder(f.credsPath);
      const log = await start(rec);
      await sleep(120);
      assert.equal(rec.seen.length, 0);
      assert.ok(log.lines.some((l) => l.startsWith("warn: watch waiting: the credentials directory does not exist yet")), log.lines.join("\n"));
      mkdirSync(f.credsDir, { recursive: true });
      const t = fakeAccessToken();
      writeCredsAtomic(f.credsPath, credsText(t, Date.now() + 3600_000));
      await waitFor("sync once the directory exists", () => rec.seen.at(-1) === t, settle);
      const t2 = fakeAccessToken();
      writeCredsAtomic(f.credsPath, credsText(t2, Date.now() + 3600_000));
      await waitFor("changes followed after the late start", () => rec.seen.at(-1) === t2, settle);
      await w!.close();
    });

    test("credentials directory removed and recreated: the watch comes back", async () => {
      fresh();
      writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
      const rec = recorder(f.credsPath);
      const log = await start(rec);
      await waitFor("the sync at start", () => rec.seen.length === 1, settle);
      rmSync(f.credsDir, { recursive: true });
      await waitFor("the watcher to notice the directory is gone", () => log.lines.some((l) => l.includes("credentials directory was removed")), settle);
      mkdirSync(f.credsDir);
      const t = fakeAccessToken();
      writeCredsAtomic(f.credsPath, credsText(t, Date.now() + 3600_000));
      await waitFor("sync after the directory came back", () => rec.seen.at(-1) === t, settle);
      const t2 = fakeAccessToken();
      writeCredsAtomic(f.credsPath, credsText(t2, Date.now() + 3600_000));
      await waitFor("changes followed in the recreated directory", () => rec.seen.at(-1) === t2, settle);
      await w!.close();
    });

    test("close() is safe twice, and nothing syncs after it", async () => {
      fresh();
      writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
      const rec = recorder(f.credsPath);
      await start(rec);
      await waitFor("the sync at start", () => rec.seen.length === 1, settle);
      await Promise.all([w!.close(), w!.close()]);
      await w!.close();
      writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
      await sleep(mode.polling ? 300 : 100);
      assert.equal(rec.seen.length, 1);
    });

    if (!mode.polling) {
      test("at idle with resync 0 there is no timer and no stat poller", async () => {
        fresh();
        writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
        const count = (kind: string) => process.getActiveResourcesInfo().filter((k) => k === kind).length;
        const timersBefore = count("Timeout");
        const rec = recorder(f.credsPath);
        await start(rec);
        await waitFor("the sync at start", () => rec.seen.length === 1, settle);
        writeCredsAtomic(f.credsPath, credsText(fakeAccessToken(), Date.now() + 3600_000));
        await waitFor("sync of a change", () => rec.seen.length === 2, settle);
        await sleep(300); // past the verify and chokidar's throttles
        assert.equal(count("StatWatcher"), 0, "chokidar must not poll");
        assert.ok(count("Timeout") <= timersBefore, `no timer left at idle (before ${timersBefore}, now ${count("Timeout")})`);
        await w!.close();
      });
    }
  });
}

test("options: a Partial normalized once into a frozen object; bad values throw at once", () => {
  const o = resolveWatchOptions({ debounceMs: 10, polling: undefined });
  assert.equal(o.debounceMs, 10);
  assert.equal(o.polling, false);
  assert.equal(o.resyncIntervalSeconds, 300);
  assert.ok(Object.isFrozen(o));
  assert.throws(() => resolveWatchOptions({ debounceMs: -1 }), /debounceMs/);
});
