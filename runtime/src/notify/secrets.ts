/**
 * The notification secrets file: `{ "<key>": "<secret>" }`, referenced by name from the channel
 * config. It must be a regular file owned by root and closed to group and others, because it
 * holds webhook URLs and bot tokens that let anyone post as us.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { z } from "zod";
import { ConfigError, errnoCode } from "../errors";
import { secretRefs, type ChannelConfig, type NotifyConfig } from "../contract/notify";

export const SecretsFileSchema = z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.string().min(1));
export type Secrets = Readonly<Record<string, string>>;

export interface SecretsCheckOptions {
  /** Required owner; root (0) unless a test says otherwise. */
  expectedUid?: number;
}

/** Pure: why a file with this stat may not hold secrets, or undefined when it may. */
export function secretsFileProblem(
  path: string,
  st: { isFile: boolean; uid: number; mode: number },
  expectedUid = 0,
): string | undefined {
  if (!st.isFile) return `${path}: notify.secretsFile is not a regular file; point it at a JSON file`;
  if (st.uid !== expectedUid) {
    return `${path}: notify.secretsFile is owned by uid ${st.uid}, must be owned by ${expectedUid === 0 ? "root" : `uid ${expectedUid}`}; fix: chown root:root ${path}`;
  }
  const open = st.mode & 0o077;
  if (open !== 0) {
    return `${path}: notify.secretsFile has mode ${(st.mode & 0o7777).toString(8).padStart(4, "0")}, group/others may ${open & 0o066 ? "read or write" : "access"} it; fix: chmod 600 ${path}`;
  }
  return undefined;
}

/**
 * Reads and validates the secrets file. Ownership is checked on the open descriptor, so the file
 * checked is the file read. Every problem is a ConfigError (exit 78); no secret value is echoed.
 */
export async function loadSecrets(path: string, opts: SecretsCheckOptions = {}): Promise<Secrets> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT") throw new ConfigError(`${path}: notify.secretsFile not found; create it (JSON object of name → secret, chmod 600, owned by root) or remove notify.secretsFile`);
    if (code === "ELOOP") throw new ConfigError(`${path}: notify.secretsFile is a symlink; point the config at the real file`);
    if (code === "EACCES" || code === "EPERM") throw new ConfigError(`${path}: permission denied reading notify.secretsFile (run as root)`);
    throw new ConfigError(`${path}: cannot open notify.secretsFile: ${code ?? (e as Error).message}`);
  }
  let text: string;
  try {
    const st = await fh.stat();
    const problem = secretsFileProblem(path, { isFile: st.isFile(), uid: st.uid, mode: st.mode }, opts.expectedUid ?? 0);
    if (problem) throw new ConfigError(`${problem} (refusing to use channel secrets from it)`);
    text = await fh.readFile("utf8");
  } finally {
    await fh.close();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError(`${path}: notify.secretsFile is not valid JSON (${text.length} bytes); expected {"name": "secret", ...}`);
  }
  const r = SecretsFileSchema.safeParse(raw, { reportInput: false });
  if (!r.success) {
    const where = r.error.issues.map((i) => (i.path.length ? `key ${JSON.stringify(String(i.path[0]))}` : "top level")).join(", ");
    throw new ConfigError(`${path}: notify.secretsFile must be a JSON object of name → non-empty string; bad: ${where}`);
  }
  return r.data;
}

/** Label of a channel in logs and output. */
export function channelLabel(c: ChannelConfig, index: number): string {
  return c.name ?? `${c.type}#${index}`;
}

/** A channel with its secrets looked up. */
export interface ResolvedChannel {
  label: string;
  config: ChannelConfig;
  secrets: Readonly<Record<string, string>>;
}

/**
 * Loads the secrets file if any channel needs it and pairs each channel with its secrets.
 * A missing key is a ConfigError naming the channel and the key.
 */
export async function resolveChannels(notify: NotifyConfig, opts: SecretsCheckOptions = {}): Promise<ResolvedChannel[]> {
  const needed = notify.channels.flatMap((c) => secretRefs(c));
  let secrets: Secrets = {};
  if (needed.length > 0) {
    if (!notify.secretsFile) {
      throw new ConfigError(
        `notify.channels use secrets (${[...new Set(needed)].join(", ")}) but notify.secretsFile is not set; set it to a root-owned 0600 JSON file holding them`,
      );
    }
    secrets = await loadSecrets(notify.secretsFile, opts);
  }
  return notify.channels.map((c, i) => {
    const label = channelLabel(c, i);
    const mine: Record<string, string> = {};
    for (const ref of secretRefs(c)) {
      const v = secrets[ref];
      if (v === undefined) {
        throw new ConfigError(`notify.channels[${i}] (${label}): secret "${ref}" is not in ${notify.secretsFile}; add it there or fix the name`);
      }
      mine[ref] = v;
    }
    return { label, config: c, secrets: mine };
  });
}
