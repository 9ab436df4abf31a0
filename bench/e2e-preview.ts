/**
 * Reproducible e2e timings: boot a throwaway host (scripts/testhost.sh), first `pulumi up`, then a
 * cold no-change `pulumi preview` (no SSH master left over) with its SSH handshake count
 * (sshd LogLevel VERBOSE, "Accepted publickey" lines). Needs root, the cached Pulumi CLI and the
 * test-host image (see test/e2e/harness.ts). Run: node --import tsx bench/e2e-preview.ts [rounds]
 */
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
    const previews: Array<{ ms: number; handshakes: number }> = [];
    for (let i = 0; i < rounds; i++) {
      await ws.closeMasters();
      const since = await host.now();
      const pv = await ws.ok(["preview", "--expect-no-changes", "--stack", "bench"], { timeoutMs: 600_000 });
      previews.push({ ms: pv.ms, handshakes: await host.handshakesSince(since) });
    }
    console.log(JSON.stringify({ bootMs: host.bootMs, boot: host.bootReport, firstUpMs: up.ms, noChangePreviews: previews }, null, 2));
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
