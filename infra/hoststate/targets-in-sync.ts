/**
 * TargetsInSync — whether every target the runtime keeps holds Claude's current token, as the
 * runtime's `status --json` says (states only, never a token; DESIGN §5), read by the facts script
 * that every preview and up runs anyway. The desired state is "none out of sync": `pulumi preview`
 * shows a hand-removed `.env` line or a stale auth store as `~ outOfSync`, and `pulumi up` runs
 * `sync` to bring it back.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostStateResource, hostProps, type HostInput } from "./host-input";

export interface TargetsInSyncArgs {
  host: HostInput;
  /** /bin/sh command printing the runtime's `status --json`. */
  statusCommand: string;
  /** /bin/sh command running the runtime's `sync` as the service account. */
  syncCommand: string;
  /** The targets not in sync as the facts script saw them just now (infra/plan/targets.ts). */
  observedOutOfSync: string[];
}

export class TargetsInSync extends HostStateResource {
  /** "<target>: <state>" for each target not in sync (empty when all are). */
  declare readonly outOfSync: pulumi.Output<string[]>;

  constructor(name: string, args: TargetsInSyncArgs, opts?: pulumi.CustomResourceOptions) {
    super("targets", "TargetsInSync", name, { ...hostProps(args.host), statusCommand: args.statusCommand, syncCommand: args.syncCommand, outOfSync: args.observedOutOfSync }, opts);
  }
}
