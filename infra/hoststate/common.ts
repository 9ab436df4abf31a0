/**
 * What every host-state provider shares: the props every resource carries, how a HostRef is
 * built from state + the current stack config, normalization, and the diff helper.
 *
 * Runs in the dynamic-provider process (loaded at call time by shim.ts) and in direct tests.
 */
import { sortedKeys } from "../plan/hash";
import type { HostRef } from "../contracts";
import { getSession, type OpenSshSession } from "../ssh/transport";
import { shq } from "../shell";

export { shq };

/** Bump when the shim or the shape of state changes, so an update persists the new code (pulumi.md §3.2). */
export const HOSTSTATE_PROVIDER_VERSION = "1";

/** Pulumi's marker for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** How to reach the host, as stored in state: no secret here. */
export type HostProps = Omit<HostRef, "privateKey">;

/** Props every host-state resource has (inputs and outputs). */
export interface CommonProps {
  host: HostProps;
  /** Secret input (encrypted in state); the current stack config's sshPrivateKey wins over it. */
  sshPrivateKey?: string;
  providerVersion: string;
}

export interface ProviderDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** The dynamic-provider operations every kind implements. */
export interface KindImpl<I extends CommonProps, O extends CommonProps = I> {
  check?(olds: Partial<I>, news: I): Promise<{ inputs: I; failures?: { property: string; reason: string }[] }>;
  diff(id: string, olds: O, news: I): Promise<ProviderDiff>;
  create(inputs: I): Promise<{ id: string; outs: O }>;
  read(id: string, props: O): Promise<{ id: string; props?: O; inputs?: I }>;
  update(id: string, olds: O, news: I): Promise<{ outs: O }>;
  delete(id: string, props: O): Promise<void>;
}

// ---- connection settings from the stack config (provider `configure`) -----------------------

/**
 * The stack's current SSH settings, by host name (`host` of a one-host stack, and every `hosts`
 * entry over the top-level keys); read/delete use them over the (possibly stale) ones in state.
 */
let configured = new Map<string, Partial<HostRef>>();

/** Minimal view of the dynamic provider's config object (`req.config`). */
export interface ConfigLike {
  get(key: string): string | undefined;
}

const SSH_KEYS = ["host", "sshPort", "sshUser", "sshHostKey", "sshConfigFile", "sshConnectTimeoutSeconds"] as const;

function sshSettings(get: (k: string) => unknown, key: string | undefined): Partial<HostRef> {
  const num = (v: unknown) => (v === undefined || v === "" || Number.isNaN(Number(v)) ? undefined : Number(v));
  const str = (k: string) => {
    const v = get(k);
    return v === undefined || v === null || v === "" ? undefined : String(v);
  };
  const c: Partial<HostRef> = {};
  const host = str("host");
  if (host !== undefined) c.host = host;
  const port = num(str("sshPort"));
  if (port !== undefined) c.port = port;
  const user = str("sshUser");
  if (user !== undefined) c.user = user;
  const hostKey = str("sshHostKey");
  if (hostKey !== undefined) c.hostKey = hostKey;
  const sshConfigFile = str("sshConfigFile");
  if (sshConfigFile !== undefined) c.sshConfigFile = sshConfigFile;
  const t = num(str("sshConnectTimeoutSeconds"));
  if (t !== undefined) c.connectTimeoutSeconds = t;
  if (key !== undefined) c.privateKey = key;
  return c;
}

/**
 * Called by the shim's `configure` with the stack config. Keys are those of infra/config.ts
 * (`openclaw-oauth-sync:host`, `sshPort`, `sshUser`, `sshHostKey`, `sshConfigFile`,
 * `sshConnectTimeoutSeconds`, `sshPrivateKey`, and `hosts`, whose entries take the same keys over
 * the top-level ones; secrets arrive unwrapped). Nothing is logged.
 */
export function configureFromStack(cfg: ConfigLike): void {
  const keyText = cfg.get("sshPrivateKey");
  const key = keyText === undefined || keyText === "" ? undefined : keyText;
  const map = new Map<string, Partial<HostRef>>();
  const top = sshSettings((k) => cfg.get(k), key);
  if (top.host !== undefined) map.set(top.host, top);
  let entries: unknown;
  try {
    const text = cfg.get("hosts");
    entries = text === undefined ? undefined : JSON.parse(text);
  } catch {
    entries = undefined; // the program reports a bad `hosts`
  }
  if (Array.isArray(entries)) {
    for (const e of entries) {
      if (!e || typeof e !== "object") continue;
      const entry = e as Record<string, unknown>;
      const c = sshSettings((k) => ((SSH_KEYS as readonly string[]).includes(k) && k in entry ? entry[k] : cfg.get(k)), key);
      if (c.host !== undefined && !map.has(c.host)) map.set(c.host, c);
    }
  }
  configured = map;
}

/** For tests: forget what configure set. */
export function resetConfigured(): void {
  configured = new Map();
}

/**
 * The HostRef for an operation. The host in state says WHICH host; when the stack config names the
 * same host, its current port/user/pinned key/private key say HOW to reach it — so a rotated SSH
 * key or re-pinned host key works for refresh and delete, which only see the old state.
 */
export function hostRefOf(p: CommonProps): HostRef {
  const ref: HostRef = { ...p.host };
  if (p.sshPrivateKey) ref.privateKey = p.sshPrivateKey;
  const c = configured.get(p.host.host);
  if (c !== undefined) {
    for (const [k, v] of Object.entries(c)) if (v !== undefined) (ref as unknown as Record<string, unknown>)[k] = v;
  }
  return ref;
}

export function sessionFor(p: CommonProps): Promise<OpenSshSession> {
  return getSession(hostRefOf(p));
}

// ---- scripts ---------------------------------------------------------------------------------

export { AS_ROOT_SH_S } from "../ssh/transport";

/** ssh command that runs `script` (in argv: no secrets) as root, leaving stdin for data. */
export function asRootShC(script: string): string {
  const q = shq(script);
  return `if [ "$(id -u)" = 0 ]; then exec sh -c ${q}; else exec sudo -n sh -c ${q}; fi`;
}

// ---- comparison ------------------------------------------------------------------------------

/** JSON with sorted object keys: key order is not preserved across gRPC (pulumi/pulumi#16582). */
export function canonical(v: unknown): string {
  return JSON.stringify(sortedKeys(v));
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

export function containsUnknown(v: unknown): boolean {
  return canonical(v).includes(UNKNOWN);
}

/** Which host a resource lives on: changing it means a different object → replace. */
export function hostIdentity(h: HostProps | undefined): string {
  return h ? `${h.host}:${h.port ?? ""}` : "";
}

/**
 * Standard diff: `replaceKeys` that differ force a replace; `compareKeys` that differ are an
 * in-place update. `__provider`, `sshPrivateKey` and connection details (user, pinned key,
 * timeouts) never cause a change: they do not change what is on the host.
 */
export function diffKeys<T extends CommonProps>(olds: T, news: T, compareKeys: (keyof T)[], replaceKeys: (keyof T)[] = []): ProviderDiff {
  const replaces: string[] = [];
  if (hostIdentity(olds.host) !== hostIdentity(news.host)) replaces.push("host");
  for (const k of replaceKeys) if (!sameValue(olds[k], news[k])) replaces.push(String(k));
  let changes = replaces.length > 0 || olds.providerVersion !== news.providerVersion;
  for (const k of compareKeys) if (!sameValue(olds[k], news[k])) changes = true;
  if (containsUnknown(news)) changes = true;
  return { changes, replaces, deleteBeforeReplace: false };
}

/** Normalizes a mode to 4 octal digits ("644" → "0644"). */
export function normalizeMode(mode: string | number): string {
  const s = typeof mode === "number" ? mode.toString(8) : mode.trim();
  if (!/^[0-7]{3,4}$/.test(s)) throw new Error(`mode: ${JSON.stringify(mode)} is not an octal file mode like "0644"`);
  return s.padStart(4, "0");
}

/** Strips `__provider` and other engine-internal keys from props. */
export function withoutInternal<T extends object>(p: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (!k.startsWith("__")) out[k] = v;
  return out as T;
}
