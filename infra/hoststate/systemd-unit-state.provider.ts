/**
 * SystemdUnitState provider: whether one unit is enabled and active (the unit FILE is a RemoteFile).
 * read: `systemctl is-enabled` / `is-active` in one round trip.
 * create/update: the commands from planUnitCommands (pure, below), as root, in one round trip.
 * delete: `systemctl disable --now` when the unit still exists.
 */
import { runScript } from "../ssh/transport";
import { diffKeys, sessionFor, shq, withoutInternal, type CommonProps, type KindImpl } from "./common";

export interface UnitProps extends CommonProps {
  unit: string;
  enabled: boolean;
  active: boolean;
  /** Hashes (unit file, runtime, config…): when they change and the unit should run, update restarts it. */
  restartOn: string[];
  /** Hashes of unit files: when they change, update runs `systemctl daemon-reload` first. */
  daemonReloadOn: string[];
}

/** Outputs add systemd's own words, for stack outputs ("enabled"/"disabled"/"masked", "active"/"failed"…). */
export interface UnitOutputs extends UnitProps {
  enabledState: string;
  activeState: string;
}

const UNIT_NAME = /^[A-Za-z0-9@._:\\-]+\.(service|timer|socket|path|target|mount)$/;

/**
 * The systemctl invocations (argv after `systemctl`) that take the unit from `live` (undefined on
 * create) to `desired`. Pure. Enabling and starting are idempotent, so they are always asserted;
 * a stop happens only when the unit was seen active, so a timer-driven oneshot that is desired
 * "inactive" is never killed mid-run by an unrelated update.
 */
export function planUnitCommands(live: Pick<UnitProps, "enabled" | "active" | "restartOn" | "daemonReloadOn"> | undefined, desired: UnitProps): string[][] {
  const u = desired.unit;
  const cmds: string[][] = [];
  const same = (a: string[] | undefined, b: string[]) => JSON.stringify(a ?? []) === JSON.stringify(b);
  if (!live || !same(live.daemonReloadOn, desired.daemonReloadOn)) cmds.push(["daemon-reload"]);
  cmds.push([desired.enabled ? "enable" : "disable", "--", u]);
  if (desired.active) {
    const restart = live !== undefined && live.active && !same(live.restartOn, desired.restartOn);
    cmds.push([restart ? "restart" : "start", "--", u]);
  } else if (live?.active) {
    cmds.push(["stop", "--", u]);
  }
  return cmds;
}

export function applyScript(cmds: string[][]): string {
  return ["set -eu", ...cmds.map((c) => `echo "openclaw-oauth-sync: systemctl ${c.join(" ")}" >&2\nsystemctl ${c.map(shq).join(" ")}`)].join("\n") + "\n";
}

export function readUnitScript(unit: string): string {
  return `set -eu
u=${shq(unit)}
e=$(systemctl is-enabled -- "$u" 2>/dev/null) || true
a=$(systemctl is-active -- "$u" 2>/dev/null) || true
printf 'enabled=%s\\nactive=%s\\n' "$e" "$a"
`;
}

/** Parses "enabled=…\nactive=…". Only "enabled" counts as enabled (enabled-runtime is gone after a
 * reboot); "active" and "reloading" count as active ("activating" may be a crash loop). Pure. */
export function parseUnitState(out: string): { enabledState: string; activeState: string; enabled: boolean; active: boolean } {
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, "m").exec(out)?.[1]?.trim() ?? "";
  const enabledState = get("enabled") || "unknown";
  const activeState = get("active") || "unknown";
  return { enabledState, activeState, enabled: enabledState === "enabled", active: activeState === "active" || activeState === "reloading" };
}

function validate(p: UnitProps): void {
  if (!UNIT_NAME.test(p.unit)) throw new Error(`SystemdUnitState unit: ${JSON.stringify(p.unit)} is not a unit name like "openclaw-oauth-sync.service"`);
}

async function readLive(p: UnitProps) {
  const s = await sessionFor(p);
  return parseUnitState(await runScript(s, readUnitScript(p.unit), undefined, { label: `systemctl is-enabled/is-active ${p.unit}` }));
}

async function apply(live: UnitProps | undefined, news: UnitProps): Promise<UnitOutputs> {
  validate(news);
  const s = await sessionFor(news);
  await runScript(s, applyScript(planUnitCommands(live, news)), undefined, { asRoot: true, label: `systemctl … ${news.unit}` });
  const now = await readLive(news);
  return { ...withoutInternal(news), enabledState: now.enabledState, activeState: now.activeState };
}

const INPUT_KEYS = ["host", "sshPrivateKey", "providerVersion", "unit", "enabled", "active", "restartOn", "daemonReloadOn"] as const;

export const unitProvider: KindImpl<UnitProps, UnitOutputs> = {
  async diff(_id, olds, news) {
    return diffKeys<UnitProps>(olds, news, ["enabled", "active", "restartOn", "daemonReloadOn"], ["unit"]);
  },
  async create(inputs) {
    return { id: `${inputs.host.host}:${inputs.unit}`, outs: await apply(undefined, inputs) };
  },
  async read(id, props) {
    const live = await readLive(props);
    const outs: UnitOutputs = { ...withoutInternal(props), ...live };
    const inputs = Object.fromEntries(INPUT_KEYS.filter((k) => outs[k] !== undefined).map((k) => [k, outs[k]])) as unknown as UnitProps;
    return { id, props: outs, inputs };
  },
  async update(_id, olds, news) {
    return { outs: await apply(olds, news) };
  },
  async delete(_id, props) {
    const s = await sessionFor(props);
    await runScript(
      s,
      `set -eu\nu=${shq(props.unit)}\nif systemctl cat -- "$u" >/dev/null 2>&1; then systemctl disable --now -- "$u"; fi\n`,
      undefined,
      { asRoot: true, label: `systemctl disable --now ${props.unit}` },
    );
  },
};
