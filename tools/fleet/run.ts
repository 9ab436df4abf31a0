/**
 * The effects of `fleet`: one Pulumi operation per stack through the Automation API, a bounded
 * number at a time, each with its own log file, progress reported through `onLine`.
 * A failure of one host never stops the others: it becomes that host's row in the table.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Stack, type EngineEvent, type LocalWorkspace } from "@pulumi/pulumi/automation";
import type { LiveAnswer } from "./live";
import { expandHosts, FAILED_HOSTS_LINE, firstError, hostOfResource, pickOutputs, stepText, type FleetOp, type HostRun, type OpCounts } from "./summary";

/** Runs `fn` over `items`, at most `limit` at once; results keep the input order. */
export async function runBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

/** `.fleet-logs/<stack>/<timestamp>-<op>.log` (timestamp without ":" so it is a safe file name). */
export function logPath(logDir: string, stack: string, op: FleetOp, at: Date): string {
  return path.join(logDir, stack, `${at.toISOString().replace(/:/g, "-")}-${op}.log`);
}

export interface RunContext {
  ws: LocalWorkspace;
  logDir: string;
  /** One progress line (already formatted by the caller with time and stack). */
  onLine: (stack: string, text: string) => void;
  /** Extra work for status --live: what the host(s) answer now, merged over the recorded outputs; throws for a one-host stack's failure. */
  live?: ((stack: Stack) => Promise<LiveAnswer>) | undefined;
}

/** Runs `op` on one stack; never throws (a failure is the HostRun's error). */
export async function runOne(stackName: string, op: FleetOp, ctx: RunContext): Promise<HostRun[]> {
  const t0 = Date.now();
  const file = logPath(ctx.logDir, stackName, op, new Date(t0));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const log = fs.createWriteStream(file, { flags: "w", mode: 0o600 });
  const write = (s: string) => log.write(s.endsWith("\n") ? s : `${s}\n`);
  write(`# fleet ${op} ${stackName} started ${new Date(t0).toISOString()}`);
  const diagnostics: string[] = [];
  const seen = new Set<string>();
  let steps = 0;
  // A stack of many hosts: the ManagedHost components seen, and each host's steps by kind.
  const hostNames: string[] = [];
  const perHost = new Map<string, Record<string, number>>();
  const onEvent = (e: EngineEvent) => {
    const meta = e.resOutputsEvent?.metadata ?? e.resourcePreEvent?.metadata;
    if (meta) {
      const key = `${meta.op}:${meta.urn}`;
      if (!seen.has(key) && !(e.resourcePreEvent && op === "up")) {
        seen.add(key);
        steps++;
        const resName = meta.urn.split("::").pop() ?? "";
        if (meta.type === "openclaw-oauth-sync:host:ManagedHost" && !hostNames.includes(resName)) hostNames.push(resName);
        const owner = hostOfResource(resName, hostNames);
        if (owner !== undefined) {
          const c = perHost.get(owner) ?? {};
          c[meta.op] = (c[meta.op] ?? 0) + 1;
          perHost.set(owner, c);
        }
        const text = stepText(meta.op, meta.type, meta.urn, steps);
        if (text) ctx.onLine(stackName, text);
      }
    }
    if (e.resOpFailedEvent) ctx.onLine(stackName, `✖ step failed (${e.resOpFailedEvent.metadata.op} ${e.resOpFailedEvent.metadata.urn.split("::").pop()})`);
    if (e.diagnosticEvent && e.diagnosticEvent.severity === "error") diagnostics.push(e.diagnosticEvent.message);
  };
  ctx.onLine(stackName, `started ${op}`);
  const base = { stack: stackName, op, logFile: file };
  let run: HostRun;
  let lastOutputs: Record<string, { value: unknown }> | undefined;
  let selected: Stack | undefined;
  try {
    const stack = await Stack.select(stackName, ctx.ws);
    selected = stack;
    // Resource operations at once: the engine's default (4 per core) would queue the many hosts of
    // one stack behind each other; every host still has at most MAX_CONCURRENT_SESSIONS sessions.
    const common = { onOutput: write, onEvent, color: "never" as const, parallel: ENGINE_PARALLEL };
    let changes: OpCounts | undefined;
    let outputs: HostRun["outputs"];
    if (op === "preview") {
      const r = await stack.preview({ ...common, diff: true });
      changes = r.changeSummary;
      lastOutputs = await stack.outputs();
      outputs = pickOutputs(lastOutputs);
    } else if (op === "up") {
      const r = await stack.up({ ...common, diff: true });
      changes = r.summary.resourceChanges;
      lastOutputs = r.outputs;
      outputs = pickOutputs(r.outputs);
    } else if (op === "destroy") {
      const r = await stack.destroy({ onOutput: write, onEvent, color: "never", parallel: ENGINE_PARALLEL });
      changes = r.summary.resourceChanges;
    } else {
      lastOutputs = await stack.outputs();
      outputs = pickOutputs(lastOutputs);
      if (ctx.live) {
        const live = await ctx.live(stack);
        if ("outputs" in live) outputs = { ...outputs, ...live.outputs };
        else ({ outputs: lastOutputs } = mergeLiveHosts(lastOutputs, live.hosts, diagnostics));
      }
      write(JSON.stringify({ outputs: lastOutputs?.hosts ? lastOutputs : outputs }, null, 2));
    }
    run = { ...base, ok: true, changes, outputs, durationMs: Date.now() - t0 };
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    // A stack of many hosts with some failed still recorded the others' outputs.
    if (op === "up" && selected) lastOutputs = await selected.outputs().catch(() => undefined);
    write(`\n# error\n${msg}`);
    run = { ...base, ok: false, error: firstError(diagnostics, msg), durationMs: Date.now() - t0 };
  }
  write(`# done ${new Date().toISOString()}: ${JSON.stringify({ ok: run.ok, changes: run.changes, error: run.error, durationMs: run.durationMs })}`);
  await new Promise<void>((r) => log.end(r));
  ctx.onLine(stackName, run.ok ? `done in ${(run.durationMs / 1000).toFixed(1)}s (${steps} steps)` : `FAILED in ${(run.durationMs / 1000).toFixed(1)}s: ${run.error} (log: ${path.relative(process.cwd(), file) || file})`);
  // A stack of many hosts becomes one row per host.
  return expandHosts(run, { hostNames, perHost, diagnostics, outputs: lastOutputs });
}

/**
 * Pure: a stack of many hosts' recorded outputs with each host's live answer laid over its own
 * entry; a host that could not answer is reported the way the program reports a failed host (its
 * own "<name>: …" line and the closing count), so it gets a failed row of its own.
 */
export function mergeLiveHosts(
  recorded: Record<string, { value: unknown }> | undefined,
  live: Extract<LiveAnswer, { hosts: unknown }>["hosts"],
  diagnostics: string[],
): { outputs: Record<string, { value: unknown }> } {
  const hosts = { ...((recorded?.hosts?.value as Record<string, Record<string, unknown>> | undefined) ?? {}) };
  const failed: string[] = [];
  for (const [name, a] of Object.entries(live)) {
    if ("error" in a) {
      failed.push(name);
      diagnostics.push(`${name}: ${a.error}`);
    } else hosts[name] = { ...(hosts[name] ?? {}), ...a.outputs };
  }
  if (failed.length > 0) diagnostics.push(FAILED_HOSTS_LINE(failed, Object.keys(live).length));
  return { outputs: { ...(recorded ?? {}), hosts: { value: hosts } } };
}

/** `parallel` for the engine (resource operations at once) in fleet's operations. */
export const ENGINE_PARALLEL = 64;
