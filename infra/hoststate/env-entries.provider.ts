/**
 * EnvEntries provider: our KEY=VALUE lines in one .env file, and keys that must be absent (a
 * stray ANTHROPIC_API_KEY); every other line is the runtime's editor's business to keep byte for byte.
 * read: `edit-env --get` for our keys only (a token the runtime keeps in the same file never
 *       reaches Pulumi); `absent` lists the keys to remove that are indeed absent (their values are
 *       never kept); a missing file → id "".
 * create: records the previous value of each key we set (`previous`, a secret output: it may have
 *       held one), then sets our entries and removes the `absent` keys.
 * update: sets our entries; a key we stop setting gets its previous value back (or is removed).
 * delete: every key we set gets its previous value back (or is removed). Removed keys are not
 *       restored: their values were never recorded.
 */
import { diffKeys, withoutInternal, type KindImpl } from "./common";
import { callRuntime, ownerPrelude, validateRuntime, type RuntimeProps } from "./runtime-cli";

export interface EnvProps extends RuntimeProps {
  path: string;
  entries: Record<string, string>;
  /** Keys that must not be in the file (removed on create/update; their values are never read into state). */
  absent?: string[];
  /** Output: each set key's value before we first set it (null = it was absent). */
  previous?: Record<string, string | null>;
  /** Owner/group/mode for the file when the runtime creates it (names resolved on the host). */
  owner?: string;
  group?: string;
  mode?: string;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function validate(p: EnvProps): void {
  validateRuntime(p.runtime, `EnvEntries ${p.path}`);
  if (!p.path.startsWith("/")) throw new Error(`EnvEntries path: ${JSON.stringify(p.path)} must be absolute`);
  for (const [k, v] of Object.entries(p.entries ?? {})) {
    if (!KEY.test(k)) throw new Error(`EnvEntries ${p.path}: key ${JSON.stringify(k)} is not an env variable name`);
    if (typeof v !== "string" || /[\n\r\0]/.test(v)) throw new Error(`EnvEntries ${p.path}: value of ${k} must be a one-line string`);
  }
  for (const k of p.absent ?? []) {
    if (!KEY.test(k)) throw new Error(`EnvEntries ${p.path}: key ${JSON.stringify(k)} is not an env variable name`);
    if (k in (p.entries ?? {})) throw new Error(`EnvEntries ${p.path}: ${k} is both set and removed`);
  }
  if ((p.owner === undefined) !== (p.group === undefined)) throw new Error(`EnvEntries ${p.path}: set owner and group together`);
}

/** Live values of `keys` (only those present), or undefined when the file does not exist. */
async function getEntries(p: EnvProps, keys: string[]): Promise<Record<string, string> | undefined> {
  const r = await callRuntime(p, ["edit-env", "--get"], { file: p.path, keys }, `edit-env --get ${p.path}`);
  if (r.exists !== true) return undefined;
  const entries = (r.entries ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof entries[k] === "string") out[k] = entries[k] as string;
  return out;
}

async function setEntries(p: EnvProps, set: Record<string, string>, remove: string[]): Promise<void> {
  const req: Record<string, unknown> = { file: p.path, set, remove };
  let opts = {};
  if (p.owner !== undefined && p.group !== undefined) {
    req.owner = { uid: "__OCS_UID__", gid: "__OCS_GID__" };
    opts = ownerPrelude(p.owner, p.group);
  }
  if (p.mode !== undefined) req.mode = p.mode;
  await callRuntime(p, ["edit-env"], req, `edit-env ${p.path}`, opts);
}

/** Pure: how to put keys back to their recorded previous values (set, or remove when absent before). */
export function restorePlan(keys: string[], previous: Record<string, string | null> | undefined): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const k of keys) {
    const v = previous?.[k];
    if (typeof v === "string") set[k] = v;
    else remove.push(k);
  }
  return { set, remove };
}

/** The keys of `absent` that are not in the file; values of present ones are dropped here. */
async function stillAbsent(p: EnvProps): Promise<string[]> {
  const keys = p.absent ?? [];
  if (keys.length === 0) return [];
  const live = (await getEntries(p, keys)) ?? {};
  return keys.filter((k) => !(k in live));
}

export const envProvider: KindImpl<EnvProps> = {
  async diff(_id, olds, news) {
    return diffKeys<EnvProps>(olds, news, ["entries", "absent", "owner", "group", "mode", "runtime"], ["path"]);
  },
  async create(inputs) {
    validate(inputs);
    const keys = Object.keys(inputs.entries);
    const before = keys.length > 0 ? ((await getEntries(inputs, keys)) ?? {}) : {};
    const previous = Object.fromEntries(keys.map((k) => [k, before[k] ?? null]));
    await setEntries(inputs, inputs.entries, inputs.absent ?? []);
    return { id: `${inputs.host.host}:${inputs.path}`, outs: { ...withoutInternal(inputs), previous } };
  },
  async read(id, props) {
    const live = await getEntries(props, Object.keys(props.entries ?? {}));
    if (live === undefined) return { id: "" };
    const now: EnvProps = { ...withoutInternal(props), entries: live };
    if (props.absent !== undefined) now.absent = await stillAbsent(props);
    const { previous: _previous, ...inputs } = now;
    return { id, props: now, inputs: inputs as EnvProps };
  },
  async update(_id, olds, news) {
    validate(news);
    const dropped = Object.keys(olds.entries ?? {}).filter((k) => !(k in news.entries));
    const back = restorePlan(dropped, olds.previous);
    // Keys set for the first time now get their previous value recorded too.
    const added = Object.keys(news.entries).filter((k) => !(k in (olds.previous ?? {})) && !(k in (olds.entries ?? {})));
    const before = added.length > 0 ? ((await getEntries(news, added)) ?? {}) : {};
    const previous: Record<string, string | null> = { ...(olds.previous ?? {}) };
    for (const k of dropped) delete previous[k];
    for (const k of added) previous[k] = before[k] ?? null;
    await setEntries(news, { ...back.set, ...news.entries }, [...back.remove, ...(news.absent ?? [])]);
    return { outs: { ...withoutInternal(news), previous } };
  },
  async delete(_id, props) {
    const back = restorePlan(Object.keys(props.entries ?? {}), props.previous);
    if (Object.keys(back.set).length > 0 || back.remove.length > 0) {
      await setEntries({ ...props, owner: undefined, group: undefined, mode: undefined } as EnvProps, back.set, back.remove);
    }
  },
};
