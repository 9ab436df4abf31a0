/**
 * Atomic file replacement: temp file in the same directory, fsync, rename, fsync the directory.
 * A reader sees the old content or the new, never a mix; a crash leaves at most a stray temp file.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { errnoCode } from "../errors";

export interface NewFileOwnership {
  /** Mode for files that do not exist yet (existing files keep theirs). */
  mode: number;
  /** Owner for new files; undefined = the calling process's. */
  uid?: number | undefined;
  gid?: number | undefined;
}

export const PRIVATE_FILE: NewFileOwnership = { mode: 0o600 };

/** What a file looked like before we replaced it; undefined if it did not exist. */
export interface FileIdentity {
  mode: number;
  uid: number;
  gid: number;
}

/**
 * The real path to write: a symlink is followed, so that the link (which an operator made on
 * purpose, e.g. agents sharing one store) survives and its target is updated.
 */
export async function resolveWritePath(path: string): Promise<string> {
  try {
    return await fsp.realpath(path);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return path;
    throw e;
  }
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
  const target = await resolveWritePath(path);
  let before: FileIdentity | undefined;
  try {
    const st = await fsp.stat(target);
    if (!st.isFile()) throw Object.assign(new Error(`${target} is not a regular file`), { code: "EISDIR" });
    before = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") throw e;
  }
  const tmp = tempPathFor(target);
  const fh = await fsp.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
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
    throw e;
  }
  await fh.close();
  try {
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dirname(target));
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

/** Reads a file as UTF-8, or undefined when it does not exist. Other errors propagate. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, "utf8");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
}
