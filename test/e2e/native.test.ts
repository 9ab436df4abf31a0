/**
 * E2E scenario a (+ e): native mode with the real Pulumi CLI against a throwaway Debian host with
 * systemd. up → units enabled+active, targets hold the token (owner, mode) → a new login reaches
 * every target within a second → no-change preview → four hand edits each show in preview → up
 * repairs → a second up changes nothing → destroy leaves none of our files and openclaw.json
 * byte-identical. No token in the state, the CLI output or the journal. One agent has its own
 * agentDir outside the state dir (declared in the JSON5 openclaw.json): the units write it too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { findLeakedToken } from "../helpers/tokens";
import { TestHost, previewOps, waitFor, withTestHost } from "./harness";
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { makeCreds, OPENCLAW_JSON, ownerMode, prepareNative, writeCredsAs } from "./fixtures";

const ROOT = resolve(__dirname, "..", "..");

const STACK = "native";
const USER = "claw";
const STATE = `/home/${USER}/.openclaw`;
const CREDS = `/home/${USER}/.claude/.credentials.json`;
const CALL_LOG = `${STATE}/.standin-calls.log`;
// An agent openclaw.json gives its own agentDir outside the state dir: the sandboxed units may
// write there only because the program reads the declaration (a JSON5 file here, read with the
// json5 that OpenClaw ships) and lists the dir in ReadWritePaths.
const OUTSIDE_AGENT = "/srv/agents/ops";
const TARGETS = [`${STATE}/agents/main/agent/auth-profiles.json`, `${STATE}/agents/work/agent/auth-profiles.json`, `${OUTSIDE_AGENT}/auth-profiles.json`, `${STATE}/.env`];
const OPENCLAW_JSON_WITH_OUTSIDE_AGENT = OPENCLAW_JSON.replace('"agents": {', `"agents": {\n    "list": [{ "id": "ops", "agentDir": "${OUTSIDE_AGENT}", }],`);
// /var/lib/openclaw-oauth-sync (the units' StateDirectory: hashes and times, no tokens) is kept
// by destroy; it is reported, not asserted (see docs/testing.md, "End-to-end tests").
const OUR_PATHS = ["/etc/openclaw-oauth-sync", "/usr/local/lib/openclaw-oauth-sync", "/usr/local/bin/openclaw-oauth-sync"];
const PROPAGATION_MS = Number(process.env.OCS_E2E_PROPAGATION_MS ?? 1000);

/** Every target holds `token` (checked on the host; the token goes on stdin, never into argv). */
async function targetsHold(h: TestHost, token: string): Promise<boolean> {
  const r = await h.ssh(`umask 077; cat > /root/.e2e-token; for f in ${TARGETS.join(" ")}; do grep -qF -f /root/.e2e-token "$f" || exit 1; done`, { stdin: token });
  return r.code === 0;
}

test("e2e native: up, live sync, drift audit, repair, destroy; no token leaks", { timeout: 900_000 }, async (t) => {
  await withTestHost(t, { tag: "a", bootReport: true }, async (h, ws) => {
    const tokens: string[] = [];
    const a = makeCreds();
    tokens.push(a.accessToken, a.refreshToken);
    assert.notEqual(OPENCLAW_JSON_WITH_OUTSIDE_AGENT, OPENCLAW_JSON);
    await prepareNative(h, { user: USER, agents: ["main", "work"], creds: a, openclawJson: OPENCLAW_JSON_WITH_OUTSIDE_AGENT });
    await h.sh(`install -d -m 0700 -o ${USER} -g ${USER} /srv/agents ${OUTSIDE_AGENT}`);
    await h.installStandIns({ log: CALL_LOG }, { openclawOnPath: true, claudeOnPath: false });
    // The stand-in ships json5 beside it, as an npm install of OpenClaw does.
    const json5 = execFileSync("tar", ["-C", join(ROOT, "node_modules"), "-cz", "json5/package.json", "json5/lib"]).toString("base64");
    await h.sh("mkdir -p /usr/local/lib/ocs-standin/node_modules && base64 -d | tar -C /usr/local/lib/ocs-standin/node_modules -xz", { stdin: json5 });
    await h.sh(`install -m 0666 -o ${USER} -g ${USER} /dev/null ${CALL_LOG}`);
    await h.verboseSshd();
    const jsonBefore = await h.sh(`sha256sum < ${STATE}/openclaw.json`);
    // A stray API key in OpenClaw's .env (it would override the subscription login): openclawEnv removes it.
    const stray = "sk-ant-api03-e2e-stray-api-key-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    tokens.push(stray);
    await h.sh(`printf 'ANTHROPIC_API_KEY=${stray}\\nOPENCLAW_E2E_ENTRY=before\\n' > ${STATE}/.env && chown ${USER}:${USER} ${STATE}/.env && chmod 600 ${STATE}/.env`);

    await ws.initHostStack(STACK, h, {
      account: USER,
      targets: ["auth-store", { kind: "env", consumer: "openclaw-global" }],
      model: { primary: "anthropic/claude-sonnet-4-6" },
      openclawEnv: { set: { OPENCLAW_E2E_ENTRY: "managed" }, remove: ["ANTHROPIC_API_KEY"] },
    });

    // --- first up ---------------------------------------------------------------------------
    const up1 = await ws.ok(["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutMs: 420_000 });
    t.diagnostic(`first pulumi up: ${up1.ms} ms`);
    // Every output has a value after the first up, read after the install (not the facts from
    // before it): no "Undefined value … will not show as a stack output" warnings, and the login
    // deadline is the credentials file's refreshTokenExpiresAt.
    assert.doesNotMatch(up1.stdout + up1.stderr, /Undefined value/);
    const out1 = JSON.parse((await ws.ok(["stack", "output", "--json", "--stack", STACK], { timeoutMs: 60_000 })).stdout) as Record<string, unknown>;
    const creds = JSON.parse(a.json) as { claudeAiOauth: { refreshTokenExpiresAt: number } };
    assert.equal(out1.tokenExpiresAt, new Date(a.expiresAt).toISOString());
    assert.equal(out1.loginExpiresAt, new Date(creds.claudeAiOauth.refreshTokenExpiresAt).toISOString());
    assert.equal(out1.tokenState, "ok");
    assert.equal(out1.storageEra, "json");
    const states = await h.sh(
      "systemctl is-enabled openclaw-oauth-sync-watch.service openclaw-oauth-sync-refresh.timer; systemctl is-active openclaw-oauth-sync-watch.service openclaw-oauth-sync-refresh.timer",
    );
    assert.deepEqual(states.trim().split("\n"), ["enabled", "enabled", "active", "active"]);
    await waitFor("every target to hold the first token", 10_000, async () => ((await targetsHold(h, a.accessToken)) ? true : undefined));
    for (const f of TARGETS) assert.equal(await ownerMode(h, f), `${USER}:${USER} 600`, f);
    const reloads = (await h.calls(CALL_LOG)).filter((c) => c.tool === "openclaw" && c.action === "secrets-reload");
    assert.ok(reloads.length >= 1, "the openclaw stand-in was asked for `secrets reload`");
    assert.equal(reloads[0]!.uid, 1000, "secrets reload ran as the service account claw");

    // --- a new login reaches every target within a second ------------------------------------
    const b = makeCreds();
    tokens.push(b.accessToken, b.refreshToken);
    await writeCredsAs(h, USER, `${CREDS}.new`, b);
    await h.sh("umask 077; cat > /root/.e2e-token", { stdin: b.accessToken });
    const ms = Number(
      (
        await h.sh(
          `t0=$(date +%s%N); runuser -u ${USER} -- mv -f ${CREDS}.new ${CREDS}
           while :; do ok=1; for f in ${TARGETS.join(" ")}; do grep -qF -f /root/.e2e-token "$f" 2>/dev/null || { ok=0; break; }; done
             [ $ok = 1 ] && break; [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 10000 ] && { echo timeout; exit 1; }; sleep 0.01; done
           echo $(( ($(date +%s%N) - t0) / 1000000 ))`,
        )
      ).trim(),
    );
    t.diagnostic(`credentials rename → all ${TARGETS.length} targets updated: ${ms} ms`);
    assert.ok(ms <= PROPAGATION_MS, `targets updated after ${ms} ms, more than ${PROPAGATION_MS} ms`);
    for (const f of TARGETS) assert.equal(await ownerMode(h, f), `${USER}:${USER} 600`, f);

    // --- no-change preview (cold: no SSH master left from earlier commands) -------------------
    await ws.closeMasters();
    const since = await h.now();
    const pv = await ws.pulumi(["preview", "--expect-no-changes", "--stack", STACK], { timeoutMs: 300_000 });
    assert.equal(pv.code, 0, `preview after the token rotation must show no changes:\n${pv.stdout}\n${pv.stderr}`);
    const handshakes = await h.handshakesSince(since);
    t.diagnostic(`no-change pulumi preview: ${pv.ms} ms, ${handshakes} SSH handshake(s)`);
    assert.ok(handshakes >= 1 && handshakes <= 2, `a no-change preview made ${handshakes} SSH handshakes (expected 1: one ControlMaster shared by the program and the provider)`);

    // --- hand edits show in preview -------------------------------------------------------------
    await h.sh(
      [
        "echo '# hand edit' >> /etc/systemd/system/openclaw-oauth-sync-watch.service",
        "systemctl disable openclaw-oauth-sync-refresh.timer",
        `sed -i 's#"anthropic/claude-sonnet-4-6"#"anthropic/claude-haiku-4-5"#' ${STATE}/openclaw.json`,
        `grep -q claude-haiku-4-5 ${STATE}/openclaw.json`,
        // A target the runtime keeps, edited by hand (issue 18 point 7): the .env line removed.
        `sed -i '/^ANTHROPIC_OAUTH_TOKEN=/d' ${STATE}/.env`,
        // .env entries the program keeps (openclawEnv): the stray key back, our entry changed.
        `printf 'ANTHROPIC_API_KEY=${stray}\\n' >> ${STATE}/.env`,
        `sed -i 's/^OPENCLAW_E2E_ENTRY=.*/OPENCLAW_E2E_ENTRY=hand/' ${STATE}/.env`,
        "rm /etc/openclaw-oauth-sync/config.json",
      ].join(" && "),
    );
    const drift = await ws.ok(["preview", "--json", "--stack", STACK], { timeoutMs: 300_000 });
    const ops = previewOps(drift.stdout);
    assert.equal(ops.get(`${STACK}-unit-openclaw-oauth-sync-watch.service`), "update", "edited unit file");
    assert.equal(ops.get(`${STACK}-state-openclaw-oauth-sync-refresh.timer`), "update", "disabled timer");
    assert.equal(ops.get(`${STACK}-openclaw-json`), "update", "changed primary model");
    assert.equal(ops.get(`${STACK}-runtime-config`), "create", "deleted runtime config");
    assert.equal(ops.get(`${STACK}-targets`), "update", "a target no longer in sync (the .env line removed by hand)");
    assert.equal(ops.get(`${STACK}-openclaw-env`), "update", ".env entries edited by hand (stray key back, entry changed)");

    // --- up repairs, a second up changes nothing -------------------------------------------------
    await ws.ok(["up", "--yes", "--skip-preview", "--stack", STACK], { timeoutMs: 420_000 });
    const repaired = await h.sh(
      `systemctl is-enabled openclaw-oauth-sync-refresh.timer; systemctl is-active openclaw-oauth-sync-refresh.timer openclaw-oauth-sync-watch.service
       grep -c 'hand edit' /etc/systemd/system/openclaw-oauth-sync-watch.service || true
       test -f /etc/openclaw-oauth-sync/config.json && echo config-present
       grep -c 'claude-sonnet-4-6' ${STATE}/openclaw.json
       grep -c '^ANTHROPIC_OAUTH_TOKEN=' ${STATE}/.env
       grep -c '^ANTHROPIC_API_KEY=' ${STATE}/.env || true
       grep '^OPENCLAW_E2E_ENTRY=' ${STATE}/.env`,
    );
    assert.deepEqual(repaired.trim().split("\n"), ["enabled", "active", "active", "0", "config-present", "1", "1", "0", "OPENCLAW_E2E_ENTRY=managed"]);
    const up3 = await ws.pulumi(["up", "--yes", "--expect-no-changes", "--stack", STACK], { timeoutMs: 420_000 });
    assert.equal(up3.code, 0, `a second up must change nothing:\n${up3.stdout}\n${up3.stderr}`);

    // --- e: no token in state, CLI output, journal -----------------------------------------------
    const exported = await ws.ok(["stack", "export", "--stack", STACK], { timeoutMs: 60_000 });
    assert.equal(findLeakedToken(exported.stdout, tokens), undefined, "token in `pulumi stack export`");
    assert.equal(findLeakedToken(ws.backendText(), tokens), undefined, "token in the file backend's state");

    // --- destroy ------------------------------------------------------------------------------------
    await ws.ok(["destroy", "--yes", "--skip-preview", "--stack", STACK], { timeoutMs: 300_000 });
    const left = await h.sh(
      `ls -d /etc/systemd/system/openclaw-oauth-sync* /etc/systemd/system/*/openclaw-oauth-sync* ${OUR_PATHS.join(" ")} 2>/dev/null || true
       systemctl list-units --all --no-legend --plain 'openclaw-oauth-sync*' | grep -v 'not-found' || true`,
    );
    assert.equal(left.trim(), "", `left behind after destroy:\n${left}`);
    t.diagnostic(`kept by destroy: ${(await h.sh("ls -A /var/lib/openclaw-oauth-sync 2>/dev/null | tr '\\n' ' ' || true")).trim() || "(nothing)"} in /var/lib/openclaw-oauth-sync`);
    assert.equal(await h.sh(`sha256sum < ${STATE}/openclaw.json`), jsonBefore, "openclaw.json is byte-identical to before the first up");
    assert.match(await h.sh(`cat ${STATE}/.env`), /^OPENCLAW_E2E_ENTRY=before$/m, "destroy put our .env entry's previous value back");

    const journal = await h.sh("journalctl --no-pager -o cat -u 'openclaw-oauth-sync*'; echo ===; journalctl --no-pager -o cat", { timeoutMs: 60_000 });
    assert.ok(journal.includes("sync"), "the units' journal is not empty (the check below looks at something)");
    assert.equal(findLeakedToken(journal, tokens), undefined, "token in the host's journal");
    assert.equal(findLeakedToken(ws.transcript(), tokens), undefined, "token in the output of a pulumi command");
    assert.equal(findLeakedToken(JSON.stringify(await h.calls(CALL_LOG)), tokens), undefined, "token in a stand-in's argv");
  });
});
