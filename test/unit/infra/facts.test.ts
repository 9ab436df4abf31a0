/** Facts: the script's output interpreted (fixtures), eras, refusals, and the script run for real. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { eraForVersion, hostProblems, interpretFacts, parseOpenClawVersion, type Facts } from "../../../infra/facts/interpret";
import { factsScript } from "../../../infra/facts/script";
import { facts, factsText } from "../plan/fixtures";
import { fakeAccessToken, findLeakedToken } from "../../helpers/tokens";

const ROOT = resolve(__dirname, "..", "..", "..");

function withLines(name: string, edit: (lines: string[]) => string[]): Facts {
  const r = interpretFacts(edit(factsText(name).split("\n")).join("\n"), "h");
  if (!r.ok) throw new Error(r.message);
  return r.facts;
}
const drop = (prefix: string) => (ls: string[]) => ls.filter((l) => !l.startsWith(prefix));
const set = (key: string, value: string) => (ls: string[]) => [...ls.filter((l) => !l.startsWith(`${key}=`)), `${key}=${value}`];

describe("facts interpretation", () => {
  test("native JSON-split host: version from package.json, era per agent from auth-state.json", () => {
    const f = facts("native-debian12");
    assert.equal(f.openclaw.version, "2026.6.11");
    assert.equal(f.openclaw.versionSource, "package.json");
    assert.deepEqual(f.agents.map((a) => [a.id, a.era, a.eraSource]), [["main", "json-split", "auth-state"], ["work", "json-split", "auth-state"]]);
    assert.equal(f.era, "json-split");
    assert.equal(f.node?.major, 18);
    assert.equal(f.systemdPid1, true);
    assert.deepEqual(f.ourUnits, ["openclaw-oauth-sync-watch.service"]);
    assert.deepEqual(f.credentials, { path: "/home/claw/.claude/.credentials.json", kind: "file", dirKind: "dir", uid: 1001, gid: 1001, mode: "600" });
  });

  test("docker host on 2026.9.6: the shared state/openclaw.sqlite makes every agent sqlite; container found by label", () => {
    const f = facts("docker-sqlite");
    assert.equal(f.era, "sqlite");
    assert.deepEqual(f.agents.map((a) => a.eraSource), ["shared-sqlite"]);
    assert.deepEqual(f.docker?.containers, [{ name: "openclaw-openclaw-gateway-1", project: "openclaw", workingDir: "/home/admin/openclaw" }]);
    assert.equal(f.config.anthropicProvider, "broken");
    assert.equal(f.login.privilege, "passwordless");
  });

  test("era table: files win over the version; the version decides when no file does", () => {
    const noFiles = (v: string) => withLines("native-debian12", (ls) => set("openclaw.version", v)(drop("agent.file=")(ls)));
    assert.equal(noFiles("2026.3.2").era, "json");
    assert.equal(noFiles("2026.4.7").era, "json-split");
    assert.equal(noFiles("2026.7.1").era, "sqlite");
    const perAgentSqlite = withLines("native-debian12", (ls) => [...ls, "agent.file=work/openclaw-agent.sqlite"]);
    assert.deepEqual(perAgentSqlite.agents.map((a) => a.era), ["json-split", "sqlite"]);
    assert.equal(perAgentSqlite.era, "unknown", "agents disagree: no single host era");
  });

  test("version falls back to meta.lastTouchedVersion", () => {
    const f = withLines("native-debian12", (ls) => drop("openclaw.")(ls));
    assert.equal(f.openclaw.version, "2026.6.11");
    assert.equal(f.openclaw.versionSource, "meta.lastTouchedVersion");
  });

  test("login expiry: an ISO time, \"unknown\" when the credentials file records none, absent before the install", () => {
    assert.equal(withLines("native-debian12", set("status.loginExpiresAt", String(Date.UTC(2026, 11, 20, 9)))).loginExpiresAt, "2026-12-20T09:00:00.000Z");
    assert.equal(withLines("native-debian12", set("status.loginExpiresAt", "none")).loginExpiresAt, "unknown");
    assert.equal(withLines("native-debian12", drop("status.")).loginExpiresAt, undefined);
  });

  test("version parsing", () => {
    assert.deepEqual(parseOpenClawVersion("2026.4.12-beta.1"), { raw: "2026.4.12-beta.1", year: 2026, month: 4, day: 12 });
    assert.equal(parseOpenClawVersion("OpenClaw"), undefined);
    assert.equal(eraForVersion(parseOpenClawVersion("2026.4.6")!), "json");
    // The boundaries seen in real releases (test/compat): 2026.6.1 still JSON + auth-state.json,
    // 2026.6.5 and later SQLite.
    assert.equal(eraForVersion(parseOpenClawVersion("2026.5.28")!), "json-split");
    assert.equal(eraForVersion(parseOpenClawVersion("2026.6.1")!), "json-split");
    assert.equal(eraForVersion(parseOpenClawVersion("2026.6.11")!), "sqlite");
  });

  test("stray output (a motd) is ignored; garbage is refused with a hint", () => {
    assert.ok(interpretFacts(`Welcome to gw1!\n${factsText("native-debian12")}`, "h").ok);
    const r = interpretFacts("Welcome!\n", "gw1");
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /^gw1: the facts script's output was not understood/);
  });
});

describe("hosts that cannot work are refused with one clear message each", () => {
  const opts = { mode: "host" as const, nodePathConfigured: false };
  test("a good host has no problems", () => {
    assert.deepEqual(hostProblems(facts("native-debian12"), "gw1", opts), []);
  });
  const cases: [string, (ls: string[]) => string[], RegExp][] = [
    ["Node 16", set("node.version", "v16.20.2"), /Node\.js v16\.20\.2, the runtime needs >= 18: on Debian 12 "apt-get install nodejs" gives 18\.20\.4/],
    ["no node", drop("node."), /no node binary found.*apt-get install nodejs/],
    ["state dir missing", set("stateDir.kind", "missing"), /state dir \/home\/claw\/\.openclaw does not exist; set openclawStateDir/],
    ["credentials path is a directory", set("creds.kind", "dir"), /\.credentials\.json is a directory/],
    ["no systemd as PID 1", set("pid1", "tini"), /systemd is not PID 1 \(PID 1 is "tini"\)/],
    ["no root and no sudo", set("sudo", "no"), /not root and has no passwordless sudo/],
  ];
  for (const [name, edit, expected] of cases) {
    test(name, () => {
      const problems = hostProblems(withLines("native-debian12", edit), "gw1", opts);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0]!, expected);
      assert.match(problems[0]!, /^gw1: /);
    });
  }
});

/** Runs the facts script with /bin/sh on this machine; it must exit 0 and its output parse. */
function runFactsScript(script: string, env: NodeJS.ProcessEnv = process.env): { stdout: string; facts: Facts } {
  const r = spawnSync("sh", ["-s"], { input: script, encoding: "utf8", timeout: 20_000, env });
  assert.equal(r.status, 0, r.stderr);
  const parsed = interpretFacts(r.stdout, "local");
  assert.ok(parsed.ok, !parsed.ok ? parsed.message : "");
  return { stdout: r.stdout, facts: parsed.facts };
}

/** Runs the facts script on this machine with a stand-in runtime whose `status --json` prints `statusText`. */
function factsWithStatus(statusText: string): { stdout: string; facts: Facts } {
  const dir = mkdtempSync(join(tmpdir(), "ocs-facts-"));
  try {
    const prefix = join(dir, "prefix");
    mkdirSync(join(prefix, "lib", "openclaw-oauth-sync"), { recursive: true });
    mkdirSync(join(dir, "state"));
    writeFileSync(join(prefix, "lib", "openclaw-oauth-sync", "openclaw-oauth-sync.cjs"), `process.stdout.write(${JSON.stringify(statusText)});`);
    writeFileSync(join(dir, "config.json"), "{}");
    const script = factsScript({
      mode: "host",
      dockerComposeService: "openclaw-gateway",
      installPrefix: prefix,
      runtimeConfigFile: join(dir, "config.json"),
      openclawStateDir: join(dir, "state"),
      nodePath: process.execPath,
    });
    return runFactsScript(script);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("facts script", () => {
  test("reads expiry, login deadline and the targets not in sync from the installed runtime's status --json, and nothing else", () => {
    const token = fakeAccessToken();
    const expiresAt = Date.UTC(2026, 10, 24, 15, 2, 11);
    // A stand-in for the runtime: prints a status report that also holds token-shaped values.
    const refreshTokenExpiresAt = Date.UTC(2026, 11, 20, 9, 0, 0);
    const targets = [
      { target: "auth-store:main", state: "in-sync", fingerprint: token },
      { target: "env:/home/claw/.openclaw/.env", state: "missing", detail: `value ${token}` },
      { target: "oauth-json", state: "newer" },
      { target: "auth-store:work", state: "stale\nforged.line=1" },
    ];
    const report = { schemaVersion: 1, credentials: { expiresAt, refreshTokenExpiresAt, leaked: token }, check: { level: "ok", note: token }, targets };
    const { stdout, facts: f } = factsWithStatus(JSON.stringify(report));
    assert.equal(findLeakedToken(stdout, [token]), undefined, "the facts output holds the token");
    assert.equal(f.tokenExpiresAt, "2026-11-24T15:02:11.000Z");
    assert.equal(f.loginExpiresAt, "2026-12-20T09:00:00.000Z");
    assert.equal(f.tokenState, "ok");
    assert.equal(f.bundlePresent, true);
    // "in-sync" and "newer" are in sync; a newline in a state cannot forge a fact line.
    assert.deepEqual(f.targetsOutOfSync, ["env:/home/claw/.openclaw/.env: missing", "auth-store:work: stale forged.line=1"]);
    assert.doesNotMatch(stdout, /^forged/m);
  });

  test("targets: a runtime that cannot inspect them is drift; one that prints no report gives no verdict", () => {
    const err = factsWithStatus(JSON.stringify({ schemaVersion: 1, targets: [], targetsError: "permission denied" })).facts;
    assert.deepEqual(err.targetsOutOfSync, ["targets: cannot inspect (permission denied)"]);
    assert.deepEqual(factsWithStatus(JSON.stringify({ schemaVersion: 1, targets: [] })).facts.targetsOutOfSync, []);
    assert.equal(factsWithStatus("Error: config unreadable").facts.targetsOutOfSync, undefined);
    assert.equal(factsWithStatus(JSON.stringify({ schemaVersion: 1 })).facts.targetsOutOfSync, undefined);
  });

  test("a JSON5 openclaw.json: its agents' own agentDirs are read with the json5 OpenClaw ships (none without OpenClaw)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ocs-facts-"));
    try {
      const state = join(dir, "state");
      mkdirSync(state);
      writeFileSync(join(state, "openclaw.json"), `{\n  // JSON5, as a hand edit leaves it\n  agents: { list: [{ id: "ops", agentDir: "/srv/agents/ops", }], },\n}\n`);
      // An npm-style OpenClaw install: bin/openclaw -> lib/node_modules/openclaw/openclaw.mjs, json5 beside it.
      const lib = join(dir, "lib", "node_modules");
      mkdirSync(join(lib, "openclaw"), { recursive: true });
      writeFileSync(join(lib, "openclaw", "package.json"), '{ "name": "openclaw", "version": "2026.5.28" }\n');
      writeFileSync(join(lib, "openclaw", "openclaw.mjs"), "#!/bin/sh\n", { mode: 0o755 });
      symlinkSync(join(ROOT, "node_modules", "json5"), join(lib, "json5"));
      mkdirSync(join(dir, "bin"));
      symlinkSync(join(lib, "openclaw", "openclaw.mjs"), join(dir, "bin", "openclaw"));
      const script = factsScript({ mode: "host", dockerComposeService: "openclaw-gateway", installPrefix: join(dir, "prefix"), openclawStateDir: state, nodePath: process.execPath });
      const run = (path: string) => runFactsScript(script, { ...process.env, PATH: path }).facts;
      const withOpenClaw = run(`${join(dir, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`);
      assert.equal(withOpenClaw.config.parse, "json5");
      assert.deepEqual(JSON.parse(withOpenClaw.config.agentsDeclared ?? "null"), { list: [{ id: "ops", agentDir: "/srv/agents/ops" }], entries: {} });
      assert.equal(run(process.env.PATH ?? "/usr/bin:/bin").config.agentsDeclared, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("runs with /bin/sh on this machine and its output parses", () => {
    const dir = mkdtempSync(join(tmpdir(), "ocs-facts-"));
    try {
      const state = join(dir, "state dir");
      mkdirSync(join(state, "agents", "main", "agent"), { recursive: true });
      writeFileSync(join(state, "agents", "main", "agent", "auth-state.json"), "{}");
      const agents = { list: [{ id: "main" }, { id: "ops", agentDir: "/srv/agents/ops", model: "x" }], entries: { night: { agentDir: "~/night", other: 1 } } };
      writeFileSync(join(state, "openclaw.json"), JSON.stringify({ meta: { lastTouchedVersion: "2026.5.1" }, agents }));
      mkdirSync(join(dir, "creds.json")); // a directory where the file should be
      const script = factsScript({
        mode: "host",
        dockerComposeService: "openclaw-gateway",
        installPrefix: join(dir, "prefix"),
        openclawStateDir: state,
        claudeCredentials: join(dir, "creds.json"),
        nodePath: process.execPath,
      });
      const f = runFactsScript(script).facts;
      assert.equal(f.stateDir.path, state);
      assert.equal(f.stateDir.kind, "dir");
      assert.deepEqual(f.agents.map((a) => [a.id, a.era]), [["main", "json-split"]]);
      assert.equal(f.openclaw.version ?? f.config.lastTouchedVersion, "2026.5.1");
      assert.deepEqual(f.config.agentsList, ["0:main", "1:ops"]);
      // ids and agentDirs only, for the units' writable paths (infra/plan/settings.ts)
      assert.deepEqual(JSON.parse(f.config.agentsDeclared ?? "null"), { list: [{ id: "main" }, { id: "ops", agentDir: "/srv/agents/ops" }], entries: { night: { agentDir: "~/night" } } });
      assert.equal(f.credentials.kind, "dir");
      assert.equal(f.node?.path, process.execPath);
      assert.equal(f.bundlePresent, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
