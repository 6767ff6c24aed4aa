#!/bin/sh
# Listing benchmark: isoscope-cli against 7-Zip, bsdtar and xorriso on a
# ~100,000-entry Rock Ridge + Joliet image. Usage: bench/list.sh
#
# The image is generated once and cached in $ISOSCOPE_BENCH_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/isoscope-bench). Needs xorriso, 7z,
# bsdtar; hyperfine when installed (else a median of RUNS plain runs);
# /usr/bin/time for peak memory. Every command writes to /dev/null.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${ISOSCOPE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isoscope-bench}
DIRS=${DIRS:-1000}
FILES=${FILES:-100}
RUNS=${RUNS:-10}
IMG=$CACHE/list-${DIRS}x${FILES}.iso
export LC_ALL=C

if [ ! -s "$IMG" ]; then
    echo "generating $IMG ($DIRS dirs x $FILES files) ..." >&2
    mkdir -p "$CACHE"
    SRC=$(mktemp -d)
    i=0
    while [ "$i" -lt "$DIRS" ]; do
        d=$SRC/dir$(printf %04d "$i")
        mkdir "$d"
        (cd "$d" && touch $(seq -f 'file%03g.txt' 0 $((FILES - 1))))
        i=$((i + 1))
    done
    printf 'tiny\n' > "$SRC/dir0000/file000.txt"
    xorriso -report_about WARNING -outdev "$IMG.tmp" -rockridge on -joliet on \
        -map "$SRC" / -commit >/dev/null 2>&1
    mv "$IMG.tmp" "$IMG"
    rm -rf "$SRC"
fi

echo "building isoscope-cli --release ..." >&2
(cd "$ROOT" && cargo build --release -q -p isoscope-cli)
CLI=$ROOT/target/release/isoscope-cli

ENTRIES=$("$CLI" ls -r "$IMG" | wc -l)
echo "image: $IMG ($(du -k "$IMG" | cut -f1) KiB, $ENTRIES entries below the root, views: $("$CLI" info --json "$IMG" | sed 's/.*"views":\[\([^]]*\)\].*/\1/'))"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -sr), warm cache"
echo

NAMES="isoscope-cli-ls-r isoscope-cli-ls-json-r 7z-l bsdtar-tf xorriso-find"
cmd() {
    case $1 in
    isoscope-cli-ls-r) echo "$CLI ls -r $IMG" ;;
    isoscope-cli-ls-json-r) echo "$CLI ls --json -r $IMG" ;;
    7z-l) echo "7z l $IMG" ;;
    bsdtar-tf) echo "bsdtar -tf $IMG" ;;
    xorriso-find) echo "xorriso -indev $IMG -find /" ;;
    esac
}

OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for n in $NAMES; do
    c=$(cmd "$n")
    sh -c "$c" >/dev/null 2>&1 # warm the cache
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine -N --warmup 2 --runs "$RUNS" --style none --output null \
            --export-json "$OUT.json" "$c" >/dev/null 2>&1
        med=$(sed -n 's/.*"median": *\([0-9.e-]*\).*/\1/p' "$OUT.json" | head -1)
        usr=$(sed -n 's/.*"user": *\([0-9.e-]*\).*/\1/p' "$OUT.json" | head -1)
        sys=$(sed -n 's/.*"system": *\([0-9.e-]*\).*/\1/p' "$OUT.json" | head -1)
        cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { print u + s }')
    else
        med=$(i=0; while [ "$i" -lt "$RUNS" ]; do
            s=$(date +%s.%N); sh -c "$c" >/dev/null 2>&1; e=$(date +%s.%N)
            echo "$e - $s" | bc; i=$((i + 1)); done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
        cpu=0
    fi
    rss=$( { /usr/bin/time -f %M sh -c "exec $c >/dev/null 2>/dev/null"; } 2>&1 | tail -1)
    echo "$n $med $rss $cpu" >> "$OUT"
done
rm -f "$OUT.json"

best_peer=$(grep -v '^isoscope' "$OUT" | sort -k2 -g | head -1)
peer_name=${best_peer%% *}
peer_time=$(echo "$best_peer" | cut -d' ' -f2)
peer_cpu=$(echo "$best_peer" | cut -d' ' -f4)
echo "| command | median wall (ms) | vs fastest peer ($peer_name) | mean CPU user+sys (ms) | CPU vs that peer | max RSS (MiB) |"
echo "|---|---:|---:|---:|---:|---:|"
while read -r n t m c; do
    awk -v n="$(cmd "$n" | sed "s|$CLI|isoscope-cli|; s|$IMG|IMAGE|")" -v t="$t" -v p="$peer_time" -v m="$m" -v c="$c" -v pc="$peer_cpu" \
        'BEGIN { printf "| `%s` | %.1f | %.3f | %.1f | %.3f | %.1f |\n", n, t * 1000, t / p, c * 1000, (pc > 0 ? c / pc : 0), m / 1024 }'
done < "$OUT"
echo
echo "tree memory (isoscope-cli ls --stats):"
"$CLI" ls --stats "$IMG" 2>&1 >/dev/null | sed 's/^/  /'
