#!/bin/sh
# Builds Isoscope.app and a compressed DMG on a Mac:
#   dmg/build.sh [OUTDIR]        (default target/dmg)
# 1. release binaries of isoscope and isoscope-cli: a universal2 pair (lipo)
#    when both aarch64-apple-darwin and x86_64-apple-darwin are installed
#    (`rustup target add …`), else for this Mac's own architecture;
# 2. Isoscope.app: Contents/MacOS/{isoscope,isoscope-cli}, Contents/Info.plist
#    (dmg/Info.plist with both version keys set from Cargo.toml),
#    Contents/Resources/isoscope.icns (dmg/make-icns.sh), Contents/PkgInfo;
# 3. Isoscope-VERSION.dmg (hdiutil, UDZO) holding the app and a link to
#    /Applications to drag it onto.
# The app is not signed or notarised: Gatekeeper asks once (right-click ▸
# Open). Sign with `codesign --deep -s IDENTITY OUTDIR/Isoscope.app` first if
# you have an identity.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/target/dmg}
[ "$(uname -s)" = Darwin ] || { echo "dmg/build.sh runs on macOS (hdiutil, lipo, iconutil)" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -1)
[ -n "$version" ] || { echo "no version in Cargo.toml" >&2; exit 1; }
cd "$here"

installed=$(rustup target list --installed 2>/dev/null || true)
targets=
for t in aarch64-apple-darwin x86_64-apple-darwin; do
  if echo "$installed" | grep -qx "$t"; then targets="$targets $t"; fi
done
mkdir -p "$out"
bins="$out/bin"
rm -rf "$bins" && mkdir -p "$bins"
set -- $targets
if [ $# -eq 2 ]; then
  for t in "$@"; do cargo build --release --target "$t" -p isoscope -p isoscope-cli; done
  for b in isoscope isoscope-cli; do
    lipo -create -output "$bins/$b" "target/$1/release/$b" "target/$2/release/$b"
  done
  echo "universal2 binaries ($1 + $2)"
else
  cargo build --release -p isoscope -p isoscope-cli
  cp target/release/isoscope target/release/isoscope-cli "$bins/"
  echo "binaries for $(uname -m) only (add both targets with rustup for universal2)"
fi

app="$out/Isoscope.app"
rm -rf "$app"
mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
cp "$bins/isoscope" "$bins/isoscope-cli" "$app/Contents/MacOS/"
cp dmg/Info.plist "$app/Contents/Info.plist"
plutil -replace CFBundleShortVersionString -string "$version" "$app/Contents/Info.plist"
plutil -replace CFBundleVersion -string "$version" "$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"
printf 'APPL????' > "$app/Contents/PkgInfo"
sh dmg/make-icns.sh
mv dmg/isoscope.icns "$app/Contents/Resources/isoscope.icns"

stage="$out/stage"
rm -rf "$stage" && mkdir -p "$stage"
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
dmg="$out/Isoscope-$version.dmg"
rm -f "$dmg"
hdiutil create -volname "Isoscope $version" -srcfolder "$stage" -format UDZO -ov "$dmg"
rm -rf "$stage"
echo "built $dmg"
