/**
 * Alert state in `<stateDir>/alerts.json`: which conditions are active, when we last alerted,
 * recent sends per channel (rate limit), the consecutive sync failure count. Written atomically
 * (0600); validated on read; a corrupt file is reported and treated as empty, never fatal.
 *
 * Several processes report (the watcher after each sync, the refresh timer), so every
 * read-modify-write runs under a small O_EXCL lock file next to the state.
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { errnoCode } from "../errors";
import { readTextIfExists, writeFileAtomic, PRIVATE_FILE } from "../fsx/atomic";
import type { Logger } from "../log";
import { pidAlive } from "../proc";

export const CONDITIONS = ["login-required", "login-expiring", "expiring-unrenewed", "sync-failing"] as const;
export type FixedConditionId = (typeof CONDITIONS)[number];
/** A systemd unit of ours entered the failed state (`notify --unit-failed <unit>`). */
export type UnitFailedConditionId = `unit-failed:${string}`;
export type ConditionId = FixedConditionId | UnitFailedConditionId;

/**
 * Unit names we accept: systemd's unit-name characters (unit-name.c VALID_CHARS plus "@" of
 * template instances), a .service or .timer suffix, at most 256 characters (UNIT_NAME_MAX). The name
 * lands in alerts.json keys, message text and NOTIFY_CONDITION, so nothing else gets in.
 */
export const UNIT_NAME_RE = /^[A-Za-z0-9:_.@\\-]+\.(service|timer)$/;
const UNIT_NAME_MAX = 256;

export function isValidUnitName(unit: string): boolean {
  return unit.length <= UNIT_NAME_MAX && UNIT_NAME_RE.test(unit);
}

/** The condition id of a failed unit; undefined for a name that is not a valid unit name. */
export function unitFailedCondition(unit: string): UnitFailedConditionId | undefined {
  return isValidUnitName(unit) ? `unit-failed:${unit}` : undefined;
}

/** The unit of a `unit-failed:<unit>` id, or undefined for the fixed conditions. */
export function unitOfCondition(id: ConditionId): string | undefined {
  return id.startsWith("unit-failed:") ? id.slice("unit-failed:".length) : undefined;
}

/** True for the fixed conditions and for `unit-failed:<valid unit name>`. */
export function isConditionId(s: string): s is ConditionId {
  if ((CONDITIONS as readonly string[]).includes(s)) return true;
  return s.startsWith("unit-failed:") && isValidUnitName(s.slice("unit-failed:".length));
}
export type AlertEvent = "alert" | "re-alert" | "recovery" | "test";

const ConditionStateSchema = z.object({
  active: z.boolean(),
  /** When it became active (epoch ms). */
  since: z.number().optional(),
  /** Last alert delivered to at least one channel for this activation; undefined = none yet. */
  lastAlertAt: z.number().optional(),
  alertCount: z.number().int().min(0).default(0),
  /** Cleared after an alert, but the recovery message has not reached any channel yet. */
  pendingRecovery: z.boolean().default(false),
  detail: z.string().default(""),
  /** The systemd unit that last reported it active, and when (policy.ts explainingCondition). */
  reportedBy: z.object({ unit: z.string(), at: z.number() }).optional(),
});
export type ConditionState = z.infer<typeof ConditionStateSchema>;

const LastSentSchema = z.object({
  condition: z.string(),
  event: z.enum(["alert", "re-alert", "recovery", "test"]),
  at: z.number(),
  delivered: z.array(z.string()),
  failed: z.array(z.string()),
});

export const AlertStateSchema = z.object({
  version: z.literal(1),
  conditions: z.record(z.string(), ConditionStateSchema).default({}),
  /** Send attempts per channel label in the last hour (epoch ms). */
  sends: z.record(z.string(), z.array(z.number())).default({}),
  syncFailures: z.object({ consecutive: z.number().int().min(0), lastDetail: z.string().optional(), lastAt: z.number().optional() }).default({ consecutive: 0 }),
  lastSent: LastSentSchema.optional(),
});
export type AlertState = z.infer<typeof AlertStateSchema>;

export function emptyAlertState(): AlertState {
  return { version: 1, conditions: {}, sends: {}, syncFailures: { consecutive: 0 } };
}

export function alertStatePath(stateDir: string): string {
  return join(stateDir, "alerts.json");
}

/** Pure: parses the file text; undefined text (no file) is the empty state. */
export function parseAlertState(text: string | undefined, path: string): { state: AlertState; problem?: string } {
  if (text === undefined) return { state: emptyAlertState() };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { state: emptyAlertState(), problem: `${path}: not valid JSON (${text.length} bytes); starting from an empty alert state` };
  }
  const r = AlertStateSchema.safeParse(raw, { reportInput: false });
  if (!r.success) {
    const at = r.error.issues.map((i) => i.path.join(".") || "(top level)").join(", ");
    return { state: emptyAlertState(), problem: `${path}: unexpected shape at ${at}; starting from an empty alert state` };
  }
  return { state: r.data };
}

export async function loadAlertState(stateDir: string, log?: Logger): Promise<AlertState> {
  const path = alertStatePath(stateDir);
  let text: string | undefined;
  try {
    text = await readTextIfExists(path);
  } catch (e) {
    log?.warn("notify: cannot read alert state; treating it as empty", { path, error: errnoCode(e) ?? (e as Error).message });
    return emptyAlertState();
  }
  const { state, problem } = parseAlertState(text, path);
  if (problem) log?.warn(`notify: ${problem}`);
  return state;
}

export async function saveAlertState(stateDir: string, state: AlertState): Promise<void> {
  await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(alertStatePath(stateDir), JSON.stringify(state, null, 2) + "\n", PRIVATE_FILE);
}

export interface LockOptions {
  /** Give up waiting after this long and go on without the lock (an alert is worth a rare duplicate). */
  waitMs: number;
  /** A lock older than this, or whose pid is gone, is stale and taken over. */
  staleMs: number;
}

/**
 * Runs `fn` holding `<stateDir>/alerts.json.lock` (O_EXCL file with our pid). Bounded: after
 * `waitMs` it runs anyway and logs that it did.
 */
export async function withAlertLock<T>(stateDir: string, opts: LockOptions, log: Logger, fn: () => Promise<T>): Promise<T> {
  await fsp.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const lockPath = alertStatePath(stateDir) + ".lock";
  const deadline = Date.now() + opts.waitMs;
  let held = false;
  for (;;) {
    try {
      const fh = await fsp.open(lockPath, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
      await fh.writeFile(JSON.stringify({ pid: process.pid, createdAt: new Date().toISOString() }));
      await fh.close();
      held = true;
      break;
    } catch (e) {
      if (errnoCode(e) !== "EEXIST") {
        log.warn("notify: cannot take the alert lock; going on without it", { path: lockPath, error: errnoCode(e) ?? (e as Error).message });
        break;
      }
    }
    if (await isStale(lockPath, opts.staleMs)) {
      await fsp.unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      log.warn("notify: alert lock still held; going on without it", { path: lockPath, waitedMs: opts.waitMs });
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    return await fn();
  } finally {
    if (held) await fsp.unlink(lockPath).catch(() => undefined);
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  let ageMs: number;
  let text: string;
  try {
    const st = await fsp.stat(lockPath);
    ageMs = Date.now() - st.mtimeMs;
    text = await fsp.readFile(lockPath, "utf8");
  } catch {
    return false; // vanished meanwhile: just retry the open
  }
  if (ageMs > staleMs) return true;
  let pid: unknown;
  try {
    pid = (JSON.parse(text) as { pid?: unknown }).pid;
  } catch {
    pid = undefined;
  }
  // No pid yet: the holder is between open and write; junk that stays is stale after a second.
  if (typeof pid !== "number") return ageMs > 1000;
  if (pid === process.pid) return false;
  return !pidAlive(pid);
}
