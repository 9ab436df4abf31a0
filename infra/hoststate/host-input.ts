/**
 * How a host-state resource names its host in its inputs: the HostRef minus the private key,
 * plus the key as a separate SECRET input (`sshPrivateKey`, encrypted in state, never in
 * `__provider`). The dynamic provider prefers the current stack config's SSH settings for the same
 * host (see infra/hoststate/common.ts hostRefOf), so a rotated key or re-pinned host key works
 * for refresh and delete too.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HostRef } from "../contracts";
import { shimModuleText } from "./shim";
import type { HostStateKind } from "./index";
import { HOSTSTATE_PROVIDER_VERSION } from "./common";

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

/** The dynamic-provider module text per kind (built once per process; see hoststate/shim.ts). */
const shimTexts = new Map<HostStateKind, string>();
function shimText(kind: HostStateKind): string {
  let t = shimTexts.get(kind);
  if (t === undefined) {
    t = shimModuleText(kind);
    shimTexts.set(kind, t);
  }
  return t;
}

/** Options every host-state resource gets: the key output stays secret whatever the engine does. */
export function withSecretKey(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "sshPrivateKey"] };
}

/**
 * Base of the host-state resources: what `pulumi.dynamic.Resource` registers (type
 * `pulumi-nodejs:dynamic/<module>:<Type>`, the provider module in the `__provider` input), but
 * with our hand-written shim text instead of Pulumi's closure serialization (see
 * hoststate/shim.ts). Same type tokens and inputs as before, so state written by earlier versions
 * is read unchanged.
 */
export abstract class HostStateResource extends pulumi.CustomResource {
  protected constructor(kind: HostStateKind, type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    if ("__provider" in props) throw new Error("a host-state resource must not define __provider");
    super(`pulumi-nodejs:dynamic/${TYPE_MODULE}:${type}`, name, { ...props, __provider: shimText(kind) }, withSecretKey(opts));
  }
}
