/**
 * Reads and validates the config file. Every problem becomes one ConfigError (exit 78) that
 * names the file, the key and the fix.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { ConfigError, errnoCode } from "../errors";
import { ConfigSchema, type Config } from "../contract/schema";
import { formatIssues } from "../contract/format-issues";
import { formatBytes, MAX_CONFIG_BYTES } from "../security/limits";

export const DEFAULT_CONFIG_PATH = "/etc/openclaw-oauth-sync/config.json";

/** Pure: validates parsed JSON. */
export function parseConfig(raw: unknown, source: string): Config {
  const r = ConfigSchema.safeParse(raw, { reportInput: false });
  if (r.success) return r.data;
  throw new ConfigError(`${source}: invalid config\n${formatIssues(r.error)}`);
}

/** Who may own a file we take orders from: root, or the account we run as. */
export interface TrustOptions {
  /** The process's uid (injected for tests); default process.getuid(). */
  uid?: number;
}

/**
 * Pure: why a file we take orders from (the config, the channel-secrets file) must not be used,
 * or undefined. Someone who can write it can make us run any command as root (refresh.cli,
 * reload.command, a command channel) or send the token anywhere: so it must not be writable by
 * group or others, and must be owned by root or by the account we run as.
 */
export function trustProblem(path: string, what: string, st: { uid: number; gid: number; mode: number }, myUid: number): string | undefined {
  const mode = (st.mode & 0o7777).toString(8).padStart(4, "0");
  if (st.uid !== 0 && st.uid !== myUid) {
    return `${path}: ${what} is owned by uid ${st.uid} (mode ${mode}), but this program runs as ${myUid === 0 ? "root" : `uid ${myUid}`}; whoever owns it controls what we run. Fix: chown root: ${path}`;
  }
  if ((st.mode & 0o022) !== 0) {
    const who = (st.mode & 0o020 ? ["group"] : []).concat(st.mode & 0o002 ? ["others"] : []).join(" and ");
    return `${path}: ${what} is writable by ${who} (mode ${mode}, owner uid ${st.uid}); whoever can write it controls what we run. Fix: chmod 600 ${path} (or chmod go-w)`;
  }
  return undefined;
}

function myUid(o: TrustOptions): number {
  return o.uid ?? (typeof process.getuid === "function" ? process.getuid() : 0);
}

/**
 * Reads and validates the config. Refuses (exit 78) a config, or a channel-secrets file, that
 * another account could change (trustProblem); the check is on the open descriptor, so the file
 * checked is the file read.
 */
export async function loadConfig(path: string, trust: TrustOptions = {}): Promise<Config> {
  let text: string;
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, fsc.O_RDONLY);
  } catch (e) {
    throw openError(path, e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new ConfigError(`${path}: is a directory, expected a JSON file`);
    const problem = trustProblem(path, "the config file", st, myUid(trust));
    if (problem) throw new ConfigError(`${problem} (refusing to start)`);
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(`${path}: the config file is ${formatBytes(st.size)}, more than ${formatBytes(MAX_CONFIG_BYTES)}; a real one is a few KiB`);
    text = await fh.readFile("utf8");
  } catch (e) {
    throw e instanceof ConfigError ? e : openError(path, e);
  } finally {
    await fh.close();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  const config = parseConfig(raw, path);
  if (config.notify.secretsFile) await checkSecretsFileTrust(config.notify.secretsFile, myUid(trust));
  return config;
}

function openError(path: string, e: unknown): ConfigError | unknown {
  const code = errnoCode(e);
  if (code === "ENOENT") return new ConfigError(`${path}: config file not found (pass --config <file> or create it; see docs/runtime.md, "Runtime config")`);
  if (code === "EACCES") return new ConfigError(`${path}: permission denied reading the config (run as root or the service account)`);
  if (code === "EISDIR") return new ConfigError(`${path}: is a directory, expected a JSON file`);
  return e;
}

/**
 * The channel-secrets file may not be writable by anyone but its owner, root or us: otherwise
 * someone could point a webhook at themselves. Stricter rules (root-owned, 0600, no symlink)
 * are enforced by notify/secrets.ts when it is read; a missing file is reported there (and by
 * doctor), so the commands that do not notify still run.
 */
async function checkSecretsFileTrust(path: string, uid: number): Promise<void> {
  let st;
  try {
    st = await fsp.stat(path);
  } catch {
    return;
  }
  const problem = trustProblem(path, "notify.secretsFile", st, uid);
  if (problem) throw new ConfigError(`${problem} (refusing to start)`);
}
