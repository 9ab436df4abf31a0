/**
 * The only code Pulumi keeps in state (`__provider`): a thin shim whose every method loads the
 * current implementation (infra/hoststate/index.ts) at call time (facts/pulumi.md §3.2, §3.3).
 *
 * Why a shim: refresh and delete run the `__provider` stored in state; with a shim, they always run
 * the code in the project instead of whatever was stored at the last update, and the SSH session
 * pool lives in that module for the life of the dynamic-provider process.
 *
 * Why written out by hand instead of `pulumi.runtime.serializeFunction`: the serializer re-parses
 * every captured function with the TypeScript parser and walks its captures on every run (work on
 * the critical path of every preview, between the facts and the first registration), and its
 * output depends on which loader (ts-node, tsx) transpiled the shim — a loader change would
 * rewrite `__provider` of every resource. This text is plain ES2017 JavaScript, the same on every
 * run; it is exactly what Pulumi's dynamic-provider host expects: a CommonJS module whose
 * `handler()` returns the provider.
 *
 * How the implementation is found at call time:
 *   - the project root is $OPENCLAW_OAUTH_SYNC_ROOT, else the first directory upwards from
 *     process.cwd() that holds infra/hoststate/index.ts (the dynamic-provider process runs with
 *     cwd = the project dir; tests run from the repo root);
 *   - the dynamic-provider process is plain node and cannot load .ts, so unless a TS loader is
 *     already active (tsx in tests and in the program) the shim registers the project's tsx
 *     (`tsx/cjs/api`, esbuild: fast) or, failing that, ts-node (`transpileOnly`, the project's
 *     tsconfig) before requiring. No build step, so no stale compiled copy can ever run.
 *
 * Rules for the text: built-in modules only via `require`, nothing from the program captured but
 * the `kind` string, no secrets. Changing it changes `__provider` (shown by no diff: our `diff`
 * ignores it) — bump HOSTSTATE_PROVIDER_VERSION when every resource must store the new text.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { HostStateKind } from "./index";

const LOADER = String.raw`
  var impl;
  function load() {
    if (impl) return impl;
    var nodePath = require("path");
    var fs = require("fs");
    var marker = nodePath.join("infra", "hoststate", "index.ts");
    var dir = process.env.OPENCLAW_OAUTH_SYNC_ROOT || process.cwd();
    for (;;) {
      if (fs.existsSync(nodePath.join(dir, marker))) break;
      var up = nodePath.dirname(dir);
      if (up === dir) {
        throw new Error("openclaw-oauth-sync: cannot find " + marker + " above " + process.cwd() + "; run pulumi from the project directory or set OPENCLAW_OAUTH_SYNC_ROOT");
      }
      dir = up;
    }
    var projectRequire = require("module").createRequire(nodePath.join(dir, "package.json"));
    if (!require.extensions[".ts"]) {
      // tsx (esbuild) loads in ~0.3 s CPU; ts-node (the TypeScript compiler) in ~1.5 s: prefer tsx.
      var tsxApi;
      try { tsxApi = projectRequire("tsx/cjs/api"); } catch (e) { tsxApi = undefined; }
      if (tsxApi) tsxApi.register();
      else projectRequire("ts-node").register({ transpileOnly: true, project: nodePath.join(dir, "tsconfig.json") });
    }
    impl = projectRequire(nodePath.join(dir, marker));
    return impl;
  }`;

/** The text of the provider module stored in `__provider` for one kind. Pure. */
export function shimModuleText(kind: HostStateKind): string {
  return `"use strict";
// openclaw-oauth-sync host-state provider shim (infra/hoststate/shim.ts): the implementation is
// loaded from the project's infra/hoststate/index.ts at call time.
exports.handler = function () {
  var kind = ${JSON.stringify(kind)};${LOADER}
  return {
    configure: async function (req) { return load().configure(req.config); },
    diff: async function (id, olds, news) { return load().providers[kind].diff(id, olds, news); },
    create: async function (inputs) { return load().providers[kind].create(inputs); },
    read: async function (id, props) { return load().providers[kind].read(id, props); },
    update: async function (id, olds, news) { return load().providers[kind].update(id, olds, news); },
    delete: async function (id, props) { return load().providers[kind].delete(id, props); }
  };
};
`;
}

/**
 * The provider object that Pulumi's dynamic-provider host gets from the stored text (for tests and
 * in-process use): the text evaluated as a CommonJS module, `.handler()` called.
 */
export function hostStateProvider(kind: HostStateKind): pulumi.dynamic.ResourceProvider {
  const exports: { handler?: () => pulumi.dynamic.ResourceProvider } = {};
  new Function("exports", "require", shimModuleText(kind))(exports, require);
  return exports.handler!();
}
