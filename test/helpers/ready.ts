/** Waiting for a helper process (the loopback fake of Anthropic) to say it is listening. */
import type { ChildProcess } from "node:child_process";

/**
 * Resolves when the child prints "ready" on stdout; rejects when it exits first or stays silent
 * for `timeoutMs`, quoting the tail of its log (`logTail`).
 */
export function waitForReady(child: ChildProcess, timeoutMs: number, logTail: () => string): Promise<void> {
  return new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`the fake did not say ready within ${Math.round(timeoutMs / 1000)} s: ${logTail().slice(-500)}`)), timeoutMs);
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("ready")) {
        clearTimeout(t);
        res();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(t);
      rej(new Error(`the fake exited (${code}) before it was ready: ${logTail().slice(-500)}`));
    });
  });
}
