/**
 * The OpenSSH client argv for one host. Pure: the transport supplies the file paths.
 *
 * We run the system `ssh` so the operator's ~/.ssh/config, agent, ProxyJump, certificates and
 * known_hosts all apply; our `-o` options come first on the command line, so they win over any
 * config file for the settings that make the transport safe and bounded.
 */
import type { HostRef } from "../contracts";

/** Idle seconds a master connection outlives its last client: long enough for the program and the
 * dynamic-provider process of one `pulumi preview`/`up` to share it, short enough not to linger. */
export const CONTROL_PERSIST_SECONDS = 60;
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
/** ssh_config HostKeyAlias under which a pinned host key is stored in our private known_hosts. */
export const PINNED_ALIAS = "ocs-pinned-host";

export interface SshPaths {
  controlPath: string;
  /** Private known_hosts holding exactly the pinned key (when `hostKey` is set). */
  pinnedKnownHosts?: string;
  /** 0600 file with the configured private key (when `privateKey` is set). */
  identityFile?: string;
  /** Generated ssh_config that includes `sshConfigFile`, ~/.ssh/config and /etc/ssh/ssh_config. */
  configFile?: string;
}

export function connectTimeoutSeconds(h: HostRef): number {
  const t = h.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS;
  return Math.min(Math.max(Math.round(t), 1), 120);
}

/** Options shared by every ssh invocation for this host (master, commands, -O check/exit). */
export function baseArgs(h: HostRef, p: SshPaths): string[] {
  const o = (kv: string) => ["-o", kv];
  const args: string[] = [];
  if (p.configFile) args.push("-F", p.configFile);
  args.push(
    ...o("BatchMode=yes"), // never prompt (passphrase, password, unknown host) → never hang
    ...o("StrictHostKeyChecking=yes"), // never accept-new, never no: host keys are always verified
    ...o("PasswordAuthentication=no"),
    ...o("KbdInteractiveAuthentication=no"),
    ...o(`ConnectTimeout=${connectTimeoutSeconds(h)}`),
    ...o("ServerAliveInterval=5"),
    ...o("ServerAliveCountMax=3"),
    ...o(`ControlPath=${p.controlPath}`),
    ...o(`ControlPersist=${CONTROL_PERSIST_SECONDS}s`),
  );
  if (p.pinnedKnownHosts) {
    args.push(
      ...o(`UserKnownHostsFile=${p.pinnedKnownHosts}`),
      ...o("GlobalKnownHostsFile=/dev/null"),
      // The alias makes the lookup independent of how `host` resolves (ssh config alias, IP, port).
      ...o(`HostKeyAlias=${PINNED_ALIAS}`),
      ...o("CheckHostIP=no"),
      ...o("UpdateHostKeys=no"),
    );
  }
  if (p.identityFile) args.push(...o(`IdentityFile=${p.identityFile}`), ...o("IdentitiesOnly=yes"));
  if (h.port !== undefined) args.push("-p", String(h.port));
  if (h.user !== undefined) args.push("-l", h.user);
  return args;
}

/** Starts the master in the background once authenticated (`-f -N`). */
export function masterArgs(h: HostRef, p: SshPaths): string[] {
  return [...baseArgs(h, p), "-o", "ControlMaster=yes", "-f", "-N", "-T", "--", h.host];
}

/** Runs one command through the master; `auto` re-creates the master if it has expired meanwhile. */
export function commandArgs(h: HostRef, p: SshPaths, command: string): string[] {
  return [...baseArgs(h, p), "-o", "ControlMaster=auto", "-T", "--", h.host, command];
}

/** `ssh -O check|exit`: talks to the local master only. */
export function controlArgs(h: HostRef, p: SshPaths, op: "check" | "exit"): string[] {
  return [...baseArgs(h, p), "-O", op, "--", h.host];
}

/** The known_hosts line for a pinned key ("ssh-ed25519 AAAA… comment" → alias + type + key). */
export function pinnedKnownHostsLine(hostKey: string): string {
  const [type, key] = hostKey.trim().split(/\s+/);
  if (/[\r\n]/.test(hostKey.trim()) || !type || !key || !/^(ssh-|ecdsa-|sk-)/.test(type) || !/^[A-Za-z0-9+/=]+$/.test(key)) {
    throw new Error(`hostKey: not an OpenSSH public key ("<type> <base64>", e.g. "ssh-ed25519 AAAA…"): got ${JSON.stringify(hostKey.slice(0, 40))}`);
  }
  return `${PINNED_ALIAS} ${type} ${key}\n`;
}
