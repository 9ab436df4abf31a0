/**
 * `doctor [--json]`: runs every check over the facts of this host and prints one line per
 * finding with its fix. Exit 1 when any finding is an error, else 0 (78 for a bad config).
 */
import type { Command } from "./types";
import { ExitCode, UserError } from "../errors";
import { loadConfig } from "../config/load";
import { defaultGatherDeps, gatherFacts } from "../doctor/facts";
import { doctorExitCode, formatFinding, runChecks } from "../doctor/checks";

export const doctorCommand: Command = async (ctx) => {
  const unknown = ctx.args.filter((a) => a !== "--json");
  if (unknown.length) throw new UserError(`doctor: unknown argument "${unknown[0]}"; usage: openclaw-oauth-sync doctor [--json]`, ExitCode.usage);
  const config = await loadConfig(ctx.configPath);
  const facts = await gatherFacts(config, defaultGatherDeps());
  const findings = runChecks(facts);
  const errors = findings.filter((f) => f.level === "error").length;
  const warnings = findings.filter((f) => f.level === "warn").length;
  if (ctx.args.includes("--json")) {
    ctx.out(JSON.stringify({ ok: errors === 0, errors, warnings, findings }, null, 2) + "\n");
  } else {
    for (const f of findings) ctx.out(formatFinding(f) + "\n");
    ctx.out(`doctor: ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}\n`);
  }
  return doctorExitCode(findings);
};
