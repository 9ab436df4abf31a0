/**
 * Pure: which way OpenClaw reaches Anthropic (DESIGN §4, last paragraph):
 *  - "direct": `anthropic/*` models through the Messages API with the token we copy into targets;
 *  - "claude-cli": OpenClaw runs `claude -p` itself (`agentRuntime.id: "claude-cli"` on the model,
 *    or a legacy `claude-cli/*` model ref, facts/openclaw.md §3.5): our targets are unused there,
 *    the product is keep-alive + alerts;
 *  - "other": the default model is not Anthropic's; "unknown": openclaw.json unreadable.
 */
export type Route = "direct" | "claude-cli" | "other" | "unknown";

export interface RouteInfo {
  route: Route;
  /** agents.defaults.model (primary), if set. */
  model?: string;
  detail: string;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function primaryModel(openclawJson: unknown): string | undefined {
  const m = obj(obj(obj(openclawJson)?.agents)?.defaults)?.model;
  if (typeof m === "string") return m;
  const p = obj(m)?.primary;
  return typeof p === "string" ? p : undefined;
}

function runtimeOf(openclawJson: unknown, model: string): string | undefined {
  const entry = obj(obj(obj(obj(openclawJson)?.agents)?.defaults)?.models)?.[model];
  const id = obj(obj(entry)?.agentRuntime)?.id;
  return typeof id === "string" ? id : undefined;
}

export function inferRoute(openclawJson: unknown): RouteInfo {
  const model = primaryModel(openclawJson);
  if (!model) {
    return { route: "other", detail: "agents.defaults.model is not set: OpenClaw's built-in default model is used (not Anthropic's in recent releases)" };
  }
  if (model.startsWith("claude-cli/")) {
    return { route: "claude-cli", model, detail: `${model}: OpenClaw runs the Claude CLI, which uses its own login (keep-alive and alerts matter; targets are unused)` };
  }
  const rt = runtimeOf(openclawJson, model);
  if (rt === "claude-cli") {
    return { route: "claude-cli", model, detail: `${model} with agentRuntime "claude-cli": OpenClaw runs the Claude CLI, which uses its own login (keep-alive and alerts matter; targets are unused)` };
  }
  if (model.startsWith("anthropic/")) {
    return { route: "direct", model, detail: `${model} through the Anthropic API with the token our targets hold` };
  }
  return { route: "other", model, detail: `${model} is not an Anthropic model: the synced token is used only by agents or fallbacks that name anthropic/*` };
}
