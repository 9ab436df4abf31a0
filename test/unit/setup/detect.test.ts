/** setup's detection-interpretation: probe output → what is there → what setup proposes. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { accountOwning, hostPathOf, parseProbe, propose } from "../../../tools/setup/detect";
import { DOCKER_PROBE, NATIVE_PROBE, probe } from "./fixtures";

const T = "\t";

describe("parseProbe", () => {
  test("reads accounts, state dirs, logins, binaries, containers with mounts", () => {
    const p = probe(DOCKER_PROBE);
    assert.equal(p.login, "admin");
    assert.deepEqual(p.accounts.map((a) => a.name), ["root", "admin"]);
    assert.equal(p.docker?.cli, "/usr/bin/docker");
    assert.equal(p.docker?.containers.length, 2);
    const gw = p.docker!.containers[0]!;
    assert.equal(gw.service, "openclaw-gateway");
    assert.equal(gw.project, "openclaw");
    assert.equal(gw.mounts.length, 3);
    assert.equal(gw.claude?.version, "2.1.3 (Claude Code)");
    const redis = p.docker!.containers[1]!;
    assert.equal(redis.service, undefined, "empty labels are absent, not empty strings");
  });

  test("refuses output without the probe marker", () => {
    const r = parseProbe("account=x\n");
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /probe=1/);
  });

  test("the same binary reported twice (PATH and a fixed path) is listed once", () => {
    const p = probe(`probe=1\nlogin=root\nclaude=${T}/usr/local/bin/claude${T}2.0\nclaude=${T}/usr/local/bin/claude${T}2.0\n`);
    assert.equal(p.claude.length, 1);
  });
});

describe("path helpers", () => {
  test("hostPathOf maps a container path through the most specific mount", () => {
    const c = probe(DOCKER_PROBE).docker!.containers[0]!;
    assert.equal(hostPathOf(c, "/home/node/.openclaw"), "/home/admin/.openclaw");
    assert.equal(hostPathOf(c, "/home/node/.openclaw/workspace/x"), "/home/admin/.openclaw/workspace/x");
    assert.equal(hostPathOf(c, "/home/node/.claude/.credentials.json"), "/srv/oc-home/.claude/.credentials.json");
    assert.equal(hostPathOf(c, "/etc/passwd"), undefined);
  });

  test("accountOwning picks the account whose home holds the path", () => {
    const p = probe(NATIVE_PROBE);
    assert.equal(accountOwning(p, "/home/claw/.openclaw"), "claw");
    assert.equal(accountOwning(p, "/home/clawed/.openclaw"), undefined, "a prefix of the name is not the home");
  });
});

describe("propose", () => {
  test("native: OpenClaw on PATH, state dir and login of claw", () => {
    const q = propose(probe(NATIVE_PROBE), {});
    assert.equal(q.mode.value, "host");
    assert.equal(q.account.value, "claw");
    assert.equal(q.stateDir.value, undefined, "the default ~claw/.openclaw is not written");
    assert.equal(q.claudeAccount.value, "claw");
    assert.equal(q.claudeCredentials.value, undefined);
    assert.equal(q.refreshOn.value, "host");
    assert.equal(q.claudeCli?.path, "/home/claw/.local/bin/claude");
    assert.equal(q.openclawCli, undefined, "openclaw is on the system PATH");
    assert.deepEqual(q.warnings, []);
  });

  test("docker: state dir and Claude login from the container's mounts; renewals in the container", () => {
    const q = propose(probe(DOCKER_PROBE), {});
    assert.equal(q.mode.value, "docker");
    assert.equal(q.container?.name, "openclaw-openclaw-gateway-1");
    assert.equal(q.account.value, "admin");
    assert.equal(q.stateDir.value, undefined, "/home/admin/.openclaw is admin's default");
    assert.equal(q.refreshOn.value, "container");
    assert.equal(q.claudeCredentials.value, "/srv/oc-home/.claude/.credentials.json");
    assert.equal(q.claudeCli?.where, "container");
  });

  test("docker: a container without a state-dir mount is a warning that names the fix", () => {
    const text = DOCKER_PROBE.split("\n").filter((l) => !l.startsWith("mount=")).join("\n");
    const q = propose(probe(text), {});
    assert.ok(q.warnings.some((w) => /no host mount of \/home\/node\/\.openclaw/.test(w)), q.warnings.join("\n"));
    assert.ok(q.warnings.some((w) => /not on a host mount/.test(w)), "the Claude login cannot be followed either");
  });

  test("docker: two Compose projects need --compose-project", () => {
    const second = `container=other-openclaw-gateway-1${T}ghcr.io/openclaw/openclaw:2026.9.6${T}openclaw-gateway${T}other${T}/srv/other`;
    assert.throws(() => propose(probe(`${DOCKER_PROBE}\n${second}`), {}), /--compose-project/);
    const q = propose(probe(`${DOCKER_PROBE}\n${second}`), { composeProject: "other" });
    assert.equal(q.container?.name, "other-openclaw-gateway-1");
  });

  test("flags win over detection", () => {
    const q = propose(probe(NATIVE_PROBE), { mode: "host", stateDir: "/srv/openclaw", account: "svc", claudeCredentials: "/srv/claude/.credentials.json" });
    assert.equal(q.stateDir.value, "/srv/openclaw");
    assert.equal(q.account.value, "svc");
    assert.equal(q.claudeCredentials.value, "/srv/claude/.credentials.json");
    assert.equal(q.mode.why, "--mode");
  });

  test("several state dirs: the one whose account is logged in to Claude, alternatives listed", () => {
    const text = `${NATIVE_PROBE}\naccount=bob${T}1001${T}/home/bob\nstateDir=bob${T}/home/bob/.openclaw`;
    const q = propose(probe(text.replace(`stateDir=claw`, `stateDir=claw`)), {});
    assert.equal(q.account.value, "claw");
    assert.deepEqual(q.stateDir.alternatives, ["/home/claw/.openclaw", "/home/bob/.openclaw"]);
  });

  test("Claude logged in as another account: claudeAccount follows the login", () => {
    const text = NATIVE_PROBE.replace(`creds=claw${T}/home/claw`, `creds=alice${T}/home/alice`) + `\naccount=alice${T}1002${T}/home/alice`;
    const q = propose(probe(text), {});
    assert.equal(q.account.value, "claw");
    assert.equal(q.claudeAccount.value, "alice");
  });

  test("nothing installed: a warning, and the defaults", () => {
    const q = propose(probe(`probe=1\nlogin=root\naccount=root${T}0${T}/root`), {});
    assert.equal(q.mode.value, "host");
    assert.equal(q.account.value, "root");
    assert.ok(q.warnings.some((w) => /no OpenClaw installation found/.test(w)));
    assert.ok(q.warnings.some((w) => /no Claude CLI found/.test(w)));
    assert.ok(q.warnings.some((w) => /no Claude login found for root/.test(w)));
  });

  test("a credentials path that is a directory is reported with the fix", () => {
    const text = NATIVE_PROBE.replace(`1000:1000:600${T}file`, `1000:1000:755${T}dir`);
    const q = propose(probe(text), {});
    assert.ok(q.warnings.some((w) => /is a directory/.test(w) && /re-create the container/.test(w)), q.warnings.join("\n"));
  });

  test("openclaw only in a user's bin dir becomes openclawCli", () => {
    const text = NATIVE_PROBE.replace(`openclaw=${T}/usr/local/bin/openclaw`, `openclaw=claw${T}/home/claw/.npm-global/bin/openclaw`);
    assert.equal(propose(probe(text), {}).openclawCli, "/home/claw/.npm-global/bin/openclaw");
  });

  test("--refresh-on container without docker mode is refused", () => {
    assert.throws(() => propose(probe(NATIVE_PROBE), { refreshOn: "container" }), /needs docker mode/);
  });
});
