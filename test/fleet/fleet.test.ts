/**
 * `fleet` against three real throwaway hosts, one of them deliberately unreachable (its stack was
 * written by setup while it was up; then the host was stopped). `fleet up`: the other two are
 * provisioned, the table and the exit code report the failure, every host has a log. `fleet
 * preview` afterwards: a hand edit on one host is drift (exit 1), the other host has no changes.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fakeCredentialsFile } from "../helpers/tokens";
import {
  bootHost,
  downHost,
  fleetCli,
  hostName,
  keepSshFiles,
  layoutNative,
  pulumiEnv,
  requireTools,
  setupCli,
  sshFlags,
  sshScript,
  tokensIn,
  type PulumiEnv,
  type TestHost,
} from "./harness";

describe("fleet over three hosts, one unreachable", { timeout: 1_500_000 }, () => {
  const names = [hostName("fa"), hostName("fb"), hostName("fc")] as const;
  const creds = names.map(() => fakeCredentialsFile());
  let hosts: TestHost[] = [];
  let pe: PulumiEnv | undefined;

  before(async () => {
    const { cliBin } = requireTools();
    pe = pulumiEnv(cliBin);
    hosts = await Promise.all(names.map((n) => bootHost(n)));
    await Promise.all(hosts.map((h, i) => layoutNative(h, creds[i])));
    // The third host's ssh files outlive it, so after `down` it is unreachable, not unknown.
    const keptConfig = keepSshFiles(hosts[2]!, path.join(path.dirname(pe.projectDir), "kept-ssh"));
    const results = await Promise.all(
      hosts.map((h, i) => setupCli([h.name, ...(i === 2 ? ["--ssh-config", keptConfig, "--connect-timeout", "5"] : sshFlags(h)), "--yes"], pe!, 180_000)),
    );
    results.forEach((r, i) => assert.equal(r.code, 0, `setup of ${names[i]} failed:\n${r.stdout}\n${r.stderr}`));
    await downHost(names[2]);
    // Point the stopped host's ssh config at loopback, on a port nothing listens on. Its old
    // address is freed and may be handed to another test's host (which would answer with a
    // different host key), and with its namespace gone it would be routed off this machine.
    fs.writeFileSync(
      keptConfig,
      fs.readFileSync(keptConfig, "utf8").replace(/^(\s*)HostName .*$/m, "$1HostName 127.0.0.1").replace(/^(\s*)Port .*$/m, "$1Port 9"),
    );
  });

  after(async () => {
    await Promise.all(names.map((n) => downHost(n)));
    pe?.cleanup();
  });

  const tableRow = (out: string, stack: string) => out.split("\n").find((l) => l.startsWith(`${stack} `)) ?? "";
  /** The newest log of `op` for a stack, to show in a failure message. */
  const lastLog = (stack: string, op: string) => {
    const dir = path.join(pe!.projectDir, ".fleet-logs", stack);
    const f = fs.existsSync(dir) ? fs.readdirSync(dir).filter((x) => x.endsWith(`-${op}.log`)).sort().pop() : undefined;
    return f ? fs.readFileSync(path.join(dir, f), "utf8").slice(-6000) : "(no log)";
  };

  test("up: the reachable hosts succeed; the table and the exit code report the unreachable one", async () => {
    const r = await fleetCli(["up", "--parallel", "3"], pe!, 900_000);
    const out = r.stdout;
    assert.equal(r.code, 1, `expected exit 1 (one host failed):\n${out}\n${r.stderr}`);
    assert.match(out, /fleet up: 3 stacks, 3 at a time/);
    for (const n of names) assert.match(out, new RegExp(`\\] ${n}\\s+started up`), `a start line for ${n}`);
    assert.match(out, new RegExp(`\\] ${names[0]}\\s+\\+ create\\s+RemoteFile ${names[0]}-runtime-bundle`), "one line per resource event");
    // 12 host-state resources and the host component (TargetsInSync among them).
    assert.match(tableRow(out, names[0]), /\bchanged\s+13 created\b/);
    assert.match(tableRow(out, names[1]), /\bchanged\s+13 created\b/);
    assert.match(tableRow(out, names[2]), /\bfailed\b.*cannot reach/);
    assert.match(out, /fleet up: 3 hosts in [\d.]+s — 2 changed, 1 failed/);
    for (const n of names) {
      const logs = fs.readdirSync(path.join(pe!.projectDir, ".fleet-logs", n));
      assert.equal(logs.length, 1, `one log for ${n}`);
      assert.match(logs[0]!, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-up\.log$/);
      const text = fs.readFileSync(path.join(pe!.projectDir, ".fleet-logs", n, logs[0]!), "utf8");
      assert.match(text, /# done .*"ok":(true|false)/);
      creds.forEach((c) => assert.deepEqual(tokensIn(text, c), [], `no token in ${n}'s log`));
    }
    creds.forEach((c) => assert.deepEqual(tokensIn(out + r.stderr, c), [], "no token in the output"));
    // the provisioned hosts really run the watcher
    for (const h of hosts.slice(0, 2)) {
      assert.equal((await sshScript(h, "systemctl is-active openclaw-oauth-sync-watch.service", "is-active")).trim(), "active");
    }
  });

  test("preview: a hand edit is drift (exit 1); the untouched host has no changes", async () => {
    await sshScript(hosts[1]!, "echo '# hand edit' >> /etc/systemd/system/openclaw-oauth-sync-refresh.timer", "hand edit");
    const r = await fleetCli(["preview", "--stacks", `${names[0]},${names[1]}`], pe!, 600_000);
    assert.equal(r.code, 1, `expected exit 1 (drift):\n${r.stdout}\n${r.stderr}`);
    assert.match(tableRow(r.stdout, names[0]), /\bno changes\b/, `${names[0]} should have no changes; its preview log:\n${lastLog(names[0], "preview")}`);
    assert.match(tableRow(r.stdout, names[1]), /\bdrift\s+1 updated\b/);
    assert.match(r.stdout, new RegExp(`\\] ${names[1]}\\s+~ update\\s+RemoteFile ${names[1]}-unit-openclaw-oauth-sync-refresh\\.timer`));
  });

  test("status --live: each host's runtime reports the token's time left; the unreachable one fails", async () => {
    const r = await fleetCli(["status", "--live"], pe!, 300_000);
    assert.equal(r.code, 1, `expected exit 1 (one host unreachable):\n${r.stdout}\n${r.stderr}`);
    // the fake credentials expire 8 h after they were written
    assert.match(tableRow(r.stdout, names[0]), /\bok\s+-\s+[67]h \d+m\b/);
    assert.match(tableRow(r.stdout, names[1]), /\bok\s+-\s+[67]h \d+m\b/);
    assert.match(tableRow(r.stdout, names[2]), /\bfailed\b.*cannot reach/);
    creds.forEach((c) => assert.deepEqual(tokensIn(r.stdout + r.stderr, c), []));
  });
});
