/**
 * The storage era each OpenClaw release uses, by version alone (facts/openclaw.md §0, §3, §7):
 *   json        ≤ 2026.4.6
 *   json-split  2026.4.7 – 2026.6.1
 *   sqlite      ≥ 2026.6.5 (no release was published between 2026.6.1 and 2026.6.5)
 * Verified against the real releases (test/compat). Shared by the runtime (openclaw/era.ts, which
 * also looks at the files) and the Pulumi program (infra/facts/interpret.ts): no I/O here.
 */

/** OpenClaw's credential storage era for one agent dir (facts/openclaw.md §0, §3). */
export type StorageEra = "json" | "json-split" | "sqlite";

/** [year, month, day] of a date-based OpenClaw version ("2026.4.6", "v2026.7.1-2", "2026.4.12-beta.1"). */
export function parseOpenClawVersion(v: string): [number, number, number] | undefined {
  const m = /^v?(\d{4})\.(\d{1,2})\.(\d{1,2})(?:[-+].*)?$/.exec(v.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function cmp(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Era implied by a version alone; undefined when the version is not date-based. */
export function eraForVersion(version: string): StorageEra | undefined {
  const v = parseOpenClawVersion(version);
  if (!v) return undefined;
  if (cmp(v, [2026, 4, 6]) <= 0) return "json";
  if (cmp(v, [2026, 6, 1]) <= 0) return "json-split";
  return "sqlite";
}
