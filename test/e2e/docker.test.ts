/**
 * E2E scenario c: docker mode against the `docker` stand-in (no Docker engine exists here). The
 * host looks like the official Compose setup: account admin (uid 1000) owns ~/.openclaw and the
 * Claude login, the "container" runs as node (uid 1000, home /home/node, workdir /app) and sees
 * the same files (/home/node → /home/admin on this host). OpenClaw 2026.9.6: the SQLite era, so
 * the token goes in with `openclaw models auth paste-token` through `docker exec`, on stdin.
 * The refresh runs the Claude CLI in the container (refreshOn: container).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { findLeakedToken } from "../helpers/tokens";
import { waitFor, withTestHost } from "./harness";
import { makeCreds, prepareNative } from "./fixtures";

const STACK = "docker";
const USER = "admin";
const STATE = `/home/${USER}/.openclaw`;
const CREDS = `/home/${USER}/.claude/.credentials.json`;
const CALL_LOG = `${STATE}/.standin-calls.log`;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

const OPENCLAW_JSON = `{
  "meta": { "lastTouchedVersion": "2026.9.6" },
  "agents": { "defaults": { "model": { "primary": "anthropic/claude-sonnet-4-6" } } }
}
`;

test("e2e docker mode: paste-token and in-container refresh through the docker stand-in", { timeout: 900_000 }, async (t) => {
  await withTestHost(t, { tag: "c" }, async (h, ws) => {
    const tokens: string[] = [];
    // Inside Claude Code's 5-minute window by the time the refresh runs (its run may wait up to a minute).
    const a = makeCreds(3 * 60_000);
    tokens.push(a.accessToken, a.refreshToken);
    await prepareNative(h, { user: USER, agents: ["main"], creds: a, openclawJson: OPENCLAW_JSON });
    await h.installStandIns(
      {
        log: CALL_LOG,
        docker: {
          id: "3f2a9c1d4e5b",
          name: "openclaw-openclaw-gateway-1",
          labels: {
            "com.docker.compose.service": "openclaw-gateway",
            "com.docker.compose.project": "openclaw",
            "com.docker.compose.project.working_dir": `/home/${USER}/openclaw`,
          },
          workdir: "/app",
          path: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
          env: { NODE_ENV: "production" },
          users: { node: { uid: 1000, gid: 1000, home: "/home/node" }, root: { uid: 0, gid: 0, home: "/root" } },
        },
      },
      { openclawOnPath: false, claudeOnPath: true, docker: true },
    );
    await h.sh(
      [
        `install -m 0666 -o ${USER} -g ${USER} /dev/null ${CALL_LOG}`,
        `install -d -o ${USER} -g ${USER} -m 0700 ${STATE}/state && install -m 0600 -o ${USER} -g ${USER} /dev/null ${STATE}/state/openclaw.sqlite`,
        `ln -s /home/${USER} /home/node`,
        "mkdir -p /app/dist && ln -s /usr/local/lib/ocs-standin/openclaw /app/dist/index.js",
        `printf '{\\n  "name": "openclaw",\\n  "version": "2026.9.6"\\n}\\n' > /app/package.json`,
      ].join(" && "),
    );
    await ws.initHostStack(STACK, h, { mode: "docker", account: USER, refreshOn: "container" });
    const up = await ws.ok(["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutMs: 420_000 });
    t.diagnostic(`first pulumi up: ${up.ms} ms`);
    assert.match(up.stdout, /storageEra\s*:\s*"sqlite"/, up.stdout);

    // paste-token: docker exec -u node … node dist/index.js models auth paste-token, token on stdin
    const pasted = await waitFor("paste-token of the first token", 20_000, async () =>
      (await h.calls(CALL_LOG)).find((c) => c.tool === "openclaw" && c.action === "paste-token" && c.stdinSha256 === sha(a.accessToken)),
    );
    assert.equal(pasted.uid, 1000, "paste-token ran as the container's user");
    assert.equal(pasted.home, "/home/node");
    assert.equal(pasted.cwd, "/app");
    const execs = (await h.calls(CALL_LOG)).filter((c) => c.tool === "docker" && c.action === "exec");
    assert.ok(
      execs.some((c) => c.user === "node" && JSON.stringify(c.command).startsWith('["node","dist/index.js","models","auth","paste-token"')),
      `docker exec calls: ${JSON.stringify(execs.map((c) => c.command))}`,
    );

    // in-container refresh: the claude stand-in runs as node in the container and renews
    const r = await h.ssh("systemctl start openclaw-oauth-sync-refresh.service", { timeoutMs: 180_000 });
    assert.equal(r.code, 0, `refresh service failed:\n${r.stderr}\n${await h.sh("journalctl --no-pager -o cat -u openclaw-oauth-sync-refresh.service | tail -n 20")}`);
    const calls = await h.calls(CALL_LOG);
    const renewed = calls.find((c) => c.tool === "claude" && c.action === "renewed");
    assert.ok(renewed, `no claude renewal in the call log: ${JSON.stringify(calls.map((c) => [c.tool, c.action]))}`);
    assert.equal(renewed.uid, 1000);
    assert.equal(renewed.home, "/home/node", "the Claude CLI ran with the container's home");
    const creds = JSON.parse(await h.sh(`cat ${CREDS}`)) as { claudeAiOauth: { accessToken: string; refreshToken: string } };
    tokens.push(creds.claudeAiOauth.accessToken, creds.claudeAiOauth.refreshToken);
    assert.notEqual(creds.claudeAiOauth.accessToken, a.accessToken);
    await waitFor("paste-token of the renewed token", 20_000, async () =>
      (await h.calls(CALL_LOG)).find((c) => c.tool === "openclaw" && c.action === "paste-token" && c.stdinSha256 === sha(creds.claudeAiOauth.accessToken)),
    );
    const reload = (await h.calls(CALL_LOG)).filter((c) => c.tool === "openclaw" && c.action === "secrets-reload");
    assert.ok(reload.length >= 1 && reload.every((c) => c.uid === 1000), "secrets reload ran in the container as node");

    const log = JSON.stringify(await h.calls(CALL_LOG));
    assert.equal(findLeakedToken(log, tokens), undefined, "token in the argv of docker/openclaw/claude");
    const all = await h.sh("journalctl --no-pager -o cat", { timeoutMs: 60_000 });
    assert.equal(findLeakedToken(all, tokens), undefined, "token in the host's journal");
    assert.equal(findLeakedToken(ws.transcript(), tokens), undefined, "token in pulumi output");
    assert.equal(findLeakedToken(ws.backendText(), tokens), undefined, "token in the Pulumi state");
  });
});
