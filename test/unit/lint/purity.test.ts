/** scripts/purity.mjs: the lint rule that keeps the planners and the shared contract free of I/O. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { purityProblems, runtimeImports } from "../../../scripts/purity.mjs";

function tree(files: Record<string, string>): { root: string; done: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), "ocs-purity-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

test("the repository's planners and contract reach no I/O module", () => {
  assert.deepEqual(purityProblems(path.resolve(__dirname, "..", "..", "..")), []);
});

test("a planner that reaches node:fs through two relative imports fails, naming the chain", () => {
  const t = tree({
    "infra/plan/a.ts": 'import { b } from "./b";\nexport const a = b;\n',
    "infra/plan/b.ts": 'import { c } from "../../runtime/src/c";\nexport const b = c;\n',
    "runtime/src/c.ts": 'import { readFileSync } from "node:fs";\nexport const c = readFileSync;\n',
  });
  try {
    assert.deepEqual(purityProblems(t.root, ["infra/plan"]), [
      "infra/plan/a.ts: must do no I/O, but reaches node:fs: infra/plan/a.ts → infra/plan/b.ts → runtime/src/c.ts → node:fs",
      "infra/plan/b.ts: must do no I/O, but reaches node:fs: infra/plan/b.ts → runtime/src/c.ts → node:fs",
    ]);
  } finally {
    t.done();
  }
});

test("each forbidden module counts, through require, import() and export-from too", () => {
  for (const [mod, line] of [
    ["fs", 'import * as fs from "fs";'],
    ["fs/promises", 'export { readFile } from "fs/promises";'],
    ["child_process", 'const cp = require("child_process");'],
    ["node:child_process", 'async function f() { return import("node:child_process"); }'],
    ["node:net", 'import "node:net";'],
  ] as const) {
    const t = tree({ "infra/plan/x.ts": `${line}\nexport {};\n` });
    try {
      assert.deepEqual(purityProblems(t.root, ["infra/plan"]), [`infra/plan/x.ts: must do no I/O, but reaches ${mod}: infra/plan/x.ts → ${mod}`], line);
    } finally {
      t.done();
    }
  }
});

test("type-only imports, comments and strings load nothing and pass", () => {
  const t = tree({
    "infra/plan/x.ts": [
      'import type { Stats } from "node:fs";',
      'import { type Dirent } from "fs";',
      'export type { ChildProcess } from "node:child_process";',
      '// import { readFileSync } from "node:fs";',
      'export const doc = \'require("fs")\';',
      'import { posix } from "node:path";',
      'import { z } from "zod";',
      "export const ok = [posix, z];",
      "",
    ].join("\n"),
  });
  try {
    assert.deepEqual(purityProblems(t.root, ["infra/plan"]), []);
  } finally {
    t.done();
  }
});

test("runtimeImports lists what a file loads at run time", () => {
  assert.deepEqual(runtimeImports("a.ts", 'import { a } from "./a";\nimport type { B } from "./b";\nexport * from "./c";\nconst d = require("./d");\n'), ["./a", "./c", "./d"]);
});
