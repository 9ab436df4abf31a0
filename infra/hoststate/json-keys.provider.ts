/**
 * JsonKeys provider: some keys in one JSON/JSON5 file (openclaw.json), edited by the runtime's
 * `edit-json` so comments and formatting elsewhere survive.
 * create: records the previous value of each of our paths (present/absent + value) in `previous`,
 *         then sets ours.
 * read: `edit-json --get` for our paths; an absent path has no `value` key; missing file → id "".
 * update: sets the new values; paths we stop managing are restored to their recorded previous.
 * delete: with restoreOnDelete, puts every recorded previous value back (removes keys that were absent).
 */
import { canonical, diffKeys, withoutInternal, type KindImpl } from "./common";
import { callRuntime, validateRuntime, type RuntimeProps } from "./runtime-cli";

/** One managed path; no `value` key = the path is (to be) absent. */
export interface JsonValue {
  path: string[];
  value?: unknown;
}

export interface PreviousValue {
  path: string[];
  present: boolean;
  value?: unknown;
}

export interface JsonProps extends RuntimeProps {
  path: string;
  json5: boolean;
  values: JsonValue[];
  restoreOnDelete: boolean;
  /** Create the file when it does not exist (default false: openclaw.json is OpenClaw's). */
  createIfMissing?: boolean;
}

export interface JsonOutputs extends JsonProps {
  /** What our paths held before we first set them; not secret (config values, no tokens). */
  previous: PreviousValue[];
}

const key = (p: string[]) => JSON.stringify(p);

function validate(p: JsonProps): void {
  validateRuntime(p.runtime, `JsonKeys ${p.path}`);
  if (!p.path.startsWith("/")) throw new Error(`JsonKeys path: ${JSON.stringify(p.path)} must be absolute`);
  const seen = new Set<string>();
  for (const v of p.values ?? []) {
    if (!Array.isArray(v.path) || v.path.length === 0 || v.path.some((s) => typeof s !== "string" || s === "")) {
      throw new Error(`JsonKeys ${p.path}: each values[].path must be a non-empty list of keys, got ${JSON.stringify(v.path)}`);
    }
    if (seen.has(key(v.path))) throw new Error(`JsonKeys ${p.path}: path ${v.path.join(".")} is listed twice`);
    seen.add(key(v.path));
  }
}

/** Current values of `paths`; undefined when the file does not exist. */
async function getValues(p: JsonProps, paths: string[][]): Promise<PreviousValue[] | undefined> {
  const r = await callRuntime(p, ["edit-json", "--get"], { file: p.path, paths, json5: p.json5 }, `edit-json --get ${p.path}`);
  if (r.exists !== true) return undefined;
  const values = Array.isArray(r.values) ? r.values : [];
  const present = Array.isArray(r.present) ? r.present : [];
  return paths.map((path, i) => (present[i] === true ? { path, present: true, value: values[i] } : { path, present: false }));
}

async function setValues(p: JsonProps, edits: JsonValue[], createIfMissing: boolean): Promise<void> {
  if (edits.length === 0) return;
  const req = { file: p.path, edits: edits.map((e) => ("value" in e && e.value !== undefined ? { path: e.path, value: e.value } : { path: e.path })), json5: p.json5, createIfMissing };
  await callRuntime(p, ["edit-json"], req, `edit-json ${p.path}`);
}

/** The live view in the shape of the inputs: absent paths carry no `value`. Pure. */
export function liveValues(live: PreviousValue[]): JsonValue[] {
  return live.map((l) => (l.present ? { path: l.path, value: l.value } : { path: l.path }));
}

/** Edits that put recorded previous values back: present → set, absent → remove. Pure. */
export function restoreEdits(previous: PreviousValue[]): JsonValue[] {
  return previous.map((p) => (p.present ? { path: p.path, value: p.value } : { path: p.path }));
}

export const jsonProvider: KindImpl<JsonProps, JsonOutputs> = {
  async diff(_id, olds, news) {
    // Compare values as sets keyed by path: order in the list carries no meaning.
    const norm = (vs: JsonValue[] | undefined) => canonical([...(vs ?? [])].sort((a, b) => (key(a.path) < key(b.path) ? -1 : 1)));
    const d = diffKeys<JsonProps>(olds, news, ["json5", "restoreOnDelete", "runtime", "createIfMissing"], ["path"]);
    if (norm(olds.values) !== norm(news.values)) d.changes = true;
    return d;
  },
  async create(inputs) {
    validate(inputs);
    const paths = inputs.values.map((v) => v.path);
    const before = await getValues(inputs, paths);
    if (before === undefined && !inputs.createIfMissing) {
      throw new Error(`JsonKeys: ${inputs.path} does not exist on ${inputs.host.host}; start OpenClaw once so it writes its config, or set the path right`);
    }
    const previous = before ?? paths.map((path) => ({ path, present: false }));
    await setValues(inputs, inputs.values, inputs.createIfMissing ?? false);
    return { id: `${inputs.host.host}:${inputs.path}`, outs: { ...withoutInternal(inputs), previous } };
  },
  async read(id, props) {
    const paths = (props.values ?? []).map((v) => v.path);
    const live = await getValues(props, paths);
    if (live === undefined) return { id: "" };
    const outs: JsonOutputs = { ...withoutInternal(props), values: liveValues(live) };
    const { previous: _previous, ...inputs } = outs;
    return { id, props: outs, inputs };
  },
  async update(_id, olds, news) {
    validate(news);
    const recorded = new Map((olds.previous ?? []).map((p) => [key(p.path), p]));
    const wanted = new Set(news.values.map((v) => key(v.path)));
    // Paths new to us: record what they hold now, before we overwrite them.
    const added = news.values.map((v) => v.path).filter((p) => !recorded.has(key(p)));
    if (added.length > 0) for (const p of (await getValues(news, added)) ?? added.map((path) => ({ path, present: false }))) recorded.set(key(p.path), p);
    // Paths we stop managing go back to what they were (when restoreOnDelete says so).
    const dropped = [...recorded.values()].filter((p) => !wanted.has(key(p.path)));
    const edits = [...news.values, ...(news.restoreOnDelete ? restoreEdits(dropped) : [])];
    await setValues(news, edits, news.createIfMissing ?? false);
    const previous = [...recorded.values()].filter((p) => wanted.has(key(p.path)));
    return { outs: { ...withoutInternal(news), previous } };
  },
  async delete(_id, props) {
    if (!props.restoreOnDelete) return;
    const live = await getValues(props, []);
    if (live === undefined) return; // the file is gone: nothing to restore into
    await setValues(props, restoreEdits(props.previous ?? []), false);
  },
};
