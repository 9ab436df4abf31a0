/**
 * `npm run fleet -- <preview|up|status|destroy> [--stacks a,b] [--parallel N]`: one operation over
 * many host stacks. Process-level effects only (argv, output, exit code); the work is in run.ts,
 * the decisions and rendering in summary.ts.
 */
import * as path from "node:path";
import { UsageError } from "../cli/args";
import { PROJECT_ROOT, openWorkspace, preparePulumi } from "../cli/pulumi";
import { defaultParallel, FLEET_USAGE, parseFleetArgs } from "./args";
import { liveStatus } from "./live";
import { runBounded, runOne } from "./run";
import { fleetExitCode, progressLine, renderTable, renderTotals, type HostRun } from "./summary";

export interface FleetIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface FleetResult {
  code: number;
  runs: HostRun[];
}

export async function runFleet(argv: readonly string[], io: FleetIo): Promise<FleetResult> {
  const parsed = parseFleetArgs(argv);
  if (parsed.help) {
    io.out(`${FLEET_USAGE}\n`);
    return { code: 0, runs: [] };
  }
  const o = parsed.options;
  const projectDir = o.projectDir ?? PROJECT_ROOT;
  const pulumi = await preparePulumi(projectDir, io.env ?? process.env);
  const ws = await openWorkspace(projectDir, pulumi);
  const known = (await ws.listStacks()).map((s) => s.name).sort();
  let stacks: string[];
  if (o.stacks) {
    const missing = o.stacks.filter((s) => !known.includes(s));
    if (missing.length > 0) throw new UsageError(`fleet: no such stack: ${missing.join(", ")} (stacks of this project on ${pulumi.backend}: ${known.join(", ") || "none"})`);
    stacks = o.stacks;
  } else stacks = known;
  if (stacks.length === 0) {
    io.out(`fleet: no stacks in this project (backend ${pulumi.backend}); create one per host with: npm run setup -- <host>\n`);
    return { code: 0, runs: [] };
  }
  const parallel = defaultParallel(stacks.length, o.parallel);
  const width = Math.min(24, Math.max(...stacks.map((s) => s.length)));
  const t0 = Date.now();
  io.out(`fleet ${o.op}: ${stacks.length} stack${stacks.length === 1 ? "" : "s"}, ${parallel} at a time (backend ${pulumi.backend})\n`);
  const perStack = await runBounded(stacks, parallel, (s) =>
    runOne(s, o.op, {
      ws,
      logDir: o.logDir ?? path.join(projectDir, ".fleet-logs"),
      onLine: (stack, text) => io.out(`${progressLine(Date.now() - t0, stack, text, width)}\n`),
      live: o.live ? liveStatus : undefined,
    }),
  );
  // A stack of many hosts gives one row per host.
  const runs = perStack.flat();
  io.out(`\n${renderTable(runs, Date.now())}\n${renderTotals(runs, o.op, Date.now() - t0)}\n`);
  return { code: fleetExitCode(runs), runs };
}

async function main(): Promise<void> {
  let code = 1;
  try {
    code = (await runFleet(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) })).code;
  } catch (e) {
    const usage = e instanceof UsageError;
    process.stderr.write(`${usage ? "" : "fleet: "}${(e as Error).message}\n`);
    code = usage ? 2 : 1;
  } finally {
    const { closeAll } = await import("../../infra/ssh/transport");
    await closeAll({ exitMasters: true }).catch(() => undefined);
  }
  process.exitCode = code;
}

if (require.main === module) void main();
