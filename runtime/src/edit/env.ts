/**
 * Pure `.env` editor: reads and changes a few `KEY=value` entries and keeps every other byte.
 *
 * Reading follows the `dotenv` package (what OpenClaw loads `~/.openclaw/.env` with,
 * facts/openclaw.md §2.4) exactly: the same line pattern, the same unquoting, and — because
 * `dotenv.parse` assigns keys in file order — the LAST occurrence of a key is the one that counts
 * (dotenv's "never override" applies between sources such as the process environment and a file,
 * not between two lines of one file). Docker Compose's `.env` reader also lets the last line win.
 *
 * Writing picks a quoting that dotenv reads back unchanged and that Docker Compose (the other
 * reader of a Compose project's `.env`) reads the same way wherever possible:
 *   "double quotes"  values without `"`, `\` or `$` (newline and CR written as `\n`, `\r`);
 *   'single quotes'  values without `'` or a line break, not ending in `\` (literal in both readers);
 *   `backticks`      dotenv only;
 * then dotenv-only forms (double quotes holding `$` or `\`, quoted values spanning lines, bare).
 * A value that no dotenv quoting can carry (e.g. `"` together with a carriage return) is refused
 * with EnvEditError rather than written in a form OpenClaw would read differently. Every result is
 * read back with dotenv's rules before it is returned.
 */
import { ExitCode, UserError } from "../errors";
import type { EditResult } from "./types";

export class EnvEditError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.dataErr);
    this.name = "EnvEditError";
  }
}

/** POSIX shell variable names: what a systemd EnvironmentFile, Compose and a shell all accept. */
export const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type EnvQuoteStyle = "double" | "single" | "backtick" | "none";

/** One `KEY=value` entry as dotenv sees it; offsets are into the ORIGINAL text. */
export interface EnvEntry {
  key: string;
  /** The value exactly as dotenv returns it. */
  value: string;
  style: EnvQuoteStyle;
  /** Start of the line holding the entry's first character (`export` or the key). */
  lineStart: number;
  /** Where the value as written starts (after the separator and leading blanks). */
  valueStart: number;
  /** Where the value as written ends (before trailing blanks, an inline comment, the line end). */
  valueEnd: number;
  /** End of the line holding `valueEnd`, before its line terminator. */
  lineEnd: number;
  /** Start of the next line (after the terminator), or the text length at end of file. */
  nextLineStart: number;
}

// dotenv >= 15 (lib/main.js `LINE`), with the `d` flag so that we get group offsets.
// Built with the RegExp constructor so the bundler does not need to know the `d` flag.
const DOTENV_LINE = String.raw`(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*` + "`(?:\\\\`|[^`])*`" + String.raw`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)`;
const SEPARATOR = /\s*=|:\s/y;

/** Maps offsets in dotenv's normalised text (every `\r\n` / `\r` turned into `\n`) back to the original. */
interface Normalised {
  text: string;
  /** Per line: start offset in the normalised text, and in the original. */
  nStarts: number[];
  oStarts: number[];
  /** Per line: the original terminator ("" for the last line without one). */
  terminators: string[];
}

function normalise(original: string): Normalised {
  const nStarts: number[] = [];
  const oStarts: number[] = [];
  const terminators: string[] = [];
  const parts: string[] = [];
  let o = 0;
  let n = 0;
  const re = /\r\n|\r|\n/g;
  for (;;) {
    re.lastIndex = o;
    const m = re.exec(original);
    const end = m ? m.index : original.length;
    nStarts.push(n);
    oStarts.push(o);
    parts.push(original.slice(o, end));
    terminators.push(m ? m[0] : "");
    n += end - o + (m ? 1 : 0);
    if (!m) break;
    o = end + m[0].length;
  }
  return { text: parts.join("\n"), nStarts, oStarts, terminators };
}

function lineOf(norm: Normalised, nOffset: number): number {
  let lo = 0;
  let hi = norm.nStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (norm.nStarts[mid]! <= nOffset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function toOriginal(norm: Normalised, nOffset: number): number {
  const line = lineOf(norm, nOffset);
  return norm.oStarts[line]! + (nOffset - norm.nStarts[line]!);
}

/** dotenv's unquoting of the raw value group. */
function dotenvValue(raw: string): { value: string; style: EnvQuoteStyle } {
  let value = raw.trim();
  const maybeQuote = value[0];
  const quoted = value.length >= 2 && maybeQuote !== undefined && "'\"`".includes(maybeQuote) && value.endsWith(maybeQuote);
  const style: EnvQuoteStyle = !quoted ? "none" : maybeQuote === '"' ? "double" : maybeQuote === "'" ? "single" : "backtick";
  value = value.replace(/^(['"`])([\s\S]*)\1$/gm, "$2");
  if (maybeQuote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
  return { value, style };
}

/** Every entry of a .env text, in file order, as dotenv reads it (duplicates included). */
export function parseEnvEntries(text: string): EnvEntry[] {
  const norm = normalise(text);
  const re = new RegExp(DOTENV_LINE, "dgm");
  const out: EnvEntry[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(norm.text)) !== null) {
    // An empty match cannot happen (a key is required), but guard the loop anyway.
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const indices = m.indices!;
    const key = m[1]!;
    const firstToken = m.index + (m[0].length - m[0].trimStart().length);
    const line = lineOf(norm, firstToken);
    let valueStart: number;
    let valueEnd: number;
    let value = "";
    let style: EnvQuoteStyle = "none";
    const group = indices[2];
    if (group && m[2] !== undefined) {
      const raw = m[2];
      valueStart = group[0] + (raw.length - raw.trimStart().length);
      valueEnd = group[0] + raw.trimEnd().length;
      if (valueEnd < valueStart) valueEnd = valueStart; // all-blank raw value
      ({ value, style } = dotenvValue(raw));
    } else {
      SEPARATOR.lastIndex = indices[1]![1];
      SEPARATOR.exec(norm.text);
      valueStart = valueEnd = SEPARATOR.lastIndex;
    }
    const endLine = lineOf(norm, valueEnd);
    const nextLineStart = norm.oStarts[endLine + 1] ?? text.length;
    out.push({
      key,
      value,
      style,
      lineStart: norm.oStarts[line]!,
      valueStart: toOriginal(norm, valueStart),
      valueEnd: toOriginal(norm, valueEnd),
      lineEnd: nextLineStart - norm.terminators[endLine]!.length,
      nextLineStart,
    });
  }
  return out;
}

function checkKey(key: string, what: string): void {
  if (!ENV_KEY_PATTERN.test(key)) {
    throw new EnvEditError(
      `${what} ${JSON.stringify(key)} is not a valid variable name (letters, digits and _, not starting with a digit)`,
    );
  }
}

/**
 * The values of `keys` that are present, as dotenv reads them (last occurrence wins).
 * @example getEnvEntries('export A="x y" # c\nB=1\n', ["A", "C"]) // → { A: "x y" }
 */
export function getEnvEntries(text: string, keys: readonly string[]): Record<string, string> {
  for (const k of keys) checkKey(k, "key");
  const wanted = new Set(keys);
  const out: Record<string, string> = {};
  for (const e of parseEnvEntries(text)) {
    if (wanted.has(e.key)) out[e.key] = e.value;
  }
  return out;
}

// --- encoding ---------------------------------------------------------------------------------

const BARE_SAFE = /^[A-Za-z0-9_\-.,:/@+=%~^]+$/;
const encoders: Record<EnvQuoteStyle, (v: string) => string | undefined> = {
  double: (v) => (/["\\$]/.test(v) ? undefined : `"${v.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`),
  single: (v) => (/['\r\n]/.test(v) || v.endsWith("\\") ? undefined : `'${v}'`),
  backtick: (v) => (/[`\r\n]/.test(v) || v.endsWith("\\") ? undefined : "`" + v + "`"),
  none: (v) => (BARE_SAFE.test(v) ? v : undefined),
};

// Fallbacks after the portable forms: quoted values spanning lines (dotenv >= 15 reads them;
// a CR cannot be carried because dotenv turns every CR LF / CR into LF first), then a bare value
// (dotenv trims it and stops it at `#`, and would unquote a leading quote).
const fallbacks: ((v: string) => string | undefined)[] = [
  // dotenv-only double quotes: dotenv expands nothing but \n and \r (Compose would expand $ and \).
  (v) => (v.includes('"') || /\\[nr]/.test(v) || v.endsWith("\\") ? undefined : `"${v.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`),
  (v) => (/['\r]/.test(v) || v.endsWith("\\") ? undefined : `'${v}'`),
  (v) => (/[`\r]/.test(v) || v.endsWith("\\") ? undefined : "`" + v + "`"),
  (v) => (v !== "" && v === v.trim() && !/[#\r\n]/.test(v) && !"'\"`".includes(v[0]!) ? v : undefined),
];

/**
 * The value as it must be written after `KEY=`, keeping `preferred` quoting if the value allows
 * it; undefined when no form reads back unchanged.
 */
export function encodeEnvValue(value: string, preferred: EnvQuoteStyle = "double"): string | undefined {
  const order: EnvQuoteStyle[] = [preferred, "double", "single", "backtick"];
  for (const s of order) {
    const enc = encoders[s](value);
    if (enc !== undefined) return enc;
  }
  for (const f of fallbacks) {
    const enc = f(value);
    if (enc !== undefined) return enc;
  }
  return undefined;
}

function encodeOrThrow(key: string, value: string, preferred: EnvQuoteStyle): string {
  if (value.includes("\0")) throw new EnvEditError(`value for ${key} contains a NUL byte, which no .env reader accepts`);
  const enc = encodeEnvValue(value, preferred);
  if (enc === undefined) {
    // Never echo the value: it may be a secret.
    throw new EnvEditError(
      `value for ${key} has no form that dotenv reads back unchanged (dotenv has no escape for quote characters: ` +
        `e.g. a value holding both " and a carriage return, ', " and \` together with #, or a trailing backslash after blanks); change the value`,
    );
  }
  return enc;
}

function dominantEol(text: string): string {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? "\r\n" : "\n";
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

/**
 * Sets `set` and removes `remove`, changing nothing else.
 *
 * - A key present more than once: its last occurrence (the one dotenv uses) is updated; earlier
 *   ones are left as they are, and `warnings` says so (line numbers, never values). `remove`
 *   deletes every occurrence, so the key is really gone.
 * - An updated line keeps its `export ` prefix, spacing, inline comment and quoting style when the
 *   new value can be written in that style.
 * - New keys are appended at the end, in the order of `set`, as `KEY="value"`, with the file's
 *   dominant line ending (LF for a new file). A file that ends without a line break still does
 *   after our edit (a separator is added before an appended line); an empty file gets a final one.
 * - Values equal to what dotenv already reads are not touched, so a second run reports
 *   `changed: false` and returns the text byte for byte.
 */
export function setEnvEntries(text: string, set: Record<string, string>, remove: readonly string[] = []): EditResult {
  for (const k of Object.keys(set)) {
    checkKey(k, "key");
    if (set[k]!.includes("\0")) throw new EnvEditError(`value for ${k} contains a NUL byte, which no .env reader accepts`);
  }
  for (const k of remove) {
    checkKey(k, "key to remove");
    if (Object.prototype.hasOwnProperty.call(set, k)) throw new EnvEditError(`key ${k} is both set and removed in one request`);
  }
  const entries = parseEnvEntries(text);
  const last = new Map<string, EnvEntry>();
  for (const e of entries) last.set(e.key, e);
  const warnings = duplicateWarnings(text, entries, Object.keys(set));

  const splices: Splice[] = [];
  const removeSet = new Set(remove);
  for (const e of entries) {
    if (removeSet.has(e.key)) splices.push({ start: e.lineStart, end: e.nextLineStart, text: "" });
  }
  const appended: string[] = [];
  for (const [key, value] of Object.entries(set)) {
    const current = last.get(key);
    if (current === undefined) {
      appended.push(`${key}=${encodeOrThrow(key, value, "double")}`);
      continue;
    }
    if (current.value === value) continue;
    let enc = encodeOrThrow(key, value, current.style);
    // A comment glued to the old value (`K=#c`) needs a blank before it after a quoted value.
    const rest = text.slice(current.valueEnd, current.lineEnd);
    if (rest !== "" && !/^\s/.test(rest)) enc += " ";
    splices.push({ start: current.valueStart, end: current.valueEnd, text: enc });
  }
  if (splices.length === 0 && appended.length === 0) return { text, changed: false, ...(warnings.length ? { warnings } : {}) };

  splices.sort((a, b) => a.start - b.start);
  let out = "";
  let pos = 0;
  for (const s of splices) {
    out += text.slice(pos, s.start) + s.text;
    pos = s.end;
  }
  out += text.slice(pos);

  const endsWithEol = /[\r\n]$/.test(text);
  // Removing the last line of a file without a final line break leaves the previous line's
  // terminator at the end: drop it so that the file still ends the way it did.
  if (text !== "" && !endsWithEol) out = out.replace(/(\r\n|\r|\n)$/, "");
  if (appended.length > 0) {
    const eol = dominantEol(text);
    if (out !== "" && !/[\r\n]$/.test(out)) out += eol;
    out += appended.join(eol);
    if (text === "" || endsWithEol) out += eol;
  }
  verifyEdit(text, out, set, removeSet);
  return { text: out, changed: out !== text, ...(warnings.length ? { warnings } : {}) };
}

/** 1-based line of an offset. */
function lineNumber(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10 || (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  return n;
}

/**
 * A key we set that the file holds more than once: dotenv reads (and we update) the last line;
 * the earlier ones stay as they are, and the operator should know they are dead weight.
 */
function duplicateWarnings(text: string, entries: readonly EnvEntry[], keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const same = entries.filter((e) => e.key === key);
    if (same.length < 2) continue;
    const lines = same.map((e) => lineNumber(text, e.lineStart));
    const earlier = lines.slice(0, -1);
    out.push(
      `${key} is set ${same.length} times (lines ${lines.join(", ")}); dotenv reads the last one (line ${lines[lines.length - 1]}), so that line is the one kept up to date; ` +
        `the earlier ${earlier.length === 1 ? "line" : "lines"} ${earlier.join(", ")} ${earlier.length === 1 ? "stays" : "stay"} as ${earlier.length === 1 ? "it is" : "they are"}: remove ${earlier.length === 1 ? "it" : "them"} by hand`,
    );
  }
  return out;
}

/**
 * The result must read (with dotenv's rules) exactly as intended: our keys set or gone, every other
 * key unchanged. This catches a quote left open earlier in the file, which would swallow our line.
 */
function verifyEdit(before: string, after: string, set: Record<string, string>, remove: ReadonlySet<string>): void {
  const read = (t: string) => {
    const m = new Map<string, string>();
    for (const e of parseEnvEntries(t)) m.set(e.key, e.value);
    return m;
  };
  const a = read(before);
  const b = read(after);
  let ok = true;
  for (const [k, v] of a) if (!remove.has(k) && !Object.prototype.hasOwnProperty.call(set, k) && b.get(k) !== v) ok = false;
  for (const [k, v] of Object.entries(set)) if (b.get(k) !== v) ok = false;
  for (const k of remove) if (b.has(k)) ok = false;
  for (const k of b.keys()) if (!a.has(k) && !Object.prototype.hasOwnProperty.call(set, k)) ok = false;
  if (!ok) {
    throw new EnvEditError(
      "cannot be edited safely: dotenv would read the edited file differently than intended " +
        "(usually a quoted value that is never closed earlier in the file); fix the file by hand",
    );
  }
}
