/**
 * Real-host harness for the setup and fleet tests: throwaway nspawn Debian hosts from
 * scripts/testhost.sh, a realistic OpenClaw layout created over SSH, a temp Pulumi project (the
 * checkout linked in, so no Pulumi.<stack>.yaml lands in the repo), a temp file backend and
 * PULUMI_HOME, and the CLI from the cache on PATH. Every wait is bounded; every process is ours.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cachedCliRoot } from "../../tools/cli/pulumi";
import { fakeCredentialsFile } from "../helpers/tokens";

export const ROOT = path.resolve(__dirname, "..", "..");
const TESTHOST = path.join(ROOT, "scripts", "testhost.sh");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns a command, bounded by `timeoutMs` (TERM, then KILL, by PID). */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs: number; cwd?: string; what: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd ?? ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      reject(new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`));
    }, opts.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.stdin ?? "");
  });
}

/** Fails (not skips) with the command to run when a prerequisite is missing. */
export function requireTools(): { cliBin: string } {
  const cliBin = path.join(cachedCliRoot(), "bin");
  const missing: string[] = [];
  if (!fs.existsSync(path.join(cliBin, "pulumi"))) missing.push(`the Pulumi CLI (${cliBin}/pulumi): run scripts/ensure-pulumi-cli.sh`);
  const stamp = path.join(process.env.OCS_CACHE || "/var/cache/openclaw-oauth-sync", "testhost", "bookworm.stamp");
  if (!fs.existsSync(stamp)) missing.push(`the test host image (${stamp}): run scripts/testhost.sh image`);
  if (!fs.existsSync(path.join(ROOT, "dist", "runtime", "openclaw-oauth-sync.cjs"))) missing.push("the runtime bundle: run npm run build");
  if (process.getuid?.() !== 0) missing.push("root (testhost.sh needs netns and nspawn): run the tests as root");
  if (missing.length > 0) throw new Error(`prerequisites missing:\n  ${missing.join("\n  ")}`);
  return { cliBin };
}

export interface TestHost {
  name: string;
  /** 10.201.N.2 */
  address: string;
  dir: string;
  sshConfig: string;
  key: string;
  knownHosts: string;
}

/** A name unique to this process: testhost names are [a-z0-9-], max 20 chars. */
export function hostName(tag: string): string {
  return `f${process.pid.toString(36)}-${tag}`.slice(0, 20);
}

export async function bootHost(name: string): Promise<TestHost> {
  const r = await run(TESTHOST, ["up", name], { timeoutMs: 90_000, what: `scripts/testhost.sh up ${name}` });
  if (r.code !== 0) throw new Error(`scripts/testhost.sh up ${name} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  const dir = path.join(process.env.TMPDIR || "/tmp", "ocs-testhost", name);
  const env = Object.fromEntries(
    fs
      .readFileSync(path.join(dir, "env"), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  return { name, address: env.HOST!, dir, sshConfig: env.SSH_CONFIG!, key: env.KEY!, knownHosts: env.KNOWN_HOSTS! };
}

export async function downHost(name: string): Promise<void> {
  await run(TESTHOST, ["down", name], { timeoutMs: 60_000, what: `scripts/testhost.sh down ${name}` }).catch(() => undefined);
}

/** Runs a shell script on the host as root (its own connection, not our transport's). */
export async function sshScript(h: TestHost, script: string, what: string): Promise<string> {
  const r = await run("ssh", ["-F", h.sshConfig, "-o", "ControlMaster=no", "-o", "ControlPath=none", h.name, "sh -s"], { stdin: script, timeoutMs: 60_000, what: `${what} on ${h.name}` });
  if (r.code !== 0) throw new Error(`${what} on ${h.name} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/**
 * The common part of both layouts: account claw (uid 1000, like the official image's node), an
 * OpenClaw state dir with openclaw.json and one agent "main" in the json-split era.
 */
function baseLayout(stateDir: string): string {
  return `set -eu
id claw >/dev/null 2>&1 || useradd -m -u 1000 -s /bin/sh claw
install -d -o claw -g claw -m 0700 ${stateDir} ${stateDir}/agents ${stateDir}/agents/main ${stateDir}/agents/main/agent
cat > ${stateDir}/openclaw.json <<'EOF'
{
  "meta": { "lastTouchedVersion": "2026.4.12" },
  "agents": { "defaults": { "model": { "primary": "anthropic/claude-sonnet-4-6" } } }
}
EOF
printf '{"version":1,"profiles":{}}\\n' > ${stateDir}/agents/main/agent/auth-profiles.json
printf '{"version":1}\\n' > ${stateDir}/agents/main/agent/auth-state.json
chown -R claw:claw ${stateDir}
`;
}

function credentialsScript(file: string, credentials: object): string {
  return `install -d -o claw -g claw -m 0700 $(dirname ${file})
cat > ${file} <<'EOF'
${JSON.stringify(credentials)}
EOF
chown claw:claw ${file}
chmod 0600 ${file}
`;
}

/**
 * Native layout: OpenClaw 2026.4.12 "installed" under /usr/local (a stand-in CLI that answers
 * `secrets reload` and `--version`), Claude Code in ~claw/.local/bin (a stand-in answering
 * --version), a credentials file of the real shape with a FAKE token.
 */
export async function layoutNative(h: TestHost, credentials = fakeCredentialsFile()): Promise<void> {
  await sshScript(
    h,
    `${baseLayout("/home/claw/.openclaw")}
${credentialsScript("/home/claw/.claude/.credentials.json", credentials)}
install -d /usr/local/lib/node_modules/openclaw /home/claw/.local/bin
printf '{\\n  "name": "openclaw",\\n  "version": "2026.4.12"\\n}\\n' > /usr/local/lib/node_modules/openclaw/package.json
cat > /usr/local/lib/node_modules/openclaw/openclaw.mjs <<'EOF'
#!/bin/sh
# stand-in for the OpenClaw CLI: only what the runtime calls
case "$*" in
  --version) echo 2026.4.12 ;;
  *) exit 0 ;;
esac
EOF
chmod 0755 /usr/local/lib/node_modules/openclaw/openclaw.mjs
ln -sf ../lib/node_modules/openclaw/openclaw.mjs /usr/local/bin/openclaw
printf '#!/bin/sh\\necho "2.1.3 (Claude Code)"\\n' > /home/claw/.local/bin/claude
chmod 0755 /home/claw/.local/bin/claude
chown -R claw:claw /home/claw/.local
`,
    "native layout",
  );
}

/** The stand-in `docker`: answers ps / inspect / exec like a host running the official Compose setup. */
export const DOCKER_STANDIN = `#!/bin/sh
# stand-in for the docker client (no engine here): one OpenClaw gateway container
C=openclaw-openclaw-gateway-1
case "\${1:-}" in
  ps)
    fmt=""
    while [ $# -gt 0 ]; do [ "$1" = --format ] && fmt="$2"; shift; done
    case "$fmt" in
      *.Image*) echo "$C|ghcr.io/openclaw/openclaw:2026.9.6|openclaw-gateway|openclaw|/home/claw/openclaw" ;;
      *working_dir*) printf '%s\\topenclaw\\t/home/claw/openclaw\\n' "$C" ;;
      *) echo "$C" ;;
    esac ;;
  inspect)
    printf '%s\\n' '/home/claw/.openclaw|/home/node/.openclaw' '/home/claw/.openclaw/workspace|/home/node/.openclaw/workspace' '/home/claw/openclaw-home|/home/node' ;;
  exec)
    shift
    while [ $# -gt 0 ]; do case "$1" in -u|-e|-w) shift 2 ;; -*) shift ;; *) break ;; esac; done
    shift
    case "$*" in
      *package.json*) printf '{\\n  "name": "openclaw",\\n  "version": "2026.9.6"\\n}\\n' ;;
      *"command -v claude"*) echo /home/node/.local/bin/claude ;;
      *--version*) echo "2.1.3 (Claude Code)" ;;
      *) exit 0 ;;
    esac ;;
  *) exit 0 ;;
esac
`;

/**
 * Docker-mode layout: the state dir mounted into the container, Claude Code only inside the
 * container (its home mounted from ~claw/openclaw-home), no OpenClaw and no Claude on the host.
 */
export async function layoutDocker(h: TestHost, credentials = fakeCredentialsFile()): Promise<void> {
  await sshScript(
    h,
    `${baseLayout("/home/claw/.openclaw")}
${credentialsScript("/home/claw/openclaw-home/.claude/.credentials.json", credentials)}
chown claw:claw /home/claw/openclaw-home
cat > /usr/local/bin/docker <<'EOF'
${DOCKER_STANDIN}EOF
chmod 0755 /usr/local/bin/docker
`,
    "docker layout",
  );
}

export interface PulumiEnv {
  /** Temp project dir: Pulumi.yaml copied, the rest of the checkout linked. */
  projectDir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** A temp file backend, PULUMI_HOME and project dir; the CLI from the cache first on PATH. */
export function pulumiEnv(cliBin: string): PulumiEnv {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "ocs-fleet-"));
  const projectDir = path.join(base, "project");
  fs.mkdirSync(projectDir);
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(projectDir, "Pulumi.yaml"));
  for (const name of ["package.json", "tsconfig.json", "node_modules", "infra", "runtime", "templates", "dist"]) {
    fs.symlinkSync(path.join(ROOT, name), path.join(projectDir, name));
  }
  fs.mkdirSync(path.join(base, "state"));
  fs.mkdirSync(path.join(base, "home"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${cliBin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    PULUMI_BACKEND_URL: `file://${path.join(base, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "fleet-test-passphrase",
    PULUMI_HOME: path.join(base, "home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    OPENCLAW_OAUTH_SYNC_ROOT: ROOT,
  };
  return { projectDir, env, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}

/** `npm run setup -- …` as a process (node --import tsx tools/setup/main.ts). */
export function setupCli(args: string[], pe: PulumiEnv, timeoutMs = 120_000): Promise<RunResult> {
  return run(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "setup", "main.ts"), ...args, "--project-dir", pe.projectDir], {
    env: pe.env,
    timeoutMs,
    what: `setup ${args.join(" ")}`,
  });
}

/** `npm run fleet -- …` as a process. */
export function fleetCli(args: string[], pe: PulumiEnv, timeoutMs = 600_000): Promise<RunResult> {
  return run(process.execPath, ["--import", "tsx", path.join(ROOT, "tools", "fleet", "main.ts"), ...args, "--project-dir", pe.projectDir], {
    env: pe.env,
    timeoutMs,
    what: `fleet ${args.join(" ")}`,
  });
}

/** The setup flags that reach a test host: its alias through its ssh_config, plus the key. */
export function sshFlags(h: TestHost): string[] {
  return ["--ssh-config", h.sshConfig, "--connect-timeout", "5"];
}

/**
 * Copies a host's ssh_config, key and known_hosts to `dir` (paths rewritten), so that a stack can
 * still name the host after `down` removed its instance dir: the host is then unreachable, not
 * unknown.
 */
export function keepSshFiles(h: TestHost, dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of ["client_key", "known_hosts"]) fs.copyFileSync(path.join(h.dir, f), path.join(dir, f));
  fs.chmodSync(path.join(dir, "client_key"), 0o600);
  const cfg = fs.readFileSync(h.sshConfig, "utf8").split(h.dir).join(dir);
  fs.writeFileSync(path.join(dir, "ssh_config"), cfg, { mode: 0o600 });
  return path.join(dir, "ssh_config");
}

/** Asserts helper: none of the fake token values appears in `text`. */
export function tokensIn(text: string, credentials: { claudeAiOauth: Record<string, unknown> }): string[] {
  const o = credentials.claudeAiOauth;
  return [o.accessToken, o.refreshToken].filter((t): t is string => typeof t === "string" && (text.includes(t) || text.includes(t.slice(13, 40))));
}

/** The stack-config values that reach a native-layout test host (what setup would write for it). */
export function nativeHostEntry(h: TestHost, name: string, sshConfig = h.sshConfig): Record<string, unknown> {
  return { name, host: h.name, sshConfigFile: sshConfig };
}

/**
 * Creates a stack that lists many hosts (`hosts`), all with the native layout's settings at the
 * top level: `pulumi stack init`, then the config written into Pulumi.<stack>.yaml (kept: its
 * encryption salt).
 */
export async function initMultiHostStack(pe: PulumiEnv, stack: string, entries: Record<string, unknown>[], extra: Record<string, unknown> = {}): Promise<void> {
  const r = await run("pulumi", ["stack", "init", stack, "--non-interactive"], { env: pe.env, cwd: pe.projectDir, timeoutMs: 60_000, what: `pulumi stack init ${stack}` });
  if (r.code !== 0) throw new Error(`pulumi stack init ${stack} failed (${r.code}): ${r.stderr.slice(-2000)}`);
  const file = path.join(pe.projectDir, `Pulumi.${stack}.yaml`);
  const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const P = "openclaw-oauth-sync";
  const config: Record<string, unknown> = {
    [`${P}:sshConnectTimeoutSeconds`]: 5,
    [`${P}:account`]: "claw",
    [`${P}:claudeCredentials`]: "/home/claw/.claude/.credentials.json",
    [`${P}:nodePath`]: "/usr/bin/node",
    [`${P}:hosts`]: entries,
  };
  for (const [k, v] of Object.entries(extra)) config[`${P}:${k}`] = v;
  fs.writeFileSync(file, `${before.replace(/^config:.*$/m, "").trimEnd()}\nconfig: ${JSON.stringify(config)}\n`);
}
