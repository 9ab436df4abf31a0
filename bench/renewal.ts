/**
 * Renewals per token lifetime — a benchmark, not a test (CI does not run it).
 *
 * (a) MEASURED: the renewal soak of test/e2e/soak.ts (the real Claude Code CLI on a throwaway
 *     host with the units `pulumi up` installed, a loopback fake of Anthropic issuing tokens with
 *     expires_in 400 s) for OCS_BENCH_SOAK_LIFETIMES lifetimes (default 3): per lifetime, CLI runs,
 *     model calls, seconds a target held an expired token, pages sent.
 * (b) MODELLED (bench/renewal-model.ts, a seeded discrete-event simulation, not a measurement):
 *     the previous version's defaults (15-min timer + 2 min, 45-min window, `claude -p` on every
 *     run inside it) and this version's defaults over OCS_BENCH_MODEL_LIFETIMES (default 3000)
 *     8-hour lifetimes, side by side; and this version with the soak's settings and 400-s tokens,
 *     so the model can be checked against (a).
 *
 * Writes bench/runs/renewal.json (untracked) and prints a table. Needs root, the cached Pulumi CLI,
 * the host image and the Claude CLI for (a); OCS_BENCH_SOAK_LIFETIMES=0 runs the model only.
 *   node --import tsx bench/renewal.ts
 */
import { loadavg } from "node:os";
import { CLAUDE_VERSIONS } from "../test/helpers/claude-sandbox";
import { runSoak, soakUnavailableReason, type SoakResult } from "../test/e2e/soak";
import { writeRun } from "./output";
import { CURRENT_DEFAULTS, PREVIOUS_DEFAULTS, SOAK_SETTINGS, simulate, simulateAfterLogin, summarize, type ModelInput, type ModelSummary } from "./renewal-model";

const SOAK_LIFETIMES = Number(process.env.OCS_BENCH_SOAK_LIFETIMES ?? 3);
const MODEL_LIFETIMES = Number(process.env.OCS_BENCH_MODEL_LIFETIMES ?? 3000);
const SEED = Number(process.env.OCS_BENCH_SEED ?? 20261206);
const VERSION = process.env.OCS_BENCH_CLAUDE_VERSION ?? CLAUDE_VERSIONS[0];
const EXPIRES_IN = 400;

function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i]!)).join(" | ")} |`;
  return [line(header), `|${w.map((n) => "-".repeat(n + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

async function main(): Promise<void> {
  const load1AtStart = Number(loadavg()[0]!.toFixed(2));
  let soak: SoakResult | undefined;
  let soakSkipped: string | undefined;
  if (SOAK_LIFETIMES > 0) {
    soakSkipped = soakUnavailableReason(VERSION);
    if (!soakSkipped) soak = await runSoak({ lifetimes: SOAK_LIFETIMES, expiresIn: EXPIRES_IN, claudeVersion: VERSION, pollMs: 2000, log: (l) => process.stderr.write(`soak: ${l}\n`) });
  }

  const eightHours = (policy: ModelInput["policy"]): ModelInput => ({ policy, lifetimeS: 28_800, lifetimes: MODEL_LIFETIMES, syncLagS: 1, seed: SEED });
  const soakLike: ModelInput = { policy: SOAK_SETTINGS, lifetimeS: EXPIRES_IN, lifetimes: MODEL_LIFETIMES, syncLagS: 1, seed: SEED };
  const model: Array<ModelSummary & { phase: string }> = [
    ...[PREVIOUS_DEFAULTS, CURRENT_DEFAULTS].map((p) => ({ phase: "steady state (renewal after renewal)", ...summarize(eightHours(p), simulate(eightHours(p))) })),
    ...[PREVIOUS_DEFAULTS, CURRENT_DEFAULTS].map((p) => ({ phase: "first lifetime after a /login", ...summarize(eightHours(p), simulateAfterLogin(eightHours(p))) })),
    { phase: "steady state (renewal after renewal)", ...summarize(soakLike, simulate(soakLike)) },
  ];

  const out = { load1AtStart, load1AtEnd: Number(loadavg()[0]!.toFixed(2)), soakSkipped, soak, model };
  const written = writeRun("renewal", out);

  if (soak) {
    console.log(`MEASURED: renewal soak, real claude ${soak.claudeVersion}, tokens of ${soak.expiresIn} s, ${soak.lifetimes.length}/${soak.lifetimesWanted} lifetimes, soak ${Math.round(soak.soakMs / 1000)} s (setup: boot ${soak.setup.bootMs} ms, pulumi up ${soak.setup.upMs} ms), load ${soak.setup.load1AtStart} → ${soak.load1AtEnd}`);
    console.log(
      table(
        ["lifetime", "length s", "renewed s before expiry", "CLI runs", "timer runs", "token req ok/failed", "model calls", "s a target held an expired token", "targets current after s", "pages"],
        soak.lifetimes.map((l) => [l.index, l.lengthS, l.renewedBeforeExpiryS, l.cliRuns, l.serviceRuns, `${l.tokenOk}/${l.tokenFailed}`, l.modelCalls, l.expiredTargetSeconds, l.targetsCurrentAfterS ?? "-", l.pages]),
      ),
    );
    console.log(`pages: ${soak.pages.length}; token values found in: ${soak.leaks.length ? soak.leaks.join(", ") : "nothing checked"}; refresh warnings/failures: ${soak.refreshProblems.length}\n`);
  } else {
    console.log(`MEASURED: soak not run${soakSkipped ? ` (${soakSkipped})` : " (OCS_BENCH_SOAK_LIFETIMES=0)"}\n`);
  }
  console.log(`MODEL (bench/renewal-model.ts; seeded discrete-event simulation, seed ${SEED}, ${MODEL_LIFETIMES} lifetimes each; steady state, Anthropic answering)`);
  console.log(
    table(
      ["policy", "phase", "token lifetime", "CLI runs / lifetime (max)", "model calls / lifetime", "timer runs / lifetime", "s expired: mean / p50 / p95 / max", "lifetimes with an expired target", "renewed s before expiry (mean)", "pages"],
      model.map((m) => [m.policy, m.phase, `${m.lifetimeS} s`, `${m.cliRunsMean} (${m.cliRunsMax})`, m.modelCallsMean, m.timerRunsMean, `${m.expiredSMean} / ${m.expiredSP50} / ${m.expiredSP95} / ${m.expiredSMax}`, `${Math.round(m.expiredShare * 100)} %`, m.renewedBeforeExpirySMean, m.pagesPerLifetime]),
    ),
  );
  console.log(`\nwritten: ${written.join(", ")}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exit(1);
});
