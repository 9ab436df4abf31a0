/**
 * Pure interpretation of the facts script's output (script.ts): parse the `key=value` lines,
 * validate them with zod, derive versions and storage eras, and decide whether the host can work.
 * Unit-tested with fixtures; nothing here talks to a host.
 */
import { eraForVersion as runtimeEraForVersion, type StorageEra } from "../../runtime/src/contract/era";
import { z } from "zod";

export type { StorageEra };
export type EraOrUnknown = StorageEra | "unknown";

const PathKind = z.enum(["dir", "file", "symlink", "other", "missing"]);
const Owner = z
  .string()
  .regex(/^\d+:\d+$/)
  .transform((s) => {
    const [uid, gid] = s.split(":").map(Number) as [number, number];
    return { uid, gid };
  });
const NumStr = z.string().regex(/^\d+$/).transform(Number);
const opt = <T extends z.ZodTypeAny>(t: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), t.optional()) as unknown as z.ZodOptional<T>;

const AccountFacts = z.strictObject({
  name: z.string().min(1),
  uid: opt(NumStr),
  gid: opt(NumStr),
  home: opt(z.string()),
});

/** The facts exactly as the script reported them, validated. */
export const RawFactsSchema = z.strictObject({
  format: z.literal("1"),
  os: z.strictObject({ id: opt(z.string()), versionId: opt(z.string()), prettyName: opt(z.string()) }).default({}),
  kernel: opt(z.string()),
  pid1: opt(z.string()),
  systemctl: opt(z.string()),
  login: z.strictObject({ user: z.string().min(1), uid: NumStr }),
  sudo: z.enum(["root", "passwordless", "no"]),
  account: AccountFacts,
  claudeAccount: AccountFacts,
  stateDir: z.strictObject({ path: z.string(), kind: PathKind, owner: opt(Owner) }),
  config: z
    .strictObject({
      path: z.string(),
      kind: PathKind,
      lastTouchedVersion: opt(z.string()),
      parse: opt(z.enum(["json", "json5"])),
      agentsList: z.array(z.string()).default([]),
      agentsEntries: opt(z.literal("yes")),
      /** {list: [{id, agentDir?}], entries: {id: {agentDir?}}} as JSON: only when some agent has its own agentDir. */
      agentsDeclared: opt(z.string()),
      anthropicProvider: opt(z.enum(["present", "broken"])),
    }),
  creds: z.strictObject({
    path: z.string(),
    kind: PathKind,
    stat: opt(z.string().regex(/^\d+:\d+:[0-7]{3,4}$/)),
    dirKind: PathKind,
  }),
  sharedSqlite: opt(z.literal("yes")),
  agent: z.array(z.string()).default([]),
  agentFile: z.array(z.string()).default([]),
  node: z.strictObject({ path: z.string(), kind: PathKind, version: opt(z.string()) }).optional(),
  openclaw: z.strictObject({ path: opt(z.string()), version: opt(z.string()), versionSource: opt(z.string()) }).default({}),
  docker: z.strictObject({ cli: opt(z.string()) }).optional(),
  container: z.array(z.string()).default([]),
  containerProject: z.array(z.string()).default([]),
  containerWorkingDir: z.array(z.string()).default([]),
  unit: z.array(z.string()).default([]),
  bundle: z.strictObject({ kind: PathKind }),
  status: z
    .strictObject({
      expiresAt: opt(z.string().regex(/^[0-9TZ:.+-]+$/)),
      loginExpiresAt: opt(z.string().regex(/^([0-9TZ:.+-]+|none)$/)),
      state: opt(z.string()),
      targets: opt(z.enum(["reported", "unreadable"])),
      outOfSync: z.array(z.string()).default([]),
    })
    .default({ outOfSync: [] }),
});
export type RawFacts = z.infer<typeof RawFactsSchema>;

// Keys that may repeat; each maps to an array in the raw object.
const LIST_KEYS: Record<string, string[]> = {
  agent: ["agent"],
  "agent.file": ["agentFile"],
  "config.agentsList": ["config", "agentsList"],
  container: ["container"],
  "container.project": ["containerProject"],
  "container.workingDir": ["containerWorkingDir"],
  unit: ["unit"],
  "status.outOfSync": ["status", "outOfSync"],
};

/** Parses `key=value` lines into the nested object RawFactsSchema validates. */
export function parseFactLines(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue; // stray output (a motd, a warning): not a fact
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    const listPath = LIST_KEYS[key];
    const path = listPath ?? key.split(".");
    let cur = out;
    for (const seg of path.slice(0, -1)) {
      if (typeof cur[seg] !== "object" || cur[seg] === null) cur[seg] = {};
      cur = cur[seg] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    if (listPath) ((cur[last] ??= []) as string[]).push(value);
    else cur[last] = value;
  }
  return out;
}

/** A date-based OpenClaw version, e.g. 2026.9.6 or 2026.4.12-beta.1. */
export interface OpenClawVersion {
  raw: string;
  year: number;
  month: number;
  day: number;
}

export function parseOpenClawVersion(s: string | undefined): OpenClawVersion | undefined {
  const m = s === undefined ? null : /^v?(\d{4})\.(\d{1,2})\.(\d{1,2})/.exec(s.trim());
  if (!m) return undefined;
  return { raw: s!.trim().replace(/^v/, ""), year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/**
 * The storage era a release uses when no file says otherwise. One rule for the program and the
 * runtime: the runtime's, verified against real releases (test/compat).
 */
export function eraForVersion(v: OpenClawVersion): StorageEra {
  return runtimeEraForVersion(`${v.year}.${v.month}.${v.day}`) ?? "json";
}

export function parseNodeMajor(version: string | undefined): number | undefined {
  const m = version === undefined ? null : /^v?(\d+)\./.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}

export interface AgentFacts {
  id: string;
  dir: string;
  era: EraOrUnknown;
  /** What decided the era: a file in the agent dir, the shared database, or the version. */
  eraSource: "agent-sqlite" | "shared-sqlite" | "auth-state" | "auth-profiles" | "version" | "unknown";
}

/** Facts about one host, interpreted. */
export interface Facts {
  os: { id?: string | undefined; versionId?: string | undefined; prettyName?: string | undefined };
  systemdPid1: boolean;
  pid1?: string | undefined;
  login: { user: string; uid: number; privilege: "root" | "passwordless" | "no" };
  account: { name: string; uid?: number | undefined; gid?: number | undefined; home?: string | undefined };
  claudeAccount: { name: string; uid?: number | undefined; gid?: number | undefined; home?: string | undefined };
  stateDir: { path: string; kind: z.infer<typeof PathKind>; owner?: { uid: number; gid: number } | undefined };
  config: RawFacts["config"];
  credentials: { path: string; kind: z.infer<typeof PathKind>; uid?: number; gid?: number; mode?: string; dirKind: z.infer<typeof PathKind> };
  node?: { path: string; version?: string | undefined; major?: number | undefined } | undefined;
  openclaw: { version?: string | undefined; versionSource?: string | undefined };
  agents: AgentFacts[];
  sharedSqlite: boolean;
  /** The era of the host: one era if every agent agrees (else "unknown"). */
  era: EraOrUnknown;
  docker?: { cli?: string | undefined; containers: { name: string; project?: string | undefined; workingDir?: string | undefined }[] } | undefined;
  ourUnits: string[];
  bundlePresent: boolean;
  /** From the installed runtime's `status --json` (absent before the first install): ISO time. */
  tokenExpiresAt?: string | undefined;
  /**
   * The Claude login's deadline (`claudeAiOauth.refreshTokenExpiresAt`, ISO time) from the same
   * `status --json`: "unknown" when the credentials file records none; absent before the first install.
   */
  loginExpiresAt?: string | undefined;
  tokenState?: string | undefined;
  /**
   * The runtime's targets not in sync ("<target>: <state>"; empty = all are), from the same
   * `status --json`; undefined when the runtime gave no report (not installed, status failed).
   */
  targetsOutOfSync?: string[] | undefined;
}

export type FactsParse = { ok: true; facts: Facts } | { ok: false; message: string };

/** Parses and interprets the facts script's stdout. */
export function interpretFacts(stdout: string, host: string): FactsParse {
  const r = RawFactsSchema.safeParse(parseFactLines(stdout), { reportInput: false });
  if (!r.success) {
    const where = r.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ");
    return {
      ok: false,
      message: `${host}: the facts script's output was not understood (${where}). Is the login shell printing extra text, or is /bin/sh not a POSIX shell?`,
    };
  }
  const raw = r.data;
  const installed = parseOpenClawVersion(raw.openclaw.version);
  const version = installed ?? parseOpenClawVersion(raw.config.lastTouchedVersion);
  const filesOf = (id: string) => new Set(raw.agentFile.filter((f) => f.startsWith(`${id}/`)).map((f) => f.slice(id.length + 1)));
  const sharedSqlite = raw.sharedSqlite === "yes";
  const agents: AgentFacts[] = raw.agent.map((id) => {
    const files = filesOf(id);
    const dir = `${raw.stateDir.path.replace(/\/+$/, "")}/agents/${id}/agent`;
    if (files.has("openclaw-agent.sqlite")) return { id, dir, era: "sqlite", eraSource: "agent-sqlite" };
    // 2026.6.1 already creates the shared database while its auth store is still JSON: the
    // installed binary's version overrules it (not meta.lastTouchedVersion, which may be stale).
    if (sharedSqlite && (!installed || eraForVersion(installed) === "sqlite")) return { id, dir, era: "sqlite", eraSource: "shared-sqlite" };
    if (files.has("auth-state.json")) return { id, dir, era: "json-split", eraSource: "auth-state" };
    if (version) return { id, dir, era: eraForVersion(version), eraSource: "version" };
    if (files.has("auth-profiles.json")) return { id, dir, era: "json", eraSource: "auth-profiles" };
    return { id, dir, era: "unknown", eraSource: "unknown" };
  });
  const eras = new Set(agents.map((a) => a.era));
  let era: EraOrUnknown = "unknown";
  if (eras.size === 1) era = [...eras][0]!;
  else if (eras.size === 0) era = sharedSqlite ? "sqlite" : version ? eraForVersion(version) : "unknown";
  const credStat = raw.creds.stat?.split(":");
  const facts: Facts = {
    os: raw.os,
    systemdPid1: raw.pid1 === "systemd",
    pid1: raw.pid1,
    login: { user: raw.login.user, uid: raw.login.uid, privilege: raw.sudo },
    account: raw.account,
    claudeAccount: raw.claudeAccount,
    stateDir: raw.stateDir,
    config: raw.config,
    credentials: {
      path: raw.creds.path,
      kind: raw.creds.kind,
      dirKind: raw.creds.dirKind,
      ...(credStat ? { uid: Number(credStat[0]), gid: Number(credStat[1]), mode: credStat[2]! } : {}),
    },
    node: raw.node ? { path: raw.node.path, version: raw.node.version, major: parseNodeMajor(raw.node.version) } : undefined,
    openclaw: version ? { version: version.raw, versionSource: raw.openclaw.version ? raw.openclaw.versionSource : "meta.lastTouchedVersion" } : {},
    agents,
    sharedSqlite,
    era,
    docker: raw.docker
      ? {
          cli: raw.docker.cli,
          containers: raw.container.map((name, i) => ({ name, project: raw.containerProject[i] || undefined, workingDir: raw.containerWorkingDir[i] || undefined })),
        }
      : undefined,
    ourUnits: raw.unit,
    bundlePresent: raw.bundle.kind === "file",
    tokenExpiresAt: toIso(raw.status.expiresAt),
    loginExpiresAt: raw.status.loginExpiresAt === undefined ? undefined : (toIso(raw.status.loginExpiresAt === "none" ? undefined : raw.status.loginExpiresAt) ?? "unknown"),
    tokenState: raw.status.state,
    targetsOutOfSync: raw.status.targets === "reported" ? raw.status.outOfSync : undefined,
  };
  return { ok: true, facts };
}

/** Epoch ms (or an ISO string) → ISO 8601; undefined when unreadable. */
export function toIso(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const d = /^\d+$/.test(v) ? new Date(Number(v)) : new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export const MIN_NODE_MAJOR = 18;

/**
 * Why this host cannot work, one message per problem (empty = it can). Checked in preview, so
 * nothing is changed on a host that would only half-work.
 */
export function hostProblems(f: Facts, host: string, opts: { mode: "host" | "docker"; nodePathConfigured: boolean }): string[] {
  const out: string[] = [];
  if (!f.systemdPid1) {
    out.push(`${host}: systemd is not PID 1 (PID 1 is "${f.pid1 ?? "unknown"}"); the watcher and the refresh timer are systemd units. Use a host (or VM, or systemd-nspawn container) booted with systemd.`);
  }
  if (f.login.privilege === "no") {
    out.push(`${host}: the SSH account "${f.login.user}" is not root and has no passwordless sudo; installing units under /etc/systemd/system needs one of them (set sshUser, or add a sudoers rule "${f.login.user} ALL=(root) NOPASSWD: ALL").`);
  }
  if (!f.node) {
    out.push(
      `${host}: no node binary found (looked on PATH, /usr/bin/node, /usr/local/bin/node). The runtime needs Node.js >= ${MIN_NODE_MAJOR}: on Debian 12 "apt-get install nodejs" gives 18.20.4; or set nodePath to an installed node.`,
    );
  } else if (f.node.major === undefined || f.node.major < MIN_NODE_MAJOR) {
    out.push(
      `${host}: ${f.node.path} is Node.js ${f.node.version ?? "(version unknown)"}, the runtime needs >= ${MIN_NODE_MAJOR}: on Debian 12 "apt-get install nodejs" gives 18.20.4; or set nodePath to a newer node${opts.nodePathConfigured ? "" : " (nodePath is not set)"}.`,
    );
  }
  if (f.stateDir.kind !== "dir") {
    out.push(
      `${host}: OpenClaw state dir ${f.stateDir.path} ${f.stateDir.kind === "missing" ? "does not exist" : `is a ${f.stateDir.kind}, not a directory`}; set openclawStateDir to OpenClaw's state dir (native: ~/.openclaw of the account running the gateway; Docker: the host side of the /home/node/.openclaw mount) or set account.`,
    );
  }
  if (f.credentials.kind === "dir") {
    out.push(
      `${host}: Claude credentials path ${f.credentials.path} is a directory (a Docker bind mount of a file that did not exist yet creates one); remove the directory, log in with "claude" once so the file exists, and re-create the container.`,
    );
  }
  if (opts.mode === "docker" && f.docker && !f.docker.cli) {
    out.push(`${host}: mode is "docker" but no docker client is installed on the host; install docker, or set mode "host".`);
  }
  return out;
}
