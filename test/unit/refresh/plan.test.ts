import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildDockerExecArgv, buildHostEnv, hostClaudeConfigDir, parsePasswd, scrubEnv } from "../../../runtime/src/refresh/plan";
import { RefreshSchema, SCRUBBED_ENV_VARS } from "../../../runtime/src/config/refresh";
import { DockerSchema } from "../../../runtime/src/config/schema";

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
  test("defaults", () => {
    const r = RefreshSchema.parse({});
    assert.equal(r.windowMinutes, 45);
    assert.equal(r.timeoutSeconds, 120);
    assert.equal(r.on, "host");
    assert.deepEqual(r.command, ["claude", "-p", "ok", "--model", "haiku", "--max-turns", "1"]);
    assert.equal(r.warnMinutes, 15);
  });
  test("--bare is refused with a message that says why", () => {
    const r = RefreshSchema.safeParse({ command: ["claude", "--bare", "-p", "ok"] });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /--bare.*disables the OAuth login/);
  });
  test("bypass variables are refused in refresh.env", () => {
    const r = RefreshSchema.safeParse({ env: { ANTHROPIC_API_KEY: "x" } });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0]!.message, /ANTHROPIC_API_KEY/);
  });
});
