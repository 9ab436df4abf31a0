import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { EnvEditError, encodeEnvValue, getEnvEntries, parseEnvEntries, setEnvEntries } from "../../../runtime/src/edit/env";
import { fakeAccessToken } from "../../helpers/tokens";

const FIXTURES = join(__dirname, "../../fixtures/env-edit");
const NUM_RUNS = Number(process.env.EDIT_PROPERTY_RUNS ?? 300);

interface EnvFixture {
  description: string;
  given: string;
  set: Record<string, string>;
  remove?: string[];
  expected: string;
  changed: boolean;
}

const fixtureFiles = readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort();
const load = (f: string): EnvFixture => JSON.parse(readFileSync(join(FIXTURES, f), "utf8")) as EnvFixture;

describe("env editor fixtures (test/fixtures/env-edit)", () => {
  test("there are fixtures, and every changing fixture has a noop sibling starting from its expected text", () => {
    assert.ok(fixtureFiles.length >= 30, `only ${fixtureFiles.length} fixtures`);
    for (const f of fixtureFiles.filter((x) => !x.endsWith(".noop.json"))) {
      const fx = load(f);
      if (!fx.changed) continue;
      const sibling = f.replace(/\.json$/, ".noop.json");
      assert.ok(fixtureFiles.includes(sibling), `${f} changes the text but has no ${sibling}`);
      const noop = load(sibling);
      assert.equal(noop.given, fx.expected, `${sibling}: given must be ${f}'s expected`);
      assert.deepEqual(noop.set, fx.set);
      assert.equal(noop.changed, false);
    }
  });

  for (const f of fixtureFiles) {
    const fx = load(f);
    test(`${f}: ${fx.description}`, () => {
      const r = setEnvEntries(fx.given, fx.set, fx.remove ?? []);
      assert.equal(r.text, fx.expected);
      assert.equal(r.changed, fx.changed);
      const got = getEnvEntries(r.text, [...Object.keys(fx.set), ...(fx.remove ?? [])]);
      assert.deepEqual(got, fx.set, "set keys read back, removed keys absent");
    });
  }
});

describe("getEnvEntries reads like dotenv", () => {
  const text = [
    "# comment",
    "PLAIN=value  # trailing comment",
    "export EXPORTED=yes",
    "DQ=\"a\\nb # not a comment\"",
    "SQ='literal \\n $HOME'",
    "BT=`back tick`",
    "EMPTY=",
    "SPACED =  padded  ",
    "HASH=abc#def",
    "ML=\"first",
    "second\"",
    "DUP=one",
    "DUP=two",
    "COLON: yaml-ish",
    "",
  ].join("\n");
  const all = ["PLAIN", "EXPORTED", "DQ", "SQ", "BT", "EMPTY", "SPACED", "HASH", "ML", "DUP", "COLON", "MISSING"];

  test("values are unquoted the dotenv way", () => {
    assert.deepEqual(getEnvEntries(text, all), {
      PLAIN: "value",
      EXPORTED: "yes",
      DQ: "a\nb # not a comment",
      SQ: "literal \\n $HOME",
      BT: "back tick",
      EMPTY: "",
      SPACED: "padded",
      HASH: "abc",
      ML: "first\nsecond",
      DUP: "two",
      COLON: "yaml-ish",
    });
  });

  test("CRLF files read the same as LF files", () => {
    assert.deepEqual(getEnvEntries(text.replace(/\n/g, "\r\n"), all), getEnvEntries(text, all));
  });

  test("only requested keys are returned", () => {
    assert.deepEqual(Object.keys(getEnvEntries(text, ["DQ"])), ["DQ"]);
  });

  test("a key inside another key's multi-line value is not an entry", () => {
    assert.deepEqual(getEnvEntries('PEM="---\nK=inside\n---"\n', ["K"]), {});
  });

  test("entries report their line span in the original text", () => {
    const t = "A=1\r\nexport  K = 'v' # c\r\nB=2";
    const k = parseEnvEntries(t).find((e) => e.key === "K")!;
    assert.equal(t.slice(k.lineStart, k.lineEnd), "export  K = 'v' # c");
    assert.equal(t.slice(k.valueStart, k.valueEnd), "'v'");
    assert.equal(k.style, "single");
    assert.equal(t.slice(k.nextLineStart), "B=2");
  });
});

describe("setEnvEntries refuses bad input", () => {
  test("keys that are not shell names", () => {
    for (const bad of ["1ABC", "A-B", "A.B", "", "A B", "Ä"]) {
      assert.throws(() => setEnvEntries("", { [bad]: "x" }), EnvEditError, bad);
      assert.throws(() => setEnvEntries("", {}, [bad]), EnvEditError, bad);
      assert.throws(() => getEnvEntries("", [bad]), EnvEditError, bad);
    }
  });

  test("values with NUL", () => {
    assert.throws(() => setEnvEntries("", { K: "a\0b" }), /NUL/);
  });

  test("a key both set and removed", () => {
    assert.throws(() => setEnvEntries("", { K: "x" }, ["K"]), /both set and removed/);
  });

  test("an unrepresentable value is refused without echoing it", () => {
    const secret = `${fakeAccessToken()}"\r`;
    assert.equal(encodeEnvValue(secret), undefined);
    assert.throws(
      () => setEnvEntries("K=1\n", { K: secret }),
      (e: Error) => e instanceof EnvEditError && /value for K has no form/.test(e.message) && !e.message.includes(secret.slice(13, 40)),
    );
  });

  test("a quote left open earlier in the file makes the edit refuse instead of writing a line dotenv would swallow", () => {
    // The value has all three quote kinds, so it can only be written bare: K=x'`" — and its final
    // " closes the quote A opened, so dotenv would read "open\nK=x'`" as A's value.
    const value = "x'`\"";
    assert.equal(encodeEnvValue(value), value);
    assert.throws(() => setEnvEntries('A="open\n', { K: value }), /cannot be edited safely/);
    // Without such a quote the same value is written bare and reads back.
    assert.equal(getEnvEntries(setEnvEntries("A=1\n", { K: value }).text, ["K"]).K, value);
  });
});

describe("setEnvEntries quoting", () => {
  const cases: [string, string][] = [
    ["plain", '"plain"'],
    ["with space", '"with space"'],
    ["a#b", '"a#b"'],
    ["line1\nline2", '"line1\\nline2"'],
    ["cost $5", "'cost $5'"],
    ['say "hi"', `'say "hi"'`],
    ["back\\slash", "'back\\slash'"],
    ["it's $HOME", "`it's $HOME`"],
    ["", '""'],
  ];
  for (const [value, written] of cases) {
    test(`${JSON.stringify(value)} is written as ${written}`, () => {
      assert.equal(setEnvEntries("", { K: value }).text, `K=${written}\n`);
    });
  }
});

// --- properties -------------------------------------------------------------------------------

const noEol = (s: string) => !/[\r\n]/.test(s);
const safeText = fc.string({ maxLength: 20 }).filter(noEol);
const otherKey = fc.constantFrom("A", "B_2", "OTHER", "PATH_EXTRA", "export_like");
/** Lines that are not ours; quoted forms are closed on their own line. */
const otherLine = fc.oneof(
  safeText.map((t) => `# ${t}`),
  fc.constantFrom("", "   ", "\t"),
  fc.tuple(otherKey, fc.stringMatching(/^[A-Za-z0-9_./:@-]{0,12}$/)).map(([k, v]) => `${k}=${v}`),
  fc.tuple(otherKey, safeText.filter((t) => !t.includes('"') && !t.includes("\\"))).map(([k, v]) => `export ${k}="${v}"`),
  fc.tuple(otherKey, safeText.filter((t) => !t.includes("'") && !t.endsWith("\\"))).map(([k, v]) => `${k} = '${v}' # note`),
);
const ourLine = fc.constantFrom("K=old", "export K='old'", 'K = "old" # ours', "K=");
const envFile = fc
  .tuple(fc.array(fc.oneof({ weight: 4, arbitrary: otherLine }, { weight: 1, arbitrary: ourLine }), { maxLength: 12 }), fc.constantFrom("\n", "\r\n"), fc.boolean())
  .map(([lines, eol, finalEol]) => (lines.length ? lines.join(eol) + (finalEol ? eol : "") : ""));
const singleLineValue = fc.string({ maxLength: 30 }).filter((v) => noEol(v) && !v.includes("\0"));
/** Strings rich in what matters to .env quoting (fc's "binary" unit is slow to generate here). */
const tricky = fc.constantFrom('"', "'", "`", "\\", "$", "#", " ", "\t", "\n", "\r", "=", "\u2028", "\u00e9", "\ud83d\ude00", "\ud800", "n", "r", "\0");
const anyValue = fc.string({ unit: fc.oneof(tricky, fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 })), maxLength: 30 });

function linesNotOurs(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  return lines.filter((l) => !/^\s*(export\s+)?K\s*[=:]/.test(l));
}

describe("env editor properties", () => {
  test("lines not holding our key are kept identical and in order", () => {
    fc.assert(
      fc.property(envFile, singleLineValue, fc.boolean(), (text, value, removeIt) => {
        fc.pre(encodeEnvValue(value) !== undefined); // refusals are covered by the round-trip property
        const r = removeIt ? setEnvEntries(text, {}, ["K"]) : setEnvEntries(text, { K: value });
        assert.deepEqual(linesNotOurs(r.text).filter((l) => l !== ""), linesNotOurs(text).filter((l) => l !== ""));
        // Non-empty other lines keep their exact bytes including line endings, except the last line.
        const body = (t: string) => t.split(/(?<=\n)/).filter((l) => !/^\s*(export\s+)?K\s*[=:]/.test(l));
        const before = body(text);
        const after = body(r.text);
        for (let i = 0; i < before.length - 1; i++) assert.equal(after[i], before[i]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("a second run is a no-op (changed: false, same bytes)", () => {
    fc.assert(
      fc.property(envFile, anyValue.filter((v) => !v.includes("\0")), fc.boolean(), (text, value, removeIt) => {
        let first;
        try {
          first = removeIt ? setEnvEntries(text, { B_2: value }, ["K"]) : setEnvEntries(text, { K: value });
        } catch (e) {
          assert.ok(e instanceof EnvEditError, String(e));
          return;
        }
        const second = removeIt ? setEnvEntries(first.text, { B_2: value }, ["K"]) : setEnvEntries(first.text, { K: value });
        assert.equal(second.changed, false);
        assert.equal(second.text, first.text);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("any value without NUL round-trips, or is refused as unrepresentable", () => {
    fc.assert(
      fc.property(envFile, anyValue.filter((v) => !v.includes("\0")), (text, value) => {
        if (encodeEnvValue(value) === undefined) {
          assert.throws(() => setEnvEntries(text, { K: value }), EnvEditError);
          return;
        }
        const r = setEnvEntries(text, { K: value });
        assert.equal(getEnvEntries(r.text, ["K"]).K, value);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("values without \" and \\, or without a quote/line break of one kind, always have a form", () => {
    fc.assert(
      fc.property(anyValue.map((v) => v.replace(/\0/g, "")), (value) => {
        const noDqNoBackslash = !value.includes('"') && !value.includes("\\");
        const singleQuotable = !/['\r\n]/.test(value) && !value.endsWith("\\");
        if (noDqNoBackslash || singleQuotable) assert.notEqual(encodeEnvValue(value), undefined, JSON.stringify(value));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  test("arbitrary text: an edit either verifies or is refused, never half-applied", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(tricky, fc.constantFrom("K", "=", "A", "export ")), maxLength: 60 }), anyValue.filter((v) => !v.includes("\0")), (text, value) => {
        try {
          const r = setEnvEntries(text, { K: value });
          assert.equal(getEnvEntries(r.text, ["K"]).K, value);
          assert.equal(setEnvEntries(r.text, { K: value }).changed, false);
        } catch (e) {
          assert.ok(e instanceof EnvEditError, String(e));
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe("issue 18: a key set more than once", () => {
  test("the last line (dotenv's) is updated, the earlier one stays, and a warning names both lines without a value", () => {
    const tok = fakeAccessToken();
    const given = "A=1\nANTHROPIC_OAUTH_TOKEN=old-one\nB=2\nANTHROPIC_OAUTH_TOKEN=old-two\n";
    const r = setEnvEntries(given, { ANTHROPIC_OAUTH_TOKEN: tok });
    assert.equal(r.text, `A=1\nANTHROPIC_OAUTH_TOKEN=old-one\nB=2\nANTHROPIC_OAUTH_TOKEN=${tok}\n`);
    assert.equal(getEnvEntries(r.text, ["ANTHROPIC_OAUTH_TOKEN"]).ANTHROPIC_OAUTH_TOKEN, tok);
    assert.equal(r.warnings?.length, 1);
    assert.match(r.warnings![0]!, /ANTHROPIC_OAUTH_TOKEN is set 2 times \(lines 2, 4\); dotenv reads the last one \(line 4\).*earlier line 2 stays as it is: remove it by hand/);
    assert.ok(!r.warnings![0]!.includes("old-one") && !r.warnings![0]!.includes(tok), "no value in the warning");
    // Said again on a second run (nothing to change, the stale line is still there).
    assert.equal(setEnvEntries(r.text, { ANTHROPIC_OAUTH_TOKEN: tok }).warnings?.length, 1);
    // A single occurrence: no warning; removing deletes every occurrence, no warning either.
    assert.equal(setEnvEntries("K=1\n", { K: "2" }).warnings, undefined);
    assert.equal(setEnvEntries(given, {}, ["ANTHROPIC_OAUTH_TOKEN"]).warnings, undefined);
  });
});
