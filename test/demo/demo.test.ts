/**
 * `npm run demo`, end to end and non-interactively, as a newcomer runs it (node demo/start.mjs),
 * in its own demo dir and with its own host name; then `--down`. Asserts on what it printed: the
 * first `up` has no undefined outputs and the next preview changes nothing (outputs included),
 * `status` is ok, the preview shows the hand edit, `up` repairs it, and no token value appears
 * in the output or in the Pulumi state. Skips (with the reason) only when not root or when the
 * Pulumi CLI has not been built: the demo would build it itself, which takes ~25 minutes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { findLeakedToken } from "../helpers/tokens";
import { run, PULUMI_BIN } from "../e2e/harness";

const REPO = resolve(__dirname, "..", "..");

function skipReason(): string | false {
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "the demo must run as root (systemd-nspawn, network namespaces)";
  if (!existsSync(join(PULUMI_BIN, "pulumi"))) return `no Pulumi CLI in ${PULUMI_BIN}: run "bash scripts/ensure-pulumi-cli.sh" (the demo would build it itself, ~25 min)`;
  return false;
}

function filesText(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(readFileSync(p).toString("utf8"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.join("\n");
}

/** The demo's output from the step whose title starts with `title` up to the next step. */
function section(out: string, title: string): string {
  const start = out.search(new RegExp(`^\\[\\s*\\d+/\\d+ \\+[\\d.]+s\\] ${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"));
  assert.ok(start >= 0, `no step "${title}" in the demo's output`);
  const rest = out.slice(start + 1);
  const next = rest.search(/^\[\s*\d+\/\d+ \+/m);
  return next < 0 ? rest : rest.slice(0, next);
}

test("npm run demo: up, status, a hand edit caught by preview and repaired by up; --down cleans up", { skip: skipReason(), timeout: 1_200_000 }, async (t) => {
  const dir = join(mkdtempSync("/tmp/ocs-demotest-"), "d");
  const env = { ...process.env, OCS_DEMO_DIR: dir, OCS_DEMO_HOST: `demot-${process.pid % 100000}`, NODE_OPTIONS: "" };
  let downProblem: string | undefined;
  try {
    const r = await run([process.execPath, join(REPO, "demo", "start.mjs")], { env, cwd: REPO, timeoutMs: 1_100_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    t.diagnostic(`demo: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s`);
    assert.equal(r.code, 0, `the demo failed:\n${out.split("\n").slice(-60).join("\n")}`);
    assert.match(out, /Demo complete in [\d.]+s/);
    assert.match(out, /FAKE tokens made by this demo/);
    assert.match(out, /Nothing here contacts Anthropic/);

    const up = section(out, "pulumi up: install");
    assert.doesNotMatch(up, /Undefined value/, "the first up warned about undefined stack outputs");
    // The stack, the host component and 12 host-state resources (TargetsInSync among them).
    assert.match(up, /\+ 14 created/);
    assert.match(up, /loginExpiresAt\s*: "\d{4}-\d\d-\d\dT/);
    const clean = section(out, "pulumi preview: nothing was touched");
    assert.match(clean, /14 unchanged/);
    assert.doesNotMatch(clean, /Outputs:/, "the preview right after the first up shows changed outputs");

    assert.match(section(out, "openclaw-oauth-sync status"), /^\s*│ check\s+ok \(exit 0/m);

    const drift = section(out, "pulumi preview catches it");
    assert.match(drift, /JsonKeys demo-openclaw-json update \[diff: ~values\]/);
    assert.match(drift, /SystemdUnitState demo-state-openclaw-oauth-sync-watch\.service update \[diff: ~active\]/);
    const repair = section(out, "pulumi up repairs it");
    assert.match(repair, /~ 2 updated/);
    assert.match(repair, /"primary": "anthropic\/claude-sonnet-4-6"/);
    assert.match(repair, /openclaw-oauth-sync-watch\.service: active/);
    assert.match(repair, /no changes/);

    const login = JSON.parse(readFileSync(join(dir, "fake-claude-login.json"), "utf8")) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
    const tokens = [login.claudeAiOauth.accessToken, login.claudeAiOauth.refreshToken];
    assert.equal(findLeakedToken(out, tokens), undefined, "a token value in the demo's output");
    assert.equal(findLeakedToken(filesText(join(dir, "state")), tokens), undefined, "a token value in the Pulumi state");
  } finally {
    const d = await run([process.execPath, join(REPO, "demo", "start.mjs"), "--down"], { env, cwd: REPO, timeoutMs: 180_000 });
    downProblem = d.code !== 0 ? `npm run demo -- --down failed:\n${d.stdout}\n${d.stderr}` : existsSync(dir) ? `${dir} is still there after --down` : undefined;
    rmSync(resolve(dir, ".."), { recursive: true, force: true });
  }
  assert.equal(downProblem, undefined);
});
