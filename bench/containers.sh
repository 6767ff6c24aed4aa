#!/usr/bin/env bash
# Container benchmark (issue 11): the same 100,000-file tree as a plain ISO
# and as a raw 2352-byte BIN/CUE (Mode 1, EDC/ECC), listed and extracted
# by isoscope-cli; and `isoscope-cli convert` against bchunk on the BIN.
#
#   bench/containers.sh
#
# Environment (defaults in brackets):
#   BENCH_DIR   images and destinations [/var/tmp/isoscope-bench]
#   N_SMALL     files [100000];  SMALL_AVG  their mean size [20000]
#   REPS        runs per measurement, the best is kept [3]
#   ISOSCOPE    the isoscope-cli binary [target/release/isoscope-cli]
# Warm cache: each image is read once before it is timed. Prints the
# times and the ratios BIN/ISO (target: at most 1.3) and convert/bchunk
# (target: at most 1.0).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/var/tmp/isoscope-bench}
N_SMALL=${N_SMALL:-100000}
SMALL_AVG=${SMALL_AVG:-20000}
REPS=${REPS:-3}
ISOSCOPE=${ISOSCOPE:-target/release/isoscope-cli}
mkdir -p "$BENCH_DIR"
command -v bchunk >/dev/null || apt-get install -y bchunk >/dev/null
[ -x "$ISOSCOPE" ] || cargo build --release -p isoscope-cli

iso=$BENCH_DIR/small-${N_SMALL}.iso
if [ ! -f "$iso" ]; then
    src=$BENCH_DIR/small-src
    rm -rf "$src"
    # The tree of bench/extract.sh (same seed, same layout).
    python3 - "$src" "$N_SMALL" "$SMALL_AVG" <<'PY'
import os, random, sys
root, n, avg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(1)
pool = rng.randbytes(1 << 20)
for i in range(n):
    d = os.path.join(root, f"d{i // 1000:03d}", f"s{(i // 100) % 10}")
    if i % 100 == 0:
        os.makedirs(d, exist_ok=True)
    size = rng.randrange(0, 2 * avg)
    off = rng.randrange(0, len(pool) - 2 * avg)
    with open(os.path.join(d, f"file-{i:06d}.dat"), "wb") as f:
        f.write(pool[off:off + size])
PY
    xorriso -as mkisofs -quiet -R -J -joliet-long -o "$iso" "$src"
    rm -rf "$src"
fi
bin=$BENCH_DIR/small-${N_SMALL}.bin
cue=$BENCH_DIR/small-${N_SMALL}.cue
if [ ! -f "$bin" ]; then
    cargo run -q --release -p iso-core --example raw_encode -- "$iso" "$bin"
fi
printf 'FILE "%s" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' "$(basename "$bin")" > "$cue"

# wall-clock seconds of one run of a command
once() {
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc
}
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc)" = 1 ]; then echo "$2"; else echo "$1"; fi; }
ratio() { echo "scale=2; $1 / $2" | bc; }

cat "$iso" "$bin" > /dev/null   # warm the cache
dest=$BENCH_DIR/containers-out
ext() { rm -rf "$dest"; "$ISOSCOPE" extract "$1" -o "$dest" -q; }
conv() { rm -f "$dest.iso"; "$ISOSCOPE" convert "$1" -o "$dest.iso"; }
bch() { rm -f "$dest"-b*.iso; (cd "$BENCH_DIR" && bchunk "$(basename "$bin")" "$(basename "$cue")" containers-out-b); }

# The runs are interleaved (ISO, BIN, ISO, BIN ...) and the best of each
# kept, so a busy moment of a shared machine does not fall on one side.
ls_iso=""; ls_cue=""; ex_iso=""; ex_cue=""; cv=""; bc_=""
for _ in $(seq "$REPS"); do
    ls_iso=$(min "$ls_iso" "$(once "$ISOSCOPE" ls -r "$iso")")
    ls_cue=$(min "$ls_cue" "$(once "$ISOSCOPE" ls -r "$cue")")
    ex_iso=$(min "$ex_iso" "$(once ext "$iso")")
    ex_cue=$(min "$ex_cue" "$(once ext "$cue")")
    cv=$(min "$cv" "$(once conv "$cue")")
    bc_=$(min "$bc_" "$(once bch)")
done
cmp "$dest.iso" "$iso"
cmp "$dest"-b01.iso "$iso"
rm -rf "$dest" "$dest.iso" "$dest"-b*.iso

echo "files: $N_SMALL  ISO: $(stat -c %s "$iso") bytes  BIN: $(stat -c %s "$bin") bytes  (best of $REPS interleaved runs, warm cache, load $(cut -d" " -f1 /proc/loadavg))"
printf '| work | plain .iso (s) | BIN/CUE (s) | BIN / ISO |\n|---|---:|---:|---:|\n'
printf '| ls -r | %s | %s | %s |\n' "$ls_iso" "$ls_cue" "$(ratio "$ls_cue" "$ls_iso")"
printf '| extract | %s | %s | %s |\n' "$ex_iso" "$ex_cue" "$(ratio "$ex_cue" "$ex_iso")"
printf '\n| convert BIN/CUE to ISO | isoscope-cli convert (s) | bchunk (s) | isoscope / bchunk |\n|---|---:|---:|---:|\n'
printf '| | %s | %s | %s |\n' "$cv" "$bc_" "$(ratio "$cv" "$bc_")"
