/**
 * EnvEntries provider: our KEY=VALUE lines in one .env file; every other line is the runtime's
 * editor's business to keep byte for byte.
 * read: `edit-env --get` for our keys only (a token the runtime keeps in the same file never
 *       reaches Pulumi); a missing file → id "".
 * create/update: `edit-env` sets our entries and removes keys we no longer own.
 * delete: removes our keys only.
 */
import { diffKeys, withoutInternal, type KindImpl } from "./common";
import { callRuntime, ownerPrelude, validateRuntime, type RuntimeProps } from "./runtime-cli";

export interface EnvProps extends RuntimeProps {
  path: string;
  entries: Record<string, string>;
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

export const envProvider: KindImpl<EnvProps> = {
  async diff(_id, olds, news) {
    return diffKeys<EnvProps>(olds, news, ["entries", "owner", "group", "mode", "runtime"], ["path"]);
  },
  async create(inputs) {
    validate(inputs);
    await setEntries(inputs, inputs.entries, []);
    return { id: `${inputs.host.host}:${inputs.path}`, outs: withoutInternal(inputs) };
  },
  async read(id, props) {
    const live = await getEntries(props, Object.keys(props.entries ?? {}));
    if (live === undefined) return { id: "" };
    const now = { ...withoutInternal(props), entries: live };
    return { id, props: now, inputs: now };
  },
  async update(_id, olds, news) {
    validate(news);
    const remove = Object.keys(olds.entries ?? {}).filter((k) => !(k in news.entries));
    await setEntries(news, news.entries, remove);
    return { outs: withoutInternal(news) };
  },
  async delete(_id, props) {
    const keys = Object.keys(props.entries ?? {});
    if (keys.length > 0) await setEntries({ ...props, owner: undefined, group: undefined, mode: undefined } as EnvProps, {}, keys);
  },
};
