/** Shared fixtures for planner tests: stack configs and host facts of a native and a Docker host. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseStackConfig, type StackConfig } from "../../../infra/plan/stack-config";
import { interpretFacts, type Facts } from "../../../infra/facts/interpret";
import { resolveSettings, type HostSettings } from "../../../infra/plan/settings";

export const FACTS_DIR = join(__dirname, "..", "..", "fixtures", "facts");

/** What `pulumi config get <key>` prints for a value set in Pulumi.<stack>.yaml. */
export function configReader(values: Record<string, unknown>): (key: string) => string | undefined {
  return (key) => {
    const v = values[key];
    if (v === undefined) return undefined;
    return typeof v === "string" ? v : JSON.stringify(v);
  };
}

export function stack(values: Record<string, unknown>): StackConfig {
  const r = parseStackConfig(configReader(values), Object.keys(values));
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

export function factsText(name: string): string {
  return readFileSync(join(FACTS_DIR, `${name}.txt`), "utf8");
}

export function facts(name: string): Facts {
  const r = interpretFacts(factsText(name), "test-host");
  if (!r.ok) throw new Error(r.message);
  return r.facts;
}

export const NATIVE_STACK = {
  host: "gw1.example.net",
  account: "claw",
  model: { primary: "anthropic/claude-sonnet-4-6", fallbacks: ["anthropic/claude-opus-4-6"], aliases: { "anthropic/claude-sonnet-4-6": "sonnet" } },
};

export const DOCKER_STACK = {
  host: "gw2",
  mode: "docker",
  dockerComposeProject: "openclaw",
  dockerComposeDir: "/home/admin/openclaw",
  reloadAction: "secrets-reload",
  targets: ["auth-store", { kind: "env", consumer: "openclaw-global" }],
  notify: { channels: [{ type: "ntfy", topicSecret: "ntfy_topic" }, { type: "slack", urlSecret: "slack_url" }] },
  removeBrokenAnthropicProvider: true,
  model: { primary: "anthropic/claude-sonnet-4-6", agents: { main: { primary: "anthropic/claude-opus-4-6" } } },
};

export function nativeSettings(overrides: Record<string, unknown> = {}): HostSettings {
  return resolveSettings(stack({ ...NATIVE_STACK, ...overrides }), facts("native-debian12"), { hasSecrets: false });
}

export function dockerSettings(overrides: Record<string, unknown> = {}): HostSettings {
  return resolveSettings(stack({ ...DOCKER_STACK, ...overrides }), facts("docker-sqlite"), { hasSecrets: true });
}
