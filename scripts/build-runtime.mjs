// Bundles the host runtime into one self-contained file that runs on Node >= 18
// (Debian 12 ships 18.20.4) with no node_modules beside it.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";

const outfile = "dist/runtime/openclaw-oauth-sync.cjs";
mkdirSync("dist/runtime", { recursive: true });
await build({
  entryPoints: ["runtime/src/main.ts"],
  outfile,
  bundle: true,
  platform: "node",
  // jsonc-parser's UMD "main" hides its requires from esbuild (microsoft/node-jsonc-parser#57): prefer "module".
  mainFields: ["module", "main"],
  target: "node18",
  format: "cjs",
  minify: false,
  sourcemap: false,
  legalComments: "inline",
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
console.log(`built ${outfile}`);
