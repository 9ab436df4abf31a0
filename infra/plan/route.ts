/** One line that says how the credential reaches OpenClaw on this host (a stack output). Pure. */
import type { HostSettings } from "./settings";

const ERA_ROUTE: Record<string, string> = {
  sqlite: "sqlite store via `openclaw models auth paste-token`",
  "json-split": "auth-profiles.json + auth-state.json",
  json: "auth-profiles.json",
  unknown: "store format detected per agent at sync time",
};

export function planRoute(s: HostSettings): string {
  const where = s.stack.mode === "docker" ? "docker" : "host";
  const parts = s.stack.targets.map((t) => {
    const kind = typeof t === "string" ? t : t.kind;
    if (kind === "auth-store") return `auth-store (${ERA_ROUTE[s.era] ?? s.era})`;
    if (kind === "oauth-json") return "credentials/oauth.json";
    return ".env (ANTHROPIC_OAUTH_TOKEN fallback)";
  });
  return `${where}: ${parts.join(" + ")}; reload: ${s.stack.reloadAction}`;
}
