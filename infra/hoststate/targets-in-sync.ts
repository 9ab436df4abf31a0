/**
 * TargetsInSync — whether every target the runtime keeps holds Claude's current token, as the
 * runtime's `status --json` says (states only, never a token; DESIGN §5). The desired state is
 * "none out of sync": `pulumi preview` shows a hand-removed `.env` line or a stale auth store as
 * `~ outOfSync`, and `pulumi up` runs `sync` to bring it back.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostStateResource, hostProps, type HostInput } from "./host-input";

export interface TargetsInSyncArgs {
  host: HostInput;
  /** /bin/sh command printing the runtime's `status --json`. */
  statusCommand: string;
  /** /bin/sh command running the runtime's `sync` as the service account. */
  syncCommand: string;
}

export class TargetsInSync extends HostStateResource {
  /** "<target>: <state>" for each target not in sync (empty when all are). */
  declare readonly outOfSync: pulumi.Output<string[]>;

  constructor(name: string, args: TargetsInSyncArgs, opts?: pulumi.CustomResourceOptions) {
    super("targets", "TargetsInSync", name, { ...hostProps(args.host), statusCommand: args.statusCommand, syncCommand: args.syncCommand, outOfSync: [] }, opts);
  }
}
