/**
 * The program: config → facts → plans → ManagedHost → stack outputs, for the one host of a
 * one-host stack (`host`) or for every host of a many-host stack (`hosts`: one ManagedHost per
 * host, all in this one program and one dynamic-provider process; facts gathered in parallel; a
 * host that fails is reported on its own and the others go on).
 * infra/main.ts calls it with the real SSH transport; mock tests call it with injected facts.
 */
import { planEnvEntries } from "./plan/env-entries";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { HostRef } from "./contracts";
import { loadStackHosts, loadStackSecrets, PROJECT, type StackConfig, type StackSecrets } from "./config";
import { gatherFacts, sshFactsSource, type Facts, type FactsSource } from "./facts";
import { ManagedHost } from "./host";
import type { HostInput } from "./hoststate/resources";
import { loadTemplates } from "./templates";
import { planJsonKeys } from "./plan/json-keys";
import { missingSecretNames, planRuntimeConfig } from "./plan/runtime-config";
import { planRoute } from "./plan/route";
import { observedOutOfSync } from "./plan/targets";
import { resolveSettings, type HostSettings } from "./plan/settings";
import { planUnits, type Templates } from "./plan/units";
import { planWrapper } from "./plan/wrapper";

export const DEFAULT_BUNDLE = join(__dirname, "..", "dist", "runtime", "openclaw-oauth-sync.cjs");

export interface ProgramDeps {
  /** Runs the facts script on the host; default: the SSH transport. */
  factsSource?: FactsSource;
  /** The built runtime; default dist/runtime/openclaw-oauth-sync.cjs. */
  bundleSource?: string;
  templates?: Templates;
  config?: pulumi.Config;
  /**
   * Called (many-host stacks) when some hosts failed, after every other host's resources are
   * registered. Default: make the program exit non-zero once its work is done, so the operation
   * fails (and `up` never deletes what the failed hosts have) while the other hosts are done.
   */
  onHostsFailed?: (names: string[]) => void;
}

/** The SDK's exit code for "failed after logging an actionable message" (cmd/run: no extra noise). */
export const EXIT_AFTER_LOGGED_ERROR = 32;

/** Stack outputs of a many-host stack: per host, its outputs or why it failed. */
export interface FleetProgramOutputs {
  hosts: Record<string, ProgramOutputs | { host: string; error: string }>;
}

/**
 * The stack outputs. Every value is defined ("unknown" where the host cannot tell): Pulumi drops
 * an undefined output with a warning, and the next run would show it appearing as a change.
 */
export interface ProgramOutputs {
  host: string;
  openclawVersion: pulumi.Output<string>;
  storageEra: pulumi.Output<string>;
  route: pulumi.Output<string>;
  serviceUser: string;
  units: {
    watch: { enabled: pulumi.Output<string>; active: pulumi.Output<string> };
    timer: { enabled: pulumi.Output<string>; active: pulumi.Output<string> };
  };
  /** Expiry of the access token on the host (ISO 8601); never the token. */
  tokenExpiresAt: pulumi.Output<string>;
  /** The Claude login's deadline (`refreshTokenExpiresAt`, ISO 8601): re-login before it. */
  loginExpiresAt: pulumi.Output<string>;
  tokenState: pulumi.Output<string>;
  runtimeConfigSha256: string;
}

/** What the outputs say about the host's live state, from one set of facts. */
export interface HostObservation {
  openclawVersion: string;
  storageEra: string;
  route: string;
  tokenExpiresAt: string;
  loginExpiresAt: string;
  tokenState: string;
}

export function observe(facts: Facts, settings: HostSettings): HostObservation {
  const era = settings.stack.storageEra !== "auto" ? settings.stack.storageEra : facts.era;
  return {
    openclawVersion: facts.openclaw.version ?? "unknown",
    storageEra: era,
    route: planRoute({ ...settings, era }),
    tokenExpiresAt: facts.tokenExpiresAt ?? "unknown",
    loginExpiresAt: facts.loginExpiresAt ?? "unknown",
    tokenState: facts.tokenState ?? "unknown",
  };
}

function planOrFail<T>(label: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof pulumi.RunError) throw e;
    throw new pulumi.RunError(`${label}: ${(e as Error).message}`);
  }
}

/** A one-host stack's program (its outputs typed as such); a many-host stack goes through runStack. */
export async function runProgram(deps: ProgramDeps = {}): Promise<ProgramOutputs> {
  const out = await runStack(deps);
  if ("hosts" in out && !("host" in out)) throw new pulumi.RunError("runProgram: this stack lists many hosts; use runStack");
  return out as ProgramOutputs;
}

/** The program of any stack: one host (`host`) or many (`hosts`). */
export async function runStack(deps: ProgramDeps = {}): Promise<ProgramOutputs | FleetProgramOutputs> {
  const cfg = deps.config ?? new pulumi.Config(PROJECT);
  const { hosts, multi } = loadStackHosts(cfg);
  const secrets = loadStackSecrets(cfg);
  const bundleSource = deps.bundleSource ?? DEFAULT_BUNDLE;
  if (!existsSync(bundleSource)) {
    throw new pulumi.RunError(`${bundleSource} not found: the runtime is not built; run "npm run build" and try again`);
  }
  // Named after the stack (one stack per host), not the address: re-pointing `host` at a new
  // address or alias must not replace everything.
  if (!multi) return provisionHost(hosts[0]!.config, pulumi.getStack(), secrets, bundleSource, deps);

  // Many hosts: every host's facts at once (one SSH connection each), then its resources. A host
  // that fails registers nothing (so nothing of it is deleted: the operation fails at the end) and
  // is reported under its own name; the others are audited / repaired as usual.
  const results = await Promise.allSettled(hosts.map((h) => provisionHost(h.config, h.name!, secrets, bundleSource, deps)));
  const out: FleetProgramOutputs = { hosts: {} };
  const failed: string[] = [];
  results.forEach((r, i) => {
    const h = hosts[i]!;
    if (r.status === "fulfilled") {
      out.hosts[h.name!] = r.value;
      return;
    }
    const message = ((r.reason as Error)?.message ?? String(r.reason)).trim();
    failed.push(h.name!);
    out.hosts[h.name!] = { host: h.config.host, error: message.split("\n")[0]! };
    void pulumi.log.error(`${h.name}: ${message}`);
  });
  if (failed.length > 0) {
    void pulumi.log.error(`${failed.length} of ${hosts.length} hosts failed (${failed.join(", ")}); the others were processed`);
    (deps.onHostsFailed ?? (() => void (process.exitCode = EXIT_AFTER_LOGGED_ERROR)))(failed);
  }
  return out;
}

/** One host: facts → plans → ManagedHost `name` → its outputs. Throws pulumi.RunError when the host cannot be managed. */
async function provisionHost(stack: StackConfig, name: string, secrets: StackSecrets, bundleSource: string, deps: ProgramDeps): Promise<ProgramOutputs> {
  const label = stack.host;

  const ref: HostRef = {
    host: stack.host,
    ...(stack.sshPort !== undefined ? { port: stack.sshPort } : {}),
    ...(stack.sshUser !== undefined ? { user: stack.sshUser } : {}),
    ...(stack.sshHostKey !== undefined ? { hostKey: stack.sshHostKey } : {}),
    ...(stack.sshConfigFile !== undefined ? { sshConfigFile: stack.sshConfigFile } : {}),
    connectTimeoutSeconds: stack.sshConnectTimeoutSeconds,
  };
  const facts = await gatherFacts(
    secrets.sshPrivateKeyText !== undefined ? { ...ref, privateKey: secrets.sshPrivateKeyText } : ref,
    stack,
    deps.factsSource ?? sshFactsSource,
  );

  const hasSecrets = secrets.notifySecrets !== undefined;
  const missing = missingSecretNames(stack.notify.channels, secrets.notifySecretNames);
  if (missing.length > 0) {
    throw new pulumi.RunError(
      `${PROJECT}:notify: channels reference secrets that notifySecrets does not hold: ${missing.join(", ")}; fix: pulumi config set --secret --path 'notifySecrets.${missing[0]}' <secret>`,
    );
  }
  const settings = resolveSettings(stack, facts, { hasSecrets });
  if (hasSecrets && settings.serviceUser.name !== "root") {
    throw new pulumi.RunError(
      `${PROJECT}:serviceUser: "${settings.serviceUser.name}" cannot read the notification secrets file (the runtime accepts it only owned by root, mode 0600); fix: pulumi config set serviceUser auto (or root)`,
    );
  }
  const jsonPlan = planJsonKeys(stack, facts);
  if (!jsonPlan.ok) throw new pulumi.RunError(jsonPlan.message);
  if (jsonPlan.values.length > 0 && facts.config.kind !== "file") {
    throw new pulumi.RunError(
      `${label}: ${facts.config.path} ${facts.config.kind === "missing" ? "does not exist" : `is a ${facts.config.kind}`}, but model / removeBrokenAnthropicProvider manage keys in it; fix: set configPath to OpenClaw's config file, or run OpenClaw's onboarding once so it exists`,
    );
  }
  const runtimeConfig = planOrFail(`${label}: runtime config`, () => planRuntimeConfig(settings));
  const units = planOrFail(`${label}: systemd units`, () => planUnits(settings, deps.templates ?? loadTemplates()));
  const wrapper = planWrapper(settings);
  const secretsContent = secrets.notifySecrets?.apply((o) => `${JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`);

  const hostInput: HostInput = { ...ref, ...(secrets.sshPrivateKey ? { privateKey: secrets.sshPrivateKey } : {}) };
  const managed = new ManagedHost(name, {
    host: hostInput,
    settings,
    bundleSource,
    wrapper,
    runtimeConfig,
    secretsContent: secretsContent ? pulumi.secret(secretsContent) : undefined,
    units,
    jsonKeys: jsonPlan.values,
    envEntries: planEnvEntries(settings),
    targetsOutOfSync: observedOutOfSync(facts.targetsOutOfSync),
  });

  // A preview reports the host as it is (the facts above). An update reports it as the update
  // left it: the facts were read before anything changed, and a first install changes what they
  // describe (no runtime yet → no token expiry; no auth store yet → era "unknown"). Reporting those
  // made the first `up` end in "Undefined value … will not show as a stack output" warnings and the
  // next preview show the outputs changing although nothing on the host had. So once the update's
  // resources are in place, the same facts script runs again (one more round trip on the open
  // connection; only in updates).
  const before = observe(facts, settings);
  const live: pulumi.Output<HostObservation> = pulumi.runtime.isDryRun()
    ? pulumi.output(before)
    : managed.settled.apply(async () => {
        try {
          const after = await gatherFacts(
            secrets.sshPrivateKeyText !== undefined ? { ...ref, privateKey: secrets.sshPrivateKeyText } : ref,
            stack,
            deps.factsSource ?? sshFactsSource,
          );
          return observe(after, settings);
        } catch (e) {
          void pulumi.log.warn(`${label}: could not read the host again after the update (${(e as Error).message}); the outputs describe it as it was before`);
          return before;
        }
      });

  return {
    host: stack.host,
    openclawVersion: live.openclawVersion,
    storageEra: live.storageEra,
    route: live.route,
    serviceUser: settings.serviceUser.name,
    units: { watch: managed.watch, timer: managed.timer },
    tokenExpiresAt: live.tokenExpiresAt,
    loginExpiresAt: live.loginExpiresAt,
    tokenState: live.tokenState,
    runtimeConfigSha256: managed.runtimeConfigSha256,
  };
}
