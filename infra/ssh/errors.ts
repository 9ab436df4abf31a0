/**
 * Turns what the OpenSSH client printed into one operator-facing message per kind of failure.
 * Pure: no process, no fs — unit-tested with the real client's messages.
 */
import type { HostRef } from "../contracts";

export type SshErrorKind = "unreachable" | "host-key-mismatch" | "host-key-unknown" | "auth" | "remote-command" | "timeout";

/** An SSH failure with a message written for the operator (what failed, why, how to fix). */
export class SshError extends Error {
  constructor(
    readonly kind: SshErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "SshError";
  }
}

/** `user@host:port` as we show it (defaults spelled out only when the operator set them). */
export function describeTarget(h: HostRef): string {
  return `${h.user ? `${h.user}@` : ""}${h.host}${h.port ? `:${h.port}` : ""}`;
}

function hostPort(h: HostRef): string {
  return `${h.host}:${h.port ?? 22}`;
}

/** ssh's own diagnostic lines, without mux chatter and blank lines. */
function sshLines(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^mux_client_|^ControlSocket .* already exists|^@+$|^Warning: Permanently added/.test(l));
}

const UNREACHABLE =
  /Connection refused|Connection timed out|timed out during banner exchange|No route to host|Network is unreachable|Could not resolve hostname|Name or service not known|Temporary failure in name resolution|Connection reset by peer|Connection closed by .* port \d+$|kex_exchange_identification|Operation timed out|connect to host/i;

/**
 * Classifies a failed ssh client run (exit 255, or killed on timeout). Returns undefined when the
 * output does not look like an SSH-level failure (then exit 255 came from the remote command).
 */
export function classifySshFailure(
  h: HostRef,
  r: { stderr: string; timedOut: boolean; phase: "connect" | "command" },
  timeoutSeconds: number,
): SshError | undefined {
  const lines = sshLines(r.stderr);
  const text = lines.join("\n");
  const detail = (re: RegExp): string => lines.find((l) => re.test(l)) ?? lines[lines.length - 1] ?? "no output from ssh";
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed|host key .* does not match/i.test(text)) {
    const against = h.hostKey ? "the pinned hostKey" : "the entry in known_hosts";
    return new SshError(
      "host-key-mismatch",
      `host key of ${hostPort(h)} does not match ${against}: if the host was reinstalled, update known_hosts / the pinned hostKey ` +
        `(get the new key with \`ssh-keyscan -p ${h.port ?? 22} ${h.host}\` and check its fingerprint out of band); otherwise someone may be intercepting the connection`,
    );
  }
  if (/Host key verification failed|No .* host key is known for|host key is not known/i.test(text)) {
    return new SshError(
      "host-key-unknown",
      `host key of ${hostPort(h)} is not in known_hosts and host keys are always verified (StrictHostKeyChecking=yes): ` +
        `add it to ~/.ssh/known_hosts after checking its fingerprint (\`ssh-keyscan -p ${h.port ?? 22} ${h.host}\`), or pin it with the hostKey setting`,
    );
  }
  if (/Permission denied \(|Too many authentication failures|no mutual signature|Load key .*: (invalid format|bad permissions|error)/i.test(text)) {
    const who = `${h.user ?? "(ssh config user)"}@${h.host}`;
    const key = h.privateKey ? "the configured sshPrivateKey" : "the keys offered by the ssh agent / ~/.ssh/config";
    return new SshError(
      "auth",
      `${who} rejected our key (${key}): ${detail(/Permission denied|authentication|Load key/i)}; ` +
        `add the matching public key to that user's ~/.ssh/authorized_keys, or fix sshPrivateKey / the agent`,
    );
  }
  if (r.timedOut && r.phase === "connect") {
    return new SshError("unreachable", `cannot reach ${hostPort(h)} within ${timeoutSeconds} s: no SSH handshake in time (${detail(/./)}); check the address, the port, that sshd runs and that no firewall drops the packets`);
  }
  if (UNREACHABLE.test(text)) {
    return new SshError(
      "unreachable",
      `cannot reach ${hostPort(h)} within ${timeoutSeconds} s: ${detail(UNREACHABLE)}; check the address, the port, that sshd runs and that no firewall drops the packets`,
    );
  }
  if (r.timedOut) {
    return new SshError("timeout", `${describeTarget(h)}: the remote command did not finish within ${timeoutSeconds} s and was stopped (ssh client killed)`);
  }
  if (r.phase === "connect") {
    return new SshError("unreachable", `cannot reach ${hostPort(h)} within ${timeoutSeconds} s: ${detail(/./)}`);
  }
  return undefined;
}

/** The message for a remote command that ran and exited non-zero. Command text holds no secrets. */
export function remoteCommandError(h: HostRef, command: string, code: number, stderr: string, label?: string): SshError {
  const first = label ?? command.split("\n").map((l) => l.trim()).find((l) => l !== "" && !l.startsWith("#") && l !== "set -eu") ?? command;
  const tail = stderr.trim().split(/\r?\n/).slice(-5).join(" | ");
  const sudoHint = /sudo: (a password is required|a terminal is required|.*not in the sudoers)/.test(stderr)
    ? `; ${h.user ?? "the ssh user"} needs passwordless sudo (a NOPASSWD rule in /etc/sudoers.d/), or log in as root`
    : "";
  return new SshError(
    "remote-command",
    `${describeTarget(h)}: remote command failed with exit code ${code}: ${first.length > 160 ? `${first.slice(0, 157)}...` : first}${tail ? `: ${tail}` : ""}${sudoHint}`,
  );
}
