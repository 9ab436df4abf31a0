/**
 * Where bench runs write their figures. A run goes to bench/runs/<name>.json (git-ignored), so
 * running a bench never dirties the work tree; the committed summary bench/results/<name>.json
 * changes only when asked for (OCS_BENCH_SUMMARY=1), i.e. deliberately, with the figures a commit
 * and the docs quote.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const BENCH_DIR = join(__dirname);
/** Untracked: every run lands here (bench/runs/ is in .gitignore). */
export const RUNS_DIR = join(BENCH_DIR, "runs");
/** Tracked: the summary the docs quote. */
export const SUMMARY_DIR = join(BENCH_DIR, "results");

export function runOutputPaths(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const paths = [join(RUNS_DIR, `${name}.json`)];
  if (env.OCS_BENCH_SUMMARY === "1") paths.push(join(SUMMARY_DIR, `${name}.json`));
  return paths;
}

/** Writes one run's figures; returns the paths written (relative to bench/ for the log). */
export function writeRun(name: string, data: unknown, env: NodeJS.ProcessEnv = process.env): string[] {
  const text = JSON.stringify(data, null, 2) + "\n";
  const paths = runOutputPaths(name, env);
  for (const p of paths) {
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, text);
  }
  return paths.map((p) => p.slice(BENCH_DIR.length - "bench".length));
}

/**
 * The order of one interleaved run: `rounds` rounds, each giving every contender one change, in
 * a fresh random order per round — so a burst of load elsewhere on the machine hits every
 * contender alike instead of whichever ran during it.
 */
export function interleavedSchedule<T>(contenders: readonly T[], rounds: number, random: () => number = Math.random): T[][] {
  const out: T[][] = [];
  for (let r = 0; r < rounds; r++) {
    const order = [...contenders];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    out.push(order);
  }
  return out;
}
