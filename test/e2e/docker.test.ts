/**
 * E2E scenario c: docker mode on a REAL Docker engine (Debian's docker.io, its own dockerd per run:
 * test/helpers/dockerd.ts), with OpenClaw images built locally from a Debian rootfs and npm
 * packages (scripts/ensure-openclaw-image.sh; no registry pull), the containers made by Compose
 * (Debian's docker-compose 1.29.2, so they carry the com.docker.compose.* labels).
 *
 * Arrangement: the engine runs on the build machine, not inside the throwaway nspawn host. dockerd
 * cannot run containers inside it (docs/testing.md "Docker mode on a real engine": nspawn mounts
 * the cgroup v1 controllers read-only in the guest). The nearest real arrangement: the engine's
 * socket is bind-mounted into the host as /run/docker.sock, Debian's docker client is on its PATH,
 * and the account's home is one directory seen at the same place by the engine (for the
 * containers' bind mounts) and by the host (/home/admin), like a host whose engine and OpenClaw
 * files live side by side.
 *
 * One host, one stack, the official Compose layout (service openclaw-gateway, ~/.openclaw →
 * /home/node/.openclaw, ~/.claude → /home/node/.claude, user node uid 1000):
 *  1. OpenClaw 2026.5.28 (JSON era): `pulumi up` finds the container by its Compose label; the
 *     first sync writes the auth store through the bind mount; the real OpenClaw in the container
 *     sees the token profile; the reload (gateway-restart) restarted the container (same id); a
 *     sync with nothing new restarts nothing.
 *  2. refresh with refreshOn container: the real Claude Code CLI 2.1.332 runs in the container as
 *     node (docker exec, under the sh -c debug-log wrapper), with the bypass variables the
 *     container's environment sets scrubbed (env -u), and renews against the loopback fake of
 *     Anthropic running in the container's network namespace (nothing leaves the machine); the
 *     renewed token reaches the store, the container is restarted (same id).
 *  3. Upgrade to 2026.9.6 (SQLite era): Compose removes the container and creates a new one (new
 *     id); the operator runs `openclaw doctor --fix` (2026.9.6 demands it); `pulumi up` follows
 *     the new container; a new login goes in with `openclaw models auth paste-token` run in the
 *     container by `docker exec`, token on stdin; then one restart.
 *     (The refresh runs in the JSON era because the fake hands out 61-character tokens and
 *     2026.9.6's paste-token refuses tokens under 80 characters.)
 *  4. No token in `docker inspect`, the engine's log (--debug: every exec's argv and env), the
 *     host's journal, Pulumi's output or state.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fakeTokenPair, throwawayCa, writeClaudeCredentials, CLAUDE_HOSTNAMES } from "../helpers/claude-sandbox";
import { COMPOSE, DOCKER, containerPid, dockerUnavailableReason, ensureImage, startDockerd, startFakeInContainerNetns, type Dockerd } from "../helpers/dockerd";
import { fakeAccessToken, fakeRefreshToken, findLeakedToken } from "../helpers/tokens";
import { PulumiWorkspace, REPO, requirePrerequisites, run, TestHost, waitFor } from "./harness";

const STACK = "docker";
const USER = "admin";
const HOME = `/home/${USER}`;
const SERVICE = "openclaw-gateway";
const PROJECT = "openclaw";
const JSON_ERA = "2026.5.28";
const SQLITE_ERA = "2026.9.6";

async function image(version: string): Promise<{ dir: string; tag: string; ms: number }> {
  const t0 = Date.now();
  const r = await run(["bash", join(REPO, "scripts", "ensure-openclaw-image.sh"), version], { timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`scripts/ensure-openclaw-image.sh ${version} failed:\n${r.stderr.slice(-3000)}`);
  const [dir, tag] = r.stdout.trim().split("\n").pop()!.split(" ");
  return { dir: dir!, tag: tag!, ms: Date.now() - t0 };
}

const OPENCLAW_JSON = `{
  "meta": { "lastTouchedVersion": "${JSON_ERA}" },
  "agents": { "defaults": { "model": { "primary": "anthropic/claude-sonnet-4-6" } } },
  "gateway": { "mode": "local", "port": 18789 }
}
`;

/**
 * The official docker-compose.yml's shape (facts/openclaw.md §2.2), minus what a test machine
 * cannot have: no network (network_mode none; Anthropic's names point at the container's
 * loopback, where the fake answers), and the gateway process replaced by `sleep` (it would spend
 * the machine's 2 cores; every OpenClaw and Claude call below is the real program, run by
 * `docker exec`). The container's environment sets the variables a refresh must scrub.
 */
function composeFile(caPath: string): string {
  return `services:
  ${SERVICE}:
    image: \${OPENCLAW_IMAGE}
    environment:
      HOME: /home/node
      TERM: xterm-256color
      NODE_EXTRA_CA_CERTS: /etc/ocs-test-ca.pem
      ANTHROPIC_BASE_URL: https://127.0.0.1:9
      ANTHROPIC_API_KEY: sk-ant-api03-not-a-real-key-the-refresh-must-scrub-it
    volumes:
      - \${OPENCLAW_CONFIG_DIR}:/home/node/.openclaw
      - \${OPENCLAW_WORKSPACE_DIR}:/home/node/.openclaw/workspace
      - \${CLAUDE_DIR}:/home/node/.claude
      - ${caPath}:/etc/ocs-test-ca.pem:ro
    init: true
    network_mode: none
    extra_hosts:
${CLAUDE_HOSTNAMES.map((h) => `      - "${h}:127.0.0.1"`).join("\n")}
    command: ["sleep", "infinity"]
    restart: unless-stopped
`;
}

interface Box {
  id: string;
  startedAt: string;
}

test("e2e docker mode on a real engine: label lookup, both eras through the bind mounts, paste-token, the real Claude CLI in the container, restarts only on change, no token leaks", { timeout: 1_500_000 }, async (t) => {
  requirePrerequisites();
  const why = dockerUnavailableReason();
  if (why) throw new Error(why);
  const t0 = Date.now();
  const imgs = { json: await image(JSON_ERA), sqlite: await image(SQLITE_ERA) };
  t.diagnostic(`image rootfs: ${JSON_ERA} ${imgs.json.ms} ms, ${SQLITE_ERA} ${imgs.sqlite.ms} ms`);

  const tmp = mkdtempSync("/tmp/ocs-dkr-");
  chmodSync(tmp, 0o755);
  const home = join(tmp, "home");
  const compose = join(home, "openclaw");
  const name = TestHost.uniqueName("c");
  const ws = new PulumiWorkspace();
  const tokens: string[] = [];
  let d: Dockerd | undefined;
  let fake: Awaited<ReturnType<typeof startFakeInContainerNetns>> | undefined;
  try {
    d = await startDockerd();
    const engine = d;
    t.diagnostic(`dockerd up (pid ${engine.pid}, data root ${engine.dataRoot})`);
    for (const i of [imgs.json, imgs.sqlite]) {
      const ms = await ensureImage(engine, i.dir, i.tag);
      t.diagnostic(`image ${i.tag}: ${ms === 0 ? "cached on the engine" : `docker import ${ms} ms`}`);
    }

    // The host side of the official setup, owned by uid 1000 (admin on the host, node in the container).
    const own = (p: string) => chownSync(p, 1000, 1000);
    for (const [p, mode] of [
      [home, 0o755],
      [join(home, ".openclaw"), 0o700],
      [join(home, ".openclaw", "workspace"), 0o755],
      [join(home, ".openclaw", "agents"), 0o700],
      [join(home, ".openclaw", "agents", "main"), 0o700],
      [join(home, ".openclaw", "agents", "main", "agent"), 0o700],
      [compose, 0o755],
    ] as const) {
      mkdirSync(p, { recursive: true, mode });
      chmodSync(p, mode);
      own(p);
    }
    writeFileSync(join(home, ".openclaw", "openclaw.json"), OPENCLAW_JSON, { mode: 0o600 });
    own(join(home, ".openclaw", "openclaw.json"));
    const a = { accessToken: fakeAccessToken(), refreshToken: fakeRefreshToken() };
    tokens.push(a.accessToken, a.refreshToken);
    // Short-lived, so that the near-expiry login of step 2 is "newer" (a target is never downgraded).
    writeClaudeCredentials(join(home, ".claude"), { ...a, expiresAt: Date.now() + 4 * 60_000, uid: 1000, gid: 1000 });
    const tls = throwawayCa(join(tmp, "tls"));
    chmodSync(join(tmp, "tls"), 0o755);
    writeFileSync(join(compose, "docker-compose.yml"), composeFile(tls.caPath));
    const dotEnv = (img: string) =>
      `OPENCLAW_IMAGE=${img}\nOPENCLAW_CONFIG_DIR=${join(home, ".openclaw")}\nOPENCLAW_WORKSPACE_DIR=${join(home, ".openclaw", "workspace")}\nCLAUDE_DIR=${join(home, ".claude")}\n`;
    const composeUp = async (img: string) => {
      writeFileSync(join(compose, ".env"), dotEnv(img));
      const r = await run([COMPOSE, "--project-name", PROJECT, "--project-directory", compose, "-f", join(compose, "docker-compose.yml"), "up", "-d", "--no-build"], {
        env: engine.env,
        cwd: compose,
        timeoutMs: 180_000,
      });
      if (r.code !== 0) throw new Error(`docker-compose up failed:\n${r.stdout}\n${r.stderr}`);
    };
    const box = async (): Promise<Box> => {
      const running = async () => (await engine.dockerOk(["ps", "-q", "--no-trunc", "--filter", `label=com.docker.compose.service=${SERVICE}`])).split("\n").filter(Boolean);
      // The watcher restarts the container after it changed something in it (reloadAction): a
      // moment with none running is expected then; wait for it to be back, bounded.
      const ids = await waitFor(`a running ${SERVICE} container`, 60_000, async () => {
        const r = await running();
        return r.length > 0 ? r : undefined;
      }, 500).catch((): string[] => []);
      assert.equal(ids.length, 1, `one running ${SERVICE} container, got ${ids.length}`);
      const startedAt = await engine.dockerOk(["inspect", "--format", "{{.State.StartedAt}}", ids[0]!]);
      return { id: ids[0]!, startedAt };
    };
    // The real OpenClaw in the container: what it sees of the profile we wrote.
    const modelsStatus = async () => {
      const r = await engine.docker(["exec", "-u", "node", (await box()).id, "node", "dist/index.js", "models", "status", "--json"], { timeoutMs: 240_000 });
      assert.equal(r.code, 0, `models status in the container failed:\n${r.stderr.slice(-2000)}`);
      return r.stdout;
    };

    await composeUp(imgs.json.tag);
    const c1 = await box();
    const labels = JSON.parse(await engine.dockerOk(["inspect", "--format", "{{json .Config.Labels}}", c1.id])) as Record<string, string>;
    assert.equal(labels["com.docker.compose.project"], PROJECT);
    assert.equal(labels["com.docker.compose.service"], SERVICE);

    // The test host: the engine's socket and Debian's docker client, the home at /home/admin.
    const kit = join(tmp, "docker-client");
    mkdirSync(kit, { mode: 0o755 });
    copyFileSync(DOCKER, join(kit, "docker"));
    chmodSync(join(kit, "docker"), 0o755);
    const h = await TestHost.upWithArgs(name, [`--bind=${home}:${HOME}`, `--bind=${engine.sockDir}:/run/ocs-docker`, `--bind-ro=${kit}:/opt/ocs-docker`]);
    t.diagnostic(`boot ${name}: ${h.bootMs} ms`);
    await h.sh(
      [
        `useradd -M -d ${HOME} -u 1000 -U -s /bin/bash ${USER}`,
        "ln -sf /opt/ocs-docker/docker /usr/local/bin/docker",
        "ln -sf /run/ocs-docker/docker.sock /run/docker.sock",
        "docker version --format 'client {{.Client.Version}}, engine {{.Server.Version}}'",
      ].join(" && "),
    );

    // 1. JSON era: pulumi up finds the container by label, the first sync writes through the bind mount.
    const outputs = async () => JSON.parse((await ws.ok(["stack", "output", "--json", "--stack", STACK], { timeoutMs: 60_000 })).stdout) as Record<string, unknown>;
    // The container's own ANTHROPIC_BASE_URL points at a dead proxy: the override replaces it for the refresh run.
    await ws.initHostStack(STACK, h, { mode: "docker", account: USER, refreshOn: "container", reloadAction: "gateway-restart", refreshBaseUrlOverride: "https://api.anthropic.com" });
    const up1 = await ws.ok(["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutMs: 480_000 });
    t.diagnostic(`pulumi up (${JSON_ERA}): ${up1.ms} ms`);
    const out1 = await outputs();
    assert.equal(out1.openclawVersion, JSON_ERA, JSON.stringify(out1));
    assert.match(String(out1.storageEra), /^json(-split)?$/);
    const store = join(home, ".openclaw", "agents", "main", "agent", "auth-profiles.json");
    const stored = await waitFor("the auth store written through the bind mount", 60_000, async () => {
      const s = readFileSync(store, "utf8");
      return s.includes(a.accessToken) ? s : undefined;
    });
    assert.ok(stored.includes('"anthropic:default"'));
    // The reload's restart first: a query meanwhile could meet the container stopping.
    const c1b = await waitFor("the reload restarting the container", 60_000, async () => {
      const b = await box();
      return b.startedAt !== c1.startedAt ? b : undefined;
    });
    assert.equal(c1b.id, c1.id, "gateway-restart restarts the container, it does not recreate it");
    const seenJson = await modelsStatus();
    assert.match(seenJson, /anthropic:default/, `OpenClaw ${JSON_ERA} in the container does not see the profile:\n${seenJson.slice(0, 2000)}`);
    // The refresh below is started by hand, once the fake listens; the timer must not race it
    // (the next `pulumi up` starts the timer again).
    await h.sh("systemctl stop openclaw-oauth-sync-refresh.timer");
    // nothing new: no write, no restart
    const noop = await h.sh("openclaw-oauth-sync sync 2>&1", { timeoutMs: 120_000 });
    t.diagnostic(`sync with nothing new: ${noop.trim().split("\n").slice(-1)[0]}`);
    assert.deepEqual(await box(), c1b, "a sync that changed nothing restarted the container");

    // 2. refresh in the container with the real Claude CLI, against the fake in its network namespace.
    const b = fakeTokenPair();
    tokens.push(b.accessToken, b.refreshToken);
    const bExpires = Date.now() + 270_000; // later than the first login's; inside the CLI's 5-minute window
    writeClaudeCredentials(join(home, ".claude"), { ...b, expiresAt: bExpires, uid: 1000, gid: 1000 });
    await waitFor("the new login in the auth store", 60_000, async () => (readFileSync(store, "utf8").includes(b.accessToken) ? true : undefined));
    const c2 = await waitFor("the restart after the new login", 60_000, async () => {
      const now = await box();
      return now.startedAt !== c1b.startedAt ? now : undefined;
    });
    fake = await startFakeInContainerNetns(await containerPid(engine, c2.id), { certPath: tls.certPath, keyPath: tls.keyPath, controlPath: join(tmp, "fake.sock") });
    await fake.control.seed({ refreshToken: b.refreshToken, accessToken: b.accessToken, expiresAt: bExpires });
    const logBefore = engine.log().length;
    const r = await h.ssh("systemctl start openclaw-oauth-sync-refresh.service", { timeoutMs: 240_000 });
    assert.equal(r.code, 0, `refresh service failed:\n${r.stderr}\n${await h.sh("journalctl --no-pager -o cat -u openclaw-oauth-sync-refresh.service | tail -n 30")}`);
    const stats = await fake.control.stats();
    assert.ok(stats.tokenOk >= 1, `the CLI renewed nothing at the fake: ${JSON.stringify(stats)}`);
    assert.equal(stats.modelCalls, 0, "auth status renews without a model call");
    const creds = JSON.parse(readFileSync(join(home, ".claude", ".credentials.json"), "utf8")) as { claudeAiOauth: { accessToken: string; refreshToken: string; expiresAt: number } };
    tokens.push(creds.claudeAiOauth.accessToken, creds.claudeAiOauth.refreshToken);
    assert.notEqual(creds.claudeAiOauth.accessToken, b.accessToken, "the login was renewed in the container");
    assert.ok(creds.claudeAiOauth.expiresAt > bExpires);
    // how it ran: docker exec as node, scrubbed, the debug log kept inside (the engine's debug log has the exec body)
    const execLog = engine.log().slice(logBefore);
    const execBodies = execLog.split("\n").filter((l) => /form data: .*Cmd/.test(l) && l.includes("claude"));
    assert.ok(execBodies.length >= 1, `no docker exec of claude in the engine's log:\n${execLog.split("\n").filter((l) => l.includes("exec")).slice(-10).join("\n")}`);
    assert.match(execBodies[0]!, /\\"User\\":\\"node\\"|"User":"node"/, execBodies[0]);
    for (const v of ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"]) assert.ok(execBodies[0]!.includes(v), `${v} is not scrubbed (env -u) in ${execBodies[0]}`);
    assert.match(execBodies[0]!, /sh.{0,8}-c/, "the CLI runs under the sh -c debug-log wrapper");
    assert.match(execBodies[0]!, /ANTHROPIC_BASE_URL=https:\/\/api\.anthropic\.com/, "refreshBaseUrlOverride given to the exec (-e), over the container's proxy");
    t.diagnostic(`refresh in the container: ${stats.tokenOk} token grant(s) at the fake, hosts ${JSON.stringify(stats.hosts)}`);
    // the renewed token reaches the store through the bind mount; the reload restarts, never recreates
    await waitFor("the renewed token in the auth store", 60_000, async () => (readFileSync(store, "utf8").includes(creds.claudeAiOauth.accessToken) ? true : undefined));
    const c2b = await waitFor("the restart after the renewal", 60_000, async () => {
      const now = await box();
      return now.startedAt !== c2.startedAt ? now : undefined;
    });
    assert.equal(c2b.id, c1.id);
    await fake.stop();

    // 3. Upgrade to the SQLite era: Compose removes the container and creates a new one (new id).
    await composeUp(imgs.sqlite.tag);
    const c3 = await box();
    assert.notEqual(c3.id, c1.id, "the upgraded container has a new id");
    // What OpenClaw 2026.9.6 asks for on an upgraded JSON-era state dir (AUTH_PROFILE_MIGRATION_REQUIRED):
    // `openclaw doctor --fix`, run by the operator in the container (facts/openclaw.md §6).
    const doctor = await engine.docker(["exec", "-u", "node", c3.id, "node", "dist/index.js", "doctor", "--fix", "--yes"], { timeoutMs: 300_000 });
    assert.equal(doctor.code, 0, `openclaw doctor --fix in the upgraded container failed:\n${doctor.stdout.slice(-1500)}\n${doctor.stderr.slice(-1500)}`);
    const up2 = await ws.ok(["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutMs: 480_000 });
    t.diagnostic(`pulumi up (${SQLITE_ERA}, new container): ${up2.ms} ms`);
    const out2 = await outputs();
    assert.equal(out2.openclawVersion, SQLITE_ERA, JSON.stringify(out2));
    assert.equal(out2.storageEra, "sqlite");
    // a new login (full length: 2026.9.6's paste-token refuses tokens under 80 characters) →
    // the watcher runs paste-token in the new container, token on stdin, then restarts it
    const dTok = { accessToken: fakeAccessToken(), refreshToken: fakeRefreshToken() };
    tokens.push(dTok.accessToken, dTok.refreshToken);
    const unitLog = (since: string) => h.sh(`journalctl --no-pager -o cat --since @${since} -u openclaw-oauth-sync-watch.service -u openclaw-oauth-sync-refresh.service`);
    const sinceD = await h.now();
    const c3b = await box();
    writeClaudeCredentials(join(home, ".claude"), { ...dTok, expiresAt: Date.now() + 8 * 3600_000, uid: 1000, gid: 1000 });
    try {
      await waitFor("paste-token of the new login in the container", 150_000, async () => (/via the OpenClaw CLI/.test(await unitLog(sinceD)) ? true : undefined), 2000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- the units' journal since then ---\n${(await unitLog(sinceD)).split("\n").slice(-25).join("\n")}`);
    }
    const pasteExec = engine.log().split("\n").filter((l) => /form data: .*Cmd/.test(l) && l.includes("paste-token"));
    assert.ok(pasteExec.length >= 1, "no docker exec of paste-token in the engine's log");
    assert.match(pasteExec[pasteExec.length - 1]!, /AttachStdin\\?":true/, "paste-token gets the token on stdin");
    // The restart after the paste first: a query meanwhile could meet the container stopping.
    const c3c = await waitFor("the restart after the paste", 60_000, async () => {
      const now = await box();
      return now.startedAt !== c3b.startedAt ? now : undefined;
    });
    assert.equal(c3c.id, c3.id);
    const seenSqlite = await modelsStatus();
    assert.match(seenSqlite, /anthropic:default/, `OpenClaw ${SQLITE_ERA} in the container has no anthropic:default profile:\n${seenSqlite.slice(0, 2000)}`);
    assert.ok(existsSync(join(home, ".openclaw", "state", "openclaw.sqlite")), "the SQLite store is on the host side of the bind mount");

    // 4. No token anywhere it must not be.
    const inspect = await engine.dockerOk(["inspect", (await box()).id]);
    assert.equal(findLeakedToken(inspect, tokens), undefined, "token in docker inspect");
    assert.equal(findLeakedToken(engine.log(), tokens), undefined, "token in the engine's log (exec argv and env included)");
    const logs = await engine.docker(["logs", (await box()).id]);
    assert.equal(findLeakedToken(logs.stdout + logs.stderr, tokens), undefined, "token in the container's log");
    const journal = await h.sh("journalctl --no-pager -o cat", { timeoutMs: 60_000 });
    assert.equal(findLeakedToken(journal, tokens), undefined, "token in the host's journal");
    assert.equal(findLeakedToken(ws.transcript(), tokens), undefined, "token in pulumi output");
    assert.equal(findLeakedToken(ws.backendText(), tokens), undefined, "token in the Pulumi state");
    t.diagnostic(`scenario wall time: ${Date.now() - t0} ms`);
  } finally {
    await fake?.stop();
    await ws.cleanup();
    await TestHost.down(name);
    await d?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
