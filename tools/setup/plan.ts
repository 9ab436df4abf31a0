/**
 * Pure planning for `setup`: the SSH target, the proposal (detect.ts) and the program's facts →
 * the stack config setup writes; that against the stack's current config → the changes; and the
 * report the operator reads before anything is written. Unit-tested; no host, no Pulumi here.
 */
import { hostProblems, MIN_NODE_MAJOR, type Facts } from "../../infra/facts/interpret";
import { parseStackConfig, PROJECT, STACK_KEYS } from "../../infra/plan/stack-config";
import type { Finding } from "../../runtime/src/doctor/types";
import type { Proposal } from "./detect";

export interface SshTarget {
  host: string;
  user?: string | undefined;
  port?: number | undefined;
}

/** `[user@]host[:port]`, `[user@][v6addr]:port`. Throws with the fix on anything else. */
export function parseTarget(t: string): SshTarget {
  const m = /^(?:([^@\s]+)@)?(\[[0-9A-Fa-f:.]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(t);
  if (!m || m[2]!.startsWith("-")) {
    throw new Error(`ssh target "${t}" is not [user@]host[:port] (a host name, an address, or an alias from ~/.ssh/config)`);
  }
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`ssh target "${t}": port ${port} is not 1-65535`);
  return { host: m[2]!.replace(/^\[|\]$/g, ""), user: m[1], port };
}

/** A stack name from the host: `gw1.example.net` → `gw1-example-net`. */
export function defaultStackName(host: string): string {
  const s = host.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-").replace(/\./g, "-").replace(/^-+|-+$/g, "");
  return s === "" ? "host" : s.slice(0, 60);
}

export interface ConfigEntry {
  value: string;
  secret: boolean;
}

/** Bare key (no namespace) → value. */
export type StackValues = Record<string, ConfigEntry>;

export interface SshFlags {
  sshConfigFile?: string | undefined;
  sshHostKey?: string | undefined;
  sshConnectTimeoutSeconds?: number | undefined;
  /** Private key text (from --ssh-key FILE); stored as a secret, never shown. */
  sshPrivateKey?: string | undefined;
}

export interface ValuesInput {
  target: SshTarget;
  ssh: SshFlags;
  proposal: Proposal;
  facts: Facts;
  configPath?: string | undefined;
  nodePath?: string | undefined;
  removeBrokenAnthropicProvider?: boolean | undefined;
  /** `--set key=value`, verbatim (validated with the schema like everything else). */
  extra: Record<string, string>;
}

/**
 * The stack config setup writes. Only what differs from the program's own defaults is written, so
 * that a later change of a default reaches this stack, and a re-run produces the same values.
 */
export function stackValues(i: ValuesInput): StackValues {
  const out: StackValues = {};
  const set = (k: string, v: string | undefined, secret = false) => {
    if (v !== undefined) out[k] = { value: v, secret };
  };
  const p = i.proposal;
  set("host", i.target.host);
  set("sshUser", i.target.user);
  set("sshPort", i.target.port === undefined ? undefined : String(i.target.port));
  set("sshConfigFile", i.ssh.sshConfigFile);
  set("sshHostKey", i.ssh.sshHostKey);
  set("sshConnectTimeoutSeconds", i.ssh.sshConnectTimeoutSeconds === undefined ? undefined : String(i.ssh.sshConnectTimeoutSeconds));
  set("sshPrivateKey", i.ssh.sshPrivateKey, true);
  if (p.mode.value === "docker") set("mode", "docker");
  if (p.account.value !== i.facts.login.user) set("account", p.account.value);
  set("openclawStateDir", p.stateDir.value);
  set("configPath", i.configPath);
  if (p.claudeAccount.value !== p.account.value) set("claudeAccount", p.claudeAccount.value);
  set("claudeCredentials", p.claudeCredentials.value);
  if (p.refreshOn.value === "container") set("refreshOn", "container");
  set("dockerComposeProject", p.composeProject);
  if (p.openclawCli) set("openclawCli", JSON.stringify([p.openclawCli]));
  set("nodePath", i.nodePath);
  if (i.removeBrokenAnthropicProvider) set("removeBrokenAnthropicProvider", "true");
  for (const [k, v] of Object.entries(i.extra)) set(k, v, false);
  return out;
}

/** Checks the values with the program's own schema (the same messages `pulumi up` would give). */
export function validateValues(v: StackValues): string | undefined {
  const plain = Object.fromEntries(Object.entries(v).filter(([k]) => k in STACK_KEYS).map(([k, e]) => [k, e.value]));
  const unknown = Object.keys(v).filter((k) => !(k in STACK_KEYS) && k !== "sshPrivateKey" && k !== "notifySecrets");
  const r = parseStackConfig((k) => plain[k], [...Object.keys(plain), ...unknown]);
  return r.ok ? undefined : r.message;
}

export type ChangeKind = "add" | "change" | "same";

export interface ConfigChange {
  key: string;
  kind: ChangeKind;
  secret: boolean;
  value: string;
  previous?: string | undefined;
}

/**
 * Desired vs the stack's current config (`current` keyed by full key "project:key", as
 * `getAllConfig` returns it). Keys setup does not set are left alone — never removed.
 */
export function diffConfig(current: Record<string, { value: string; secret?: boolean }>, desired: StackValues): ConfigChange[] {
  return Object.entries(desired).map(([desiredKey, d]) => {
    // A stack that still names OpenClaw's state dir by its old key keeps it (setting both is an
    // error): the key is updated there, and the program's warning says how to rename it.
    const key = desiredKey === "openclawStateDir" && current[`${PROJECT}:stateDir`] !== undefined && current[`${PROJECT}:openclawStateDir`] === undefined ? "stateDir" : desiredKey;
    const cur = current[`${PROJECT}:${key}`];
    if (cur === undefined) return { key, kind: "add" as const, secret: d.secret, value: d.value };
    const same = cur.value === d.value && Boolean(cur.secret) === d.secret;
    return { key, kind: same ? ("same" as const) : ("change" as const), secret: d.secret, value: d.value, previous: cur.value };
  });
}

/** Setup's own findings before the runtime is installed: the program's refusals + what setup saw. */
export function preInstallFindings(f: Facts, p: Proposal, host: string, nodePathConfigured: boolean): Finding[] {
  const out: Finding[] = hostProblems(f, host, { mode: p.mode.value, nodePathConfigured }).map((m) => ({
    id: "host-refused",
    level: "error" as const,
    message: m,
    fix: "pulumi up refuses this host until it is fixed",
  }));
  for (const w of p.warnings) out.push({ id: "setup", level: "warn", message: w, fix: "" });
  if (f.config.anthropicProvider === "broken") {
    out.push({
      id: "custom-anthropic-provider",
      level: "error",
      message: `${f.config.path}: models.providers.anthropic has a /v1 base URL: every request goes to …/v1/v1/messages and fails with 404`,
      fix: "let the stack remove it: setup --remove-broken-provider (or answer yes below); destroy restores it",
    });
  } else if (f.config.anthropicProvider === "present") {
    out.push({ id: "custom-anthropic-provider", level: "warn", message: `${f.config.path}: a custom models.providers.anthropic replaces the built-in catalog`, fix: "remove it unless you route Anthropic through a proxy on purpose" });
  }
  if (f.stateDir.kind === "dir" && f.config.kind === "missing") {
    out.push({ id: "openclaw-json-missing", level: "warn", message: `${f.config.path} does not exist`, fix: "run OpenClaw's onboarding once (openclaw onboard), or pass --config-path" });
  }
  if (f.stateDir.kind === "dir" && f.agents.length === 0) {
    out.push({ id: "no-agents", level: "warn", message: `no agents under ${f.stateDir.path}/agents: nothing to sync into yet`, fix: "start the gateway once so it creates the main agent" });
  }
  if (f.agents.length > 0 && f.era === "unknown") {
    out.push({ id: "era-unknown", level: "warn", message: `the agents disagree on the storage era (${f.agents.map((a) => `${a.id}: ${a.era}`).join(", ")})`, fix: "the runtime detects it per agent; set storageEra only if that is wrong" });
  }
  return out;
}

/** doctor checks that need the installed runtime (they read stores and env): listed, not run. */
export const AFTER_INSTALL_CHECKS = [
  "auth profile shapes (oauth-profile-key, auth-mode-mismatch)",
  "retired JSON next to a SQLite store",
  "login-bypassing environment (ANTHROPIC_API_KEY, apiKeyHelper …)",
  "Claude CLI version and profile id",
  "clock synchronisation",
  "env target vs reload action, notification setup",
];

export interface ReportInput {
  stack: string;
  backend: string;
  stackExists: boolean;
  target: SshTarget;
  facts: Facts;
  proposal: Proposal;
  findings: Finding[];
  /** Findings of the installed runtime's `doctor --json`; undefined = runtime not installed. */
  doctor?: { findings: Finding[]; error?: string | undefined } | undefined;
  changes: ConfigChange[];
}

/** The report setup prints: what it found, the problems, and what it will configure. */
export function renderReport(r: ReportInput): string {
  const f = r.facts;
  const p = r.proposal;
  const L: string[] = [];
  const who = `${r.target.user ? `${r.target.user}@` : ""}${r.target.host}${r.target.port ? `:${r.target.port}` : ""}`;
  L.push(`Host ${who}: ${f.os.prettyName ?? f.os.id ?? "unknown OS"}; PID 1 ${f.pid1 ?? "?"}; SSH account ${f.login.user} (${f.login.privilege === "root" ? "root" : f.login.privilege === "passwordless" ? "passwordless sudo" : "no sudo"})`);
  L.push("");
  L.push("Found:");
  const row = (k: string, v: string) => L.push(`  ${k.padEnd(13)} ${v}`);
  const oc = f.openclaw.version ? `${f.openclaw.version} (${f.openclaw.versionSource})` : "version unknown";
  row("OpenClaw", `${p.mode.value === "docker" ? "Docker" : "native"} (${p.mode.why}), ${oc}`);
  if (p.container) row("container", `${p.container.name} (image ${p.container.image}${p.container.project ? `, project ${p.container.project}` : ""}${p.container.workingDir ? `, ${p.container.workingDir}` : ""})`);
  row("state dir", `${f.stateDir.path} (${f.stateDir.kind}; account ${f.account.name}${f.account.uid !== undefined ? ` uid ${f.account.uid}` : ""})`);
  row("config", `${f.config.path} (${f.config.kind})`);
  row("storage era", `${f.era}${f.agents.length ? `; agents: ${f.agents.map((a) => `${a.id} (${a.era}, from ${a.eraSource})`).join(", ")}` : "; no agents"}`);
  row("Claude CLI", p.claudeCli ? `${p.claudeCli.path}${p.claudeCli.version ? ` ${p.claudeCli.version}` : ""} (${p.claudeCli.where === "host" ? "on the host" : `in ${p.container?.name}`})` : "not found");
  const c = f.credentials;
  row("Claude login", `${c.path} (${c.kind}${c.uid !== undefined ? `, uid ${c.uid}, mode ${c.mode}` : ""}; account ${f.claudeAccount.name})`);
  row("Node", f.node ? `${f.node.path} ${f.node.version ?? "(version unknown)"}${(f.node.major ?? 0) < MIN_NODE_MAJOR ? ` — needs >= ${MIN_NODE_MAJOR}` : ""}` : "not found");
  row("our units", f.ourUnits.length ? f.ourUnits.join(", ") : "none (not installed yet)");
  row("runtime", f.bundlePresent ? `installed${f.tokenExpiresAt ? `; token expires ${f.tokenExpiresAt}${f.tokenState ? ` (${f.tokenState})` : ""}` : ""}` : "not installed");
  L.push("");
  const all = [...r.findings, ...(r.doctor?.findings ?? [])];
  const errors = all.filter((x) => x.level === "error").length;
  const warns = all.filter((x) => x.level === "warn").length;
  L.push(`Problems: ${errors} error${errors === 1 ? "" : "s"}, ${warns} warning${warns === 1 ? "" : "s"}`);
  for (const x of all) {
    if (x.level === "info") continue;
    L.push(`  ${x.level === "error" ? "✖" : "!"} ${x.message}${x.fix ? `\n      fix: ${x.fix}` : ""}`);
  }
  if (r.doctor?.error) L.push(`  ! the installed runtime's doctor could not run: ${r.doctor.error}`);
  if (!r.doctor) L.push(`  (checked by "openclaw-oauth-sync doctor" once installed: ${AFTER_INSTALL_CHECKS.join("; ")})`);
  L.push("");
  L.push(`Stack "${r.stack}" (${r.stackExists ? "exists" : "will be created"}; backend ${r.backend}):`);
  for (const ch of r.changes) {
    const shown = ch.secret ? "[secret]" : ch.value;
    const mark = ch.kind === "add" ? "+" : ch.kind === "change" ? "~" : "=";
    const prev = ch.kind === "change" && !ch.secret ? ` (was ${ch.previous})` : "";
    L.push(`  ${mark} ${ch.key} = ${shown}${prev}${ch.kind === "same" ? " (unchanged)" : ""}`);
  }
  const n = r.changes.filter((x) => x.kind !== "same").length;
  L.push(n === 0 ? "No changes to the stack config." : `${n} change${n === 1 ? "" : "s"} to write.`);
  return L.join("\n");
}
