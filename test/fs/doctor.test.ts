/**
 * Every doctor check against fixture trees in test/fixtures/doctor/<check>/<case>/ (at least one
 * case that triggers it, "bad…", and one that does not, "good…"). Each case dir holds the files
 * (openclaw/ = OpenClaw's state dir, claude/ = ~/.claude) and case.json:
 *   config   overrides of the runtime config (strings may use ${ROOT}, the case dir copy)
 *   env      doctor's process environment          claude  `claude --version` output, or {error}
 *   clock    time-sync facts                       mountinfo  /proc/self/mountinfo text (${ROOT})
 *   chmod    modes to set after copying (git keeps only the exec bit)
 *   expect   [{id, level}] findings that must be there; absent: ids that must not be (as warn/error)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigSchema } from "../../runtime/src/contract/schema";
import { gatherFacts, probeClaudeVersion, type GatherDeps } from "../../runtime/src/doctor/facts";
import { runChecks, formatFinding } from "../../runtime/src/doctor/checks";
import { defaultPlanDeps } from "../../runtime/src/refresh/plan";
import { doctorCommand } from "../../runtime/src/commands/doctor";
import { memoryLogger } from "../../runtime/src/log";
import type { ClockFacts } from "../../runtime/src/doctor/types";

const FIXTURES = join(__dirname, "..", "fixtures", "doctor");
const uid = process.getuid?.() ?? 0;

interface Case {
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  claude?: string | { error: string };
  clock?: { synchronized: boolean | null; source: string };
  mountinfo?: string;
  chmod?: Record<string, string>;
  expect?: { id: string; level: string }[];
  absent?: string[];
  absent_levels?: Record<string, string[]>;
}

function subst<T>(v: T, root: string): T {
  return JSON.parse(JSON.stringify(v).split("${ROOT}").join(root)) as T;
}

async function runCase(dir: string) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "doctor-")));
  try {
    cpSync(dir, root, { recursive: true });
    // openclaw.json may name paths inside the case (agents.list[].agentDir): ${ROOT} there too.
    const ocJson = join(root, "openclaw", "openclaw.json");
    if (existsSync(ocJson)) writeFileSync(ocJson, readFileSync(ocJson, "utf8").split("${ROOT}").join(root));
    const c = subst(JSON.parse(readFileSync(join(root, "case.json"), "utf8")) as Case, root);
    for (const [f, mode] of Object.entries(c.chmod ?? {})) chmodSync(join(root, f), parseInt(mode, 8));
    const config = ConfigSchema.parse({
      claudeCredentials: `${root}/claude/.credentials.json`,
      stateDir: `${root}/state`,
      openclaw: { stateDir: `${root}/openclaw` },
      targets: [{ kind: "auth-store" }],
      ...c.config,
    });
    const claude = c.claude ?? "2.1.240 (Claude Code)";
    const clock: ClockFacts = c.clock ? { synchronized: c.clock.synchronized ?? undefined, source: c.clock.source } : { synchronized: true, source: "fixture" };
    const deps: GatherDeps = {
      env: c.env ?? {},
      run: async () => {
        throw new Error("no process may run in fixture tests");
      },
      readMountinfo: async () => c.mountinfo ?? "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n",
      clock: async () => clock,
      claudeVersion: async () => (typeof claude === "string" ? { where: "as alice on the host", output: claude } : { where: "as alice on the host", error: claude.error }),
      managedSettingsPath: `${root}/managed-settings.json`,
      secretsOwnerUid: uid,
    };
    const facts = await gatherFacts(config, deps);
    return { c, facts, findings: runChecks(facts) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const checks = readdirSync(FIXTURES).sort();

describe("doctor checks against fixtures", () => {
  test("every check has a triggering and a non-triggering fixture", () => {
    assert.ok(checks.length >= 11, `found ${checks.length} check fixture dirs`);
    for (const ch of checks) {
      const cases = readdirSync(join(FIXTURES, ch));
      assert.ok(cases.some((x) => x.startsWith("bad")), `${ch}: no bad* case`);
      assert.ok(cases.some((x) => x.startsWith("good")), `${ch}: no good* case`);
    }
  });

  for (const ch of checks) {
    for (const name of readdirSync(join(FIXTURES, ch)).sort()) {
      test(`${ch}/${name}`, async () => {
        const { c, facts, findings } = await runCase(join(FIXTURES, ch, name));
        const shown = findings.map(formatFinding).join("\n");
        for (const e of c.expect ?? []) {
          assert.ok(findings.some((f) => f.id === e.id && f.level === e.level), `expected ${e.level} [${e.id}], got:\n${shown}`);
        }
        for (const id of c.absent ?? []) {
          assert.ok(!findings.some((f) => f.id === id && f.level !== "info"), `expected no warn/error [${id}], got:\n${shown}`);
        }
        for (const [id, levels] of Object.entries(c.absent_levels ?? {})) {
          assert.ok(!findings.some((f) => f.id === id && levels.includes(f.level)), `expected no ${levels.join("/")} [${id}], got:\n${shown}`);
        }
        for (const f of findings) if (f.level !== "info") assert.ok(f.fix.length > 0, `[${f.id}] has no fix`);
        // Fixture stores hold fake tokens: neither facts nor findings may carry them.
        const all = JSON.stringify(facts) + shown;
        assert.ok(!/FIXTURExNOTxA/.test(all), "a token value reached the facts or findings");
        assert.ok(!all.includes("hooks.slack.example/T0/B0/FIXTURE"), "a channel secret reached the facts or findings");
      });
    }
  }
});

describe("doctor effects", () => {
  test("claude --version runs as refresh runs Claude: refresh.cli with a scrubbed env", async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), "doctor-cli-")));
    try {
      const claude = join(root, "claude-standin.sh"); // stand-in for the Claude CLI
      writeFileSync(claude, `#!/bin/sh\n[ "$1" = "--version" ] || exit 9\n[ -z "$ANTHROPIC_API_KEY" ] || { echo "bypass var leaked" >&2; exit 8; }\necho "2.1.117 (Claude Code)"\n`, { mode: 0o755 });
      writeFileSync(join(root, "creds.json"), "{}", { mode: 0o600 });
      const config = ConfigSchema.parse({
        claudeCredentials: join(root, "creds.json"),
        openclaw: { stateDir: join(root, "oc") },
        targets: [{ kind: "auth-store" }],
        refresh: { cli: [claude] },
      });
      const plan = { ...defaultPlanDeps(), processEnv: { ...process.env, ANTHROPIC_API_KEY: "sk-ant-api03-xyz" } };
      const got = await probeClaudeVersion(config, plan);
      assert.equal(got.error, undefined);
      assert.equal(got.output, "2.1.117 (Claude Code)");

      const missing = ConfigSchema.parse({ ...config, refresh: { cli: [join(root, "no-such-claude")] } });
      const m = await probeClaudeVersion(missing, plan);
      assert.match(m.error ?? "", /not found on PATH/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("doctor --json on a broken host: exit 1, the finding in the JSON", async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), "doctor-cmd-")));
    try {
      cpSync(join(FIXTURES, "custom-anthropic-provider", "bad"), root, { recursive: true });
      const cfgPath = join(root, "config.json");
      writeFileSync(cfgPath, JSON.stringify({ claudeCredentials: `${root}/claude/.credentials.json`, stateDir: `${root}/state`, openclaw: { stateDir: `${root}/openclaw` }, targets: [{ kind: "auth-store" }] }));
      const out: string[] = [];
      const code = await doctorCommand({ args: ["--json"], configPath: cfgPath, log: memoryLogger(), now: () => Date.now(), out: (t) => void out.push(t), stopSignal: new Promise(() => undefined) });
      assert.equal(code, 1);
      const j = JSON.parse(out.join("")) as { ok: boolean; errors: number; findings: { id: string; level: string }[] };
      assert.equal(j.ok, false);
      assert.ok(j.findings.some((f) => f.id === "custom-anthropic-provider" && f.level === "error"));
      assert.ok(!existsSync(join(root, "state", "alerts.json")), "doctor writes nothing");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
