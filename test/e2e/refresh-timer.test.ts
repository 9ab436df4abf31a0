/**
 * E2E scenario b: the refresh timer fires on its own and runs the configured Claude CLI (the
 * `claude` stand-in in ~/.local/bin, where Claude Code's native installer puts it), which renews
 * the login like Claude Code does; the renewal reaches every target. The schedule is a stack
 * config value (every 10 s); a test-only drop-in sets AccuracySec=1s so systemd does not
 * coalesce the elapse by up to a minute.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { findLeakedToken } from "../helpers/tokens";
import { PulumiWorkspace, TestHost, requirePrerequisites, waitFor } from "./harness";
import { makeCreds, ownerMode, prepareNative } from "./fixtures";

const STACK = "timer";
const USER = "claw";
const STATE = `/home/${USER}/.openclaw`;
const CREDS = `/home/${USER}/.claude/.credentials.json`;
const CALL_LOG = `${STATE}/.standin-calls.log`;
const TARGETS = [`${STATE}/agents/main/agent/auth-profiles.json`, `${STATE}/agents/work/agent/auth-profiles.json`, `${STATE}/credentials/oauth.json`, `${STATE}/.env`];

test("e2e refresh timer: fires, runs the claude stand-in, the renewal reaches every target", { timeout: 900_000 }, async (t) => {
  requirePrerequisites();
  const name = TestHost.uniqueName("b");
  let host: TestHost | undefined;
  const ws = new PulumiWorkspace();
  const tokens: string[] = [];
  try {
    host = await TestHost.up(name);
    const h = host;
    t.diagnostic(`boot ${name}: ${h.bootMs} ms`);
    // Expires in 10 min: inside the refresh window (20 min), so the first timer run renews.
    const a = makeCreds(10 * 60_000);
    tokens.push(a.accessToken, a.refreshToken);
    await prepareNative(h, { user: USER, agents: ["main", "work"], creds: a });
    await h.installStandIns({ log: CALL_LOG }, { openclawOnPath: true, claudeOnPath: false, docker: false });
    await h.sh(
      `install -m 0666 -o ${USER} -g ${USER} /dev/null ${CALL_LOG} && install -d -o ${USER} -g ${USER} /home/${USER}/.local /home/${USER}/.local/bin && ln -s /usr/local/lib/ocs-standin/claude /home/${USER}/.local/bin/claude`,
    );
    await ws.initStack(
      STACK,
      {
        host: h.address,
        sshUser: "root",
        sshHostKey: h.hostKeyLine(),
        account: USER,
        targets: ["auth-store", "oauth-json", { kind: "env", consumer: "openclaw-global" }],
        refreshInterval: "*:*:0/10",
        refreshRandomizedDelay: "1s",
        refreshWindowMinutes: 20,
      },
      { sshPrivateKey: h.privateKey() },
    );
    // Nothing may renew before the timer: the drop-in goes in before the units exist.
    await h.sh("mkdir -p /etc/systemd/system/openclaw-oauth-sync-refresh.timer.d && printf '[Timer]\\nAccuracySec=1s\\n' > /etc/systemd/system/openclaw-oauth-sync-refresh.timer.d/e2e-accuracy.conf");
    const up = await ws.ok(["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutMs: 420_000 });
    t.diagnostic(`first pulumi up: ${up.ms} ms`);

    const timers = await h.sh("systemctl list-timers --all --no-legend --plain openclaw-oauth-sync-refresh.timer");
    assert.match(timers, /openclaw-oauth-sync-refresh\.timer\s+openclaw-oauth-sync-refresh\.service/, `list-timers:\n${timers}`);
    const t0 = Date.now();
    const renewed = await waitFor("the timer-started refresh to run the claude stand-in", 90_000, async () => {
      const c = (await h.calls(CALL_LOG)).find((x) => x.tool === "claude" && x.action === "renewed");
      return c;
    }, 1000);
    t.diagnostic(`timer fired and renewed ${Date.now() - t0} ms after up`);
    assert.equal(renewed.uid, 1000, "the Claude CLI ran as the account that owns the login");
    assert.equal(renewed.home, `/home/${USER}`);
    assert.deepEqual((renewed.argv as string[]).slice(0, 2), ["-p", "ok"], "the configured (default) claude command");
    const journal = await h.sh("journalctl --no-pager -o cat -u openclaw-oauth-sync-refresh.service");
    assert.match(journal, /renewed/, `refresh journal:\n${journal}`);

    // The renewed login (read back from the host: the stand-in made it) is in every target.
    const after = JSON.parse(await h.sh(`cat ${CREDS}`)) as { claudeAiOauth: Record<string, unknown> };
    const o = after.claudeAiOauth;
    tokens.push(String(o.accessToken), String(o.refreshToken));
    assert.notEqual(o.accessToken, a.accessToken);
    assert.ok(Number(o.expiresAt) > a.expiresAt, "later expiresAt");
    assert.deepEqual(o.scopes, ["user:inference", "user:profile", "user:sessions:claude_code"], "scopes kept");
    assert.equal(o.subscriptionType, "max", "other fields kept");
    await waitFor("every target to hold the renewed token", 10_000, async () => {
      const r = await h.ssh(`umask 077; cat > /root/.e2e-token; for f in ${TARGETS.join(" ")}; do grep -qF -f /root/.e2e-token "$f" || exit 1; done`, { stdin: String(o.accessToken) });
      return r.code === 0 ? true : undefined;
    });
    for (const f of TARGETS) assert.equal(await ownerMode(h, f), `${USER}:${USER} 600`, f);

    const all = await h.sh("journalctl --no-pager -o cat", { timeoutMs: 60_000 });
    assert.equal(findLeakedToken(all, tokens), undefined, "token in the host's journal");
    assert.equal(findLeakedToken(ws.transcript(), tokens), undefined, "token in pulumi output");
    assert.equal(findLeakedToken(ws.backendText(), tokens), undefined, "token in the Pulumi state");
  } finally {
    await ws.cleanup();
    if (host) await host.down();
    else await TestHost.down(name);
  }
});
