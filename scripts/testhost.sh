#!/usr/bin/env bash
# testhost.sh — throwaway Debian 12 hosts (systemd as PID 1 + sshd) in systemd-nspawn, each in its
# own network namespace, for end-to-end tests of the SSH provisioning. Must run as root.
#
#   testhost.sh image                 ensure host packages + the cached base rootfs
#   testhost.sh up <name> [--no-node] [--bind-ro=SRC:DST]… [--bind=SRC:DST]…
#                                     boot an instance; writes <instance dir>/env, ssh_config, …
#                                     (--bind-ro: a host directory, read-only at DST in the guest;
#                                     --bind: the same, writable, e.g. a dir a Docker engine on the
#                                     build machine bind-mounts into containers, see docker.test.ts)
#   testhost.sh down <name>           stop it and remove everything it created (idempotent)
#   testhost.sh down-all              down every instance
#
# Instance dir: ${TMPDIR:-/tmp}/ocs-testhost/<name>/  (env, ssh_config, known_hosts, keys, logs)
# Base rootfs:  ${OCS_CACHE:-/var/cache/openclaw-oauth-sync}/testhost/bookworm (read-only lower
#               dir; every boot uses --volatile=overlay, so nothing a test does persists)
# Network:      netns ocs-<name>, veth ocsh<N> (host, 10.201.N.1/24) <-> ocsc<N> (10.201.N.2/24)
# Env:          OCS_CACHE, TMPDIR, OCS_DEBIAN_MIRROR (default: the bookworm URI apt already uses),
#               OCS_TESTHOST_TIMEOUT (boot wait, seconds, default and max 30)
# See docs/test-infrastructure.md.
set -euo pipefail

SUITE=bookworm
INCLUDE=systemd,systemd-sysv,dbus,openssh-server,nodejs,iproute2,procps,sudo,ca-certificates
HOST_PKGS=(systemd-container debootstrap openssh-client openssh-server iproute2)
RECIPE="recipe=1 suite=$SUITE variant=minbase include=$INCLUDE"   # change → image rebuilds

CACHE_ROOT=${OCS_CACHE:-/var/cache/openclaw-oauth-sync}
IMAGE_DIR=$CACHE_ROOT/testhost
ROOTFS=$IMAGE_DIR/$SUITE
STAMP=$IMAGE_DIR/$SUITE.stamp
INST_ROOT=${TMPDIR:-/tmp}/ocs-testhost
NET_PREFIX=10.201
N_MAX=200
BOOT_TIMEOUT=${OCS_TESTHOST_TIMEOUT:-30}
(( BOOT_TIMEOUT > 0 && BOOT_TIMEOUT <= 30 )) || BOOT_TIMEOUT=30
CG_PREFIX=ocs-testhost-                 # our cgroups: /sys/fs/cgroup/{systemd,unified}/ocs-testhost-<name>
GUEST_HOSTKEY=/etc/ssh/ocs_host_ed25519_key
GUEST_DROPIN=/etc/ssh/sshd_config.d/ocs-testhost.conf

log() { printf '[testhost] %s\n' "$*" >&2; }
die() { printf '[testhost] ERROR: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

need_root() { [[ $(id -u) == 0 ]] || die "must run as root (netns, nspawn, debootstrap)"; }

# ------------------------------------------------------------------------------------------------
# image
# ------------------------------------------------------------------------------------------------
missing_pkgs() {
  local p
  for p in "${HOST_PKGS[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

ensure_host_pkgs() {
  local missing
  missing=$(missing_pkgs | tr '\n' ' ')
  [[ -z ${missing// /} ]] && return 0
  log "installing host packages: $missing"
  # Never start services on the build machine (openssh-server would start a host sshd).
  local rcd=/usr/sbin/policy-rc.d made_rcd=0
  if [[ ! -e $rcd ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$rcd"; chmod 0755 "$rcd"; made_rcd=1
  fi
  local rc=0 aptlog
  aptlog=$(mktemp "${TMPDIR:-/tmp}/ocs-testhost-apt.XXXXXX")
  export DEBIAN_FRONTEND=noninteractive
  # "apt-get update once if needed": only when there are no lists or the install fails on them.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    apt-get update -q >>"$aptlog" 2>&1 || rc=$?
  fi
  if (( rc == 0 )) && ! apt-get install -y -q --no-install-recommends $missing >>"$aptlog" 2>&1; then
    log "install failed; running apt-get update once and retrying"
    { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } >>"$aptlog" 2>&1 || rc=$?
  fi
  (( made_rcd )) && rm -f "$rcd"
  if (( rc != 0 )); then
    tail -n 30 "$aptlog" >&2
    die "apt-get failed (rc=$rc) installing: $missing (log: $aptlog)"
  fi
  rm -f "$aptlog"
  missing=$(missing_pkgs | tr '\n' ' ')
  [[ -z ${missing// /} ]] || die "still missing after apt-get install: $missing"
}

# The Debian archive URI apt uses for $SUITE (one-line .list or deb822 .sources); no host names
# are hard-coded here.
detect_mirror() {
  if [[ -n ${OCS_DEBIAN_MIRROR:-} ]]; then echo "${OCS_DEBIAN_MIRROR%/}"; return 0; fi
  local f uri=""
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri=$(awk -v s="$SUITE" '
      /^[ \t]*deb[ \t]/ { i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i+1) == s) { print $i; exit } }' "$f")
    [[ -n $uri ]] && break
  done
  if [[ -z $uri ]]; then
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f ]] || continue
      uri=$(awk -v s="$SUITE" 'BEGIN { RS = ""; FS = "\n" }
        { types = ""; uris = ""; suites = ""; enabled = "yes"
          for (i = 1; i <= NF; i++) {
            line = $i; if (line ~ /^[ \t]*#/) continue
            c = index(line, ":"); if (c == 0) continue
            key = tolower(substr(line, 1, c - 1)); val = substr(line, c + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", val)
            if (key == "types") types = val; else if (key == "uris") uris = val
            else if (key == "suites") suites = val; else if (key == "enabled") enabled = tolower(val)
          }
          if (enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " s " ")) {
            split(uris, u, /[ \t]+/); print u[1]; exit } }' "$f")
      [[ -n $uri ]] && break
    done
  fi
  [[ -n $uri ]] || die "cannot find a 'deb … $SUITE' entry in /etc/apt/sources.list{,.d}; set OCS_DEBIAN_MIRROR"
  echo "${uri%/}"
}

image_ready() { [[ -d $ROOTFS && -f $STAMP && "$(cat "$STAMP")" == "$RECIPE" ]]; }

cmd_image() {
  need_root
  ensure_host_pkgs
  if image_ready; then log "image ready: $ROOTFS"; echo "$ROOTFS"; return 0; fi
  mkdir -p "$IMAGE_DIR"
  exec 8>"$IMAGE_DIR/.lock"; flock 8
  if image_ready; then log "image ready: $ROOTFS"; echo "$ROOTFS"; return 0; fi
  if [[ -d $ROOTFS ]] && running_instances | grep -q .; then
    die "$ROOTFS is outdated but instances are running on it ($(running_instances | tr '\n' ' ')); run down-all first"
  fi
  local mirror tmp t0
  mirror=$(detect_mirror)
  # interrupted builds leave .$SUITE.tmp.* behind; never reused, removed here
  rm -rf "$IMAGE_DIR/.$SUITE.tmp."* "$IMAGE_DIR/.$SUITE.old"
  tmp=$IMAGE_DIR/.$SUITE.tmp.$$
  t0=$(now_ms)
  log "debootstrap $SUITE from $mirror into $tmp (a few minutes)"
  if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$mirror" >"$IMAGE_DIR/debootstrap.log" 2>&1; then
    tail -n 30 "$IMAGE_DIR/debootstrap.log" >&2
    rm -rf "$tmp"
    die "debootstrap failed (log: $IMAGE_DIR/debootstrap.log)"
  fi
  # trim and prepare
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/cache/apt/*.bin "$tmp"/var/lib/apt/lists/*
  mkdir -p "$tmp/var/lib/apt/lists/partial"
  : >"$tmp/etc/machine-id"                    # fresh machine-id per boot (from --uuid)
  rm -f "$tmp/var/lib/dbus/machine-id"
  echo ocs-testhost >"$tmp/etc/hostname"      # per instance: bind-mounted over
  rm -f "$tmp"/etc/ssh/ssh_host_*             # per instance: own host key (bind-mounted)
  install -d -m 0700 "$tmp/root/.ssh"
  install -m 0600 /dev/null "$tmp/root/.ssh/authorized_keys"   # bind-mount targets
  install -m 0600 /dev/null "$tmp$GUEST_HOSTKEY"
  install -d -m 0755 "$tmp/etc/ssh/sshd_config.d"
  install -m 0644 /dev/null "$tmp$GUEST_DROPIN"
  [[ -x $tmp/usr/sbin/sshd && -x $tmp/lib/systemd/systemd ]] || die "debootstrap result lacks sshd/systemd"
  # publish atomically
  rm -f "$STAMP"
  [[ -e $ROOTFS ]] && mv "$ROOTFS" "$IMAGE_DIR/.$SUITE.old"
  mv "$tmp" "$ROOTFS"
  rm -rf "$IMAGE_DIR/.$SUITE.old"
  echo "$RECIPE" >"$STAMP"
  log "image built in $(( ($(now_ms) - t0) / 1000 )) s: $ROOTFS ($(du -sh "$ROOTFS" | cut -f1))"
  echo "$ROOTFS"
}

# ------------------------------------------------------------------------------------------------
# instances
# ------------------------------------------------------------------------------------------------
valid_name() { [[ $1 =~ ^[a-z0-9][a-z0-9-]{0,19}$ ]] || die "bad instance name '$1' (use [a-z0-9-], max 20 chars)"; }

# pid is alive and is the nspawn we started for <dir> (guards against pid reuse)
is_our_nspawn() { # <pid> <dir>
  local pid=$1 dir=$2
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == systemd-nspawn ]] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qF -- "$dir/"
}

running_instances() {
  local d
  for d in "$INST_ROOT"/*/; do
    [[ -d $d ]] || continue
    d=${d%/}
    is_our_nspawn "$(cat "$d/nspawn.pid" 2>/dev/null)" "$d" && basename "$d"
  done
  return 0
}

# first N in 1..N_MAX not used by another instance dir nor configured anywhere on the host
alloc_n() {
  local n used
  used=$(cat "$INST_ROOT"/*/n 2>/dev/null || true)
  for (( n = 1; n <= N_MAX; n++ )); do
    grep -qx "$n" <<<"$used" && continue
    ip -o addr show 2>/dev/null | grep -qF " $NET_PREFIX.$n." && continue
    ip link show "ocsh$n" >/dev/null 2>&1 && continue
    echo "$n"; return 0
  done
  return 1
}

cg_dirs() { # <name>: the cgroup dirs we create for an instance (hybrid: v1 name=systemd + cgroup2; pure v2: one)
  local h
  for h in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [[ -f $h/cgroup.procs ]] || continue
    [[ $h == /sys/fs/cgroup && -d /sys/fs/cgroup/unified ]] && continue
    echo "$h/$CG_PREFIX$1"
  done
}

ssh_to() { # <dir> <name> <timeout s> cmd…   (no ControlMaster here: up/down leave no mux behind)
  local dir=$1 name=$2 t=$3; shift 3
  timeout --kill-after=2 "$t" ssh -F "$dir/ssh_config" -o ControlMaster=no -o ControlPath=none \
    -o ConnectTimeout=1 "$name" "$@"
}

cmd_up() {
  need_root
  local name="" no_node=0 a
  local -a binds=()
  for a in "$@"; do
    case $a in
      --no-node) no_node=1 ;;
      --bind-ro=/*:/*|--bind=/*:/*)
        local src=${a#--bind-ro=}; src=${src#--bind=}; src=${src%%:*}
        [[ -d $src ]] || die "up: ${a%%=*} source $src is not a directory"
        binds+=("$a") ;;
      -*) die "up: unknown option $a" ;;
      *) [[ -z $name ]] || die "up: more than one name"; name=$a ;;
    esac
  done
  [[ -n $name ]] || die "usage: $0 up <name> [--no-node] [--bind-ro=SRC:DST]… [--bind=SRC:DST]…"
  valid_name "$name"
  image_ready || cmd_image >/dev/null
  image_ready || die "base image not available"
  local dir=$INST_ROOT/$name netns=ocs-$name
  mkdir -p "$INST_ROOT"
  exec 7>"$INST_ROOT/.lock"; flock 7
  if [[ -d $dir ]]; then
    if is_our_nspawn "$(cat "$dir/nspawn.pid" 2>/dev/null)" "$dir"; then
      die "instance '$name' is already up ($dir/env); run down first"
    fi
    log "removing stale instance dir $dir"
    flock -u 7; cmd_down "$name"; flock 7
  fi
  ip netns list | awk '{print $1}' | grep -qx "$netns" && { log "deleting stale netns $netns"; ip netns del "$netns"; }
  local n
  n=$(alloc_n) || die "no free address block in $NET_PREFIX.1-$N_MAX.0/24"
  mkdir -m 0700 "$dir"
  echo "$n" >"$dir/n"
  # from here on a failure must undo what is there: down is safe on a half-built instance
  trap 'rc=$?; if (( rc != 0 )); then log "up failed; cleaning up"; cmd_down "'"$name"'" || true; fi' EXIT
  local hv=ocsh$n cv=ocsc$n host_ip=$NET_PREFIX.$n.1 guest_ip=$NET_PREFIX.$n.2
  ip netns add "$netns"
  ip link add "$hv" type veth peer name "$cv"
  ip link set "$cv" netns "$netns"
  ip addr add "$host_ip/24" dev "$hv"
  ip link set "$hv" up
  ip -n "$netns" addr add "$guest_ip/24" dev "$cv"
  ip -n "$netns" link set "$cv" up
  ip -n "$netns" link set lo up
  flock -u 7

  # keys, sshd drop-in, client config
  ssh-keygen -q -t ed25519 -N '' -C "ocs-testhost-$name-client" -f "$dir/client_key"
  ssh-keygen -q -t ed25519 -N '' -C "ocs-testhost-$name-host" -f "$dir/ssh_host_ed25519_key"
  chmod 0644 "$dir/client_key.pub"
  echo "$name" >"$dir/hostname"
  cat >"$dir/sshd.conf" <<EOF
Port 22
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
HostKey $GUEST_HOSTKEY
EOF
  printf '%s %s\n' "$guest_ip" "$(cut -d' ' -f1,2 "$dir/ssh_host_ed25519_key.pub")" >"$dir/known_hosts"
  cat >"$dir/ssh_config" <<EOF
Host $name
  HostName $guest_ip
  Port 22
  User root
  IdentityFile $dir/client_key
  IdentitiesOnly yes
  UserKnownHostsFile $dir/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 5
  LogLevel ERROR
  ControlMaster auto
  ControlPath $dir/mux
  ControlPersist 60
EOF

  local -a args=(
    -D "$ROOTFS" --boot --volatile=overlay --register=no --keep-unit --console=passive
    --machine="ocs-$name" --uuid="$(cat /proc/sys/kernel/random/uuid)"
    --network-namespace-path="/run/netns/$netns"
    --bind-ro="$dir/client_key.pub:/root/.ssh/authorized_keys"
    --bind-ro="$dir/sshd.conf:$GUEST_DROPIN"
    --bind-ro="$dir/ssh_host_ed25519_key:$GUEST_HOSTKEY"
    --bind-ro="$dir/hostname:/etc/hostname"
    ${binds[@]+"${binds[@]}"}
  )
  if (( no_node )); then
    # Hide node: a writable overlay on /usr/bin whose upper dir (in the instance dir) holds
    # overlayfs whiteouts (char 0:0) for node/nodejs, so `command -v node` fails in bash and dash.
    # (--inaccessible= does not work here: it needs /run/systemd/inaccessible/ from a host systemd,
    # and a mode-000 file would still be reported by bash's `command -v`.)
    mkdir -m 0755 "$dir/usr-bin-upper"
    local p
    for p in node nodejs; do
      if [[ -e $ROOTFS/usr/bin/$p || -L $ROOTFS/usr/bin/$p ]]; then mknod "$dir/usr-bin-upper/$p" c 0 0; fi
    done
    args+=(--overlay="+/usr/bin:$dir/usr-bin-upper:/usr/bin")
  fi
  # Own cgroups per instance: with --keep-unit and no host systemd, nspawn puts its payload/
  # supervisor cgroups under the caller's cgroup; without this, parallel instances would share them.
  local cg cgs
  cgs=$(cg_dirs "$name")
  for cg in $cgs; do mkdir -p "$cg"; done
  local t0
  t0=$(now_ms)
  # the launcher writes its pid, joins the instance cgroups and execs nspawn (same pid)
  OCS_CGS=$cgs setsid sh -c '
      echo $$ >"$0/nspawn.pid"
      for cg in $OCS_CGS; do echo $$ >"$cg/cgroup.procs" || exit 97; done
      exec systemd-nspawn "$@"' "$dir" "${args[@]}" </dev/null >"$dir/nspawn.log" 2>&1 &
  local i pid=""
  for (( i = 0; i < 50; i++ )); do
    pid=$(cat "$dir/nspawn.pid" 2>/dev/null || true)
    [[ -n $pid ]] && break
    sleep 0.05
  done
  [[ -n $pid ]] || die "nspawn launcher did not start"

  local deadline=$(( t0 + BOOT_TIMEOUT * 1000 )) t_ssh="" state=""
  while (( $(now_ms) < deadline )); do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$dir/nspawn.log" >&2; die "systemd-nspawn exited during boot (log: $dir/nspawn.log)"; }
    if ssh_to "$dir" "$name" 2 true 2>/dev/null; then t_ssh=$(now_ms); break; fi
    sleep 0.1
  done
  [[ -n $t_ssh ]] || { tail -n 20 "$dir/nspawn.log" >&2; die "no SSH on $guest_ip:22 within ${BOOT_TIMEOUT}s (log: $dir/nspawn.log)"; }
  local left=$(( (deadline - $(now_ms)) / 1000 ))
  (( left >= 1 )) || left=1
  state=$(ssh_to "$dir" "$name" "$left" systemctl is-system-running --wait 2>/dev/null) || true
  local t_run
  t_run=$(now_ms)
  case $state in
    running) ;;
    degraded)
      log "instance '$name' is degraded; failed units:"
      ssh_to "$dir" "$name" 5 systemctl --failed --no-legend --plain >&2 || true ;;
    *) die "systemctl is-system-running: '${state:-no answer}' after ${BOOT_TIMEOUT}s (log: $dir/nspawn.log)" ;;
  esac

  cat >"$dir/env.tmp" <<EOF
NAME=$name
HOST=$guest_ip
PORT=22
KEY=$dir/client_key
KNOWN_HOSTS=$dir/known_hosts
SSH_CONFIG=$dir/ssh_config
NSPAWN_PID=$pid
NETNS=$netns
EOF
  mv "$dir/env.tmp" "$dir/env"
  trap - EXIT
  echo "$name: up at $guest_ip ($state); ssh-ready $(( t_ssh - t0 )) ms, system $state $(( t_run - t0 )) ms; env: $dir/env"
}

cmd_down() {
  need_root
  local name=${1:-}
  [[ -n $name ]] || die "usage: $0 down <name>"
  valid_name "$name"
  local dir=$INST_ROOT/$name netns=ocs-$name n="" pid="" i
  n=$(cat "$dir/n" 2>/dev/null || true)
  pid=$(cat "$dir/nspawn.pid" 2>/dev/null || true)
  # a ControlMaster the caller may have started via our ssh_config
  if [[ -S $dir/mux ]]; then
    timeout 3 ssh -F "$dir/ssh_config" -O exit "$name" >/dev/null 2>&1 || true
  fi
  if [[ -n $pid ]] && is_our_nspawn "$pid" "$dir"; then
    kill -TERM "$pid" 2>/dev/null || true
    for (( i = 0; i < 100; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name: nspawn $pid did not exit within 10 s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && log "$name: WARNING: pid $pid still alive after SIGKILL"
    fi
  fi
  if ip netns list | awk '{print $1}' | grep -qx "$netns"; then
    ip netns del "$netns" || log "$name: WARNING: ip netns del $netns failed"
  fi
  if [[ -n $n ]] && ip link show "ocsh$n" >/dev/null 2>&1; then
    for (( i = 0; i < 20; i++ )); do ip link show "ocsh$n" >/dev/null 2>&1 || break; sleep 0.1; done
    ip link del "ocsh$n" 2>/dev/null || true
  fi
  # cgroups: only empty ones, deepest first (nspawn's payload/supervisor + our instance cgroup)
  local cg sub
  for cg in $(cg_dirs "$name"); do
    [[ -d $cg ]] || continue
    while IFS= read -r sub; do
      rmdir "$sub" 2>/dev/null || log "$name: WARNING: cgroup $sub not empty, left in place"
    done < <(find "$cg" -mindepth 1 -depth -type d 2>/dev/null)
    rmdir "$cg" 2>/dev/null || log "$name: WARNING: cgroup $cg not empty, left in place"
  done
  # nspawn's propagation dir for this machine (left behind without machined)
  local prop=/run/systemd/nspawn/propagate/ocs-$name
  if [[ -d $prop ]] && ! mountpoint -q "$prop"; then rm -rf "$prop"; fi
  rm -rf "$dir"
}

cmd_down_all() {
  local d
  for d in "$INST_ROOT"/*/; do
    [[ -d $d ]] || continue
    d=${d%/}
    cmd_down "$(basename "$d")"
  done
}

case ${1:-} in
  image) shift; cmd_image "$@" ;;
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  down-all) shift; need_root; cmd_down_all ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2; exit 2 ;;
esac
