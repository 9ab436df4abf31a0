/**
 * CPU of many small remote commands: one ssh client per command (OCS_SSH_CHANNELS=0) against the
 * persistent command channels (infra/ssh/channel.ts). Not a test: it prints a table.
 *
 *   node --import tsx bench/ssh-channel.ts            (needs root: a real sshd on 127.0.0.1)
 *
 * Each mode runs in its own Node process against the same sshd, with the master already up;
 * per mode: N sequential then N concurrent `runScript(session, "echo hi")`. Reported per phase:
 * wall time, this process's CPU (process.cpuUsage), the CPU of its reaped children (ssh clients;
 * /proc/self/stat cutime+cstime, channels are closed before the last reading so they count), and
 * the whole machine's busy CPU from /proc/stat (sshd, remote shells, master: the host side too,
 * since the host is this machine). Knobs: OCS_BENCH_N (200), OCS_BENCH_ROUNDS (3).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { startSshd } from "../test/helpers/sshd";

const N = Number(process.env.OCS_BENCH_N ?? 200);
const TICK_MS = 10; // USER_HZ = 100 on Linux

function childrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) * TICK_MS; // cutime, cstime (fields 16, 17)
}

function machineBusyMs(): number {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return (cpu.reduce((a, b) => a + b, 0) - idle) * TICK_MS;
}

async function worker(): Promise<void> {
  const { getSession, runScript, closeAll } = await import("../infra/ssh/transport");
  const host = JSON.parse(process.env.OCS_BENCH_HOST!);
  const s = await getSession(host);
  await s.check("true"); // the master is up before we measure (both modes)
  const out: Record<string, unknown> = {};
  const phase = async (name: string, body: () => Promise<void>, closeAtEnd: boolean) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const k0 = childrenCpuMs();
    const m0 = machineBusyMs();
    await body();
    if (closeAtEnd) await s.channels?.close(0); // so the channels' ssh clients are reaped and counted
    const c = process.cpuUsage(c0);
    out[name] = {
      wallMs: Math.round(performance.now() - t0),
      nodeCpuMs: Math.round((c.user + c.system) / 1000),
      childCpuMs: childrenCpuMs() - k0,
      machineBusyMs: machineBusyMs() - m0,
    };
  };
  await phase(
    "sequential",
    async () => {
      for (let i = 0; i < N; i++) if ((await runScript(s, "echo hi")) !== "hi\n") throw new Error("bad reply");
    },
    false,
  );
  await phase(
    "concurrent",
    async () => {
      const r = await Promise.all(Array.from({ length: N }, () => runScript(s, "echo hi")));
      if (r.some((x) => x !== "hi\n")) throw new Error("bad reply");
    },
    true,
  );
  await closeAll();
  process.stdout.write(JSON.stringify(out));
}

async function main(): Promise<void> {
  const sshd = await startSshd();
  const rounds = Number(process.env.OCS_BENCH_ROUNDS ?? 3);
  try {
    const rows: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const mode of ["spawn", "channel"] as const) {
        const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--worker"], {
          env: { ...process.env, OCS_BENCH_HOST: JSON.stringify(sshd.hostRef()), OCS_SSH_CHANNELS: mode === "spawn" ? "0" : "1" },
          encoding: "utf8",
          timeout: 300_000,
        });
        if (r.status !== 0) throw new Error(`${mode} worker failed: ${r.stderr}`);
        const res = JSON.parse(r.stdout) as Record<string, Record<string, number>>;
        for (const [name, v] of Object.entries(res)) {
          rows.push(`${round}\t${mode}\t${name}\t${v.wallMs}\t${v.nodeCpuMs}\t${v.childCpuMs}\t${v.machineBusyMs}`);
        }
      }
    }
    console.log(`N=${N} runScript(session, "echo hi") per phase\nround\tmode\tphase\twall ms\tnode CPU ms\tssh children CPU ms\tmachine busy ms`);
    console.log(rows.join("\n"));
  } finally {
    await sshd.stop();
  }
}

if (process.argv.includes("--worker")) void worker().catch((e) => (console.error(e), process.exit(1)));
else void main().catch((e) => (console.error(e), process.exit(1)));
