/**
 * The agents OpenClaw knows from its config (facts/openclaw.md §2.1, §2.3): `agents.list[]`
 * (`{id, agentDir?}`, documented until mid 2026) and `agents.entries` (a map keyed by agent id,
 * from the 2026-07 docs). An agent with its own `agentDir` keeps its store there, not under
 * `<stateDir>/agents/<id>/agent`. Pure: the runtime (openclaw/agents.ts, which reads the file) and
 * the program (the units' writable paths) resolve them with this one function.
 */
import { isAbsolute, join } from "node:path";

/** OpenClaw's default agent dir (runtime/src/openclaw/paths.ts re-exports it). */
export function defaultAgentDir(stateDir: string, agentId: string): string {
  return join(stateDir, "agents", agentId, "agent");
}

export interface DeclaredAgent {
  id: string;
  /** The agent dir OpenClaw uses: agentDir resolved, or <stateDir>/agents/<id>/agent. */
  agentDir: string;
  /** agentDir was set in openclaw.json (not the default). */
  custom: boolean;
  /** Where it is declared, e.g. `agents.list[1]`. */
  source: string;
}

export interface DeclaredAgents {
  agents: DeclaredAgent[];
  /** Declarations we could not resolve (relative agentDir, unreadable file): for doctor. */
  problems: string[];
}

const ID = /^[A-Za-z0-9_.-]+$/;
/** HOME of the official image's `node` user (facts/openclaw.md §2.2). */
export const CONTAINER_HOME = "/home/node";
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Pure: the agents declared in a parsed openclaw.json. `~` in agentDir is the OpenClaw account's
 * home (OpenClaw's resolveUserPath); a relative agentDir depends on the gateway's working dir,
 * which we cannot know: reported as a problem.
 */
export function parseDeclaredAgents(doc: unknown, stateDir: string, home: string | undefined, containerStateDir?: string): DeclaredAgents {
  const out: DeclaredAgents = { agents: [], problems: [] };
  const agents = isObj(doc) ? doc.agents : undefined;
  if (!isObj(agents)) return out;
  const add = (id: unknown, entry: Record<string, unknown>, source: string) => {
    if (typeof id !== "string" || !ID.test(id)) return;
    const raw = typeof entry.agentDir === "string" ? entry.agentDir.trim() : "";
    let dir: string | undefined;
    if (raw === "") dir = undefined;
    else if (raw === "~" || raw.startsWith("~/")) {
      if (home) dir = join(home, raw.slice(1));
      else out.problems.push(`${source}.agentDir "${raw}": the OpenClaw account's home is unknown`);
    } else if (isAbsolute(raw)) dir = raw;
    else out.problems.push(`${source}.agentDir "${raw}" is relative (to the gateway's working dir): give an absolute path there, or list it in the target's agentDirs`);
    if (dir !== undefined && containerStateDir !== undefined) {
      // Docker mode: the path is the container's; only the bind-mounted state dir maps to the host.
      const rel = dir === containerStateDir ? "" : dir.startsWith(containerStateDir + "/") ? dir.slice(containerStateDir.length + 1) : undefined;
      if (rel === undefined) {
        out.problems.push(`${source}.agentDir "${raw}" lies outside the container's ${containerStateDir}: list its host path in the target's agentDirs`);
        return;
      }
      dir = rel === "" ? stateDir : join(stateDir, rel);
    }
    if (raw !== "" && dir === undefined) return;
    if (out.agents.some((a) => a.id === id)) return;
    out.agents.push({ id, agentDir: dir ?? defaultAgentDir(stateDir, id), custom: dir !== undefined, source });
  };
  if (Array.isArray(agents.list)) agents.list.forEach((e, i) => isObj(e) && add(e.id, e, `agents.list[${i}]`));
  if (isObj(agents.entries)) for (const [id, e] of Object.entries(agents.entries)) if (isObj(e)) add(id, e, `agents.entries.${id}`);
  return out;
}

