/**
 * ManagedHost: everything openclaw-oauth-sync installs on one host, as one component. Thin: the
 * decisions are made by the planners (infra/plan/*); this file only wires resources together
 * and orders them.
 *
 * Order (and therefore the reverse order of `pulumi destroy`):
 *   files (bundle, wrapper, runtime config, secrets, unit files)
 *   → JsonKeys (runs the installed runtime's edit-json, so it needs the bundle)
 *   → SystemdUnitState for the watcher and the timer (need the unit files, the bundle, the config)
 *   → HostAction: the first sync (create only).
 * On destroy, Pulumi deletes dependents first: the units are stopped and disabled, and
 * openclaw.json values restored, while the runtime and unit files are still there; then the
 * files are removed.
 */
import * as pulumi from "@pulumi/pulumi";
import { EnvEntries, HostAction, JsonKeys, RemoteFile, SystemdUnitState, TargetsInSync, type HostInput } from "./hoststate/resources";
import type { EnvEntriesPlan } from "./plan/env-entries";
import type { JsonKeyValue } from "./plan/json-keys";
import type { RuntimeConfigPlan } from "./plan/runtime-config";
import type { HostSettings } from "./plan/settings";
import { UNIT_NAMES } from "./plan/settings";
import type { UnitFile } from "./plan/units";
import { runtimeArgv } from "./plan/units";
import { shq } from "./shell";

export interface ManagedHostArgs {
  host: HostInput;
  settings: HostSettings;
  /** Local path of the built runtime (dist/runtime/openclaw-oauth-sync.cjs). */
  bundleSource: string;
  wrapper: { path: string; content: string };
  runtimeConfig: RuntimeConfigPlan;
  /** Content of the notification secrets file, a secret Output; undefined = no file. */
  secretsContent: pulumi.Output<string> | undefined;
  units: UnitFile[];
  jsonKeys: JsonKeyValue[];
  /** OpenClaw's .env entries (stack key openclawEnv); undefined = none. */
  envEntries?: EnvEntriesPlan | undefined;
  /** Targets not in sync as the facts saw them (infra/plan/targets.ts observedOutOfSync). */
  targetsOutOfSync: string[];
}

export interface UnitStateOutput {
  enabled: pulumi.Output<string>;
  active: pulumi.Output<string>;
}

/** Resource names derive from stable keys (the unit name, the file's role), never list indexes. */
export class ManagedHost extends pulumi.ComponentResource {
  readonly watch: UnitStateOutput;
  readonly timer: UnitStateOutput;
  readonly runtimeConfigSha256: string;
  /**
   * Resolves once the runtime is installed, its units are in their wanted state and the first
   * sync has run: what the host looks like after this update. The stack outputs that describe the
   * host (token expiry, storage era) are read again at that point (program.ts).
   */
  readonly settled: pulumi.Output<unknown>;

  constructor(name: string, args: ManagedHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openclaw-oauth-sync:host:ManagedHost", name, {}, opts);
    const s = args.settings;
    const host = args.host;
    const child = { parent: this };
    // Our files are fixed paths: replacing one must remove the old file before writing the new.
    const fileOpts = { ...child, deleteBeforeReplace: true };

    const bundle = new RemoteFile(`${name}-runtime-bundle`, { host, path: s.paths.bundle, sourceFile: args.bundleSource, mode: "0644" }, fileOpts);
    const wrapper = new RemoteFile(`${name}-runtime-wrapper`, { host, path: args.wrapper.path, content: args.wrapper.content, mode: "0755" }, fileOpts);
    // No secrets in it, and the service account (maybe not root) must read it.
    const config = new RemoteFile(`${name}-runtime-config`, { host, path: s.paths.configFile, content: args.runtimeConfig.content, mode: "0644" }, fileOpts);
    // The runtime accepts channel secrets only from a root-owned file closed to group and others.
    const secrets = args.secretsContent
      ? new RemoteFile(`${name}-notify-secrets`, { host, path: s.paths.secretsFile, content: args.secretsContent, mode: "0600", owner: "root", group: "root" }, fileOpts)
      : undefined;
    const unitFiles = new Map<string, RemoteFile>();
    for (const u of args.units) {
      unitFiles.set(u.name, new RemoteFile(`${name}-unit-${u.name}`, { host, path: u.path, content: u.content, mode: "0644" }, fileOpts));
    }
    const runtimeFiles = [bundle, wrapper, config, ...(secrets ? [secrets] : [])];

    const json =
      args.jsonKeys.length > 0
        ? new JsonKeys(
            `${name}-openclaw-json`,
            { host, path: s.configPath, json5: true, values: args.jsonKeys, restoreOnDelete: true, runtime: { node: s.nodePath, bundle: s.paths.bundle } },
            { ...child, dependsOn: [bundle] },
          )
        : undefined;

    if (args.envEntries) {
      const e = args.envEntries;
      new EnvEntries(
        `${name}-openclaw-env`,
        { host, path: e.path, entries: e.set, absent: e.absent, runtime: { node: s.nodePath, bundle: s.paths.bundle }, ...(e.owner ? { owner: e.owner.owner, group: e.owner.group, mode: "0600" } : {}) },
        { ...child, dependsOn: [bundle] },
      );
    }

    const unitHashes = args.units.map((u) => u.sha256);
    const unitSha = (unitName: string) => {
      const u = args.units.find((x) => x.name === unitName);
      if (!u) throw new pulumi.ResourceError(`no unit file planned for ${unitName}`, this);
      return u.sha256;
    };
    // Restart only when something the process reads changed: its unit, the runtime, its config
    // (and the secrets file, by hash; the hash of a secret stays a secret Output).
    const secretsHash = secrets ? [secrets.sha256] : [];
    const watchState = new SystemdUnitState(
      `${name}-state-${UNIT_NAMES.watch}`,
      {
        host,
        unit: UNIT_NAMES.watch,
        enabled: true,
        active: true,
        restartOn: [unitSha(UNIT_NAMES.watch), bundle.sha256, args.runtimeConfig.sha256, ...secretsHash],
        daemonReloadOn: unitHashes,
      },
      { ...child, dependsOn: [...unitFiles.values(), ...runtimeFiles] },
    );
    const timerState = new SystemdUnitState(
      `${name}-state-${UNIT_NAMES.refreshTimer}`,
      {
        host,
        unit: UNIT_NAMES.refreshTimer,
        enabled: true,
        active: true,
        restartOn: [unitSha(UNIT_NAMES.refreshTimer)],
        daemonReloadOn: unitHashes,
      },
      { ...child, dependsOn: [...unitFiles.values(), ...runtimeFiles] },
    );

    // The first sync after install, as the service account, so files it creates get the right owner.
    const asService = (...args: string[]) => {
      const argv = runtimeArgv(s, ...args).map(shq).join(" ");
      return s.serviceUser.name === "root" ? argv : `runuser -u ${shq(s.serviceUser.name)} -- ${argv}`;
    };
    const command = asService("sync");
    const firstSync = new HostAction(
      `${name}-first-sync`,
      { host, command, triggers: [], when: "create", timeoutSeconds: 300 },
      { ...child, dependsOn: [...runtimeFiles, ...(json ? [json] : []), watchState] },
    );
    // Whether every target holds the current token (issue 18 point 7): drift the audit shows and
    // `up` repairs with a sync, without the token ever entering Pulumi.
    const targets = new TargetsInSync(`${name}-targets`, { host, statusCommand: asService("status", "--json"), syncCommand: command, observedOutOfSync: args.targetsOutOfSync }, { ...child, dependsOn: [firstSync] });

    this.watch = { enabled: watchState.enabledState, active: watchState.activeState };
    this.timer = { enabled: timerState.enabledState, active: timerState.activeState };
    this.runtimeConfigSha256 = args.runtimeConfig.sha256;
    this.settled = pulumi.all([firstSync.id, targets.id, watchState.activeState, timerState.activeState]);
    this.registerOutputs({ watch: this.watch, timer: this.timer });
  }
}
