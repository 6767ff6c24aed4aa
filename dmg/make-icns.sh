#!/bin/sh
# Makes dmg/isoscope.icns (Isoscope.app's icon, CFBundleIconFile) from the
# icon's PNG renderings in assets/linux/icons (drawn from the same shapes as
# assets/isoscope.png, see assets/linux/make-icons.sh): on a Mac with
# iconutil from an .iconset folder, elsewhere with png2icns (icnsutils).
set -eu
cd "$(dirname "$0")"
icons=../assets/linux/icons
out=isoscope.icns
if command -v iconutil >/dev/null 2>&1; then
  set_dir=$(mktemp -d)/isoscope.iconset
  mkdir -p "$set_dir"
  for s in 16 32 128 256 512; do
    cp "$icons/${s}x${s}/org.isoscope.Isoscope.png" "$set_dir/icon_${s}x${s}.png"
    d=$((s * 2))
    if [ -f "$icons/${d}x${d}/org.isoscope.Isoscope.png" ]; then
      cp "$icons/${d}x${d}/org.isoscope.Isoscope.png" "$set_dir/icon_${s}x${s}@2x.png"
    fi
  done
  iconutil -c icns -o "$out" "$set_dir"
elif command -v png2icns >/dev/null 2>&1; then
  png2icns "$out" $(for s in 16 32 128 256 512; do echo "$icons/${s}x${s}/org.isoscope.Isoscope.png"; done) >/dev/null
else
  echo "make-icns.sh: needs iconutil (macOS) or png2icns (apt-get install icnsutils)" >&2
  exit 1
fi
ls -l "$out"
