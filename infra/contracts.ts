/**
 * Contracts between the parts of the Pulumi program: the SSH transport, the host-state
 * resources (dynamic resources whose `read` inspects the host), and the program that wires them.
 * Types only; implementations live in infra/ssh and infra/hoststate.
 */

/** How to reach one host. Never holds a Claude token. */
export interface HostRef {
  /** Host name, address, or an alias from the operator's ~/.ssh/config. */
  host: string;
  port?: number;
  user?: string;
  /** Private key text (from `pulumi config set --secret`); else the ssh agent / ssh config decides. */
  privateKey?: string;
  /** Pinned host public key ("ssh-ed25519 AAAA…"); else the operator's known_hosts decides. */
  hostKey?: string;
  /** Extra ssh_config file to honour (besides ~/.ssh/config), e.g. for tests. */
  sshConfigFile?: string;
  /** Connect timeout in seconds (bounded; default 10). */
  connectTimeoutSeconds?: number;
}

export interface RemoteRunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One multiplexed SSH connection (OpenSSH ControlMaster) to one host. */
export interface SshSession {
  /** Runs a /bin/sh command line remotely; secrets go on stdin, never in `command`. */
  run(command: string, opts?: { stdin?: string | Buffer; timeoutMs?: number; label?: string }): Promise<RemoteRunResult>;
  /** Like run, but throws an error naming the host, the command's first line and stderr tail on non-zero exit. */
  check(command: string, opts?: { stdin?: string | Buffer; timeoutMs?: number; label?: string }): Promise<string>;
  close(): Promise<void>;
}

/** Where the runtime lives on the host, derived from the install prefix (default /usr/local). */
export interface RuntimeInstallPaths {
  /** The bundled runtime (run with `node`). */
  bundle: string;
  /** Wrapper script on PATH: `openclaw-oauth-sync`. */
  bin: string;
  /** Runtime config (JSON). */
  configFile: string;
  /** Notification secrets (JSON, 0600 root). */
  secretsFile: string;
  /** This tool's own state dir (locks, backoff, last outcomes); not OpenClaw's. */
  syncStateDir: string;
}
