/**
 * JSON5 as OpenClaw writes and accepts it (unquoted keys, single-quoted strings, hex and signed
 * numbers, comments, trailing commas), made editable by the JSONC editor in json.ts without
 * touching anything but the edited spot (issue 18).
 *
 * `normaliseJson5` rewrites each JSON5-only token into its JSON spelling (`agents` → `"agents"`,
 * `'x'` → `"x"`, `0x10` → `16`) and keeps a segment map between the two texts. An edit is made on
 * the normalised text; the region it changed (common prefix/suffix) is mapped back and spliced
 * into the original, so every byte outside that region — comments, quoting style, trailing
 * commas, layout — stays as the operator or OpenClaw wrote it.
 */
import JSON5 from "json5";

interface Segment {
  /** Start in the original text and in the normalised text. */
  o: number;
  n: number;
  /** Lengths in each. */
  ol: number;
  nl: number;
  /** Rewritten (JSON5-only spelling); a region boundary must not fall inside it. */
  changed: boolean;
}

export interface Normalised {
  text: string;
  segments: Segment[];
}

export class Json5TokenError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const ID_START = /[A-Za-z_$\p{L}\p{Nl}\\]/u;
const ID_PART = /[A-Za-z0-9_$\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}\u200C\u200D\\]/u;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The JSON spelling of every JSON5-only token; throws Json5TokenError at what JSON cannot carry (Infinity, NaN). */
export function normaliseJson5(src: string): Normalised {
  const segments: Segment[] = [];
  let out = "";
  let plainStart = 0;
  const flushPlain = (end: number) => {
    if (end > plainStart) {
      segments.push({ o: plainStart, n: out.length, ol: end - plainStart, nl: end - plainStart, changed: false });
      out += src.slice(plainStart, end);
    }
  };
  const rewrite = (start: number, end: number, json: string) => {
    if (json === src.slice(start, end)) return; // already JSON: stays in the plain run
    flushPlain(start);
    segments.push({ o: start, n: out.length, ol: end - start, nl: json.length, changed: true });
    out += json;
    plainStart = end;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "/" && src[i + 1] === "/") {
      const nl = src.slice(i).search(/[\r\n\u2028\u2029]/);
      i = nl < 0 ? src.length : i + nl;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === "\\" ? 2 : 1;
      const end = Math.min(j + 1, src.length);
      const tok = src.slice(i, end);
      let json: string;
      try {
        json = JSON.stringify(JSON5.parse(tok) as string);
      } catch {
        throw new Json5TokenError("an unterminated or invalid string", i);
      }
      // A valid JSON string is kept as written (its escapes may differ from JSON.stringify's).
      if (c === '"' && isJsonString(tok)) json = tok;
      rewrite(i, end, json);
      i = end;
    } else if (/[0-9+\-.]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9A-Za-z_.+\-]/.test(src[j]!)) {
        // A sign only right after an exponent marker of a decimal number.
        if ((src[j] === "+" || src[j] === "-") && !/[eE]/.test(src[j - 1]!) ) break;
        j++;
      }
      const tok = src.slice(i, j);
      if (!JSON_NUMBER.test(tok)) {
        let v: unknown;
        try {
          v = JSON5.parse(tok);
        } catch {
          throw new Json5TokenError("an invalid number", i);
        }
        if (typeof v !== "number" || !Number.isFinite(v)) throw new Json5TokenError(`${tok}, which JSON cannot carry`, i);
        rewrite(i, j, JSON.stringify(v));
      }
      i = j;
    } else if (ID_START.test(c)) {
      let j = i + 1;
      while (j < src.length && ID_PART.test(src[j]!)) j += src[j] === "\\" ? 6 : 1;
      const tok = src.slice(i, j);
      if (tok === "true" || tok === "false" || tok === "null") {
        i = j;
        continue;
      }
      if (tok === "Infinity" || tok === "NaN") throw new Json5TokenError(`${tok}, which JSON cannot carry`, i);
      let name: string;
      try {
        name = Object.keys(JSON5.parse(`{${tok}:0}`) as object)[0]!;
      } catch {
        throw new Json5TokenError("an unexpected word", i);
      }
      rewrite(i, j, JSON.stringify(name));
      i = j;
    } else {
      i++;
    }
  }
  flushPlain(src.length);
  return { text: out, segments };
}

function isJsonString(tok: string): boolean {
  try {
    return typeof JSON.parse(tok) === "string";
  } catch {
    return false;
  }
}

/**
 * Original offset for normalised offset `n`. `side` says which way to widen when `n` falls inside
 * a rewritten token ("start": to its start, "end": to its end); returns the widened normalised
 * offset too.
 */
export function toOriginal(norm: Normalised, n: number, side: "start" | "end"): { o: number; n: number } {
  for (const s of norm.segments) {
    if (n < s.n || n > s.n + s.nl) continue;
    if (!s.changed) return { o: s.o + (n - s.n), n };
    if (n === s.n) return { o: s.o, n };
    if (n === s.n + s.nl) return { o: s.o + s.ol, n };
    return side === "start" ? { o: s.o, n: s.n } : { o: s.o + s.ol, n: s.n + s.nl };
  }
  // Past the end (empty text): the end.
  const last = norm.segments[norm.segments.length - 1];
  return last ? { o: last.o + last.ol, n: last.n + last.nl } : { o: 0, n: 0 };
}

/**
 * Carries the change from `normBefore` to `normAfter` (one edit's result) into `original`: only
 * the changed region is replaced.
 */
export function spliceBack(original: string, norm: Normalised, normAfter: string): string {
  const a = norm.text;
  const b = normAfter;
  let p = 0;
  const max = Math.min(a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  const start = toOriginal(norm, p, "start");
  const end = toOriginal(norm, a.length - s, "end");
  const replacement = a.slice(start.n, p) + b.slice(p, b.length - s) + a.slice(a.length - s, end.n);
  return original.slice(0, start.o) + replacement + original.slice(end.o);
}
