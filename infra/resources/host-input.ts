/**
 * How a host-state resource names its host in its inputs: the HostRef minus the private key,
 * plus the key as a separate SECRET input (`sshPrivateKey`, encrypted in state, never in
 * `__provider`). The dynamic provider prefers the current stack config's SSH settings for the same
 * host (see infra/hoststate/common.ts hostRefOf), so a rotated key or re-pinned host key works
 * for refresh and delete too.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HostRef } from "../contracts";
import { hostStateProvider } from "../hoststate/shim";
import type { HostStateKind } from "../hoststate/index";
import { HOSTSTATE_PROVIDER_VERSION } from "../hoststate/common";

/** Pulumi project namespace of our dynamic resource type tokens. */
export const TYPE_MODULE = "openclaw-oauth-sync";


/** A HostRef whose private key may be a (secret) Output. */
export type HostInput = Omit<HostRef, "privateKey"> & { privateKey?: pulumi.Input<string> };

export function hostProps(host: HostInput): { host: Omit<HostRef, "privateKey">; sshPrivateKey: pulumi.Input<string> | undefined; providerVersion: string } {
  const { privateKey, ...rest } = host;
  const plain = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Omit<HostRef, "privateKey">;
  return {
    host: plain,
    sshPrivateKey: privateKey === undefined ? undefined : pulumi.secret(privateKey),
    providerVersion: HOSTSTATE_PROVIDER_VERSION,
  };
}

/** One serialized provider per kind (Pulumi caches serialization per provider object). */
const shims = new Map<HostStateKind, pulumi.dynamic.ResourceProvider>();
export function providerFor(kind: HostStateKind): pulumi.dynamic.ResourceProvider {
  let p = shims.get(kind);
  if (!p) {
    p = hostStateProvider(kind);
    shims.set(kind, p);
  }
  return p;
}

/** Options every host-state resource gets: the key output stays secret whatever the engine does. */
export function withSecretKey(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "sshPrivateKey"] };
}
