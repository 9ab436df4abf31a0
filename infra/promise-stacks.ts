/**
 * Pulumi's SDK records a stack trace for every promise it tracks (runtime/debuggable.js,
 * `debuggablePromise`: `new Error().stack`, read at once), only to print it if the program ends
 * with a promise unsettled. Its runner registers source-map-support, so every such trace maps each
 * frame through source maps: measured at about 1 CPU-s of the program's ~4 for a 20-host preview,
 * a quarter of its work. This keeps those traces unmapped and short (V8's plain "at …" lines, the
 * innermost frames: enough to find the leaking call) and leaves every other stack, ours and
 * Pulumi's errors, mapped as before.
 */

type Prepare = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** Function name of the SDK frame whose traces are only kept for leak reports. */
export const PULUMI_PROMISE_TRACKER = "debuggablePromise";
/** Frames kept in such a trace (formatting each one costs, too). */
export const TRACKER_FRAMES = 6;

/** Wraps `Error.prepareStackTrace` once; a no-op when nothing maps stacks. Returns whether it wrapped. */
export function cheapenPromiseTrackerStacks(): boolean {
  const mapped = Error.prepareStackTrace as Prepare | undefined;
  if (typeof mapped !== "function" || (mapped as { ocsCheap?: boolean }).ocsCheap) return false;
  const prepare: Prepare = (error, frames) =>
    frames[0]?.getFunctionName() === PULUMI_PROMISE_TRACKER ? `${String(error)}\n${frames.slice(0, TRACKER_FRAMES).map((f) => `    at ${String(f)}`).join("\n")}` : mapped(error, frames);
  (prepare as { ocsCheap?: boolean }).ocsCheap = true;
  Error.prepareStackTrace = prepare as typeof Error.prepareStackTrace;
  return true;
}
