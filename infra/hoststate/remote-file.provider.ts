/**
 * RemoteFile provider: one file we own whole — content hash, mode, owner, group.
 * read: `stat` + `sha256sum` in one round trip; a missing file → id "" (preview shows a create).
 * create/update: upload to a temp file in the same dir (content on stdin), chown/chmod, rename.
 * delete: removes the file.
 */
import { sha256 } from "../plan/hash";
import * as fs from "node:fs";
import * as path from "node:path";
import { runScript } from "../ssh/transport";
import { asRootShC, diffKeys, normalizeMode, sessionFor, shq, withoutInternal, type CommonProps, type KindImpl } from "./common";


/** Name of the directories we create for our files; emptied ones are removed on delete. */
export const OWN_DIR_NAME = "openclaw-oauth-sync";

export interface FileProps extends CommonProps {
  path: string;
  /** The content (may come from a secret input; then this prop is secret in state). */
  content?: string;
  /** A local file to upload instead of `content` (big files: state keeps only its sha256). */
  sourceFile?: string;
  /** sha256 of the desired content, hex; computed by the resource class. */
  sha256: string;
  mode: string;
  owner: string;
  group: string;
}

export interface LiveFile {
  sha256: string;
  mode: string;
  owner: string;
  group: string;
}

/** Parses the read script's output: "missing", or a "stat" line and a sha256sum line. Pure. */
export function parseFileState(out: string): LiveFile | undefined {
  const lines = out.split("\n").map((l) => l.trim()).filter(Boolean);
  if (lines[0] === "missing") return undefined;
  const st = /^stat (\d+) (\S+) (\S+)$/.exec(lines[0] ?? "");
  const sum = /^([0-9a-f]{64})\b/.exec(lines[1] ?? "");
  if (!st || !sum) throw new Error(`unexpected output of the file state script: ${JSON.stringify(out.slice(0, 200))}`);
  return { mode: normalizeMode(st[1]!), owner: st[2]!, group: st[3]!, sha256: sum[1]! };
}

const STATE_LINES = `if [ -e "$p" ] || [ -L "$p" ]; then
  stat -c 'stat %a %U %G' -- "$p"
  sha256sum -- "$p"
else
  echo missing
fi`;

export function readFileScript(p: string): string {
  return `set -eu\np=${shq(p)}\n${STATE_LINES}\n`;
}

/** Installs stdin as `p` atomically (temp file in the same dir, then rename) and prints the new state. */
export function installFileScript(p: string, mode: string, owner: string, group: string): string {
  const dir = path.posix.dirname(p);
  return [
    "set -eu",
    `p=${shq(p)}`,
    `d=${shq(dir)}`,
    't="$d/.ocs-tmp.$$"',
    `echo "openclaw-oauth-sync: installing $p" >&2`,
    "(umask 022; mkdir -p -- \"$d\")", // parents we create: 0755 root
    "umask 077", // the temp file is private until chmod, so secrets are never briefly world-readable
    "trap 'rm -f -- \"$t\"' EXIT",
    'cat > "$t"',
    `chown -- ${shq(`${owner}:${group}`)} "$t"`,
    `chmod -- ${shq(mode)} "$t"`,
    'mv -f -- "$t" "$p"',
    STATE_LINES,
  ].join("\n");
}


function validate(p: FileProps): void {
  if (!path.posix.isAbsolute(p.path) || p.path.endsWith("/")) throw new Error(`RemoteFile path: ${JSON.stringify(p.path)} must be an absolute file path`);
  if ((p.content === undefined) === (p.sourceFile === undefined)) throw new Error(`RemoteFile ${p.path}: set exactly one of content and sourceFile`);
  for (const [k, v] of [["owner", p.owner], ["group", p.group]] as const) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(v)) throw new Error(`RemoteFile ${p.path}: ${k} ${JSON.stringify(v)} is not a user/group name`);
  }
}

function desiredBytes(p: FileProps): Buffer {
  if (p.content !== undefined) return Buffer.from(p.content, "utf8");
  let data: Buffer;
  try {
    data = fs.readFileSync(p.sourceFile!);
  } catch (e) {
    throw new Error(`RemoteFile ${p.path}: cannot read sourceFile ${p.sourceFile}: ${(e as Error).message}; run \`npm run build\` first`);
  }
  return data;
}

async function install(p: FileProps): Promise<FileProps> {
  validate(p);
  const data = desiredBytes(p);
  const hash = sha256(data);
  if (hash !== p.sha256) {
    throw new Error(`RemoteFile ${p.path}: the content's sha256 (${hash.slice(0, 12)}…) differs from the planned ${p.sha256.slice(0, 12)}… — ${p.sourceFile ?? "the content"} changed since the plan; run the operation again`);
  }
  const mode = normalizeMode(p.mode);
  const s = await sessionFor(p);
  const out = await s.check(asRootShC(installFileScript(p.path, mode, p.owner, p.group)), { stdin: data, label: `install ${p.path}` });
  const live = parseFileState(out);
  if (!live || live.sha256 !== hash) throw new Error(`RemoteFile ${p.path}: after upload the file's sha256 is ${live?.sha256 ?? "missing"}, expected ${hash}`);
  return { ...withoutInternal(p), ...live };
}

export const fileProvider: KindImpl<FileProps> = {
  async diff(_id, olds, news) {
    return diffKeys({ ...olds, mode: normalizeMode(olds.mode) }, { ...news, mode: normalizeMode(news.mode) }, ["sha256", "mode", "owner", "group"], ["path"]);
  },
  async create(inputs) {
    const outs = await install(inputs);
    return { id: `${inputs.host.host}:${inputs.path}`, outs };
  },
  async read(id, props) {
    const s = await sessionFor(props);
    // As root: our files may be 0600 (secrets) — one round trip either way.
    const live = parseFileState(await runScript(s, readFileScript(props.path), undefined, { asRoot: true, label: `stat ${props.path}` }));
    if (!live) return { id: "" };
    const now = { ...withoutInternal(props), ...live };
    return { id, props: now, inputs: now };
  },
  async update(_id, _olds, news) {
    return { outs: await install(news) };
  },
  async delete(_id, props) {
    const s = await sessionFor(props);
    // Our own directories (/etc/openclaw-oauth-sync, <prefix>/lib/openclaw-oauth-sync) go with
    // their last file, so destroy leaves nothing behind; any other directory is never touched.
    const script = `set -eu\nrm -f -- ${shq(props.path)}\nd=$(dirname -- ${shq(props.path)})\nif [ "$(basename -- "$d")" = ${shq(OWN_DIR_NAME)} ]; then rmdir -- "$d" 2>/dev/null || true; fi\n`;
    await runScript(s, script, undefined, { asRoot: true, label: `rm ${props.path}` });
  },
};
