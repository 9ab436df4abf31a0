/**
 * A real OpenSSH sshd on 127.0.0.1 for tests (facts/test-hosts.md §2, §10).
 *
 * Each call starts its own sshd on a free port with a fresh ed25519 host key and a fresh client
 * key in a new tmp dir (absolute paths everywhere: sshd chdirs to / and re-execs on HUP), and
 * `stop()` kills exactly that sshd by the PID from its PidFile.
 *
 * Login user: a dedicated non-root account `ocs-test` (created on first use), because root's
 * ~/.bashrc on the build machine runs `pyenv init` (~1.6 s per ssh command). Its login shell is
 * /bin/sh (dash reads no rc file for `ssh host cmd`), its password field is `*` (with UsePAM no a
 * locked `!` account is refused), and /etc/sudoers.d/ocs-test gives it passwordless sudo so the
 * providers' `sudo -n` path is exercised as on a real host. `!secure_path` lets `sudo` keep the
 * session PATH, which sshd's `SetEnv PATH=` points at the test's own bin dir first — that is how a
 * test puts a stand-in (e.g. `systemctl`) in front of the real one without touching system dirs.
 *
 * Needs root (sshd privilege separation) and the Debian packages openssh-server and sudo.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HostRef } from "../../infra/contracts";
import { pidAlive } from "../../runtime/src/proc";

export const SSHD_BIN = "/usr/sbin/sshd";
export const TEST_USER = "ocs-test";
const TEST_HOME = "/var/lib/ocs-test";
const SUDOERS_FILE = "/etc/sudoers.d/ocs-test";

export interface Sshd {
  host: "127.0.0.1";
  port: number;
  user: string;
  /** The test's private dir (0711): host keys, client key, config, log, bin/. */
  dir: string;
  /** Dir that sshd puts first on the session PATH (and sudo keeps): for stand-in commands. */
  binDir: string;
  /** "ssh-ed25519 AAAA…" of this sshd. */
  hostKeyPub: string;
  clientKeyPath: string;
  clientKey: string;
  logPath: string;
  pid: number;
  /** A HostRef with the pinned host key and the client key. */
  hostRef(extra?: Partial<HostRef>): HostRef;
  /** Number of "Accepted publickey" lines so far = completed SSH handshakes. */
  acceptedCount(): number;
  stop(): Promise<void>;
}

/** Why sshd tests cannot run here, or undefined when they can. */
export function sshdUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "sshd tests need root (sshd privilege separation)";
  if (!existsSync(SSHD_BIN)) return `${SSHD_BIN} missing: apt-get install --no-install-recommends openssh-server`;
  if (!existsSync("/usr/bin/sudo")) return "/usr/bin/sudo missing: apt-get install --no-install-recommends sudo";
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a passwd-database command, retrying while a parallel test file holds the passwd lock. */
function retryLocked(what: string, done: () => boolean, run: () => ReturnType<typeof spawnSync>): void {
  for (let i = 0; i < 20 && !done(); i++) {
    const r = run();
    if (r.status === 0 || done()) return;
    execFileSync("sleep", ["0.2"]);
    if (i === 19) throw new Error(`${what} failed: ${String(r.stderr)}`);
  }
}

function ensureTestUser(): void {
  const exists = () => spawnSync("id", ["-u", TEST_USER]).status === 0;
  retryLocked(`useradd ${TEST_USER}`, exists, () =>
    spawnSync("useradd", ["--system", "--home-dir", TEST_HOME, "--create-home", "--shell", "/bin/sh", TEST_USER], { encoding: "utf8" }),
  );
  // With UsePAM no, a locked password field ("!") refuses even key logins: set it to "*".
  const unlocked = () => /^ocs-test:\*:/m.test(readFileSync("/etc/shadow", "utf8"));
  retryLocked(`usermod -p '*' ${TEST_USER}`, unlocked, () => spawnSync("usermod", ["-p", "*", TEST_USER], { encoding: "utf8" }));
  const sudoers = `# test user for openclaw-oauth-sync's sshd tests (test/helpers/sshd.ts)\nDefaults:${TEST_USER} !secure_path, !lecture\n${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`;
  if (!existsSync(SUDOERS_FILE) || readFileSync(SUDOERS_FILE, "utf8") !== sudoers) {
    const tmp = `${SUDOERS_FILE}.tmp${process.pid}`;
    writeFileSync(tmp, sudoers, { mode: 0o440 });
    execFileSync("visudo", ["-cqf", tmp]);
    execFileSync("mv", ["-f", tmp, SUDOERS_FILE]);
  }
}

async function waitFor(what: string, timeoutMs: number, probe: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Starts a fresh sshd; always `await sshd.stop()` in a finally/after hook. */
export async function startSshd(opts: { user?: string } = {}): Promise<Sshd> {
  const why = sshdUnavailableReason();
  if (why) throw new Error(why);
  const user = opts.user ?? TEST_USER;
  if (user === TEST_USER) ensureTestUser();
  const dir = mkdtempSync(join(tmpdir(), "ocs-sshd-"));
  // sshd reads AuthorizedKeysFile with the login user's privileges: the dir must be traversable.
  chmodSync(dir, 0o711);
  const binDir = join(dir, "bin");
  mkdirSync(binDir, { mode: 0o755 });
  const keysDir = join(dir, "keys");
  mkdirSync(keysDir, { mode: 0o700 });
  const hostKey = join(keysDir, "host_ed25519");
  const clientKeyPath = join(keysDir, "client_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ocs-test-host", "-f", hostKey]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "ocs-test-client", "-f", clientKeyPath]);
  const authorizedKeys = join(dir, "authorized_keys");
  writeFileSync(authorizedKeys, readFileSync(`${clientKeyPath}.pub`), { mode: 0o644 });
  const port = await freePort();
  const pidFile = join(dir, "sshd.pid");
  const logPath = join(dir, "sshd.log");
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "StrictModes no",
      "UseDNS no",
      "LogLevel VERBOSE",
      // ~0.1 s less CPU per handshake than the default PQ KEX on 2 cores (test-hosts §10).
      "KexAlgorithms curve25519-sha256",
      `SetEnv PATH=${binDir}:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin`,
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  execFileSync(SSHD_BIN, ["-t", "-f", config]);
  execFileSync(SSHD_BIN, ["-f", config, "-E", logPath]); // daemonizes; the PID comes from PidFile
  await waitFor(`sshd pid file ${pidFile}`, 5000, () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "");
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  await waitFor(`sshd listening on 127.0.0.1:${port}`, 5000, () => canConnect(port));
  const hostKeyPub = readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  const clientKey = readFileSync(clientKeyPath, "utf8");
  let stopped = false;
  return {
    host: "127.0.0.1",
    port,
    user,
    dir,
    binDir,
    hostKeyPub,
    clientKeyPath,
    clientKey,
    logPath,
    pid,
    hostRef: (extra = {}) => ({ host: "127.0.0.1", port, user, hostKey: hostKeyPub, privateKey: clientKey, ...extra }),
    acceptedCount: () => (existsSync(logPath) ? readFileSync(logPath, "utf8").split("\n").filter((l) => l.includes("Accepted publickey")).length : 0),
    async stop() {
      if (stopped) return;
      stopped = true;
      // Per-connection sshd children outlive the listener (e.g. a ControlMaster's session):
      // end them too, found by parent PID, so no connection of this test survives it.
      const children = childPids(pid);
      for (const p of [pid, ...children]) {
        if (pidAlive(p)) process.kill(p, "SIGTERM");
      }
      await waitFor(`sshd pid ${pid} and its ${children.length} connection processes to exit`, 5000, () =>
        [pid, ...children].every((p) => !pidAlive(p)),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
