/**
 * The only code Pulumi serializes into state (`__provider`): a thin shim whose every method loads
 * the current implementation (infra/hoststate/index.ts) at call time (facts/pulumi.md §3.2, §3.3).
 *
 * Why: refresh and delete run the `__provider` stored in state; with a shim, they always run the
 * code in the project instead of whatever was serialized at the last update, and the SSH session
 * pool lives in that module for the life of the dynamic-provider process.
 *
 * How the implementation is found at call time:
 *   - the project root is $OPENCLAW_OAUTH_SYNC_ROOT, else the first directory upwards from
 *     process.cwd() that holds infra/hoststate/index.ts (the dynamic-provider process runs with
 *     cwd = the project dir; tests run from the repo root);
 *   - the dynamic-provider process is plain node and cannot load .ts, so unless a TS loader is
 *     already active (tsx in tests, ts-node in the program process) the shim registers the
 *     project's tsx (`tsx/cjs/api`, esbuild: fast) or, failing that, ts-node (`transpileOnly`, the
 *     project's tsconfig) before requiring. No build step, so no stale compiled copy can ever run.
 *
 * Serialization rules kept here: no imports are referenced inside the functions (inline
 * `require` only), nothing but the `kind` string is captured, no secrets, plain arrow functions.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { HostStateKind } from "./index";

/** Loads infra/hoststate/index.ts of the project (see the header). */
export function loadHostStateImpl(): {
  configure(cfg: { get(key: string): string | undefined }): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  providers: Record<string, any>;
} {
  const nodePath = require("path");
  const fs = require("fs");
  const marker = nodePath.join("infra", "hoststate", "index.ts");
  let dir: string = process.env.OPENCLAW_OAUTH_SYNC_ROOT || process.cwd();
  for (;;) {
    if (fs.existsSync(nodePath.join(dir, marker))) break;
    const up = nodePath.dirname(dir);
    if (up === dir) {
      throw new Error(
        `openclaw-oauth-sync: cannot find ${marker} above ${process.cwd()}; run pulumi from the project directory or set OPENCLAW_OAUTH_SYNC_ROOT`,
      );
    }
    dir = up;
  }
  const projectRequire = require("module").createRequire(nodePath.join(dir, "package.json"));
  if (!require.extensions[".ts"]) {
    // tsx (esbuild) loads in ~0.3 s CPU; ts-node (the TypeScript compiler) in ~1.5 s: prefer tsx.
    let tsxApi: { register(): unknown } | undefined;
    try {
      tsxApi = projectRequire("tsx/cjs/api");
    } catch {
      tsxApi = undefined;
    }
    if (tsxApi) tsxApi.register();
    else projectRequire("ts-node").register({ transpileOnly: true, project: nodePath.join(dir, "tsconfig.json") });
  }
  return projectRequire(nodePath.join(dir, marker));
}

/**
 * The dynamic provider for one kind of host state. Keep one instance per kind (module constant):
 * Pulumi caches the serialization per provider object.
 */
export function hostStateProvider(kind: HostStateKind): pulumi.dynamic.ResourceProvider {
  return {
    configure: async (req) => loadHostStateImpl().configure(req.config),
    diff: async (id, olds, news) => loadHostStateImpl().providers[kind].diff(id, olds, news),
    create: async (inputs) => loadHostStateImpl().providers[kind].create(inputs),
    read: async (id, props) => loadHostStateImpl().providers[kind].read(id, props),
    update: async (id, olds, news) => loadHostStateImpl().providers[kind].update(id, olds, news),
    delete: async (id, props) => loadHostStateImpl().providers[kind].delete(id, props),
  };
}
