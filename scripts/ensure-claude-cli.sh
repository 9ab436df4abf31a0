#!/usr/bin/env bash
# Ensures a real Claude Code CLI release from the npm registry in the cache and prints the path of
# its runnable `claude` executable as the last line of stdout:
#   scripts/ensure-claude-cli.sh 2.1.332   →   <cache>/claude-code/2.1.332/node_modules/.bin/claude
#
# - The npm package @anthropic-ai/claude-code is a thin wrapper: the CLI itself is a compiled ELF
#   binary in the per-platform optional dependency @anthropic-ai/claude-code-linux-x64, and the
#   wrapper's postinstall (install.cjs) links it to bin/claude.exe. The postinstall runs fine on
#   Node 20 although the package declares engines ≥ 22 (npm only warns), so scripts stay enabled.
# - Idempotent: an install that finished (marker file, matching package version, an executable
#   binary) is reused as is. `--prefer-offline` reuses the npm cache (~/.npm).
# - Built in a temp dir next to the final place and moved in at the end: a half-finished install
#   is never mistaken for a good one.
# - Nothing here runs the CLI: run it only inside a private network namespace (test/helpers/
#   claude-sandbox.ts), never on a host with a route to the internet.
# - Fails loudly (exit 1, the npm log tail on stderr) when it cannot install.
set -euo pipefail
version=${1:?usage: ensure-claude-cli.sh VERSION}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[A-Za-z0-9.]+)?$ ]]; then
  echo "ensure-claude-cli: '$version' is not a Claude Code release version (e.g. 2.1.332)" >&2
  exit 1
fi
case "$(uname -m)" in
  x86_64) platform=linux-x64 ;;
  aarch64) platform=linux-arm64 ;;
  *) echo "ensure-claude-cli: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
cache=${OCS_CACHE:-/var/cache/openclaw-oauth-sync}
root="$cache/claude-code"
dir="$root/$version"
marker="$dir/.ocs-installed"

installed_version() {
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1/node_modules/@anthropic-ai/claude-code/package.json" 2>/dev/null | head -n1
}
# The executable the wrapper's postinstall put in place (a hard link to the platform binary). If
# the postinstall did not run, the platform package's own binary is the same program.
find_bin() {
  local d=$1 c
  for c in "$d/node_modules/@anthropic-ai/claude-code/bin/claude.exe" \
           "$d/node_modules/@anthropic-ai/claude-code-$platform/claude" \
           "$d/node_modules/@anthropic-ai/claude-code-$platform/bin/claude"; do
    # A real binary, not the wrapper's placeholder script (which only prints an error).
    if [ -x "$c" ] && [ "$(head -c 4 "$c" | od -An -c | tr -d ' ')" = '177ELF' ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if [ -f "$marker" ] && [ "$(installed_version "$dir")" = "$version" ] && bin=$(find_bin "$dir"); then
  echo "$bin"
  exit 0
fi

mkdir -p "$root"
tmp=$(mktemp -d "$root/.install-$version.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
started=$(date +%s)

cat >"$tmp/package.json" <<EOF
{ "name": "ocs-claude-code-$version", "private": true, "dependencies": { "@anthropic-ai/claude-code": "$version" } }
EOF

if ! (cd "$tmp" && npm install --no-audit --no-fund --prefer-offline --loglevel=error >"$tmp/npm.log" 2>&1); then
  echo "ensure-claude-cli: npm install @anthropic-ai/claude-code@$version failed; last lines of the npm log:" >&2
  tail -n 25 "$tmp/npm.log" >&2
  exit 1
fi
if [ "$(installed_version "$tmp")" != "$version" ]; then
  echo "ensure-claude-cli: npm finished but node_modules/@anthropic-ai/claude-code is not $version" >&2
  exit 1
fi
if ! bin=$(find_bin "$tmp"); then
  echo "ensure-claude-cli: no runnable claude binary after install (did @anthropic-ai/claude-code-$platform arrive?); npm log tail:" >&2
  tail -n 25 "$tmp/npm.log" >&2
  exit 1
fi

du_mb=$(du -sm "$tmp" | cut -f1)
elapsed=$(($(date +%s) - started))
printf '{"version":"%s","platform":"%s","installSeconds":%s,"sizeMB":%s}\n' \
  "$version" "$platform" "$elapsed" "$du_mb" >"$tmp/.ocs-installed"
rm -f "$tmp/npm.log"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
# Paths inside the tree are relative to it (hard links, relative symlinks), so the move is fine.
find_bin "$dir"
