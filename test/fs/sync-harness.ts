/**
 * Shared set-up for the sync engine's real-filesystem tests (test/fs/sync*.test.ts): a fresh tmp
 * dir per test, fixture state dirs, a credentials file, a config, and scripted stand-ins for the
 * `openclaw` and `docker` CLIs that record their argv and stdin.
 */
import { chmodSync, cpSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../runtime/src/config/load";
import type { Config } from "../../runtime/src/contract/schema";
import { memoryLogger } from "../../runtime/src/log";
import { runSync } from "../../runtime/src/sync/engine";
import type { SyncReport } from "../../runtime/src/sync/types";
import { fakeCredentialsFile } from "../helpers/tokens";

export const FIXTURES = join(__dirname, "../fixtures/stores");

export interface Sandbox {
  root: string;
  /** OpenClaw state dir. */
  oc: string;
  /** Our own state dir. */
  ours: string;
  credsPath: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  cleanup(): void;
}

/** A tmp dir with an OpenClaw state dir (copied from a fixture, or empty) and a credentials file. */
export function sandbox(fixture?: string, credOpts: Parameters<typeof fakeCredentialsFile>[0] = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), "oos-sync-"));
  const oc = join(root, "openclaw");
  if (fixture) cpSync(join(FIXTURES, fixture), oc, { recursive: true });
  else mkdirSync(oc);
  for (const keep of findAll(oc, ".gitkeep")) rmSync(keep);
  const file = fakeCredentialsFile(credOpts);
  const credsPath = join(root, "credentials.json");
  writeFileSync(credsPath, JSON.stringify(file), { mode: 0o600 });
  const o = file.claudeAiOauth as { accessToken: string; refreshToken: string; expiresAt: number };
  return {
    root,
    oc,
    ours: join(root, "state"),
    credsPath,
    accessToken: o.accessToken,
    refreshToken: o.refreshToken,
    expiresAt: o.expiresAt,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

function findAll(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findAll(p, name));
    else if (e.name === name) out.push(p);
  }
  return out;
}

export function makeConfig(sb: Sandbox, raw: Record<string, unknown>): Config {
  const { openclaw, ...rest } = raw as { openclaw?: Record<string, unknown> };
  return parseConfig(
    { claudeCredentials: sb.credsPath, stateDir: sb.ours, openclaw: { stateDir: sb.oc, ...openclaw }, reload: { action: "none" }, ...rest },
    "test config",
  );
}

export async function sync(config: Config, now = Date.now()): Promise<{ report: SyncReport; lines: string[] }> {
  const log = memoryLogger();
  const report = await runSync(config, { log, now: () => now });
  return { report, lines: log.lines };
}

export function agentFile(sb: Sandbox, agent: string, file: string): string {
  return join(sb.oc, "agents", agent, "agent", file);
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, "utf8"));
}

/**
 * Stand-in for a CLI (`openclaw` or `docker`), for tests only: a shell script that records each
 * call's argv (one per line), stdin and uid under `<dir>/calls/<n>.*`. `docker ps` prints the
 * lines of `<dir>/ps-output`. If `<dir>/fail` exists it echoes its stdin to stderr (to prove
 * that failure messages are scrubbed) and exits 3.
 */
export function standIn(dir: string, name: string): { bin: string; calls: () => Array<{ argv: string[]; stdin: string; uid: string; stateDir: string }>; failNext: (on: boolean) => void } {
  mkdirSync(join(dir, "calls"), { recursive: true });
  const bin = join(dir, name);
  writeFileSync(
    bin,
    `#!/bin/sh
# Stand-in for \`${name}\` in tests: records argv, stdin and uid; never a real ${name}.
d="$(dirname "$0")"
n=$(ls "$d/calls" | grep -c argv)
printf '%s\\n' "$@" > "$d/calls/$n.argv"
cat > "$d/calls/$n.stdin"
id -u > "$d/calls/$n.uid"
printf '%s' "$OPENCLAW_STATE_DIR" > "$d/calls/$n.statedir"
if [ -f "$d/fail" ]; then echo "error: rejected token $(cat "$d/calls/$n.stdin")" >&2; exit 3; fi
if [ "$1" = "ps" ]; then cat "$d/ps-output" 2>/dev/null; fi
exit 0
`,
    { mode: 0o755 },
  );
  chmodSync(dir, 0o755);
  chmodSync(join(dir, "calls"), 0o777);
  return {
    bin,
    calls: () => {
      const names = readdirSync(join(dir, "calls")).filter((n) => n.endsWith(".argv"));
      return names
        .map((n) => Number(n.split(".")[0]))
        .sort((a, b) => a - b)
        .map((i) => ({
          argv: readFileSync(join(dir, "calls", `${i}.argv`), "utf8").split("\n").slice(0, -1),
          stdin: readFileSync(join(dir, "calls", `${i}.stdin`), "utf8"),
          uid: readFileSync(join(dir, "calls", `${i}.uid`), "utf8").trim(),
          stateDir: readFileSync(join(dir, "calls", `${i}.statedir`), "utf8"),
        }));
    },
    failNext: (on) => (on ? writeFileSync(join(dir, "fail"), "") : existsSync(join(dir, "fail")) && rmSync(join(dir, "fail"))),
  };
}
