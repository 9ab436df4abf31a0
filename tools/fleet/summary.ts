/**
 * Pure parts of `fleet`: what one host's run means (result word, changes, token time left,
 * alerts), the summary table, the exit code, and the progress lines. Unit-tested; no Pulumi here.
 */

export type FleetOp = "preview" | "up" | "destroy" | "status";

/** Counts by step kind, as the Automation API reports them (changeSummary / resourceChanges). */
export type OpCounts = Partial<Record<string, number>>;

/** The stack outputs fleet reads (infra/program.ts ProgramOutputs), all optional. */
export interface HostOutputs {
  host?: string | undefined;
  tokenExpiresAt?: string | undefined;
  /** The Claude login's deadline (ISO), or "unknown" when the credentials file records none. */
  loginExpiresAt?: string | undefined;
  tokenState?: string | undefined;
  watchActive?: string | undefined;
  timerActive?: string | undefined;
}

export interface HostRun {
  stack: string;
  op: FleetOp;
  ok: boolean;
  /** Step counts (preview/up/destroy). */
  changes?: OpCounts | undefined;
  outputs?: HostOutputs | undefined;
  /** The first line that says why it failed. */
  error?: string | undefined;
  durationMs: number;
  logFile?: string | undefined;
}

export type ResultWord = "ok" | "no changes" | "changed" | "drift" | "destroyed" | "failed";

/** Steps that change nothing: the read-back of refresh: always, and unchanged resources. */
const NO_CHANGE = new Set(["same", "read", "refresh"]);

/** Whether a preview found something to do (expectNoChanges semantics). */
export function hasChanges(c: OpCounts | undefined): boolean {
  return Object.entries(c ?? {}).some(([k, n]) => !NO_CHANGE.has(k) && (n ?? 0) > 0);
}

export function resultWord(r: HostRun): ResultWord {
  if (!r.ok) return "failed";
  switch (r.op) {
    case "preview":
      return hasChanges(r.changes) ? "drift" : "no changes";
    case "up":
      return hasChanges(r.changes) ? "changed" : "no changes";
    case "destroy":
      return "destroyed";
    case "status":
      return "ok";
  }
}

const WORDS: Record<string, string> = {
  create: "created",
  update: "updated",
  delete: "deleted",
  replace: "replaced",
  "create-replacement": "created (repl.)",
  "delete-replaced": "deleted (repl.)",
  import: "imported",
};

/** "2 updated, 1 created" (preview: "to update" wording is implied by the op column). */
export function formatChanges(c: OpCounts | undefined): string {
  if (!c) return "-";
  const parts = Object.entries(c)
    .filter(([k, n]) => !NO_CHANGE.has(k) && (n ?? 0) > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${n} ${WORDS[k] ?? k}`);
  if (parts.length === 0) return c.same !== undefined ? `${c.same} unchanged` : "none";
  return parts.join(", ");
}

/** Time left until an expiry (access token, login): "7h 12m", "43m", "3d 4h", "expired 5m ago", "-" when unknown. */
export function tokenLeft(expiresAt: string | undefined, now: number): string {
  if (!expiresAt) return "-";
  const t = Date.parse(expiresAt);
  if (Number.isNaN(t)) return "-";
  const ms = t - now;
  const span = (x: number) => {
    const m = Math.floor(Math.abs(x) / 60_000);
    if (m >= 48 * 60) return `${Math.floor(m / 1440)}d ${Math.floor((m % 1440) / 60)}h`;
    return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
  };
  return ms >= 0 ? span(ms) : `expired ${span(ms)} ago`;
}

/** What needs a human: a failure, a token that is not ok, a unit that is not running. */
export function alerts(r: HostRun, now: number): string[] {
  const out: string[] = [];
  if (!r.ok && r.error) out.push(r.error);
  const o = r.outputs;
  if (o && r.op !== "destroy") {
    if (o.tokenState && o.tokenState !== "ok") out.push(`token ${o.tokenState}`);
    else if (o.tokenExpiresAt && Date.parse(o.tokenExpiresAt) <= now) out.push("token expired");
    if (o.watchActive && o.watchActive !== "active") out.push(`watcher ${o.watchActive}`);
    if (o.timerActive && o.timerActive !== "active") out.push(`timer ${o.timerActive}`);
  }
  return out;
}

/** Exit code: 1 when any host failed, or (preview) would change; else 0. */
export function fleetExitCode(runs: readonly HostRun[]): 0 | 1 {
  for (const r of runs) {
    const w = resultWord(r);
    if (w === "failed") return 1;
    if (r.op === "preview" && w === "drift") return 1;
  }
  return 0;
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** The summary table, one row per host, in stack order; plain text, aligned. */
export function renderTable(runs: readonly HostRun[], now: number, opts: { alertWidth?: number } = {}): string {
  const head = ["stack", "host", "result", "changes", "token left", "login left", "time", "alerts"];
  const rows = runs.map((r) => [
    r.stack,
    r.outputs?.host ?? "-",
    resultWord(r),
    r.op === "status" ? "-" : formatChanges(r.changes),
    tokenLeft(r.outputs?.tokenExpiresAt, now),
    tokenLeft(r.outputs?.loginExpiresAt, now),
    `${(r.durationMs / 1000).toFixed(1)}s`,
    clip(alerts(r, now).join("; ") || "-", opts.alertWidth ?? 100),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The closing line under the table. */
export function renderTotals(runs: readonly HostRun[], op: FleetOp, wallMs: number): string {
  const by = new Map<string, number>();
  for (const r of runs) by.set(resultWord(r), (by.get(resultWord(r)) ?? 0) + 1);
  const parts = [...by.entries()].map(([w, n]) => `${n} ${w}`).join(", ");
  return `fleet ${op}: ${runs.length} host${runs.length === 1 ? "" : "s"} in ${(wallMs / 1000).toFixed(1)}s — ${parts || "nothing to do"}`;
}

/** Picks the fields fleet uses out of a stack's outputs ({key: {value}} as the Automation API gives them). */
export function pickOutputs(out: Record<string, { value: unknown }> | undefined): HostOutputs | undefined {
  if (!out || Object.keys(out).length === 0) return undefined;
  const v = (k: string) => out[k]?.value;
  const str = (x: unknown) => (typeof x === "string" && x !== "" ? x : undefined);
  const units = v("units") as { watch?: { active?: unknown }; timer?: { active?: unknown } } | undefined;
  return {
    host: str(v("host")),
    tokenExpiresAt: str(v("tokenExpiresAt")),
    loginExpiresAt: str(v("loginExpiresAt")),
    tokenState: str(v("tokenState")),
    watchActive: str(units?.watch?.active),
    timerActive: str(units?.timer?.active),
  };
}

/**
 * The error line worth showing from a failed run: the first error diagnostic that is not one of
 * the CLI's generic closing lines.
 */
export function firstError(diagnostics: readonly string[], fallback: string): string {
  const generic = /^(update|preview|destroy|refresh) failed$|^an unhandled error occurred|^one or more errors occurred/i;
  for (const d of diagnostics) {
    const lines = d
      .split("\n")
      .map((l) => l.replace(/^\s*error:\s*/i, "").trim())
      .filter((l) => l !== "" && !generic.test(l) && !/^Running program .* failed with an unhandled exception:?$/.test(l));
    if (lines.length > 0) return lines.join(" ").slice(0, 500);
  }
  const fb = fallback
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /error/i.test(l) && !generic.test(l.replace(/^error:\s*/i, "")))
    .map((l) => l.replace(/^\s*error:\s*/i, ""));
  return (fb[0] ?? fallback.trim().split("\n").pop() ?? "failed").slice(0, 500);
}

/** One progress line: `[  12.3s] gw1        ~ update   RemoteFile gw1-runtime-config (5 steps)`. */
export function progressLine(elapsedMs: number, stack: string, text: string, width = 12): string {
  return `[${(elapsedMs / 1000).toFixed(1).padStart(6)}s] ${stack.padEnd(width)} ${text}`;
}

const OP_MARK: Record<string, string> = { create: "+", update: "~", delete: "-", replace: "+-", "create-replacement": "++", "delete-replaced": "--" };

/** The text of a resource step for the progress line, or undefined for steps not worth a line. */
export function stepText(op: string, type: string, urn: string, count: number): string | undefined {
  // Providers and the stack itself are bookkeeping, not changes on the host.
  if (NO_CHANGE.has(op) || type.startsWith("pulumi:providers:") || type === "pulumi:pulumi:Stack") return undefined;
  const name = urn.split("::").pop() ?? urn;
  const kind = type.split(":").pop() ?? type;
  return `${OP_MARK[op] ?? "*"} ${op.padEnd(8)} ${kind} ${name} (${count} step${count === 1 ? "" : "s"})`;
}

/**
 * Which host of a many-host stack a resource belongs to: its name starts with "<host>-" (ManagedHost
 * names its children so); the longest such host name wins ("gw1-b-…" is gw1-b's, not gw1's).
 */
export function hostOfResource(resourceName: string, hostNames: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const h of hostNames) {
    if ((resourceName === h || resourceName.startsWith(`${h}-`)) && (best === undefined || h.length > best.length)) best = h;
  }
  return best;
}

/** "3 of 20 hosts failed (gw3, gw7, gw9); …": the program's closing error in a many-host stack. */
const FAILED_HOSTS_RE = /(\d+) of (\d+) hosts failed \(([^)]*)\)/;
/** The same line, for failures fleet finds itself (status --live). */
export const FAILED_HOSTS_LINE = (names: readonly string[], of: number) => `${names.length} of ${of} hosts failed (${names.join(", ")})`;

/**
 * One row per host for a stack of many hosts (its outputs have `hosts`, or the program reported
 * failed hosts); the stack's own row otherwise. A host is failed when the program named it
 * (its first error line is the host's diagnostic "<name>: …"); the others have their own changes
 * (counted from the engine's events) and outputs. Pure.
 */
export function expandHosts(
  run: HostRun,
  seen: { hostNames: readonly string[]; perHost: ReadonlyMap<string, OpCounts>; diagnostics: readonly string[]; outputs: Record<string, { value: unknown }> | undefined },
): HostRun[] {
  const hostsOut = seen.outputs?.hosts?.value as Record<string, Record<string, unknown>> | undefined;
  const failedMatch = seen.diagnostics.map((d) => FAILED_HOSTS_RE.exec(d)).find((m) => m !== null);
  const failed = failedMatch ? failedMatch[3]!.split(",").map((s) => s.trim()).filter((s) => s !== "") : [];
  // A one-host stack (its ManagedHost is named after the stack), or a stack that failed as a whole.
  if (!hostsOut && failed.length === 0) return [run];
  const names = [...new Set([...seen.hostNames, ...Object.keys(hostsOut ?? {}), ...failed])].sort();
  return names.map((name): HostRun => {
    const sub = { stack: `${run.stack}/${name}`, op: run.op, durationMs: run.durationMs, logFile: run.logFile };
    if (failed.includes(name)) {
      const own = seen.diagnostics.map((d) => d.trim()).find((d) => d.startsWith(`${name}: `));
      const errLine = own ? firstError([own.slice(name.length + 2)], own) : "failed";
      return { ...sub, ok: false, error: errLine, outputs: { host: typeof hostsOut?.[name]?.host === "string" ? (hostsOut[name]!.host as string) : undefined } };
    }
    const o = hostsOut?.[name];
    const wrapped = o ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { value: v }])) : undefined;
    return {
      ...sub,
      ok: run.ok || failed.length > 0,
      changes: run.op === "status" ? undefined : { ...(seen.perHost.get(name) ?? {}) },
      outputs: pickOutputs(wrapped),
    };
  });
}
