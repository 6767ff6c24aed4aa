#!/usr/bin/env bash
# Extraction and hashing benchmark: isoscope against 7-Zip, bsdtar and
# xorriso, and against the floors (cat of the image, cp -r of the tree).
#
#   bench/extract.sh            # build the images if missing, run everything
#
# Environment (defaults in brackets):
#   BENCH_DIR    where the images and the disk destination live [/var/tmp/isoscope-bench]
#   BENCH_TMPFS  a tmpfs mount point (mounted here when root) [/mnt/isoscope-bench]
#   TMPFS_SIZE   its size [16g]
#   N_SMALL      files in image (a) [100000];  SMALL_AVG  their mean size [20000]
#   BIG_SIZES    file sizes in image (b) [4700M 1200M]
#   REPS         runs per tool, the best is kept [1]
#   ISOSCOPE     the isoscope-cli binary [target/release/isoscope-cli]
#   TARGETS      where to extract: "tmpfs disk" [tmpfs disk]
# Warm cache: every image is read once before it is timed.
# Prints one table per image and destination; ratios are tool / isoscope.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/var/tmp/isoscope-bench}
BENCH_TMPFS=${BENCH_TMPFS:-/mnt/isoscope-bench}
TMPFS_SIZE=${TMPFS_SIZE:-16g}
N_SMALL=${N_SMALL:-100000}
SMALL_AVG=${SMALL_AVG:-20000}
BIG_SIZES=${BIG_SIZES:-"4700M 1200M"}
REPS=${REPS:-1}
ISOSCOPE=${ISOSCOPE:-target/release/isoscope-cli}
TARGETS=${TARGETS:-"tmpfs disk"}
mkdir -p "$BENCH_DIR"

if [ ! -x "$ISOSCOPE" ] && [ -z "${ONLY_IMAGES:-}" ]; then
    cargo build --release -p isoscope-cli
fi

# ---- images ---------------------------------------------------------------
small_img=$BENCH_DIR/small-${N_SMALL}.iso
big_img=$BENCH_DIR/big-$(echo "$BIG_SIZES" | tr ' ' '+').iso

if [ ! -f "$small_img" ]; then
    src=$BENCH_DIR/small-src
    rm -rf "$src"
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
    xorriso -as mkisofs -quiet -R -J -joliet-long -o "$small_img" "$src"
    rm -rf "$src"
fi

if [ ! -f "$big_img" ]; then
    src=$BENCH_DIR/big-src
    rm -rf "$src"; mkdir -p "$src"
    i=0
    for s in $BIG_SIZES; do
        i=$((i + 1))
        # Incompressible, fast: AES-CTR keystream.
        head -c "$s" /dev/zero | openssl enc -aes-128-ctr -nosalt -pass pass:$i -pbkdf2 > "$src/big-$i.bin" 2>/dev/null \
            || head -c "$s" /dev/urandom > "$src/big-$i.bin"
    done
    xorriso -as mkisofs -quiet -R -J -iso-level 3 -o "$big_img" "$src"
    rm -rf "$src"
fi

[ -n "${ONLY_IMAGES:-}" ] && { ls -l "$small_img" "$big_img"; exit 0; }

# ---- destinations ---------------------------------------------------------
if ! mountpoint -q "$BENCH_TMPFS" 2>/dev/null; then
    mkdir -p "$BENCH_TMPFS"
    mount -t tmpfs -o size="$TMPFS_SIZE" tmpfs "$BENCH_TMPFS" 2>/dev/null || {
        echo "note: cannot mount tmpfs at $BENCH_TMPFS; using it as a plain directory" >&2
    }
fi
dest_root() { case $1 in tmpfs) echo "$BENCH_TMPFS" ;; disk) echo "$BENCH_DIR/out" ;; esac; }

# ---- timing ----------------------------------------------------------------
# time_cmd NAME CMD... : best wall time of REPS runs into $D (emptied before each run);
# prints "NAME seconds maxrss_kb".
time_cmd() {
    local name=$1; shift
    local best="" rss=0
    for _ in $(seq "$REPS"); do
        rm -rf "$D"; mkdir -p "$D"; sync
        local out
        /usr/bin/time -o "$BENCH_DIR/time.txt" -f "%e %M" "$@" >/dev/null 2>&1 || true
        out=$(tail -1 "$BENCH_DIR/time.txt")
        local t=${out% *} m=${out#* }
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
    echo "$name|$best|$rss"
}

# stdin: "NAME|SECONDS|RSS" lines, the first one the base. RATIO=inv
# prints base/this (isoscope ÷ tool), else this/base.
report() {
    awk -F'|' -v inv="${RATIO:-}" 'NR==1{base=$2} {t=$2;
        ratio = inv ? (t>0 ? base/t : 0) : (base>0 ? t/base : 0);
        printf "| %-30s | %8.2f s | %6.2f | %9d KiB |\n", $1, t, ratio, $3}'
}

echo "# $(date -u +%FT%TZ) $(uname -r) $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# isoscope $($ISOSCOPE --version 2>/dev/null || echo '?'); $(xorriso -version 2>&1 | head -1 | cut -c1-30); $(7z 2>&1 | sed -n 2p | cut -c1-22); $(bsdtar --version | cut -d' ' -f1-2)"

for img in "$small_img" "$big_img"; do
    cat "$img" > /dev/null   # warm cache
    size=$(stat -c %s "$img")
    for target in $TARGETS; do
        root=$(dest_root "$target")
        mkdir -p "$root"
        D=$root/x
        echo
        echo "## $(basename "$img") ($((size / 1048576)) MiB) into $target ($root)"
        echo "| tool                           |       time | isoscope ÷ tool |   max RSS |"
        echo "|--------------------------------|------------|--------|---------------|"
        {
            time_cmd isoscope-cli "$ISOSCOPE" extract "$img" -o "$D" --quiet
            time_cmd "7z x" 7z x -y -o"$D" "$img"
            time_cmd "bsdtar -xf" bsdtar -xf "$img" -C "$D"
            time_cmd "xorriso -extract" xorriso -osirrox on -indev "$img" -extract / "$D"
            time_cmd "cat image (floor)" sh -c "cat '$img' > '$D/one-file'"
            # cp -r of the tree that isoscope extracted.
            rm -rf "$root/tree"; "$ISOSCOPE" extract "$img" -o "$root/tree" --quiet
            time_cmd "cp -r tree (floor)" cp -r "$root/tree" "$D/copy"
            rm -rf "$root/tree"
        } | RATIO=inv report
        rm -rf "$D"
    done
done

echo
echo "## hashing (warm cache)"
echo "| command                        |       time | ÷ sha256sum |   max RSS |"
echo "|--------------------------------|------------|--------|---------------|"
D=$BENCH_TMPFS/x
{
    time_cmd "sha256sum" sha256sum "$big_img"
    time_cmd "isoscope verify (4 digests)" "$ISOSCOPE" verify "$big_img"
    time_cmd "isoscope verify --algo sha256" "$ISOSCOPE" verify "$big_img" --algo sha256
    time_cmd "md5sum" md5sum "$big_img"
    time_cmd "sha512sum" sha512sum "$big_img"
} | report
