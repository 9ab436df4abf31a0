/**
 * HostAction — a one-shot command on the host: the first `sync` after install, a handler.
 * It is an event, not state: read returns the recorded state unchanged.
 * create: runs `command` (as root unless asRoot is false).
 * update: runs it again when `triggers` changed and `when` is "create-and-update".
 * delete: nothing.
 * We do not use @pulumi/command's remote.Command here: it dials its own SSH connection per
 * operation, ignoring ~/.ssh/config, the agent and our ControlMaster, and it skips host-key
 * verification unless a hostKey is given — that would break "one transport, one handshake,
 * verified host keys" (facts/pulumi.md §1.2, §1.4).
 * `command` must never contain a secret: it appears in error messages and in state.
 */
import * as pulumi from "@pulumi/pulumi";
import { HostStateResource, hostProps, type HostInput } from "./host-input";

export interface HostActionArgs {
  host: HostInput;
  command: string;
  triggers: pulumi.Input<pulumi.Input<string>[]>;
  when: "create" | "create-and-update";
  /** Default true: run via `sudo -n` unless the ssh user is root. */
  asRoot?: boolean;
  /** Bound for one run in seconds (default 300). */
  timeoutSeconds?: number;
}

export class HostAction extends HostStateResource {
  declare readonly triggers: pulumi.Output<string[]>;

  constructor(name: string, args: HostActionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "action",
      "HostAction",
      name,
      { ...hostProps(args.host), command: args.command, triggers: args.triggers, when: args.when, asRoot: args.asRoot, timeoutSeconds: args.timeoutSeconds },
      opts,
    );
  }
}
