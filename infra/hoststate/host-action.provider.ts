/**
 * HostAction provider: a one-shot command (the first `sync`, a handler) — an event, not state.
 * create: runs `command`. update: runs it again when `triggers` changed and `when` is
 * "create-and-update". read: returns the state unchanged (nothing on the host to audit).
 * delete: nothing.
 *
 * Not @pulumi/command's remote.Command: that opens its own SSH connection per operation, ignores
 * ~/.ssh/config, the agent and our ControlMaster, and skips host-key checks when no hostKey is
 * given (facts/pulumi.md §1.2, §1.4) — it would break "one transport, one handshake, verified
 * host keys". This runs through the same transport as every other host-state resource.
 */
import { AS_ROOT_SH_S, sessionFor, diffKeys, sameValue, withoutInternal, type CommonProps, type KindImpl } from "./common";

export interface ActionProps extends CommonProps {
  /** /bin/sh command line. Never a secret: it is shown in errors. */
  command: string;
  triggers: string[];
  when: "create" | "create-and-update";
  /** Run as root (via `sudo -n` unless the ssh user is root). Default true. */
  asRoot?: boolean;
  /** Bound for one run, seconds (default 300). */
  timeoutSeconds?: number;
}

async function run(p: ActionProps): Promise<void> {
  if (typeof p.command !== "string" || p.command.trim() === "") throw new Error("HostAction command: must be a non-empty shell command");
  if (p.when !== "create" && p.when !== "create-and-update") throw new Error(`HostAction when: ${JSON.stringify(p.when)} must be "create" or "create-and-update"`);
  const s = await sessionFor(p);
  const timeoutMs = (p.timeoutSeconds ?? 300) * 1000;
  const script = `set -eu\n${p.command}\n`;
  const wrapped = p.asRoot === false ? "sh -s" : AS_ROOT_SH_S;
  // The command's output is not kept: it is not state, and it might echo something private.
  await s.check(wrapped, { stdin: script, timeoutMs, label: p.command.split("\n")[0] });
}

export const actionProvider: KindImpl<ActionProps> = {
  async diff(_id, olds, news) {
    const d = diffKeys<ActionProps>(olds, news, ["command", "when", "asRoot", "timeoutSeconds"]);
    if (!sameValue(olds.triggers, news.triggers)) d.changes = true;
    return d;
  },
  async create(inputs) {
    await run(inputs);
    return { id: `${inputs.host.host}:action:${Date.now().toString(36)}`, outs: withoutInternal(inputs) };
  },
  async read(id, props) {
    return { id, props, inputs: withoutInternal(props) };
  },
  async update(_id, olds, news) {
    if (news.when === "create-and-update" && !sameValue(olds.triggers, news.triggers)) await run(news);
    return { outs: withoutInternal(news) };
  },
  async delete() {
    // An event cannot be undone; the resources it acted on clean up after themselves.
  },
};
