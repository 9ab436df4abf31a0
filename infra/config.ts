/**
 * Stack config: the one module that reads `pulumi.Config`. One stack per host.
 *
 * Every key lives in the `openclaw-oauth-sync:` namespace, is validated here with zod, and is
 * documented (default + example) in docs/stack-config.md — a test keeps the two in
 * step. Typed keys with a default are also declared in Pulumi.yaml. Secrets (`sshPrivateKey`,
 * `notifySecrets`) never enter the zod object: they stay `Output`s (see `loadStackSecrets`).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { parseStackConfig, PROJECT, stackDeprecations, type StackConfig, type StackHost } from "./plan/stack-config";

export type { StackHost } from "./plan/stack-config";
export { StackConfigSchema, STACK_KEYS, SECRET_KEYS, PROJECT, type StackConfig } from "./plan/stack-config";

/**
 * Loads and validates the stack config; throws `pulumi.RunError` (no stack trace) naming each bad
 * key, its value and the fix.
 */
export function loadStackConfig(cfg: pulumi.Config = new pulumi.Config(PROJECT)): StackConfig {
  return loadStackHosts(cfg).hosts[0]!.config;
}

/**
 * The stack's hosts: one (a stack with `host`, `multi` false, exactly as before `hosts` existed)
 * or many (`hosts`: each entry's keys over the top-level ones). Throws `pulumi.RunError` like
 * loadStackConfig; deprecation warnings are given once per distinct warning.
 */
export function loadStackHosts(cfg: pulumi.Config = new pulumi.Config(PROJECT)): { hosts: StackHost[]; multi: boolean } {
  // Every key set in this project's namespace, so that a misspelt key is reported, not ignored.
  const present = Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(`${PROJECT}:`))
    .map((k) => k.slice(PROJECT.length + 1));
  const r = parseStackConfig((key) => cfg.get(key), present);
  if (!r.ok) throw new pulumi.RunError(r.message);
  for (const w of new Set(r.hosts.flatMap((h) => stackDeprecations(h.config)))) void pulumi.log.warn(w);
  return { hosts: r.hosts, multi: r.multi };
}

/** The secrets of a stack, as secret Outputs (or undefined when not set). */
export interface StackSecrets {
  /** SSH private key text; undefined → ssh agent / ~/.ssh/config decide. */
  sshPrivateKey: pulumi.Output<string> | undefined;
  /**
   * The same key as plain text, only for the in-process SSH transport that gathers facts.
   * Never a resource input, never logged.
   */
  sshPrivateKeyText: string | undefined;
  /** Notification channel secrets `{ name: secret }` (content of the 0600 secrets file). */
  notifySecrets: pulumi.Output<Record<string, string>> | undefined;
  /** Only the key names of notifySecrets (not secret), to check channel references at preview. */
  notifySecretNames: string[];
}

export function loadStackSecrets(cfg: pulumi.Config = new pulumi.Config(PROJECT)): StackSecrets {
  const sshPrivateKey = cfg.getSecret("sshPrivateKey");
  // Checked before getSecretObject: on bad JSON the SDK's own error quotes the (secret) value.
  // The names are read in plaintext (getObject does not unwrap secretness into an error), only to
  // check that every channel's secret reference exists; the values are never looked at here.
  let names: string[] = [];
  const rawText = cfg.get("notifySecrets");
  if (rawText !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawText);
    } catch {
      throw new pulumi.RunError(
        `${PROJECT}:notifySecrets: not a JSON object (value hidden: it is a secret); fix: pulumi config set --secret --path 'notifySecrets.<name>' <secret>`,
      );
    }
    const r = z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.string().min(1)).safeParse(parsed, { reportInput: false });
    if (!r.success) {
      throw new pulumi.RunError(
        `${PROJECT}:notifySecrets: must be an object of name → non-empty string (names: letters, digits, _ . -) (value hidden: it is a secret); fix: pulumi config set --secret --path 'notifySecrets.<name>' <secret>`,
      );
    }
    names = Object.keys(r.data);
  }
  const notifySecrets = rawText === undefined ? undefined : cfg.getSecretObject<Record<string, string>>("notifySecrets");
  return { sshPrivateKey, sshPrivateKeyText: cfg.get("sshPrivateKey"), notifySecrets, notifySecretNames: names };
}
