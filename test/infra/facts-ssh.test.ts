/**
 * The facts gatherer over the real SSH transport, against a real sshd on loopback: one
 * connection, one round trip, run through passwordless sudo, and the refusal of a host without
 * systemd as PID 1 (this machine's PID 1 is not systemd).
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sshdUnavailableReason, startSshd, type Sshd } from "../helpers/sshd";
import { closeAll } from "../../infra/ssh/transport";
import { factsRequest, gatherFacts, sshFactsSource } from "../../infra/facts";
import { factsScript } from "../../infra/facts/script";
import { interpretFacts } from "../../infra/facts/interpret";
import { parseStackConfig } from "../../infra/plan/stack-config";
import { fakeCredentialsFile, findLeakedToken } from "../helpers/tokens";

const skip = sshdUnavailableReason();

describe("facts over SSH", { skip }, () => {
  let sshd: Sshd;
  let dir: string;
  let token: string;

  before(async () => {
    sshd = await startSshd();
    dir = mkdtempSync(join(tmpdir(), "ocs-facts-ssh-"));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, "state", "agents", "main", "agent"), { recursive: true });
    writeFileSync(join(dir, "state", "agents", "main", "agent", "openclaw-agent.sqlite"), "");
    mkdirSync(join(dir, "claude"), { mode: 0o700 });
    const creds = fakeCredentialsFile();
    token = String(creds.claudeAiOauth.accessToken);
    writeFileSync(join(dir, "claude", ".credentials.json"), JSON.stringify(creds), { mode: 0o600 });
  });

  after(async () => {
    await closeAll({ exitMasters: true });
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function stack() {
    const values: Record<string, string> = {
      host: "127.0.0.1",
      openclawStateDir: join(dir, "state"),
      claudeCredentials: join(dir, "claude", ".credentials.json"),
      nodePath: process.execPath,
    };
    const r = parseStackConfig((k) => values[k]);
    if (!r.ok) throw new Error(r.message);
    return r.config;
  }

  test("one handshake, run as root through sudo, facts parse, no token in the output", async () => {
    const before = sshd.acceptedCount();
    const out = await sshFactsSource(sshd.hostRef(), factsScript(factsRequest(stack())));
    assert.equal(sshd.acceptedCount() - before, 1, "exactly one SSH handshake");
    assert.equal(findLeakedToken(out, [token]), undefined);
    const r = interpretFacts(out, "127.0.0.1");
    assert.ok(r.ok, !r.ok ? r.message : "");
    assert.equal(r.facts.login.user, sshd.user, "the login account, not root");
    assert.equal(r.facts.login.privilege, "passwordless");
    assert.equal(r.facts.credentials.kind, "file", "root can see into the 0700 dir");
    assert.equal(r.facts.credentials.mode, "600");
    assert.deepEqual(r.facts.agents.map((a) => [a.id, a.era]), [["main", "sqlite"]]);
  });

  test("a host without systemd as PID 1 is refused with one clear message", async () => {
    await assert.rejects(gatherFacts(sshd.hostRef(), stack()), /This host cannot run openclaw-oauth-sync yet:\n  ✖ 127\.0\.0\.1: systemd is not PID 1/);
  });
});
