# Sourced by ./eventdeblur and ./test.sh: OpenCV's native library needs GTK 3 on a fresh machine.
if ! ldconfig -p 2>/dev/null | grep -q 'libgtk-3\.so\.0'; then
  if [ "$(id -u)" = "0" ]; then
    echo "setup: installing libgtk-3-0 (needed by OpenCV's native library)..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libgtk-3-0) >&2 \
      || { echo "setup: apt-get install libgtk-3-0 failed" >&2; exit 1; }
  else
    echo "OpenCV needs libgtk-3-0. Run: sudo apt-get install -y --no-install-recommends libgtk-3-0" >&2
    exit 1
  fi
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (dotnet not found on PATH)." >&2
  exit 1
fi
