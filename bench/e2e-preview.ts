/**
 * Reproducible e2e timings: boot a throwaway host (scripts/testhost.sh), first `pulumi up`, then a
 * cold no-change `pulumi preview` (no SSH master left over) with its SSH handshake count
 * (sshd LogLevel VERBOSE, "Accepted publickey" lines), each round once as a plain `pulumi preview`
 * and once with PULUMI_RUN_PROGRAM=true (refresh inside the program run: one dynamic-provider
 * process instead of two), and a failing preview (host without Node). Prints the 1-minute load
 * average with each figure: on a shared machine wall times mean little without it. Needs root, the
 * cached Pulumi CLI and the test-host image (see test/e2e/harness.ts).
 * Run: node --import tsx bench/e2e-preview.ts [rounds]
 */
import { loadavg } from "node:os";
import { PulumiWorkspace, TestHost, requirePrerequisites } from "../test/e2e/harness";
import { makeCreds, prepareNative } from "../test/e2e/fixtures";

async function main(): Promise<void> {
  requirePrerequisites();
  const rounds = Number(process.argv[2] ?? 2);
  const name = TestHost.uniqueName("bench");
  const ws = new PulumiWorkspace();
  let host: TestHost | undefined;
  try {
    host = await TestHost.up(name);
    await prepareNative(host, { user: "claw", agents: ["main"], creds: makeCreds() });
    await host.verboseSshd();
    await ws.initStack("bench", { host: host.address, sshUser: "root", sshHostKey: host.hostKeyLine(), account: "claw", reloadAction: "none" }, { sshPrivateKey: host.privateKey() });
    const up = await ws.ok(["up", "--yes", "--skip-preview", "--stack", "bench"], { timeoutMs: 600_000 });
    const load = () => Number(loadavg()[0]!.toFixed(2));
    const previews: Array<{ runProgram: boolean; ms: number; handshakes: number; load1: number }> = [];
    for (let i = 0; i < rounds; i++) {
      for (const runProgram of [false, true]) {
        await ws.closeMasters();
        const since = await host.now();
        if (runProgram) process.env.PULUMI_RUN_PROGRAM = "true";
        else delete process.env.PULUMI_RUN_PROGRAM;
        const load1 = load();
        const pv = await ws.ok(["preview", "--expect-no-changes", "--stack", "bench"], { timeoutMs: 600_000 });
        previews.push({ runProgram, ms: pv.ms, handshakes: await host.handshakesSince(since), load1 });
      }
    }
    delete process.env.PULUMI_RUN_PROGRAM;
    // A failing preview must end within seconds of the error (host without Node: the facts check).
    await host.sh("mv /usr/bin/node /usr/bin/node.ocs-bench-hidden");
    let failing: { ms: number; code: number | null; load1: number };
    try {
      await ws.closeMasters();
      const load1 = load();
      const r = await ws.pulumi(["preview", "--stack", "bench"], { timeoutMs: 600_000 });
      failing = { ms: r.ms, code: r.code, load1 };
    } finally {
      await host.sh("mv /usr/bin/node.ocs-bench-hidden /usr/bin/node");
    }
    console.log(JSON.stringify({ bootMs: host.bootMs, boot: host.bootReport, firstUpMs: up.ms, noChangePreviews: previews, failingPreview: failing }, null, 2));
  } finally {
    await ws.cleanup();
    if (host) await host.down();
    else await TestHost.down(name);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
