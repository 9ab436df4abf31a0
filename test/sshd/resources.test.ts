/**
 * The resource classes under Pulumi mocks: type tokens, the inputs they register, the SSH key
 * kept secret, hashes computed at program time. (The providers themselves are tested against sshd.)
 */
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

type Registered = { type: string; name: string; inputs: Record<string, unknown> };
const registered: Registered[] = [];

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply((v) => r(v)));
}
async function isSecret(o: pulumi.Output<unknown>): Promise<boolean> {
  return (o as unknown as { isSecret: Promise<boolean> }).isSecret;
}

describe("host-state resource classes (Pulumi mocks)", () => {
  let R: typeof import("../../infra/hoststate/resources");
  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => {
          throw new Error("Mock call not implemented");
        },
      },
      "openclaw-oauth-sync",
      "test",
      true,
    );
    R = await import("../../infra/hoststate/resources");
  });

  const host = { host: "gw", port: 22, user: "deploy", hostKey: "ssh-ed25519 AAAA", privateKey: pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nxyz\n") };

  test("RemoteFile: token, defaults, sha256 of (secret) content in clear, key secret and out of `host`", async () => {
    const f = new R.RemoteFile("cfg", { host, path: "/etc/x.json", content: pulumi.secret('{"s":"v"}') });
    assert.equal(await resolve(f.sha256), createHash("sha256").update('{"s":"v"}').digest("hex"));
    assert.equal(await isSecret(f.sha256), false);
    const reg = registered.find((r) => r.name === "cfg")!;
    assert.equal(reg.type, "pulumi-nodejs:dynamic/openclaw-oauth-sync:RemoteFile");
    assert.deepEqual(reg.inputs.host, { host: "gw", port: 22, user: "deploy", hostKey: "ssh-ed25519 AAAA" });
    assert.equal(reg.inputs.mode, "0644");
    assert.equal(reg.inputs.owner, "root");
    assert.equal(typeof reg.inputs.__provider, "string");
    assert.ok(!String(reg.inputs.__provider).includes("xyz"), "no key in __provider");
    assert.equal(await isSecret((f as unknown as { sshPrivateKey: pulumi.Output<string> }).sshPrivateKey), true);
  });

  test("RemoteFile from a sourceFile hashes the file; neither or both of content/sourceFile is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ocs-res-"));
    writeFileSync(join(dir, "b.cjs"), "bundle");
    const f = new R.RemoteFile("bundle", { host, path: "/usr/local/lib/x.cjs", sourceFile: join(dir, "b.cjs") });
    assert.equal(await resolve(f.sha256), createHash("sha256").update("bundle").digest("hex"));
    assert.throws(() => new R.RemoteFile("bad", { host, path: "/x" }), /exactly one of content and sourceFile/);
  });

  test("the other kinds register their tokens and inputs", async () => {
    const runtime = { node: "/usr/bin/node", bundle: "/usr/local/lib/openclaw-oauth-sync/openclaw-oauth-sync.cjs" };
    const u = new R.SystemdUnitState("unit", { host, unit: "openclaw-oauth-sync.service", enabled: true, active: true, restartOn: ["a"] });
    new R.EnvEntries("env", { host, path: "/root/.openclaw/.env", entries: { A: "1" }, runtime });
    new R.JsonKeys("json", { host, path: "/root/.openclaw/openclaw.json", json5: true, values: [{ path: ["a"], value: 1 }], restoreOnDelete: true, runtime });
    new R.HostAction("sync", { host, command: "openclaw-oauth-sync sync", triggers: ["x"], when: "create" });
    await resolve(u.enabled);
    const types = Object.fromEntries(registered.map((r) => [r.name, r.type]));
    assert.equal(types.unit, "pulumi-nodejs:dynamic/openclaw-oauth-sync:SystemdUnitState");
    assert.equal(types.env, "pulumi-nodejs:dynamic/openclaw-oauth-sync:EnvEntries");
    assert.equal(types.json, "pulumi-nodejs:dynamic/openclaw-oauth-sync:JsonKeys");
    assert.equal(types.sync, "pulumi-nodejs:dynamic/openclaw-oauth-sync:HostAction");
    const unit = registered.find((r) => r.name === "unit")!.inputs;
    assert.deepEqual(unit.daemonReloadOn, []);
    assert.equal(unit.providerVersion, "1");
  });
});
