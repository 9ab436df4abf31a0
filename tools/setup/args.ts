/**
 * `setup`'s command line (pure): flags → SetupOptions. Every flag is also a prompt default in
 * interactive mode, so scripts and humans end in the same place.
 */
import { parseArgs, positiveInt, renderFlagHelp, UsageError, type FlagSpecs } from "../cli/args";
import { STACK_NAME_RE } from "../cli/pulumi";
import type { SetupChoices } from "./detect";
import { defaultStackName, parseTarget, type SshTarget } from "./plan";

export const SETUP_FLAGS: FlagSpecs = {
  stack: { kind: "string", value: "NAME", help: "stack to create or update (default: from the host name)" },
  user: { kind: "string", value: "USER", help: "SSH account (or user@ in the target; default: ssh config / your user)" },
  port: { kind: "string", value: "PORT", help: "SSH port (or :port in the target)" },
  "ssh-config": { kind: "string", value: "FILE", help: "extra ssh_config file to honour (stored as sshConfigFile)" },
  "ssh-key": { kind: "string", value: "FILE", help: "private key file; stored in the stack as the secret sshPrivateKey" },
  "host-key": { kind: "string", value: "KEY", help: 'pin the host key ("ssh-ed25519 AAAA…"; default: your known_hosts)' },
  "connect-timeout": { kind: "string", value: "SECONDS", help: "SSH connect timeout (sshConnectTimeoutSeconds)" },
  mode: { kind: "string", value: "host|docker", help: "where OpenClaw runs (default: detected)" },
  account: { kind: "string", value: "USER", help: "account owning OpenClaw's state dir (default: detected)" },
  "state-dir": { kind: "string", value: "DIR", help: "OpenClaw's state dir on the host (default: detected)" },
  "config-path": { kind: "string", value: "FILE", help: "openclaw.json (default: <state dir>/openclaw.json)" },
  "claude-account": { kind: "string", value: "USER", help: "account logged in to Claude Code (default: detected)" },
  "claude-credentials": { kind: "string", value: "FILE", help: "Claude's .credentials.json on the host (default: detected)" },
  "refresh-on": { kind: "string", value: "host|container", help: "where the Claude CLI runs for renewals (default: detected)" },
  "compose-project": { kind: "string", value: "NAME", help: "Compose project, when several OpenClaw containers run" },
  "node-path": { kind: "string", value: "FILE", help: "Node >= 18 on the host (default: found on the host)" },
  "remove-broken-provider": { kind: "boolean", help: "remove a custom models.providers.anthropic (restored on destroy)" },
  set: { kind: "repeat", value: "KEY=VALUE", help: "any other stack key, e.g. --set reloadAction=none" },
  "project-dir": { kind: "string", value: "DIR", help: "the Pulumi project (default: this checkout)" },
  yes: { kind: "boolean", help: "no prompts: take the detected values and write the stack" },
  "dry-run": { kind: "boolean", help: "show what would be written, write nothing" },
  help: { kind: "boolean", help: "this help" },
};

export interface SetupOptions {
  target: SshTarget;
  stack: string;
  sshConfigFile?: string | undefined;
  sshKeyFile?: string | undefined;
  sshHostKey?: string | undefined;
  connectTimeout?: number | undefined;
  choices: SetupChoices;
  configPath?: string | undefined;
  removeBrokenProvider: boolean;
  extra: Record<string, string>;
  projectDir?: string | undefined;
  yes: boolean;
  dryRun: boolean;
}

export const SETUP_USAGE = `usage: npm run setup -- <[user@]host[:port]> [options]

Connects over SSH, detects OpenClaw (native or Docker), the Claude CLI and its login, Node and
what is already installed, shows what it found and what it will configure, then creates or
updates the host's Pulumi stack. Prompts on a terminal; --yes for scripts.

${renderFlagHelp(SETUP_FLAGS)}

Exit codes: 0 written (or nothing to change), 1 failed, 2 usage, 3 not written (declined, --dry-run, or no terminal without --yes).`;

const oneOf = <T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined => {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`setup: --${flag} must be ${allowed.join(" or ")} (got "${v}")`);
  return v as T;
};

const abs = (flag: string, v: string | undefined) => {
  if (v !== undefined && !v.startsWith("/")) throw new UsageError(`setup: --${flag} must be an absolute path on the host (got "${v}")`);
  return v;
};

/** Parses setup's argv; `help: true` means print SETUP_USAGE. */
export function parseSetupArgs(argv: readonly string[]): { help: true } | { help: false; options: SetupOptions } {
  const a = parseArgs(argv, SETUP_FLAGS, "setup");
  if (a.booleans.help) return { help: true };
  if (a.positionals.length !== 1) {
    throw new UsageError(a.positionals.length === 0 ? "setup: which host? usage: npm run setup -- <[user@]host[:port]> [options]" : `setup: one host at a time (got ${a.positionals.join(", ")})`);
  }
  let target: SshTarget;
  try {
    target = parseTarget(a.positionals[0]!);
  } catch (e) {
    throw new UsageError(`setup: ${(e as Error).message}`);
  }
  const s = a.strings;
  if (s.user !== undefined) {
    if (target.user !== undefined && target.user !== s.user) throw new UsageError(`setup: --user ${s.user} contradicts ${target.user}@ in the target`);
    target = { ...target, user: s.user };
  }
  if (s.port !== undefined) {
    const port = positiveInt("setup", "port", s.port, 65535);
    if (target.port !== undefined && target.port !== port) throw new UsageError(`setup: --port ${port} contradicts :${target.port} in the target`);
    target = { ...target, port };
  }
  const stack = s.stack ?? defaultStackName(target.host);
  if (!STACK_NAME_RE.test(stack)) throw new UsageError(`setup: --stack "${stack}" is not a stack name (letters, digits, _ . -)`);
  const extra: Record<string, string> = {};
  for (const kv of a.repeats.set ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new UsageError(`setup: --set "${kv}" is not KEY=VALUE`);
    const key = kv.slice(0, eq).replace(/^openclaw-oauth-sync:/, "");
    if (key === "sshPrivateKey" || key === "notifySecrets") throw new UsageError(`setup: --set ${key}: secrets never go on the command line; use --ssh-key FILE, or pulumi config set --secret`);
    extra[key] = kv.slice(eq + 1);
  }
  return {
    help: false,
    options: {
      target,
      stack,
      sshConfigFile: s["ssh-config"],
      sshKeyFile: s["ssh-key"],
      sshHostKey: s["host-key"],
      connectTimeout: s["connect-timeout"] === undefined ? undefined : positiveInt("setup", "connect-timeout", s["connect-timeout"], 120),
      choices: {
        mode: oneOf("mode", s.mode, ["host", "docker"] as const),
        account: s.account,
        stateDir: abs("state-dir", s["state-dir"]),
        claudeAccount: s["claude-account"],
        claudeCredentials: abs("claude-credentials", s["claude-credentials"]),
        refreshOn: oneOf("refresh-on", s["refresh-on"], ["host", "container"] as const),
        composeProject: s["compose-project"],
        nodePath: abs("node-path", s["node-path"]),
      },
      configPath: abs("config-path", s["config-path"]),
      removeBrokenProvider: a.booleans["remove-broken-provider"] === true,
      extra,
      projectDir: s["project-dir"],
      yes: a.booleans.yes === true,
      dryRun: a.booleans["dry-run"] === true,
    },
  };
}

