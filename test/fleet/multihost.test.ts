/**
 * One stack holding three hosts (`hosts`), against real throwaway hosts: one engine, one program
 * and one provider process for all of them. After a first `fleet up` installs all three, the third
 * host goes away (unreachable: its ssh config then points at a closed loopback port) and the second
 * gets a hand edit. `fleet preview`: the edit shows as drift on that host only, the first host has
 * no changes, the unreachable one fails on its own row. `fleet up`: the edited host is repaired,
 * the first is untouched, the unreachable one fails — and keeps its resources in the state (a
 * failed host never has its resources deleted). `fleet status --live`: the two reachable hosts'
 * runtimes answer on their own rows, the unreachable one fails on its own.
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
  initMultiHostStack,
  keepSshFiles,
  layoutNative,
  nativeHostEntry,
  pulumiEnv,
  requireTools,
  run,
  sshScript,
  tokensIn,
  type PulumiEnv,
  type TestHost,
} from "./harness";

const STACK = "many";
const TIMER = "/etc/systemd/system/openclaw-oauth-sync-refresh.timer";

describe("one stack, three hosts, one of them unreachable", { timeout: 900_000 }, () => {
  const names = [hostName("ma"), hostName("mb"), hostName("mc")] as const;
  const ids = ["gw-a", "gw-b", "gw-c"] as const;
  const creds = names.map(() => fakeCredentialsFile());
  let hosts: TestHost[] = [];
  let pe: PulumiEnv | undefined;
  let keptConfig = "";

  before(async () => {
    const { cliBin } = requireTools();
    pe = pulumiEnv(cliBin);
    hosts = await Promise.all(names.map((n) => bootHost(n)));
    await Promise.all(hosts.map((h, i) => layoutNative(h, creds[i])));
    // The third host's ssh files outlive it, so after `down` it is unreachable, not unknown.
    keptConfig = keepSshFiles(hosts[2]!, path.join(path.dirname(pe.projectDir), "kept-ssh"));
    await initMultiHostStack(pe, STACK, hosts.map((h, i) => nativeHostEntry(h, ids[i]!, i === 2 ? keptConfig : h.sshConfig)));
  });

  after(async () => {
    await Promise.all(names.map((n) => downHost(n)));
    pe?.cleanup();
  });

  const row = (out: string, id: string) => out.split("\n").find((l) => l.startsWith(`${STACK}/${id} `)) ?? "";

  test("up: every host is installed, one row per host", async () => {
    const r = await fleetCli(["up", "--stacks", STACK], pe!, 600_000);
    assert.equal(r.code, 0, `fleet up failed:\n${r.stdout}\n${r.stderr}`);
    for (const id of ids) assert.match(row(r.stdout, id), /\bchanged\s+\d+ created\b/, `${id}'s row:\n${r.stdout}`);
    assert.match(r.stdout, /fleet up: 3 hosts in [\d.]+s — 3 changed/);
    creds.forEach((c) => assert.deepEqual(tokensIn(r.stdout + r.stderr, c), [], "no token in the output"));
  });

  test("preview: drift shows only on the edited host; the unreachable one fails on its own row", async () => {
    await downHost(names[2]);
    // Loopback, a port nothing listens on: refused at once (its old address may be reused by another test's host).
    fs.writeFileSync(keptConfig, fs.readFileSync(keptConfig, "utf8").replace(/^(\s*)HostName .*$/m, "$1HostName 127.0.0.1").replace(/^(\s*)Port .*$/m, "$1Port 9"));
    await sshScript(hosts[1]!, `echo '# hand edit' >> ${TIMER}`, "hand edit");
    const r = await fleetCli(["preview", "--stacks", STACK], pe!, 300_000);
    assert.equal(r.code, 1, `expected exit 1:\n${r.stdout}\n${r.stderr}`);
    assert.match(row(r.stdout, ids[0]), /\bno changes\b/, r.stdout);
    assert.match(row(r.stdout, ids[1]), /\bdrift\s+1 updated\b/, r.stdout);
    assert.match(row(r.stdout, ids[2]), /\bfailed\b.*cannot reach/, r.stdout);
    assert.match(r.stdout, new RegExp(`\\] ${STACK}\\s+~ update\\s+RemoteFile ${ids[1]}-unit-openclaw-oauth-sync-refresh\\.timer`));
    assert.doesNotMatch(r.stdout, new RegExp(`~ update\\s+\\S+ ${ids[0]}-`), "nothing to do on the untouched host");
  });

  test("up: the edited host is repaired, the untouched one left alone, the unreachable one keeps its resources", async () => {
    const r = await fleetCli(["up", "--stacks", STACK], pe!, 300_000);
    assert.equal(r.code, 1, `expected exit 1 (one host failed):\n${r.stdout}\n${r.stderr}`);
    assert.match(row(r.stdout, ids[0]), /\bno changes\b/, r.stdout);
    assert.match(row(r.stdout, ids[1]), /\bchanged\s+1 updated\b/, r.stdout);
    assert.match(row(r.stdout, ids[2]), /\bfailed\b.*cannot reach/, r.stdout);
    assert.doesNotMatch(await sshScript(hosts[1]!, `cat ${TIMER}`, "read timer"), /hand edit/);
    const exp = await run("pulumi", ["stack", "export", "--stack", STACK], { env: pe!.env, cwd: pe!.projectDir, timeoutMs: 60_000, what: "stack export" });
    assert.equal(exp.code, 0, exp.stderr);
    const urns = (JSON.parse(exp.stdout) as { deployment: { resources: { urn: string }[] } }).deployment.resources.map((x) => x.urn);
    for (const id of ids) assert.ok(urns.some((u) => u.endsWith(`::${id}-runtime-bundle`)), `${id}'s resources are still in the state`);
  });

  test("status --live: each reachable host's runtime answers on its own row; the unreachable one fails on its own", async () => {
    const r = await fleetCli(["status", "--live", "--stacks", STACK], pe!, 300_000);
    assert.equal(r.code, 1, `expected exit 1 (one host unreachable):\n${r.stdout}\n${r.stderr}`);
    // the fake credentials expire 8 h after they were written
    assert.match(row(r.stdout, ids[0]), /\bok\s+-\s+[67]h \d+m\b/, r.stdout);
    assert.match(row(r.stdout, ids[1]), /\bok\s+-\s+[67]h \d+m\b/, r.stdout);
    assert.match(row(r.stdout, ids[2]), /\bfailed\b.*cannot reach/, r.stdout);
    creds.forEach((c) => assert.deepEqual(tokensIn(r.stdout + r.stderr, c), [], "no token in the output"));
  });
});
