/**
 * Claude Code versions and headless refresh (facts/openclaw.md §1.3): `claude -p` failed to
 * refresh in 2.1.59, 2.1.104 and 2.1.114, fixed reactively in 2.1.117; reports of `-p` failing
 * with "OAuth session expired and could not be refreshed" on 2.1.216 and 2.1.220.
 */
export type Semver = [number, number, number];

export const FIRST_HEADLESS_REFRESH: Semver = [2, 1, 117];
export const KNOWN_BAD: Record<string, string> = {
  "2.1.216": "anthropics/claude-code#79685",
  "2.1.220": "anthropics/claude-code#81937",
};

/** The first x.y.z in `claude --version` output ("2.1.240 (Claude Code)"). */
export function parseClaudeVersion(output: string): Semver | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(output);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function compareSemver(a: Semver, b: Semver): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export const fmt = (v: Semver): string => v.join(".");
