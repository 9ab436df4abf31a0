/** Pure: which mount of /proc/self/mountinfo holds a path, and whether it is read-only. */
import type { MountFacts } from "./types";

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export interface MountEntry extends MountFacts {}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(" ");
    const post = line.slice(sep + 3).split(" ");
    const mountPoint = pre[4];
    const opts = pre[5];
    if (!mountPoint || !opts) continue;
    const superOpts = post[2] ?? "";
    const ro = opts.split(",").includes("ro") || superOpts.split(",").includes("ro");
    out.push({ mountPoint: unescape(mountPoint), fsType: post[0] ?? "", readOnly: ro });
  }
  return out;
}

function contains(mountPoint: string, path: string): boolean {
  if (mountPoint === "/") return path.startsWith("/");
  return path === mountPoint || path.startsWith(mountPoint + "/");
}

/** The mount that holds `path` (absolute, symlinks resolved): the last longest match wins (stacked mounts). */
export function mountFor(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of entries) {
    if (!contains(e.mountPoint, path)) continue;
    if (!best || e.mountPoint.length >= best.mountPoint.length) best = e;
  }
  return best;
}
