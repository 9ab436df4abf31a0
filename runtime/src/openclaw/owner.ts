/**
 * The account OpenClaw runs as: files we create get its uid/gid, and the host-mode CLI runs as
 * it (so a database the CLI creates is not root-owned and unwritable for the gateway).
 */
import { promises as fsp } from "node:fs";
import type { Config } from "../contract/schema";
import { errnoCode } from "../errors";

export interface Owner {
  uid: number;
  gid: number;
}

/** config.owner, else the owner of openclaw.stateDir; undefined when that dir does not exist. */
export async function resolveOwner(config: Pick<Config, "owner" | "openclaw">): Promise<Owner | undefined> {
  if (config.owner) return config.owner;
  try {
    const st = await fsp.stat(config.openclaw.stateDir);
    return { uid: st.uid, gid: st.gid };
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
}

/** Pure: the home dir of `uid` in /etc/passwd text, if listed. */
export function homeFromPasswd(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f.length >= 7 && Number(f[2]) === uid && f[5]) return f[5];
  }
  return undefined;
}

export async function homeOf(uid: number): Promise<string | undefined> {
  try {
    return homeFromPasswd(await fsp.readFile("/etc/passwd", "utf8"), uid);
  } catch {
    return undefined;
  }
}
