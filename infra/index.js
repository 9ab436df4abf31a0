// Entry of the Pulumi program (Pulumi.yaml: `main: infra/`, runtime option `typescript: false`).
//
// Why plain JS: with `typescript: true` Pulumi registers ts-node, which loads the TypeScript
// compiler and transpiles every module on every run (~3-6 s of CPU per preview). Here the
// project's tsx (esbuild, transforms cached on disk) loads the TypeScript instead — the same
// loader the dynamic-provider shim uses (infra/hoststate/shim.ts). No build step, so no stale
// compiled copy can run. Type checking stays `npm run typecheck`'s job.
"use strict";
// The program's packages are loaded BEFORE tsx's hooks are registered: through them, every module
// @pulumi/pulumi loads (it eagerly loads its Automation API too) costs about twice the CPU
// (measured: 0.9-1.0 s instead of 0.5 s per program process).
require("@pulumi/pulumi");
require("zod");
if (!require.extensions[".ts"]) require("tsx/cjs/api").register();
module.exports = require("./main.ts");
