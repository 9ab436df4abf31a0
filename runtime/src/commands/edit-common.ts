/**
 * Shared plumbing of the `edit-env` / `edit-json` subcommands, which the Pulumi program runs on the
 * host over SSH: a JSON request on stdin (values travel there, never in argv), a JSON answer on
 * stdout, operator-facing errors on stderr. Nothing here prints a value the request did not name.
 */
import { isAbsolute, dirname } from "node:path";
import { z } from "zod";
import { ExitCode, UserError, errnoCode } from "../errors";
import { readTextIfExists, writeFileAtomic, type NewFileOwnership } from "../fsx/atomic";

/** Reads the whole request; injectable so tests need no process stdin. */
export type StdinReader = () => Promise<string>;

export interface EditCommandDeps {
  stdin?: StdinReader;
}

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export const readProcessStdin: StdinReader = async () => {
  if (process.stdin.isTTY) throw new UserError("expected a JSON request on stdin (pipe it in; see README \"edit-env / edit-json\")", ExitCode.usage);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_REQUEST_BYTES) throw new UserError(`request on stdin is larger than ${MAX_REQUEST_BYTES} bytes`, ExitCode.usage);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString("utf8");
};

export const AbsoluteFile = z
  .string()
  .min(1)
  .refine((p) => isAbsolute(p), { message: "must be an absolute path" })
  .refine((p) => !p.includes("\0"), { message: "must not contain NUL" });

export const Owner = z.strictObject({
  uid: z.number().int().min(0),
  gid: z.number().int().min(0),
});

/** 384, or "0600" / "600" (JSON has no octal literals). */
export const Mode = z.union([
  z.number().int().min(0).max(0o7777),
  z
    .string()
    .regex(/^0?[0-7]{3,4}$/, { message: 'must be an octal string such as "0600"' })
    .transform((s) => parseInt(s, 8)),
]);

/** Parses the stdin request with `schema`; a bad request is a caller bug: exit 64. */
export async function readRequest<S extends z.ZodType>(command: string, schema: S, stdin: StdinReader): Promise<z.output<S>> {
  const raw = await stdin();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new UserError(`${command}: the request on stdin is not valid JSON`, ExitCode.usage);
  }
  const r = schema.safeParse(json, { reportInput: false });
  if (!r.success) throw new UserError(`${command}: invalid request on stdin\n${z.prettifyError(r.error)}`, ExitCode.usage);
  return r.data;
}

/** Only `--get` is accepted besides no flag at all. */
export function parseGetFlag(command: string, args: readonly string[]): boolean {
  let get = false;
  for (const a of args) {
    if (a === "--get") get = true;
    else throw new UserError(`${command}: unknown argument "${a}" (only --get is accepted; the request comes on stdin)`, ExitCode.usage);
  }
  return get;
}

export async function readTarget(file: string): Promise<string | undefined> {
  try {
    return await readTextIfExists(file);
  } catch (e) {
    throw ioError(file, "reading", e);
  }
}

export async function writeTarget(file: string, text: string, owner: { uid: number; gid: number } | undefined, mode: number | undefined): Promise<void> {
  const ownership: NewFileOwnership = { mode: mode ?? 0o600, uid: owner?.uid, gid: owner?.gid };
  try {
    await writeFileAtomic(file, text, ownership);
  } catch (e) {
    throw ioError(file, "writing", e);
  }
}

function ioError(file: string, doing: string, e: unknown): UserError {
  const code = errnoCode(e);
  switch (code) {
    case "ENOENT":
      return new UserError(`${file}: directory ${dirname(file)} does not exist; create it first (is OpenClaw installed here, and is the path right?)`, ExitCode.ioErr);
    case "ENOTDIR":
      return new UserError(`${file}: a parent of this path is not a directory; check the path`, ExitCode.ioErr);
    case "EISDIR":
      return new UserError(`${file}: is a directory, expected a file`, ExitCode.ioErr);
    case "EACCES":
    case "EPERM":
      return new UserError(`${file}: permission denied ${doing} (${code}); run as root (sudo -n) or as the file's owner`, ExitCode.noPerm);
    default:
      return new UserError(`${file}: ${doing} failed (${code ?? (e instanceof Error ? e.message : String(e))})`, ExitCode.ioErr);
  }
}

/** `changed: set A, B; removed C in /f` / `unchanged: A already set; C already absent in /f`. */
export function describeEdit(file: string, o: { set: string[]; removed: string[]; keptSet: string[]; keptAbsent: string[] }): string {
  const list = (xs: string[]) => xs.join(", ");
  if (o.set.length > 0 || o.removed.length > 0) {
    const parts: string[] = [];
    if (o.set.length) parts.push(`set ${list(o.set)}`);
    if (o.removed.length) parts.push(`removed ${list(o.removed)}`);
    return `changed: ${parts.join("; ")} in ${file}`;
  }
  const parts: string[] = [];
  if (o.keptSet.length) parts.push(`${list(o.keptSet)} already set`);
  if (o.keptAbsent.length) parts.push(`${list(o.keptAbsent)} already absent`);
  if (parts.length === 0) return `unchanged: nothing requested for ${file}`;
  return `unchanged: ${parts.join("; ")} in ${file}`;
}

export function printJson(out: (t: string) => void, value: unknown): void {
  out(JSON.stringify(value) + "\n");
}
