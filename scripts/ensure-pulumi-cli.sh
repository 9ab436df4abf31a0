#!/usr/bin/env bash
# ensure-pulumi-cli.sh — build (once) and print the directory holding an offline Pulumi toolchain:
#
#   pulumi                          CLI v3.259.0   (github.com/pulumi/pulumi/pkg/v3 v3.259.0)
#   pulumi-language-nodejs          nodejs language host (see LANGHOST_* below for its version)
#   pulumi-resource-pulumi-nodejs   dynamic-provider shim (same job as the one in @pulumi/pulumi)
#
# Everything is built from the Go module proxy (whatever GOPROXY the environment configures) for
# AIR-GAPPED machines. On a machine with internet access the normal Pulumi install stays the
# first choice. See docs/test-infrastructure.md.
#
# Usage:   BIN=$(scripts/ensure-pulumi-cli.sh | tail -n1); export PATH="$BIN:$PATH"
# Env:     OCS_CACHE   cache root (default /var/cache/openclaw-oauth-sync)
#          GO          go binary (default: `go` on PATH, else /usr/local/go/bin/go)
#          GOPROXY / GOSUMDB / GONOSUMDB are respected; GOFLAGS, GOMODCACHE, GOCACHE, GOTOOLCHAIN,
#          CGO_ENABLED and GOWORK are set by this script (caches live under the cache root).
# Output:  progress on stderr; the bin dir is the LAST line of stdout. Exit != 0 with a reason on
#          failure. Idempotent; safe to run concurrently (flock).
set -euo pipefail

PULUMI_VERSION=v3.259.0

# The language-host module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) has no tags; it is only
# reachable by pseudo-version. The pseudo-version matching v3.259.0
# (v3.0.0-20260820084410-a05d88f24d05) is NOT served by the module proxy available here (403),
# and neither is the v3.259.0 tag commit. The only served version is the one pinned by
# pulumi/pulumi-docker-build (commit bee5e4fa4815; its language-host sources are identical to
# tag v3.188.0). Its code does not compile against sdk/pkg v3.259.0 (LanguageRuntimeServer grew
# methods, pcl/codegen APIs changed), so it is built in its own wrapper module against
# pkg/sdk v3.192.0 — the combination pulumi-docker-build built in CI. The sumdb mirror does not
# answer for this module version, so its hashes (from pulumi-docker-build's go.sum) are pinned.
LANGHOST_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LANGHOST_PSEUDO=v3.0.0-20250806165243-bee5e4fa4815
LANGHOST_VERSION=v3.188.0
LANGHOST_PULUMI_DEPS=v3.192.0
LANGHOST_SUM_H1='h1:+QJTFK7UcOFTYCg3XaSTrRZHWJ6Hqza8w9oADa4pPcM='
LANGHOST_SUM_GOMOD_H1='h1:0kA9b5LsaXLEKQzo0o9UUsHtZkACthHYLyBVUDUVMxc='
GO_MIN=1.25.11                      # `go` directive of pulumi/pkg v3.259.0
RECIPE_VERSION=1                    # bump when the build recipe changes → forces a rebuild

CACHE_ROOT=${OCS_CACHE:-/var/cache/openclaw-oauth-sync}
ROOT=$CACHE_ROOT/pulumi-$PULUMI_VERSION
BIN=$ROOT/bin
MANIFEST=$ROOT/manifest
MANIFEST_WANT="recipe=$RECIPE_VERSION cli=$PULUMI_VERSION langhost=$LANGHOST_PSEUDO@$LANGHOST_VERSION+$LANGHOST_PULUMI_DEPS"

log() { printf '[ensure-pulumi-cli] %s\n' "$*" >&2; }
die() { printf '[ensure-pulumi-cli] ERROR: %s\n' "$*" >&2; exit 1; }

is_ready() {
  [[ -x $BIN/pulumi && -x $BIN/pulumi-language-nodejs && -x $BIN/pulumi-resource-pulumi-nodejs ]] || return 1
  [[ -f $MANIFEST && "$(cat "$MANIFEST")" == "$MANIFEST_WANT" ]] || return 1
  local v
  v=$(PULUMI_SKIP_UPDATE_CHECK=true "$BIN/pulumi" version 2>/dev/null) || return 1
  [[ $v == "$PULUMI_VERSION" ]]
}

# ---- fast path (no lock, no go needed) -------------------------------------------------------
if is_ready; then
  log "reusing $BIN ($PULUMI_VERSION)"
  echo "$BIN"
  exit 0
fi

# ---- prerequisites ---------------------------------------------------------------------------
if [[ -z ${GO:-} ]]; then
  GO=$(command -v go || true)
  [[ -n $GO ]] || { [[ -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go; }
fi
[[ -n ${GO:-} && -x $GO ]] || die "no Go toolchain found (need go >= $GO_MIN; set GO=/path/to/go). Debian bookworm only ships golang-1.19, which is too old."
go_ver=$("$GO" env GOVERSION 2>/dev/null) || die "'$GO env GOVERSION' failed"
go_ver=${go_ver#go}
if [[ "$(printf '%s\n%s\n' "$GO_MIN" "$go_ver" | sort -V | head -n1)" != "$GO_MIN" ]]; then
  die "$GO is go$go_ver; pulumi $PULUMI_VERSION needs go >= $GO_MIN"
fi
command -v flock >/dev/null || die "flock (util-linux) not found"
command -v node >/dev/null || log "warning: node is not on PATH; the language host and the dynamic-provider shim need it at run time"

mkdir -p "$ROOT" || die "cannot create $ROOT (set OCS_CACHE to a writable directory)"
exec 9>"$ROOT/.lock"
flock 9
if is_ready; then   # somebody else finished while we waited
  log "reusing $BIN ($PULUMI_VERSION)"
  echo "$BIN"
  exit 0
fi

export GOMODCACHE=$CACHE_ROOT/go/mod
export GOCACHE=$CACHE_ROOT/go/build
export GOTOOLCHAIN=local            # never try to download another toolchain
export CGO_ENABLED=0
export GOFLAGS="-mod=mod -buildvcs=false"   # deliberately replaces any caller GOFLAGS
export GOWORK=off
mkdir -p "$GOMODCACHE" "$GOCACHE"

GO_TAGS=osusergo,grpcnotrace        # as in pulumi's .goreleaser.yml
STAMP=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
WORK=$ROOT/work
STAGE=$ROOT/bin.new
rm -rf "$WORK" "$STAGE"
mkdir -p "$WORK/cli" "$WORK/langhost" "$STAGE"

# Mirrors upstream's replace (only matters on Windows, harmless elsewhere).
CLIPBOARD_REPLACE='replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e'

# ---- wrapper module 1: the CLI ---------------------------------------------------------------
cat >"$WORK/cli/go.mod" <<EOF
module example.invalid/ocs-pulumi-cli

go $GO_MIN

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)

$CLIPBOARD_REPLACE
EOF
cat >"$WORK/cli/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
EOF

# ---- wrapper module 2: the nodejs language host ----------------------------------------------
cat >"$WORK/langhost/go.mod" <<EOF
module example.invalid/ocs-pulumi-language-nodejs

go 1.24.1

require (
	github.com/pulumi/pulumi/pkg/v3 $LANGHOST_PULUMI_DEPS
	github.com/pulumi/pulumi/sdk/v3 $LANGHOST_PULUMI_DEPS
	$LANGHOST_MOD $LANGHOST_PSEUDO
)

$CLIPBOARD_REPLACE
EOF
cat >"$WORK/langhost/tools.go" <<EOF
//go:build tools

package tools

import _ "$LANGHOST_MOD"
EOF
cat >"$WORK/langhost/go.sum" <<EOF
$LANGHOST_MOD $LANGHOST_PSEUDO $LANGHOST_SUM_H1
$LANGHOST_MOD $LANGHOST_PSEUDO/go.mod $LANGHOST_SUM_GOMOD_H1
EOF

build() { # <module dir> <version stamp> <output> <package>
  local dir=$1 ver=$2 out=$3 pkg=$4 t0=$SECONDS
  log "building $pkg ($ver) in $dir — this takes a while on a cold cache"
  if ! (cd "$dir" && "$GO" build -trimpath -tags "$GO_TAGS" -ldflags "-s -w -X $STAMP=$ver" -o "$out" "$pkg") >"$dir/build.log" 2>&1; then
    tail -n 40 "$dir/build.log" >&2
    die "go build of $pkg failed (full log: $dir/build.log). If the log shows '403 Forbidden' / 'not available' / '404 Not Found' from the module proxy or sumdb, a required module version is not served by GOPROXY=$("$GO" env GOPROXY)."
  fi
  log "built $(basename "$out") in $((SECONDS - t0)) s"
}

build "$WORK/cli" "$PULUMI_VERSION" "$STAGE/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
build "$WORK/langhost" "$LANGHOST_VERSION" "$STAGE/pulumi-language-nodejs" "$LANGHOST_MOD"

# ---- dynamic-provider shim -------------------------------------------------------------------
# Same job as node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs: the engine starts it
# with cwd = the project dir; it resolves @pulumi/pulumi/cmd/dynamic-provider from there and runs
# it with node. Differences: "$@" quoted, exec (signals reach node), and a loud failure instead of
# a silent exit 0 when @pulumi/pulumi cannot be resolved.
cat >"$STAGE/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
# Written by openclaw-oauth-sync scripts/ensure-pulumi-cli.sh; mirrors the shim shipped in @pulumi/pulumi.
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ -z "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    echo "pulumi-resource-pulumi-nodejs: cannot resolve @pulumi/pulumi/cmd/dynamic-provider from $(pwd)" >&2
    exit 1
fi
exec node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" "$@"
EOF
chmod 0755 "$STAGE/pulumi-resource-pulumi-nodejs"

got=$(PULUMI_SKIP_UPDATE_CHECK=true "$STAGE/pulumi" version) || die "freshly built pulumi does not run"
[[ $got == "$PULUMI_VERSION" ]] || die "freshly built pulumi reports '$got', expected $PULUMI_VERSION"

# ---- publish ---------------------------------------------------------------------------------
rm -f "$MANIFEST"
rm -rf "$BIN.old"
[[ -e $BIN ]] && mv "$BIN" "$BIN.old"
mv "$STAGE" "$BIN"
rm -rf "$BIN.old" "$WORK"
echo "$MANIFEST_WANT" >"$MANIFEST"
is_ready || die "internal error: $BIN not usable after build"
log "ready: $BIN (pulumi $PULUMI_VERSION, pulumi-language-nodejs $LANGHOST_VERSION)"
echo "$BIN"
