// Repository checks that the type checker cannot make:
// - no package-registry host names in tracked files (the registries are reached through the
//   ordinary clients' own configuration, never through addresses written into this repo);
// - no focused tests (`test.only`, `describe.only`) that would silently skip the rest;
// - the planners (infra/plan/) and the contract shared by program and runtime
//   (runtime/src/contract/) reach no filesystem, process or network module through their imports
//   (scripts/purity.mjs).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { purityProblems } from "./purity.mjs";

const files = execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" }).split("\0").filter(Boolean);
const registryHosts = [/registry\.npmjs\.org/, /registry\.yarnpkg\.com/, /proxy\.golang\.org/, /deb\.debian\.org/, /security\.debian\.org/];
const problems = [];
for (const f of files) {
  if (f === "scripts/lint.mjs" || f.endsWith(".png")) continue;
  let text;
  try {
    text = readFileSync(f, "utf8");
  } catch {
    continue;
  }
  for (const re of registryHosts) if (re.test(text)) problems.push(`${f}: names a package registry host (${re.source})`);
  if (/\.test\.ts$/.test(f) && /\b(test|it|describe)\.only\(/.test(text)) problems.push(`${f}: focused test (.only) skips the rest of the suite`);
}
problems.push(...purityProblems(fileURLToPath(new URL("..", import.meta.url))));
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`lint: ${files.length} files ok`);
