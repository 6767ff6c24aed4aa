#!/bin/sh
# GUI benchmark: startup, time to the root listing, time to list a 100,000-
# and a 1,000,000-entry folder, and frame times while scrolling it in the
# real window. Usage: bench/gui.sh
#
# Environment: ISOSCOPE_BIN (the app) [target/debug/isoscope], SCROLL_SECS
# [15], EXTRACT=0 to skip the extraction that runs while the 100k folder is
# scrolled, PROPERTIES=0 to hide the properties panel.
# The images are generated once and cached in $ISOSCOPE_BENCH_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/isoscope-bench); screenshots go there too.
# Each image runs in its own process with a private Xvfb and a fresh HOME,
# so no saved settings (window size, recent files, last destination)
# interfere. xdotool drives the app; ISOSCOPE_FRAME_STATS=1 makes it print
# its own timings to stderr. Needs xorriso, python3, Xvfb, xdotool, import.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${ISOSCOPE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isoscope-bench}
BIN=${ISOSCOPE_BIN:-$ROOT/target/debug/isoscope}
SCROLL_SECS=${SCROLL_SECS:-15}
EXTRACT=${EXTRACT:-1}
PROPERTIES=${PROPERTIES:-1}
EPOCH=1700000000 # 2023-11-14 22:13:20 UTC, every file's mtime and atime
SUMMARY=$CACHE/gui-summary.txt
export LC_ALL=C
mkdir -p "$CACHE"

SRC= RUN= XVFB= APP= NAME=
cleanup() {
    set +e
    [ -n "$APP" ] && kill "$APP" 2>/dev/null && wait "$APP" 2>/dev/null
    [ -n "$XVFB" ] && kill "$XVFB" 2>/dev/null && wait "$XVFB" 2>/dev/null
    rm -rf "$SRC" "$RUN"
    APP= XVFB= SRC= RUN=
}
# A failed run still leaves its row: the app's last words, e.g. a panic.
failed() {
    [ -n "$NAME" ] && [ -n "$RUN" ] || return 0
    why=$(grep -v 'frame stats' "$RUN/err" 2>/dev/null | grep . | head -2 | tr '\n|' ' /')
    echo "| $NAME | FAILED: ${why:-see above} | | | | | | |" >>"$SUMMARY"
}
trap 'rc=$?; [ "$rc" = 0 ] || failed; cleanup; exit $rc' EXIT
trap 'exit 130' INT TERM HUP

# mkimg NAME FILES BIG_MIB: folder big/ with FILES empty files f0000000.txt...
# and, when BIG_MIB > 0, a BIG_MIB MiB file big.bin of seeded pseudo-random
# bytes at the root. The tree is built in tmpfs (/dev/shm) when there is one.
# Dates are fixed through the source mtimes, not xorriso's -volume_date
# all_file_dates (or SOURCE_DATE_EPOCH, which implies it): that pass looks
# every file up by name in a linear list and took >15 min for 1M files.
mkimg() {
    img=$CACHE/$1.iso
    [ -s "$img" ] && return 0
    echo "generating $img ($2 files, big.bin $3 MiB) ..." >&2
    t0=$(date +%s)
    SRC=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
    python3 - "$SRC" "$2" "$3" "$EPOCH" <<'EOF'
import os, random, sys
src, n, mib, t = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
big = os.path.join(src, "big")
os.mkdir(big)
for i in range(n):
    p = "%s/f%07d.txt" % (big, i)
    os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
    os.utime(p, (t, t))
if mib:
    r = random.Random(1)
    with open(os.path.join(src, "big.bin"), "wb") as f:
        for _ in range(mib):
            f.write(r.randbytes(1 << 20))
    os.utime(os.path.join(src, "big.bin"), (t, t))
for d in (big, src):
    os.utime(d, (t, t))
EOF
    xorriso -report_about WARNING -outdev "$img.tmp" -rockridge on -joliet on \
        -volume_date uuid 2023111422132000 -map "$SRC" / -commit >/dev/null 2>&1
    mv "$img.tmp" "$img"
    rm -rf "$SRC"; SRC=
    echo "  done in $(($(date +%s) - t0)) s, $(du -m "$img" | cut -f1) MiB" >&2
}

# wait_for SECS CMD...: retries CMD every 0.1 s; fails after SECS seconds
# or as soon as the app is gone.
wait_for() {
    n=$(($1 * 10)); shift
    until "$@" >/dev/null 2>&1; do
        n=$((n - 1)); [ "$n" -gt 0 ] || { echo "timed out: $*" >&2; return 1; }
        [ -z "$APP" ] || kill -0 "$APP" 2>/dev/null ||
            { echo "the app exited:" >&2; tail -5 "$RUN/err" >&2; return 1; }
        sleep 0.1
    done
}
stats_lines() { grep -c 'isoscope frame stats: n=' "$RUN/err" || true; }
more_stats() { [ "$(stats_lines)" -gt "$1" ]; }
# The table has rows: the first row is striped or selected, i.e. not the
# panel background #1B1B1B that "Listing…" leaves there (x=440 is inside the
# Name column at the default widths, y=112 inside the first row).
rows_shown() {
    px=$(import -window root -crop 1x1+440+112 -depth 8 txt:-) || return 1
    case $px in *'#1B1B1B'*) return 1 ;; *'#'*) return 0 ;; *) return 1 ;; esac
}
now_ms() { date +%s%3N; }

# flush: the app reports every 5 s but only when it paints, and it paints
# only on input; so wiggle the mouse until the report in progress is out.
flush() {
    before=$(stats_lines); i=0
    while ! more_stats "$before" && [ "$i" -lt 100 ]; do
        xdotool mousemove $((480 + i % 2 * 40)) 450; sleep 0.15; i=$((i + 1))
    done
}

# bench NAME FILES EXTRACT?: one image; appends a row to $SUMMARY.
bench() {
    NAME=$1 RUN=$(mktemp -d)
    mkdir -p "$RUN/home/.config"
    # Opened through a symlink so that "extract beside the image" (the
    # dialog's default destination) lands in $RUN, deleted afterwards.
    ln -s "$CACHE/$1.iso" "$RUN/$1.iso"
    Xvfb -displayfd 3 -screen 0 1600x900x24 -nolisten tcp 3>"$RUN/display" >/dev/null 2>&1 &
    XVFB=$!
    wait_for 20 test -s "$RUN/display"
    DISPLAY=:$(cat "$RUN/display"); export DISPLAY
    wait_for 20 xdotool getdisplaygeometry
    export HOME=$RUN/home XDG_CONFIG_HOME=$RUN/home/.config
    unset WAYLAND_DISPLAY
    ISOSCOPE_FRAME_STATS=1 "$BIN" "$RUN/$1.iso" >/dev/null 2>"$RUN/err" &
    APP=$!
    # WM_CLASS is ("", "isoscope"): the instance name is empty, so --class.
    # There is no window manager: we give the window the keyboard focus,
    # once it is mapped (before that X answers BadMatch).
    wait_for 60 xdotool search --onlyvisible --class isoscope
    wait_for 300 grep -q 'root listing visible' "$RUN/err"
    wait_for 10 xdotool search --onlyvisible --class isoscope windowfocus --sync
    xdotool mousemove 500 450 click 1; sleep 0.3 # an empty part of the table
    # The properties panel is on by default (it asks the worker for the
    # selection's names in the other views); PROPERTIES=0 hides it.
    [ "$PROPERTIES" = 1 ] || { xdotool key alt+Return; sleep 0.3; }
    if [ "$3" = 1 ]; then
        # Select all, Ctrl+E. In the dialog nothing has focus: Shift+Tab
        # wraps to its last button (Cancel), again to Extract; Return presses it.
        xdotool key ctrl+a; sleep 0.3; xdotool key ctrl+e; sleep 0.5
        xdotool key shift+Tab; sleep 0.2; xdotool key shift+Tab; sleep 0.2
        xdotool key Return; sleep 0.3
        xdotool mousemove 500 450 click 1; sleep 0.3
    fi
    # Type-to-select "big" (the folder sorts before big.bin), Enter opens it.
    xdotool type --delay 50 big; sleep 0.3
    t0=$(now_ms); xdotool key Return; sleep 0.3
    wait_for 300 rows_shown
    listed=$(($(now_ms) - t0)) # polled every ~0.15 s, at least the 0.3 s settle
    flush # ends the report that holds startup and opening the folder
    mark=$(stats_lines)
    # Scroll: wheel bursts (button 5 down, 4 up) with jumps between them:
    # type-to-select a name scrolls to it (the middle, the last row, the
    # first), Down moves the cursor. End/Home/Page_Down are sent too; the
    # app binds none of them today.
    end=$(($(date +%s) + SCROLL_SECS)); k=1
    while [ "$(date +%s)" -lt "$end" ]; do
        b=5; [ $((k % 4)) = 0 ] && b=4 # after the jump to the last row
        xdotool mousemove 500 450 click --repeat 100 --delay 20 $b
        case $((k % 4)) in
        1) xdotool type --delay 30 "$(printf f%07d $(($2 / 2)))" ;;
        2) xdotool key --delay 50 Down Down Down End Page_Down ;;
        3) xdotool type --delay 30 "$(printf f%07d $(($2 - 1)))" ;;
        0) xdotool key --delay 50 Home; xdotool type --delay 30 f0000000 ;;
        esac
        sleep 1.1 # type-to-select appends to what was typed within 1 s
        k=$((k + 1))
    done
    xdotool click --repeat 100 --delay 20 5
    import -window root "$CACHE/gui-$1.png"
    flush
    wait_for 1 kill -0 "$APP" # still alive?
    w=$(sed -n 's/.*window created \([0-9.]*\) ms.*/\1/p' "$RUN/err" | head -1)
    r=$(sed -n 's/.*root listing visible \([0-9.]*\) ms.*/\1/p' "$RUN/err" | head -1)
    grep 'isoscope frame stats: n=' "$RUN/err" | tail -n +$((mark + 1)) >"$RUN/scroll"
    sed 's/^/  /' "$RUN/scroll" >&2
    awk -v img="$1" -v w="$w" -v r="$r" -v l="$listed" '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v = kv[2] + 0
              if (kv[1] == "n") n += v
              else if (!(kv[1] in m) || v > m[kv[1]]) m[kv[1]] = v } }
        END { printf "| %s | %s | %s | %d | %d | %.2f | %.2f | %.2f |\n",
              img, w, r, l, n, m["p50"], m["p99"], m["max"] }
    ' "$RUN/scroll" >>"$SUMMARY"
    echo "screenshot: $CACHE/gui-$1.png"
}

if [ "${1:-}" = --one ]; then shift; bench "$@"; exit; fi
mkimg flat-100k 100000 200
mkimg flat-1m 1000000 0
[ -x "$BIN" ] || { echo "no app binary at $BIN (set ISOSCOPE_BIN)" >&2; exit 1; }
: >"$SUMMARY"
status=0
sh "$0" --one flat-100k 100000 "$EXTRACT" || status=1
sh "$0" --one flat-1m 1000000 0 || status=1
echo
echo "binary: $BIN ($(date -u -r "$BIN" '+built %Y-%m-%d %H:%M UTC')), $(nproc) cores, Xvfb 1600x900, window 1100x700"
echo "properties panel: $([ "$PROPERTIES" = 1 ] && echo on || echo off); frames: the worst p50/p99/max of the 5-s reports while scrolling$([ "$EXTRACT" = 1 ] && echo ', 100k: extracting meanwhile')"
echo "| image | window created (ms) | root visible (ms) | big/ listed (ms) | frames | p50 (ms) | p99 (ms) | max (ms) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
cat "$SUMMARY"
exit $status
