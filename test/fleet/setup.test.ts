/**
 * `setup` against real throwaway hosts (scripts/testhost.sh): detection of a native and a
 * Docker-mode layout, the non-interactive write, the idempotent re-run, and "no terminal, no
 * --yes → nothing written". Needs root, the Pulumi CLI in the cache and the test host image;
 * without them it fails with the command to run.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fakeCredentialsFile } from "../helpers/tokens";
import type { Prompter } from "../../tools/cli/prompt";
import { runSetup } from "../../tools/setup/main";
import { closeAll } from "../../infra/ssh/transport";
import { bootHost, downHost, hostName, layoutDocker, layoutNative, pulumiEnv, requireTools, setupCli, sshFlags, tokensIn, type PulumiEnv, type TestHost } from "./harness";

describe("setup against throwaway hosts", { timeout: 600_000 }, () => {
  const names = { native: hostName("sn"), docker: hostName("sd") };
  const creds = { native: fakeCredentialsFile(), docker: fakeCredentialsFile() };
  let native: TestHost;
  let docker: TestHost;
  let pe: PulumiEnv | undefined;

  before(async () => {
    const { cliBin } = requireTools();
    pe = pulumiEnv(cliBin);
    [native, docker] = await Promise.all([bootHost(names.native), bootHost(names.docker)]);
    await Promise.all([layoutNative(native, creds.native), layoutDocker(docker, creds.docker)]);
  });

  after(async () => {
    await Promise.all([downHost(names.native), downHost(names.docker)]);
    pe?.cleanup();
  });

  const stackFile = (stack: string) => path.join(pe!.projectDir, `Pulumi.${stack}.yaml`);

  test("native layout: detected, and written non-interactively with --yes (the SSH key as a secret)", async () => {
    const r = await setupCli([native.name, ...sshFlags(native), "--ssh-key", native.key, "--yes"], pe!);
    assert.equal(r.code, 0, `setup failed:\n${r.stdout}\n${r.stderr}`);
    const out = r.stdout;
    assert.match(out, /OpenClaw\s+native \(openclaw is installed at \/usr\/local\/bin\/openclaw\), 2026\.4\.12 \(package\.json\)/);
    assert.match(out, /state dir\s+\/home\/claw\/\.openclaw \(dir; account claw uid 1000\)/);
    assert.match(out, /storage era\s+json-split; agents: main \(json-split, from auth-state\)/);
    assert.match(out, /Claude CLI\s+\/home\/claw\/\.local\/bin\/claude 2\.1\.3 \(Claude Code\) \(on the host\)/);
    assert.match(out, /Claude login\s+\/home\/claw\/\.claude\/\.credentials\.json \(file, uid 1000, mode 600; account claw\)/);
    assert.match(out, /Node\s+\/usr\/bin\/node v18\./);
    assert.match(out, /our units\s+none \(not installed yet\)/);
    assert.match(out, /Problems: 0 errors/);
    assert.match(out, /\+ account = claw/);
    assert.match(out, /\+ sshPrivateKey = \[secret\]/);
    assert.match(out, /created, 5 keys written/);
    const yaml = fs.readFileSync(stackFile(native.name), "utf8");
    assert.match(yaml, /openclaw-oauth-sync:account: claw/);
    assert.match(yaml, /openclaw-oauth-sync:sshPrivateKey:\n\s+secure: /, "the key is encrypted in the stack file");
    const keyBody = fs.readFileSync(native.key, "utf8").split("\n")[1]!;
    assert.ok(!yaml.includes(keyBody) && !out.includes(keyBody) && !r.stderr.includes(keyBody), "the private key never appears in clear");
    assert.deepEqual(tokensIn(out + r.stderr + yaml, creds.native), [], "no token value in the output or the stack");
  });

  test("running it again changes nothing", async () => {
    const before = fs.readFileSync(stackFile(native.name), "utf8");
    const r = await setupCli([native.name, ...sshFlags(native), "--ssh-key", native.key, "--yes"], pe!);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /= account = claw \(unchanged\)/);
    assert.match(r.stdout, /= sshPrivateKey = \[secret\] \(unchanged\)/);
    assert.match(r.stdout, /No changes to the stack config\./);
    assert.equal(fs.readFileSync(stackFile(native.name), "utf8"), before, "the stack file is byte for byte the same");
  });

  test("no terminal and no --yes: shows the plan, writes nothing, exit 3", async () => {
    const r = await setupCli([native.name, ...sshFlags(native), "--stack", "not-written"], pe!);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /Stack "not-written" \(will be created/);
    assert.match(r.stdout, /Not written: no terminal to confirm on; re-run with --yes/);
    assert.equal(fs.existsSync(stackFile("not-written")), false);
  });

  test("Docker-mode layout: container, mounts, Claude in the container", async () => {
    const r = await setupCli([docker.name, ...sshFlags(docker), "--dry-run"], pe!);
    assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
    const out = r.stdout;
    assert.match(out, /OpenClaw\s+Docker \(OpenClaw container openclaw-openclaw-gateway-1 is running\), 2026\.9\.6 \(container\)/);
    assert.match(out, /container\s+openclaw-openclaw-gateway-1 \(image ghcr\.io\/openclaw\/openclaw:2026\.9\.6, project openclaw, \/home\/claw\/openclaw\)/);
    assert.match(out, /state dir\s+\/home\/claw\/\.openclaw \(dir; account claw uid 1000\)/);
    assert.match(out, /Claude CLI\s+\/home\/node\/\.local\/bin\/claude 2\.1\.3 \(Claude Code\) \(in openclaw-openclaw-gateway-1\)/);
    assert.match(out, /Claude login\s+\/home\/claw\/openclaw-home\/\.claude\/\.credentials\.json \(file, uid 1000/);
    assert.match(out, /\+ mode = docker/);
    assert.match(out, /\+ refreshOn = container/);
    assert.match(out, /\+ claudeCredentials = \/home\/claw\/openclaw-home\/\.claude\/\.credentials\.json/);
    assert.match(out, /--dry-run: nothing written/);
    assert.equal(fs.existsSync(stackFile(docker.name)), false);
    assert.deepEqual(tokensIn(out + r.stderr, creds.docker), []);
  });

  test("interactive: the prompts offer the detected values; answers end in the stack", async () => {
    // In-process with a scripted prompter (a terminal stand-in); the Automation API reads the
    // backend and passphrase from this process's environment.
    Object.assign(process.env, pe!.env);
    const asked: string[] = [];
    const answers: Record<string, string> = { "OpenClaw state dir": "", "Claude Code's credentials file": "/home/claw/.claude/.credentials.json" };
    const prompter: Prompter = {
      async ask(q, def) {
        asked.push(`${q} [${def}]`);
        const a = Object.entries(answers).find(([k]) => q.startsWith(k))?.[1] ?? "";
        return a === "" ? (def ?? "") : a;
      },
      async choose(q, _choices, def) {
        asked.push(`${q} [${def}]`);
        return def;
      },
      async confirm(q, def) {
        asked.push(`${q} [${def}]`);
        return true;
      },
      close() {},
    };
    let out = "";
    try {
      const code = await runSetup([native.name, ...sshFlags(native), "--stack", "asked", "--project-dir", pe!.projectDir], { out: (x) => (out += x), err: () => undefined, prompter, env: pe!.env });
      assert.equal(code, 0, out);
    } finally {
      await closeAll({ exitMasters: true });
    }
    assert.deepEqual(asked, [
      "Where does OpenClaw run? (openclaw is installed at /usr/local/bin/openclaw) [host]",
      "OpenClaw state dir on the host [/home/claw/.openclaw]",
      "Claude Code's credentials file on the host [/home/claw/.claude/.credentials.json]",
      'Write stack "asked"? [true]',
    ]);
    assert.match(fs.readFileSync(stackFile("asked"), "utf8"), /openclaw-oauth-sync:account: claw/);
    assert.deepEqual(tokensIn(out, creds.native), []);
  });

  test("an unreachable host fails within the connect timeout, with the reason", async () => {
    const t0 = Date.now();
    // Loopback, a port nothing listens on: tests may only address loopback and their own
    // namespaces (an address outside them would be routed off this machine).
    const r = await setupCli(["root@127.0.0.1:9", "--connect-timeout", "2", "--host-key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "--yes"], pe!, 60_000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach 127\.0\.0\.1:9 within 2 s/);
    assert.ok(Date.now() - t0 < 45_000, "bounded by the connect timeout (plus tool start-up)");
  });
});
