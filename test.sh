#!/usr/bin/env bash
# Runs Isoscope's whole test suite. On a fresh machine it first installs the
# few system programs the GUI and drag-out tests drive (Xvfb, xdotool, the
# GTK drop target's Python bindings, Mesa's software GL for the real window)
# and xorriso, whose listings some tests compare with ours,
# when it can (root or sudo), then runs every test of the workspace. Extra
# arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")"

need=()
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v xdotool >/dev/null 2>&1 || need+=(xdotool)
# Tests that compare listings and extractions with xorriso's own.
command -v xorriso >/dev/null 2>&1 || need+=(xorriso)
python3 -c 'import gi; gi.require_version("Gtk", "3.0")' >/dev/null 2>&1 || need+=(python3-gi gir1.2-gtk-3.0)
# The real app window (drag-out tests start the binary under Xvfb): Mesa's
# software GL and xkbcommon's X11 half, which winit and glutin load at run time.
ldconfig -p 2>/dev/null | grep -q 'libEGL_mesa.so.0' || need+=(libegl1 libegl-mesa0 libgl1-mesa-dri)
ldconfig -p 2>/dev/null | grep -q 'libxkbcommon-x11.so.0' || need+=(libxkbcommon-x11-0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" != none ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]}" >&2
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "test.sh: WARNING: cannot install ${need[*]}; the GUI and drag-out tests that need them will fail" >&2
  fi
fi

# The corpus of real images beside the checkout, when present.
if [ -z "${ISOSCOPE_CORPUS:-}" ] && [ -d ../shared/corpus ]; then
  export ISOSCOPE_CORPUS="$(cd ../shared/corpus && pwd)"
fi

# Every test binary's "test result" line is summed into one closing line.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ {
       for (i = 1; i <= NF; i++) {
         if ($(i+1) ~ /^passed/) p += $i
         if ($(i+1) ~ /^failed/) f += $i
         if ($(i+1) ~ /^ignored/) s += $i
       }
     }
     END { printf "summary: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
