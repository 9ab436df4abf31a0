/**
 * SECURITY.md guarantee S1–S4: no token value in the output, logs, state files, notifications or
 * process argv/environment of sync, refresh, status, doctor and notify — on every outcome path
 * we can trigger, including the error paths where a CLI echoes the token it was given.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DOCKER_STANDIN } from "../fs/refresh-helpers";
import { CLAUDE_STANDIN, host, leak, requireBuild, runtime, writeCliStandIn, type Host, type RunResult } from "./helpers";

before(requireBuild);

/** Every file under `dir`, recursively, as text (for leak checks of state and targets' neighbours). */
function allFiles(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...allFiles(p));
    else out.push({ path: p, text: readFileSync(p, "latin1") });
  }
  return out;
}

function assertNoLeak(what: string, r: RunResult | string, tokens: readonly string[]): void {
  const text = typeof r === "string" ? r : `${r.stdout}\n${r.stderr}`;
  const l = leak(text, tokens);
  assert.equal(l, undefined, `${what}: output holds ${l}`);
}

function assertStateClean(h: Host): void {
  for (const f of allFiles(h.ours)) assertNoLeak(`state file ${f.path}`, f.text, h.tokens);
}

/**
 * A claude stand-in that prints both tokens of the credentials file (stdout, stderr and its debug
 * log), then ends like a dead login does with the real CLI: the token endpoint's 400 in the debug
 * log and the file blanked (facts/claude-code.md §4).
 */
function echoingClaude(h: Host): string {
  const p = join(h.bin, "claude-echo.mjs");
  writeFileSync(
    p,
    `// Stand-in for a Claude CLI that leaks: prints the credentials' tokens, then fails. Not Claude Code.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
const path = process.env.CLAUDE_CONFIG_DIR + "/.credentials.json";
const f = JSON.parse(readFileSync(path, "utf8"));
const i = process.argv.indexOf("--debug-file");
if (i > 0) appendFileSync(process.argv[i + 1], "[DEBUG] Bearer " + f.claudeAiOauth.accessToken + " refresh " + f.claudeAiOauth.refreshToken + "\\n[ERROR] OAuth refresh failed (expected): Request failed with status code 400\\n");
process.stdout.write("using " + f.claudeAiOauth.accessToken + "\\n");
process.stderr.write("OAuth error: invalid_grant for refresh token " + f.claudeAiOauth.refreshToken + " · Please run /login\\n");
f.claudeAiOauth = { ...f.claudeAiOauth, accessToken: "", refreshToken: "", expiresAt: 0 };
writeFileSync(path, JSON.stringify(f), { mode: 0o600 });
process.exit(1);
`,
  );
  return p;
}

/** A recording HTTP server on 127.0.0.1 (notification channels). */
async function recorder(): Promise<{ server: Server; base: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let b = `${req.method} ${req.url} ${JSON.stringify(req.headers)}\n`;
    req.on("data", (c) => (b += c));
    req.on("end", () => {
      bodies.push(b);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return { server, base: `http://127.0.0.1:${port}`, bodies };
}

describe("secrets: no token in output, logs, state or notifications (S1, S3, S4)", () => {
  let rec: Awaited<ReturnType<typeof recorder>>;
  before(async () => {
    rec = await recorder();
  });
  after(() => rec.server.close());

  function notifyConfig(h: Host): Record<string, unknown> {
    const secrets = join(h.dir, "notify-secrets.json");
    writeFileSync(secrets, JSON.stringify({ hook: `${rec.base}/hook/SECRETPATH`, ntfy: "topic-secret-1234" }), { mode: 0o600 });
    return {
      secretsFile: secrets,
      channels: [
        { type: "webhook", urlSecret: "hook" },
        { type: "ntfy", server: rec.base, topicSecret: "ntfy" },
      ],
    };
  }

  test("sync, status, doctor on success, no-op, --json and --verbose paths", async () => {
    const h = host();
    try {
      h.writeCreds();
      h.writeConfig();
      const runs: Array<[string, RunResult]> = [];
      for (const args of [["sync"], ["sync", "--json"], ["sync", "--verbose"], ["status"], ["status", "--json"], ["status", "--check"], ["doctor"], ["doctor", "--json"]]) {
        runs.push([args.join(" "), await runtime(["--config", h.configPath, ...args])]);
      }
      const prom = join(h.dir, "m.prom");
      runs.push(["status --prometheus", await runtime(["--config", h.configPath, "status", "--prometheus", prom])]);
      assert.equal(runs[0]![1].code, 0, runs[0]![1].stderr);
      assert.match(runs[0]![1].stdout, /written/, "the first sync wrote the targets");
      for (const [what, r] of runs) assertNoLeak(what, r, h.tokens);
      assertNoLeak("prometheus file", readFileSync(prom, "utf8"), h.tokens);
      assertStateClean(h);
    } finally {
      h.cleanup();
    }
  });

  test("sync error paths: unparseable targets holding a token, bad credentials, directory in place of a file", async () => {
    const h = host();
    try {
      const tok = h.writeCreds();
      h.writeConfig();
      // Targets that hold (pieces of) the token and do not parse: the errors must not quote them.
      writeFileSync(join(h.agentDir, "auth-profiles.json"), `{"version":1,"profiles":{"anthropic:default":{"type":"token","token":"${tok}"`);
      writeFileSync(h.oauthPath, `{"anthropic":{"access":"${tok}",,}}`);
      const r1 = await runtime(["--config", h.configPath, "sync", "--verbose"]);
      assert.equal(r1.code, 1, "refused targets make sync exit 1");
      assert.match(r1.stdout + r1.stderr, /refused/);
      assertNoLeak("sync with unparseable targets", r1, h.tokens);
      const r1j = await runtime(["--config", h.configPath, "sync", "--json"]);
      assertNoLeak("sync --json with unparseable targets", r1j, h.tokens);
      const st = await runtime(["--config", h.configPath, "status", "--json"]);
      assertNoLeak("status with unparseable targets", st, h.tokens);

      // Credentials that are not JSON (truncated mid-token) and of the wrong shape (refresh token as access token).
      const raw = readFileSync(h.credPath, "utf8");
      h.writeCreds({ raw: raw.slice(0, raw.indexOf(tok) + 60) });
      const r2 = await runtime(["--config", h.configPath, "sync"]);
      assert.equal(r2.code, 65);
      assertNoLeak("sync with truncated credentials", r2, h.tokens);
      const ort = h.tokens[h.tokens.length - 1]!;
      h.writeCreds({ raw: JSON.stringify({ claudeAiOauth: { accessToken: ort, refreshToken: tok, expiresAt: "soon", scopes: tok } }) });
      const r3 = await runtime(["--config", h.configPath, "sync"]);
      assert.equal(r3.code, 65);
      assertNoLeak("sync with wrong-shape credentials", r3, h.tokens);
      for (const args of [["status"], ["status", "--json"], ["doctor"], ["refresh"]]) {
        assertNoLeak(`${args.join(" ")} with wrong-shape credentials`, await runtime(["--config", h.configPath, ...args]), h.tokens);
      }
      // A directory where the .env should be.
      h.writeCreds();
      rmSync(h.envPath);
      mkdirSync(h.envPath);
      const r4 = await runtime(["--config", h.configPath, "sync"]);
      assert.equal(r4.code, 1);
      assert.match(r4.stderr + r4.stdout, /is a directory/);
      assertNoLeak("sync with a directory as .env", r4, h.tokens);
      assertStateClean(h);
    } finally {
      h.cleanup();
    }
  });

  test("sync through the OpenClaw CLI (SQLite era, host and docker) whose stderr and stdout echo the token: scrubbed", async () => {
    const h = host();
    try {
      h.writeCreds();
      writeFileSync(join(h.agentDir, "openclaw-agent.sqlite"), "");
      const cli = writeCliStandIn(h.bin, "openclaw");
      writeFileSync(join(h.bin, "fail"), "");
      h.writeConfig({ openclaw: { stateDir: h.oc, cli: [cli] }, targets: [{ kind: "auth-store" }] });
      const r = await runtime(["--config", h.configPath, "sync", "--verbose"]);
      assert.equal(r.code, 1, "a failed paste-token fails the sync");
      assert.match(r.stdout + r.stderr, /paste-token failed/);
      assertNoLeak("sync with an echoing OpenClaw CLI", r, h.tokens);
      assertNoLeak("sync --json with an echoing OpenClaw CLI", await runtime(["--config", h.configPath, "sync", "--json"]), h.tokens);

      const docker = writeCliStandIn(h.bin, "docker");
      h.writeConfig({ openclaw: { stateDir: h.oc, mode: "docker", docker: { container: "oc1", command: [docker] } }, targets: [{ kind: "auth-store" }] });
      const d = await runtime(["--config", h.configPath, "sync"]);
      assert.equal(d.code, 1);
      assertNoLeak("docker-mode sync with an echoing docker exec", d, h.tokens);
      // And the happy path through the CLI.
      rmSync(join(h.bin, "fail"));
      const ok = await runtime(["--config", h.configPath, "sync", "--verbose"]);
      assert.equal(ok.code, 0, ok.stderr);
      assertNoLeak("docker-mode sync", ok, h.tokens);
      assertStateClean(h);
    } finally {
      h.cleanup();
    }
  });

  test("refresh: a CLI that prints both tokens, login-required alert and recovery; notifications never carry a token", async () => {
    const h = host();
    try {
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      const notify = notifyConfig(h);
      h.writeConfig({ notify, refresh: { command: [process.execPath, echoingClaude(h)], claudeConfigDir: h.claudeDir } });
      const before = rec.bodies.length;
      const r = await runtime(["--config", h.configPath, "refresh"]);
      assert.equal(r.code, 1, `an invalid_grant is login-required (exit 1): ${r.stderr}`);
      assertNoLeak("refresh with a CLI echoing the tokens", r, h.tokens);
      for (const args of [["status"], ["status", "--json"], ["notify", "--state"], ["doctor"]]) {
        assertNoLeak(args.join(" "), await runtime(["--config", h.configPath, ...args]), h.tokens);
      }
      assert.ok(rec.bodies.length > before, "the login-required alert reached the recording server");
      // Recovery: a renewing CLI; then the forced run, the sync after it, and the recovery message.
      h.writeConfig({ notify, refresh: { command: [process.execPath, CLAUDE_STANDIN, "-p", "ok"], claudeConfigDir: h.claudeDir } });
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      const ok = await runtime(["--config", h.configPath, "refresh", "--force"]);
      assert.equal(ok.code, 0, ok.stderr);
      h.currentToken();
      assertNoLeak("refresh that renewed", ok, h.tokens);
      const t = await runtime(["--config", h.configPath, "notify", "--test"]);
      assert.equal(t.code, 0, t.stdout + t.stderr);
      assertNoLeak("notify --test", t, h.tokens);
      assert.ok(rec.bodies.length >= before + 3, `alert, recovery and test messages were recorded (${rec.bodies.length - before})`);
      for (const b of rec.bodies) assertNoLeak("a notification request", b, h.tokens);
      assertStateClean(h);
    } finally {
      h.cleanup();
    }
  });
});

describe("secrets: no token in any process's argv or environment during sync and refresh (S2)", () => {
  test("/proc/*/cmdline and environ sampled while the runtime, the OpenClaw CLI, docker and claude stand-ins run", async () => {
    const h = host();
    const tokensFile = join(h.dir, "sampler-tokens");
    try {
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      writeFileSync(join(h.agentDir, "openclaw-agent.sqlite"), "");
      const cli = writeCliStandIn(h.bin, "openclaw");
      const env = { STANDIN_SLEEP: "0.3" };
      h.writeConfig({
        openclaw: { stateDir: h.oc, cli: [cli] },
        targets: [{ kind: "auth-store" }, { kind: "env" }],
        refresh: { command: [process.execPath, CLAUDE_STANDIN, "-p", "ok"], claudeConfigDir: h.claudeDir, env: { STANDIN_DELAY_MS: "300" } },
      });
      // The refresh renews, so tokens appear that the sampler must know about: pre-generate is
      // impossible, so it is given the file and re-reads nothing; instead the test checks the
      // sampler's report against every token afterwards (hits carry no token, only where).
      writeFileSync(tokensFile, h.tokens.join("\n"), { mode: 0o600 });
      const sampler = spawn(process.execPath, [resolve("test/trust/fixtures/proc-sampler.mjs")], {
        env: { ...process.env, SAMPLER_TOKENS: tokensFile },
        stdio: ["pipe", "pipe", "inherit"],
      });
      let out = "";
      sampler.stdout!.on("data", (c) => (out += c));
      const results: RunResult[] = [];
      results.push(await runtime(["--config", h.configPath, "sync"], { env }));
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      writeFileSync(tokensFile, h.tokens.join("\n"), { mode: 0o600 });
      results.push(await runtime(["--config", h.configPath, "sync"], { env }));
      // Docker mode: paste-token through `docker exec -i`, and refresh inside the "container".
      const docker = writeCliStandIn(h.bin, "docker");
      h.writeConfig({
        openclaw: { stateDir: h.oc, mode: "docker", docker: { container: "oc1", command: [docker] } },
        targets: [{ kind: "auth-store" }],
      });
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      writeFileSync(tokensFile, h.tokens.join("\n"), { mode: 0o600 });
      results.push(await runtime(["--config", h.configPath, "sync"], { env }));
      sampler.stdin!.end();
      await new Promise<void>((r, rej) => {
        const t = setTimeout(() => rej(new Error("timed out waiting for the /proc sampler's report")), 20_000);
        sampler.on("close", () => (clearTimeout(t), r()));
      });
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const rep = JSON.parse(out) as { passes: number; seen: string[]; hits: Array<{ pid: number; where: string; argv0: string }> };
      assert.deepEqual(rep.hits, [], "a process's argv or environment held a token");
      assert.ok(rep.passes > 20, `the sampler made ${rep.passes} passes`);
      // Not vacuous: the sampler did see the children that handled the token.
      assert.ok(rep.seen.some((a) => a.includes("paste-token") && a.includes(cli)), "the sampler saw the OpenClaw CLI stand-in running paste-token");
      assert.ok(rep.seen.some((a) => a.includes(docker) && a.includes("exec")), "the sampler saw the docker stand-in running exec");
      assert.ok(rep.seen.some((a) => a.includes("openclaw-oauth-sync.cjs")), "the sampler saw the runtime");
    } finally {
      h.cleanup();
    }
  });

  test("refresh (host and container): the claude stand-in, docker exec and the runtime never carry a token in argv/environ", async () => {
    const h = host();
    const tokensFile = join(h.dir, "sampler-tokens");
    try {
      // The stand-in renews, creating tokens nobody knows in advance; the sampler re-reads the
      // credentials file each pass would be racy, so it checks the old tokens during the run
      // and the test checks the renewed ones from the sampler's argv list afterwards.
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      h.writeConfig({ refresh: { command: [process.execPath, CLAUDE_STANDIN, "-p", "ok"], claudeConfigDir: h.claudeDir, env: { STANDIN_DELAY_MS: "300" } } });
      writeFileSync(tokensFile, h.tokens.join("\n"), { mode: 0o600 });
      const sampler = spawn(process.execPath, [resolve("test/trust/fixtures/proc-sampler.mjs")], {
        env: { ...process.env, SAMPLER_TOKENS: tokensFile },
        stdio: ["pipe", "pipe", "inherit"],
      });
      let out = "";
      sampler.stdout!.on("data", (c) => (out += c));
      const r1 = await runtime(["--config", h.configPath, "refresh"]);
      assert.equal(r1.code, 0, r1.stderr);
      assert.match(r1.stdout, /renewed/);
      // Container mode through the docker stand-in (which runs the claude stand-in "inside").
      h.writeCreds({ expiresInMs: 4 * 60_000 });
      h.writeConfig({
        openclaw: { stateDir: h.oc, docker: { container: "oc1", command: [process.execPath, DOCKER_STANDIN] } },
        refresh: { on: "container", command: [process.execPath, CLAUDE_STANDIN, "-p", "ok"], claudeConfigDir: h.claudeDir, env: { STANDIN_DELAY_MS: "300" } },
      });
      const r2 = await runtime(["--config", h.configPath, "refresh"]);
      assert.equal(r2.code, 0, r2.stderr);
      sampler.stdin!.end();
      await new Promise<void>((r, rej) => {
        const t = setTimeout(() => rej(new Error("timed out waiting for the /proc sampler's report")), 20_000);
        sampler.on("close", () => (clearTimeout(t), r()));
      });
      h.currentToken();
      const rep = JSON.parse(out) as { passes: number; seen: string[]; hits: unknown[] };
      assert.deepEqual(rep.hits, [], "a process's argv or environment held a token");
      for (const a of rep.seen) assert.equal(leak(a, h.tokens), undefined, "an argv seen during refresh held a (renewed) token");
      assert.ok(rep.seen.some((a) => a.includes(CLAUDE_STANDIN)), "the sampler saw the claude stand-in");
      assert.ok(rep.seen.some((a) => a.includes(DOCKER_STANDIN) && a.includes("exec")), "the sampler saw docker exec");
      assertNoLeak("refresh output", `${r1.stdout}${r1.stderr}${r2.stdout}${r2.stderr}`, h.tokens);
    } finally {
      h.cleanup();
    }
  });
});
