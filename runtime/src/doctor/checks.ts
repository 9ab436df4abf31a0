/**
 * The troubleshooting guide as code: each check is a pure function of the gathered facts that
 * returns findings with a fix. Sources for every rule are in facts/openclaw.md (section noted).
 */
import { parseOpenClawVersion } from "../contract/era";
import type { DoctorFacts, Finding } from "./types";
import { compareSemver, FIRST_HEADLESS_REFRESH, fmt, KNOWN_BAD, parseClaudeVersion } from "./versions";

export type Check = (f: DoctorFacts) => Finding[];

/** A URL without user info, query or fragment: enough to recognise it, nothing secret. */
function showUrl(u: string): string {
  try {
    const p = new URL(u);
    return `${p.origin}${p.pathname}`;
  } catch {
    return u.length > 80 ? u.slice(0, 80) + "…" : u;
  }
}

/** §2.3: a custom models.providers.anthropic; with /v1 in baseUrl every request 404s. */
export const customAnthropicProvider: Check = (f) => {
  const j = f.openclawJson;
  if (j.parseError) {
    return [{ id: "openclaw-json-unparseable", level: "warn", message: `${j.path}: cannot parse as JSON5 (${j.parseError}); its checks were skipped`, fix: "fix the syntax; OpenClaw refuses to start with it too" }];
  }
  const p = j.anthropicProvider;
  if (!p) return [];
  const base = typeof p.baseUrl === "string" ? p.baseUrl.trim() : undefined;
  if (base !== undefined && /\/v1\/*$/.test(base)) {
    return [{
      id: "custom-anthropic-provider",
      level: "error",
      message: `${j.path}: models.providers.anthropic.baseUrl "${showUrl(base)}" ends in /v1; the Anthropic client appends /v1/messages, so every request goes to …/v1/v1/messages and fails with 404`,
      fix: "remove models.providers.anthropic from openclaw.json (the built-in anthropic provider works with OAuth tokens); if you need a proxy there, give baseUrl without /v1",
    }];
  }
  return [{
    id: "custom-anthropic-provider",
    level: "warn",
    message: `${j.path}: models.providers.anthropic is defined${base ? ` (baseUrl "${showUrl(base)}")` : ""}; it replaces the built-in Anthropic catalog and must list every model itself`,
    fix: "remove models.providers.anthropic unless you route Anthropic through a proxy on purpose",
  }];
};

/** §3.3: type "oauth" with `key` instead of `access` is accepted on load and then silently skipped. */
export const oauthKeyInsteadOfAccess: Check = (f) => {
  const out: Finding[] = [];
  for (const a of f.agents) {
    for (const s of a.stores) {
      for (const p of s.profiles) {
        if (p.type !== "oauth" || p.hasAccess || !p.hasKey) continue;
        out.push({
          id: "oauth-profile-key",
          level: p.hasRefresh ? "warn" : "error",
          message: p.hasRefresh
            ? `${s.path}: profile "${p.id}" is type "oauth" with "key" instead of "access"; OpenClaw ignores "key" and will spend the refresh token to get an access token`
            : `${s.path}: profile "${p.id}" is type "oauth" with "key" instead of "access"; OpenClaw drops it from the auth order without a warning ("No API key found for provider")`,
          fix: `rename "key" to "access" in profile "${p.id}", or let openclaw-oauth-sync write the profile (auth-store target)`,
        });
      }
    }
  }
  return out;
};

/** §3.3: auth.profiles[id].mode must match the stored type; only mode oauth + type token is tolerated. */
export const authModeMismatch: Check = (f) => {
  const out: Finding[] = [];
  const modes = f.openclawJson.authModes;
  const tolerated = (mode: string, type: string) => mode === type || (mode === "oauth" && type === "token");
  for (const a of f.agents) {
    for (const s of a.stores) {
      for (const p of s.profiles) {
        const mode = modes[p.id];
        if (!mode || !p.type || tolerated(mode, p.type)) continue;
        out.push({
          id: "auth-mode-mismatch",
          level: "error",
          message: `${f.openclawJson.path}: auth.profiles["${p.id}"].mode is "${mode}" but ${s.path} stores it as type "${p.type}"; OpenClaw skips the profile (mode_mismatch)`,
          fix: `set auth.profiles["${p.id}"].mode to "${p.type}" in openclaw.json (or "oauth", which also accepts token profiles)`,
        });
      }
    }
  }
  // What our JSON-era targets are about to write must match too (the SQLite era sets mode itself via paste-token).
  const sqlite = f.sharedSqlite || f.agents.some((a) => a.agentSqlite);
  if (!sqlite) {
    for (const t of f.config.targets) {
      if (t.kind !== "auth-store" || t.era === "sqlite") continue;
      const mode = modes[t.profileId];
      if (!mode || tolerated(mode, t.profileType)) continue;
      if (out.some((o) => o.message.includes(`["${t.profileId}"]`))) continue;
      out.push({
        id: "auth-mode-mismatch",
        level: "error",
        message: `${f.openclawJson.path}: auth.profiles["${t.profileId}"].mode is "${mode}" but the auth-store target writes type "${t.profileType}"; OpenClaw would skip the profile`,
        fix: `set auth.profiles["${t.profileId}"].mode to "${t.profileType}" in openclaw.json, or the target's profileType to "${mode}"`,
      });
    }
  }
  return out;
};

/** §3.1: retired JSON stores next to SQLite are never read; with credentials in them OpenClaw fails closed. */
export const retiredJsonNextToSqlite: Check = (f) => {
  const out: Finding[] = [];
  for (const a of f.agents) {
    const sqlite = a.agentSqlite || f.sharedSqlite;
    if (!sqlite) continue;
    const where = a.agentSqlite ? `${a.dir}/openclaw-agent.sqlite` : `${f.openclawStateDir}/state/openclaw.sqlite`;
    for (const s of a.stores) {
      out.push({
        id: "retired-json-store",
        level: s.hasCredentials ? "error" : "warn",
        message: s.hasCredentials
          ? `${s.path}: retired JSON store with credentials next to the SQLite store ${where}; OpenClaw never reads it and fails closed (AUTH_PROFILE_MIGRATION_REQUIRED) while the SQLite store lacks them`
          : `${s.path}: retired JSON store next to the SQLite store ${where}; OpenClaw ignores it`,
        fix: s.hasCredentials
          ? "run `openclaw doctor --fix` once (imports it into SQLite), then move the JSON file away; keep the auth-store target's era on auto"
          : "move the file away; anything written there has no effect",
      });
    }
  }
  const anySqlite = f.sharedSqlite || f.agents.some((a) => a.agentSqlite);
  if (anySqlite && f.oauthJson.exists) {
    out.push({
      id: "retired-json-store",
      level: "warn",
      message: `${f.oauthJson.path}: legacy import file next to a SQLite store; OpenClaw ignores it (only \`openclaw doctor --fix\` imports it once)`,
      fix: "move it away once the SQLite store holds the Anthropic profile",
    });
  }
  if (anySqlite) {
    for (const t of f.config.targets) {
      if (t.kind === "auth-store" && (t.era === "json" || t.era === "json-split")) {
        out.push({
          id: "retired-json-store",
          level: "error",
          message: `an auth-store target forces era "${t.era}" but a SQLite store exists; it would write retired JSON that OpenClaw never reads`,
          fix: 'set the target\'s era to "auto" (or "sqlite")',
        });
      }
      if (t.kind === "oauth-json") {
        out.push({
          id: "retired-json-store",
          level: "warn",
          message: `an oauth-json target writes ${t.path ?? f.oauthJson.path}, which the SQLite era ignores (import only via openclaw doctor --fix)`,
          fix: "remove the oauth-json target; the auth-store target covers the SQLite store",
        });
      }
    }
  }
  return out;
};

/** The credentials file must be a file Claude Code can rewrite (peers §2.8: -v of a missing file, :ro mounts). */
export const credentialsPath: Check = (f) => {
  const c = f.credentials;
  const p = c.path;
  switch (c.kind) {
    case "missing":
      return [{ id: "credentials-path", level: "error", message: `${p}: Claude credentials file does not exist`, fix: "log in with `claude` (/login) as the account that runs it, or fix claudeCredentials in the config" }];
    case "directory":
      return [{ id: "credentials-path", level: "error", message: `${p}: is a directory, not a file (typical after docker -v of a path that did not exist yet)`, fix: "remove the directory and mount ~/.claude (the directory) instead of the file, then log in again" }];
    case "other":
      return [{ id: "credentials-path", level: "error", message: `${p}: is not a regular file`, fix: "point claudeCredentials at ~/.claude/.credentials.json of the account that logs in" }];
    case "unreadable":
      return [{ id: "credentials-path", level: "error", message: `${p}: cannot be inspected (${c.error ?? "error"})`, fix: "run doctor as root, or as the account that owns the file" }];
    case "file":
      break;
  }
  if (c.mount?.readOnly || c.erofs) {
    const at = c.mount ? ` (mount ${c.mount.mountPoint}, ${c.mount.fsType})` : "";
    return [{
      id: "credentials-path",
      level: "error",
      message: `${p}: is on a read-only mount${at}; Claude Code cannot save a renewed login, so every refresh is lost and the login dies`,
      fix: "mount it read-write (drop :ro from the volume), or mount ~/.claude read-write",
    }];
  }
  return [];
};

const BYPASS_WHY = "makes the Claude CLI use that credential instead of the subscription login, so nothing renews it";

/** §1.6: variables that bypass the stored login in the refresh environment. */
export const bypassEnv: Check = (f) => {
  const out: Finding[] = [];
  for (const name of f.env.config) {
    out.push({ id: "bypass-env", level: "error", message: `config refresh.env sets ${name}, which ${BYPASS_WHY}`, fix: `remove ${name} from refresh.env` });
  }
  for (const s of f.env.settings) {
    if (s.parseError) {
      out.push({ id: "bypass-env", level: "warn", message: `${s.path}: cannot parse (${s.parseError}); not checked for env/apiKeyHelper`, fix: "fix the JSON" });
      continue;
    }
    for (const name of s.envNames) {
      out.push({ id: "bypass-env", level: "error", message: `${s.path}: "env" sets ${name}, which ${BYPASS_WHY}; refresh cannot scrub settings-file variables`, fix: `remove ${name} from the "env" block of ${s.path}` });
    }
    if (s.apiKeyHelper) {
      out.push({ id: "bypass-env", level: "error", message: `${s.path}: apiKeyHelper is set; it takes precedence over the subscription login`, fix: `remove apiKeyHelper from ${s.path}` });
    }
  }
  for (const name of f.env.process) {
    out.push({
      id: "bypass-env",
      level: "warn",
      message: `${name} is set in this environment; refresh removes it from the Claude child, but any other \`claude -p\` run with it ${BYPASS_WHY}`,
      fix: `unset ${name} (check the shell profile and the service's Environment=/EnvironmentFile=)`,
    });
  }
  return out;
};

/** §1.3: Claude CLI present, and a version known to refresh headless. */
export const claudeCli: Check = (f) => {
  const c = f.claude;
  if (c.error !== undefined || c.output === undefined) {
    return [{ id: "claude-cli", level: "error", message: `Claude CLI could not run ${c.where}: ${c.error ?? "no output"}; refresh cannot renew the login`, fix: "install Claude Code for that account (or in the container), or fix refresh.cli" }];
  }
  const v = parseClaudeVersion(c.output);
  if (!v) {
    return [{ id: "claude-cli", level: "warn", message: `Claude CLI ${c.where} printed an unrecognised version "${c.output.trim().slice(0, 60)}"`, fix: "check refresh.cli points at Claude Code" }];
  }
  if (compareSemver(v, FIRST_HEADLESS_REFRESH) < 0) {
    return [{
      id: "claude-cli",
      level: "error",
      message: `Claude CLI ${fmt(v)} ${c.where} is older than ${fmt(FIRST_HEADLESS_REFRESH)}; headless \`claude -p\` did not renew an expired login before that (reports on 2.1.59, 2.1.104, 2.1.114)`,
      fix: "upgrade Claude Code (`claude update`, or reinstall) as that account",
    }];
  }
  const bad = KNOWN_BAD[fmt(v)];
  if (bad) {
    return [{
      id: "claude-cli",
      level: "warn",
      message: `Claude CLI ${fmt(v)} ${c.where}: \`claude -p\` was reported to fail with "OAuth session expired and could not be refreshed" on this version (${bad})`,
      fix: "upgrade Claude Code (`claude update`) as that account",
    }];
  }
  return [{ id: "claude-cli", level: "info", message: `Claude CLI ${fmt(v)} ${c.where}`, fix: "" }];
};

/** Expiry decisions compare local time with expiresAt; a drifting clock refreshes late or early. */
export const clockSync: Check = (f) => {
  if (f.clock.synchronized === true) return [];
  if (f.clock.synchronized === false) {
    return [{
      id: "clock",
      level: "warn",
      message: `system clock is not NTP-synchronized (${f.clock.source}); refresh timing and expiry checks compare local time with the token's expiry`,
      fix: "enable time sync: `timedatectl set-ntp true` (systemd-timesyncd) or install chrony",
    }];
  }
  return [{ id: "clock", level: "info", message: `could not tell whether the clock is synchronized (${f.clock.source})`, fix: "" }];
};

/** §3.5, §7.6: on Clawdbot 2026.1.9–1.25 OpenClaw itself owns anthropic:claude-cli (and writes back to Claude). */
export const claudeCliProfileId: Check = (f) => {
  const out: Finding[] = [];
  const v = f.version ? parseOpenClawVersion(f.version.version) : undefined;
  const inRange = v !== undefined && v[0] === 2026 && v[1] === 1 && v[2] >= 9 && v[2] <= 25;
  for (const t of f.config.targets) {
    if (t.kind !== "auth-store" || t.profileId !== "anthropic:claude-cli") continue;
    if (inRange) {
      out.push({
        id: "claude-cli-profile",
        level: "error",
        message: `an auth-store target writes "anthropic:claude-cli" on OpenClaw ${f.version!.version}; that release syncs this profile from Claude itself, refreshes it and writes the new tokens back to Claude's file — two writers of one login`,
        fix: 'set the target\'s profileId to "anthropic:default"',
      });
    } else {
      out.push({
        id: "claude-cli-profile",
        level: "warn",
        message: `an auth-store target writes "anthropic:claude-cli"${f.version ? ` (OpenClaw ${f.version.version})` : " (OpenClaw version unknown)"}; OpenClaw reserves that id (owned by Clawdbot 2026.1.9–1.25, deleted by \`openclaw doctor\` from 2026.1.26)`,
        fix: 'set the target\'s profileId to "anthropic:default"',
      });
    }
  }
  return out;
};

/**
 * facts/openclaw.md §9 (openclaw#134004): on the claude-cli route OpenClaw ≥ 2026.8 hands a saved
 * anthropic token profile to `claude` and it replaces Claude Code's own login for claude-cli
 * turns; every re-paste drops the Claude session. An unknown version counts as ≥ 2026.8.
 */
export const claudeCliRoute: Check = (f) => {
  const r = f.openclawJson.route;
  if (!r || r.route !== "claude-cli") return [];
  const v = f.version ? parseOpenClawVersion(f.version.version) : undefined;
  const forwards = !v || v[0] > 2026 || (v[0] === 2026 && v[1] >= 8);
  const on = f.version ? `OpenClaw ${f.version.version}` : "OpenClaw (version unknown)";
  const tokenProfiles = f.agents.flatMap((a) =>
    [...a.stores, ...(a.sqliteStore ? [a.sqliteStore] : [])].flatMap((st) =>
      st.profiles
        .filter((p) => (p.provider === "anthropic" || p.id.startsWith("anthropic:")) && (p.type === "token" || p.type === "oauth") && (p.hasToken || p.hasAccess))
        .map((p) => `${p.id} (agent ${a.id}, ${st.path})`),
    ),
  );
  if (forwards && tokenProfiles.length > 0) {
    return [
      {
        id: "claude-cli-route",
        level: "error",
        message: `${r.model ?? "the default model"} runs through the Claude CLI on ${on}, which forwards a saved anthropic token profile to claude, where it replaces Claude Code's own login (and every re-paste drops the Claude session): ${[...new Set(tokenProfiles)].join("; ")}`,
        fix: "if this tool pasted it: openclaw-oauth-sync sync --remove-route-profile; otherwise: openclaw models auth logout <profile id>. On this route Claude Code's own login is used and this tool keeps it alive and alerts",
      },
    ];
  }
  return [
    {
      id: "claude-cli-route",
      level: "info",
      message: `${r.model ?? "the default model"} runs through the Claude CLI on ${on}: OpenClaw uses Claude Code's own login; this tool keeps it alive, alerts, and ${forwards ? "writes no token profile there (it would shadow that login)" : "its targets are unused there"}`,
      fix: "",
    },
  ];
};

/** §2.4: .env is read once at start; a reload that does not restart never applies it. */
export const envTargetReload: Check = (f) => {
  const out: Finding[] = [];
  const action = f.config.reload.action;
  const onlyRoute = !f.config.targets.some((t) => t.kind === "auth-store");
  for (const t of f.config.targets) {
    if (t.kind !== "env") continue;
    const needs = t.consumer === "compose-project" ? ["container-recreate"] : f.config.openclawMode === "docker" ? ["gateway-restart", "container-recreate"] : ["gateway-restart"];
    if (needs.includes(action)) continue;
    if (action === "command") {
      out.push({ id: "env-target-reload", level: "info", message: `env target ${t.path ?? "(global .env)"}: reload.action is a custom command; it must ${needs.includes("gateway-restart") ? "restart the gateway" : "re-create the container"} for ${t.key} to take effect`, fix: "" });
      continue;
    }
    const what = t.consumer === "compose-project" ? "the Compose project's .env is read when the container is created" : "OpenClaw reads its .env once at gateway start";
    out.push({
      id: "env-target-reload",
      level: onlyRoute ? "error" : "warn",
      message: `env target (${t.consumer}) writes ${t.key}, but reload.action "${action}" does not apply it: ${what}${onlyRoute ? "; it is the only target, so the gateway keeps the old token" : ""}`,
      fix: `set reload.action to "${needs[needs.length - 1]}"${t.consumer === "compose-project" ? " (with reload.composeDir)" : ""}, or add an auth-store target`,
    });
  }
  return out;
};

/** The notify secrets file must be root-owned 0600 (the notify module refuses it otherwise). */
export const notifySetup: Check = (f) => {
  if (f.notify.secretsProblem) {
    return [{ id: "notify", level: "error", message: f.notify.secretsProblem, fix: "fix the secrets file as the message says; until then no alert is sent" }];
  }
  if (f.notify.channels === 0) {
    return [{ id: "notify", level: "info", message: "no notification channels configured: alerts go to the journal only", fix: "" }];
  }
  return [];
};

/**
 * issue 18: every agent OpenClaw knows of (its agents dir, or openclaw.json's agents.list /
 * agents.entries with an agentDir anywhere) gets our token only if an auth-store target covers it.
 * Without an auth-store target the host uses another route (.env), which reaches every agent.
 */
export const agentsCovered: Check = (f) => {
  const cov = f.agentCoverage;
  if (!cov || !f.config.targets.some((t) => t.kind === "auth-store")) return [];
  const out: Finding[] = [];
  for (const a of cov.agents) {
    if (a.covered) continue;
    out.push({
      id: "agent-not-covered",
      level: a.exists ? "error" : "warn",
      message: `agent "${a.id}" (${a.dir}, from ${a.source}) is covered by no auth-store target${a.exists ? ": OpenClaw keeps sending its old token for this agent" : "; its dir does not exist yet"}`,
      fix: `add "${a.id}" to the auth-store target's agents, or set agents to "all" (which follows openclaw.json's agents)`,
    });
  }
  for (const p of cov.problems) {
    out.push({ id: "agent-not-covered", level: "warn", message: `openclaw.json: ${p}`, fix: "make the agentDir absolute, or add the host path to the auth-store target's agentDirs" });
  }
  return out;
};

export const CHECKS: readonly Check[] = [
  agentsCovered,
  customAnthropicProvider,
  oauthKeyInsteadOfAccess,
  authModeMismatch,
  retiredJsonNextToSqlite,
  credentialsPath,
  bypassEnv,
  claudeCli,
  clockSync,
  claudeCliProfileId,
  claudeCliRoute,
  envTargetReload,
  notifySetup,
];

export function runChecks(f: DoctorFacts, checks: readonly Check[] = CHECKS): Finding[] {
  return checks.flatMap((c) => c(f));
}

/** 1 when any finding is an error, else 0. */
export function doctorExitCode(findings: readonly Finding[]): 0 | 1 {
  return findings.some((x) => x.level === "error") ? 1 : 0;
}

export function formatFinding(x: Finding): string {
  const tag = x.level === "error" ? "ERROR" : x.level === "warn" ? "WARN " : "info ";
  return `${tag} [${x.id}] ${x.message}${x.fix ? ` — fix: ${x.fix}` : ""}`;
}
