/**
 * The setup probe: a read-only remote script that finds what `setup` must choose between before
 * the program's own facts script (infra/facts/script.ts) can be asked about one account and one
 * state dir: which accounts have an OpenClaw state dir or a Claude login, where the Claude and
 * OpenClaw CLIs are (on the host, or in an OpenClaw container), and the container's mounts.
 * Pure: builds the text. Output: one `key=value` line per finding (values may hold tabs), read by
 * detect.ts. It never prints file contents — credentials files are only stat'ed.
 */

export const PROBE_FORMAT = "1";

export function probeScript(): string {
  return BODY;
}

const BODY = String.raw`#!/bin/sh
# openclaw-oauth-sync setup: read-only probe (one key=value per line)
set -u
export LC_ALL=C
p() { printf '%s=%s\n' "$1" "$2"; }
tab="$(printf '\t')"
tmo() { if command -v timeout >/dev/null 2>&1; then timeout 10 "$@"; else "$@"; fi; }
# The version an openclaw launcher belongs to: the package.json of the installed package.
ocver() {
  real="$(readlink -f "$1" 2>/dev/null || true)"; d="$(dirname "$real")"
  for pj in "$d/package.json" "$d/../package.json" "$d/../lib/node_modules/openclaw/package.json"; do
    if [ -f "$pj" ] && grep -q '"name"[[:space:]]*:[[:space:]]*"openclaw"' "$pj" 2>/dev/null; then
      sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$pj" | head -n 1; return 0
    fi
  done
}
p probe 1
p login "\${SUDO_USER:-$(id -un)}"
# Accounts that can run OpenClaw: root and regular users (uid 1000-59999) with a home.
getent passwd | while IFS=: read -r name _ uid _ _ home _; do
  case "$uid" in ''|*[!0-9]*) continue ;; esac
  if [ "$uid" != 0 ] && { [ "$uid" -lt 1000 ] || [ "$uid" -ge 60000 ]; }; then continue; fi
  [ -d "$home" ] || continue
  p account "$name$tab$uid$tab$home"
  for s in .openclaw .clawdbot .moltbot; do
    [ -d "$home/$s" ] && p stateDir "$name$tab$home/$s"
  done
  c="$home/.claude/.credentials.json"
  [ -e "$c" ] && p creds "$name$tab$c$tab$(stat -L -c %u:%g:%a "$c" 2>/dev/null || true)$tab$( [ -d "$c" ] && echo dir || echo file)"
  for b in "$home/.local/bin/claude" "$home/.claude/local/claude" "$home/.npm-global/bin/claude"; do
    [ -f "$b" ] && [ -x "$b" ] && p claude "$name$tab$b$tab$(HOME="$home" tmo "$b" --version </dev/null 2>/dev/null | head -n 1)"
  done
  for b in "$home/.local/bin/openclaw" "$home/.npm-global/bin/openclaw"; do
    [ -f "$b" ] && [ -x "$b" ] && p openclaw "$name$tab$b$tab$(ocver "$b")"
  done
done
for b in "$(command -v claude 2>/dev/null || true)" /usr/local/bin/claude /usr/bin/claude; do
  [ -n "$b" ] && [ -f "$b" ] && [ -x "$b" ] && p claude "$tab$b$tab$(tmo "$b" --version </dev/null 2>/dev/null | head -n 1)"
done
for b in "$(command -v openclaw 2>/dev/null || true)" /usr/local/bin/openclaw /usr/bin/openclaw; do
  [ -n "$b" ] && [ -f "$b" ] && [ -x "$b" ] && p openclaw "$tab$b$tab$(ocver "$b")"
done
if command -v docker >/dev/null 2>&1; then
  p docker "$(command -v docker)"
  # Split on "|", not tabs: with a whitespace IFS, empty fields (missing labels) would collapse.
  tmo docker ps --format '{{.Names}}|{{.Image}}|{{.Label "com.docker.compose.service"}}|{{.Label "com.docker.compose.project"}}|{{.Label "com.docker.compose.project.working_dir"}}' 2>/dev/null | while IFS='|' read -r n img svc proj wd; do
    [ -n "$n" ] || continue
    p container "$n$tab$img$tab$svc$tab$proj$tab$wd"
    case "$img $svc" in
      *openclaw*|*clawdbot*|*moltbot*)
        tmo docker inspect --format '{{range .Mounts}}{{.Source}}|{{.Destination}}{{"\n"}}{{end}}' "$n" </dev/null 2>/dev/null | while IFS='|' read -r src dst; do
          [ -n "$dst" ] && p mount "$n$tab$src$tab$dst"
        done
        cl="$(tmo docker exec "$n" sh -c 'command -v claude 2>/dev/null || { [ -x "$HOME/.local/bin/claude" ] && echo "$HOME/.local/bin/claude"; } || true' </dev/null 2>/dev/null | head -n 1)"
        [ -n "$cl" ] && p containerClaude "$n$tab$cl$tab$(tmo docker exec "$n" "$cl" --version </dev/null 2>/dev/null | head -n 1)"
        ;;
    esac
  done
fi
exit 0
`.replace(/\\\$\{/g, "${");
