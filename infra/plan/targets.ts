/**
 * What TargetsInSync is given to audit: the runtime's own verdict per target, as the facts script
 * read it from `status --json` (states only, never a token). Pure.
 */

/** Target states that mean the target holds the current token (or a newer one it must keep). */
export const IN_SYNC_STATES = ["in-sync", "newer"] as const;

/** A host whose runtime could not report (not installed yet, its config removed, status crashed or timed out). */
export const TARGETS_NOT_REPORTED = "targets: cannot inspect (the runtime's status --json gave no report)";

/**
 * The targets not in sync ("<target>: <state>", sorted), from the facts: a runtime that cannot
 * report is drift like any other (an `up` runs sync, then checks again), not a failed audit.
 */
export function observedOutOfSync(targetsOutOfSync: readonly string[] | undefined): string[] {
  return targetsOutOfSync === undefined ? [TARGETS_NOT_REPORTED] : [...targetsOutOfSync].sort();
}
