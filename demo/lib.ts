/**
 * Small helpers of the demo: numbered steps with elapsed seconds, child processes that stream
 * their output (indented) and are bounded in time, and a clear failure. Nothing here knows about
 * OpenClaw or Pulumi.
 */
import { spawn } from "node:child_process";

const t0 = Date.now();
const active = new Set<number>();

export function elapsed(): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)}s`;
}

export class DemoError extends Error {}

let stepNo = 0;
let stepTotal = 0;

export function setTotalSteps(n: number): void {
  stepTotal = n;
}

/** `[ 3/12 +41.2s] Booting a throwaway host` */
export function step(title: string): void {
  stepNo++;
  console.log(`\n[${String(stepNo).padStart(2)}/${stepTotal} +${elapsed()}] ${title}`);
}

export function say(text: string): void {
  for (const line of text.split("\n")) console.log(`    ${line}`);
}

export interface RunOptions {
  /** What this is, for the failure message. */
  what: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string;
  /** Print the child's output, indented, while it runs (default true). */
  stream?: boolean;
  /** Lines of stdout/stderr not to print (still captured). */
  quiet?: (line: string) => boolean;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
}

/**
 * Runs argv in its own process group. On timeout the group gets SIGTERM, then SIGKILL; so does
 * it when the demo is interrupted.
 */
export function run(argv: readonly string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: o.env ?? process.env, cwd: o.cwd, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    if (child.pid) active.add(child.pid);
    let stdout = "";
    let stderr = "";
    let output = "";
    let timedOut = false;
    const partial = { out: "", err: "" };
    const feed = (which: "out" | "err", d: Buffer) => {
      const s = d.toString();
      if (which === "out") stdout += s;
      else stderr += s;
      output += s;
      if (o.stream === false) return;
      const lines = (partial[which] + s).split("\n");
      partial[which] = lines.pop() ?? "";
      for (const l of lines) if (!o.quiet?.(l)) console.log(`    │ ${l}`);
    };
    child.stdout.on("data", (d: Buffer) => feed("out", d));
    child.stderr.on("data", (d: Buffer) => feed("err", d));
    child.stdin.on("error", () => undefined);
    child.stdin.end(o.stdin ?? "");
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill("SIGTERM");
      setTimeout(() => kill("SIGKILL"), 5000).unref();
    }, o.timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      if (child.pid) active.delete(child.pid);
      reject(new DemoError(`${o.what}: cannot start ${argv[0]}: ${e.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (child.pid) active.delete(child.pid);
      for (const w of ["out", "err"] as const) if (partial[w] && o.stream !== false && !o.quiet?.(partial[w])) console.log(`    │ ${partial[w]}`);
      if (timedOut) reject(new DemoError(`${o.what}: did not finish within ${Math.round(o.timeoutMs / 1000)} s and was stopped`));
      else resolve({ code, stdout, stderr, output });
    });
  });
}

/** run(), and a DemoError naming the command and its last output lines unless it exits 0. */
export async function ok(argv: readonly string[], o: RunOptions): Promise<RunResult> {
  const r = await run(argv, o);
  if (r.code !== 0) {
    const tail = r.output.trim().split("\n").slice(-15).join("\n      ");
    throw new DemoError(`${o.what} failed (exit ${r.code})${o.stream === false && tail ? `; its last lines:\n      ${tail}` : ""}`);
  }
  return r;
}

/** Stops every child still running (their process groups); for SIGINT/SIGTERM of the demo. */
export function stopChildren(): void {
  for (const pid of active) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
}
