/**
 * The suite's results file, test/compat/results.json: one entry per release, merged with the
 * entries of releases this run did not cover (OCS_COMPAT_RELEASES runs a subset).
 * scripts/compat-table.mjs renders the table in docs/compatibility.md from it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const RESULTS_PATH = process.env.OCS_COMPAT_RESULTS ?? join(__dirname, "results.json");

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Recorded, not asserted (e.g. which per-agent model keys a release accepts). */
  informational?: boolean;
}

export interface ReleaseResult {
  version: string;
  why: string;
  eraExpected: string;
  /** Our runtime config named the version (openclaw.version), as the Pulumi program does. */
  versionConfigured?: boolean;
  install: { installSeconds?: number; sizeMB?: number; baileysStandIn?: boolean; ensureSeconds: number };
  layout: string[];
  eraBeforeSync?: { era: string; reason: string; agentDir: string };
  eraAfterSync?: { era: string; reason: string };
  modelEdits?: { primary: string; fallbacks: string[]; alias: string; acceptedKeys: string[]; validatedBy: string; perAgent: Record<string, boolean> };
  wrote: { target: string; outcome: string; era?: string | undefined; path?: string | undefined; detail: string }[];
  checks: Check[];
  oracles: string[];
  passed?: boolean;
  error?: string;
  seconds?: number;
  /** Wall time of every OpenClaw CLI call ("models status --json: 5300"), to see where time goes. */
  cliMs?: string[];
}

export interface ResultsFile {
  generatedAt: string;
  node: string;
  wallSeconds: number;
  releases: ReleaseResult[];
}

function versionKey(v: string): number[] {
  return v.split(/[.-]/).map((x) => Number(x) || 0);
}

export function writeResults(fresh: ReleaseResult[], meta: { node: string; wallSeconds: number }): void {
  let old: ReleaseResult[] = [];
  if (existsSync(RESULTS_PATH)) {
    try {
      old = (JSON.parse(readFileSync(RESULTS_PATH, "utf8")) as ResultsFile).releases ?? [];
    } catch {
      old = [];
    }
  }
  const byVersion = new Map(old.map((r) => [r.version, r]));
  for (const r of fresh) byVersion.set(r.version, r);
  const releases = [...byVersion.values()].sort((a, b) => {
    const x = versionKey(a.version);
    const y = versionKey(b.version);
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  });
  const file: ResultsFile = { generatedAt: new Date().toISOString(), node: meta.node.replace(/^.*node-v([\d.]+).*$/, "v$1"), wallSeconds: meta.wallSeconds, releases };
  const tmp = `${RESULTS_PATH}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + "\n");
  renameSync(tmp, RESULTS_PATH);
}
