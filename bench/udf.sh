#!/bin/sh
# UDF benchmark: isoscope-cli against 7-Zip's UDF reader, side by side in
# one run. Usage: bench/udf.sh
#
#  (a) a 100,000-file UDF 1.02 bridge (genisoimage -R -J -udf; 1000 folders
#      of 100 empty files): `isoscope-cli ls -r --view udf` against
#      `7z l -tudf`, and the tree's memory per entry (`ls --stats`);
#  (b) a 49 GB Blu-ray-shaped UDF 2.50 image (udfkit: BDMV tree with a
#      metadata partition and its mirror; the 48 GB stream written with
#      seeks over its holes, so the image is sparse): `isoscope-cli info`,
#      `ls -r --view udf` against `7z l -tudf`.
#
# Images are cached in $ISOSCOPE_BENCH_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/isoscope-bench; (b) needs a file system
# with sparse files). Needs genisoimage, 7z, python3 with udfkit; hyperfine
# when installed (else the median of RUNS plain runs). Ratios are
# tool / isoscope. ISOSCOPE=path picks the binary (default: a release
# build, made here).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${ISOSCOPE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isoscope-bench}
DIRS=${DIRS:-1000}
FILES=${FILES:-100}
RUNS=${RUNS:-5}
BRIDGE=$CACHE/udf-bridge-${DIRS}x${FILES}.iso
BD=$CACHE/udf-bd-49g.iso
export LC_ALL=C
mkdir -p "$CACHE"

if [ ! -s "$BRIDGE" ]; then
    echo "generating $BRIDGE ($DIRS dirs x $FILES files) ..." >&2
    SRC=$(mktemp -d)
    python3 - "$SRC" "$DIRS" "$FILES" <<'PY'
import os, sys
root, dirs, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for d in range(dirs):
    p = os.path.join(root, "dir%04d" % d)
    os.mkdir(p)
    for f in range(files):
        open(os.path.join(p, "file%03d.txt" % f), "w").close()
with open(os.path.join(root, "dir0000", "file000.txt"), "w") as f:
    f.write("tiny\n")
PY
    genisoimage -quiet -R -J -udf -o "$BRIDGE.tmp" "$SRC"
    mv "$BRIDGE.tmp" "$BRIDGE"
    rm -rf "$SRC"
fi

if [ ! -s "$BD" ]; then
    echo "generating $BD (sparse, 49 GB) ..." >&2
    SRC=$(mktemp -d)
    mkdir -p "$SRC/BDMV/STREAM" "$SRC/BDMV/PLAYLIST" "$SRC/BDMV/CLIPINF" "$SRC/CERTIFICATE"
    printf 'INDX0200' >"$SRC/BDMV/index.bdmv"
    printf 'MOBJ0200' >"$SRC/BDMV/MovieObject.bdmv"
    for n in $(seq -w 0 199); do
        printf 'MPLS0200' >"$SRC/BDMV/PLAYLIST/00$n.mpls"
        printf 'HDMV0200' >"$SRC/BDMV/CLIPINF/00$n.clpi"
        printf 'G' >"$SRC/BDMV/STREAM/00$n.m2ts"
    done
    truncate -s 48G "$SRC/BDMV/STREAM/00800.m2ts"
    printf 'G' | dd of="$SRC/BDMV/STREAM/00800.m2ts" conv=notrunc status=none
    python3 - "$SRC" "$BD.tmp" <<'PY'
import os, sys, datetime, udfkit.bluray as b

def copy(node, out, progress):
    # Copy only the source's data segments; seek over its holes.
    start = out.tell()
    with open(node.src, "rb") as f:
        fd, pos = f.fileno(), 0
        while pos < node.size:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            hole = min(os.lseek(fd, data, os.SEEK_HOLE), node.size)
            f.seek(data)
            out.seek(start + data)
            out.write(f.read(hole - data))
            pos = hole
    out.seek(start + node.size)
    progress(node.size)

b._copy_file = copy
date = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
b.write_image(sys.argv[1], sys.argv[2], "BENCH_BD", date=date)
PY
    mv "$BD.tmp" "$BD"
    rm -rf "$SRC"
fi

if [ -z "${ISOSCOPE:-}" ]; then
    echo "building isoscope-cli --release ..." >&2
    (cd "$ROOT" && cargo build --release -q -p isoscope-cli)
    ISOSCOPE=$ROOT/target/release/isoscope-cli
fi
CLI=$ISOSCOPE

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -sr), warm cache, $CLI"

# seconds CMD...: the median wall time of RUNS runs (hyperfine when there;
# failures ignored: 7z exits 2 on udfkit's images while listing them all).
# With hyperfine, CPU seconds (user + system, mean) go to $CPU_FILE too:
# on a shared machine wall time waits for the CPU, CPU time does not.
CPU_FILE=$(mktemp)
seconds() {
    if command -v hyperfine >/dev/null; then
        hyperfine -N -i -w 1 -r "$RUNS" --export-json /tmp/udf-bench.json "$*" >/dev/null 2>&1
        python3 - "$CPU_FILE" <<'PY'
import json, sys
r = json.load(open("/tmp/udf-bench.json"))["results"][0]
open(sys.argv[1], "a").write("%.4f\n" % (r["user"] + r["system"]))
print("%.4f" % r["median"])
PY
    else
        for _ in $(seq "$RUNS"); do
            s=$(date +%s.%N)
            sh -c "$* >/dev/null 2>&1" || true
            e=$(date +%s.%N)
            echo "$e - $s" | bc
        done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
    fi
}

row() { # row LABEL OURS THEIRS: wall times, then the last two CPU times
    printf '  %-34s wall %8.4f s  7z %8.4f s  7z/isoscope %5.2f\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"
    if [ -s "$CPU_FILE" ]; then
        a=$(tail -2 "$CPU_FILE" | head -1)
        b=$(tail -1 "$CPU_FILE")
        printf '  %-34s cpu  %8.4f s  7z %8.4f s  7z/isoscope %5.2f\n' "" "$a" "$b" "$(echo "$b / $a" | bc -l)"
    fi
}

# Warm cache: the bridge is read once; the Blu-ray image is 49 GB of
# holes and is warmed by the first listing (hyperfine's warm-up run).
cat "$BRIDGE" >/dev/null

echo
echo "(a) $BRIDGE: $(du -k "$BRIDGE" | cut -f1) KiB, $("$CLI" ls -r --view udf "$BRIDGE" | wc -l) UDF entries, $("$CLI" info --json "$BRIDGE" | python3 -c 'import json,sys;print(json.load(sys.stdin)["format"])')"
ours=$(seconds "$CLI" ls -r --view udf "$BRIDGE")
theirs=$(seconds 7z l -tudf "$BRIDGE")
row "ls -r --view udf vs 7z l -tudf" "$ours" "$theirs"
"$CLI" ls -r --view udf --stats "$BRIDGE" 2>&1 >/dev/null | sed 's/^/  /'
echo "  7z entries: $(7z l -tudf "$BRIDGE" | tail -1)"

echo
echo "(b) $BD: $(ls -l "$BD" | awk '{print $5}') bytes apparent, $(du -k "$BD" | cut -f1) KiB on disk, $("$CLI" ls -r --view udf "$BD" | wc -l) UDF entries"
info=$(seconds "$CLI" info "$BD")
printf '  %-40s %9.4f s\n' "info" "$info"
ours=$(seconds "$CLI" ls -r --view udf "$BD")
theirs=$(seconds 7z l -tudf "$BD")
row "ls -r --view udf vs 7z l -tudf" "$ours" "$theirs"
