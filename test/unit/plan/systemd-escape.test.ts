/**
 * Escaping for unit files, checked against a reference model of systemd's parsing
 * (systemd.syntax(7), systemd.service(5) "Command lines"): split on whitespace, double quotes
 * group, backslash escapes the next character; then specifiers (`%%` → `%`) and, in Exec lines,
 * variables (`$$` → `$`).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { escapeExecWord, escapePathListEntry, escapeSpecifiers, execLine } from "../../../infra/plan/systemd-escape";

/** Reference model: words of a value, as systemd extracts them (EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE). */
function systemdWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let w = "";
    let quoted = false;
    while (i < line.length) {
      const c = line[i]!;
      if (c === "\\") {
        const n = line[i + 1];
        assert.ok(n === "\\" || n === '"', `unexpected escape \\${n} in ${JSON.stringify(line)}`);
        w += n;
        i += 2;
      } else if (c === '"') {
        quoted = !quoted;
        i++;
      } else if (!quoted && /\s/.test(c)) {
        break;
      } else {
        w += c;
        i++;
      }
    }
    assert.equal(quoted, false, `unterminated quote in ${JSON.stringify(line)}`);
    words.push(w);
  }
  return words;
}
const unSpecifier = (s: string) => s.replace(/%%/g, "%");
const unDollar = (s: string) => s.replace(/\$\$/g, "$");

// Printable strings without control characters (which the escapers refuse), biased to the
// characters that matter: space, quotes, backslash, %, $ and ;.
const nasty = fc.string({ unit: fc.constantFrom(..." \"'\\%$;ab/é".split("")), minLength: 0, maxLength: 20 });
const printable = fc.oneof(nasty, fc.string({ unit: "grapheme-ascii" }).filter((s) => !/[\x00-\x1f\x7f]/.test(s)));

describe("systemd escaping", () => {
  test("an Exec word round-trips through systemd's word splitting, specifiers and $ expansion", () => {
    fc.assert(
      fc.property(printable.filter((s) => s !== ";"), (s) => {
        const words = systemdWords(escapeExecWord(s));
        assert.equal(words.length, 1);
        assert.equal(unDollar(unSpecifier(words[0]!)), s);
      }),
      { numRuns: 500 },
    );
  });

  test("a whole command line keeps argument boundaries", () => {
    fc.assert(
      fc.property(fc.array(printable.filter((s) => s !== ";"), { maxLength: 6 }), (args) => {
        const argv = ["/usr/bin/node", ...args];
        assert.deepEqual(systemdWords(execLine(argv)).map((w) => unDollar(unSpecifier(w))), argv);
      }),
      { numRuns: 300 },
    );
  });

  test("a path list entry round-trips (specifiers only, no $ expansion)", () => {
    fc.assert(
      fc.property(printable, (s) => {
        const p = `/${s}`;
        const words = systemdWords(escapePathListEntry(p));
        assert.equal(words.length, 1);
        assert.equal(unSpecifier(words[0]!), p);
        assert.equal(unSpecifier(systemdWords(escapePathListEntry(p, true))[0]!), `-${p}`);
      }),
      { numRuns: 300 },
    );
  });

  test("free text doubles % and nothing else", () => {
    assert.equal(escapeSpecifiers("100% $HOME"), "100%% $HOME");
  });

  test("examples: %, $, spaces and quotes", () => {
    assert.equal(escapeExecWord("100%"), "100%%");
    assert.equal(escapeExecWord("$HOME"), "$$HOME");
    assert.equal(escapeExecWord("a b"), '"a b"');
    assert.equal(escapeExecWord('say "hi"'), '"say \\"hi\\""');
    assert.equal(escapeExecWord(""), '""');
  });

  test("refuses newlines, a lone ';' and relative programs, naming the value", () => {
    assert.throws(() => escapeExecWord("a\nb", "ExecStart[2]"), /ExecStart\[2\].*control character/);
    assert.throws(() => escapeExecWord(";"), /lone ";"/);
    assert.throws(() => execLine(["node", "x.js"]), /absolute path.*"node"/);
    assert.throws(() => escapePathListEntry("relative/dir"), /absolute/);
    assert.throws(() => escapeSpecifiers("x\ny", "Description"), /Description/);
  });
});
