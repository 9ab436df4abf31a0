/**
 * The runtime config file the program installs (/etc/openclaw-oauth-sync/config.json). Pure.
 * It is validated with the runtime's own `ConfigSchema` before it is shipped (one source of
 * truth, NixOS's "validate at build time"): a config the runtime would refuse fails `pulumi
 * preview`, not the host. It never holds a secret: channel secrets are only referenced by name
 * and live in the separate secrets file (planSecretsFile).
 */
import { ConfigSchema, type Config } from "../../runtime/src/contract/schema";
import { formatIssues } from "../../runtime/src/contract/format-issues";
import { secretRefs } from "../../runtime/src/contract/notify";
import type { Target } from "../../runtime/src/contract/targets";
import type { HostSettings } from "./settings";
import { sha256, sortedKeys } from "./hash";

export interface RuntimeConfigPlan {
  /** The parsed (defaults filled) config, for planners that need a value from it. */
  config: Config;
  /** File content: stable key order, 2-space JSON, trailing newline. */
  content: string;
  sha256: string;
}

function targetsOf(s: HostSettings): unknown[] {
  const c = s.stack;
  return c.targets.map((t): unknown => {
    if (typeof t !== "string") return t;
    switch (t) {
      case "auth-store":
        return { kind: "auth-store", agents: c.agents, profileId: c.profileId, profileType: c.profileType, era: c.storageEra };
      case "oauth-json":
        return { kind: "oauth-json" };
      case "env":
        return { kind: "env" };
    }
  });
}

/** The runtime config object before validation (exported for tests). */
export function runtimeConfigInput(s: HostSettings): Record<string, unknown> {
  const c = s.stack;
  const openclaw: Record<string, unknown> = {
    stateDir: s.openclawStateDir,
    configPath: s.configPath,
    mode: c.mode,
  };
  if (c.mode === "docker") {
    openclaw.docker = {
      ...(c.dockerContainer ? { container: c.dockerContainer } : {}),
      composeService: c.dockerComposeService,
      ...(c.dockerComposeProject ? { composeProject: c.dockerComposeProject } : {}),
      user: c.dockerUser,
    };
  }
  if (c.openclawCli) openclaw.cli = c.openclawCli;
  if (s.openclawVersion) openclaw.version = s.openclawVersion;
  const notify: Record<string, unknown> = { ...c.notify };
  if (s.hasSecrets) notify.secretsFile = s.paths.secretsFile;
  return {
    claudeCredentials: s.claudeCredentials,
    stateDir: s.paths.syncStateDir,
    openclaw,
    ...(s.fileOwner ? { owner: s.fileOwner } : {}),
    targets: targetsOf(s),
    reload: {
      action: c.reloadAction,
      ...(c.reloadCommand ? { command: c.reloadCommand } : {}),
      ...(c.dockerComposeDir ? { composeDir: c.dockerComposeDir } : {}),
    },
    refresh: {
      on: c.refreshOn,
      method: c.refreshMethod,
      ...(c.refreshBaseUrlOverride ? { baseUrlOverride: c.refreshBaseUrlOverride } : {}),
      ...(c.claudeCli ? { cli: c.claudeCli } : {}),
      ...(c.claudeCommand && !c.claudeCli ? { command: c.claudeCommand } : {}),
      ...(c.refreshMaxWaitMinutes !== undefined ? { maxWaitMinutes: c.refreshMaxWaitMinutes } : {}),
      ...(c.refreshMaxRunMinutes !== undefined ? { maxRunMinutes: c.refreshMaxRunMinutes } : {}),
      ...(c.refreshRenewBeforeExpiry !== undefined ? { renewBeforeExpiry: c.refreshRenewBeforeExpiry } : {}),
      ...(c.loginWarnDays !== undefined ? { loginWarnDays: c.loginWarnDays } : {}),
    },
    notify,
  };
}


/**
 * Builds and validates the runtime config. Throws an Error naming each bad key of the runtime
 * config (the caller turns it into a RunError naming the stack keys involved).
 */
export function planRuntimeConfig(s: HostSettings): RuntimeConfigPlan {
  const input = runtimeConfigInput(s);
  const r = ConfigSchema.safeParse(input, { reportInput: false });
  if (!r.success) {
    throw new Error(`the runtime config built from the stack config is not valid for the runtime:\n${formatIssues(r.error)}`);
  }
  const needed = r.data.notify.channels.flatMap((ch) => secretRefs(ch));
  if (needed.length > 0 && !s.hasSecrets) {
    throw new Error(
      `notify.channels use secrets (${[...new Set(needed)].join(", ")}) but notifySecrets is not set; fix: pulumi config set --secret --path 'notifySecrets.${needed[0]}' <secret>`,
    );
  }
  // Ship the input (what the operator asked for), not the parsed object: the runtime fills its
  // own defaults, so a runtime upgrade that changes a default does not show as drift here.
  const content = `${JSON.stringify(sortedKeys(input), null, 2)}\n`;
  return { config: r.data, content, sha256: sha256(content) };
}

/** Names of the secrets the channels reference that are missing from notifySecrets. */
export function missingSecretNames(channels: Config["notify"]["channels"], present: readonly string[]): string[] {
  const have = new Set(present);
  return [...new Set(channels.flatMap((ch) => secretRefs(ch)))].filter((n) => !have.has(n));
}

export type { Target };
