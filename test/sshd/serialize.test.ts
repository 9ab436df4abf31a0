/**
 * The providers as Pulumi stores them: each kind's hand-written shim module (`__provider`, see
 * infra/hoststate/shim.ts), loaded the way the dynamic-provider host does (a module from text,
 * `.handler()`), and `read` called through it against the real sshd — in this process and in a
 * plain `node` process without any TS loader (like pulumi-resource-pulumi-nodejs), so a mistake
 * in the text or a missing TS-loader registration fails here, not in `pulumi up`.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSshd, type Sshd } from "../helpers/sshd";
import { closeAll } from "../../infra/ssh/transport";
import { shimModuleText } from "../../infra/hoststate/shim";
import type { HostStateKind } from "../../infra/hoststate/index";
import { fileProvider } from "../../infra/hoststate/remote-file.provider";
import { sha256 as sha256Hex } from "../../infra/plan/hash";
import { commonProps } from "./fixture";

const REPO = join(__dirname, "..", "..");
const KINDS: HostStateKind[] = ["file", "unit", "env", "json", "action"];

function runNode(nodeArgs: string[], script: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, "-e", script], { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timed out after 60 s waiting for node ${nodeArgs.join(" ")} -e …`));
    }, 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe("serialized host-state providers (as stored in __provider)", () => {
  let sshd: Sshd;
  let work: string;
  const serialized = new Map<HostStateKind, string>();
  before(async () => {
    sshd = await startSshd();
    work = mkdtempSync(join(tmpdir(), "ocs-serialize-"));
    for (const kind of KINDS) {
      const file = join(work, `${kind}-provider.js`);
      writeFileSync(file, shimModuleText(kind));
      serialized.set(kind, file);
    }
  });
  after(async () => {
    await closeAll({ exitMasters: true });
    await sshd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test("each shim is thin: no implementation, no host data, only the kind", () => {
    for (const kind of KINDS) {
      const text = require("node:fs").readFileSync(serialized.get(kind)!, "utf8") as string;
      assert.ok(text.length < 6000, `${kind}: ${text.length} chars — the implementation got serialized by value`);
      assert.doesNotMatch(text, /sha256sum|systemctl|edit-env|ControlMaster/, `${kind}: implementation code in the shim`);
      assert.match(text, new RegExp(`"${kind}"`));
      assert.doesNotMatch(text, new RegExp(sshd.hostKeyPub.split(" ")[1]!.slice(0, 20)));
    }
  });

  test("every kind loads via .handler() and exposes the CRUD + read + diff methods", () => {
    for (const kind of KINDS) {
      const p = require(serialized.get(kind)!).handler();
      for (const m of ["configure", "diff", "create", "read", "update", "delete"]) assert.equal(typeof p[m], "function", `${kind}.${m}`);
    }
  });

  test("read through the deserialized shim (this process) sees a hand edit", async () => {
    const path = join(work, "through-shim.txt");
    const props = { ...commonProps(sshd), path, content: "one\n", sha256: sha256Hex("one\n"), mode: "0644", owner: "root", group: "root" };
    const p = require(serialized.get("file")!).handler();
    await p.configure({ config: { get: () => undefined } });
    const { id, outs } = await p.create(props);
    writeFileSync(path, "two\n");
    const r = await p.read(id, outs);
    assert.equal(r.inputs.sha256, sha256Hex("two\n"));
    assert.equal((await p.diff(id, r.props, props)).changes, true);
  });

  test("the stored text is the same on every run and under every loader (no closure serialization)", () => {
    for (const kind of KINDS) assert.equal(shimModuleText(kind), shimModuleText(kind));
    assert.notEqual(shimModuleText("file"), shimModuleText("unit"));
    // Plain ES2017 JavaScript: no TypeScript syntax, no transpiler helpers a loader would inject.
    assert.doesNotMatch(shimModuleText("file"), /__awaiter|__importStar|_tsx|: string|import /);
  });

  test("loaded in a plain node process (no TS loader: the shim registers tsx), read sees a hand edit", async () => {
    const shimFile = serialized.get("file")!;
    const path = join(work, "plain-node.txt");
    const props = { ...commonProps(sshd), path, content: "a\n", sha256: sha256Hex("a\n"), mode: "0644", owner: "root", group: "root" };
    const { id, outs } = await fileProvider.create(props);
    writeFileSync(path, "hand edit\n");
    const script = `
      const before = Boolean(require.extensions[".ts"]);
      const p = require(${JSON.stringify(shimFile)}).handler();
      (async () => {
        await p.configure({ config: { get: () => undefined } });
        const r = await p.read(process.env.OCS_ID, JSON.parse(process.env.OCS_PROPS));
        const d = await p.diff(process.env.OCS_ID, r.props, JSON.parse(process.env.OCS_PROPS));
        console.log(JSON.stringify({ before, after: Boolean(require.extensions[".ts"]), id: r.id, sha256: r.inputs.sha256, changes: d.changes }));
        const { closeAll } = require(${JSON.stringify(join(REPO, "infra/ssh/transport.ts"))});
        await closeAll();
      })().catch((e) => { console.error(String(e)); process.exit(2); });
    `;
    // 2. Load and call it where Pulumi does: a plain node process (no --import tsx).
    const r = await runNode([], script, { OCS_ID: id, OCS_PROPS: JSON.stringify(outs) });
    assert.equal(r.code, 0, r.err);
    const res = JSON.parse(r.out.trim().split("\n").pop()!);
    assert.deepEqual(res, { before: false, after: true, id, sha256: sha256Hex("hand edit\n"), changes: true });
  });
});
