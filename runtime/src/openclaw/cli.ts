/**
 * Running the OpenClaw CLI: on the host (`openclaw.cli`, default ["openclaw"]), or inside the
 * gateway container with `docker exec` (default CLI there: ["node","dist/index.js"], the image's
 * entrypoint; facts/openclaw.md §2.2, §6). Secrets go on stdin only; argv is logged freely.
 */
import type { Config } from "../contract/schema";
import { describeFailure, runProcess, type RunResult } from "../proc";
import { scrubText } from "../redact";
import { homeOf, resolveOwner } from "./owner";

export type RunFn = typeof runProcess;

export const DEFAULT_HOST_CLI = ["openclaw"];
export const DEFAULT_CONTAINER_CLI = ["node", "dist/index.js"];

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

export interface Invocation {
  argv: string[];
  env: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** Pure: the `docker ps` argv that finds the Compose service's container. */
export function containerLookupArgv(config: Config): string[] {
  const d = config.openclaw.docker;
  const docker = d?.command ?? ["docker"];
  const argv = [...docker, "ps", "-q", "--filter", `label=com.docker.compose.service=${d?.composeService ?? "openclaw-gateway"}`];
  if (d?.composeProject) argv.push("--filter", `label=com.docker.compose.project=${d.composeProject}`);
  return argv;
}

/** The container to exec into: docker.container, or the one running container of the Compose service. */
export async function resolveContainer(config: Config, run: RunFn = runProcess): Promise<string> {
  const d = config.openclaw.docker;
  if (d?.container) return d.container;
  const argv = containerLookupArgv(config);
  const r = await run(argv, { timeoutMs: 15_000 });
  if (r.exitCode !== 0) throw new CliError(`finding the OpenClaw container failed: ${scrubText(describeFailure(argv[0]!, r))}`);
  const ids = r.stdout.split("\n").map((s) => s.trim()).filter(Boolean);
  const svc = `${d?.composeService ?? "openclaw-gateway"}${d?.composeProject ? ` (project ${d.composeProject})` : ""}`;
  if (ids.length === 0) throw new CliError(`no running container for Compose service ${svc}: start it, or set openclaw.docker.container`);
  if (ids.length > 1) {
    throw new CliError(`${ids.length} running containers for Compose service ${svc}: set openclaw.docker.composeProject or openclaw.docker.container`);
  }
  return ids[0]!;
}

/**
 * Pure-ish: how to run `openclaw <args>` for this config. Host mode points the CLI at our state
 * dir and, when we are root, runs it as the OpenClaw account.
 */
export async function cliInvocation(config: Config, args: readonly string[], opts: { stdin: boolean }, run: RunFn = runProcess): Promise<Invocation> {
  const oc = config.openclaw;
  if (oc.mode === "docker") {
    const d = config.openclaw.docker;
    const container = await resolveContainer(config, run);
    return {
      argv: [...(d?.command ?? ["docker"]), "exec", ...(opts.stdin ? ["-i"] : []), "-u", d?.user ?? "node", container, ...(oc.cli ?? DEFAULT_CONTAINER_CLI), ...args],
      env: process.env,
    };
  }
  const env: NodeJS.ProcessEnv = { ...process.env, OPENCLAW_STATE_DIR: oc.stateDir };
  if (oc.configPath) env.OPENCLAW_CONFIG_PATH = oc.configPath;
  const inv: Invocation = { argv: [...(oc.cli ?? DEFAULT_HOST_CLI), ...args], env };
  const owner = await resolveOwner(config);
  if (process.getuid?.() === 0 && owner && owner.uid !== 0) {
    inv.uid = owner.uid;
    inv.gid = owner.gid;
    const home = await homeOf(owner.uid);
    if (home) env.HOME = home;
    // `gateway restart` talks to the user's systemd manager.
    env.XDG_RUNTIME_DIR = `/run/user/${owner.uid}`;
  }
  return inv;
}

export interface CliRun {
  argv: string[];
  result: RunResult;
}

/** Runs the OpenClaw CLI; `stdin` carries any secret. Never throws for a failed run (see result). */
export async function runOpenClawCli(
  config: Config,
  args: readonly string[],
  opts: { stdin?: string; timeoutMs: number },
  run: RunFn = runProcess,
): Promise<CliRun> {
  const inv = await cliInvocation(config, args, { stdin: opts.stdin !== undefined }, run);
  const result = await run(inv.argv, {
    env: inv.env,
    timeoutMs: opts.timeoutMs,
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    ...(inv.uid !== undefined ? { uid: inv.uid, gid: inv.gid } : {}),
  });
  return { argv: inv.argv, result };
}

/** One line for a failed CLI run, scrubbed of the given secrets and anything token-shaped. */
export function describeCliFailure(run: CliRun, secrets: readonly string[] = []): string {
  return scrubText(describeFailure(run.argv.join(" "), run.result), secrets);
}
