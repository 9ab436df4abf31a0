/**
 * The stack side of `setup` (effects): read a stack's current config and write the changes with
 * the Automation API (LocalWorkspace, workDir = the project). Plain values go through
 * `config set-all`; a secret goes to `pulumi config set --secret` on stdin, because the
 * Automation API would put it in the CLI's argv (visible in the process list).
 */
import { spawn } from "node:child_process";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { hasPassphrase, openWorkspace, type PulumiSetup } from "../cli/pulumi";
import { PROJECT } from "../../infra/plan/stack-config";
import type { ConfigChange } from "./plan";

export interface StackState {
  exists: boolean;
  /** Full key "project:key" → value (secrets decrypted; never printed). */
  config: Record<string, { value: string; secret?: boolean }>;
}

export async function readStack(projectDir: string, stack: string, p: PulumiSetup): Promise<{ ws: LocalWorkspace; state: StackState }> {
  const ws = await openWorkspace(projectDir, p);
  const names = (await ws.listStacks()).map((s) => s.name);
  const exists = names.includes(stack);
  const config = exists ? await ws.getAllConfig(stack) : {};
  return { ws, state: { exists, config } };
}

function setSecretOnStdin(p: PulumiSetup, projectDir: string, stack: string, key: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(p.command.command, ["config", "set", "--secret", "--stack", stack, "--non-interactive", `${PROJECT}:${key}`], {
      cwd: projectDir,
      env: { ...process.env, ...p.envVars },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGTERM"), 60_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`pulumi config set --secret ${key} failed (exit ${code}): ${err.trim().split("\n").slice(-3).join(" ")}`));
    });
    child.stdin.end(value);
  });
}

/** Creates the stack if needed and writes the added/changed keys. Returns how many were written. */
export async function writeStack(ws: LocalWorkspace, projectDir: string, stack: string, exists: boolean, changes: ConfigChange[], p: PulumiSetup): Promise<number> {
  const todo = changes.filter((c) => c.kind !== "same");
  if (!exists && !hasPassphrase() && /^(file|s3|gs|azblob):\/\//.test(p.backend)) {
    throw new Error(
      "PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) is not set: a new stack on a self-managed backend encrypts its secrets with a passphrase; export it and run setup again (keep it: every later pulumi command needs it)",
    );
  }
  const st = exists ? await Stack.select(stack, ws) : await Stack.create(stack, ws);
  const plain = Object.fromEntries(todo.filter((c) => !c.secret).map((c) => [`${PROJECT}:${c.key}`, { value: c.value, secret: false }]));
  if (Object.keys(plain).length > 0) await st.setAllConfig(plain);
  for (const c of todo.filter((x) => x.secret)) await setSecretOnStdin(p, projectDir, stack, c.key, c.value);
  return todo.length;
}
