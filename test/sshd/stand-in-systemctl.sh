#!/bin/sh
# STAND-IN for systemctl, for tests only: the build machine has no systemd as PID 1, so the
# SystemdUnitState provider's remote part is tested against this script (real systemd is covered
# by the e2e tests on an nspawn target). It keeps per-unit state as files under $STATE/units/<unit>/
# (the unit "exists" when that dir exists) and logs every call to $STATE/calls.log.
STATE=__STATE__
echo "$*" >> "$STATE/calls.log"
verb=""; unit=""; now=""
for a in "$@"; do
  case "$a" in
    --now) now=1 ;;
    --|-*) ;;
    *) if [ -z "$verb" ]; then verb=$a; else unit=$a; fi ;;
  esac
done
u="$STATE/units/$unit"
known() { [ -n "$unit" ] && [ -d "$u" ]; }
case "$verb" in
  daemon-reload) echo x >> "$STATE/daemon-reloads" ;;
  is-enabled)
    known || { echo "Failed to get unit file state for $unit: No such file or directory" >&2; exit 1; }
    if [ -e "$u/enabled" ]; then echo enabled; else echo disabled; exit 1; fi ;;
  is-active)
    if known && [ -e "$u/active" ]; then echo active; else echo inactive; exit 3; fi ;;
  cat) known || { echo "No files found for $unit." >&2; exit 1; } ;;
  enable)
    known || { echo "Failed to enable unit: Unit file $unit does not exist." >&2; exit 1; }
    touch "$u/enabled"; if [ -n "$now" ]; then touch "$u/active"; fi ;;
  disable)
    known || { echo "Failed to disable unit: Unit file $unit does not exist." >&2; exit 1; }
    rm -f "$u/enabled"; if [ -n "$now" ]; then rm -f "$u/active"; fi ;;
  start) known || { echo "Failed to start $unit: Unit $unit not found." >&2; exit 5; }; touch "$u/active" ;;
  stop) rm -f "$u/active" ;;
  restart) known || exit 5; touch "$u/active"; echo x >> "$u/restarts" ;;
  *) echo "stand-in systemctl: unsupported call: $*" >&2; exit 2 ;;
esac
exit 0
