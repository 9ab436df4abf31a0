/**
 * The auth-store target (DESIGN §4): per agent dir, the JSON store under OpenClaw's lock, or
 * `openclaw models auth paste-token` for the SQLite era.
 */
import { promises as fsp } from "node:fs";
import type { AuthStoreTarget } from "../../contract/targets";
import { errnoCode } from "../../errors";
import { readTextIfExists, writeFileAtomic } from "../../fsx/atomic";
import type { DeclaredAgent } from "../../openclaw/agents";
import { withOpenClawLock } from "../../openclaw/lock";
import { decideEra, gatherEraFacts, type EraDecision } from "../../openclaw/era";
import { describeCliFailure, runOpenClawCli } from "../../openclaw/cli";
import { agentIdFromDir, agentsRoot, authProfilesPath, authStatePath, defaultAgentDir, lockPathFor, sharedSqlitePath } from "../../openclaw/paths";
import { scrubText } from "../../redact";
import JSON5 from "json5";
import { inferRoute } from "../../status/route";
import { parseOpenClawVersion } from "../../contract/era";
import { readSqliteAuthStore } from "../../openclaw/sqlite-store";
import { tokenHash } from "../state";
import { openclawConfigPath } from "../../openclaw/paths";
import { planAuthJson } from "../plan/auth-json";
import { planPaste } from "../plan/paste";
import type { TargetResult } from "../types";
import { failure, isDir, newFileOwnership, type RunContext } from "../context";

export interface AgentRef {
  /** "auth-store:<id>" or "auth-store:<dir>" when the id is unknown. */
  label: string;
  agentDir: string;
  agentId?: string | undefined;
}

/**
 * The agent dirs a target covers. "all": every `<stateDir>/agents/<id>/agent` that exists
 * (with or without a store in it), and every agent openclaw.json declares with its own agentDir
 * (`agents.list[]` / `agents.entries`) whose dir exists; plus configured agentDirs. A listed id
 * that openclaw.json gives its own agentDir is synced there.
 */
export async function listAgents(stateDir: string, target: AuthStoreTarget, declared: readonly DeclaredAgent[] = []): Promise<AgentRef[]> {
  const refs: AgentRef[] = [];
  const custom = new Map(declared.filter((a) => a.custom).map((a) => [a.id, a.agentDir]));
  if (target.agents === "all") {
    let names: string[] = [];
    try {
      names = (await fsp.readdir(agentsRoot(stateDir))).sort();
    } catch (e) {
      if (errnoCode(e) !== "ENOENT" && errnoCode(e) !== "ENOTDIR") throw e;
    }
    for (const id of names) {
      const dir = defaultAgentDir(stateDir, id);
      if (/^[A-Za-z0-9_.-]+$/.test(id) && !custom.has(id) && (await isDir(dir))) refs.push({ label: `auth-store:${id}`, agentDir: dir, agentId: id });
    }
    for (const [id, dir] of custom) {
      if (!refs.some((r) => r.agentDir === dir) && (await isDir(dir))) refs.push({ label: `auth-store:${id}`, agentDir: dir, agentId: id });
    }
  } else {
    for (const id of target.agents) refs.push({ label: `auth-store:${id}`, agentDir: custom.get(id) ?? defaultAgentDir(stateDir, id), agentId: id });
  }
  for (const dir of target.agentDirs) {
    if (refs.some((r) => r.agentDir === dir)) continue;
    const id = agentIdFromDir(dir);
    refs.push({ label: `auth-store:${id ?? dir}`, agentDir: dir, agentId: id });
  }
  return refs;
}

/**
 * listAgents, plus the SQLite-era fallback: 2026.9.6 creates no agent dir, only the shared
 * database (facts §7), and its CLI still reaches "main". Empty = nothing to sync into yet.
 * `sync` and `status` use the same rule, so status shows the target sync pastes into.
 */
export async function agentsToSync(stateDir: string, target: AuthStoreTarget, declared: readonly DeclaredAgent[]): Promise<AgentRef[]> {
  const agents = await listAgents(stateDir, target, declared);
  if (agents.length > 0) return agents;
  const shared = await fsp.stat(sharedSqlitePath(stateDir)).then(
    () => true,
    () => false,
  );
  return shared || target.era === "sqlite" ? [{ label: "auth-store:main", agentDir: defaultAgentDir(stateDir, "main"), agentId: "main" }] : [];
}

export async function syncAuthStore(ctx: RunContext, target: AuthStoreTarget): Promise<TargetResult[]> {
  const stateDir = ctx.config.openclaw.stateDir;
  if (!ctx.stateDirExists) {
    return [{ target: "auth-store", outcome: "refused", path: stateDir, detail: `openclaw.stateDir ${stateDir} does not exist: fix it in the config` }];
  }
  const agents = await agentsToSync(stateDir, target, ctx.declaredAgents);
  if (agents.length === 0) {
    return [
      {
        target: "auth-store",
        outcome: "refused",
        path: agentsRoot(stateDir),
        detail: `no agent dirs under ${agentsRoot(stateDir)}: start OpenClaw once (it creates agents/main/agent), or list agents/agentDirs in the target`,
      },
    ];
  }
  const out: TargetResult[] = [];
  for (const agent of agents) {
    try {
      out.push(await syncOneAgent(ctx, target, agent));
    } catch (e) {
      out.push(failure(agent.label, agent.agentDir, e, (s) => scrubText(s, [ctx.creds.accessToken, ctx.creds.refreshToken])));
    }
  }
  return out;
}

export async function agentEra(ctx: Pick<RunContext, "config" | "version">, target: AuthStoreTarget, agentDir: string): Promise<EraDecision> {
  return decideEra(await gatherEraFacts(agentDir, ctx.config.openclaw.stateDir, ctx.version), target.era);
}

async function syncOneAgent(ctx: RunContext, target: AuthStoreTarget, agent: AgentRef): Promise<TargetResult> {
  const decision = await agentEra(ctx, target, agent.agentDir);
  const base = { target: agent.label, era: decision.era };
  if (decision.era === "sqlite") return pasteToken(ctx, target, agent, decision);

  const storePath = authProfilesPath(agent.agentDir);
  if (decision.sqlitePresent) {
    return {
      ...base,
      outcome: "refused",
      path: storePath,
      detail: `era ${decision.era} is forced but this OpenClaw keeps a SQLite store here; auth-profiles.json is retired and would be ignored (or block the agent with AUTH_PROFILE_MIGRATION_REQUIRED): set the target's era to "auto" or "sqlite"`,
    };
  }
  if (!(await isDir(agent.agentDir))) {
    return {
      ...base,
      outcome: "refused",
      path: agent.agentDir,
      detail: `agent dir ${agent.agentDir} does not exist: check openclaw.stateDir and the agent id (agents/agentDirs in the target)`,
    };
  }
  const ownership = newFileOwnership(ctx);
  const lockOpts = { timeoutMs: ctx.config.lockTimeoutMs, trustPid: ctx.config.openclaw.mode !== "docker" };
  return withOpenClawLock(lockPathFor(storePath), lockOpts, async () => {
    const profilesText = await readTextIfExists(storePath);
    const statePath = authStatePath(agent.agentDir);
    const stateText = decision.era === "json-split" ? await readTextIfExists(statePath) : undefined;
    const plan = planAuthJson({ era: decision.era as "json" | "json-split", profilesText, stateText, creds: ctx.creds, target });
    const guessNote = decision.guessed ? `; ${decision.reason}` : "";
    switch (plan.action) {
      case "refuse":
        return { ...base, outcome: "refused", path: plan.file === "auth-state.json" ? statePath : storePath, detail: plan.detail };
      case "skip-newer":
        return { ...base, outcome: "skipped-newer", path: storePath, detail: plan.detail };
      case "unchanged":
        return { ...base, outcome: "unchanged", path: storePath, detail: plan.detail + guessNote };
      case "write":
        if (plan.profilesText !== undefined) await writeFileAtomic(storePath, plan.profilesText, ownership);
        if (plan.stateText !== undefined) await writeFileAtomic(statePath, plan.stateText, ownership);
        return { ...base, outcome: "written", path: storePath, detail: plan.detail + guessNote };
    }
  });
}

async function pasteToken(ctx: RunContext, target: AuthStoreTarget, agent: AgentRef, decision: EraDecision): Promise<TargetResult> {
  const base = { target: agent.label, era: "sqlite" as const, path: agent.agentDir };
  if (!agent.agentId) {
    return {
      ...base,
      outcome: "refused",
      detail: `cannot tell the agent id of ${agent.agentDir} (not shaped …/agents/<id>/agent), and paste-token needs --agent <id>: list the id under "agents" instead`,
    };
  }
  const key = `${agent.agentId}|${target.profileId}`;
  const route = await claudeCliRouteForwarding(ctx);
  if (route) return claudeCliRoute(ctx, target, agent, key, route);
  const plan = planPaste(ctx.state.pasted[key], ctx.creds, target.profileId, ctx.deps.now());
  if (plan.action === "unchanged") return { ...base, outcome: "unchanged", detail: `${plan.detail} (${decision.reason})` };
  if (plan.action === "skip-newer") return { ...base, outcome: "skipped-newer", detail: plan.detail };
  const args = ["models", "auth", "paste-token", "--provider", "anthropic", "--profile-id", target.profileId, "--expires-in", `${plan.expiresInMinutes}m`];
  if (agent.agentId !== "main") args.push("--agent", agent.agentId);
  // One OpenClaw CLI at a time: each paste-token also rewrites openclaw.json (auth.profiles).
  const timeoutSeconds = ctx.config.openclaw.cliTimeoutSeconds;
  const run = await ctx.serial(() => runOpenClawCli(ctx.config, args, { stdin: ctx.creds.accessToken, timeoutMs: timeoutSeconds * 1000 }));
  if (run.result.exitCode !== 0) {
    const why = describeCliFailure(run, [ctx.creds.accessToken, ctx.creds.refreshToken]);
    const more = run.result.timedOut
      ? ` after ${timeoutSeconds} s (openclaw.cliTimeoutSeconds; raise it on a slow host). A killed paste-token may leave ${ctx.config.openclaw.configPath ?? "openclaw.json"}.bak.N backups next to the config (OpenClaw's own, harmless, safe to delete); the next sync pastes again`
      : "";
    return { ...base, outcome: "failed", detail: `paste-token failed: ${why}${more}` };
  }
  ctx.state.pasted[key] = { hash: plan.hash, expiresAt: ctx.creds.expiresAt, at: ctx.deps.now() };
  return { ...base, outcome: "written", detail: `${plan.detail} via the OpenClaw CLI (${decision.reason})` };
}

/**
 * The claude-cli route on OpenClaw ≥ 2026.8 (facts/openclaw.md §9, openclaw#134004): a saved
 * `anthropic` token profile is handed to `claude` on fd 3 and replaces Claude Code's own login
 * for claude-cli turns, and every re-paste drops the Claude session. So on that route sync
 * pastes nothing. Returns the route's description when it applies; an unknown version counts as
 * ≥ 2026.8 (pasting there is what can hurt).
 */
export async function claudeCliRouteForwarding(ctx: Pick<RunContext, "config" | "version">): Promise<string | undefined> {
  const text = await readTextIfExists(openclawConfigPath(ctx.config.openclaw.stateDir, ctx.config.openclaw.configPath)).catch(() => undefined);
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON5.parse(text);
  } catch {
    return undefined;
  }
  const r = inferRoute(doc);
  if (r.route !== "claude-cli") return undefined;
  const v = ctx.version ? parseOpenClawVersion(ctx.version.version) : undefined;
  if (v && (v[0] < 2026 || (v[0] === 2026 && v[1] < 8))) return undefined;
  return `${r.model ?? "the default model"} runs through the Claude CLI${v ? ` on OpenClaw ${ctx.version!.version}` : ""}`;
}

async function claudeCliRoute(ctx: RunContext, target: AuthStoreTarget, agent: AgentRef, key: string, route: string): Promise<TargetResult> {
  const base = { target: agent.label, era: "sqlite" as const, path: agent.agentDir };
  const why = `${route}, which forwards a saved anthropic token profile to claude and shadows Claude Code's own login (facts §9)`;
  let held: Record<string, unknown> | undefined;
  try {
    const read = await readSqliteAuthStore(agent.agentDir, ctx.config.openclaw.stateDir);
    const p = (read?.store?.profiles as Record<string, unknown> | undefined)?.[target.profileId];
    held = typeof p === "object" && p !== null ? (p as Record<string, unknown>) : undefined;
  } catch (e) {
    return { ...base, outcome: "failed", detail: `cannot read OpenClaw's store to check for ${target.profileId}: ${scrubText((e as Error).message)}` };
  }
  if (!held) {
    delete ctx.state.pasted[key];
    return { ...base, outcome: "unchanged", detail: `no token profile written: ${why}` };
  }
  const heldToken = typeof held.token === "string" ? held.token : undefined;
  const ours = ctx.state.pasted[key] !== undefined || (heldToken !== undefined && tokenHash(heldToken) === tokenHash(ctx.creds.accessToken));
  if (!ours) {
    return {
      ...base,
      outcome: "refused",
      detail: `${target.profileId} exists but was not pasted by this tool; it shadows Claude Code's login: ${why}. Remove it yourself if unwanted: openclaw models auth logout ${target.profileId} --yes`,
    };
  }
  if (!ctx.deps.removeRouteProfile) {
    return {
      ...base,
      outcome: "refused",
      detail: `${target.profileId}, pasted by this tool earlier, shadows Claude Code's login: ${why}. Remove it with: openclaw-oauth-sync sync --remove-route-profile`,
    };
  }
  const args = ["models", "auth", "logout", target.profileId, "--yes"];
  if (agent.agentId !== "main") args.push("--agent", agent.agentId!);
  const timeoutSeconds = ctx.config.openclaw.cliTimeoutSeconds;
  const run = await ctx.serial(() => runOpenClawCli(ctx.config, args, { timeoutMs: timeoutSeconds * 1000 }));
  if (run.result.exitCode !== 0) {
    return { ...base, outcome: "failed", detail: `removing ${target.profileId} failed: ${describeCliFailure(run, [ctx.creds.accessToken, ctx.creds.refreshToken])}` };
  }
  delete ctx.state.pasted[key];
  return { ...base, outcome: "written", detail: `${target.profileId} removed (openclaw models auth logout): ${why}` };
}
