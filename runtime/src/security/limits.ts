/**
 * Input limits (SECURITY.md, "Hostile and odd inputs"). Every file we read is small in real life:
 * a credentials file is ~500 bytes, an auth store a few KiB, openclaw.json a few dozen KiB. A file
 * far larger than that is an accident or an attack; reading it whole would cost memory and time
 * for nothing, so reads are capped and the file is reported and left as it is.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { errnoCode, ExitCode, UserError } from "../errors";

/** Claude Code's credentials file (~/.claude/.credentials.json). */
export const MAX_CREDENTIALS_BYTES = 1024 * 1024;
/** OpenClaw stores and other target files (auth-profiles.json, auth-state.json, oauth.json, .env). */
export const MAX_STORE_BYTES = 16 * 1024 * 1024;
/** Our runtime config and the channel-secrets file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/**
 * Deepest nesting of arrays/objects we parse or edit. Real stores nest 4–6 levels; the parsers
 * and editors recurse, so an absurdly deep document would otherwise overflow the stack.
 */
export const MAX_JSON_DEPTH = 256;

export class FileTooLargeError extends UserError {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
    what: string,
  ) {
    super(
      `${path}: ${what} is ${formatBytes(size)}, more than the ${formatBytes(limit)} this program reads; left untouched. ` +
        `A real one is a few KiB: check what wrote it, then repair or remove it`,
      ExitCode.dataErr,
    );
    this.name = "FileTooLargeError";
  }
}

export function formatBytes(n: number): string {
  const one = (x: number) => x.toFixed(1).replace(/\.0$/, "");
  if (n >= 1024 * 1024) return `${one(n / (1024 * 1024))} MiB`;
  if (n >= 1024) return `${one(n / 1024)} KiB`;
  return `${n} bytes`;
}

/**
 * Reads a UTF-8 file of at most `limit` bytes; undefined when it does not exist. The size is
 * checked on the open descriptor and the read stops after `limit + 1` bytes, so a file that grows
 * while we read it cannot get past the cap either. Other errors (EISDIR, EACCES…) propagate.
 */
export async function readFileCapped(path: string, limit: number, what: string): Promise<string | undefined> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, fsc.O_RDONLY);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: "EISDIR" });
    if (st.isFile() && st.size > limit) throw new FileTooLargeError(path, st.size, limit, what);
    const buf = Buffer.alloc(Math.min(limit + 1, st.isFile() ? st.size + 1 : limit + 1));
    let got = 0;
    for (;;) {
      if (got === buf.length) break;
      const { bytesRead } = await fh.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got > limit) throw new FileTooLargeError(path, got, limit, what);
    return buf.subarray(0, got).toString("utf8");
  } finally {
    await fh.close();
  }
}

/**
 * Pure: the deepest nesting of `[`/`{` in a JSON or JSON5 text, skipping strings (and comments,
 * which JSON5 and JSONC allow). Linear and iterative: safe on any input.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) {
      // "…" or '…' (JSON5): skip to the closing quote, honouring backslash escapes.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === c || d === 0x0a) break;
      }
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 1;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
    }
  }
  return max;
}

/** A message when `text` nests deeper than MAX_JSON_DEPTH, else undefined. */
export function nestingProblem(text: string, limit = MAX_JSON_DEPTH): string | undefined {
  const d = jsonNestingDepth(text);
  return d > limit ? `nested ${d} levels deep, more than the ${limit} this program parses (a real file nests a handful)` : undefined;
}
