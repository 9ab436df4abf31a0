/**
 * EnvEntries — our KEY=VALUE lines in one .env file (OpenClaw's); all other lines are kept.
 * read:   `<node> <bundle> edit-env --get` on the host for our keys only → `entries` as they are
 *         live (a hand edit shows as `~entries`); a missing file shows as a create.
 * update: `edit-env` sets our entries and removes keys we no longer list (atomic write).
 * delete: puts our keys back as they were before (previous value, or removed); removed keys stay removed.
 * Keys that hold tokens are never entries: the runtime owns them, and they must never reach state.
 * Needs the runtime installed (depend on its RemoteFile).
 */
import * as pulumi from "@pulumi/pulumi";
import type { RuntimeRef } from "./runtime-cli";
import { HostStateResource, hostProps, type HostInput } from "./host-input";

export type { RuntimeRef };

export interface EnvEntriesArgs {
  host: HostInput;
  path: string;
  entries: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Keys that must not be in the file (e.g. a stray ANTHROPIC_API_KEY that overrides the subscription login). */
  absent?: string[];
  /** Where the runtime is on the host: { node: "/usr/bin/node", bundle: "/usr/local/lib/…/openclaw-oauth-sync.cjs" }. */
  runtime: RuntimeRef;
  /** Owner, group and mode used when the runtime has to create the file. */
  owner?: string;
  group?: string;
  mode?: string;
}

export class EnvEntries extends HostStateResource {
  declare readonly path: pulumi.Output<string>;
  declare readonly entries: pulumi.Output<Record<string, string>>;
  /** Each set key's value before we set it (null = absent), put back on destroy; secret, it may have been one. */
  declare readonly previous: pulumi.Output<Record<string, string | null>>;

  constructor(name: string, args: EnvEntriesArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "env",
      "EnvEntries",
      name,
      { ...hostProps(args.host), path: args.path, entries: args.entries, absent: args.absent, runtime: args.runtime, owner: args.owner, group: args.group, mode: args.mode, previous: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "previous"] },
    );
  }
}
