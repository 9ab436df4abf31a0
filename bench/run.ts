/**
 * `npm run bench`: performance figures of `watch` (DESIGN §8). Not a test: it asserts nothing,
 * it prints a table and writes bench/runs/latest.json (untracked); OCS_BENCH_SUMMARY=1 also
 * updates the committed summary bench/results/latest.json (bench/output.ts).
 *
 * The latency contenders run side by side and are measured interleaved: each round gives every
 * contender one change, in a random order (issue 18: run one after another on a loaded machine,
 * the runtime came out at 0.8× the floor; interleaved, 3×).
 *
 * (a) latency from a rename of the credentials file to all three file targets written (env,
 *     oauth-json, JSON-era auth-profiles), for the bundled runtime's `watch` as a child process;
 * (b) the same, measured the same way, for two reference contenders in bench/contenders/: the
 *     original tool's inotifywait + jq + sed pipeline, and "the floor" (fs.watch + three fsynced
 *     atomic writes, no validation);
 * (c) `watch` at idle: RSS, CPU and wake-ups (context switches of all its threads) over a window,
 *     with polling off (the default), and with polling on for contrast.
 *
 * The detector is the same for every contender: fs.watch on the three target directories in this
 * process; on any event it re-reads the targets not yet seen with the new token.
 *
 * Knobs: OCS_BENCH_CHANGES (200), OCS_BENCH_GAP_MS (60; > the 25 ms debounce), OCS_BENCH_IDLE_SECONDS
 * (60), OCS_BENCH_IDLE_SETTLE_SECONDS (20, before the idle window), OCS_BENCH_POLL_IDLE_SECONDS (15;
 * 0 = skip), OCS_BENCH_ONLY (comma list of runtime,shell,floor,idle).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { cpus, loadavg } from "node:os";
import { basename, dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fakeAccessToken } from "../test/helpers/tokens";
import { credsText, makeFixture, REPO, RUNTIME, type Fixture } from "../test/fs/watch-fixture";
import { interleavedSchedule, writeRun } from "./output";

const CHANGES = Number(process.env.OCS_BENCH_CHANGES ?? 200);
const GAP_MS = Number(process.env.OCS_BENCH_GAP_MS ?? 60);
const IDLE_S = Number(process.env.OCS_BENCH_IDLE_SECONDS ?? 60);
const POLL_IDLE_S = Number(process.env.OCS_BENCH_POLL_IDLE_SECONDS ?? 15);
// V8 works for a while after start-up (memory reducer GCs, compiling): measured, it is quiet after ~15 s.
const IDLE_SETTLE_S = Number(process.env.OCS_BENCH_IDLE_SETTLE_SECONDS ?? 20);
const ONLY = process.env.OCS_BENCH_ONLY?.split(",").map((s) => s.trim());
const WARMUP = 5;
const PER_CHANGE_TIMEOUT_MS = 3000;

const GOALS = { medianMs: 15, p99Ms: 50, rssMb: 60 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface LatencyResult {
  contender: string;
  n: number;
  misses: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  minMs: number;
}
interface Skipped {
  contender: string;
  skipped: string;
}
interface IdleResult {
  mode: string;
  seconds: number;
  /** Right after the start sync (before V8's memory reducer ran). */
  rssAfterStartMb: number;
  rssMb: number;
  cpuMs: number;
  contextSwitches: number;
  wakeupsPerMinute: number;
  threads: number;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Watches the three target files; `expect(token)` resolves when all three contain it. */
class Detector {
  #watchers: FSWatcher[] = [];
  #token = "";
  #pending = new Set<string>();
  #resolve: ((t: number) => void) | undefined;
  constructor(private readonly files: string[]) {
    for (const d of new Set(files.map(dirname))) {
      this.#watchers.push(watch(d, () => this.#check()));
    }
  }
  #check(): void {
    if (!this.#resolve) return;
    for (const f of [...this.#pending]) {
      try {
        if (readFileSync(f, "utf8").includes(this.#token)) this.#pending.delete(f);
      } catch {
        // mid-rename: the next event re-checks
      }
    }
    if (this.#pending.size === 0) {
      const r = this.#resolve;
      this.#resolve = undefined;
      r(performance.now());
    }
  }
  /** Arms for `token`; call before the change is made. */
  expect(token: string): Promise<number | undefined> {
    this.#token = token;
    this.#pending = new Set(this.files);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#resolve = undefined;
        resolve(undefined);
      }, PER_CHANGE_TIMEOUT_MS);
      this.#resolve = (t) => {
        clearTimeout(timer);
        resolve(t);
      };
    });
  }
  close(): void {
    for (const w of this.#watchers) w.close();
  }
}

function targetsOf(f: Fixture): string[] {
  return [f.envPath, f.oauthPath, f.authPath];
}

/** Seeds the targets with the runtime's own `sync`, so every contender starts from the same files. */
function seed(f: Fixture): { exp: number } {
  const exp = Date.now() + 3600_000;
  writeFileSync(f.credsPath, credsText(fakeAccessToken(), exp), { mode: 0o600 });
  const r = spawnSync(process.execPath, [RUNTIME, "--config", f.configPath, "sync"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`seeding sync failed (${r.status}): ${r.stderr}`);
  return { exp };
}

/** One running contender of an interleaved latency run. */
interface Lane {
  name: string;
  f: Fixture;
  child: ChildProcess;
  output: () => string;
  det: Detector;
  exp: number;
  samples: number[];
  misses: number;
}

/** One timed change of one contender: rename of a new credentials file → all three targets hold its token. */
async function measureOnce(lane: Lane, counted: boolean): Promise<void> {
  if (lane.child.exitCode !== null) throw new Error(`${lane.name} exited (${lane.child.exitCode}) during the run\n${lane.output().slice(-2000)}`);
  const token = fakeAccessToken();
  lane.exp += 1000;
  // The temp file is written before the clock starts: we time the rename → targets path.
  const tmp = `${lane.f.credsPath}.bench.tmp`;
  writeFileSync(tmp, credsText(token, lane.exp), { mode: 0o600 });
  const done = lane.det.expect(token);
  const t0 = performance.now();
  renameSync(tmp, lane.f.credsPath);
  const t1 = await done;
  if (!counted) return;
  if (t1 === undefined) lane.misses++;
  else lane.samples.push(t1 - t0);
}

function summarise(lane: Lane): LatencyResult {
  const samples = [...lane.samples].sort((a, b) => a - b);
  return {
    contender: lane.name,
    n: samples.length,
    misses: lane.misses,
    medianMs: round(pct(samples, 50)),
    p99Ms: round(pct(samples, 99)),
    maxMs: round(samples.at(-1) ?? NaN),
    minMs: round(samples[0] ?? NaN),
  };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null || child.signalCode !== null) return r();
    const t = setTimeout(() => {
      // only our own child, by its pid (and its process group for the shell pipeline)
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, 5000);
    child.once("close", () => {
      clearTimeout(t);
      r();
    });
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  });
}

/** Waits until the contender reacts at all (one untimed change), up to 10 s. */
async function awaitReady(f: Fixture, child: ChildProcess, exp: number): Promise<number> {
  const det = new Detector(targetsOf(f));
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (child.exitCode !== null) throw new Error(`contender exited with ${child.exitCode}`);
      const token = fakeAccessToken();
      exp += 1000;
      const done = det.expect(token);
      const tmp = `${f.credsPath}.ready.tmp`;
      writeFileSync(tmp, credsText(token, exp), { mode: 0o600 });
      renameSync(tmp, f.credsPath);
      if ((await done) !== undefined) return exp;
    }
  } finally {
    det.close();
  }
  throw new Error("contender never wrote the targets");
}

function spawnContender(argv: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; output: () => string } {
  // Own process group, so the whole pipeline (sh, inotifywait, jq) is stopped together.
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], detached: true, env });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  child.stderr!.on("data", (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  return { child, output: () => out };
}

/**
 * Starts every contender (own fixture, own process), then measures them interleaved: each round
 * gives every contender one change, in a fresh random order, with the usual gap after each.
 */
async function runInterleaved(contenders: { name: string; argvFor: (f: Fixture) => string[] }[]): Promise<LatencyResult[]> {
  const lanes: Lane[] = [];
  try {
    for (const c of contenders) {
      const f = makeFixture(`bench-${c.name}`, { resyncIntervalSeconds: 300 });
      const { exp } = seed(f);
      const { child, output } = spawnContender(c.argvFor(f));
      const lane: Lane = { name: c.name, f, child, output, det: new Detector(targetsOf(f)), exp, samples: [], misses: 0 };
      lanes.push(lane);
      try {
        lane.exp = await awaitReady(f, child, exp);
      } catch (e) {
        throw new Error(`${c.name}: ${(e as Error).message}\n${output().slice(-2000)}`);
      }
    }
    const rounds = interleavedSchedule(lanes, WARMUP + CHANGES);
    for (let r = 0; r < rounds.length; r++) {
      for (const lane of rounds[r]!) {
        await measureOnce(lane, r >= WARMUP);
        await sleep(GAP_MS + Math.random() * 20);
      }
    }
    return lanes.map(summarise);
  } finally {
    for (const lane of lanes) {
      lane.det.close();
      await stop(lane.child);
      lane.f.cleanup();
    }
  }
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

interface ProcSample {
  cpuTicks: number;
  switches: number;
  rssKb: number;
  threads: number;
}

function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  let switches = 0;
  const tasks = readdirSync(`/proc/${pid}/task`);
  for (const t of tasks) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${t}/status`, "utf8");
      switches += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
      switches += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(s)?.[1] ?? 0);
    } catch {
      // thread ended between readdir and read
    }
  }
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return { cpuTicks, switches, rssKb, threads: tasks.length };
}

async function measureIdle(mode: "polling off" | "polling on", seconds: number): Promise<IdleResult> {
  const polling = mode === "polling on";
  // resync at its default (300 s): the production setting, longer than the window.
  const f = makeFixture(`bench-idle-${polling ? "poll" : "inotify"}`, { polling, pollIntervalMs: 1000, resyncIntervalSeconds: 300 });
  try {
    seed(f);
    const { child, output } = spawnContender([process.execPath, RUNTIME, "--config", f.configPath, "watch"]);
    try {
      const end = Date.now() + 15_000;
      while (!/^sync done reason=start/m.test(output())) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`watch did not start:\n${output()}`);
        await sleep(20);
      }
      const rssAfterStartMb = round(sampleProc(child.pid!).rssKb / 1024);
      await sleep(IDLE_SETTLE_S * 1000);
      const a = sampleProc(child.pid!);
      await sleep(seconds * 1000);
      const b = sampleProc(child.pid!);
      const switches = b.switches - a.switches;
      return {
        mode,
        seconds,
        rssAfterStartMb,
        rssMb: round(b.rssKb / 1024),
        cpuMs: round(((b.cpuTicks - a.cpuTicks) * 1000) / CLK_TCK),
        contextSwitches: switches,
        wakeupsPerMinute: round((switches * 60) / seconds),
        threads: b.threads,
      };
    } finally {
      await stop(child);
    }
  } finally {
    f.cleanup();
  }
}

function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} missing: run 'npm run build' (npm run bench does)`);
  const want = (k: string) => !ONLY || ONLY.includes(k);
  const latency: (LatencyResult | Skipped)[] = [];
  const log = (s: string) => process.stdout.write(s + "\n");
  const loadAtStart = loadavg();
  log(`bench: ${CHANGES} changes per contender (+${WARMUP} warm-up), gap ${GAP_MS}–${GAP_MS + 20} ms; node ${process.version}; ${cpus().length} cpus; load ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);

  const contenders: { name: string; argvFor: (f: Fixture) => string[] }[] = [];
  if (want("runtime")) contenders.push({ name: "runtime watch", argvFor: (f) => [process.execPath, RUNTIME, "--config", f.configPath, "watch"] });
  if (want("shell")) {
    const missing = ["inotifywait", "jq", "sed"].filter((c) => !has(c));
    if (missing.length) {
      const why = `skipped: ${missing.join(", ")} not installed (apt-get install inotify-tools jq)`;
      log(`shell pipeline: ${why}`);
      latency.push({ contender: "inotifywait+jq+sed", skipped: why });
    } else {
      const script = join(REPO, "bench/contenders/inotify-jq.sh");
      contenders.push({ name: "inotifywait+jq+sed", argvFor: (f) => ["sh", script, f.credsDir, basename(f.credsPath), f.envPath, f.oauthPath, f.authPath] });
    }
  }
  if (want("floor")) {
    const script = join(REPO, "bench/contenders/floor.cjs");
    contenders.push({ name: "floor", argvFor: (f) => [process.execPath, script, f.credsDir, basename(f.credsPath), f.envPath, f.oauthPath, f.authPath] });
  }
  if (contenders.length) {
    log(`latency, interleaved (one change per contender per round, random order): ${contenders.map((c) => c.name).join(", ")} …`);
    latency.push(...(await runInterleaved(contenders)));
  }
  const idle: IdleResult[] = [];
  if (want("idle")) {
    log(`idle: watch, polling off, ${IDLE_S} s …`);
    idle.push(await measureIdle("polling off", IDLE_S));
    if (POLL_IDLE_S > 0) {
      log(`idle: watch, polling on (1 s interval, for contrast), ${POLL_IDLE_S} s …`);
      idle.push(await measureIdle("polling on", POLL_IDLE_S));
    }
  }

  // On a busy machine every contender slows down alike; the ratio to the floor travels better.
  const floor = latency.find((r): r is LatencyResult => r.contender === "floor" && !("skipped" in r));
  const ratio = (r: LatencyResult) => (floor ? `${round(r.medianMs / floor.medianMs)}×` : "-");
  log("\nrename → all three file targets written (ms)");
  log(
    table([
      ["contender", "n", "median", "p99", "min", "max", "misses", "median vs floor"],
      ...latency.map((r) =>
        "skipped" in r ? [r.contender, "-", "-", "-", "-", "-", "-", r.skipped] : [r.contender, r.n, r.medianMs, r.p99Ms, r.minMs, r.maxMs, r.misses, ratio(r)],
      ),
    ]),
  );
  if (idle.length) {
    log("\nwatch at idle");
    log(
      table([
        ["mode", "seconds", "RSS MB (start → idle)", "CPU ms", "ctx switches", "wake-ups/min", "threads"],
        ...idle.map((r) => [r.mode, r.seconds, `${r.rssAfterStartMb} → ${r.rssMb}`, r.cpuMs, r.contextSwitches, r.wakeupsPerMinute, r.threads]),
      ]),
    );
  }
  const rt = latency.find((r): r is LatencyResult => r.contender === "runtime watch" && !("skipped" in r));
  const off = idle.find((r) => r.mode === "polling off");
  const goals = {
    medianMs: rt ? { goal: GOALS.medianMs, value: rt.medianMs, met: rt.medianMs <= GOALS.medianMs } : undefined,
    p99Ms: rt ? { goal: GOALS.p99Ms, value: rt.p99Ms, met: rt.p99Ms <= GOALS.p99Ms } : undefined,
    rssMb: off ? { goal: GOALS.rssMb, value: off.rssMb, met: off.rssMb <= GOALS.rssMb } : undefined,
    // A blocked epoll_wait costs no switches; a handful over a minute is V8/libuv housekeeping, not a poll.
    idleWakeups: off ? { goal: "no periodic wake-ups", value: off.contextSwitches, met: off.wakeupsPerMinute <= 5 } : undefined,
  };
  log("\ngoals (DESIGN §8)");
  for (const [k, v] of Object.entries(goals)) if (v) log(`  ${k}: ${v.value} (goal ${typeof v.goal === "number" ? "≤ " + v.goal : v.goal}) ${v.met ? "met" : "NOT MET"}`);

  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    loadavg: { start: loadAtStart, end: loadavg() },
    settings: { changes: CHANGES, warmup: WARMUP, gapMs: GAP_MS, idleSeconds: IDLE_S, pollIdleSeconds: POLL_IDLE_S, idleSettleSeconds: IDLE_SETTLE_S, latencyOrder: "interleaved" },
    latency,
    idle,
    goals,
  };
  log(`\nwrote ${writeRun("latest", out).join(", ")}`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
