/**
 * `node --import tsx bench/fleet.ts`: the fleet at scale (DESIGN §8, issue 17). For 1, 5 and 20
 * throwaway hosts (scripts/testhost.sh), interleaved on the same hosts:
 *   - ours: ONE stack holding every host (`hosts`; the 1-host round uses a classic one-host stack
 *     with `host`), first install = `pulumi up --yes --skip-preview`, no-change audit = plain
 *     `pulumi preview` (refresh: always);
 *   - Ansible: /work/shared/anchors/ansible's site.yml (the same kinds of state as one of our
 *     hosts), tuned (pipelining + ControlPersist), forks = hosts; first converge, then
 *     `ansible-playbook --check --diff`;
 *   - the floor: `pulumi preview` of an empty TypeScript Pulumi program (Pulumi's defaults: ts-node)
 *     on the same machine, same backend kind, in the same rounds.
 * Each run: wall time, CPU seconds (user+sys of the command and every process it waited for, from
 * bash `times`; the backgrounded ssh ControlMaster processes are not children and are not in it,
 * for either tool), the hosts' own CPU seconds (the sum over every host's cgroup `cpu.stat`: sshd,
 * shells, the Node starts on the host; on this machine they share the controller's cores), SSH
 * handshakes per host (sshd "Accepted publickey" lines in each host's
 * journal, read with nsenter, not over SSH), the 1-minute load average before the run. Audits are
 * cold: every SSH master (ours and Ansible's) is closed between runs.
 * Not a test: it asserts nothing. Results: bench/runs/fleet.json (untracked; OCS_BENCH_SUMMARY=1
 * also bench/results/fleet.json).
 *
 * Ansible needs python3 on the hosts; the test image has none. Build a copy of the image with it
 * and point OCS_CACHE at the copy (the Pulumi CLI dir linked in), e.g.:
 *   C=/var/tmp/ocs-bench-cache; mkdir -p $C/testhost && cp -a $OCS_CACHE/testhost/bookworm{,.stamp} $C/testhost/ &&
 *   ln -s $OCS_CACHE/pulumi-v3.259.0 $C/ && systemd-nspawn -q -D $C/testhost/bookworm --register=no --pipe \
 *     sh -c 'apt-get -q update && apt-get install -y --no-install-recommends python3'
 * Without python3 on the hosts (or without /usr/bin/ansible-playbook) the Ansible rows are skipped.
 *
 * Knobs: OCS_BENCH_FLEET_SIZES ("1,5,20"), OCS_BENCH_FLEET_RUNS (audits per tool and size, 3),
 * OCS_BENCH_ANSIBLE_DIR (/work/shared/anchors/ansible), OCS_BENCH_PREVIEW_ARGS (extra args of our
 * preview, e.g. "--parallel 64").
 * Needs root, the Pulumi CLI in the cache, the test host image and `npm run build`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { writeRun } from "./output";
import { runBounded } from "../tools/fleet/run";
import { bootHost, downHost, hostName, initMultiHostStack, layoutNative, nativeHostEntry, pulumiEnv, requireTools, run, sshScript, type PulumiEnv, type TestHost } from "../test/fleet/harness";

const SIZES = (process.env.OCS_BENCH_FLEET_SIZES ?? "1,5,20").split(",").map((s) => Number(s.trim())).filter((n) => n >= 1);
const RUNS = Number(process.env.OCS_BENCH_FLEET_RUNS ?? "3");
const ANSIBLE_DIR = process.env.OCS_BENCH_ANSIBLE_DIR ?? "/work/shared/anchors/ansible";
const PREVIEW_ARGS = (process.env.OCS_BENCH_PREVIEW_ARGS ?? "").split(" ").filter((s) => s !== "");
const AP = "/usr/bin/ansible-playbook";

interface Sample {
  hosts: number;
  /** floor: empty TypeScript program (Pulumi's defaults, ts-node); floorjs: empty plain-JS program */
  tool: "ours" | "ansible" | "floor" | "floorjs";
  phase: "install" | "audit";
  i: number;
  wallS: number;
  cpuS: number;
  /** CPU seconds the hosts spent during the run (their cgroups); null for the floor. */
  hostsCpuS: number | null;
  handshakesPerHost: number | null;
  load1: number;
  exitCode: number | null;
  /** ansible: "changed=" sum; ours: the change summary line */
  note: string;
}

interface SizeInfo {
  hosts: number;
  bootS: number;
  memAvailableBeforeMiB: number;
  memAvailableAfterBootMiB: number;
}

const samples: Sample[] = [];
const sizes: SizeInfo[] = [];

function memAvailableMiB(): number {
  const m = /MemAvailable:\s+(\d+) kB/.exec(fs.readFileSync("/proc/meminfo", "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Runs argv under bash so that `times` reports the CPU of everything it waited for. */
async function timed(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number; what: string }) {
  const load1 = loadavg()[0]!;
  const t0 = performance.now();
  const r = await run("bash", ["-c", '"$@"; rc=$?; times >&2; exit $rc', "timed", ...argv], opts);
  const wallS = (performance.now() - t0) / 1000;
  const t = [...r.stderr.matchAll(/(\d+)m([\d.]+)s/g)].slice(-2);
  const cpuS = t.reduce((a, m) => a + Number(m[1]) * 60 + Number(m[2]), 0);
  return { ...r, wallS, cpuS, load1 };
}

/** sshd's accepted logins so far on each host, from its journal (no SSH involved). */
function acceptedLogins(h: TestHost): number {
  try {
    const nspawn = fs.readFileSync(path.join(h.dir, "nspawn.pid"), "utf8").trim();
    const leader = execFileSync("ps", ["--ppid", nspawn, "-o", "pid="], { encoding: "utf8" }).trim().split(/\s+/)[0]!;
    const out = execFileSync("nsenter", ["-t", leader, "-m", "-p", "journalctl", "-q", "-o", "cat", "-t", "sshd", "--no-pager"], { encoding: "utf8", maxBuffer: 64 << 20 });
    return out.split("\n").filter((l) => l.includes("Accepted publickey")).length;
  } catch {
    return NaN;
  }
}
const totalLogins = (hosts: TestHost[]) => hosts.reduce((a, h) => a + acceptedLogins(h), 0);

/** CPU seconds used so far by everything in the hosts' cgroups (scripts/testhost.sh makes one per host). */
function hostsCpuSeconds(hosts: TestHost[]): number {
  let usec = 0;
  for (const h of hosts) {
    const dir = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"].map((root) => path.join(root, `ocs-testhost-${h.name}`)).find((d) => fs.existsSync(path.join(d, "cpu.stat")));
    if (!dir) return NaN;
    usec += Number(/^usage_usec (\d+)/m.exec(fs.readFileSync(path.join(dir, "cpu.stat"), "utf8"))?.[1] ?? NaN);
  }
  return usec / 1e6;
}

/** Closes the ssh masters in a control dir (ours: the private TMPDIR of our pulumi runs; Ansible's cp dir). */
async function closeMasters(dir: string): Promise<void> {
  if (!fs.existsSync(dir)) return;
  const socks: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSocket()) socks.push(p);
    }
  };
  walk(dir);
  await Promise.all(socks.map((s) => run("ssh", ["-O", "exit", "-S", s, "x"], { timeoutMs: 10_000, what: "ssh -O exit" }).catch(() => undefined)));
}

// ---- Ansible --------------------------------------------------------------------------------

function ansibleUsable(): string | undefined {
  if (!fs.existsSync(AP)) return `${AP} missing (apt-get install ansible-core)`;
  if (!fs.existsSync(path.join(ANSIBLE_DIR, "site.yml"))) return `${ANSIBLE_DIR}/site.yml missing`;
  const cache = process.env.OCS_CACHE || "/var/cache/openclaw-oauth-sync";
  if (!fs.existsSync(path.join(cache, "testhost", "bookworm", "usr", "bin", "python3"))) return `no python3 in ${cache}/testhost/bookworm (see the header of bench/fleet.ts)`;
  return undefined;
}

/** A copy of the anchor with an inventory of `hosts`, tuned settings and forks = hosts. */
function ansibleProject(hosts: TestHost[], base: string): { dir: string; cp: string } {
  const dir = path.join(base, "ansible");
  fs.cpSync(ANSIBLE_DIR, dir, { recursive: true });
  const cp = path.join(base, "acp");
  fs.mkdirSync(cp, { recursive: true });
  const inv = ["[openclaw]"];
  for (const h of hosts) {
    inv.push(
      `${h.name} ansible_host=${h.address} ansible_user=root ansible_ssh_private_key_file=${h.key} ansible_ssh_common_args="-o UserKnownHostsFile=${h.knownHosts} -o StrictHostKeyChecking=yes"`,
    );
  }
  fs.writeFileSync(path.join(dir, "inventory.ini"), `${inv.join("\n")}\n`);
  fs.writeFileSync(
    path.join(dir, "ansible.cfg"),
    `[defaults]\nvault_password_file = vault-pass.txt\nforks = ${hosts.length}\n\n[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s\ncontrol_path_dir = ${cp}\n`,
  );
  return { dir, cp };
}

/** The anchor's pre-existing user state on each host (openclaw.json with other keys, a .env). */
async function ansibleSeed(h: TestHost): Promise<void> {
  const json = fs.readFileSync(path.join(ANSIBLE_DIR, "seed", "openclaw.json"), "utf8");
  const env = fs.readFileSync(path.join(ANSIBLE_DIR, "seed", "env"), "utf8");
  await sshScript(h, `install -d -m 0700 /root/.openclaw\numask 077\ncat > /root/.openclaw/openclaw.json <<'EOF_J'\n${json}EOF_J\ncat > /root/.openclaw/.env <<'EOF_E'\n${env}EOF_E\n`, "ansible seed");
}

// ansible's config dir moved: our runtime config is /etc/openclaw-oauth-sync/config.json too.
const ANSIBLE_EXTRA = ["-e", "openclaw_oauth_sync_config_dir=/etc/openclaw-oauth-sync-ansible"];

async function ansibleRun(proj: { dir: string; cp: string }, hosts: TestHost[], phase: "install" | "audit", i: number): Promise<void> {
  const before = totalLogins(hosts);
  const cpu0 = hostsCpuSeconds(hosts);
  const args = [AP, "-i", "inventory.ini", "site.yml", ...ANSIBLE_EXTRA, ...(phase === "audit" ? ["--check", "--diff"] : [])];
  const r = await timed(args, { cwd: proj.dir, env: { ...process.env, ANSIBLE_CONFIG: path.join(proj.dir, "ansible.cfg") }, timeoutMs: 1_800_000, what: `ansible ${phase}` });
  const hostsCpuS = hostsCpuSeconds(hosts) - cpu0;
  const after = totalLogins(hosts);
  await closeMasters(proj.cp);
  const changed = [...r.stdout.matchAll(/changed=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  const failed = [...r.stdout.matchAll(/(?:failed|unreachable)=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  samples.push({ hosts: hosts.length, tool: "ansible", phase, i, wallS: r.wallS, cpuS: r.cpuS, hostsCpuS, handshakesPerHost: (after - before) / hosts.length, load1: r.load1, exitCode: r.code, note: `changed=${changed} failed=${failed}` });
  if (r.code !== 0) process.stderr.write(`ansible ${phase} exited ${r.code}:\n${r.stdout.slice(-3000)}\n`);
}

// ---- ours -----------------------------------------------------------------------------------

async function oursRun(pe: PulumiEnv, sshTmp: string, hosts: TestHost[], phase: "install" | "audit", i: number): Promise<void> {
  const before = totalLogins(hosts);
  const cpu0 = hostsCpuSeconds(hosts);
  const args = phase === "install" ? ["pulumi", "up", "--yes", "--skip-preview", "--stack", "bench"] : ["pulumi", "preview", "--stack", "bench", ...PREVIEW_ARGS];
  const r = await timed(args, { cwd: pe.projectDir, env: { ...pe.env, TMPDIR: sshTmp }, timeoutMs: 1_800_000, what: `pulumi ${phase}` });
  const hostsCpuS = hostsCpuSeconds(hosts) - cpu0;
  const after = totalLogins(hosts);
  await closeMasters(sshTmp);
  const summary = (/Resources:\n([\s\S]*?)\n\n/.exec(r.stdout)?.[1] ?? "").replace(/\s+/g, " ").trim();
  samples.push({ hosts: hosts.length, tool: "ours", phase, i, wallS: r.wallS, cpuS: r.cpuS, hostsCpuS, handshakesPerHost: (after - before) / hosts.length, load1: r.load1, exitCode: r.code, note: summary });
  if (r.code !== 0) process.stderr.write(`pulumi ${phase} exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}\n`);
}

/** An empty TypeScript Pulumi program (what `pulumi new typescript` gives, minus the bucket). */
async function floorProject(cliBin: string, lang: "ts" | "js"): Promise<PulumiEnv> {
  const pe = pulumiEnv(cliBin);
  // The links into the checkout go (unlink: never a recursive remove through a link).
  for (const f of fs.readdirSync(pe.projectDir)) fs.unlinkSync(path.join(pe.projectDir, f));
  fs.writeFileSync(path.join(pe.projectDir, "Pulumi.yaml"), `name: empty\nruntime:\n  name: nodejs\n  options:\n    typescript: ${lang === "ts"}\ndescription: the floor\n`);
  if (lang === "ts") fs.writeFileSync(path.join(pe.projectDir, "index.ts"), 'import * as pulumi from "@pulumi/pulumi";\n\nexport const stack = pulumi.getStack();\n');
  else fs.writeFileSync(path.join(pe.projectDir, "index.js"), '"use strict";\nconst pulumi = require("@pulumi/pulumi");\nexports.stack = pulumi.getStack();\n');
  fs.writeFileSync(path.join(pe.projectDir, "package.json"), `{ "name": "empty", "main": "index.${lang}" }\n`);
  fs.writeFileSync(path.join(pe.projectDir, "tsconfig.json"), '{ "compilerOptions": { "strict": true, "target": "es2020", "module": "commonjs", "moduleResolution": "node", "skipLibCheck": true }, "files": ["index.ts"] }\n');
  const ROOT = path.resolve(__dirname, "..");
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pe.projectDir, "node_modules"));
  const r = await run("pulumi", ["stack", "init", "floor", "--non-interactive"], { env: pe.env, cwd: pe.projectDir, timeoutMs: 60_000, what: "floor stack init" });
  if (r.code !== 0) throw new Error(`floor stack init: ${r.stderr}`);
  const up = await run("pulumi", ["up", "--yes", "--skip-preview"], { env: pe.env, cwd: pe.projectDir, timeoutMs: 300_000, what: "floor up" });
  if (up.code !== 0) throw new Error(`floor up: ${up.stdout}\n${up.stderr}`);
  return pe;
}

async function floorRun(pe: PulumiEnv, n: number, i: number, tool: "floor" | "floorjs"): Promise<void> {
  const r = await timed(["pulumi", "preview", "--stack", "floor"], { cwd: pe.projectDir, env: pe.env, timeoutMs: 300_000, what: "floor preview" });
  samples.push({ hosts: n, tool, phase: "audit", i, wallS: r.wallS, cpuS: r.cpuS, hostsCpuS: null, handshakesPerHost: null, load1: r.load1, exitCode: r.code, note: "" });
}

// ---- one size -------------------------------------------------------------------------------

async function measure(n: number, cliBin: string, floor: PulumiEnv, floorJs: PulumiEnv, ansibleOff: string | undefined): Promise<void> {
  const names = Array.from({ length: n }, (_, i) => hostName(`z${n}x${i}`));
  const base = fs.mkdtempSync(path.join(tmpdir(), "ocs-bf-"));
  const sshTmp = fs.mkdtempSync("/tmp/ocsbt-"); // short: ssh control sockets live under it
  const pe = pulumiEnv(cliBin);
  try {
    const memBefore = memAvailableMiB();
    const t0 = performance.now();
    // 5 at a time: testhost.sh waits at most 30 s for a boot, and 20 parallel boots on 2 cores can exceed it.
    const hosts: TestHost[] = await runBounded(names, 5, (x) => bootHost(x));
    const bootS = (performance.now() - t0) / 1000;
    sizes.push({ hosts: n, bootS, memAvailableBeforeMiB: memBefore, memAvailableAfterBootMiB: memAvailableMiB() });
    process.stderr.write(`  ${n} hosts booted in ${bootS.toFixed(1)} s; MemAvailable ${memBefore} → ${memAvailableMiB()} MiB\n`);
    await runBounded(hosts, 5, async (h) => {
      await layoutNative(h);
      if (!ansibleOff) await ansibleSeed(h);
    });
    if (n === 1) {
      // The classic one-host stack: `host` at the top level.
      await initMultiHostStack(pe, "bench", [nativeHostEntry(hosts[0]!, "h0")]);
      const file = path.join(pe.projectDir, "Pulumi.bench.yaml");
      const text = fs.readFileSync(file, "utf8").replace(/"openclaw-oauth-sync:hosts":\[[^\]]*\]/, `"openclaw-oauth-sync:host":${JSON.stringify(hosts[0]!.name)},"openclaw-oauth-sync:sshConfigFile":${JSON.stringify(hosts[0]!.sshConfig)}`);
      fs.writeFileSync(file, text);
    } else {
      await initMultiHostStack(pe, "bench", hosts.map((h, i) => nativeHostEntry(h, `h${i}`)));
    }
    const proj = ansibleOff ? undefined : ansibleProject(hosts, base);
    // first install, interleaved (order alternates with the size)
    const installs: (() => Promise<void>)[] = [() => oursRun(pe, sshTmp, hosts, "install", 1)];
    if (proj) installs.push(() => ansibleRun(proj, hosts, "install", 1));
    if (SIZES.indexOf(n) % 2 === 1) installs.reverse();
    for (const f of installs) await f();
    // no-change audits, interleaved with the floor
    for (let i = 1; i <= RUNS; i++) {
      const round: (() => Promise<void>)[] = [() => oursRun(pe, sshTmp, hosts, "audit", i), () => floorRun(floor, n, i, "floor"), () => floorRun(floorJs, n, i, "floorjs")];
      if (proj) round.push(() => ansibleRun(proj, hosts, "audit", i));
      const order = i % 2 === 0 ? [...round].reverse() : round;
      for (const f of order) await f();
    }
  } finally {
    await closeMasters(sshTmp);
    await Promise.all(names.map((x) => downHost(x)));
    pe.cleanup();
    fs.rmSync(base, { recursive: true, force: true });
    fs.rmSync(sshTmp, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function table(): string {
  const lines = ["hosts  tool     phase    n  wall s (median; min-max)   CPU s (median)  hosts' CPU s  handshakes/host  load1 (min-max)  exit  note"];
  for (const n of SIZES) {
    for (const tool of ["ours", "ansible", "floor", "floorjs"] as const) {
      for (const phase of ["install", "audit"] as const) {
        const ss = samples.filter((s) => s.hosts === n && s.tool === tool && s.phase === phase);
        if (ss.length === 0) continue;
        const w = ss.map((s) => s.wallS);
        const hs = [...new Set(ss.map((s) => (s.handshakesPerHost === null ? "-" : s.handshakesPerHost.toFixed(2))))].join(",");
        const l = ss.map((s) => s.load1);
        lines.push(
          `${String(n).padEnd(5)}  ${tool.padEnd(7)}  ${phase.padEnd(7)}  ${ss.length}  ${median(w).toFixed(1).padStart(6)} (${Math.min(...w).toFixed(1)}-${Math.max(...w).toFixed(1)})`.padEnd(58) +
            `${median(ss.map((s) => s.cpuS)).toFixed(1).padStart(6)}          ${(ss[0]!.hostsCpuS === null ? "-" : median(ss.map((s) => s.hostsCpuS!)).toFixed(1)).padStart(6)}        ${hs.padEnd(15)}  ${Math.min(...l).toFixed(1)}-${Math.max(...l).toFixed(1)}`.padEnd(52) +
            `${[...new Set(ss.map((s) => s.exitCode))].join(",").padEnd(4)}  ${ss[ss.length - 1]!.note.slice(0, 60)}`,
        );
      }
    }
  }
  const med = (n: number, tool: string, phase: string, k: "wallS" | "cpuS") => median(samples.filter((s) => s.hosts === n && s.tool === tool && s.phase === phase).map((s) => s[k]));
  const one = Math.min(...SIZES);
  const big = Math.max(...SIZES);
  if (big > one) {
    lines.push("");
    lines.push(`audit ${big} hosts / ${one}: ${(med(big, "ours", "audit", "wallS") / med(one, "ours", "audit", "wallS")).toFixed(2)}× wall (goal ≤ 2×), ${((med(big, "ours", "audit", "cpuS") - med(one, "ours", "audit", "cpuS")) / (big - one)).toFixed(2)} CPU-s per additional host (goal ≤ 1)`);
    lines.push(`install ${big} hosts / ${one}: ${(med(big, "ours", "install", "wallS") / med(one, "ours", "install", "wallS")).toFixed(2)}× wall (goal ≤ 3×)`);
    // On this machine the hosts share the controller's cores: the audit cannot be faster than all
    // the CPU it needs, spread over every core.
    const bound = (n: number) => (med(n, "ours", "audit", "cpuS") + median(samples.filter((s) => s.hosts === n && s.tool === "ours" && s.phase === "audit").map((s) => s.hostsCpuS ?? NaN))) / cpus().length;
    lines.push(`CPU-bound least wall time of an audit here ((controller + hosts' CPU s) / ${cpus().length} cores): ${one} host(s) ${bound(one).toFixed(1)} s, ${big} hosts ${bound(big).toFixed(1)} s`);
    lines.push(`ansible / ours, audit at ${big} hosts: ${(med(big, "ansible", "audit", "wallS") / med(big, "ours", "audit", "wallS")).toFixed(2)}× (goal ≥ 3×)`);
  }
  lines.push(`one-host preview / empty-program preview: ${(med(one, "ours", "audit", "wallS") / med(one, "floor", "audit", "wallS")).toFixed(2)}× TypeScript, ${(med(one, "ours", "audit", "wallS") / med(one, "floorjs", "audit", "wallS")).toFixed(2)}× plain JS (goal ≤ 1.5×)`);
  lines.push(`machine: ${cpus().length} cores; ${(fs.readFileSync("/proc/meminfo", "utf8").match(/MemTotal:\s+(\d+)/)?.[1] ?? "?")} kB RAM`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { cliBin } = requireTools();
  const ansibleOff = ansibleUsable();
  if (ansibleOff) process.stderr.write(`Ansible rows skipped: ${ansibleOff}\n`);
  const floor = await floorProject(cliBin, "ts");
  const floorJs = await floorProject(cliBin, "js");
  try {
    for (const n of SIZES) {
      process.stderr.write(`${n} host(s) …\n`);
      await measure(n, cliBin, floor, floorJs, ansibleOff);
      process.stderr.write(`${table()}\n`);
      // after every size, so that a failure in a bigger one keeps what was measured
      writeRun("fleet", { at: new Date().toISOString(), cores: cpus().length, partial: true, sizes, samples, table: table().split("\n") });
    }
  } finally {
    floor.cleanup();
    floorJs.cleanup();
  }
  const text = table();
  process.stdout.write(`${text}\n`);
  const at = new Date().toISOString();
  process.stdout.write(`wrote ${writeRun("fleet", { at, cores: cpus().length, sizes, samples, table: text.split("\n") }).join(", ")}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
