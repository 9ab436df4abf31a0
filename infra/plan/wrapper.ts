/** The `openclaw-oauth-sync` command on the host's PATH: runs the bundle with our config. Pure. */
import { shq } from "../shell";
import { sha256 } from "./hash";
import type { HostSettings } from "./settings";

export function planWrapper(s: HostSettings): { path: string; content: string; sha256: string } {
  const content = [
    "#!/bin/sh",
    '# Managed by openclaw-oauth-sync (Pulumi). Local changes are overwritten by "pulumi up".',
    "# A later --config on the command line wins over this one.",
    `exec ${shq(s.nodePath)} ${shq(s.paths.bundle)} --config ${shq(s.paths.configFile)} "$@"`,
    "",
  ].join("\n");
  return { path: s.paths.bin, content, sha256: sha256(content) };
}
