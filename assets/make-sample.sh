#!/bin/sh
# Builds assets/sample.iso: a small ISO 9660 image with Rock Ridge and Joliet,
# made by xorriso from a tree created here with fixed dates and ids, and the
# ground-truth listings the GUI tests compare against: assets/sample.lsdl
# (xorriso's own `-find -exec lsdl` over the Rock Ridge tree) and isoinfo's
# plain ISO 9660 and Joliet names.
# Needs: xorriso, isoinfo (genisoimage), ImageMagick (convert), GNU md5sum. Re-run after editing; outputs are committed.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t="$work/tree"
mkdir -p "$t/docs/guides" "$t/pictures" "$t/src/lib" "$t/empty"
printf 'Isoscope sample image\n=====================\n\nThis disc holds a few folders, text files and a picture\nso that browsing, preview and extraction have something to show.\n' > "$t/README.txt"
for i in $(seq 1 40); do echo "Line $i of the user guide: open an image, browse it like a folder, extract what you need."; done > "$t/docs/guides/user-guide.txt"
printf '# Release notes\n\n- 0.1.0: first release\n' > "$t/docs/NOTES.md"
printf 'fn main() {\n    println!("hello from the sample disc");\n}\n' > "$t/src/main.rs"
printf 'pub fn answer() -> u32 {\n    42\n}\n' > "$t/src/lib/answer.rs"
# A binary file for the hex view: 48 KiB of a repeating byte pattern.
python3 -c "import sys; sys.stdout.buffer.write(bytes(range(256))*192)" > "$t/data.bin"
convert -size 160x120 gradient:'#3b82c4'-'#f2b233' -fill white -stroke '#1d4f7a' -strokewidth 3 \
  -draw 'circle 80,60 80,20' -strip PNG24:"$t/pictures/gradient.png"
cp isoscope.png "$t/pictures/icon.png"
ln -s ../README.txt "$t/docs/readme-link"
# The disc's own checksum list, as Debian and Ubuntu discs carry one, made
# by GNU md5sum: Tools ▸ Verify checks every file it names.
(cd "$t" && find . -type f | LC_ALL=C sort | xargs md5sum > "$work/md5sum.txt")
mv "$work/md5sum.txt" "$t/md5sum.txt"
find "$t" -exec touch -h -d '2024-03-15 12:34:56 UTC' {} +
touch -d '2023-01-02 03:04:05 UTC' "$t/docs/NOTES.md"
rm -f sample.iso
SOURCE_DATE_EPOCH=1710506096 xorriso -as mkisofs -quiet -no-pad -R -J -V ISOSCOPE_SAMPLE \
  -publisher 'Isoscope project' -A 'make-sample.sh' -o sample.iso "$t" 2>/dev/null
xorriso -indev sample.iso -find / -exec lsdl -- 2>/dev/null | LC_ALL=C sort -t"'" -k2 > sample.lsdl
# The plain ISO 9660 and Joliet names, by isoinfo (genisoimage), for the
# properties panel's "In the image's views" test.
isoinfo -f -i sample.iso > sample.iso9660.txt
isoinfo -J -f -i sample.iso > sample.joliet.txt
ls -l sample.iso sample.lsdl sample.iso9660.txt sample.joliet.txt
