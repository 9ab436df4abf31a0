/**
 * What OpenClaw's SQLite-era auth store holds, read without writing (sqlite-read.ts), for
 * `status` and `doctor` (issue 18, point 5). Two layouts, both seen in real releases:
 *
 *  - per agent (2026.6.5 – 2026.8.x): `<agentDir>/openclaw-agent.sqlite`, table
 *    `auth_profile_store(store_key, store_json, updated_at)`, row `primary`;
 *  - shared (2026.9.6): `<stateDir>/state/openclaw.sqlite`, table
 *    `config_machine_state(state_key, value_json, updated_at_ms)`, row `authProfiles.store`,
 *    next to `auth.sharedStore` = `{"location":"state-db"}`.
 *
 * Either value is the same JSON store object the JSON eras keep in auth-profiles.json
 * (`{version, profiles}`). Callers get the parsed object: it holds token values, so they must
 * reduce it to expiries and fingerprints before anything is shown.
 */
import { agentSqlitePath, sharedSqlitePath } from "./paths";
import { readTableRows } from "./sqlite-read";

export interface SqliteStoreRead {
  /** The database file the store came from. */
  path: string;
  location: "agent" | "shared";
  /** The parsed store (`{version, profiles}`); undefined when the row is missing. */
  store: Record<string, unknown> | undefined;
  /** Epoch ms of the row's last write, when recorded. */
  updatedAt?: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

async function keyedRow(path: string, table: string, keyCol: string, key: string, valueCol: string, timeCol: string): Promise<{ value: unknown; updatedAt?: number } | undefined | "no-table"> {
  const t = await readTableRows(path, table);
  if (!t) return "no-table";
  const k = t.columns.indexOf(keyCol);
  const v = t.columns.indexOf(valueCol);
  const u = t.columns.indexOf(timeCol);
  if (k < 0 || v < 0) return "no-table";
  const row = t.rows.find((r) => r.values[k] === key);
  if (!row) return undefined;
  const raw = row.values[v];
  let value: unknown;
  try {
    value = typeof raw === "string" ? JSON.parse(raw) : undefined;
  } catch {
    value = undefined;
  }
  const at = u >= 0 ? row.values[u] : undefined;
  return typeof at === "number" ? { value, updatedAt: at } : { value };
}

/**
 * The auth store OpenClaw reads for the agent at `agentDir`: the shared database when it says
 * the store lives there (`auth.sharedStore.location = "state-db"`), else the agent's own
 * database, else the shared one if it has a store row. Undefined when neither database exists.
 */
export async function readSqliteAuthStore(agentDir: string, stateDir: string): Promise<SqliteStoreRead | undefined> {
  const shared = sharedSqlitePath(stateDir);
  const readShared = async (): Promise<SqliteStoreRead | undefined> => {
    const r = await keyedRow(shared, "config_machine_state", "state_key", "authProfiles.store", "value_json", "updated_at_ms");
    if (r === "no-table") return undefined;
    return { path: shared, location: "shared", store: r && isObj(r.value) ? r.value : undefined, ...(r?.updatedAt !== undefined ? { updatedAt: r.updatedAt } : {}) };
  };
  const where = await keyedRow(shared, "config_machine_state", "state_key", "auth.sharedStore", "value_json", "updated_at_ms").catch(() => undefined);
  const sharedFirst = where !== undefined && where !== "no-table" && isObj(where.value) && where.value.location === "state-db";
  if (sharedFirst) return readShared();
  const own = agentSqlitePath(agentDir);
  const r = await keyedRow(own, "auth_profile_store", "store_key", "primary", "store_json", "updated_at");
  if (r !== "no-table") return { path: own, location: "agent", store: r && isObj(r.value) ? r.value : undefined, ...(r?.updatedAt !== undefined ? { updatedAt: r.updatedAt } : {}) };
  const s = await readShared();
  return s?.store ? s : undefined;
}
