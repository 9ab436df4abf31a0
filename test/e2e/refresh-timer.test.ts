/**
 * E2E scenario b: the refresh timer fires on its own; its run waits for the renewal point inside
 * Claude Code's 5-minute window and runs `claude auth status` (the stand-in in ~/.local/bin,
 * where Claude Code's native installer puts it), which renews the login like Claude Code does;
 * the renewal reaches every target. The schedule is a stack config value (every 10 s); a
 * test-only drop-in sets AccuracySec=1s so systemd does not coalesce the elapse by up to a minute.
 *
 * Then the login dies (the token endpoint answers 400 and the stand-in blanks the file, as Claude
 * Code does for a dead refresh token): the timer's runs alert login-required and fail the
 * service, and the alert unit that OnFailure= starts sends no second message for the same event.
 * Alerts go to a command channel that appends "<condition> <event>" to a file on the host. The
 * real CLI against a loopback fake of Anthropic runs in test/claude/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { findLeakedToken } from "../helpers/tokens";
import { waitFor, withTestHost } from "./harness";
import { makeCreds, ownerMode, prepareNative, writeCredsAs } from "./fixtures";

const STACK = "timer";
const USER = "claw";
const STATE = `/home/${USER}/.openclaw`;
const CREDS = `/home/${USER}/.claude/.credentials.json`;
const CALL_LOG = `${STATE}/.standin-calls.log`;
const ALERT_LOG = "/var/lib/openclaw-oauth-sync/e2e-alerts.log";
const REFRESH_UNIT = "openclaw-oauth-sync-refresh.service";
const ALERT_UNIT = `openclaw-oauth-sync-alert@${REFRESH_UNIT}.service`;
const TARGETS = [`${STATE}/agents/main/agent/auth-profiles.json`, `${STATE}/agents/work/agent/auth-profiles.json`, `${STATE}/credentials/oauth.json`, `${STATE}/.env`];

test("e2e refresh timer: fires, runs the claude stand-in, the renewal reaches every target", { timeout: 900_000 }, async (t) => {
  await withTestHost(t, { tag: "b" }, async (h, ws) => {
    const tokens: string[] = [];
    // Expires in 3 min: inside Claude Code's 5-minute window, so the first timer run renews
    // (at once, or after waiting up to a minute for its renewal point).
    const a = makeCreds(3 * 60_000);
    tokens.push(a.accessToken, a.refreshToken);
    await prepareNative(h, { user: USER, agents: ["main", "work"], creds: a });
    await h.installStandIns({ log: CALL_LOG }, { openclawOnPath: true, claudeOnPath: false });
    await h.sh(
      `install -m 0666 -o ${USER} -g ${USER} /dev/null ${CALL_LOG} && install -d -o ${USER} -g ${USER} /home/${USER}/.local /home/${USER}/.local/bin && ln -s /usr/local/lib/ocs-standin/claude /home/${USER}/.local/bin/claude`,
    );
    await ws.initHostStack(STACK, h, {
      account: USER,
      targets: ["auth-store", "oauth-json", { kind: "env", consumer: "openclaw-global" }],
      refreshInterval: "*:*:0/10",
      refreshRandomizedDelay: "1s",
      notify: {
        hostname: "gw-e2e",
        // The state dir is writable for every unit of ours (StateDirectory=).
        channels: [{ type: "command", name: "e2e-log", argv: ["/bin/sh", "-c", `printf '%s %s\\n' "$NOTIFY_CONDITION" "$NOTIFY_EVENT" >> ${ALERT_LOG}`] }],
      },
    });
    // Nothing may renew before the timer: the drop-in goes in before the units exist.
    await h.sh("mkdir -p /etc/systemd/system/openclaw-oauth-sync-refresh.timer.d && printf '[Timer]\\nAccuracySec=1s\\n' > /etc/systemd/system/openclaw-oauth-sync-refresh.timer.d/e2e-accuracy.conf");
    const up = await ws.ok(["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutMs: 420_000 });
    t.diagnostic(`first pulumi up: ${up.ms} ms`);

    const timers = await h.sh("systemctl list-timers --all --no-legend --plain openclaw-oauth-sync-refresh.timer");
    assert.match(timers, /openclaw-oauth-sync-refresh\.timer\s+openclaw-oauth-sync-refresh\.service/, `list-timers:\n${timers}`);
    const t0 = Date.now();
    const renewed = await waitFor("the timer-started refresh to run the claude stand-in", 150_000, async () => {
      const c = (await h.calls(CALL_LOG)).find((x) => x.tool === "claude" && x.action === "renewed");
      return c;
    }, 1000);
    t.diagnostic(`timer fired and renewed ${Date.now() - t0} ms after up`);
    assert.equal(renewed.uid, 1000, "the Claude CLI ran as the account that owns the login");
    assert.equal(renewed.home, `/home/${USER}`);
    assert.deepEqual((renewed.argv as string[]).slice(0, 1), ["--debug-file"], "a private debug log for the classification");
    assert.deepEqual((renewed.argv as string[]).slice(2), ["auth", "status"], "the default: renews without a model call");
    assert.equal(renewed.modelCall, false);
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

    // The login dies: a new token close to expiry (the next timer run tries to renew it) whose
    // renewal Claude Code refuses.
    await h.ssh("cat > /etc/ocs-standin/config.json", { stdin: JSON.stringify({ log: CALL_LOG, tokenEndpoint: "400" }) });
    const dead = makeCreds(60_000);
    tokens.push(dead.accessToken, dead.refreshToken);
    await writeCredsAs(h, USER, CREDS, dead);
    const t1 = Date.now();
    // Two failed runs handled by the alert unit: the one that met the dead login (the CLI blanks
    // the file), and a later one that finds the file blanked (no CLI run, the condition reported again).
    const handled = await waitFor("the alert unit to handle two failures of the refresh service", 120_000, async () => {
      const j = await h.sh(`journalctl --no-pager -o cat -u ${ALERT_UNIT}`);
      const lines = j.split("\n").filter((l) => l.includes(`unit-failed:${REFRESH_UNIT}: not raised; ${REFRESH_UNIT} alerted login-required itself before it failed`));
      return lines.length >= 2 ? lines : undefined;
    }, 1000);
    t.diagnostic(`dead login: ${handled.length} failures handled by the alert unit ${Date.now() - t1} ms after the new login`);
    const result = await h.sh(`systemctl show -p Result --value ${REFRESH_UNIT}`);
    assert.equal(result.trim(), "exit-code", "the refresh service failed (exit 1)");
    const refreshJournal = await h.sh(`journalctl --no-pager -o cat -u ${REFRESH_UNIT} --since @${Math.floor(t1 / 1000)}`);
    assert.match(refreshJournal, /login-required: .*logged-out: Anthropic refused the refresh token \(HTTP 400\) and Claude Code cleared the login/, `refresh journal:\n${refreshJournal}`);
    assert.match(refreshJournal, /login-required: .*logged out: Claude Code cleared this login/, "the later run finds the blanked file and says login-required too");
    assert.equal((await h.calls(CALL_LOG)).filter((c) => c.tool === "claude" && c.action === "blanked").length, 1, "one CLI run for the dead login");
    assert.equal(await h.sh(`cat ${ALERT_LOG}`), "login-required alert\n", "one event, one message");

    const all = await h.sh("journalctl --no-pager -o cat", { timeoutMs: 60_000 });
    assert.equal(findLeakedToken(all, tokens), undefined, "token in the host's journal");
    assert.equal(findLeakedToken(ws.transcript(), tokens), undefined, "token in pulumi output");
    assert.equal(findLeakedToken(ws.backendText(), tokens), undefined, "token in the Pulumi state");
  });
});
