/**
 * Runs a snippet in a fresh Node process (tsx loaded, from the repo root): its own module state,
 * so its own SSH session cache and command channels. Bounded: killed by PID after `timeoutMs`,
 * and then reported, not thrown, so the caller's assertion says what it waited for.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const REPO = join(__dirname, "..", "..");

export interface NodeChildResult {
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  out: string;
  ms: number;
  timedOut: boolean;
}

export function runNodeChild(code: string, env: Record<string, string>, timeoutMs = 20_000): Promise<NodeChildResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e", code], { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    // 'close': the process exited AND every pipe it (or a descendant) held is closed.
    child.on("close", (c) => {
      clearTimeout(timer);
      resolve({ code: c, out, ms: Date.now() - t0, timedOut });
    });
  });
}
