import { test } from "node:test";
import assert from "node:assert/strict";
import { classifySyncReport, reloadInfo, summaryFields } from "../../../runtime/src/watch/outcome";
import type { SyncReport, TargetResult } from "../../../runtime/src/sync/types";

const r = (outcome: TargetResult["outcome"]): TargetResult => ({ target: `t:${outcome}`, outcome, detail: "" });

test("classify: a run-level error is 'source-unreadable' only when the source was unreadable", () => {
  const rep: SyncReport = { results: [], changed: false, error: "x: file is empty" };
  assert.equal(classifySyncReport(rep, true), "source-unreadable");
  assert.equal(classifySyncReport(rep, false), "failed");
});

test("classify: a failed target is retried; refused and skipped-newer are not failures", () => {
  assert.equal(classifySyncReport({ results: [r("written"), r("failed")], changed: true }, false), "failed");
  assert.equal(classifySyncReport({ results: [r("refused"), r("skipped-newer"), r("unchanged")], changed: false }, false), "ok");
});

test("reloadInfo: deferred, settled, or nothing to say", () => {
  assert.deepEqual(reloadInfo({ results: [], changed: true, reload: { action: "secrets-reload", ok: true, detail: "", deferredUntil: 5 } }), {
    reloadDeferredUntil: 5,
    reloadSettled: false,
  });
  assert.deepEqual(reloadInfo({ results: [], changed: true, reload: { action: "secrets-reload", ok: true, detail: "" } }), { reloadSettled: true });
  assert.deepEqual(reloadInfo({ results: [], changed: false }), { reloadSettled: false });
});

test("summaryFields counts outcomes for the 'sync done' line", () => {
  const f = summaryFields("change", "ok", { results: [r("written"), r("written"), r("unchanged"), r("refused")], changed: true }, 7);
  assert.deepEqual(f, { reason: "change", result: "ok", changed: true, written: 2, unchanged: 1, skipped: 1, failed: 0, ms: 7 });
});
