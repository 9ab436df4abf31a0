/**
 * Calls the deployed runtime's edit subcommands on the host (`edit-env`, `edit-json`, each with
 * `--get`): the JSON request travels on stdin (never argv), the JSON answer comes back on stdout.
 * The edit logic itself is the runtime's pure, unit-tested code, so the host is edited by exactly
 * the code the tests cover.
 */
import { runScript } from "../ssh/transport";
import { sessionFor, shq, type CommonProps } from "./common";

/** Where the runtime is on the host. */
export interface RuntimeRef {
  /** Node ≥ 18 on the host, e.g. /usr/bin/node. */
  node: string;
  /** The bundled runtime, e.g. /usr/local/lib/openclaw-oauth-sync/openclaw-oauth-sync.cjs. */
  bundle: string;
}

export interface RuntimeProps extends CommonProps {
  runtime: RuntimeRef;
}

export function validateRuntime(r: RuntimeRef | undefined, what: string): asserts r is RuntimeRef {
  if (!r || typeof r.node !== "string" || typeof r.bundle !== "string" || !r.node.startsWith("/") || !r.bundle.startsWith("/")) {
    throw new Error(`${what}: runtime must be { node: "/abs/path/node", bundle: "/abs/path/openclaw-oauth-sync.cjs" }, got ${JSON.stringify(r)}`);
  }
}

/** The last stdout line that is a JSON object (log lines may precede it). Pure. */
export function lastJsonLine(out: string, what: string): Record<string, unknown> {
  const lines = out.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("{"));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const v = JSON.parse(lines[i]!) as unknown;
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // not JSON: keep looking
    }
  }
  throw new Error(`${what}: the runtime printed no JSON answer (is the runtime on the host older than this program? re-run pulumi up)`);
}

/**
 * Runs `<node> <bundle> <args…>` as root with `input` on stdin, returns its JSON answer.
 * `prelude` may compute shell variables first (e.g. uid/gid), substituted into the input by `filter`.
 */
export async function callRuntime(
  p: RuntimeProps,
  args: string[],
  input: unknown,
  label: string,
  opts: { prelude?: string; filter?: string } = {},
): Promise<Record<string, unknown>> {
  const s = await sessionFor(p);
  const cmd = [p.runtime.node, p.runtime.bundle, ...args].map(shq).join(" ");
  const script = ["set -eu", opts.prelude ?? "", `printf '%s\\n' "$OCS_INPUT"${opts.filter ? ` | ${opts.filter}` : ""} | ${cmd}`].filter(Boolean).join("\n");
  return lastJsonLine(await runScript(s, script, input, { asRoot: true, label }), label);
}

/**
 * Shell that resolves user/group names to numeric ids on the host and a sed filter that puts them
 * in place of the quoted placeholders "__OCS_UID__"/"__OCS_GID__" in the JSON input. A JSON string
 * value can never contain those placeholders with unescaped quotes, so data cannot collide.
 */
export function ownerPrelude(owner: string, group: string): { prelude: string; filter: string } {
  return {
    prelude: [
      `uid=$(id -u -- ${shq(owner)}) || { echo "no such user: ${owner.replace(/[^A-Za-z0-9_.-]/g, "?")}" >&2; exit 67; }`,
      `gid=$(getent group -- ${shq(group)} | cut -d: -f3)`,
      `case "$uid:$gid" in *[!0-9:]*|*: ) echo "no such group: ${group.replace(/[^A-Za-z0-9_.-]/g, "?")}" >&2; exit 67;; esac`,
    ].join("\n"),
    filter: `sed -e "s/\\"__OCS_UID__\\"/$uid/" -e "s/\\"__OCS_GID__\\"/$gid/"`,
  };
}
