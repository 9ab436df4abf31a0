/**
 * What `setup` and `fleet` share about driving Pulumi through the Automation API: where the
 * project is, which `pulumi` binary runs (the Automation API needs the CLI: facts/pulumi.md §6.2),
 * which backend applies, and the workspace itself.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";

/** The project root (the directory holding Pulumi.yaml). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Where scripts/ensure-pulumi-cli.sh builds the CLI on air-gapped machines. */
export function cachedCliRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.OCS_CACHE || "/var/cache/openclaw-oauth-sync", "pulumi-v3.259.0");
}

function onPath(bin: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(":")) {
    if (dir && existsSync(path.join(dir, bin))) return path.join(dir, bin);
  }
  return undefined;
}

export interface PulumiSetup {
  command: PulumiCommand;
  /** Environment for every pulumi process of the workspace (the CLI's dir first on PATH). */
  envVars: Record<string, string>;
  /** Human description of the backend, e.g. "file://~ (Pulumi.yaml)". */
  backend: string;
}

/**
 * Finds the CLI: `pulumi` on PATH, else the air-gapped build in the cache. The CLI's own
 * directory is put first on PATH so that its language host and dynamic-provider shim are the ones
 * that run.
 */
export async function preparePulumi(projectDir: string, env: NodeJS.ProcessEnv = process.env): Promise<PulumiSetup> {
  const fromPath = onPath("pulumi", env);
  const cacheBin = path.join(cachedCliRoot(env), "bin", "pulumi");
  const bin = fromPath ?? (existsSync(cacheBin) ? cacheBin : undefined);
  if (!bin) {
    throw new Error(
      `the Pulumi CLI was not found on PATH nor in ${path.dirname(cacheBin)}: install it (https://www.pulumi.com/docs/install/), or on an air-gapped machine run: BIN=$(scripts/ensure-pulumi-cli.sh | tail -n1); export PATH="$BIN:$PATH"`,
    );
  }
  const root = path.dirname(path.dirname(bin));
  // PulumiCommand.get looks for <root>/bin/pulumi; a CLI built for this project (v3.259.0) may be
  // older than the SDK's minimum, which the version check would refuse for no reason.
  const command = await PulumiCommand.get({ root, skipVersionCheck: true });
  const envVars: Record<string, string> = {
    PATH: `${path.dirname(bin)}:${env.PATH ?? "/usr/bin:/bin"}`,
    PULUMI_SKIP_UPDATE_CHECK: env.PULUMI_SKIP_UPDATE_CHECK ?? "true",
    // Pulumi's ts-node type-checks the whole program on every run (tens of seconds of CPU each,
    // per host, in parallel); the project is type-checked by `npm run lint` instead. Set it to
    // "false" to get the checking back.
    PULUMI_NODEJS_TRANSPILE_ONLY: env.PULUMI_NODEJS_TRANSPILE_ONLY ?? "true",
  };
  return { command, envVars, backend: describeBackend(projectDir, env) };
}

/** PULUMI_BACKEND_URL wins over Pulumi.yaml's backend.url (the CLI's own precedence). */
export function describeBackend(projectDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.PULUMI_BACKEND_URL) return `${env.PULUMI_BACKEND_URL} (PULUMI_BACKEND_URL)`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const text = require("node:fs").readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8") as string;
    const m = /^backend:\s*\n\s+url:\s*(\S+)/m.exec(text);
    if (m) return `${m[1]} (Pulumi.yaml)`;
  } catch {
    // no project file: reported by pulumi itself
  }
  return "the logged-in backend (pulumi login)";
}

/** Whether secrets of a passphrase-protected stack can be read or written without a prompt. */
export function hasPassphrase(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PULUMI_CONFIG_PASSPHRASE !== undefined || Boolean(env.PULUMI_CONFIG_PASSPHRASE_FILE);
}

export async function openWorkspace(projectDir: string, p: PulumiSetup): Promise<LocalWorkspace> {
  if (!existsSync(path.join(projectDir, "Pulumi.yaml"))) {
    throw new Error(`${projectDir}: no Pulumi.yaml here; run from the openclaw-oauth-sync checkout or pass --project-dir`);
  }
  return LocalWorkspace.create({ workDir: projectDir, pulumiCommand: p.command, envVars: p.envVars });
}

/** Stack names the CLI accepts (we also use them as directory names for logs). */
export const STACK_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
