/**
 * Pure: the `.env` entries the program keeps in OpenClaw's .env (stack key `openclawEnv`): which
 * file, what to set, what must be absent, and who owns the file if it has to be created.
 */
import { posix } from "node:path";
import type { HostSettings } from "./settings";

export interface EnvEntriesPlan {
  path: string;
  set: Record<string, string>;
  absent: string[];
  /** Names for a file the runtime creates (host mode: OpenClaw's account); an existing file keeps its owner. */
  owner?: { owner: string; group: string };
}

export function planEnvEntries(s: HostSettings): EnvEntriesPlan | undefined {
  const e = s.stack.openclawEnv;
  if (!e || (Object.keys(e.set).length === 0 && e.remove.length === 0)) return undefined;
  const dir = e.file === "compose-project" ? s.stack.dockerComposeDir! : s.openclawStateDir;
  const plan: EnvEntriesPlan = { path: posix.join(dir, ".env"), set: e.set, absent: e.remove };
  if (s.stack.mode === "host") plan.owner = { owner: s.account.name, group: String(s.account.gid ?? s.account.name) };
  return plan;
}
