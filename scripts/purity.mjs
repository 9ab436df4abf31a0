// The purity check of scripts/lint.mjs: modules that must do no I/O (the planners in infra/plan/,
// the contract shared by program and runtime in runtime/src/contract/) may not reach a filesystem,
// process or network module through their relative imports, however indirectly.
//
// Imports are read with the TypeScript parser, not a regex, so comments and strings cannot hide or
// fake one. Followed: static imports, `export … from`, `import()` and `require()` of relative
// paths. Not followed: type-only imports (`import type`, `export type … from`, or every binding
// marked `type`), which the compiler erases, so they load nothing.
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/** Module names that mean I/O. */
export const FORBIDDEN = new Set(["fs", "node:fs", "fs/promises", "node:fs/promises", "child_process", "node:child_process", "net", "node:net"]);

/** Where the pure modules live, repository-relative. */
export const PURE_DIRS = ["infra/plan", "runtime/src/contract"];

function isTypeOnlyImport(node) {
  const c = node.importClause;
  if (!c) return false; // `import "x"`: loads x
  if (c.isTypeOnly) return true;
  if (c.name) return false;
  const b = c.namedBindings;
  if (!b) return false;
  if (ts.isNamespaceImport(b)) return false;
  return b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
}

/** The module specifiers a file loads at run time. */
export function runtimeImports(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith(".ts") ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const out = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isTypeOnlyImport(node)) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (node.exportClause && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      if (!node.isTypeOnly) out.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function resolveRelative(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const c of [base, `${base}.ts`, `${base}.mts`, `${base}.cts`, path.join(base, "index.ts"), `${base}.js`, `${base}.mjs`, `${base}.cjs`, path.join(base, "index.js")]) {
    if (existsSync(c) && statSync(c).isFile()) return c;
  }
  return undefined;
}

function listSources(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listSources(p));
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/**
 * One problem per pure file that reaches a forbidden module, naming the shortest import chain,
 * e.g. "infra/plan/a.ts → runtime/src/x.ts → node:fs".
 */
export function purityProblems(root, pureDirs = PURE_DIRS) {
  const rel = (p) => path.relative(root, p).split(path.sep).join("/");
  const importsOf = new Map();
  const edges = (file) => {
    let e = importsOf.get(file);
    if (!e) {
      e = runtimeImports(file, readFileSync(file, "utf8")).map((spec) => (spec.startsWith(".") ? { file: resolveRelative(file, spec), spec } : { spec }));
      importsOf.set(file, e);
    }
    return e;
  };
  const problems = [];
  for (const start of pureDirs.flatMap((d) => listSources(path.join(root, d)))) {
    // Breadth first, so the chain named is a shortest one.
    const prev = new Map([[start, undefined]]);
    const queue = [start];
    let found;
    while (queue.length && !found) {
      const f = queue.shift();
      for (const { file, spec } of edges(f)) {
        if (FORBIDDEN.has(spec)) {
          found = { at: f, spec };
          break;
        }
        if (file && !prev.has(file)) {
          prev.set(file, f);
          queue.push(file);
        }
      }
    }
    if (!found) continue;
    const chain = [found.spec];
    for (let f = found.at; f !== undefined; f = prev.get(f)) chain.unshift(rel(f));
    problems.push(`${rel(start)}: must do no I/O, but reaches ${found.spec}: ${chain.join(" → ")}`);
  }
  return problems;
}
