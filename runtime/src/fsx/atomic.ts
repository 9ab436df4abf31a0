/**
 * Atomic file replacement: temp file in the same directory, fsync, rename, fsync the directory.
 * A reader sees the old content or the new, never a mix; a crash leaves at most a stray temp file.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { errnoCode, ExitCode, UserError } from "../errors";
import { MAX_STORE_BYTES, readFileCapped } from "../security/limits";

export interface NewFileOwnership {
  /** Mode for files that do not exist yet (existing files keep theirs). */
  mode: number;
  /** Owner for new files; undefined = the calling process's. */
  uid?: number | undefined;
  gid?: number | undefined;
  /**
   * Directories (besides the file's own) a symlinked target may resolve into, e.g.
   * openclaw.stateDir for agents sharing one store. See resolveWritePath.
   */
  symlinkRoots?: readonly string[] | undefined;
}

export const PRIVATE_FILE: NewFileOwnership = { mode: 0o600 };

/** What a file looked like before we replaced it; undefined if it did not exist. */
export interface FileIdentity {
  mode: number;
  uid: number;
  gid: number;
}

/** Thrown when a target is a symlink whose real file lies outside the places we may write. */
export class SymlinkEscapeError extends UserError {
  constructor(
    readonly path: string,
    readonly realPath: string,
    readonly roots: readonly string[],
  ) {
    super(
      `${path} is a symlink to ${realPath}, outside ${roots.join(" and ")}; refusing to write through it. ` +
        `Replace the link by a regular file, or point the config at the real file`,
      ExitCode.noPerm,
    );
    this.name = "SymlinkEscapeError";
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

async function realpathOr(path: string): Promise<string> {
  try {
    return await fsp.realpath(path);
  } catch {
    return resolve(path);
  }
}

/**
 * The real path to write. A symlink is followed, so that a link an operator made on purpose (e.g.
 * agents sharing one store) survives and its target is updated — but only when the real file is
 * inside the link's own directory or one of `roots` (both resolved, so symlinked parent
 * directories are transparent). Anything else is refused: a link into /etc or another user's home
 * must not make us (root) overwrite that file. A dangling link is replaced by a regular file.
 */
export async function resolveWritePath(path: string, roots: readonly string[] = []): Promise<string> {
  let real: string;
  try {
    real = await fsp.realpath(path);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return path;
    throw e;
  }
  const linkDir = await realpathOr(dirname(path));
  if (dirname(real) === linkDir) return real;
  const allowed = [linkDir, ...(await Promise.all(roots.map(realpathOr)))];
  if (allowed.some((r) => isInside(real, r))) return real;
  // The link's own directory is often a root too (a .env in openclaw.stateDir): name each place once.
  const places = [...new Set([dirname(path), ...roots].map((r) => resolve(r)))];
  throw new SymlinkEscapeError(path, real, places);
}

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Replaces `path` with `data` atomically. Existing owner, group and mode are kept; a new file
 * gets `ownership`. Throws (and removes its temp file) on any failure; the original is untouched.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  ownership: NewFileOwnership = PRIVATE_FILE,
): Promise<void> {
  const target = await resolveWritePath(path, ownership.symlinkRoots);
  let before: FileIdentity | undefined;
  try {
    const st = await fsp.stat(target);
    if (!st.isFile()) throw Object.assign(new Error(`${target} is not a regular file`), { code: "EISDIR" });
    before = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") throw e;
  }
  const tmp = tempPathFor(target);
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
  } catch (e) {
    throw explainWriteError(e, target);
  }
  try {
    await fh.writeFile(data);
    const uid = before?.uid ?? ownership.uid;
    const gid = before?.gid ?? ownership.gid;
    if (uid !== undefined || gid !== undefined) {
      await chownIfNeeded(fh, uid ?? -1, gid ?? -1);
    }
    await fh.chmod(before?.mode ?? ownership.mode);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw explainWriteError(e, target);
  }
  try {
    await fh.close();
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw explainWriteError(e, target);
  }
  await fsyncDir(dirname(target));
  await removeStaleTemps(target);
}

/**
 * Removes temp files of earlier writes to `target` whose writer died (kill -9, power loss between
 * create and rename): `.<name>.<pid>.<hex>.tmp` with a pid that no longer exists. Best effort;
 * a live writer's temp file is never touched.
 */
export async function removeStaleTemps(target: string): Promise<void> {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processExists(pid)) continue;
    await fsp.unlink(join(dir, name)).catch(() => undefined);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === "EPERM";
  }
}

async function chownIfNeeded(fh: fsp.FileHandle, uid: number, gid: number): Promise<void> {
  const st = await fh.stat();
  if ((uid === -1 || st.uid === uid) && (gid === -1 || st.gid === gid)) return;
  await fh.chown(uid, gid);
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await fsp.open(dir, fsc.O_RDONLY);
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

const WRITE_FIXES: Record<string, string> = {
  ENOSPC: "no space left on the filesystem: free some space",
  EDQUOT: "disk quota exceeded: free some space or raise the quota",
  EROFS: "the filesystem is mounted read-only: remount it read-write (or fix the path)",
};

/**
 * The error of a failed replacement, with the fix for the cases an operator can act on. The
 * original file is untouched in every case (the temp file is gone), and the message says so.
 */
export function explainWriteError(e: unknown, target: string): unknown {
  const code = errnoCode(e);
  const fix = code ? WRITE_FIXES[code] : undefined;
  if (!fix || (e instanceof Error && e.message.includes("the old file is unchanged"))) return e;
  return Object.assign(new Error(`${target}: cannot write the new version (${code}: ${fix}); the old file is unchanged`), { code });
}

/**
 * Reads a file as UTF-8, or undefined when it does not exist; at most `limit` bytes (a larger
 * file is a FileTooLargeError naming it). Other errors propagate.
 */
export async function readTextIfExists(path: string, limit = MAX_STORE_BYTES, what = "the file"): Promise<string | undefined> {
  return readFileCapped(path, limit, what);
}
