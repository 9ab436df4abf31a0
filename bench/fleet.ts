/**
 * `node --import tsx bench/fleet.ts`: wall time of a first `fleet up` over 1, 3 and 6 throwaway
 * hosts (scripts/testhost.sh), relative to one host (DESIGN §8: 6 hosts ≤ 1.5× one host; serial
 * would be 6×). Not a test: it asserts nothing, it prints a table and writes
 * bench/runs/fleet.json (untracked; OCS_BENCH_SUMMARY=1 also bench/results/fleet.json).
 *
 * Each size gets fresh hosts (booted, given the native layout, set up with `setup --yes`) and a
 * fresh file backend, so every measurement is a first install. Only the `fleet up` process is
 * timed (node start-up included), with --parallel equal to the size.
 *
 * Knobs: OCS_BENCH_FLEET_SIZES ("1,3,6"), OCS_BENCH_FLEET_PARALLEL (default: the size).
 * Needs root, the Pulumi CLI in the cache, the test host image and `npm run build`.
 */
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { writeRun } from "./output";
import { bootHost, downHost, hostName, run, layoutNative, pulumiEnv, requireTools, ROOT, setupCli, sshFlags, type TestHost } from "../test/fleet/harness";

const SIZES = (process.env.OCS_BENCH_FLEET_SIZES ?? "1,3,6").split(",").map((s) => Number(s.trim())).filter((n) => n >= 1);
const PARALLEL = process.env.OCS_BENCH_FLEET_PARALLEL ? Number(process.env.OCS_BENCH_FLEET_PARALLEL) : undefined;

interface Measure {
  hosts: number;
  parallel: number;
  wallMs: number;
  perHostMs: number[];
  exitCode: number | null;
  loadBefore: number;
  /** CPU seconds (user + sys) of the fleet process and every process it waited for. */
  cpuSeconds?: number | undefined;
}

async function measure(n: number): Promise<Measure> {
  const { cliBin } = requireTools();
  const pe = pulumiEnv(cliBin);
  const names = Array.from({ length: n }, (_, i) => hostName(`b${n}x${i}`));
  try {
    const hosts: TestHost[] = await Promise.all(names.map((x) => bootHost(x)));
    await Promise.all(hosts.map((h) => layoutNative(h)));
    const setups = await Promise.all(hosts.map((h) => setupCli([h.name, ...sshFlags(h), "--yes"], pe, 300_000)));
    setups.forEach((r, i) => {
      if (r.code !== 0) throw new Error(`setup ${hosts[i]!.name} failed: ${r.stderr}`);
    });
    const parallel = PARALLEL ?? n;
    const loadBefore = loadavg()[0]!;
    const t0 = performance.now();
    // bash's `times` adds up the CPU of every child it waited for (and theirs): pulumi, the
    // program, the dynamic providers, ssh.
    const r = await run("bash", ["-c", `"$0" --import tsx "$1" up --parallel "$2" --project-dir "$3"; rc=$?; times >&2; exit $rc`, process.execPath, join(ROOT, "infra", "fleet", "main.ts"), String(parallel), pe.projectDir], {
      env: pe.env,
      timeoutMs: 1_800_000,
      what: `fleet up of ${n} hosts`,
    });
    const wallMs = performance.now() - t0;
    const cpu = [...r.stderr.matchAll(/(\d+)m([\d.]+)s/g)].slice(-2).reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
    const perHostMs = [...r.stdout.matchAll(/done in ([\d.]+)s/g)].map((m) => Number(m[1]) * 1000);
    if (r.code !== 0) process.stderr.write(`fleet up of ${n} exited ${r.code}:\n${r.stdout.slice(-3000)}\n`);
    return { hosts: n, parallel, wallMs, perHostMs, exitCode: r.code, loadBefore, cpuSeconds: cpu };
  } finally {
    await Promise.all(names.map((x) => downHost(x)));
    pe.cleanup();
  }
}

async function main(): Promise<void> {
  const results: Measure[] = [];
  for (const n of SIZES) {
    process.stderr.write(`fleet up of ${n} host(s) …\n`);
    results.push(await measure(n));
  }
  const one = results.find((r) => r.hosts === 1)?.wallMs;
  const lines = ["hosts  parallel  wall      × one host  per-host up (median)  CPU s  exit  load before"];
  for (const r of results) {
    const sorted = [...r.perHostMs].sort((a, b) => a - b);
    const med = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN;
    lines.push(
      `${String(r.hosts).padEnd(5)}  ${String(r.parallel).padEnd(8)}  ${(r.wallMs / 1000).toFixed(1).padStart(6)}s  ${one ? (r.wallMs / one).toFixed(2).padStart(9) + "×" : "         -"}  ${(med / 1000).toFixed(1).padStart(19)}s  ${(r.cpuSeconds ?? NaN).toFixed(0).padStart(5)}  ${String(r.exitCode).padEnd(4)}  ${r.loadBefore.toFixed(1)}`,
    );
  }
  lines.push(`goal: 6 hosts ≤ 1.5× one host; machine: ${cpus().length} cores`);
  process.stdout.write(`${lines.join("\n")}\n`);
  process.stdout.write(`wrote ${writeRun("fleet", { at: new Date().toISOString(), cores: cpus().length, results }).join(", ")}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
