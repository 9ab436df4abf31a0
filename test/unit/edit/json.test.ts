import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import JSON5 from "json5";
import { createScanner, findNodeAtLocation, parseTree } from "jsonc-parser";
import {
  JsonEditError,
  editJsonText,
  formatJsonPath,
  getJsonPath,
  jsonEqual,
  parseJsonText,
} from "../../../runtime/src/edit/json";
import type { JsonEdit } from "../../../runtime/src/edit/types";
import { fakeAccessToken } from "../../helpers/tokens";

const FIXTURES = join(__dirname, "../../fixtures/json-edit");
const NUM_RUNS = Number(process.env.EDIT_PROPERTY_RUNS ?? 200);

interface JsonFixture {
  description: string;
  given: string;
  json5?: boolean;
  /** An edit without "value" removes the path. */
  edits: { path: (string | number)[]; value?: unknown }[];
  expected?: string;
  changed?: boolean;
  /** For refusals: a substring of the JsonEditError message. */
  error?: string;
}

const fixtureFiles = readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort();
const load = (f: string): JsonFixture => JSON.parse(readFileSync(join(FIXTURES, f), "utf8")) as JsonFixture;
const toEdits = (fx: JsonFixture): JsonEdit[] => fx.edits.map((e) => ({ path: e.path, value: e.value }));

describe("JSON editor fixtures (test/fixtures/json-edit)", () => {
  test("there are fixtures, and every changing fixture has a noop sibling starting from its expected text", () => {
    assert.ok(fixtureFiles.length >= 30, `only ${fixtureFiles.length} fixtures`);
    for (const f of fixtureFiles.filter((x) => !x.endsWith(".noop.json"))) {
      const fx = load(f);
      if (!fx.changed) continue;
      const sibling = f.replace(/\.json$/, ".noop.json");
      assert.ok(fixtureFiles.includes(sibling), `${f} changes the text but has no ${sibling}`);
      const noop = load(sibling);
      assert.equal(noop.given, fx.expected);
      assert.deepEqual(noop.edits, fx.edits);
      assert.equal(noop.changed, false);
    }
  });

  for (const f of fixtureFiles) {
    const fx = load(f);
    test(`${f}: ${fx.description}`, () => {
      const opts = { json5: fx.json5 === true };
      if (fx.error !== undefined) {
        assert.throws(() => editJsonText(fx.given, toEdits(fx), opts), (e: Error) => e instanceof JsonEditError && e.message.includes(fx.error!));
        return;
      }
      const r = editJsonText(fx.given, toEdits(fx), opts);
      assert.equal(r.text, fx.expected);
      assert.equal(r.changed, fx.changed);
      const doc = parseJsonText(r.text, opts);
      for (const e of fx.edits) assert.ok(jsonEqual(getJsonPath(doc, e.path), e.value), formatJsonPath(e.path));
      // Comments of the input are all still there (except inside a removed value).
      const ranges = fx.edits.map((e) => editedRange(fx.given, e.path, e.value)).filter((x) => x !== undefined);
      for (const { text: c, offset } of commentsOf(fx.given)) {
        if (ranges.some(([a, b]) => offset >= a && offset < b)) continue;
        assert.ok(r.text.includes(c), `comment ${c} lost`);
      }
    });
  }
});

describe("parseJsonText", () => {
  test("strict by default: comments, trailing commas and JSON5 are errors with line:column", () => {
    for (const [text, where] of [
      ['{\n  "a": 1, // c\n}', "line 2, column 11"],
      ['{\n  "a": 1,\n}', "line 3, column 1"],
      ["{\n  a: 1\n}", "line 2, column 3"],
      ["", "empty"],
    ] as const) {
      assert.throws(() => parseJsonText(text), (e: Error) => e instanceof JsonEditError && e.message.includes(where), text);
    }
  });

  test("json5 accepts full JSON5", () => {
    assert.deepEqual(parseJsonText("// c\n{a: 'x', b: 0x10, c: [1,], d: +1, e: .5,}", { json5: true }), { a: "x", b: 16, c: [1], d: 1, e: 0.5 });
  });

  test("errors never quote file content (a token next to the error stays out of the message)", () => {
    const token = fakeAccessToken();
    for (const json5 of [false, true]) {
      assert.throws(
        () => parseJsonText(`{"token": ${token}}`, { json5 }),
        (e: Error) => e instanceof JsonEditError && !e.message.includes(token.slice(13, 30)) && /line 1, column \d+/.test(e.message),
      );
    }
  });
});

describe("editJsonText rules", () => {
  test("a byte-order mark is kept", () => {
    const r = editJsonText('\uFEFF{\n  "a": 1\n}\n', [{ path: ["b"], value: 2 }]);
    assert.equal(r.text, '\uFEFF{\n  "a": 1,\n  "b": 2\n}\n');
  });

  test("removing the only property leaves an empty object", () => {
    assert.equal(editJsonText('{\n  "a": 1\n}\n', [{ path: ["a"], value: undefined }]).text, "{}\n");
  });

  test("removing an array element shifts the rest", () => {
    assert.equal(editJsonText('{"a": [1, 2, 3]}', [{ path: ["a", 0], value: undefined }]).text, '{"a": [2, 3]}');
  });

  test("a comment between a value and its comma survives the removal", () => {
    const r = editJsonText('{\n  "a": 1 /* keep */,\n  "b": 2\n}\n', [{ path: ["a"], value: undefined }], { json5: true });
    assert.ok(r.text.includes("/* keep */"));
    assert.deepEqual(parseJsonText(r.text, { json5: true }), { b: 2 });
  });

  test("non-JSON values and bad paths are refused before anything is edited", () => {
    const bad: JsonEdit[] = [
      { path: ["a"], value: Number.NaN },
      { path: ["a"], value: { x: undefined } },
      { path: ["a"], value: new Date(0) },
      { path: ["a", -1], value: 1 },
      { path: ["a", 1.5], value: 1 },
      { path: [], value: undefined },
    ];
    for (const e of bad) assert.throws(() => editJsonText('{"a": []}', [e]), JsonEditError, JSON.stringify(e.path));
  });

  test("indexes past the end, and non-zero indexes in a new array, are refused", () => {
    assert.throws(() => editJsonText('{"a": [1]}', [{ path: ["a", 2], value: 1 }]), /past the end/);
    assert.throws(() => editJsonText('{"a": 1}', [{ path: ["b", 1], value: 1 }]), /new array starts at \[0\]/);
    assert.equal(editJsonText('{"a": 1}', [{ path: ["b", 0], value: 1 }]).text, '{"a": 1,"b": [1]}');
  });

  test("the root can be replaced; whitespace-only text counts as a new file", () => {
    assert.equal(editJsonText("// c\n{}\n", [{ path: [], value: { a: 1 } }], { json5: true }).text.startsWith("// c\n"), true);
    assert.equal(editJsonText(" \n", [{ path: ["a"], value: 1 }]).text, '{\n  "a": 1\n}\n');
    assert.deepEqual(editJsonText("", [{ path: ["a"], value: undefined }]), { text: "", changed: false });
  });

  test("formatJsonPath", () => {
    assert.equal(formatJsonPath(["agents", "defaults", "models", "anthropic/claude-opus-4-5", "alias"]), 'agents.defaults.models["anthropic/claude-opus-4-5"].alias');
    assert.equal(formatJsonPath(["a", 0, "b-c"]), 'a[0]["b-c"]');
    assert.equal(formatJsonPath([]), "(root)");
  });

  test("getJsonPath does not walk into prototypes", () => {
    assert.equal(getJsonPath({}, ["constructor"]), undefined);
    assert.equal(getJsonPath({ a: [1] }, ["a", "length"]), undefined);
    assert.equal(getJsonPath(JSON.parse('{"__proto__": {"x": 1}}'), ["__proto__", "x"]), 1);
  });
});

// --- properties -------------------------------------------------------------------------------

const key = fc.oneof(fc.constantFrom("a", "b", "profiles", "anthropic:default", "__proto__", "a.b", "x y", ""), fc.string({ maxLength: 6 }));
/** A JSON object document written with one of several layouts, optionally with comments (JSON5 mode). */
const layouts = fc.constantFrom("2", "4", "tab", "compact");
function render(doc: unknown, layout: string): string {
  if (layout === "compact") return JSON.stringify(doc);
  const indent = layout === "tab" ? "\t" : " ".repeat(Number(layout));
  return JSON.stringify(doc, null, indent) + "\n";
}
/** Adds a line comment after every line that ends a value or opens a container, numbered so each is unique. */
function withComments(text: string): { text: string; comments: string[] } {
  const comments: string[] = [];
  const lines = text.split("\n").map((l, i) => {
    if (!/[,{[]\s*$|[\d"el]\s*$/.test(l)) return l;
    const c = `// note ${i}`;
    comments.push(c);
    return `${l} ${c}`;
  });
  return { text: `/* head */\n${lines.join("\n")}`, comments: ["/* head */", ...comments] };
}
const docArb = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
const pathArb = fc.array(key, { minLength: 1, maxLength: 3 });

function allPaths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...prefix, i], out));
  else if (v !== null && typeof v === "object") for (const k of Object.keys(v)) allPaths((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}
const isPrefix = (p: readonly (string | number)[], q: readonly (string | number)[]) => p.length <= q.length && p.every((x, i) => x === q[i]);

describe("JSON editor properties", () => {
  test("other paths keep their values, comments stay, the edited path holds the value, a second run is a no-op", () => {
    fc.assert(
      fc.property(docArb, layouts, fc.boolean(), pathArb, fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), (doc, layout, commented, path, value) => {
        const plain = render(doc, layout);
        const json5 = commented && layout !== "compact";
        const { text, comments } = json5 ? withComments(plain) : { text: plain, comments: [] };
        const edits: JsonEdit[] = [{ path, value }];
        let r;
        try {
          r = editJsonText(text, edits, { json5 });
        } catch (e) {
          // The only legitimate refusal here: the path runs through a non-object.
          assert.ok(e instanceof JsonEditError && /is (a|an) \w+, not an object/.test(e.message), String(e));
          return;
        }
        const after = parseJsonText(r.text, { json5 });
        assert.ok(jsonEqual(getJsonPath(after, path), value), "edited path holds the value");
        for (const p of allPaths(doc)) {
          if (isPrefix(p, path) || isPrefix(path, p)) continue;
          assert.ok(jsonEqual(getJsonPath(after, p), getJsonPath(doc, p)), `unrelated path ${formatJsonPath(p)} changed`);
        }
        const mayGo = editedRange(text, path, value);
        for (const c of comments) {
          const at = text.indexOf(c);
          if (mayGo && at >= mayGo[0] && at < mayGo[1]) continue; // inside the replaced/removed value
          assert.ok(r.text.includes(c), `comment ${c} lost`);
        }
        const again = editJsonText(r.text, edits, { json5 });
        assert.equal(again.changed, false);
        assert.equal(again.text, r.text);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("set then get round-trips arbitrary JSON values, in strict and JSON5 files", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, json5) => {
        const base = json5 ? '// c\n{\n  "keep": [1, 2], // c2\n}\n' : '{\n  "keep": [1, 2]\n}\n';
        const r = editJsonText(base, [{ path: ["x", "y"], value }], { json5 });
        const doc = parseJsonText(r.text, { json5 });
        assert.ok(jsonEqual(getJsonPath(doc, ["x", "y"]), value));
        assert.deepEqual(getJsonPath(doc, ["keep"]), [1, 2]);
        if (json5) assert.ok(r.text.includes("// c\n") && r.text.includes("// c2"));
        // Strict files stay strict JSON.
        if (!json5) assert.doesNotThrow(() => JSON.parse(r.text));
        else assert.doesNotThrow(() => JSON5.parse(r.text));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

/** The text range an edit may replace: the old value (set) or the whole property/element (removal). */
function editedRange(text: string, path: (string | number)[], value: unknown): [number, number] | undefined {
  const node = findNodeAtLocation(parseTree(text, [], { allowTrailingComma: true })!, path);
  if (!node) return undefined;
  const n = value === undefined && node.parent?.type === "property" ? node.parent : node;
  return [n.offset, n.offset + n.length];
}

function commentsOf(text: string): { text: string; offset: number }[] {
  const sc = createScanner(text, false);
  const out: { text: string; offset: number }[] = [];
  for (let k = sc.scan() as number; k !== 17 /* EOF */; k = sc.scan() as number) {
    if (k === 12 || k === 13) out.push({ text: text.substr(sc.getTokenOffset(), sc.getTokenLength()), offset: sc.getTokenOffset() });
  }
  return out;
}

describe("issue 18: full JSON5 as OpenClaw accepts it", () => {
  test("property: any document JSON5.stringify writes (unquoted keys, single quotes) is edited; only the edit differs, a second run is a no-op", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), fc.jsonValue({ maxDepth: 2 }), (doc, value) => {
        const text = JSON5.stringify(doc, null, 2) + "\n";
        const edits = [{ path: ["ocsX", "y"], value }];
        const r = editJsonText(text, edits, { json5: true });
        assert.ok(jsonEqual(JSON5.parse(r.text), { ...doc, ocsX: { y: value } }));
        // Everything before the closing brace of the root is kept byte for byte.
        const head = text.slice(0, text.lastIndexOf("}")).replace(/\s*$/, "");
        assert.ok(r.text.startsWith(head.replace(/,?$/, "")), `${JSON.stringify(text)} → ${JSON.stringify(r.text)}`);
        assert.equal(editJsonText(r.text, edits, { json5: true }).changed, false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("strict JSON (json5: false) still refuses JSON5", () => {
    assert.throws(() => editJsonText("{a: 1}", [{ path: ["b"], value: 1 }]), JsonEditError);
  });
});
