/**
 * The bundled runtime's `sync` command end to end: output lines, exit codes, no token in its
 * stdout/stderr, and permission problems seen by an unprivileged uid (root bypasses file modes,
 * so those runs drop privileges with `setpriv`).
 *
 * The bundle is built by scripts/build-runtime.mjs itself (what `npm run build` runs), but with
 * its working dir in this test's tmp dir, so it lands there and not in dist/, which other suites
 * may be using at the same time.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentFile, sandbox, type Sandbox } from "./sync-harness";
import { findLeakedToken } from "../helpers/tokens";

let buildDir = "";
let bundle = "";

before(() => {
  const repo = join(__dirname, "../..");
  buildDir = mkdtempSync(join(tmpdir(), "oos-bundle-"));
  symlinkSync(join(repo, "runtime"), join(buildDir, "runtime"));
  const r = spawnSync(process.execPath, [join(repo, "scripts/build-runtime.mjs")], { cwd: buildDir, encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `building the bundle: ${r.stderr}`);
  bundle = join(buildDir, "dist/runtime/openclaw-oauth-sync.cjs");
  for (const d of [buildDir, join(buildDir, "dist"), join(buildDir, "dist/runtime")]) chmodSync(d, 0o755);
  chmodSync(bundle, 0o644);
});
after(() => rmSync(buildDir, { recursive: true, force: true }));

function writeConfig(sb: Sandbox, extra: Record<string, unknown> = {}): string {
  const path = join(sb.root, "config.json");
  writeFileSync(
    path,
    JSON.stringify({ claudeCredentials: sb.credsPath, stateDir: sb.ours, openclaw: { stateDir: sb.oc }, reload: { action: "none" }, targets: [{ kind: "auth-store" }], ...extra }),
  );
  chmodSync(path, 0o644);
  return path;
}

function run(config: string, args: string[], asUid?: number) {
  const argv = [process.execPath, bundle, "--config", config, "sync", ...args];
  const r =
    asUid === undefined
      ? spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 })
      : spawnSync("setpriv", [`--reuid=${asUid}`, `--regid=${asUid}`, "--clear-groups", ...argv], { encoding: "utf8", timeout: 20_000 });
  assert.equal(r.error, undefined, `running the bundle: ${r.error?.message}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("bundled runtime: sync", () => {
  test("written lines, then 'nothing to do'; --json gives the SyncReport; no token in stdout/stderr", () => {
    const sb = sandbox("json");
    try {
      const cfg = writeConfig(sb, { targets: [{ kind: "auth-store" }, { kind: "env" }, { kind: "oauth-json" }] });
      const first = run(cfg, []);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^written: auth-store:main \(.*auth-profiles\.json\): anthropic:default set \(token, expires .*\)$/m);
      assert.match(first.stdout, /^written: env:.*\.env/m);
      assert.match(first.stdout, /^written: oauth-json:/m);
      assert.match(first.stdout, /^4 target\(s\) written; reload \(none\): ok$/m);
      const second = run(cfg, []);
      assert.equal(second.code, 0);
      assert.match(second.stdout, /^unchanged: auth-store:main \(/m);
      assert.match(second.stdout, /^nothing to do$/m);
      const js = run(cfg, ["--json"]);
      assert.equal(js.code, 0);
      const report = JSON.parse(js.stdout);
      assert.equal(report.changed, false);
      assert.equal(report.results.length, 4);
      const all = [first, second, js].map((r) => r.stdout + r.stderr).join("\n");
      assert.equal(findLeakedToken(all, [sb.accessToken, sb.refreshToken]), undefined);
    } finally {
      sb.cleanup();
    }
  });

  test("exit codes: 1 refused, 66 credentials missing, 65 not JSON, 78 bad config, 64 unknown option", () => {
    const sb = sandbox("json");
    try {
      writeFileSync(agentFile(sb, "main", "auth-profiles.json"), "{");
      const refused = run(writeConfig(sb, { targets: [{ kind: "auth-store", agents: ["main"] }] }), []);
      assert.equal(refused.code, 1);
      assert.match(refused.stdout, /^refused: auth-store:main .*not valid JSON/m);
      assert.match(refused.stdout, /nothing written; 1 target\(s\) need attention/);

      const cfg = writeConfig(sb);
      writeFileSync(sb.credsPath, "not json");
      const notJson = run(cfg, []);
      assert.equal(notJson.code, 65);
      assert.match(notJson.stdout + notJson.stderr, /not valid JSON/);
      rmSync(sb.credsPath);
      assert.equal(run(cfg, []).code, 66);

      const bad = join(sb.root, "bad.json");
      writeFileSync(bad, JSON.stringify({ claudeCredentials: "relative/path", openclaw: { stateDir: sb.oc }, targets: [{ kind: "auth-store", typo: 1 }] }));
      const badRun = run(bad, []);
      assert.equal(badRun.code, 78);
      assert.match(badRun.stderr, /claudeCredentials: must be an absolute path/);
      assert.equal(run(cfg, ["--frobnicate"]).code, 64);
    } finally {
      sb.cleanup();
    }
  });

  test("permission denied, as an unprivileged uid (setpriv): credentials unreadable → 77; store dir unwritable → failed, exit 1; own state dir unreadable → 77", () => {
    const sb = sandbox("json");
    try {
      chmodSync(sb.root, 0o755);
      chmodSync(sb.oc, 0o755);
      const cfg = writeConfig(sb);
      // Credentials 0600 root: unreadable for uid 65534.
      const denied = run(cfg, [], 65534);
      assert.equal(denied.code, 77, denied.stdout + denied.stderr);
      assert.match(denied.stderr, /permission denied/);

      chmodSync(sb.credsPath, 0o644);
      const store = agentFile(sb, "main", "auth-profiles.json");
      const before = readFileSync(store, "utf8");
      chmodSync(join(sb.oc, "agents"), 0o755);
      chmodSync(join(sb.oc, "agents", "main"), 0o755);
      chmodSync(join(sb.oc, "agents", "main", "agent"), 0o700); // root's, unreadable for 65534
      const cfg2 = writeConfig(sb, { targets: [{ kind: "auth-store", agents: ["main"] }] });
      const r = run(cfg2, [], 65534);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /^failed: auth-store:main .*permission denied.*run as root or as the account that owns/m);
      assert.equal(readFileSync(store, "utf8"), before);
      assert.equal(findLeakedToken(r.stdout + r.stderr + denied.stdout + denied.stderr, [sb.accessToken]), undefined);
      assert.equal(existsSync(`${store}.lock`), false);

      // Our own state dir unreadable: nothing can be decided safely → 77, nothing touched.
      mkdirSync(sb.ours, { mode: 0o700 });
      writeFileSync(join(sb.ours, "sync-state.json"), "{}");
      chmodSync(join(sb.oc, "agents", "main", "agent"), 0o777);
      const ours = run(cfg2, [], 65534);
      assert.equal(ours.code, 77, ours.stdout + ours.stderr);
      assert.match(ours.stdout, /sync failed: cannot inspect .*permission denied.*run as root or as the account that owns them/i);
      assert.equal(readFileSync(store, "utf8"), before);
    } finally {
      sb.cleanup();
    }
  });
});
