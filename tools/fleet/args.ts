/**
 * `fleet`'s command line (pure).
 */
import { parseArgs, positiveInt, renderFlagHelp, UsageError, type FlagSpecs } from "../cli/args";
import { STACK_NAME_RE } from "../cli/pulumi";
import type { FleetOp } from "./summary";

export const FLEET_FLAGS: FlagSpecs = {
  stacks: { kind: "string", value: "A,B", help: "only these stacks (default: every stack of the project)" },
  parallel: { kind: "string", value: "N", help: "hosts at once (default: min(4, number of stacks))" },
  live: { kind: "boolean", help: "status: also ask each host's runtime (status --json over SSH)" },
  yes: { kind: "boolean", help: "destroy: required to confirm (destroy removes what was installed)" },
  "log-dir": { kind: "string", value: "DIR", help: "per-host logs (default: <project>/.fleet-logs)" },
  "project-dir": { kind: "string", value: "DIR", help: "the Pulumi project (default: this checkout)" },
  help: { kind: "boolean", help: "this help" },
};

export const FLEET_USAGE = `usage: npm run fleet -- <preview|up|status|destroy> [--stacks a,b] [--parallel N] [options]

Runs one Pulumi operation over many host stacks (Automation API), a few hosts at a time, with one
progress line per event, per-host logs on disk and a summary table at the end.
  preview   drift audit (refresh: always): a host with anything to change counts as drift
  up        install / repair
  status    the stacks' last outputs (token expiry, units); --live asks the hosts
  destroy   remove what was installed (needs --yes)

${renderFlagHelp(FLEET_FLAGS)}

Exit codes: 0 all hosts ok; 1 a host failed (or, for preview, would change); 2 usage.`;

export interface FleetOptions {
  op: FleetOp;
  stacks?: string[] | undefined;
  parallel?: number | undefined;
  live: boolean;
  yes: boolean;
  logDir?: string | undefined;
  projectDir?: string | undefined;
}

const OPS: readonly FleetOp[] = ["preview", "up", "status", "destroy"];

export function parseFleetArgs(argv: readonly string[]): { help: true } | { help: false; options: FleetOptions } {
  const a = parseArgs(argv, FLEET_FLAGS, "fleet");
  if (a.booleans.help) return { help: true };
  if (a.positionals.length !== 1) {
    throw new UsageError(a.positionals.length === 0 ? "fleet: which operation? preview, up, status or destroy" : `fleet: one operation at a time (got ${a.positionals.join(" ")})`);
  }
  const op = a.positionals[0]!;
  if (!(OPS as readonly string[]).includes(op)) throw new UsageError(`fleet: unknown operation "${op}"; use preview, up, status or destroy`);
  let stacks: string[] | undefined;
  if (a.strings.stacks !== undefined) {
    stacks = [...new Set(a.strings.stacks.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
    if (stacks.length === 0) throw new UsageError("fleet: --stacks is empty");
    const bad = stacks.find((s) => !STACK_NAME_RE.test(s));
    if (bad) throw new UsageError(`fleet: --stacks: "${bad}" is not a stack name`);
  }
  if (op === "destroy" && !a.booleans.yes) throw new UsageError("fleet: destroy removes everything installed on each host; add --yes to confirm");
  if (a.booleans.live && op !== "status") throw new UsageError("fleet: --live only applies to status");
  return {
    help: false,
    options: {
      op: op as FleetOp,
      stacks,
      parallel: a.strings.parallel === undefined ? undefined : positiveInt("fleet", "parallel", a.strings.parallel, 64),
      live: a.booleans.live === true,
      yes: a.booleans.yes === true,
      logDir: a.strings["log-dir"],
      projectDir: a.strings["project-dir"],
    },
  };
}

/** Default parallelism: min(4, stacks), at least 1. */
export function defaultParallel(stacks: number, flag?: number): number {
  return Math.max(1, flag ?? Math.min(4, stacks));
}
