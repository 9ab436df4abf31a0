/**
 * The host side of `setup` (effects): over the program's own SSH transport (one multiplexed
 * connection), run the setup probe, then the program's facts script for the proposed accounts and
 * paths, then — only if our runtime is already installed — its `doctor --json`.
 * Three round trips at most; nothing on the host is changed.
 */
import { z } from "zod";
import type { HostRef } from "../../infra/contracts";
import { FACTS_SHELL } from "../../infra/facts";
import { factsScript, type FactsRequest } from "../../infra/facts/script";
import { interpretFacts, type Facts } from "../../infra/facts/interpret";
import { getSession } from "../../infra/ssh/transport";
import { AS_ROOT_SH_S } from "../../infra/ssh/transport";
import { installPaths } from "../../infra/plan/settings";
import { shq } from "../../infra/shell";
import type { Finding } from "../../runtime/src/doctor/types";
import { parseProbe, propose, type Probe, type Proposal, type SetupChoices } from "./detect";
import { probeScript } from "./probe-script";

export interface Detection {
  probe: Probe;
  proposal: Proposal;
  facts: Facts;
  doctor?: { findings: Finding[]; error?: string | undefined } | undefined;
}

const DoctorJson = z.object({
  findings: z.array(z.object({ id: z.string(), level: z.enum(["error", "warn", "info"]), message: z.string(), fix: z.string() })),
});

/** The facts request for the proposal (the same script the program runs in preview). */
export function factsRequestFor(p: Proposal, opts: { configPath?: string | undefined; nodePath?: string | undefined; installPrefix: string }): FactsRequest {
  return {
    account: p.account.value,
    claudeAccount: p.claudeAccount.value,
    openclawStateDir: p.stateDir.value,
    configPath: opts.configPath,
    claudeCredentials: p.claudeCredentials.value,
    nodePath: opts.nodePath,
    mode: p.mode.value,
    dockerComposeService: "openclaw-gateway",
    dockerComposeProject: p.composeProject,
    installPrefix: opts.installPrefix,
    runtimeConfigFile: installPaths(opts.installPrefix).configFile,
  };
}

/**
 * Detects the host. `refine` lets the caller change the proposal (prompts) before the facts for
 * it are read.
 */
export async function detectHost(
  ref: HostRef,
  choices: SetupChoices,
  opts: { configPath?: string | undefined; installPrefix: string; refine?: (probe: Probe, p: Proposal) => Promise<Proposal> },
): Promise<Detection> {
  const session = await getSession(ref);
  const probeOut = await session.check(FACTS_SHELL, { stdin: probeScript(), timeoutMs: 90_000, label: "setup probe" });
  const parsed = parseProbe(probeOut);
  if (!parsed.ok) throw new Error(`${ref.host}: ${parsed.message}`);
  let proposal = propose(parsed.probe, choices);
  if (opts.refine) proposal = await opts.refine(parsed.probe, proposal);
  const factsOut = await session.check(FACTS_SHELL, {
    stdin: factsScript(factsRequestFor(proposal, { configPath: opts.configPath, nodePath: choices.nodePath, installPrefix: opts.installPrefix })),
    timeoutMs: 60_000,
    label: "facts script",
  });
  const f = interpretFacts(factsOut, ref.host);
  if (!f.ok) throw new Error(f.message);
  let doctor: Detection["doctor"];
  if (f.facts.bundlePresent) {
    const bin = installPaths(opts.installPrefix).bin;
    // doctor exits 1 when it found errors: that is a result, not a failure.
    const r = await session.run(AS_ROOT_SH_S, { stdin: `exec ${shq(bin)} doctor --json\n`, timeoutMs: 60_000 });
    try {
      doctor = { findings: DoctorJson.parse(JSON.parse(r.stdout)).findings };
    } catch {
      doctor = { findings: [], error: `${bin} doctor --json exited ${r.code}: ${r.stderr.trim().split("\n").slice(-1)[0] ?? "no output"}` };
    }
  }
  return { probe: parsed.probe, proposal, facts: f.facts, doctor };
}
