/**
 * systemd units of one host: typed view models (escaped here, written raw by the templates) and
 * the rendered unit files. Pure: the compiled templates are passed in.
 */
import { RefreshSchema } from "../../runtime/src/contract/refresh";
import { posix } from "node:path";
import { escapePathListEntry, escapeSpecifiers, execLine } from "./systemd-escape";
import { sha256 } from "./hash";
import { SYNC_STATE_DIRECTORY } from "../../runtime/src/contract/schema";
import { claudeHomeOf, UNIT_DIR, UNIT_NAMES, UNIT_PREFIX, type HostSettings } from "./settings";

const DOCUMENTATION = "https://github.com/openclaw-oauth-sync/openclaw-oauth-sync#readme";
const ROOT_CAPABILITIES = "CAP_CHOWN CAP_FOWNER CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_SETUID CAP_SETGID";

interface Common {
  description: string;
  documentation: string;
  user: string;
  userReason: string;
  syslogIdentifier: string;
  stateDirectory: string;
  execStart: string;
  /**
   * Runs as root with capabilities (watch/refresh in root mode): chown/setuid stay allowed, so the
   * `~@privileged` system-call deny list is only written when this is false.
   */
  privileged: boolean;
}

export interface WatchServiceView extends Common {
  after: string;
  onFailure: string | undefined;
  /** `ExecStartPost=` clearing this unit's `unit-failed:` alert; undefined without alerts. */
  execStartPost: string | undefined;
  readWritePaths: string;
  docker: boolean;
  /** CapabilityBoundingSet= value; "" drops every capability (non-root). */
  capabilities: string;
}

export interface RefreshServiceView extends Common {
  after: string;
  onFailure: string | undefined;
  /** `ExecStartPost=` clearing this unit's `unit-failed:` alert; undefined without alerts. */
  execStartPost: string | undefined;
  readWritePaths: string;
  claudeHomeWritable: boolean;
  timerName: string;
  timeoutStartSec: string;
  capabilities: string;
}

export interface RefreshTimerView {
  description: string;
  documentation: string;
  onCalendar: string;
  randomizedDelaySec: string;
  serviceName: string;
}

export type AlertServiceView = Common;

export interface Templates {
  watchService(v: WatchServiceView): string;
  refreshService(v: RefreshServiceView): string;
  refreshTimer(v: RefreshTimerView): string;
  alertService(v: AlertServiceView): string;
}

export interface UnitFile {
  name: string;
  path: string;
  content: string;
  sha256: string;
}

/** `15min` → `*-*-* *:0/15:00`, `6h` → `*-*-* 0/6:00:00`; anything else is already a calendar expression. */
export function toOnCalendar(interval: string): string {
  const m = /^(\d+)(min|h)$/.exec(interval);
  if (!m) return interval;
  return m[2] === "min" ? `*-*-* *:0/${Number(m[1])}:00` : `*-*-* 0/${Number(m[1])}:00:00`;
}

/** The runtime's command line: `<node> <bundle> --config <file> <args…>`. */
export function runtimeArgv(s: HostSettings, ...args: string[]): string[] {
  return [s.nodePath, s.paths.bundle, "--config", s.paths.configFile, ...args];
}

function isUnder(path: string, dir: string): boolean {
  const d = dir.replace(/\/+$/, "");
  return path === d || path.startsWith(`${d}/`);
}

/**
 * Directories the units write (their ReadWritePaths): the state dir, the directory of each target
 * outside it, and declared agent dirs; each with whether it may be missing when the unit starts ("-").
 */
export function writableEntries(s: HostSettings): { path: string; optional: boolean }[] {
  const out = new Map<string, boolean>([[s.openclawStateDir, false]]);
  const add = (p: string | undefined, optional = false) => {
    if (p && !isUnder(p, s.openclawStateDir) && !out.has(p)) out.set(p, optional);
  };
  add(posix.dirname(s.configPath)); // paste-token records meta in openclaw.json; atomic writes need the dir
  for (const t of s.stack.targets) {
    if (typeof t === "string") continue;
    if (t.kind === "auth-store") t.agentDirs.forEach((d) => add(d));
    if ((t.kind === "env" || t.kind === "oauth-json") && t.path) add(posix.dirname(t.path));
  }
  if (s.stack.dockerComposeDir) add(s.stack.dockerComposeDir);
  // Agents openclaw.json gives their own agentDir: the runtime syncs them when the dir exists.
  for (const d of s.declaredAgentDirs) add(d, true);
  return [...out].map(([path, optional]) => ({ path, optional })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * `-<runtime> notify --unit-ok %n`: clears the alert the alert unit raised for this unit. "-": its
 * failure never fails the unit. %n must stay a specifier, so it is appended after escaping.
 */
function clearAlertOnStart(s: HostSettings, role: string): string | undefined {
  if (!s.stack.alertOnFailure) return undefined;
  return `-${execLine(runtimeArgv(s, "notify", "--unit-ok"), `${role} ExecStartPost`)} %n`;
}

function common(s: HostSettings, role: string, description: string, args: string[]): Common {
  const root = s.serviceUser.name === "root";
  return {
    description: escapeSpecifiers(description, `${role} Description`),
    documentation: DOCUMENTATION,
    user: s.serviceUser.name,
    userReason: escapeSpecifiers(root ? `Runs as root: ${s.serviceUser.reason}.` : `Runs as ${s.serviceUser.name}: ${s.serviceUser.reason}.`),
    syslogIdentifier: `${UNIT_PREFIX}-${role}`,
    stateDirectory: SYNC_STATE_DIRECTORY,
    execStart: execLine(runtimeArgv(s, ...args), `${role} ExecStart`),
    privileged: root,
  };
}

export function planWatchView(s: HostSettings): WatchServiceView {
  const docker = s.stack.mode === "docker";
  return {
    ...common(s, "watch", "openclaw-oauth-sync: sync Claude Code's login into OpenClaw on every change", ["watch"]),
    after: docker ? "network-online.target docker.service" : "network-online.target",
    onFailure: s.stack.alertOnFailure ? `${UNIT_PREFIX}-alert@%n.service` : undefined,
    execStartPost: clearAlertOnStart(s, "watch"),
    readWritePaths: writableEntries(s)
      .map((e) => escapePathListEntry(e.path, e.optional, "ReadWritePaths"))
      .join(" "),
    docker,
    capabilities: s.serviceUser.name === "root" ? ROOT_CAPABILITIES : "",
  };
}

/**
 * A scheduled run may wait for the renewal point and retry for refresh.maxRunMinutes, plus one
 * CLI run (timeoutSeconds) and the sync after it: the unit's bound sits above all of that.
 */
function refreshTimeoutStart(s: HostSettings): string {
  const r = RefreshSchema.parse({});
  return `${(s.stack.refreshMaxRunMinutes ?? r.maxRunMinutes) + Math.ceil(r.timeoutSeconds / 60) + 5}min`;
}

export function planRefreshView(s: HostSettings): RefreshServiceView {
  const claudeHome = s.stack.refreshOn === "host" ? (claudeHomeOf(s.claudeCredentials) ?? s.claudeAccount.home) : undefined;
  const rw = writableEntries(s);
  // "-": a missing home must not stop the unit; the runtime then reports the missing login itself.
  const entries = rw.map((e) => escapePathListEntry(e.path, e.optional, "ReadWritePaths"));
  if (claudeHome && !rw.some((e) => isUnder(claudeHome, e.path))) entries.push(escapePathListEntry(claudeHome, true, "ReadWritePaths"));
  return {
    ...common(s, "refresh", "openclaw-oauth-sync: renew Claude Code's login before it expires", ["refresh", "--scheduled"]),
    after: s.stack.mode === "docker" ? "network-online.target docker.service" : "network-online.target",
    onFailure: s.stack.alertOnFailure ? `${UNIT_PREFIX}-alert@%n.service` : undefined,
    execStartPost: clearAlertOnStart(s, "refresh"),
    readWritePaths: entries.join(" "),
    claudeHomeWritable: claudeHome !== undefined,
    timerName: UNIT_NAMES.refreshTimer,
    timeoutStartSec: refreshTimeoutStart(s),
    capabilities: s.serviceUser.name === "root" ? ROOT_CAPABILITIES : "",
  };
}

export function planTimerView(s: HostSettings): RefreshTimerView {
  return {
    description: escapeSpecifiers("openclaw-oauth-sync: check Claude Code's login expiry on a schedule"),
    documentation: DOCUMENTATION,
    onCalendar: escapeSpecifiers(toOnCalendar(s.stack.refreshInterval), "refreshInterval"),
    randomizedDelaySec: s.stack.refreshRandomizedDelay,
    serviceName: UNIT_NAMES.refreshService,
  };
}

export function planAlertView(s: HostSettings): AlertServiceView {
  const c = common(s, "alert", "openclaw-oauth-sync: alert that %i failed", ["notify", "--unit-failed"]);
  // %i must stay a specifier (the failed unit's name), so it is appended after escaping. The alert
  // unit never needs capabilities (CapabilityBoundingSet= is empty even as root), so no @privileged.
  return { ...c, description: "openclaw-oauth-sync: alert that %i failed", execStart: `${c.execStart} %i`, privileged: false };
}

function unitFile(name: string, content: string): UnitFile {
  return { name, path: `${UNIT_DIR}/${name}`, content, sha256: sha256(content) };
}

/** Every unit file of the host, in install order (the alert unit first: the others name it). */
export function planUnits(s: HostSettings, t: Templates): UnitFile[] {
  const units: UnitFile[] = [];
  if (s.stack.alertOnFailure) units.push(unitFile(UNIT_NAMES.alert, t.alertService(planAlertView(s))));
  units.push(unitFile(UNIT_NAMES.watch, t.watchService(planWatchView(s))));
  units.push(unitFile(UNIT_NAMES.refreshService, t.refreshService(planRefreshView(s))));
  units.push(unitFile(UNIT_NAMES.refreshTimer, t.refreshTimer(planTimerView(s))));
  return units;
}
