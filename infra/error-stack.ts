/**
 * Makes an error safe for `util.inspect(err, { colors: true })`, which Pulumi's program runner
 * calls on EVERY uncaught program error (RunErrors included, for a tracing span event).
 *
 * Why: Node's colouring of stack frames (`markNodeModules`, Node 20.20 / 22) loops without end on
 * a frame whose path has `node_modules/<name>` (or `node_modules/@scope/<name>`) with no further
 * path separator after it — it keeps appending to a string until V8 throws "Invalid string
 * length", after one to several minutes of CPU. @pulumi/pulumi's own source maps produce exactly
 * such frames (`…/node_modules/@pulumi/resource.ts:1598:22`), so every failing preview (host
 * without Node, unreachable host, wrong host key) hung for minutes after printing nothing.
 * Pure; applied once at the program's entry (infra/main.ts).
 */

const FRAME = /^\s+at /;

/** True if Node's stack-frame colouring would never terminate on this line. */
export function frameHangsInspect(line: string): boolean {
  let from = 0;
  for (;;) {
    const pos = line.indexOf("node_modules", from);
    if (pos === -1) return false;
    const sep = line[pos - 1];
    const after = line[pos + 12];
    if ((sep === "/" || sep === "\\") && (after === "/" || after === "\\")) {
      const start = pos + 13;
      let end = line.indexOf(sep, start);
      if (end !== -1 && line[start] === "@") end = line.indexOf(sep, end + 1);
      if (end === -1) return true;
      from = end;
    } else {
      from = pos + 1;
    }
  }
}

/** The stack without the frames that would hang `util.inspect` (the message part is kept). */
export function inspectSafeStack(stack: string): string {
  const lines = stack.split("\n");
  const kept = lines.filter((l) => !(FRAME.test(l) && frameHangsInspect(l)));
  return kept.length === lines.length ? stack : kept.join("\n");
}

/** Rewrites `e.stack` in place (and of its `cause` chain) when needed; returns `e`. */
export function makeInspectSafe<T>(e: T): T {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur instanceof Error && !seen.has(cur)) {
    seen.add(cur);
    const stack = cur.stack;
    if (typeof stack === "string") {
      const safe = inspectSafeStack(stack);
      if (safe !== stack) cur.stack = safe;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return e;
}
