import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDockerExecArgv, buildHostEnv, containerDebugCommand, hostClaudeConfigDir, parsePasswd, resolveInvocation, scrubEnv, type PlanDeps } from "../../../runtime/src/refresh/plan";
import { CLI_RENEW_THRESHOLD_MS, RefreshSchema, SCRUBBED_ENV_VARS } from "../../../runtime/src/contract/refresh";
import { ConfigSchema, DockerSchema, type Config } from "../../../runtime/src/contract/schema";

const dirty: NodeJS.ProcessEnv = {
  PATH: "/usr/bin:/bin",
  LANG: "de_DE.UTF-8",
  HTTPS_PROXY: "http://proxy:3128",
  SECRET_OF_THE_SERVICE: "x",
  ANTHROPIC_API_KEY: "sk-ant-api03-x",
  ANTHROPIC_AUTH_TOKEN: "t",
  CLAUDE_CODE_OAUTH_TOKEN: "t",
  CLAUDE_CODE_OAUTH_REFRESH_TOKEN: "t",
  CLAUDE_CODE_OAUTH_SCOPES: "user:inference",
  ANTHROPIC_OAUTH_TOKEN: "t",
  CLAUDE_CONFIG_DIR: "/elsewhere",
  CLAUDE_CODE_USE_BEDROCK: "1",
  CLAUDE_CODE_USE_VERTEX: "1",
  CLAUDE_CODE_USE_FOUNDRY: "1",
  ANTHROPIC_BASE_URL: "http://proxy",
};

describe("refresh child environment", () => {
  test("host env is minimal: no bypass variables, no unrelated service variables", () => {
    const env = buildHostEnv({ processEnv: dirty, home: "/home/alice", user: "alice", extraEnv: {} });
    for (const k of SCRUBBED_ENV_VARS) assert.equal(env[k], undefined, k);
    assert.equal(env.SECRET_OF_THE_SERVICE, undefined);
    assert.equal(env.HOME, "/home/alice");
    assert.equal(env.USER, "alice");
    assert.equal(env.LANG, "de_DE.UTF-8");
    assert.equal(env.HTTPS_PROXY, "http://proxy:3128");
    assert.equal(env.PATH, "/usr/bin:/bin:/home/alice/.local/bin");
  });
  test("base URL override and config dir are the only ways back in", () => {
    const env = buildHostEnv({ processEnv: dirty, home: "/h", user: "u", extraEnv: { FOO: "1" }, baseUrlOverride: "https://api.anthropic.com", claudeConfigDir: "/srv/claude" });
    assert.equal(env.ANTHROPIC_BASE_URL, "https://api.anthropic.com");
    assert.equal(env.CLAUDE_CONFIG_DIR, "/srv/claude");
    assert.equal(env.CLAUDE_SECURESTORAGE_CONFIG_DIR, "/srv/claude", "newer CLIs read this one first");
    assert.equal(env.FOO, "1");
    assert.equal(env.ANTHROPIC_API_KEY, undefined);
  });
  test("scrubEnv keeps everything else (for the docker client)", () => {
    const env = scrubEnv({ ...dirty, DOCKER_HOST: "unix:///run/docker.sock" });
    assert.equal(env.DOCKER_HOST, "unix:///run/docker.sock");
    for (const k of SCRUBBED_ENV_VARS) assert.equal(env[k], undefined, k);
  });
  test("CLAUDE_CONFIG_DIR only when the credentials are not in ~/.claude", () => {
    assert.equal(hostClaudeConfigDir("/home/a/.claude/.credentials.json", "/home/a", undefined), undefined);
    assert.equal(hostClaudeConfigDir("/srv/claude/.credentials.json", "/home/a", undefined), "/srv/claude");
    assert.equal(hostClaudeConfigDir("/home/a/.claude/.credentials.json", "/home/a", "/x"), "/x");
  });
});

describe("docker exec argv", () => {
  test("-u user, -e override (not secret), env -u for every other bypass variable, then the command", () => {
    const argv = buildDockerExecArgv({
      docker: DockerSchema.parse({}),
      container: "abc123",
      command: ["claude", "-p", "ok"],
      extraEnv: {},
      baseUrlOverride: "https://api.anthropic.com",
    });
    assert.deepEqual(argv.slice(0, 6), ["docker", "exec", "-u", "node", "-e", "ANTHROPIC_BASE_URL=https://api.anthropic.com"]);
    const c = argv.indexOf("abc123");
    assert.equal(argv[c + 1], "env");
    const unset = argv.slice(c + 2, argv.indexOf("claude")).filter((a) => a !== "-u");
    assert.deepEqual(new Set(unset), new Set(SCRUBBED_ENV_VARS.filter((k) => k !== "ANTHROPIC_BASE_URL")));
    assert.deepEqual(argv.slice(-3), ["claude", "-p", "ok"]);
  });
  test("without an override ANTHROPIC_BASE_URL is unset too", () => {
    const argv = buildDockerExecArgv({ docker: DockerSchema.parse({ user: "1000" }), container: "c", command: ["claude"], extraEnv: {} });
    assert.ok(argv.includes("ANTHROPIC_BASE_URL"));
    assert.equal(argv[3], "1000");
  });
});

test("parsePasswd", () => {
  const e = parsePasswd("root:x:0:0:root:/root:/bin/bash\n# c\nnode:x:1000:1000::/home/node:/bin/sh\nbroken\n");
  assert.deepEqual(e.map((x) => [x.name, x.uid, x.home]), [["root", 0, "/root"], ["node", 1000, "/home/node"]]);
});

describe("refresh config", () => {
  test("defaults: auth status (no model call), renewal 270–120 s before expiry, short backoff", () => {
    const r = RefreshSchema.parse({});
    assert.equal(r.method, "auth-status");
    assert.deepEqual(r.cli, ["claude"]);
    assert.deepEqual(r.printArgs, ["-p", "ok", "--model", "haiku", "--max-turns", "1"]);
    assert.deepEqual(r.renewBeforeExpiry, { earliestSeconds: 270, latestSeconds: 120 });
    assert.ok(r.renewBeforeExpiry.earliestSeconds * 1000 < CLI_RENEW_THRESHOLD_MS, "inside the CLI's own 5-minute window");
    assert.equal(r.maxWaitMinutes, 20);
    assert.equal(r.maxRunMinutes, 45);
    assert.equal(r.timeoutSeconds, 120);
    assert.equal(r.on, "host");
    assert.equal(r.warnMinutes, 1);
    assert.equal(r.loginWarnDays, 3);
    assert.equal(r.alertExpiredAfterMinutes, 30);
    assert.deepEqual(r.backoff, { baseMinutes: 1, factor: 2, maxMinutes: 5, jitter: 0.2 });
    assert.deepEqual(r.deprecations, []);
    assert.equal("command" in r, false);
    assert.equal("windowMinutes" in r, false);
  });
  test("old refresh.command with print arguments → method print, its arguments as printArgs, a deprecation naming refresh.cli/method", () => {
    const r = RefreshSchema.parse({ command: ["/home/a/.local/bin/claude", "-p", "ok", "--model", "haiku", "--max-turns", "1"] });
    assert.deepEqual(r.cli, ["/home/a/.local/bin/claude"]);
    assert.equal(r.method, "print");
    assert.deepEqual(r.printArgs, ["-p", "ok", "--model", "haiku", "--max-turns", "1"]);
    assert.equal(r.deprecations.length, 1);
    assert.match(r.deprecations[0]!, /^refresh\.command is deprecated: read as refresh\.cli \["\/home\/a\/\.local\/bin\/claude"\], refresh\.method "print", refresh\.printArgs \[.*\]; write those instead/);
    assert.equal("command" in r, false);
  });
  test('old refresh.command ["claude"] alone → method auth-status', () => {
    const r = RefreshSchema.parse({ command: ["claude"] });
    assert.deepEqual([r.cli, r.method], [["claude"], "auth-status"]);
    assert.match(r.deprecations[0]!, /refresh\.cli \["claude"\], refresh\.method "auth-status";/);
  });
  test('old refresh.command [claude, auth, status] → method auth-status', () => {
    const r = RefreshSchema.parse({ command: ["/usr/bin/claude", "auth", "status"] });
    assert.deepEqual([r.cli, r.method], [["/usr/bin/claude"], "auth-status"]);
    assert.equal(r.deprecations.length, 1);
  });
  test("refresh.windowMinutes is ignored, with a deprecation", () => {
    const r = RefreshSchema.parse({ windowMinutes: 45 });
    assert.equal("windowMinutes" in r, false);
    assert.equal(r.deprecations.length, 1);
    assert.match(r.deprecations[0]!, /^refresh\.windowMinutes is ignored: Claude Code renews only in the last 5 minutes.*renewBeforeExpiry.*remove the key/);
    assert.deepEqual(RefreshSchema.parse({ windowMinutes: 45 }).renewBeforeExpiry, RefreshSchema.parse({}).renewBeforeExpiry);
  });
  test("both deprecated keys → two deprecations; the whole runtime config carries them", () => {
    const c = ConfigSchema.parse({ claudeCredentials: "/c/.credentials.json", openclaw: { stateDir: "/o" }, targets: [{ kind: "env" }], refresh: { command: ["claude", "-p", "ok"], windowMinutes: 30 } });
    assert.equal(c.refresh.deprecations.length, 2);
    assert.equal(ConfigSchema.parse({ claudeCredentials: "/c/.credentials.json", openclaw: { stateDir: "/o" }, targets: [{ kind: "env" }] }).refresh.method, "auth-status");
  });
  test("renewBeforeExpiry must lie inside the CLI's window, earliest before latest", () => {
    assert.equal(RefreshSchema.safeParse({ renewBeforeExpiry: { earliestSeconds: 300 } }).success, false, "300 s: the CLI might not renew yet");
    assert.equal(RefreshSchema.safeParse({ renewBeforeExpiry: { latestSeconds: 5 } }).success, false);
    const r = RefreshSchema.safeParse({ renewBeforeExpiry: { earliestSeconds: 100, latestSeconds: 200 } });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /earliestSeconds must be at least latestSeconds/);
    assert.equal(RefreshSchema.safeParse({ renewBeforeExpiry: { earliestSeconds: 200, latestSeconds: 200 } }).success, true);
  });
  test("method is auth-status or print", () => {
    assert.equal(RefreshSchema.safeParse({ method: "doctor" }).success, false);
    assert.equal(RefreshSchema.parse({ method: "print" }).method, "print");
  });
  test("--bare is refused with a message that says why (cli, printArgs and the old command)", () => {
    for (const input of [{ cli: ["claude", "--bare"] }, { printArgs: ["-p", "ok", "--bare"] }, { command: ["claude", "--bare", "-p", "ok"] }, { cli: ["claude", "--bare=1"] }]) {
      const r = RefreshSchema.safeParse(input);
      assert.equal(r.success, false, JSON.stringify(input));
      assert.match(r.error!.issues[0]!.message, /--bare.*disables the OAuth login/);
    }
  });
  test("bypass variables are refused in refresh.env", () => {
    for (const k of ["ANTHROPIC_API_KEY", "CLAUDE_SECURESTORAGE_CONFIG_DIR"]) {
      const r = RefreshSchema.safeParse({ env: { [k]: "x" } });
      assert.equal(r.success, false);
      assert.match(r.error!.issues[0]!.message, new RegExp(k));
    }
  });
});

describe("the Claude CLI call (resolveInvocation)", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  function config(refresh: Record<string, unknown>, docker = false): Config {
    const dir = mkdtempSync(join(tmpdir(), "oos-plan-"));
    dirs.push(dir);
    mkdirSync(join(dir, ".claude"));
    const cred = join(dir, ".claude", ".credentials.json");
    writeFileSync(cred, "{}");
    return ConfigSchema.parse({
      claudeCredentials: cred,
      openclaw: docker ? { stateDir: join(dir, "oc"), mode: "docker", docker: { container: "c0ffee" } } : { stateDir: join(dir, "oc") },
      targets: [{ kind: "env" }],
      refresh,
    });
  }
  const deps = (): PlanDeps => ({ processEnv: { PATH: "/usr/bin", ANTHROPIC_API_KEY: "x" }, getuid: () => 0, readPasswd: async () => "", run: async () => ({ exitCode: 0, signal: null, timedOut: false, stdout: "", stderr: "", durationMs: 1 }) });

  test("host, auth-status: --debug-file right after the executable (claude --debug-file FILE auth status)", async () => {
    const c = config({ cli: ["/opt/claude/bin/claude"] });
    const inv = await resolveInvocation(c, deps(), { args: ["auth", "status"], debugFile: "/tmp/x/debug.log" });
    assert.deepEqual(inv.argv, ["/opt/claude/bin/claude", "--debug-file", "/tmp/x/debug.log", "auth", "status"]);
    assert.equal(inv.debugLog, "file");
    assert.equal(inv.on, "host");
    assert.equal(inv.env.ANTHROPIC_API_KEY, undefined);
    assert.equal(inv.env.CLAUDE_CONFIG_DIR, undefined, "credentials in <home>/.claude: the CLI finds them itself");
  });
  test("host without a debug file: just cli + args", async () => {
    const c = config({});
    const inv = await resolveInvocation(c, deps(), { args: ["-p", "ok"] });
    assert.deepEqual(inv.argv, ["claude", "-p", "ok"]);
    assert.equal(inv.debugLog, "none");
  });
  test("container: the wrapper carries the debug log on stderr; --debug-file goes after the cli's entries", async () => {
    const c = config({ on: "container", cli: ["node", "/app/claude.js"] }, true);
    const inv = await resolveInvocation(c, deps(), { args: ["auth", "status"], debugFile: "/tmp/x/debug.log" });
    assert.equal(inv.debugLog, "stderr");
    assert.equal(inv.on, "container");
    const sh = inv.argv.indexOf("sh");
    assert.ok(sh > inv.argv.indexOf("c0ffee"));
    assert.deepEqual(inv.argv.slice(sh), containerDebugCommand(["node", "/app/claude.js"], ["auth", "status"]));
    assert.ok(!inv.argv.includes("/tmp/x/debug.log"), "the host path means nothing in the container");
  });
  test("the container wrapper, run by a real sh: inserts --debug-file after N entries, stderr = the log alone, exit code kept", () => {
    const dir = mkdtempSync(join(tmpdir(), "oos-wrap-"));
    dirs.push(dir);
    const fake = join(dir, "fake-claude.sh");
    // Records its argv, writes a debug line to the file after --debug-file, noise to stderr, exits 3.
    writeFileSync(
      fake,
      `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/argv"\nwhile [ $# -gt 0 ]; do if [ "$1" = --debug-file ]; then echo '[ERROR] OAuth refresh failed (expected): Request failed with status code 400' > "$2"; fi; shift; done\necho noise >&2\necho 'Failed to authenticate'\nexit 3\n`,
      { mode: 0o755 },
    );
    const argv = containerDebugCommand(["sh", fake], ["auth", "status"]);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
    assert.equal(r.status, 3);
    assert.equal(r.stdout, "Failed to authenticate\n");
    assert.equal(r.stderr, "[ERROR] OAuth refresh failed (expected): Request failed with status code 400\n");
    const seen = readFileSync(join(dir, "argv"), "utf8").trimEnd().split("\n");
    assert.equal(seen[0], "--debug-file");
    assert.deepEqual(seen.slice(2), ["auth", "status"]);
    assert.equal(existsSync(seen[1]!), false, "the temp file is removed");
  });
});
