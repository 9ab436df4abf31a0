/**
 * Facts about one host, gathered while the program runs (in preview too) with ONE remote script
 * over the SSH transport. The script is built in facts/script.ts, its output interpreted in
 * facts/interpret.ts (pure, fixture-tested); this module is the effectful glue.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HostRef } from "./contracts";
import { factsScript, type FactsRequest } from "./facts/script";
import { hostProblems, interpretFacts, type Facts } from "./facts/interpret";
import type { StackConfig } from "./plan/stack-config";
import { installPaths } from "./plan/settings";

export type { Facts, AgentFacts, StorageEra, EraOrUnknown } from "./facts/interpret";

/** Runs a script on the host and returns its stdout. Injectable so that mock tests need no host. */
export type FactsSource = (host: HostRef, script: string) => Promise<string>;

/** The facts request for a stack: which accounts and paths to look at. */
export function factsRequest(c: StackConfig): FactsRequest {
  return {
    account: c.account,
    claudeAccount: c.claudeAccount,
    openclawStateDir: c.openclawStateDir,
    configPath: c.configPath,
    claudeCredentials: c.claudeCredentials,
    nodePath: c.nodePath,
    mode: c.mode,
    dockerContainer: c.dockerContainer,
    dockerComposeService: c.dockerComposeService,
    dockerComposeProject: c.dockerComposeProject,
    installPrefix: c.installPrefix,
    runtimeConfigFile: installPaths(c.installPrefix).configFile,
  };
}

/**
 * Runs the facts script as root when possible (other accounts' homes are closed to the SSH
 * user), else as the SSH user: then the script reports "no sudo" and the host is refused with
 * that message instead of a sudo error.
 */
export const FACTS_SHELL =
  'if [ "$(id -u)" = 0 ]; then exec sh -s; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then exec sudo -n sh -s; else exec sh -s; fi';

/** The default source: the shared SSH transport (one multiplexed connection per host). */
export const sshFactsSource: FactsSource = async (host, script) => {
  // Loaded lazily so that tests with an injected source never load the transport. `require`, not
  // `import()`: under tsx's CommonJS hook a dynamic import goes to Node's ESM loader, which cannot
  // resolve an extensionless .ts path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getSession } = require("./ssh/transport") as typeof import("./ssh/transport");
  const session = await getSession(host);
  return session.check(FACTS_SHELL, { stdin: script, timeoutMs: 60_000, label: "facts script" });
};

/**
 * Gathers and checks the facts of one host. A host that cannot work is refused with one
 * `pulumi.RunError` listing every problem, before anything is planned.
 */
export async function gatherFacts(host: HostRef, c: StackConfig, source: FactsSource = sshFactsSource): Promise<Facts> {
  const label = host.host;
  let stdout: string;
  try {
    stdout = await source(host, factsScript(factsRequest(c)));
  } catch (e) {
    throw new pulumi.RunError(`${label}: could not read the host's facts over SSH: ${(e as Error).message}`);
  }
  const r = interpretFacts(stdout, label);
  if (!r.ok) throw new pulumi.RunError(r.message);
  const problems = hostProblems(r.facts, label, { mode: c.mode, nodePathConfigured: c.nodePath !== undefined });
  if (problems.length > 0) {
    throw new pulumi.RunError(`This host cannot run openclaw-oauth-sync yet:\n${problems.map((p) => `  ✖ ${p}`).join("\n")}`);
  }
  return r.facts;
}
