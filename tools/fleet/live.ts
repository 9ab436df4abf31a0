/**
 * `fleet status --live`: asks the installed runtime on the host, or on every host of a stack of
 * many (`openclaw-oauth-sync status --json`), over the program's SSH transport, with the SSH
 * settings of the stack's config. Only the expiry times and the state word are kept — never a token.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { z } from "zod";
import type { HostRef } from "../../infra/contracts";
import { parseStackConfig, PROJECT } from "../../infra/plan/stack-config";
import { installPaths } from "../../infra/plan/settings";
import { shq } from "../../infra/shell";
import { runBounded } from "./run";
import type { HostOutputs } from "./summary";

const StatusJson = z.object({
  credentials: z.object({ expiresAt: z.number().optional(), refreshTokenExpiresAt: z.number().optional() }).partial().optional(),
  check: z.object({ level: z.string() }).optional(),
});

/** One host to ask: its component name in a stack of many hosts (undefined in a one-host stack). */
export interface LiveTarget {
  name: string | undefined;
  ref: HostRef;
  /** The installed runtime's command on the host. */
  bin: string;
}

/**
 * The hosts of a stack and their SSH settings, from its config (`pulumi config --json` values),
 * validated exactly as the program validates them: one target for `host`, one per `hosts` entry.
 */
export function liveTargets(cfg: Record<string, { value: string }>): LiveTarget[] {
  const r = parseStackConfig((k) => cfg[`${PROJECT}:${k}`]?.value);
  if (!r.ok) throw new Error(`the stack config is not valid:\n${r.message}`);
  const key = cfg[`${PROJECT}:sshPrivateKey`]?.value;
  return r.hosts.map(({ name, config: c }) => ({
    name,
    ref: {
      host: c.host,
      ...(c.sshPort !== undefined ? { port: c.sshPort } : {}),
      ...(c.sshUser !== undefined ? { user: c.sshUser } : {}),
      ...(c.sshHostKey !== undefined ? { hostKey: c.sshHostKey } : {}),
      ...(c.sshConfigFile !== undefined ? { sshConfigFile: c.sshConfigFile } : {}),
      ...(key ? { privateKey: key } : {}),
      connectTimeoutSeconds: c.sshConnectTimeoutSeconds,
    },
    bin: installPaths(c.installPrefix).bin,
  }));
}

/** Parses `status --json`; the runtime exits 1/2 for expired/expiring, which is still an answer. */
export function parseLiveStatus(stdout: string): Pick<HostOutputs, "tokenExpiresAt" | "loginExpiresAt" | "tokenState"> {
  const j = StatusJson.parse(JSON.parse(stdout));
  const exp = j.credentials?.expiresAt;
  const login = j.credentials?.refreshTokenExpiresAt;
  return {
    tokenExpiresAt: exp === undefined ? undefined : new Date(exp).toISOString(),
    // As the stack output: "unknown" when the credentials file records no login deadline.
    loginExpiresAt: login === undefined ? "unknown" : new Date(login).toISOString(),
    tokenState: j.check?.level,
  };
}

/** What `status --live` learnt: a one-host stack's outputs, or per host of a stack of many. */
export type LiveAnswer = { outputs: Partial<HostOutputs> } | { hosts: Record<string, { outputs: Partial<HostOutputs> } | { error: string }> };

/** Hosts asked at once in a stack of many (each holds one SSH connection meanwhile). */
const LIVE_PARALLEL = 16;

async function askHost(t: LiveTarget): Promise<Partial<HostOutputs>> {
  const { getSession, AS_ROOT_SH_S } = await import("../../infra/ssh/transport");
  const session = await getSession(t.ref);
  const r = await session.run(AS_ROOT_SH_S, { stdin: `exec ${shq(t.bin)} status --json\n`, timeoutMs: 30_000 });
  if (r.stdout.trim() === "") throw new Error(`${t.bin} status --json printed nothing (exit ${r.code}): ${r.stderr.trim().split("\n").pop() ?? ""}`);
  return parseLiveStatus(r.stdout);
}

export async function liveStatus(stack: Stack): Promise<LiveAnswer> {
  const targets = liveTargets(await stack.getAllConfig());
  if (targets.length === 1 && targets[0]!.name === undefined) return { outputs: await askHost(targets[0]!) };
  // A stack of many hosts: each host answers (or fails) on its own row.
  const answers = await runBounded(targets, LIVE_PARALLEL, async (t) => {
    try {
      return { outputs: await askHost(t) };
    } catch (e) {
      return { error: ((e as Error).message ?? String(e)).split("\n")[0]! };
    }
  });
  return { hosts: Object.fromEntries(targets.map((t, i) => [t.name!, answers[i]!])) };
}
