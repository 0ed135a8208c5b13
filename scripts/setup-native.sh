# Sourced by ./eventdeblur and ./test.sh: OpenCV's native library needs GTK 3 on a fresh machine.
#
# The check is deterministic: it looks for the library file first, then searches the ldconfig cache
# captured into a variable. (Piping `ldconfig -p` into `grep -q` under `set -o pipefail` lets grep exit
# early, ldconfig die of SIGPIPE and the whole check report "missing" in one run in four.)
# apt-get runs only when the library is truly missing, under a lock, re-checking inside it, so that
# several processes started together (e.g. eval shards) install it at most once.

eventdeblur_has_gtk3() {
  local dirs="${EVENTDEBLUR_LIB_DIRS-/usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib}"
  local d
  for d in $dirs; do
    [ -e "$d/libgtk-3.so.0" ] && return 0
  done
  local ldconfig_bin cache
  ldconfig_bin="$(command -v ldconfig 2>/dev/null || true)"
  [ -z "$ldconfig_bin" ] && [ -x /sbin/ldconfig ] && ldconfig_bin=/sbin/ldconfig
  [ -z "$ldconfig_bin" ] && return 1
  cache="$("$ldconfig_bin" -p 2>/dev/null || true)"
  [[ "$cache" == *"libgtk-3.so.0"* ]]
}

if ! eventdeblur_has_gtk3; then
  if [ "$(id -u)" = "0" ]; then
    eventdeblur_install_gtk3() {
      eventdeblur_has_gtk3 && return 0
      echo "setup: installing libgtk-3-0 (needed by OpenCV's native library)..." >&2
      apt-get update -qq -o DPkg::Lock::Timeout=300 >&2 \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
             -o DPkg::Lock::Timeout=300 libgtk-3-0 >&2
    }
    if command -v flock >/dev/null 2>&1; then
      exec {eventdeblur_lock_fd}>"${TMPDIR:-/tmp}/eventdeblur-setup-native.lock"
      flock "$eventdeblur_lock_fd"
      eventdeblur_install_gtk3; eventdeblur_rc=$?
      flock -u "$eventdeblur_lock_fd"; exec {eventdeblur_lock_fd}>&-
    else
      eventdeblur_install_gtk3; eventdeblur_rc=$?
    fi
    if [ "$eventdeblur_rc" -ne 0 ] || ! eventdeblur_has_gtk3; then
      echo "setup: apt-get install libgtk-3-0 failed; OpenCV cannot load without it" >&2
      exit 1
    fi
  else
    echo "OpenCV needs libgtk-3-0, which is not installed (no libgtk-3.so.0 in the library folders or the ldconfig cache)." >&2
    echo "Install it as root: sudo apt-get install -y --no-install-recommends libgtk-3-0" >&2
    exit 1
  fi
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (dotnet not found on PATH)." >&2
  exit 1
fi
