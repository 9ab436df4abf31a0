/**
 * `fleet status --live`: asks the installed runtime on the host (`openclaw-oauth-sync status
 * --json`) over the program's SSH transport, with the SSH settings of the stack's config. Only
 * the expiry times and the state word are kept — never a token.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { z } from "zod";
import type { HostRef } from "../../infra/contracts";
import { PROJECT } from "../../infra/plan/stack-config";
import { installPaths } from "../../infra/plan/settings";
import { shq } from "../../infra/shell";
import type { HostOutputs } from "./summary";

const StatusJson = z.object({
  credentials: z.object({ expiresAt: z.number().optional(), refreshTokenExpiresAt: z.number().optional() }).partial().optional(),
  check: z.object({ level: z.string() }).optional(),
});

/** The stack's SSH settings as a HostRef (the same keys the program reads). */
export function hostRefFromConfig(cfg: Record<string, { value: string }>): HostRef {
  const get = (k: string) => cfg[`${PROJECT}:${k}`]?.value;
  const host = get("host");
  if (!host && get("hosts")) throw new Error(`status --live does not ask the hosts of a stack of many hosts yet; fleet preview reads every host`);
  if (!host) throw new Error(`no ${PROJECT}:host in the stack config`);
  const port = get("sshPort");
  const timeout = get("sshConnectTimeoutSeconds");
  return {
    host,
    ...(port ? { port: Number(port) } : {}),
    ...(get("sshUser") ? { user: get("sshUser")! } : {}),
    ...(get("sshHostKey") ? { hostKey: get("sshHostKey")! } : {}),
    ...(get("sshConfigFile") ? { sshConfigFile: get("sshConfigFile")! } : {}),
    ...(get("sshPrivateKey") ? { privateKey: get("sshPrivateKey")! } : {}),
    connectTimeoutSeconds: timeout ? Number(timeout) : 10,
  };
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

export async function liveStatus(stack: Stack): Promise<Partial<HostOutputs>> {
  const { getSession, AS_ROOT_SH_S } = await import("../../infra/ssh/transport");
  const cfg = await stack.getAllConfig();
  const ref = hostRefFromConfig(cfg);
  const prefix = cfg[`${PROJECT}:installPrefix`]?.value ?? "/usr/local";
  const session = await getSession(ref);
  const bin = installPaths(prefix).bin;
  const r = await session.run(AS_ROOT_SH_S, { stdin: `exec ${shq(bin)} status --json\n`, timeoutMs: 30_000 });
  if (r.stdout.trim() === "") throw new Error(`${bin} status --json printed nothing (exit ${r.code}): ${r.stderr.trim().split("\n").pop() ?? ""}`);
  return parseLiveStatus(r.stdout);
}
