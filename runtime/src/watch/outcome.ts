/**
 * Pure: turns a sync engine report into what the trigger logic schedules on, and into the one
 * summary line `watch` logs per sync.
 */
import type { SyncReport } from "../sync/types";
import type { LogFields } from "../log";
import type { SyncReason, SyncResult } from "./triggers";

/**
 * `sourceUnreadable`: the credentials file was missing, empty or not a Claude login when checked
 * (the shell only checks when the report carries a run-level error).
 */
export function classifySyncReport(report: SyncReport, sourceUnreadable: boolean): SyncResult {
  if (report.error !== undefined && report.error !== "") return sourceUnreadable ? "source-unreadable" : "failed";
  if (report.results.some((r) => r.outcome === "failed")) return "failed";
  // "refused" and "skipped-newer" need a human or a newer source, not a retry.
  return "ok";
}

export function summaryFields(reason: SyncReason, result: SyncResult, report: SyncReport | undefined, ms: number): LogFields {
  const count = (o: string) => report?.results.filter((r) => r.outcome === o).length ?? 0;
  return {
    reason,
    result,
    changed: report?.changed ?? false,
    written: count("written"),
    unchanged: count("unchanged"),
    skipped: count("skipped-newer") + count("refused"),
    failed: count("failed"),
    ms,
  };
}

/** What a sync-done event needs to know about OpenClaw's reload. */
export function reloadInfo(report: SyncReport): { reloadDeferredUntil?: number; reloadSettled: boolean } {
  const r = report.reload;
  if (!r) return { reloadSettled: false };
  if (r.deferredUntil !== undefined) return { reloadDeferredUntil: r.deferredUntil, reloadSettled: false };
  return { reloadSettled: true };
}
