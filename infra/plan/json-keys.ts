/**
 * The openclaw.json keys we manage (DESIGN §5): the default model, fallbacks, aliases, per-agent
 * overrides, and the removal of a custom `models.providers.anthropic`. Pure. Each value is one
 * leaf path, so keys the operator set by hand next to ours are left alone.
 */
import { parseOpenClawVersion, type Facts } from "../facts/interpret";
import type { StackConfig } from "./stack-config";

/** One managed path; no `value` = the path must be absent. (Shape of hoststate/json-keys.provider.ts JsonValue.) */
export interface JsonKeyValue {
  path: string[];
  value?: unknown;
}

export type JsonKeysPlan = { ok: true; values: JsonKeyValue[] } | { ok: false; message: string };

/**
 * The first release seen to accept agents.entries (test/compat: 2026.6.11 and older reject it as
 * an unknown key, which stops the gateway; 2026.8.1 and 2026.9.6 accept it).
 */
const AGENTS_ENTRIES_SINCE = [2026, 8, 1] as const;

function acceptsAgentsEntries(version: string | undefined): boolean {
  const v = parseOpenClawVersion(version);
  if (!v) return false;
  const n = v.year * 10_000 + v.month * 100 + v.day;
  return n >= AGENTS_ENTRIES_SINCE[0] * 10_000 + AGENTS_ENTRIES_SINCE[1] * 100 + AGENTS_ENTRIES_SINCE[2];
}

export function planJsonKeys(c: StackConfig, f: Pick<Facts, "config"> & { openclaw?: Facts["openclaw"] }): JsonKeysPlan {
  const values: JsonKeyValue[] = [];
  const m = c.model;
  if (m.primary !== undefined) values.push({ path: ["agents", "defaults", "model", "primary"], value: m.primary });
  if (m.fallbacks !== undefined) values.push({ path: ["agents", "defaults", "model", "fallbacks"], value: m.fallbacks });
  for (const ref of Object.keys(m.aliases ?? {}).sort()) {
    values.push({ path: ["agents", "defaults", "models", ref, "alias"], value: m.aliases![ref] });
  }
  const perAgent = Object.keys(m.agents ?? {}).sort();
  if (perAgent.length > 0) {
    // agents.list[] is an array: an entry is found by its id, not by a key path. Current OpenClaw
    // keys agents by id (agents.entries, docs of 2026-07), which a key path can address.
    if (f.config.parse === "json5" && f.config.agentsEntries !== "yes") {
      return {
        ok: false,
        message: `openclaw-oauth-sync:model.agents: ${f.config.path} is JSON5 (comments or trailing commas), so the program cannot tell whether it keys agents by id ("agents.entries") or lists them ("agents.list"); per-agent overrides are only written to agents.entries. Fix: remove model.agents and set the agents' models by hand.`,
      };
    }
    if (f.config.agentsEntries !== "yes" && f.config.agentsList.length > 0) {
      return {
        ok: false,
        message: `openclaw-oauth-sync:model.agents: ${f.config.path} lists agents in "agents.list" (an array); per-agent model overrides can only be managed where agents are keyed by id ("agents.entries", OpenClaw ≥ 2026.7). Fix: remove model.agents and set agents.list[].model by hand, or upgrade OpenClaw.`,
      };
    }
    // Writing agents.entries into a release that predates it would make OpenClaw reject its
    // whole config (strict schema): only where the file already has it or the release is known
    // to accept it.
    if (f.config.agentsEntries !== "yes" && !acceptsAgentsEntries(f.openclaw?.version)) {
      return {
        ok: false,
        message: `openclaw-oauth-sync:model.agents: OpenClaw ${f.openclaw?.version ?? "(version unknown)"} on this host is not known to accept "agents.entries" (seen from ${AGENTS_ENTRIES_SINCE.join(".")} on; older releases reject it and stop the gateway). Fix: remove model.agents and set the agents' models by hand, or upgrade OpenClaw.`,
      };
    }
    for (const id of perAgent) {
      const o = m.agents![id]!;
      if (o.primary !== undefined) values.push({ path: ["agents", "entries", id, "model", "primary"], value: o.primary });
      if (o.fallbacks !== undefined) values.push({ path: ["agents", "entries", id, "model", "fallbacks"], value: o.fallbacks });
    }
  }
  // A custom anthropic provider shadows the built-in one, which already works with OAuth tokens;
  // with a /v1 base URL it sends /v1/v1/messages → 404 (facts/openclaw.md §2.3). Managed as
  // "absent" for as long as the option is on, so destroy puts back exactly what was there.
  if (c.removeBrokenAnthropicProvider) values.push({ path: ["models", "providers", "anthropic"] });
  return { ok: true, values };
}
