/**
 * Host-state resources register what pulumi.dynamic.Resource would (type token, `__provider`
 * module), but with the hand-written shim text: constructing them must not run Pulumi's closure
 * serializer (TypeScript-parser work on every preview, loader-dependent output).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const REPO = join(__dirname, "..", "..", "..");

test("RemoteFile/SystemdUnitState register the shim text as __provider without the closure serializer", () => {
  const code = `
    const pulumi = require("@pulumi/pulumi");
    const sc = require("@pulumi/pulumi/runtime/closure/serializeClosure");
    let serializeCalls = 0;
    const orig = sc.serializeFunction;
    sc.serializeFunction = (...a) => { serializeCalls++; return orig(...a); };
    const recorded = [];
    pulumi.runtime.setMocks({
      newResource: (a) => { recorded.push({ type: a.type, inputs: a.inputs }); return { id: a.name + "-id", state: a.inputs }; },
      call: () => ({}),
    }, "p", "s", true);
    const { RemoteFile, SystemdUnitState } = require(${JSON.stringify(join(REPO, "infra/hoststate/resources.ts"))});
    const { shimModuleText } = require(${JSON.stringify(join(REPO, "infra/hoststate/shim.ts"))});
    const host = { host: "h.example", port: 22 };
    new RemoteFile("f", { host, path: "/etc/x", content: "x\\n" });
    new SystemdUnitState("u", { host, unit: "x.service", enabled: true, active: true });
    setTimeout(() => {
      console.log(JSON.stringify({
        types: recorded.map((r) => r.type).sort(),
        fileShim: recorded.find((r) => r.type.endsWith(":RemoteFile"))?.inputs.__provider === shimModuleText("file"),
        unitShim: recorded.find((r) => r.type.endsWith(":SystemdUnitState"))?.inputs.__provider === shimModuleText("unit"),
        serializeCalls,
      }));
    }, 500);
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], { cwd: REPO, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `child failed (or timed out after 60 s): ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
  assert.deepEqual(out, {
    types: ["pulumi-nodejs:dynamic/openclaw-oauth-sync:RemoteFile", "pulumi-nodejs:dynamic/openclaw-oauth-sync:SystemdUnitState"],
    fileShim: true,
    unitShim: true,
    serializeCalls: 0,
  });
});
