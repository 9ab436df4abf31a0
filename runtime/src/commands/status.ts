/** `status [--json] [--check] [--prometheus FILE]` (docs/runtime.md, "status"). */
import type { Command } from "./types";
import { ExitCode, UserError } from "../errors";
import { loadConfig } from "../config/load";
import { collectRealStatus } from "../status/wiring";
import { renderStatus } from "../status/render";
import { writePrometheusFile } from "../status/prometheus";

export interface StatusArgs {
  json: boolean;
  check: boolean;
  prometheus?: string;
}

export function parseStatusArgs(args: readonly string[]): StatusArgs {
  const o: StatusArgs = { json: false, check: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--json") o.json = true;
    else if (a === "--check") o.check = true;
    else if (a === "--prometheus") {
      const v = args[++i];
      if (!v) throw new UserError("status: --prometheus needs a file path (e.g. /var/lib/prometheus/node-exporter/openclaw_oauth_sync.prom)", ExitCode.usage);
      o.prometheus = v;
    } else if (a.startsWith("--prometheus=")) o.prometheus = a.slice("--prometheus=".length);
    else throw new UserError(`status: unknown option "${a}" (usage: status [--json] [--check] [--prometheus FILE])`, ExitCode.usage);
  }
  if (o.prometheus !== undefined && !o.prometheus.startsWith("/")) {
    throw new UserError(`status: --prometheus ${o.prometheus}: must be an absolute path`, ExitCode.usage);
  }
  return o;
}

export const statusCommand: Command = async (ctx) => {
  const args = parseStatusArgs(ctx.args);
  const config = await loadConfig(ctx.configPath);
  const report = await collectRealStatus(config, ctx.log, ctx.now);
  ctx.out(args.json ? JSON.stringify(report, null, 2) + "\n" : renderStatus(report));
  const prom = args.prometheus ?? config.refresh.prometheusTextfile;
  if (prom) {
    try {
      await writePrometheusFile(prom, report);
    } catch (e) {
      throw new UserError(`${prom}: cannot write the Prometheus textfile: ${e instanceof Error ? e.message : String(e)}`, ExitCode.ioErr);
    }
  }
  return args.check ? report.check.code : ExitCode.ok;
};
