/**
 * The agents OpenClaw knows from its config (facts/openclaw.md §2.1, §2.3): `agents.list[]`
 * (`{id, agentDir?}`, documented until mid 2026) and `agents.entries` (a map keyed by agent id,
 * from the 2026-07 docs). An agent with its own `agentDir` keeps its store there, not under
 * `<stateDir>/agents/<id>/agent`, so the default auth-store target must find it here (issue 18).
 * `readDeclaredAgents` reads openclaw.json (JSON5, read only); the pure parser is
 * contract/declared-agents.ts.
 */
import { homedir } from "node:os";
import JSON5 from "json5";
import type { Config } from "../contract/schema";
import { readTextIfExists } from "../fsx/atomic";
import { homeOf, resolveOwner } from "./owner";
import { CONTAINER_HOME, parseDeclaredAgents, type DeclaredAgents } from "../contract/declared-agents";
import { openclawConfigPath } from "./paths";

export { parseDeclaredAgents, type DeclaredAgent, type DeclaredAgents } from "../contract/declared-agents";

/** The agents declared in this host's openclaw.json; none when it is absent or does not parse (doctor reports that). */
export async function readDeclaredAgents(config: Pick<Config, "openclaw" | "owner">): Promise<DeclaredAgents> {
  const path = openclawConfigPath(config.openclaw.stateDir, config.openclaw.configPath);
  let text: string | undefined;
  try {
    text = await readTextIfExists(path);
  } catch (e) {
    return { agents: [], problems: [`${path}: cannot read (${(e as Error).message})`] };
  }
  if (text === undefined) return { agents: [], problems: [] };
  let doc: unknown;
  try {
    doc = JSON5.parse(text);
  } catch {
    return { agents: [], problems: [] };
  }
  if (config.openclaw.mode === "docker") {
    // The official image: HOME=/home/node, state dir /home/node/.openclaw (facts/openclaw.md §2.2).
    return parseDeclaredAgents(doc, config.openclaw.stateDir, CONTAINER_HOME, `${CONTAINER_HOME}/.openclaw`);
  }
  const owner = await resolveOwner(config).catch(() => undefined);
  const home = owner ? ((await homeOf(owner.uid)) ?? (owner.uid === process.getuid?.() ? homedir() : undefined)) : homedir();
  return parseDeclaredAgents(doc, config.openclaw.stateDir, home);
}
