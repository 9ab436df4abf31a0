/**
 * The host-state implementation that the serialized shim (shim.ts) loads at call time, in the
 * dynamic-provider process. One provider per kind; all share this process's SSH sessions.
 */
import { configureFromStack, type ConfigLike, type KindImpl, type CommonProps } from "./common";
import { fileProvider } from "./file";
import { unitProvider } from "./unit";
import { envProvider } from "./env";
import { jsonProvider } from "./json";
import { actionProvider } from "./action";

export type HostStateKind = "file" | "unit" | "env" | "json" | "action";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const providers: Record<HostStateKind, KindImpl<any, any>> = {
  file: fileProvider,
  unit: unitProvider,
  env: envProvider,
  json: jsonProvider,
  action: actionProvider,
};

/** Called from the shim's `configure` with the stack config (SSH settings; the key stays in memory). */
export function configure(cfg: ConfigLike): void {
  configureFromStack(cfg);
}

export type { KindImpl, CommonProps };
