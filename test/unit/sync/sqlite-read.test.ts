/**
 * The read-only SQLite reader (runtime/src/openclaw/sqlite-read.ts) against databases written by
 * real SQLite (Python's sqlite3 module): rows in the main file, rows only in the -wal of a
 * connection still open (not checkpointed), a value spread over overflow pages, and no -shm
 * or -wal created by reading. Skipped where python3 is missing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTableRows } from "../../../runtime/src/openclaw/sqlite-read";
import { readSqliteAuthStore } from "../../../runtime/src/openclaw/sqlite-store";

const PY = spawnSync("python3", ["-c", "import sqlite3"]).status === 0;
const BIG = "x".repeat(20_000);

const SCRIPT = `
import sqlite3, sys, json
db = sys.argv[1]
c = sqlite3.connect(db, isolation_level=None)
c.execute("pragma journal_mode=wal")
c.execute("pragma wal_autocheckpoint=0")
c.execute("CREATE TABLE config_machine_state (state_key TEXT NOT NULL PRIMARY KEY, value_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL) STRICT")
c.execute("insert into config_machine_state values ('auth.sharedStore', '{\\"location\\":\\"state-db\\"}', 5)")
c.execute("pragma wal_checkpoint(truncate)")
# Only in the WAL from here on: the connection stays open.
store = {"version": 1, "profiles": {"anthropic:default": {"type": "token", "provider": "anthropic", "token": "T", "expires": 1796621963337}}}
c.execute("insert into config_machine_state values ('authProfiles.store', ?, 1796593163599)", (json.dumps(store),))
c.execute("insert into config_machine_state values ('big', ?, 7)", (json.dumps("${BIG}"),))
for i in range(300):
    c.execute("insert into config_machine_state values (?, '1', ?)", ("k%d" % i, i))
print("ready", flush=True)
sys.stdin.read()
`;

test("reads a WAL database whose newest rows are only in the -wal, without creating -shm", { skip: PY ? false : "python3 missing" }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "ocs-sqlite-"));
  const stateDir = join(dir, "state-dir");
  const db = join(stateDir, "state/openclaw.sqlite");
  spawnSync("mkdir", ["-p", join(stateDir, "state")]);
  const py = spawn("python3", ["-c", SCRIPT, db], { stdio: ["pipe", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve, reject) => {
      py.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
      py.on("exit", (c) => reject(new Error(`python3 exited ${c} before it was ready`)));
    });
    assert.ok(existsSync(`${db}-wal`), "the writer keeps a -wal");
    const shmBefore = existsSync(`${db}-shm`);
    const t = await readTableRows(db, "config_machine_state");
    assert.deepEqual(t?.columns, ["state_key", "value_json", "updated_at_ms"]);
    const byKey = new Map(t!.rows.map((r) => [r.values[0], r.values]));
    assert.equal(byKey.size, 303);
    assert.equal(JSON.parse(String(byKey.get("big")![1])), BIG, "a value over overflow pages");
    assert.equal(byKey.get("k299")![2], 299);
    const store = await readSqliteAuthStore(join(stateDir, "agents/main/agent"), stateDir);
    assert.equal(store?.location, "shared");
    assert.equal(store?.updatedAt, 1796593163599);
    assert.deepEqual((store?.store as { profiles: Record<string, { expires: number }> }).profiles["anthropic:default"]!.expires, 1796621963337);
    assert.equal(existsSync(`${db}-shm`), shmBefore, "reading created no -shm");
    assert.equal(await readTableRows(db, "no_such_table"), undefined);
    assert.equal(await readTableRows(join(dir, "absent.sqlite"), "x"), undefined);
  } finally {
    py.stdin.end();
    await new Promise((r) => py.on("close", r));
    rmSync(dir, { recursive: true, force: true });
  }
});
