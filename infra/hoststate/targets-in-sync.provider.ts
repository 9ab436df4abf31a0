/**
 * TargetsInSync provider: whether every target the runtime keeps (auth stores, oauth.json, .env)
 * holds Claude's current token. The token is runtime state, never Pulumi's (DESIGN §5): what is
 * audited is the runtime's own verdict per target, from `status --json`, which carries states
 * and fingerprints, never a token.
 * The audit costs no round trip of its own: the facts script, which runs on every preview and up,
 * already runs `status --json`, and the program passes what it saw as the input `outOfSync`.
 * read: nothing (what is live arrives as the input; refresh keeps the recorded outputs).
 * diff: a change whenever the input lists a target (drift), whatever was recorded.
 * create: nothing (the first sync has run); records what `status --json` says now.
 * update: `sync`, then `status --json` again; still out of sync is an error that names the targets.
 * delete: nothing (the runtime files that hold the targets are removed by their own resources).
 */
import { z } from "zod";
import { runScript } from "../ssh/transport";
import { IN_SYNC_STATES } from "../plan/targets";
import { diffKeys, sessionFor, withoutInternal, type CommonProps, type KindImpl } from "./common";

export interface TargetsProps extends CommonProps {
  /** /bin/sh command that prints the runtime's `status --json` (no secret in it). */
  statusCommand: string;
  /** /bin/sh command that runs the runtime's `sync` as the service account. */
  syncCommand: string;
  /** Input: targets not in sync as the facts saw them ("<target>: <state>"). Output: as the last create/update left them. Desired: none. */
  outOfSync: string[];
}

const IN_SYNC = new Set<string>(IN_SYNC_STATES);

const StatusTargets = z.looseObject({
  targets: z.array(z.looseObject({ target: z.string(), state: z.string() })),
  targetsError: z.string().optional(),
});

/** Pure: the out-of-sync list from `status --json` text. */
export function outOfSyncFromStatus(text: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`status --json printed no JSON (${text.length} bytes)`);
  }
  const r = StatusTargets.safeParse(raw, { reportInput: false });
  if (!r.success) throw new Error("status --json has no targets[] of {target, state}");
  if (r.data.targetsError) return [`targets: cannot inspect (${r.data.targetsError.slice(0, 160)})`];
  return r.data.targets.filter((t) => !IN_SYNC.has(t.state)).map((t) => `${t.target}: ${t.state}`).sort();
}

/**
 * A runtime that cannot report (its config removed by hand, not installed yet) is drift like any
 * other, not a failed audit: the status is replaced by a one-line targetsError.
 */
export function statusScript(statusCommand: string): string {
  return `if out=$(${statusCommand} 2>/dev/null); then printf '%s\\n' "$out"; else printf '{"targets":[],"targetsError":"openclaw-oauth-sync status failed (exit %s)"}\\n' "$?"; fi\n`;
}

async function readLive(p: TargetsProps): Promise<string[]> {
  const s = await sessionFor(p);
  return outOfSyncFromStatus(await runScript(s, statusScript(p.statusCommand), undefined, { asRoot: true, label: "openclaw-oauth-sync status --json" }));
}

const INPUT_KEYS = ["host", "sshPrivateKey", "providerVersion", "statusCommand", "syncCommand", "outOfSync"] as const;

export const targetsProvider: KindImpl<TargetsProps, TargetsProps> = {
  async diff(_id, olds, news) {
    const d = diffKeys<TargetsProps>(olds, news, ["statusCommand", "syncCommand"]);
    // Drift is what the host reports now, not a difference from what was recorded: a target that
    // stays out of sync must show in every audit until an up repairs it.
    return (news.outOfSync ?? []).length > 0 ? { ...d, changes: true } : d;
  },
  async create(inputs) {
    return { id: `${inputs.host.host}:targets`, outs: { ...withoutInternal(inputs), outOfSync: await readLive(inputs) } };
  },
  async read(id, props) {
    const inputs = Object.fromEntries(INPUT_KEYS.filter((k) => props[k] !== undefined).map((k) => [k, props[k]])) as unknown as TargetsProps;
    return { id, props, inputs };
  },
  async update(_id, _olds, news) {
    const s = await sessionFor(news);
    // sync exits non-zero when a target failed; the read below names what is still off.
    await runScript(s, `${news.syncCommand} >/dev/null 2>&1 || true\n`, undefined, { asRoot: true, label: "openclaw-oauth-sync sync", timeoutMs: 300_000 });
    const still = await readLive(news);
    if (still.length > 0) throw new Error(`after sync, targets still not in sync: ${still.join("; ")}; run 'openclaw-oauth-sync sync' and 'doctor' on the host`);
    return { outs: { ...withoutInternal(news), outOfSync: still } };
  },
  async delete() {
    // Nothing of its own on the host.
  },
};
