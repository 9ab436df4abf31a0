/**
 * Pure JSON editor for files we share with OpenClaw: auth stores (plain JSON, read by OpenClaw with
 * JSON.parse) and `openclaw.json` (JSON5, facts/openclaw.md §2.3).
 *
 * Edits change only the given paths. Comments, key order, blank lines and indentation elsewhere
 * are kept byte for byte (jsonc-parser edits text ranges; it never re-serialises the document).
 * A value that already equals the wanted one is not touched, so a second run reports
 * `changed: false` and returns the same bytes.
 *
 * JSON5: jsonc-parser understands comments and trailing commas, but not the rest of JSON5. A file
 * using unquoted keys, single-quoted strings, hex or signed numbers (as OpenClaw accepts and
 * writes them) is edited through json5-text.ts: each edit is made on the file's JSON spelling
 * and only the changed region is spliced back, so everything else keeps its bytes. Only
 * Infinity/NaN (which JSON cannot carry) are refused, naming the place. A property added to an
 * object written on one line stays on that line.
 *
 * Every result is re-parsed and compared with the in-memory expectation before it is returned,
 * so a caller never receives a half-edited or invalid text.
 */
import JSON5 from "json5";
// Bundling: jsonc-parser's UMD build hides its requires from esbuild (microsoft/node-jsonc-parser#57), so
// scripts/build-runtime.mjs prefers the "module" (ESM) entry.
import { applyEdits, createScanner, modify, parse as jsoncParse, parseTree } from "jsonc-parser";
import type { FormattingOptions, Node as JsonNode, ParseError } from "jsonc-parser";
import { ExitCode, UserError } from "../errors";
import { nestingProblem } from "../security/limits";
import { Json5TokenError, normaliseJson5, spliceBack, type Normalised } from "./json5-text";
import type { EditResult, JsonEdit, JsonPath } from "./types";

export class JsonEditError extends UserError {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message, ExitCode.dataErr);
    this.name = "JsonEditError";
  }
}

export interface JsonTextOptions {
  /** The file is JSON5 (openclaw.json). Otherwise strict JSON, as OpenClaw's JSON.parse reads it. */
  json5?: boolean;
}

// jsonc-parser's const enums cannot be used under isolatedModules; their values are stable API.
const K = { comma: 5, lineComment: 12, blockComment: 13, lineBreak: 14, trivia: 15, unknown: 16, eof: 17 } as const;
const ERR: Record<number, string> = {
  1: "unexpected character",
  2: "invalid number",
  3: "expected a property name in double quotes",
  4: "expected a value",
  5: "expected ':'",
  6: "expected ','",
  7: "expected '}'",
  8: "expected ']'",
  9: "unexpected content after the end of the document",
  10: "comments are not allowed here",
  11: "unterminated comment",
  12: "unterminated string",
  13: "unterminated number",
  14: "invalid unicode escape",
  15: "invalid escape character in a string",
  16: "invalid control character in a string",
};
const BOM = "\uFEFF";

// --- positions and parsing ----------------------------------------------------------------------

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

function jsoncErrors(text: string, strict: boolean): ParseError[] {
  const errors: ParseError[] = [];
  jsoncParse(text, errors, { allowTrailingComma: !strict, disallowComments: strict, allowEmptyContent: false });
  return errors;
}

function invalid(text: string, offset: number, what: string): JsonEditError {
  const { line, column } = lineColumn(text, offset);
  return new JsonEditError(`not valid ${what} at line ${line}, column ${column}`, line, column);
}

/** Refuses absurdly deep documents before any recursive parser sees them (SECURITY.md). */
function assertDepth(body: string): void {
  const deep = nestingProblem(body);
  if (deep) throw new JsonEditError(`not usable: ${deep}`);
}

function parseStrict(body: string): unknown {
  assertDepth(body);
  try {
    return JSON.parse(body);
  } catch {
    // JSON.parse's message quotes the text around the error (which may be a token): use our own.
    const e = jsoncErrors(body, true)[0];
    if (body.trim() === "") return fail("empty: expected a JSON document");
    if (!e) return fail("not valid JSON");
    const where = invalid(body, e.offset, "JSON");
    throw new JsonEditError(`${where.message}: ${ERR[e.error] ?? "syntax error"}`, where.line, where.column);
  }
}

function parseJson5(body: string): unknown {
  assertDepth(body);
  try {
    return JSON5.parse(body);
  } catch (e) {
    if (body.trim() === "") return fail("empty: expected a JSON5 document");
    const err = e as { lineNumber?: number; columnNumber?: number };
    const line = err.lineNumber;
    const column = err.columnNumber;
    // JSON5's message quotes the offending character; report the position only.
    const reason = /end of input/.test(String((e as Error).message)) ? ": unexpected end of the document" : ": syntax error";
    if (line === undefined || column === undefined) throw new JsonEditError(`not valid JSON5${reason}`);
    throw new JsonEditError(`not valid JSON5 at line ${line}, column ${column}${reason}`, line, column);
  }
}

function fail(message: string): never {
  throw new JsonEditError(message);
}

function stripBom(text: string): { bom: string; body: string } {
  return text.startsWith(BOM) ? { bom: BOM, body: text.slice(1) } : { bom: "", body: text };
}

/**
 * Parses the whole text: strict JSON (what OpenClaw's JSON.parse accepts), or JSON5 for
 * openclaw.json. Throws JsonEditError with line:column (never quoting file content).
 */
export function parseJsonText(text: string, opts: JsonTextOptions = {}): unknown {
  if (opts.json5) return parseJson5(stripBom(text).body);
  return parseStrict(text);
}

/** What a JSON5 construct at `offset` is, for the error message. */
function json5Feature(body: string, offset: number, code: number): string {
  const rest = body.slice(offset, offset + 12);
  if (/^[xX]/.test(rest) && body[offset - 1] === "0") return "a hexadecimal number";
  if (rest.startsWith("'")) return "a single-quoted string";
  if (/^0[xX]/.test(rest)) return "a hexadecimal number";
  if (/^([+.]|-?(Infinity|NaN)|\d+\.(?!\d))/.test(rest) || /^(Infinity|NaN)/.test(rest)) return "a JSON5 number";
  if (code === 15 || code === 12) return "a JSON5 string escape or line continuation";
  if (code === 3 || /^[A-Za-z_$]/.test(rest)) return "an unquoted key";
  return "JSON5-only syntax";
}

/** Refuses JSON5 that jsonc-parser cannot edit without losing the file's formatting. */
function assertJsoncEditable(body: string): void {
  const e = jsoncErrors(body, false)[0];
  if (!e) return;
  const { line, column } = lineColumn(body, e.offset);
  throw new JsonEditError(
    `uses JSON5 syntax (${json5Feature(body, e.offset, e.error)}) at line ${line}, column ${column}, which cannot be ` +
      `edited without losing the file's formatting; convert the file to plain JSON (comments and trailing commas may stay) ` +
      `or set the value by hand`,
    line,
    column,
  );
}

/**
 * JSON5 beyond what jsonc-parser reads: each edit on the normalised (JSON-spelled) text, its
 * changed region spliced back into the original (json5-text.ts). `body` has no BOM.
 */
function editFullJson5(body: string, edits: readonly JsonEdit[]): string {
  let expected = parseJson5(body);
  let cur = body;
  for (const edit of edits) {
    let norm: Normalised;
    try {
      norm = normaliseJson5(cur);
    } catch (e) {
      if (!(e instanceof Json5TokenError)) throw e;
      const { line, column } = lineColumn(cur, e.offset);
      throw new JsonEditError(`uses ${e.message} at line ${line}, column ${column}; write a number there (or set the value by hand)`, line, column);
    }
    assertJsoncEditable(norm.text);
    const r = editJsonText(norm.text, [edit], { json5: true });
    if (r.changed) cur = spliceBack(cur, norm, r.text);
    expected = applyToValue(expected, edit.path, edit.value);
  }
  let reparsed: unknown;
  try {
    reparsed = parseJson5(cur);
  } catch (e) {
    throw new JsonEditError(`internal error: the edit produced text that does not parse (${(e as Error).message}); nothing was written`);
  }
  if (!jsonEqual(reparsed, expected)) throw new JsonEditError("internal error: the edited text does not hold the expected values; nothing was written");
  return cur;
}

// --- values -----------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** True for values JSON.stringify writes without loss (no undefined, NaN, functions, class instances). */
export function isJsonValue(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v); // -0 is written as 0, which JSON treats as equal
  if (Array.isArray(v)) return v.every(isJsonValue);
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v as Obj).every(isJsonValue);
  }
  return false;
}

/** Deep equality of parsed JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => own(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The value at `path`, or undefined when the path does not exist (JSON has no undefined, so the
 * two cannot be confused).
 * @example getJsonPath({ a: [{ b: 1 }] }, ["a", 0, "b"]) // → 1
 */
export function getJsonPath(value: unknown, path: JsonPath): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(cur) || seg < 0 || seg >= cur.length) return undefined;
      cur = cur[seg];
    } else {
      if (!isObj(cur) || !own(cur, seg)) return undefined;
      cur = cur[seg];
    }
  }
  return cur;
}

/** `agents.defaults.models["anthropic/claude-opus-4-5"]`, `fallbacks[0]`; `(root)` for []. */
export function formatJsonPath(path: JsonPath): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function defineKey(o: Obj, k: string, v: unknown): void {
  // defineProperty, so that a key named "__proto__" is data, not a prototype change.
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** In-memory counterpart of one edit (the expectation the edited text is checked against). */
function applyToValue(doc: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [seg, ...rest] = path;
  if (typeof seg === "number") {
    const arr = Array.isArray(doc) ? doc.slice() : [];
    if (value === undefined && rest.length === 0) {
      if (seg < arr.length) arr.splice(seg, 1);
      return arr;
    }
    arr[seg] = applyToValue(arr[seg], rest, value);
    return arr;
  }
  const o: Obj = {};
  if (isObj(doc)) for (const k of Object.keys(doc)) defineKey(o, k, doc[k]);
  if (value === undefined && rest.length === 0) {
    delete o[seg!];
    return o;
  }
  defineKey(o, seg!, applyToValue(isObj(doc) && own(doc, seg!) ? doc[seg!] : undefined, rest, value));
  return o;
}

// --- text helpers -------------------------------------------------------------------------------

function dominantEol(text: string): string {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? "\r\n" : "\n";
}

/**
 * The file's indent unit: the leading blanks of the root's first member when it starts a line
 * (tabs or N spaces); 2 spaces otherwise.
 */
function detectIndent(text: string, root: JsonNode | undefined): { insertSpaces: boolean; tabSize: number; unit: string } {
  const first = root?.children?.[0];
  if (first) {
    let ls = first.offset;
    while (ls > 0 && isBlank(text[ls - 1])) ls--;
    const ws = text.slice(ls, first.offset);
    if ((ls === 0 || isEolChar(text[ls - 1])) && ws !== "") {
      if (ws.includes("\t")) return { insertSpaces: false, tabSize: 4, unit: "\t" };
      return { insertSpaces: true, tabSize: ws.length, unit: ws };
    }
  }
  return { insertSpaces: true, tabSize: 2, unit: "  " };
}

interface Span {
  start: number;
  end: number;
}

/** The comma following `offset`, skipping blanks and comments; undefined if the next token is another. */
function commaAfter(text: string, offset: number): Span | undefined {
  const sc = createScanner(text, false);
  sc.setPosition(offset);
  for (;;) {
    const k = sc.scan() as number;
    if (k === K.trivia || k === K.lineBreak || k === K.lineComment || k === K.blockComment) continue;
    if (k === K.comma) return { start: sc.getTokenOffset(), end: sc.getTokenOffset() + sc.getTokenLength() };
    return undefined;
  }
}

const isBlank = (c: string | undefined): boolean => c === " " || c === "\t";
const isEolChar = (c: string | undefined): boolean => c === "\n" || c === "\r";
function eolLength(text: string, at: number): number {
  if (text.startsWith("\r\n", at)) return 2;
  return isEolChar(text[at]) ? 1 : 0;
}

interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

/**
 * Removes child `index` of `parent` (an object property or array element) with its comma, and its
 * line when it had one to itself. Comments around it stay (jsonc-parser's own removal deletes the
 * comments between neighbours).
 */
function removalEdits(text: string, parent: JsonNode, index: number): TextEdit[] {
  const kids = parent.children!;
  const node = kids[index]!;
  let s = node.offset;
  let e = node.offset + node.length;
  const edits: TextEdit[] = [];
  if (kids.length === 1) {
    const inside = { start: parent.offset + 1, end: parent.offset + parent.length - 1 };
    const around = text.slice(inside.start, s) + text.slice(e, inside.end);
    if (/^[\s,]*$/.test(around)) return [{ offset: inside.start, length: inside.end - inside.start, content: "" }];
  }
  const after = commaAfter(text, e);
  let joinedWithPrevious = false;
  if (after) {
    // A comment between the value and its comma stays where it is.
    if (/^\s*$/.test(text.slice(e, after.start))) e = after.end;
    else edits.push({ offset: after.start, length: after.end - after.start, content: "" });
  } else if (index > 0) {
    const prev = kids[index - 1]!;
    const c = commaAfter(text, prev.offset + prev.length)!;
    if (/^\s*$/.test(text.slice(c.end, s))) {
      s = c.start;
      joinedWithPrevious = true;
    } else {
      edits.push({ offset: c.start, length: c.end - c.start, content: "" });
    }
  }
  if (!joinedWithPrevious) {
    let ls = s;
    while (ls > 0 && isBlank(text[ls - 1])) ls--;
    let le = e;
    while (le < text.length && isBlank(text[le])) le++;
    const atLineStart = ls === 0 || isEolChar(text[ls - 1]);
    const atLineEnd = le === text.length || isEolChar(text[le]);
    if (atLineStart && atLineEnd) {
      s = ls;
      e = le + eolLength(text, le);
    } else if (after && e === after.end) {
      e = le;
    }
  }
  edits.push({ offset: s, length: e - s, content: "" });
  return edits;
}

/**
 * Adds a property at the end of a multi-line object: on its own line after the last property's
 * line (after a comment that ends that line), with that property's indentation. Undefined when
 * the object is not laid out one property per line; jsonc-parser's insertion is used then.
 */
function propertyInsertion(text: string, obj: JsonNode, key: string, value: unknown, unit: string, eol: string): TextEdit[] | undefined {
  const kids = obj.children ?? [];
  const prev = kids[kids.length - 1];
  if (!prev) return undefined;
  let ls = prev.offset;
  while (ls > 0 && isBlank(text[ls - 1])) ls--;
  if (!(ls === 0 || isEolChar(text[ls - 1]))) return undefined;
  const indent = text.slice(ls, prev.offset);
  const prevEnd = prev.offset + prev.length;
  const comma = commaAfter(text, prevEnd);
  // The rest of the line after the property (and its comma) may hold only blanks and comments.
  const sc = createScanner(text, false);
  sc.setPosition(comma ? comma.end : prevEnd);
  let lineEnd = -1;
  for (;;) {
    const k = sc.scan() as number;
    if (k === K.trivia || k === K.blockComment) {
      if (k === K.blockComment && /[\r\n]/.test(text.slice(sc.getTokenOffset(), sc.getTokenOffset() + sc.getTokenLength()))) return undefined;
      continue;
    }
    if (k === K.lineComment) {
      lineEnd = sc.getTokenOffset() + sc.getTokenLength();
      break;
    }
    if (k === K.lineBreak) {
      lineEnd = sc.getTokenOffset();
      break;
    }
    return undefined; // another token on the same line
  }
  const valueText = JSON.stringify(value, null, unit).split("\n").join(eol + indent);
  const line = `${eol}${indent}${JSON.stringify(key)}: ${valueText}${comma ? "," : ""}`;
  const edits: TextEdit[] = [];
  if (!comma) edits.push({ offset: prevEnd, length: 0, content: "," });
  edits.push({ offset: lineEnd, length: 0, content: line });
  return edits;
}

const isOneLine = (text: string, n: JsonNode): boolean => !/[\r\n]/.test(text.slice(n.offset, n.offset + n.length));

/** A value on one line, spaced like a hand-written one: `{ "a": 1, "b": [1, 2] }`. */
function inlineJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inlineJson).join(", ")}]`;
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v);
    return entries.length === 0 ? "{}" : `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inlineJson(x)}`).join(", ")} }`;
  }
  return JSON.stringify(v);
}

/**
 * Adds a property to an object written on one line (inside a multi-line document), on that line:
 * `{ a: 1 }` → `{ a: 1, "b": 2 }`, a trailing comma kept. Undefined for a multi-line object, or an
 * empty one holding a comment.
 */
function inlineInsertion(text: string, obj: JsonNode, key: string, value: unknown): TextEdit[] | undefined {
  if (!isOneLine(text, obj)) return undefined;
  const entry = `${JSON.stringify(key)}: ${inlineJson(value)}`;
  const kids = obj.children ?? [];
  const last = kids[kids.length - 1];
  if (!last) {
    if (!/^\{\s*\}$/.test(text.slice(obj.offset, obj.offset + obj.length))) return undefined;
    return [{ offset: obj.offset + 1, length: obj.length - 2, content: ` ${entry} ` }];
  }
  const end = last.offset + last.length;
  const comma = commaAfter(text, end);
  if (comma) return [{ offset: comma.end, length: 0, content: ` ${entry},` }];
  return [{ offset: end, length: 0, content: `, ${entry}` }];
}

// --- the editor ---------------------------------------------------------------------------------

interface Located {
  /** The node at the full path, if it exists. */
  node?: JsonNode;
  /** The container holding the last segment, if it exists. */
  parent?: JsonNode;
  /** Index of the last segment's node among parent's children (property node for objects). */
  childIndex?: number;
  /** When the path does not exist: the deepest existing container, and the index of the first missing segment. */
  container?: JsonNode;
  missingAt?: number;
}

function nodeKind(n: JsonNode): string {
  return n.type === "object" ? "an object" : n.type === "array" ? "an array" : `a ${n.type}`;
}

/** Walks `path` in the tree, checking that the edit can be made exactly where asked. */
function locate(text: string, root: JsonNode | undefined, path: JsonPath, setting: boolean): Located {
  let node: JsonNode | undefined = root;
  let parent: JsonNode | undefined;
  let childIndex: number | undefined;
  let container: JsonNode | undefined;
  let missingAt: number | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const here = formatJsonPath(path.slice(0, i));
    if (node === undefined) {
      // Inside a container that the edit creates: a new array can only get element 0.
      if (setting && typeof seg === "number" && seg !== 0) {
        throw new JsonEditError(`${formatJsonPath(path)}: ${here} does not exist, so index ${seg} cannot be set (a new array starts at [0])`);
      }
      parent = undefined;
      continue;
    }
    parent = node;
    if (node.type === "object" && typeof seg === "string") {
      const props = (node.children ?? []).filter((p) => p.children?.[0]?.value === seg);
      if (props.length > 1) {
        const { line, column } = lineColumn(text, props[1]!.offset);
        throw new JsonEditError(
          `${formatJsonPath(path)}: key ${JSON.stringify(seg)} appears ${props.length} times in ${i === 0 ? "the top-level object" : here} (again at line ${line}, column ${column}); remove the duplicates by hand`,
          line,
          column,
        );
      }
      childIndex = props[0] ? node.children!.indexOf(props[0]) : undefined;
      if (!props[0]) {
        container = node;
        missingAt = i;
      }
      node = props[0]?.children?.[1];
    } else if (node.type === "array" && typeof seg === "number") {
      const len = node.children?.length ?? 0;
      if (seg > len) {
        if (!setting) return { parent: node };
        throw new JsonEditError(`${formatJsonPath(path)}: index ${seg} is past the end of ${here} (length ${len}); an element can be appended at [${len}]`);
      }
      childIndex = seg < len ? seg : undefined;
      if (seg === len) {
        container = node;
        missingAt = i;
      }
      node = node.children?.[seg];
    } else {
      const want = typeof seg === "number" ? "an array" : "an object";
      throw new JsonEditError(`${formatJsonPath(path)}: ${here} is ${nodeKind(node)}, not ${want}; fix the file by hand or choose another path`);
    }
  }
  return {
    ...(node !== undefined ? { node } : {}),
    ...(parent !== undefined ? { parent } : {}),
    ...(childIndex !== undefined ? { childIndex } : {}),
    ...(node === undefined && container !== undefined && missingAt !== undefined ? { container, missingAt } : {}),
  };
}

function checkEdit(edit: JsonEdit): void {
  if (!Array.isArray(edit.path)) throw new JsonEditError("edit path must be an array of keys and indexes");
  for (const seg of edit.path) {
    if (typeof seg === "number" ? !Number.isSafeInteger(seg) || seg < 0 : typeof seg !== "string") {
      throw new JsonEditError(`${formatJsonPath(edit.path)}: path segments must be strings or non-negative integers`);
    }
  }
  if (edit.value === undefined && edit.path.length === 0) throw new JsonEditError("cannot remove the whole document");
  if (edit.value !== undefined && !isJsonValue(edit.value)) {
    throw new JsonEditError(`${formatJsonPath(edit.path)}: value is not plain JSON (undefined inside, NaN, Infinity or a non-plain object)`);
  }
}

export interface EditJsonOptions extends JsonTextOptions {}

/**
 * Applies `edits` in order (`value: undefined` removes). Only the edited paths change.
 *
 * - New or blank text: the result is the edits' values, 2-space indented, with a final newline.
 * - New properties go on their own line after the last property, with its indentation (the file's
 *   indent unit — tabs or N spaces — for nested values) and the file's line ending; a one-line
 *   document stays on one line.
 * - Missing parents are created as objects (for string keys) or arrays (index 0 only).
 * - Removing an array element shifts the later ones; removing a missing path is a no-op.
 *
 * @throws JsonEditError for text that does not parse, JSON5 syntax jsonc-parser cannot edit, paths
 *   through a non-container or with duplicate keys, indexes past an array's end.
 * @example editJsonText('{\n  "a": 1 // keep\n}\n', [{ path: ["b", "c"], value: true }])
 *   // → '{\n  "a": 1, // keep\n  "b": {\n    "c": true\n  }\n}\n'
 */
export function editJsonText(text: string, edits: readonly JsonEdit[], opts: EditJsonOptions = {}): EditResult {
  for (const e of edits) checkEdit(e);
  const { bom, body } = stripBom(text);
  const json5 = opts.json5 === true;

  if (body.trim() === "") {
    let doc: unknown = undefined;
    for (const e of edits) doc = e.value === undefined ? (doc === undefined ? undefined : applyToValue(doc, e.path, undefined)) : applyToValue(doc, e.path, e.value);
    if (doc === undefined) return { text, changed: false };
    return { text: bom + JSON.stringify(doc, null, 2) + "\n", changed: true };
  }

  if (json5 && jsoncErrors(body, false).length > 0) {
    const edited = editFullJson5(body, edits);
    return edited === body ? { text, changed: false } : { text: bom + edited, changed: true };
  }
  let expected = json5 ? parseJson5(body) : parseStrict(body);
  const eol = dominantEol(body);
  const indent = detectIndent(body, parseTree(body, [], { allowTrailingComma: true, disallowComments: false }));
  // A document written on one line (e.g. JSON.stringify without indent) is kept on one line.
  const compact = !/[\r\n]/.test(body.trim());
  const formattingOptions: FormattingOptions | undefined = compact
    ? undefined
    : { tabSize: indent.tabSize, insertSpaces: indent.insertSpaces, eol, insertFinalNewline: false };

  let cur = body;
  for (const edit of edits) {
    const present = getJsonPath(expected, edit.path);
    if (edit.value === undefined ? present === undefined : present !== undefined && jsonEqual(present, edit.value)) continue;
    const root = parseTree(cur, [], { allowTrailingComma: true, disallowComments: false });
    const at = locate(cur, root, edit.path, edit.value !== undefined);
    let textEdits: TextEdit[] | undefined;
    if (edit.value === undefined) {
      if (at.node === undefined || at.parent === undefined || at.childIndex === undefined) continue;
      textEdits = removalEdits(cur, at.parent, at.childIndex);
    } else {
      const key = at.missingAt !== undefined ? edit.path[at.missingAt] : undefined;
      if (at.container?.type === "object" && typeof key === "string" && !compact) {
        const inner = applyToValue(undefined, edit.path.slice(at.missingAt! + 1), edit.value);
        textEdits = inlineInsertion(cur, at.container, key, inner) ?? propertyInsertion(cur, at.container, key, inner, indent.unit, eol);
      } else if (at.node && at.parent && !compact && isOneLine(cur, at.parent) && typeof edit.value === "object" && edit.value !== null) {
        // A container value inside a one-line object/array stays on that line.
        textEdits = [{ offset: at.node.offset, length: at.node.length, content: inlineJson(edit.value) }];
      }
      try {
        textEdits ??= modify(cur, edit.path as (string | number)[], edit.value, formattingOptions ? { formattingOptions } : {});
      } catch (e) {
        throw new JsonEditError(`${formatJsonPath(edit.path)}: cannot be set here (${(e as Error).message})`);
      }
    }
    cur = applyEdits(cur, textEdits);
    expected = applyToValue(expected, edit.path, edit.value);
  }

  if (cur === body) return { text, changed: false };
  let reparsed: unknown;
  try {
    reparsed = json5 ? parseJson5(cur) : parseStrict(cur);
    if (json5) assertJsoncEditable(cur);
  } catch (e) {
    throw new JsonEditError(`internal error: the edit produced text that does not parse (${(e as Error).message}); nothing was written`);
  }
  if (!jsonEqual(reparsed, expected)) {
    throw new JsonEditError("internal error: the edited text does not hold the expected values; nothing was written");
  }
  return { text: bom + cur, changed: true };
}
