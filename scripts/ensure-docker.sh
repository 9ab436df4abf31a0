#!/usr/bin/env bash
# Ensures Debian's Docker engine and Compose are installed (idempotently) and prints the engine's
# version as the last line of stdout:
#   scripts/ensure-docker.sh   →   20.10.24+dfsg1
#
# - Packages: docker.io (dockerd, containerd, runc, the 20.10 client in /usr/bin/docker) and
#   docker-compose (Compose 1.29.2, Python; `docker-compose`, which sets the same
#   com.docker.compose.* labels the program looks up). Both from the Debian archive apt already
#   uses; nothing is pulled from any image registry.
# - No daemon is started and none is enabled: service starts are blocked with policy-rc.d while
#   installing (the build machine has no systemd anyway). The tests start their own dockerd per
#   run (test/helpers/dockerd.ts: own data root, exec root and socket, no bridge, no iptables).
# - `apt-get update` runs only when there are no package lists, or once after a failed install.
# - Fails loudly (exit 1 and the apt log tail) when it cannot install.
set -euo pipefail
PKGS=(docker.io docker-compose tini)

die() { printf 'ensure-docker: ERROR: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (apt-get)"

missing() {
  local p
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

todo=$(missing | tr '\n' ' ')
if [ -n "${todo// /}" ]; then
  echo "ensure-docker: installing $todo" >&2
  rcd=/usr/sbin/policy-rc.d made_rcd=0
  if [ ! -e "$rcd" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$rcd"; chmod 0755 "$rcd"; made_rcd=1
  fi
  log=$(mktemp "${TMPDIR:-/tmp}/ensure-docker-apt.XXXXXX")
  export DEBIAN_FRONTEND=noninteractive
  rc=0
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    apt-get update -q >>"$log" 2>&1 || rc=$?
  fi
  # shellcheck disable=SC2086
  if [ "$rc" = 0 ] && ! apt-get install -y -q --no-install-recommends $todo >>"$log" 2>&1; then
    echo "ensure-docker: install failed; running apt-get update once and retrying" >&2
    # shellcheck disable=SC2086
    { apt-get update -q && apt-get install -y -q --no-install-recommends $todo; } >>"$log" 2>&1 || rc=$?
  fi
  [ "$made_rcd" = 1 ] && rm -f "$rcd"
  if [ "$rc" != 0 ]; then
    tail -n 30 "$log" >&2
    die "apt-get failed (rc=$rc) installing: $todo (log: $log)"
  fi
  rm -f "$log"
  todo=$(missing | tr '\n' ' ')
  [ -z "${todo// /}" ] || die "still missing after apt-get install: $todo"
fi

for b in /usr/sbin/dockerd /usr/bin/docker /usr/bin/containerd /usr/sbin/runc /usr/bin/docker-compose; do
  [ -x "$b" ] || die "$b is missing although the packages are installed"
done
/usr/sbin/dockerd --version | sed -n 's/^Docker version \([^,]*\),.*/\1/p'
