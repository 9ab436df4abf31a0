/**
 * E2E harness: throwaway Debian hosts (scripts/testhost.sh, systemd-nspawn) and the real Pulumi CLI
 * (scripts/ensure-pulumi-cli.sh) with a temp file backend, passphrase secrets and a private
 * PULUMI_HOME. Everything it starts is stopped by PID (process groups it created) or by the
 * scripts' own `down`; every wait is bounded.
 *
 * The Pulumi project is a snapshot in a temp dir: infra/, runtime/src, templates/ and the built
 * bundle are copied at start (node_modules is a symlink), so a test runs the tree as it was when
 * it started and never writes Pulumi.<stack>.yaml into the repository.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestContext } from "node:test";

export const REPO = resolve(__dirname, "..", "..");
export const CACHE = process.env.OCS_CACHE ?? "/var/cache/openclaw-oauth-sync";
export const PULUMI_BIN = join(CACHE, "pulumi-v3.259.0", "bin");
export const BUNDLE = join(REPO, "dist", "runtime", "openclaw-oauth-sync.cjs");
const TESTHOST = join(REPO, "scripts", "testhost.sh");
const STAND_INS = join(__dirname, "stand-ins");
export const PROJECT = "openclaw-oauth-sync";

/** What is missing to run the e2e tests, each with the command that provides it. */
export function missingPrerequisites(): string[] {
  const out: string[] = [];
  if (typeof process.getuid === "function" && process.getuid() !== 0) out.push("the e2e tests must run as root (systemd-nspawn, network namespaces)");
  for (const b of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
    if (!existsSync(join(PULUMI_BIN, b))) {
      out.push(`${join(PULUMI_BIN, b)} is missing: run "bash scripts/ensure-pulumi-cli.sh" (builds the Pulumi CLI into ${PULUMI_BIN})`);
      break;
    }
  }
  if (!existsSync(join(CACHE, "testhost", "bookworm.stamp")) || !existsSync(join(CACHE, "testhost", "bookworm"))) {
    out.push(`the test-host image is missing (${join(CACHE, "testhost", "bookworm")}): run "bash scripts/testhost.sh image"`);
  }
  if (!existsSync(BUNDLE)) out.push(`${BUNDLE} is missing: run "npm run build"`);
  return out;
}

/** Fails the calling test (never skips) when a prerequisite is missing. */
export function requirePrerequisites(): void {
  const m = missingPrerequisites();
  if (m.length > 0) throw new Error(`e2e prerequisites missing:\n  - ${m.join("\n  - ")}`);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string;
  timeoutMs: number;
}

/**
 * Runs argv in its own process group; on timeout the whole group (ours: we created it) gets
 * SIGTERM, then SIGKILL.
 */
export function run(argv: readonly string[], o: RunOptions): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: o.env ?? process.env,
      cwd: o.cwd,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.on("error", () => undefined);
    child.stdin.end(o.stdin ?? "");
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill("SIGTERM");
      setTimeout(() => kill("SIGKILL"), 5000).unref();
    }, o.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - t0, timedOut });
    });
  });
}

function describe(argv: readonly string[], r: RunResult): string {
  const tail = (s: string) => s.trim().split("\n").slice(-25).join("\n");
  return `${argv.join(" ")} → ${r.timedOut ? "TIMED OUT" : `exit ${r.code}${r.signal ? ` (${r.signal})` : ""}`} after ${r.ms} ms\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}

// ------------------------------------------------------------------------------------------------
// Test hosts
// ------------------------------------------------------------------------------------------------

export interface HostEnv {
  NAME: string;
  HOST: string;
  PORT: string;
  KEY: string;
  KNOWN_HOSTS: string;
  SSH_CONFIG: string;
  NSPAWN_PID: string;
}

export class TestHost {
  private constructor(
    readonly name: string,
    readonly env: HostEnv,
    /** Wall time of `testhost.sh up` (ms), and what the script reported. */
    readonly bootMs: number,
    readonly bootReport: string,
  ) {}

  get address(): string {
    return this.env.HOST;
  }

  /** The instance dir of testhost.sh (keys, ssh_config). */
  get dir(): string {
    return join(process.env.TMPDIR ?? "/tmp", "ocs-testhost", this.name);
  }

  /** "ssh-ed25519 AAAA…" of the host's key, for sshHostKey. */
  hostKeyLine(): string {
    return readFileSync(join(this.dir, "ssh_host_ed25519_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
  }

  privateKey(): string {
    return readFileSync(this.env.KEY, "utf8");
  }

  /** A unique instance name: [a-z0-9-], at most 20 chars. */
  static uniqueName(tag: string): string {
    return `e2e${tag}-${process.pid % 10000}${Math.floor(Math.random() * 100)}`.slice(0, 20);
  }

  /** bindRo: host directories made visible read-only in the guest, as "SRC:DST" (testhost.sh --bind-ro). */
  static async up(name: string, opts: { noNode?: boolean; bindRo?: readonly string[] } = {}): Promise<TestHost> {
    const argv = ["bash", TESTHOST, "up", name, ...(opts.noNode ? ["--no-node"] : []), ...(opts.bindRo ?? []).map((b) => `--bind-ro=${b}`)];
    const r = await run(argv, { timeoutMs: 90_000 });
    if (r.code !== 0) {
      await TestHost.down(name);
      throw new Error(`booting test host ${name} failed: ${describe(argv, r)}`);
    }
    const dir = join(process.env.TMPDIR ?? "/tmp", "ocs-testhost", name);
    const env = Object.fromEntries(
      readFileSync(join(dir, "env"), "utf8")
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    ) as unknown as HostEnv;
    return new TestHost(name, env, r.ms, r.stdout.trim());
  }

  static async down(name: string): Promise<void> {
    await run(["bash", TESTHOST, "down", name], { timeoutMs: 60_000 });
  }

  async down(): Promise<void> {
    await TestHost.down(this.name);
  }

  /**
   * Boots a host with extra `testhost.sh up` arguments as given (e.g. `--bind=SRC:DST`, a
   * writable bind). On failure the half-made host is taken down.
   */
  static async upWithArgs(name: string, args: readonly string[]): Promise<TestHost> {
    const argv = ["bash", TESTHOST, "up", name, ...args];
    const r = await run(argv, { timeoutMs: 90_000 });
    if (r.code !== 0) {
      await TestHost.down(name);
      throw new Error(`booting test host ${name} failed: ${describe(argv, r)}`);
    }
    const env = Object.fromEntries(
      readFileSync(join(process.env.TMPDIR ?? "/tmp", "ocs-testhost", name, "env"), "utf8")
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    ) as unknown as HostEnv;
    return new TestHost(name, env, r.ms, r.stdout.trim());
  }

  /** Runs a command string on the host as root (login shell), over the instance's mux. */
  async ssh(command: string, o: { stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(["ssh", "-F", this.env.SSH_CONFIG, this.name, "--", command], { timeoutMs: o.timeoutMs ?? 30_000, ...(o.stdin !== undefined ? { stdin: o.stdin } : {}) });
  }

  /** Like ssh(), but throws (with the output) unless the command exits 0; returns stdout. */
  async sh(command: string, o: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.ssh(command, o);
    if (r.code !== 0) throw new Error(`on ${this.name}: ${describe(["ssh", this.name, command.slice(0, 200)], r)}`);
    return r.stdout;
  }

  /** Installs the stand-ins (claude, openclaw) and their config on the host. Docker mode runs a real engine (docker.test.ts). */
  async installStandIns(config: Record<string, unknown>, which: { openclawOnPath: boolean; claudeOnPath: boolean }): Promise<void> {
    const file = (n: string) => readFileSync(join(STAND_INS, n), "utf8");
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const put = (path: string, mode: string, content: string) =>
      `mkdir -p "$(dirname ${path})" && echo ${b64(content)} | base64 -d > ${path} && chmod ${mode} ${path}`;
    const steps = [
      put("/usr/local/lib/ocs-standin/common.cjs", "0644", file("common.cjs")),
      put("/etc/ocs-standin/config.json", "0644", JSON.stringify(config, null, 2)),
      put("/usr/local/lib/ocs-standin/openclaw", "0755", file("openclaw")),
      put("/usr/local/lib/ocs-standin/claude", "0755", file("claude")),
    ];
    if (which.openclawOnPath) steps.push("ln -sf /usr/local/lib/ocs-standin/openclaw /usr/local/bin/openclaw");
    if (which.claudeOnPath) steps.push("ln -sf /usr/local/lib/ocs-standin/claude /usr/local/bin/claude");
    await this.sh(steps.join(" && "));
  }

  /** The stand-ins' call log (one JSON object per call). */
  async calls(logPath: string): Promise<Array<Record<string, unknown>>> {
    const out = await this.sh(`cat ${logPath} 2>/dev/null || true`);
    return out
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Raises sshd's LogLevel so each handshake logs "Accepted publickey" (counted by handshakes()). */
  async verboseSshd(): Promise<void> {
    await this.sh("printf 'LogLevel VERBOSE\\n' > /etc/ssh/sshd_config.d/00-ocs-e2e-verbose.conf && systemctl reload ssh");
  }

  /** Number of accepted SSH logins since `since` (a `date +%s.%N` of the host). */
  async handshakesSince(since: string): Promise<number> {
    const out = await this.sh(`journalctl -u ssh --no-pager -o cat --since @${since} | grep -c 'Accepted publickey' || true`);
    return Number(out.trim() || "0");
  }

  async now(): Promise<string> {
    return (await this.sh("date +%s.%N")).trim();
  }
}

// ------------------------------------------------------------------------------------------------
// Pulumi
// ------------------------------------------------------------------------------------------------

export interface PulumiRun extends RunResult {
  args: string[];
}

/** A temp Pulumi workspace: project snapshot, file backend, PULUMI_HOME, TMPDIR for SSH masters. */
export class PulumiWorkspace {
  readonly root: string;
  readonly project: string;
  readonly backend: string;
  readonly home: string;
  readonly tmp: string;
  /** Every command run, with its output: checked for token leaks. */
  readonly runs: PulumiRun[] = [];
  private readonly passphrase = `e2e-${Math.random().toString(36).slice(2)}`;

  constructor() {
    // Short: the SSH control socket lives under tmp/ocs-ssh-<uid>/ (sun_path is 108 bytes).
    this.root = mkdtempSync(join("/tmp", "ocs-e2e-"));
    this.project = join(this.root, "p");
    this.backend = join(this.root, "state");
    this.home = join(this.root, "home");
    this.tmp = join(this.root, "t");
    for (const d of [this.project, this.backend, this.home, this.tmp]) mkdirSync(d, { recursive: true });
    for (const d of ["infra", "templates", join("runtime", "src")]) cpSync(join(REPO, d), join(this.project, d), { recursive: true });
    for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"]) cpSync(join(REPO, f), join(this.project, f));
    mkdirSync(join(this.project, "dist", "runtime"), { recursive: true });
    cpSync(BUNDLE, join(this.project, "dist", "runtime", "openclaw-oauth-sync.cjs"));
    symlinkSync(join(REPO, "node_modules"), join(this.project, "node_modules"));
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PATH: `${PULUMI_BIN}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      PULUMI_HOME: this.home,
      PULUMI_BACKEND_URL: `file://${this.backend}`,
      PULUMI_CONFIG_PASSPHRASE: this.passphrase,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      TMPDIR: this.tmp,
      // The repo's own tests run under tsx; the Pulumi program must not inherit that loader.
      NODE_OPTIONS: "",
    };
  }

  async pulumi(args: string[], o: { timeoutMs?: number; stdin?: string } = {}): Promise<PulumiRun> {
    const r = await run(["pulumi", ...args], {
      env: this.env(),
      cwd: this.project,
      timeoutMs: o.timeoutMs ?? 300_000,
      ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
    });
    const pr = { ...r, args };
    this.runs.push(pr);
    return pr;
  }

  /** Runs and throws with the output unless the exit code is 0. */
  async ok(args: string[], o: { timeoutMs?: number; stdin?: string } = {}): Promise<PulumiRun> {
    const r = await this.pulumi(args, o);
    if (r.code !== 0) throw new Error(describe(["pulumi", ...args], r));
    return r;
  }

  /** Creates a stack with the given config (written as JSON-in-YAML) and secrets (via the CLI). */
  async initStack(stack: string, config: Record<string, unknown>, secrets: Record<string, string> = {}): Promise<void> {
    await this.ok(["stack", "init", stack, "--secrets-provider", "passphrase"], { timeoutMs: 60_000 });
    const file = join(this.project, `Pulumi.${stack}.yaml`);
    const salt = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("encryptionsalt:"));
    const lines = [salt ?? "", "config:", ...Object.entries(config).map(([k, v]) => `  ${PROJECT}:${k}: ${JSON.stringify(v)}`)];
    writeFileSync(file, lines.join("\n") + "\n");
    for (const [k, v] of Object.entries(secrets)) await this.ok(["config", "set", "--secret", "--stack", stack, k], { stdin: v, timeoutMs: 60_000 });
  }

  /** initStack for a stack that manages `h` as root over SSH, with the host key pinned. */
  async initHostStack(stack: string, h: TestHost, config: Record<string, unknown>): Promise<void> {
    await this.initStack(stack, { host: h.address, sshUser: "root", sshHostKey: h.hostKeyLine(), ...config }, { sshPrivateKey: h.privateKey() });
  }

  /** Every file of the file backend (state, history, backups), as text. */
  backendText(): string {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else out.push(readFileSync(p).toString("utf8"));
      }
    };
    walk(this.backend);
    return out.join("\n");
  }

  transcript(): string {
    return this.runs.map((r) => `${r.stdout}\n${r.stderr}`).join("\n");
  }

  /** Stops the SSH masters our pulumi runs left (ControlPersist), via their control sockets. */
  async closeMasters(): Promise<void> {
    const dir = join(this.tmp, `ocs-ssh-${process.getuid?.() ?? 0}`);
    if (existsSync(dir)) {
      for (const n of readdirSync(dir)) {
        const p = join(dir, n);
        if (!statSync(p).isSocket()) continue;
        await run(["ssh", "-o", `ControlPath=${p}`, "-O", "exit", "ocs-e2e-master"], { timeoutMs: 5000 }).catch(() => undefined);
      }
    }
  }

  async cleanup(): Promise<void> {
    await this.closeMasters();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Runs `body` against a fresh test host and Pulumi workspace. The host is torn down by name, not
 * through the TestHost, so an `up` that failed halfway (netns and veth already made) is undone too.
 */
export async function withTestHost(t: TestContext, o: { tag: string; bootReport?: boolean; noNode?: boolean; bindRo?: readonly string[] }, body: (h: TestHost, ws: PulumiWorkspace) => Promise<void>): Promise<void> {
  requirePrerequisites();
  const name = TestHost.uniqueName(o.tag);
  const ws = new PulumiWorkspace();
  try {
    const h = await TestHost.up(name, { noNode: o.noNode ?? false, bindRo: o.bindRo ?? [] });
    t.diagnostic(`boot ${name}${o.noNode ? " (--no-node)" : ""}: ${h.bootMs} ms${o.bootReport ? ` (${h.bootReport})` : ""}`);
    await body(h, ws);
  } finally {
    await ws.cleanup();
    await TestHost.down(name);
  }
}

/** Steps of `pulumi preview --json`, by resource name (the last URN segment), refresh steps left out. */
export function previewOps(json: string): Map<string, string> {
  const j = JSON.parse(json) as { steps?: Array<{ op: string; urn: string }> };
  const ops = new Map<string, string>();
  for (const s of j.steps ?? []) {
    if (s.op === "refresh") continue;
    ops.set(s.urn.split("::").pop()!, s.op);
  }
  return ops;
}

/** Polls `f` until it returns a value other than undefined, at most `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function tmpFile(name: string): string {
  return join(tmpdir(), name);
}
