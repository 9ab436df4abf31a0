/**
 * How the Claude CLI is run for a refresh: argv, environment and account. The builders are pure;
 * `resolveInvocation` gathers the facts (file owner, /etc/passwd, the container) and calls them.
 */
import { promises as fsp } from "node:fs";
import { dirname, join } from "node:path";
import type { Config, DockerConfig } from "../contract/schema";
import { DockerSchema } from "../contract/schema";
import { SCRUBBED_ENV_VARS } from "../contract/refresh";
import { ConfigError, errnoCode, ExitCode, UserError } from "../errors";
import { describeFailure, runProcess, type RunOptions, type RunResult } from "../proc";

export interface Invocation {
  on: "host" | "container";
  argv: string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  cwd?: string;
  /** For logs: who runs it where, e.g. "as node in container 1a2b3c4d5e6f". */
  where: string;
  /**
   * Where the CLI's debug log goes: "file" (the debugFile given, on the host), "stderr" (in a
   * container: a wrapper writes it to a temp file there and copies it to stderr), or "none".
   */
  debugLog: "file" | "stderr" | "none";
}

/** What to run after the Claude executable, and where its debug log goes on the host. */
export interface ClaudeCall {
  args: readonly string[];
  /** Host path for `--debug-file` (created by the caller, private); omit for no debug log. */
  debugFile?: string | undefined;
}

/**
 * In the container, the debug log goes to a temp file there (`--debug-file` inserted after the
 * executable's N argv entries), which is copied to stderr once the CLI has finished, then removed.
 * The CLI's own stderr is dropped so that stderr holds the log alone.
 */
export const CONTAINER_DEBUG_WRAPPER =
  'f=$(mktemp) || exit 70; n=$1; shift; i=0; for a do shift; [ "$i" -eq "$n" ] && set -- "$@" --debug-file "$f"; set -- "$@" "$a"; i=$((i+1)); done; "$@" 2>/dev/null; rc=$?; cat "$f" >&2; rm -f "$f"; exit $rc';

/** Pure: the argv inside the container for a call with a debug log. */
export function containerDebugCommand(cli: readonly string[], args: readonly string[]): string[] {
  return ["sh", "-c", CONTAINER_DEBUG_WRAPPER, "sh", String(cli.length), ...cli, ...args];
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** Pure: parses /etc/passwd text. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const f = line.split(":");
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0]!, uid, gid, home: f[5]! });
  }
  return out;
}

/** Pure: `env` without the variables that bypass or relocate the stored login. */
export function scrubEnv(env: NodeJS.ProcessEnv | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if ((SCRUBBED_ENV_VARS as readonly string[]).includes(k)) continue;
    out[k] = v;
  }
  return out;
}

const PASS_THROUGH = ["LANG", "LC_ALL", "TZ", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"];
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface HostEnvInput {
  processEnv: NodeJS.ProcessEnv;
  home: string;
  user: string;
  extraEnv: Record<string, string>;
  baseUrlOverride?: string | undefined;
  claudeConfigDir?: string | undefined;
}

/**
 * Pure: a minimal environment for the CLI on the host. Starting from nothing (not from our own
 * environment) means a stray ANTHROPIC_API_KEY in the service's environment cannot reach it.
 */
export function buildHostEnv(i: HostEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    // The native installer puts `claude` in ~/.local/bin.
    PATH: `${i.processEnv.PATH || DEFAULT_PATH}:${join(i.home, ".local/bin")}`,
    HOME: i.home,
    USER: i.user,
    LOGNAME: i.user,
  };
  for (const k of PASS_THROUGH) {
    const v = i.processEnv[k];
    if (v !== undefined && v !== "") env[k] = v;
  }
  if (!env.LANG) env.LANG = "C.UTF-8";
  const scrubbed = scrubEnv({ ...env, ...i.extraEnv });
  if (i.baseUrlOverride) scrubbed.ANTHROPIC_BASE_URL = i.baseUrlOverride;
  if (i.claudeConfigDir) Object.assign(scrubbed, configDirEnv(i.claudeConfigDir));
  return scrubbed;
}

export interface DockerExecInput {
  docker: DockerConfig;
  container: string;
  command: readonly string[];
  extraEnv: Record<string, string>;
  baseUrlOverride?: string | undefined;
  claudeConfigDir?: string | undefined;
}

/**
 * Pure: `docker exec -u <user> [-e K=V…] <container> env -u … <command>`. `docker exec` gives the
 * process the container's environment, which we cannot drop from outside; `env -u` removes the
 * bypass variables inside the container. Only non-secret values go into argv (-e).
 */
export function buildDockerExecArgv(i: DockerExecInput): string[] {
  const argv = [...i.docker.command, "exec", "-u", i.docker.user];
  const set: Record<string, string> = { ...i.extraEnv };
  if (i.baseUrlOverride) set.ANTHROPIC_BASE_URL = i.baseUrlOverride;
  if (i.claudeConfigDir) Object.assign(set, configDirEnv(i.claudeConfigDir));
  for (const [k, v] of Object.entries(set)) argv.push("-e", `${k}=${v}`);
  argv.push(i.container, "env");
  for (const k of SCRUBBED_ENV_VARS) if (!(k in set)) argv.push("-u", k);
  argv.push(...i.command);
  return argv;
}

/**
 * Both variables that place the credentials file: Claude Code 2.1.332 reads
 * CLAUDE_SECURESTORAGE_CONFIG_DIR before CLAUDE_CONFIG_DIR, older versions only the latter.
 */
export function configDirEnv(dir: string): Record<string, string> {
  return { CLAUDE_CONFIG_DIR: dir, CLAUDE_SECURESTORAGE_CONFIG_DIR: dir };
}

/** Pure: the config dir to give the CLI on the host (see refresh.claudeConfigDir). */
export function hostClaudeConfigDir(credentialsPath: string, home: string, configured: string | undefined): string | undefined {
  if (configured) return configured;
  const dir = dirname(credentialsPath);
  return dir === join(home, ".claude") ? undefined : dir;
}

export interface PlanDeps {
  processEnv: NodeJS.ProcessEnv;
  getuid: () => number;
  readPasswd: () => Promise<string>;
  run: (argv: readonly string[], o: RunOptions) => Promise<RunResult>;
}

export const defaultPlanDeps = (): PlanDeps => ({
  processEnv: process.env,
  getuid: () => (typeof process.getuid === "function" ? process.getuid() : 0),
  readPasswd: () => fsp.readFile("/etc/passwd", "utf8"),
  run: runProcess,
});

export async function resolveInvocation(config: Config, deps: PlanDeps, call: ClaudeCall): Promise<Invocation> {
  const r = config.refresh;
  if (r.on === "container") {
    const docker = config.openclaw.docker ?? DockerSchema.parse({});
    const container = await findContainer(docker, deps);
    const withLog = call.debugFile !== undefined;
    const command = withLog ? containerDebugCommand(r.cli, call.args) : [...r.cli, ...call.args];
    return {
      on: "container",
      argv: buildDockerExecArgv({ docker, container, command, extraEnv: r.env, baseUrlOverride: r.baseUrlOverride, claudeConfigDir: r.claudeConfigDir }),
      debugLog: withLog ? "stderr" : "none",
      // The docker client needs DOCKER_HOST & co., never the bypass variables.
      env: scrubEnv(deps.processEnv),
      where: `as ${docker.user} in container ${container}`,
    };
  }
  const path = config.claudeCredentials;
  let st;
  try {
    st = await fsp.stat(path);
  } catch (e) {
    throw new UserError(`${path}: cannot stat the credentials file to find its owner (${errnoCode(e) ?? (e as Error).message}); log in with 'claude' as the account that should own it`, ExitCode.noInput);
  }
  const entries = parsePasswd(await deps.readPasswd().catch(() => ""));
  const entry = entries.find((e) => e.uid === st.uid);
  const home = entry?.home ?? (path.endsWith("/.claude/.credentials.json") ? dirname(dirname(path)) : dirname(path));
  const user = entry?.name ?? String(st.uid);
  const me = deps.getuid();
  if (me !== 0 && me !== st.uid) {
    throw new UserError(`${path}: owned by ${user} (uid ${st.uid}); refresh must run as root or as that account, not uid ${me}`, ExitCode.noPerm);
  }
  const inv: Invocation = {
    on: "host",
    argv: call.debugFile !== undefined ? [...r.cli, "--debug-file", call.debugFile, ...call.args] : [...r.cli, ...call.args],
    debugLog: call.debugFile !== undefined ? "file" : "none",
    env: buildHostEnv({
      processEnv: deps.processEnv,
      home,
      user,
      extraEnv: r.env,
      baseUrlOverride: r.baseUrlOverride,
      claudeConfigDir: hostClaudeConfigDir(path, home, r.claudeConfigDir),
    }),
    where: `as ${user} (uid ${st.uid}) on the host`,
  };
  // The CLI writes session files relative to its cwd; a missing home would make spawn fail.
  if (await fsp.stat(home).then((s) => s.isDirectory(), () => false)) inv.cwd = home;
  if (me !== st.uid) {
    inv.uid = st.uid;
    inv.gid = st.gid;
  }
  return inv;
}

/** The OpenClaw container: by name, or the one running container with the Compose service label. */
export async function findContainer(docker: DockerConfig, deps: PlanDeps): Promise<string> {
  if (docker.container) return docker.container;
  const argv = [...docker.command, "ps", "-q", "--filter", `label=com.docker.compose.service=${docker.composeService}`];
  if (docker.composeProject) argv.push("--filter", `label=com.docker.compose.project=${docker.composeProject}`);
  const res = await deps.run(argv, { env: scrubEnv(deps.processEnv), timeoutMs: 30_000 });
  if (res.exitCode !== 0) {
    throw new UserError(`cannot list containers: ${describeFailure(argv.slice(0, 2).join(" "), res)}`, ExitCode.tempFail);
  }
  const ids = res.stdout.split("\n").map((s) => s.trim()).filter(Boolean);
  const what = `Compose service "${docker.composeService}"${docker.composeProject ? ` of project "${docker.composeProject}"` : ""}`;
  if (ids.length === 0) {
    throw new UserError(`no running container for ${what} (label com.docker.compose.service); start OpenClaw, or set openclaw.docker.container`, ExitCode.tempFail);
  }
  if (ids.length > 1) {
    throw new ConfigError(`${ids.length} running containers for ${what}: set openclaw.docker.composeProject or openclaw.docker.container to pick one`);
  }
  return ids[0]!;
}
