/**
 * A minimal, read-only reader of SQLite database files (https://sqlite.org/fileformat2.html),
 * enough to scan one rowid table: `status` must tell what OpenClaw's SQLite-era store holds
 * without writing anything (issue 18, point 5).
 *
 * Why not a SQLite library: Node 20 has no `node:sqlite`, a native or WASM build is a large new
 * dependency for one read, and every real SQLite client, even with `-readonly`, creates the
 * `-wal`/`-shm` files next to a WAL database (seen with the sqlite3 CLI on 2026.9.6's
 * `state/openclaw.sqlite`): files owned by whoever ran `status` (root) in a directory that
 * belongs to the OpenClaw account. `immutable=1` avoids that but ignores the WAL, i.e. the
 * newest writes. Why not `openclaw models status --json`: it loads every plugin (seconds to tens
 * of seconds), may touch the state dir, and 2026.5.28–2026.6.11 print Claude's token in full.
 *
 * This reader opens the database and its `-wal` with O_RDONLY and never opens `-shm`. It applies
 * the WAL the way SQLite's recovery does: frames whose salts match the WAL header and whose
 * cumulative checksums hold, up to the last commit frame. A read that races a checkpoint may
 * see a torn page; callers retry (readTableRows does, 3 times).
 */
import { promises as fsp } from "node:fs";
import { errnoCode } from "../errors";

export class SqliteReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqliteReadError";
  }
}

/** One row: the record's values in column order (rowid separately). */
export interface SqliteRow {
  rowid: bigint;
  values: (string | number | bigint | Buffer | null)[];
}

/** The largest database we read whole (OpenClaw's shared database is ~1.5 MB fresh). */
export const MAX_DB_BYTES = 256 * 1024 * 1024;
const MAGIC = "SQLite format 3\0";

async function readIfExists(path: string): Promise<Buffer | undefined> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(path, "r");
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
  try {
    const st = await fh.stat();
    if (st.size > MAX_DB_BYTES) throw new SqliteReadError(`${path} is ${st.size} bytes, more than this reader takes (${MAX_DB_BYTES})`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

function walChecksum(buf: Buffer, off: number, len: number, bigEndian: boolean, s0: number, s1: number): [number, number] {
  for (let i = off; i < off + len; i += 8) {
    const a = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const b = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + a + s1) >>> 0;
    s1 = (s1 + b + s0) >>> 0;
  }
  return [s0, s1];
}

/** Page number → page content of the last committed WAL snapshot; and the db size it commits. */
export function walPages(wal: Buffer | undefined, pageSize: number): { pages: Map<number, Buffer>; dbPages?: number } {
  const pages = new Map<number, Buffer>();
  if (!wal || wal.length < 32) return { pages };
  const magic = wal.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return { pages };
  const bigEndian = magic === 0x377f0683;
  if (wal.readUInt32BE(8) !== pageSize) return { pages };
  let [s0, s1] = walChecksum(wal, 0, 24, bigEndian, 0, 0);
  if (s0 !== wal.readUInt32BE(24) || s1 !== wal.readUInt32BE(28)) return { pages };
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  const pending = new Map<number, Buffer>();
  let dbPages: number | undefined;
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
    if (wal.readUInt32BE(off + 8) !== salt1 || wal.readUInt32BE(off + 12) !== salt2) break;
    [s0, s1] = walChecksum(wal, off, 8, bigEndian, s0, s1);
    [s0, s1] = walChecksum(wal, off + 24, pageSize, bigEndian, s0, s1);
    if (s0 !== wal.readUInt32BE(off + 16) || s1 !== wal.readUInt32BE(off + 20)) break;
    pending.set(wal.readUInt32BE(off), wal.subarray(off + 24, off + 24 + pageSize));
    const commit = wal.readUInt32BE(off + 4);
    if (commit !== 0) {
      for (const [n, p] of pending) pages.set(n, p);
      pending.clear();
      dbPages = commit;
    }
  }
  return dbPages === undefined ? { pages } : { pages, dbPages };
}

function varint(buf: Buffer, off: number): [bigint, number] {
  let v = 0n;
  for (let i = 0; i < 9; i++) {
    const b = buf[off + i];
    if (b === undefined) throw new SqliteReadError("truncated varint");
    if (i === 8) return [(v << 8n) | BigInt(b), off + 9];
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) return [v, off + i + 1];
  }
  throw new SqliteReadError("bad varint");
}

class Db {
  readonly pageSize: number;
  readonly usable: number;
  readonly decoder: { decode(b: Uint8Array): string };
  private readonly wal: Map<number, Buffer>;
  private readonly pageCount: number;

  constructor(
    private readonly main: Buffer,
    walBuf: Buffer | undefined,
    readonly path: string,
  ) {
    if (main.length < 100 || main.toString("latin1", 0, 16) !== MAGIC) throw new SqliteReadError(`${path} is not a SQLite 3 database`);
    const ps = main.readUInt16BE(16);
    this.pageSize = ps === 1 ? 65536 : ps;
    this.usable = this.pageSize - main[20]!;
    const enc = main.readUInt32BE(56);
    this.decoder = new TextDecoder(enc === 2 ? "utf-16le" : enc === 3 ? "utf-16be" : "utf-8");
    const w = walPages(walBuf, this.pageSize);
    this.wal = w.pages;
    this.pageCount = w.dbPages ?? Math.floor(main.length / this.pageSize);
  }

  page(n: number): Buffer {
    if (n < 1 || n > this.pageCount) throw new SqliteReadError(`page ${n} out of range (${this.pageCount} pages)`);
    const fromWal = this.wal.get(n);
    if (fromWal) return fromWal;
    const start = (n - 1) * this.pageSize;
    if (start + this.pageSize > this.main.length) throw new SqliteReadError(`page ${n} beyond the end of ${this.path}`);
    return this.main.subarray(start, start + this.pageSize);
  }

  /** Every row of the table b-tree rooted at `root`, in rowid order. */
  scan(root: number, out: SqliteRow[] = [], depth = 0): SqliteRow[] {
    if (depth > 64) throw new SqliteReadError("b-tree too deep (corrupt?)");
    const p = this.page(root);
    const h = root === 1 ? 100 : 0;
    const type = p[h];
    const cells = p.readUInt16BE(h + 3);
    if (type === 0x05) {
      for (let i = 0; i < cells; i++) this.scan(p.readUInt32BE(p.readUInt16BE(h + 12 + 2 * i)), out, depth + 1);
      return this.scan(p.readUInt32BE(h + 8), out, depth + 1);
    }
    if (type !== 0x0d) throw new SqliteReadError(`page ${root}: not a table b-tree page (type ${type})`);
    for (let i = 0; i < cells; i++) {
      let off = p.readUInt16BE(h + 8 + 2 * i);
      const [size, o1] = varint(p, off);
      const [rowid, o2] = varint(p, o1);
      off = o2;
      out.push({ rowid, values: this.record(this.payload(p, off, Number(size))) });
    }
    return out;
  }

  private payload(p: Buffer, off: number, size: number): Buffer {
    const x = this.usable - 35;
    if (size <= x) return p.subarray(off, off + size);
    const m = Math.floor(((this.usable - 12) * 32) / 255) - 23;
    const k = m + ((size - m) % (this.usable - 4));
    const local = k <= x ? k : m;
    const parts = [p.subarray(off, off + local)];
    let left = size - local;
    let next = p.readUInt32BE(off + local);
    for (let hops = 0; left > 0; hops++) {
      if (next === 0 || hops > this.pageCount) throw new SqliteReadError("broken overflow chain");
      const o = this.page(next);
      const take = Math.min(left, this.usable - 4);
      parts.push(o.subarray(4, 4 + take));
      left -= take;
      next = o.readUInt32BE(0);
    }
    return Buffer.concat(parts);
  }

  private record(buf: Buffer): SqliteRow["values"] {
    const [hsize, h0] = varint(buf, 0);
    const types: bigint[] = [];
    for (let o = h0; o < Number(hsize); ) {
      const [t, n] = varint(buf, o);
      types.push(t);
      o = n;
    }
    let off = Number(hsize);
    return types.map((t) => {
      const n = Number(t);
      const intLen = [0, 1, 2, 3, 4, 6, 8][n];
      if (n === 0) return null;
      if (n === 8) return 0;
      if (n === 9) return 1;
      if (n >= 1 && n <= 6 && intLen !== undefined) {
        const v = buf.readIntBE(off, Math.min(intLen, 6));
        const full = intLen === 8 ? buf.readBigInt64BE(off) : BigInt(v);
        off += intLen;
        return full >= BigInt(Number.MIN_SAFE_INTEGER) && full <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(full) : full;
      }
      if (n === 7) {
        const v = buf.readDoubleBE(off);
        off += 8;
        return v;
      }
      if (n >= 12) {
        const len = n % 2 === 0 ? (n - 12) / 2 : (n - 13) / 2;
        const bytes = buf.subarray(off, off + len);
        off += len;
        return n % 2 === 0 ? Buffer.from(bytes) : this.decoder.decode(bytes);
      }
      throw new SqliteReadError(`reserved serial type ${n}`);
    });
  }
}

/**
 * The rows of `table` (a rowid table) in the database at `path`, read without writing; undefined
 * when the file does not exist or has no such table. Column names come from its CREATE TABLE.
 */
export async function readTableRows(path: string, table: string): Promise<{ columns: string[]; rows: SqliteRow[] } | undefined> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The WAL first: a checkpoint that runs meanwhile only copies pages the WAL already gave us.
    const wal = await readIfExists(`${path}-wal`);
    const main = await readIfExists(path);
    if (main === undefined) return undefined;
    try {
      const db = new Db(main, wal, path);
      const master = db.scan(1).find((r) => r.values[0] === "table" && r.values[1] === table);
      if (!master) return undefined;
      const sql = String(master.values[4] ?? "");
      return { columns: columnNames(sql), rows: db.scan(Number(master.values[3])) };
    } catch (e) {
      if (!(e instanceof SqliteReadError) && !(e instanceof RangeError)) throw e;
      last = e;
    }
  }
  throw last instanceof SqliteReadError ? last : new SqliteReadError(`${path}: ${(last as Error).message}`);
}

/** Column names from a CREATE TABLE statement (enough for OpenClaw's plain schemas). */
export function columnNames(sql: string): string[] {
  const open = sql.indexOf("(");
  const close = sql.lastIndexOf(")");
  if (open < 0 || close < open) return [];
  const body = sql.slice(open + 1, close);
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of body) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts
    .map((s) => s.trim())
    .filter((s) => s && !/^(PRIMARY|UNIQUE|CHECK|FOREIGN|CONSTRAINT)\b/i.test(s))
    .map((s) => s.split(/\s+/)[0]!.replace(/^["`[]|["`\]]$/g, ""));
}
