/**
 * The host-state implementation that the serialized shim (shim.ts) loads at call time, in the
 * dynamic-provider process. One provider per kind; all share this process's SSH sessions.
 *
 * Each host-state resource is two files side by side under one name: `<name>.ts`, the resource
 * class the program creates (all of them exported by resources.ts), and `<name>.provider.ts`, its
 * provider, registered here under its kind. This file's path and the kind strings are in every
 * resource's `__provider` in Pulumi state (shim.ts): they must not change.
 */
import { configureFromStack, type ConfigLike, type KindImpl, type CommonProps } from "./common";
import { fileProvider } from "./remote-file.provider";
import { unitProvider } from "./systemd-unit-state.provider";
import { envProvider } from "./env-entries.provider";
import { jsonProvider } from "./json-keys.provider";
import { actionProvider } from "./host-action.provider";
import { targetsProvider } from "./targets-in-sync.provider";
import { SshError } from "../ssh/errors";

export type HostStateKind = "file" | "unit" | "env" | "json" | "action" | "targets";

/**
 * A host that cannot be reached at all reads as it was last recorded, instead of failing the
 * refresh of the whole stack: in a many-host stack the other hosts are still audited and
 * repaired, and the unreachable one is reported by the program (its facts cannot be read, so it
 * registers nothing and the operation fails, naming it). Any other failure (host key, auth, a
 * remote command) still fails the read.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function tolerateUnreachable(impl: KindImpl<any, any>): KindImpl<any, any> {
  return {
    ...impl,
    async read(id, props) {
      try {
        return await impl.read(id, props);
      } catch (e) {
        if (e instanceof SshError && e.kind === "unreachable") return { id, props };
        throw e;
      }
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const providers: Record<HostStateKind, KindImpl<any, any>> = {
  file: tolerateUnreachable(fileProvider),
  unit: tolerateUnreachable(unitProvider),
  env: tolerateUnreachable(envProvider),
  json: tolerateUnreachable(jsonProvider),
  action: tolerateUnreachable(actionProvider),
  targets: tolerateUnreachable(targetsProvider),
};

/** Called from the shim's `configure` with the stack config (SSH settings; the key stays in memory). */
export function configure(cfg: ConfigLike): void {
  configureFromStack(cfg);
}

export type { KindImpl, CommonProps };
