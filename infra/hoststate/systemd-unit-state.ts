/**
 * SystemdUnitState — whether one systemd unit is enabled and active (its unit file is a RemoteFile;
 * make this resource depend on it).
 * read:   `systemctl is-enabled` / `is-active` in one round trip → `enabled`, `active` (booleans,
 *         shaped like the inputs: a hand `systemctl disable` shows as `~enabled`), plus systemd's
 *         own words in `enabledState` / `activeState` for stack outputs.
 * update: `daemon-reload` when `daemonReloadOn` changed, enable/disable, start, `restart` when
 *         `restartOn` changed and the unit runs, stop when it ran and should not — one round trip.
 * delete: `systemctl disable --now` (if the unit still exists).
 */
import * as pulumi from "@pulumi/pulumi";
import { HostStateResource, hostProps, type HostInput } from "./host-input";

export interface SystemdUnitStateArgs {
  host: HostInput;
  /** Unit name, e.g. "openclaw-oauth-sync.service". */
  unit: string;
  enabled: boolean;
  active: boolean;
  /** Hashes (unit file, runtime bundle, runtime config…): a change restarts a running unit. */
  restartOn?: pulumi.Input<pulumi.Input<string>[]>;
  /** Hashes of unit files: a change runs daemon-reload first. */
  daemonReloadOn?: pulumi.Input<pulumi.Input<string>[]>;
}

export class SystemdUnitState extends HostStateResource {
  declare readonly unit: pulumi.Output<string>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly active: pulumi.Output<boolean>;
  /** `systemctl is-enabled` output ("enabled", "disabled", "masked", …). */
  declare readonly enabledState: pulumi.Output<string>;
  /** `systemctl is-active` output ("active", "inactive", "failed", …). */
  declare readonly activeState: pulumi.Output<string>;

  constructor(name: string, args: SystemdUnitStateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "unit",
      "SystemdUnitState",
      name,
      {
        ...hostProps(args.host),
        unit: args.unit,
        enabled: args.enabled,
        active: args.active,
        restartOn: args.restartOn ?? [],
        daemonReloadOn: args.daemonReloadOn ?? [],
        enabledState: undefined,
        activeState: undefined,
      },
      opts,
    );
  }
}
