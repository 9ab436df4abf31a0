/**
 * Pure interpretation for `setup`: the probe's output (probe-script.ts) → what is on the host, and
 * the operator's choices + that → the choices setup proposes (mode, accounts, paths, where the
 * Claude CLI runs). No host access here; unit-tested with fixtures.
 */
import { z } from "zod";

const Line = z.string();

export interface ProbeAccount {
  name: string;
  uid: number;
  home: string;
}

export interface ProbeBinary {
  /** The account whose home holds it; undefined = a system-wide binary. */
  account?: string | undefined;
  path: string;
  version?: string | undefined;
}

export interface ProbeContainer {
  name: string;
  image: string;
  service?: string | undefined;
  project?: string | undefined;
  workingDir?: string | undefined;
  mounts: { source: string; destination: string }[];
  claude?: { path: string; version?: string | undefined } | undefined;
}

export interface Probe {
  login: string;
  accounts: ProbeAccount[];
  stateDirs: { account: string; path: string }[];
  credentials: { account: string; path: string; uid?: number | undefined; mode?: string | undefined; kind: "file" | "dir" }[];
  claude: ProbeBinary[];
  openclaw: ProbeBinary[];
  /** undefined = no docker client on the host. */
  docker?: { cli: string; containers: ProbeContainer[] } | undefined;
}

const opt = (s: string | undefined) => (s === undefined || s === "" ? undefined : s);

/** Parses the probe's stdout; unknown keys and stray lines (a motd) are ignored. */
export function parseProbe(stdout: string): { ok: true; probe: Probe } | { ok: false; message: string } {
  const lines = stdout.split("\n").filter((l) => l.includes("="));
  const get = (key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => Line.parse(l.slice(key.length + 1)));
  if (get("probe")[0] !== "1") {
    return { ok: false, message: "the setup probe's output was not understood (no \"probe=1\" line): is the login shell printing extra text, or is /bin/sh not a POSIX shell?" };
  }
  const fields = (v: string) => v.split("\t");
  const accounts = get("account").flatMap((v) => {
    const [name, uid, home] = fields(v);
    return name && uid && /^\d+$/.test(uid) && home ? [{ name, uid: Number(uid), home }] : [];
  });
  const stateDirs = get("stateDir").flatMap((v) => {
    const [account, path] = fields(v);
    return account && path ? [{ account, path }] : [];
  });
  const credentials = get("creds").flatMap((v) => {
    const [account, path, stat, kind] = fields(v);
    if (!account || !path) return [];
    const st = /^(\d+):(\d+):([0-7]{3,4})$/.exec(stat ?? "");
    return [{ account, path, uid: st ? Number(st[1]) : undefined, mode: st?.[3], kind: kind === "dir" ? ("dir" as const) : ("file" as const) }];
  });
  const bins = (key: string): ProbeBinary[] => {
    const seen = new Set<string>();
    return get(key).flatMap((v) => {
      const [account, path, version] = fields(v);
      if (!path || seen.has(path)) return [];
      seen.add(path);
      return [{ account: opt(account), path, version: opt(version?.trim()) }];
    });
  };
  const dockerCli = get("docker")[0];
  const containers: ProbeContainer[] = get("container").flatMap((v) => {
    const [name, image, service, project, workingDir] = fields(v);
    if (!name) return [];
    return [{ name, image: image ?? "", service: opt(service), project: opt(project), workingDir: opt(workingDir), mounts: [] }];
  });
  for (const v of get("mount")) {
    const [name, source, destination] = fields(v);
    const c = containers.find((x) => x.name === name);
    if (c && source && destination) c.mounts.push({ source, destination });
  }
  for (const v of get("containerClaude")) {
    const [name, path, version] = fields(v);
    const c = containers.find((x) => x.name === name);
    if (c && path) c.claude = { path, version: opt(version?.trim()) };
  }
  return {
    ok: true,
    probe: {
      login: get("login")[0] ?? "",
      accounts,
      stateDirs,
      credentials,
      claude: bins("claude"),
      openclaw: bins("openclaw"),
      docker: dockerCli ? { cli: dockerCli, containers } : undefined,
    },
  };
}

/** Containers that run an OpenClaw gateway (by Compose service, or by image name). */
export function openclawContainers(p: Probe, composeService = "openclaw-gateway"): ProbeContainer[] {
  return (p.docker?.containers ?? []).filter(
    (c) => c.service === composeService || /openclaw|clawdbot|moltbot/.test(`${c.image} ${c.service ?? ""}`) && !/-cli$/.test(c.service ?? ""),
  );
}

/** Operator choices from flags (undefined = detect). */
export interface SetupChoices {
  mode?: "host" | "docker" | undefined;
  account?: string | undefined;
  stateDir?: string | undefined;
  configPath?: string | undefined;
  claudeAccount?: string | undefined;
  claudeCredentials?: string | undefined;
  refreshOn?: "host" | "container" | undefined;
  composeProject?: string | undefined;
  nodePath?: string | undefined;
}

/** One decision setup made, and why (shown to the operator). */
export interface Decided<T> {
  value: T;
  why: string;
  /** Other values that were possible (for the prompt). */
  alternatives?: T[] | undefined;
}

export interface Proposal {
  mode: Decided<"host" | "docker">;
  container?: ProbeContainer | undefined;
  account: Decided<string>;
  stateDir: Decided<string | undefined>;
  claudeAccount: Decided<string>;
  claudeCredentials: Decided<string | undefined>;
  refreshOn: Decided<"host" | "container">;
  /** Claude CLI found where it will run (undefined: not found). */
  claudeCli?: { where: "host" | "container"; path: string; version?: string | undefined } | undefined;
  /** openclaw CLI when it is only in a user's bin dir (not on root's PATH): becomes openclawCli. */
  openclawCli?: string | undefined;
  /** The Compose project, when several OpenClaw containers run. */
  composeProject?: string | undefined;
  warnings: string[];
}

function homeOf(p: Probe, account: string): string | undefined {
  return p.accounts.find((a) => a.name === account)?.home;
}

/** The account whose home holds `path` (longest home prefix), e.g. /home/claw/.openclaw → claw. */
export function accountOwning(p: Probe, path: string): string | undefined {
  const hits = p.accounts.filter((a) => a.home !== "/" && (path === a.home || path.startsWith(`${a.home.replace(/\/+$/, "")}/`)));
  hits.sort((a, b) => b.home.length - a.home.length);
  return hits[0]?.name;
}

/** The host side of a container path, from the container's mounts. */
export function hostPathOf(c: ProbeContainer, containerPath: string): string | undefined {
  const ms = [...c.mounts].sort((a, b) => b.destination.length - a.destination.length);
  for (const m of ms) {
    const d = m.destination.replace(/\/+$/, "");
    if (containerPath === d) return m.source;
    if (containerPath.startsWith(`${d}/`)) return `${m.source.replace(/\/+$/, "")}${containerPath.slice(d.length)}`;
  }
  return undefined;
}

const CONTAINER_STATE_DIRS = ["/home/node/.openclaw", "/home/node/.clawdbot", "/home/node/.moltbot"];
const CONTAINER_CLAUDE_CREDS = "/home/node/.claude/.credentials.json";

/**
 * Decides what setup proposes. Flags win; then what the probe found; then the program's defaults.
 * Throws an Error naming the flag when a choice is needed and cannot be made alone.
 */
export function propose(p: Probe, choices: SetupChoices): Proposal {
  const warnings: string[] = [];
  const containers = openclawContainers(p);
  const hostOpenclaw = p.openclaw[0];

  // --- mode
  let mode: Decided<"host" | "docker">;
  if (choices.mode) mode = { value: choices.mode, why: "--mode" };
  else if (containers.length > 0) mode = { value: "docker", why: `OpenClaw container ${containers.map((c) => c.name).join(", ")} is running` };
  else if (hostOpenclaw) mode = { value: "host", why: `openclaw is installed at ${hostOpenclaw.path}` };
  else if (p.stateDirs.length > 0) mode = { value: "host", why: `state dir ${p.stateDirs[0]!.path} found (no running container)` };
  else {
    mode = { value: "host", why: "nothing found; the program's default" };
    warnings.push("no OpenClaw installation found (no openclaw command, no ~/.openclaw, no OpenClaw container): install OpenClaw first, or pass --state-dir");
  }

  // --- container (docker mode)
  let container: ProbeContainer | undefined;
  let composeProject = choices.composeProject;
  if (mode.value === "docker") {
    const pool = composeProject ? containers.filter((c) => c.project === composeProject) : containers;
    const projects = [...new Set(pool.map((c) => c.project ?? ""))];
    if (pool.length === 0) {
      warnings.push(
        composeProject
          ? `no running OpenClaw container in Compose project "${composeProject}"`
          : "mode is docker but no OpenClaw container is running (looked for the Compose service openclaw-gateway): start it (docker compose up -d) and run setup again",
      );
    } else if (projects.length > 1 && !composeProject) {
      throw new Error(`several OpenClaw Compose projects run here (${projects.join(", ")}): choose one with --compose-project <name>`);
    }
    container = pool[0];
    if (pool.length > 1 && projects.length === 1 && !composeProject && projects[0]) composeProject = projects[0];
    else if (pool.length <= 1) composeProject = choices.composeProject;
  }

  // --- state dir and account
  let stateDir: Decided<string | undefined>;
  const candidates = p.stateDirs.map((s) => s.path);
  if (choices.stateDir) stateDir = { value: choices.stateDir, why: "--state-dir" };
  else if (container) {
    const fromMount = CONTAINER_STATE_DIRS.map((d) => hostPathOf(container!, d)).find((x) => x !== undefined);
    if (fromMount) stateDir = { value: fromMount, why: `host side of ${container.name}'s /home/node/.openclaw mount` };
    else {
      stateDir = { value: undefined, why: "not mounted" };
      warnings.push(`${container.name} has no host mount of /home/node/.openclaw: the runtime cannot reach OpenClaw's state; mount it (the official docker-compose.yml does) or pass --state-dir`);
    }
  } else if (choices.account && homeOf(p, choices.account)) {
    stateDir = { value: undefined, why: `~${choices.account}/.openclaw (default)` };
  } else if (candidates.length > 0) {
    // Prefer a state dir whose account is also logged in to Claude, then a non-root one.
    const withLogin = p.stateDirs.find((s) => p.credentials.some((c) => c.account === s.account));
    const nonRoot = p.stateDirs.find((s) => s.account !== "root");
    const pick = withLogin ?? nonRoot ?? p.stateDirs[0]!;
    stateDir = {
      value: pick.path,
      why: candidates.length === 1 ? "the only OpenClaw state dir on the host" : `one of ${candidates.length} state dirs (${withLogin ? "its account is logged in to Claude" : "not root's"})`,
      alternatives: candidates,
    };
  } else stateDir = { value: undefined, why: "the program's default (~account/.openclaw)" };

  let account: Decided<string>;
  if (choices.account) account = { value: choices.account, why: "--account" };
  else if (stateDir.value && accountOwning(p, stateDir.value)) account = { value: accountOwning(p, stateDir.value)!, why: `its home holds ${stateDir.value}` };
  else account = { value: p.login, why: "the SSH login account (the program's default)" };
  // The state dir is written only when it is not the default of that account.
  if (stateDir.value && stateDir.value === `${homeOf(p, account.value)?.replace(/\/+$/, "")}/.openclaw`) {
    stateDir = { ...stateDir, value: undefined, why: `${stateDir.value} (${stateDir.why}; the default for ${account.value})` };
  }

  // --- Claude CLI and its login
  const hostClaude = p.claude.find((b) => b.account === account.value) ?? p.claude.find((b) => b.account === undefined) ?? p.claude[0];
  const inContainer = container?.claude;
  let refreshOn: Decided<"host" | "container">;
  if (choices.refreshOn) refreshOn = { value: choices.refreshOn, why: "--refresh-on" };
  else if (mode.value === "docker" && inContainer && !hostClaude) refreshOn = { value: "container", why: `the Claude CLI is only in ${container!.name}` };
  else refreshOn = { value: "host", why: hostClaude ? `the Claude CLI is at ${hostClaude.path}` : "default" };
  if (refreshOn.value === "container" && mode.value !== "docker") throw new Error('--refresh-on container needs docker mode (--mode docker)');
  const claudeCli =
    refreshOn.value === "container"
      ? inContainer && { where: "container" as const, path: inContainer.path, version: inContainer.version }
      : hostClaude && { where: "host" as const, path: hostClaude.path, version: hostClaude.version };
  if (!claudeCli) {
    warnings.push(
      refreshOn.value === "container"
        ? `no Claude CLI in ${container?.name ?? "the container"}: renewals cannot run; install Claude Code in the container (with OPENCLAW_HOME_VOLUME so it persists) or on the host`
        : "no Claude CLI found on the host (PATH, ~/.local/bin/claude, ~/.claude/local/claude): renewals cannot run until Claude Code is installed and logged in (or use --refresh-on container in docker mode)",
    );
  }

  let claudeAccount: Decided<string>;
  let claudeCredentials: Decided<string | undefined>;
  const defaultCreds = (acct: string) => `${(homeOf(p, acct) ?? "").replace(/\/+$/, "")}/.claude/.credentials.json`;
  if (refreshOn.value === "container" && container && !choices.claudeCredentials) {
    claudeAccount = { value: choices.claudeAccount ?? account.value, why: choices.claudeAccount ? "--claude-account" : "the account of the state dir" };
    const onHost = hostPathOf(container, CONTAINER_CLAUDE_CREDS);
    if (onHost) claudeCredentials = { value: onHost, why: `host side of ${container.name}'s /home/node/.claude mount` };
    else {
      claudeCredentials = { value: undefined, why: "not mounted" };
      warnings.push(`Claude's login in ${container.name} (${CONTAINER_CLAUDE_CREDS}) is not on a host mount: the watcher cannot follow it; mount /home/node (OPENCLAW_HOME_VOLUME) or /home/node/.claude, or pass --claude-credentials`);
    }
  } else {
    const logins = p.credentials.filter((c) => c.kind === "file");
    if (choices.claudeAccount) claudeAccount = { value: choices.claudeAccount, why: "--claude-account" };
    else if (logins.some((c) => c.account === account.value) || logins.length === 0) claudeAccount = { value: account.value, why: "the account of the state dir" };
    else claudeAccount = { value: logins[0]!.account, why: `logged in to Claude (${logins[0]!.path})`, alternatives: logins.map((c) => c.account) };
    if (choices.claudeCredentials) claudeCredentials = { value: choices.claudeCredentials, why: "--claude-credentials" };
    else {
      const found = p.credentials.find((c) => c.account === claudeAccount.value);
      claudeCredentials = { value: undefined, why: found ? `${found.path} (the default)` : `${defaultCreds(claudeAccount.value)} (the default; not there yet)` };
      if (!found) warnings.push(`no Claude login found for ${claudeAccount.value} (${defaultCreds(claudeAccount.value)}): log in once with "claude" as ${claudeAccount.value}; the watcher then picks it up`);
    }
  }
  const dirLogin = p.credentials.find((c) => c.kind === "dir" && (claudeCredentials.value ? c.path === claudeCredentials.value : c.account === claudeAccount.value));
  if (dirLogin) warnings.push(`${dirLogin.path} is a directory (a Docker bind mount of a file that did not exist yet): remove it, log in with "claude" once, and re-create the container`);

  // --- the openclaw CLI (native): only when it is not where the runtime looks by default
  let openclawCli: string | undefined;
  if (mode.value === "host" && hostOpenclaw && hostOpenclaw.account !== undefined && !p.openclaw.some((b) => b.account === undefined)) {
    openclawCli = hostOpenclaw.path;
  }

  return { mode, container, account, stateDir, claudeAccount, claudeCredentials, refreshOn, claudeCli, openclawCli, composeProject, warnings };
}
