/**
 * Small typed JSON state files in config.stateDir (backoff, last outcomes, counters).
 * Written atomically with mode 0600; validated with zod on read. A corrupt or unreadable state
 * file is reported once per read and treated as empty: state is advisory, never a reason to crash.
 */
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { writeFileAtomic } from "../fsx/atomic";
import { errnoCode } from "../errors";
import type { Logger } from "../log";

export interface StateReadResult<T> {
  value: T;
  /** Set when the file existed but could not be used; the value is then the empty state. */
  problem?: string;
}

/** Path of a named state file. Names are fixed strings in our code, never user input. */
export function statePath(stateDir: string, name: string): string {
  return join(stateDir, `${name}.json`);
}

/** Pure: parses state text; any problem yields `empty` plus a description. */
export function parseState<T>(text: string, schema: z.ZodType<T>, empty: T): StateReadResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { value: empty, problem: `not valid JSON (${text.length} bytes)` };
  }
  const r = schema.safeParse(raw, { reportInput: false });
  if (!r.success) {
    const why = r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`)
      .join("; ");
    return { value: empty, problem: `unexpected content (${why})` };
  }
  return { value: r.data };
}

export async function readState<T>(
  stateDir: string,
  name: string,
  schema: z.ZodType<T>,
  empty: T,
  log?: Logger,
): Promise<StateReadResult<T>> {
  const path = statePath(stateDir, name);
  let text: string;
  try {
    text = await fsp.readFile(path, "utf8");
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT") return { value: empty };
    const problem = `cannot read (${code ?? (e as Error).message})`;
    log?.warn(`state file ${path}: ${problem}; treating it as empty`);
    return { value: empty, problem };
  }
  const r = parseState(text, schema, empty);
  if (r.problem) log?.warn(`state file ${path}: ${r.problem}; treating it as empty (it is rewritten on the next update)`);
  return r;
}

export async function ensureStateDir(stateDir: string): Promise<void> {
  await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
}

export async function writeState<T>(stateDir: string, name: string, value: T): Promise<void> {
  await ensureStateDir(stateDir);
  await writeFileAtomic(statePath(stateDir, name), JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
}
