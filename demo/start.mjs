// `npm run demo`: makes sure the project's npm packages are there (a fresh clone has none), then
// runs the demo (demo/main.ts) with tsx. Plain JavaScript, because tsx itself may still be missing.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
if (!existsSync(join(repo, "node_modules", "tsx"))) {
  console.log("[demo] installing the project's npm packages (npm ci; once)");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: repo, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`[demo] FAILED: npm ci exited ${r.status ?? r.signal}; fix that (network to the npm registry?) and run npm run demo again`);
    process.exit(1);
  }
}
const r = spawnSync(process.execPath, ["--import", "tsx", join(repo, "demo", "main.ts"), ...args], { cwd: repo, stdio: "inherit" });
process.exit(r.status ?? 1);
