/**
 * A private Docker engine (Debian's docker.io, scripts/ensure-docker.sh) per test run: its own
 * dockerd with its own exec root and socket under /run/ocs-docker-<pid>/, no default bridge, no
 * iptables, no IP forwarding (containers get no outside network: tests use `network_mode: none`),
 * cgroups under its own parent (ocs-docker-<pid>), and `--debug`, so the engine's log records
 * every API call (with the bodies of `exec` requests: their argv and environment), which the
 * tests search for tokens.
 *
 * The data root is the image cache, $OCS_CACHE/docker/engine, held by one run at a time (a lock
 * dir with the owner's pid); a run that finds it busy for longer than `lockWaitMs` uses a temp data
 * root instead (then imports the images anew). `stop()` removes every container, stops the daemon
 * (its pid, then its containerd's), unmounts whatever it left mounted under its dirs, removes its
 * cgroups and the socket dir, and releases the lock; it is safe to call twice, and stale leftovers
 * of runs whose process is gone are swept at start.
 */
import { waitForReady } from "./ready";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, type RunResult } from "../e2e/harness";

export const DOCKERD = "/usr/sbin/dockerd";
/** Debian's client (20.10); /usr/local/bin/docker may be another one. */
export const DOCKER = "/usr/bin/docker";
export const COMPOSE = "/usr/bin/docker-compose";
const CACHE = process.env.OCS_CACHE ?? "/var/cache/openclaw-oauth-sync";
const ENGINE_ROOT = join(CACHE, "docker", "engine");
const LOCK = join(CACHE, "docker", "engine.lock");

/** Why a private engine cannot be started here, or undefined. */
export function dockerUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "the Docker tests must run as root (dockerd)";
  for (const b of [DOCKERD, DOCKER, COMPOSE, "/usr/bin/containerd", "/usr/sbin/runc"]) {
    if (!existsSync(b)) return `${b} is missing: run "bash scripts/ensure-docker.sh" (Debian's docker.io and docker-compose)`;
  }
  return undefined;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readPid = (p: string): number | undefined => {
  try {
    const n = Number(readFileSync(p, "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
};
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
};

/** Mount points at or under one of `prefixes`, deepest first. */
function mountsUnder(prefixes: string[]): string[] {
  const out: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const mp = line.split(" ")[4];
    if (!mp) continue;
    const p = mp.replace(/\\040/g, " ");
    if (prefixes.some((x) => p === x || p.startsWith(`${x}/`))) out.push(p);
  }
  return out.sort((a, b) => b.length - a.length);
}

async function killPid(pid: number | undefined, match: string, graceMs: number): Promise<void> {
  if (pid === undefined || !alive(pid) || !cmdline(pid).includes(match)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, "SIGKILL");
    const d2 = Date.now() + 5000;
    while (alive(pid) && Date.now() < d2) await sleep(100);
  }
}

/** The dirs a run with this pid uses (the data root is shared or a temp dir, recorded in runDir). */
const runDirOf = (pid: number) => `/run/ocs-docker-${pid}`;

async function teardown(runDir: string, cgroupParent: string, dataRoot: string | undefined, ownsLock: boolean, tempData: boolean): Promise<void> {
  const execRoot = join(runDir, "exec");
  await killPid(readPid(join(runDir, "dockerd.pid")), runDir, 20_000);
  // dockerd stops its containerd itself; after a SIGKILL the containerd (and shims) would stay.
  await killPid(readPid(join(execRoot, "containerd", "containerd.pid")), runDir, 10_000);
  for (const m of mountsUnder([runDir, ...(dataRoot ? [join(dataRoot, "overlay2"), join(dataRoot, "containers")] : [])])) {
    await run(["umount", "-l", m], { timeoutMs: 10_000 });
  }
  for (const h of readdirSync("/sys/fs/cgroup")) {
    const base = join("/sys/fs/cgroup", h, cgroupParent);
    if (!existsSync(base)) continue;
    // cgroup dirs go with rmdir only (empty once their processes are gone)
    for (const e of readdirSync(base, { withFileTypes: true }).filter((x) => x.isDirectory())) await run(["rmdir", join(base, e.name)], { timeoutMs: 5000 });
    await run(["rmdir", base], { timeoutMs: 5000 });
  }
  rmSync(runDir, { recursive: true, force: true });
  if (tempData && dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  if (ownsLock) rmSync(LOCK, { recursive: true, force: true });
}

/** Removes what runs whose process no longer exists left behind. */
async function sweepStale(): Promise<void> {
  for (const n of readdirSync("/run")) {
    const m = /^ocs-docker-(\d+)$/.exec(n);
    if (!m || alive(Number(m[1]))) continue;
    const runDir = join("/run", n);
    let temp = "";
    try {
      temp = readFileSync(join(runDir, "data-root"), "utf8").trim();
    } catch {
      /* not recorded: the shared data root */
    }
    await teardown(runDir, n, temp || undefined, false, temp.startsWith("/tmp/"));
  }
  const owner = readPid(join(LOCK, "pid"));
  if (existsSync(LOCK) && (owner === undefined || !alive(owner))) rmSync(LOCK, { recursive: true, force: true });
}

export interface Dockerd {
  pid: number;
  runDir: string;
  /** Directory holding docker.sock (bind it into a test host to give it this engine). */
  sockDir: string;
  sock: string;
  dataRoot: string;
  logPath: string;
  /** Environment for docker / docker-compose on the build machine. */
  env: NodeJS.ProcessEnv;
  docker(args: string[], o?: { stdin?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Like docker(), but throws with the output unless it exits 0; returns stdout trimmed. */
  dockerOk(args: string[], o?: { stdin?: string; timeoutMs?: number }): Promise<string>;
  /** The engine's log so far. */
  log(): string;
  stop(): Promise<void>;
}

export async function startDockerd(o: { lockWaitMs?: number } = {}): Promise<Dockerd> {
  const why = dockerUnavailableReason();
  if (why) throw new Error(why);
  await sweepStale().catch(() => undefined);
  mkdirSync(join(CACHE, "docker"), { recursive: true });
  // the shared image cache, one run at a time
  let ownsLock = false;
  const deadline = Date.now() + (o.lockWaitMs ?? 120_000);
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      ownsLock = true;
      break;
    } catch {
      const owner = readPid(join(LOCK, "pid"));
      if (owner !== undefined && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) break;
      else await sleep(500);
    }
  }
  const tempData = !ownsLock;
  const dataRoot = ownsLock ? ENGINE_ROOT : mkdtempSync("/tmp/ocs-docker-data-");
  mkdirSync(dataRoot, { recursive: true });
  const runDir = runDirOf(process.pid);
  const cgroupParent = `ocs-docker-${process.pid}`;
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(join(runDir, "sock"), { recursive: true, mode: 0o755 });
  writeFileSync(join(runDir, "data-root"), tempData ? dataRoot : "");
  const sock = join(runDir, "sock", "docker.sock");
  const logPath = join(runDir, "dockerd.log");
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}` };
  const logFd = openSync(logPath, "a");
  const child = spawn(
    DOCKERD,
    [
      "--data-root", dataRoot,
      "--exec-root", join(runDir, "exec"),
      "--pidfile", join(runDir, "dockerd.pid"),
      "--host", `unix://${sock}`,
      "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false",
      "--userland-proxy=false",
      "--cgroup-parent", cgroupParent,
      "--storage-driver=overlay2",
      "--debug",
    ],
    { detached: true, stdio: ["ignore", logFd, logFd], env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } },
  );
  closeSync(logFd);
  child.unref();
  const pid = child.pid!;
  let stopped = false;
  const d: Dockerd = {
    pid,
    runDir,
    sockDir: join(runDir, "sock"),
    sock,
    dataRoot,
    logPath,
    env,
    docker: (args, ro = {}) => run([DOCKER, ...args], { env, timeoutMs: ro.timeoutMs ?? 60_000, ...(ro.stdin !== undefined ? { stdin: ro.stdin } : {}) }),
    async dockerOk(args, ro = {}) {
      const r = await d.docker(args, ro);
      if (r.code !== 0) throw new Error(`docker ${args.join(" ").slice(0, 200)} → exit ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.stdout}\n${r.stderr}`);
      return r.stdout.trim();
    },
    log: () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : ""),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (alive(pid)) {
        const ids = await d.docker(["ps", "-aq"], { timeoutMs: 20_000 });
        const list = ids.stdout.split("\n").map((s) => s.trim()).filter(Boolean);
        if (list.length > 0) await d.docker(["rm", "-f", "-v", ...list], { timeoutMs: 60_000 });
      }
      await teardown(runDir, cgroupParent, dataRoot, ownsLock, tempData);
    },
  };
  // ready when the API answers (bounded)
  const readyBy = Date.now() + 30_000;
  for (;;) {
    const r = await d.docker(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 5000 });
    if (r.code === 0) break;
    if (!alive(pid) || Date.now() > readyBy) {
      const tail = d.log().split("\n").slice(-15).join("\n");
      await d.stop();
      throw new Error(`dockerd did not come up within 30 s:\n${tail}`);
    }
    await sleep(200);
  }
  return d;
}

/**
 * Makes `tag` exist on the engine: `docker import` of the rootfs dir (scripts/ensure-openclaw-image.sh)
 * with the official image's user, workdir and environment. Returns the import's wall time (0 if cached).
 */
export async function ensureImage(d: Dockerd, rootfs: string, tag: string): Promise<number> {
  if ((await d.docker(["image", "inspect", "--format", "{{.Id}}", tag])).code === 0) return 0;
  const t0 = Date.now();
  const changes = [
    "USER node",
    "WORKDIR /app",
    "ENV HOME=/home/node NODE_ENV=production PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    'CMD ["node","dist/index.js","gateway","--allow-unconfigured"]',
  ].flatMap((c) => ["-c", c]);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const r = await run(["bash", "-c", `set -o pipefail; tar -C ${q(rootfs)} --exclude=./.ocs-image-complete -c . | ${DOCKER} import ${changes.map(q).join(" ")} - ${q(tag)}`], {
    env: d.env,
    timeoutMs: 600_000,
  });
  if (r.code !== 0) throw new Error(`docker import of ${rootfs} as ${tag} failed (exit ${r.code}):\n${r.stderr}`);
  return Date.now() - t0;
}

/** The pid (on the build machine) of a running container's main process. */
export async function containerPid(d: Dockerd, id: string): Promise<number> {
  return Number(await d.dockerOk(["inspect", "--format", "{{.State.Pid}}", id]));
}

/** The control channel of test/helpers/anthropic-fake.mjs (HTTP over its UNIX socket). */
export interface FakeControlClient {
  seed(t: { refreshToken?: string; accessToken?: string; expiresAt?: number }): Promise<void>;
  stats(): Promise<{ tokenRequests: number; tokenOk: number; tokenFailed: number; modelCalls: number; hosts: Record<string, number> }>;
}

function fakeControl(socketPath: string): FakeControlClient {
  const call = (method: string, path: string, body?: unknown): Promise<unknown> =>
    new Promise((res, rej) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request({ socketPath, path, method, headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}, timeout: 5000 }, (r) => {
        let text = "";
        r.on("data", (c: Buffer) => (text += c.toString("utf8")));
        r.on("end", () => ((r.statusCode ?? 500) >= 300 ? rej(new Error(`fake control ${path}: ${r.statusCode} ${text}`)) : res(text ? JSON.parse(text) : {})));
      });
      req.on("timeout", () => req.destroy(new Error(`fake control ${path}: no answer in 5 s`)));
      req.on("error", rej);
      req.end(data);
    });
  return {
    seed: async (t) => void (await call("POST", "/seed", t)),
    stats: async () => (await call("GET", "/stats")) as Awaited<ReturnType<FakeControlClient["stats"]>>,
  };
}

/**
 * Runs the loopback fake of Anthropic (test/helpers/anthropic-fake.mjs) in a running container's
 * network namespace (`nsenter -n -t <pid>`: the container has only loopback), on 127.0.0.1:443,
 * with its control socket on the build machine. The container itself must resolve Anthropic's
 * names to 127.0.0.1 (extra_hosts) and trust the CA (NODE_EXTRA_CA_CERTS).
 */
export async function startFakeInContainerNetns(pid: number, o: { certPath: string; keyPath: string; controlPath: string }): Promise<{ control: FakeControlClient; log(): string; stop(): Promise<void> }> {
  const fake = join(__dirname, "anthropic-fake.mjs");
  const child = spawn("nsenter", ["-n", "-t", String(pid), process.execPath, fake, "--cert", o.certPath, "--key", o.keyPath, "--port", "443", "--host", "127.0.0.1", "--control", o.controlPath], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
  });
  let log = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (log = (log + s).slice(-200_000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* gone */
    }
    const by = Date.now() + 5000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < by) await sleep(100);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  };
  try {
    await waitForReady(child, 15_000, () => log);
  } catch (e) {
    await stop();
    throw e;
  }
  return { control: fakeControl(o.controlPath), log: () => log, stop };
}
