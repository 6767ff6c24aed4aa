#!/bin/sh
# Builds small.iso.gz, the CLI tests' fixture, and the expected listings,
# all with third-party tools (xorriso, isoinfo). Run from this directory;
# commit the outputs. Needs: xorriso, isoinfo (genisoimage), gzip.
#
# The image: plain ISO 9660 + Joliet (no Rock Ridge), a few files and
# directories, every date fixed at 2020-01-02 03:04:05 UTC.
set -eu
cd "$(dirname "$0")"
export TZ=UTC LC_ALL=C
SRC=$(mktemp -d)
trap 'rm -rf "$SRC"' EXIT

mkdir -p "$SRC/docs/deep" "$SRC/empty"
printf 'hello, world\n' > "$SRC/hello.txt"
printf 'Joliet keeps long mixed-case names.\n' > "$SRC/docs/Long Name Document.txt"
printf 'deep\n' > "$SRC/docs/deep/leaf.dat"
# 70,000 bytes: spans several sectors; a known pattern for `cat`.
awk 'BEGIN { for (i = 0; i < 7000; i++) printf "%09d\n", i }' > "$SRC/docs/numbers.txt"
: > "$SRC/zero.bin"
find "$SRC" -exec touch -h -d '2020-01-02 03:04:05' {} +

rm -f small.iso small.iso.gz
SOURCE_DATE_EPOCH=1577934245 xorriso -report_about WARNING \
  -outdev small.iso \
  -rockridge off -joliet on \
  -volid SMALL_FIXTURE -publisher ISOSCOPE_TESTS -application_id MAKE_SH \
  -map "$SRC" / \
  -commit

# Ground truth, from the tools:
# - the plain ISO 9660 tree and the Joliet tree as xorriso lists them
#   (type, permissions, size, path);
xorriso -report_about WARNING -read_fs ecma119 -indev small.iso \
  -find / -exec lsdl > small.iso9660.lsdl 2>/dev/null
xorriso -report_about WARNING -read_fs norock -indev small.iso \
  -find / -exec lsdl > small.joliet.lsdl 2>/dev/null
# - the volume descriptor as isoinfo reads it.
isoinfo -d -i small.iso > small.isoinfo-d.txt
isoinfo -l -i small.iso > small.isoinfo-l.txt
isoinfo -l -J -i small.iso > small.isoinfo-lJ.txt

# - its SHA-256, for `verify --against`.
sha256sum small.iso > small.iso.sha256

gzip -9n small.iso
