#!/usr/bin/env bash
# Checks Isoscope's packaging on Linux, including the Windows build under Wine:
#   scripts/check-packaging.sh [OUTDIR]     (default target/packaging)
# Leaves in OUTDIR the MSI (isoscope.msi), the screenshot of isoscope.exe
# under Wine (wine-isoscope.png), logs, and timings.txt (seconds per step).
#
#  1. system packages (as root, after apt-get update, when missing)
#  2. Linux files: desktop-file-validate, appstreamcli validate, MIME XML
#  3. dmg/Info.plist parsed with plistlib: ids, version, document types, services
#  4. Linux build; scripts/install-linux.sh into a temporary prefix, then
#     `xdg-mime default` + `xdg-mime query default` with XDG dirs there; --uninstall
#  5. the GUI opens a path given as an argument (Xvfb, ISOSCOPE_PROBE rows)
#  6. batch modes: --extract-here next to a copy of the sample (twice: no
#     overwrite) and --extract-to --dest, checked against the disc's md5sum.txt
#  7. Windows GNU build (debug) of both binaries; PE subsystems (GUI / console)
#  8. wix/main.wxs compiled with wixl; the MSI's tables checked (msiinfo export)
#  9. Wine: isoscope-cli.exe info / ls / extract against the Linux build's output;
#     isoscope.exe on the sample under Xvfb, screenshot; msiexec /i /qn, reg query
# 10. cross-target clippy: x86_64-pc-windows-msvc, aarch64-apple-darwin,
#     x86_64-apple-darwin (a target that cannot be installed is reported loudly)
#
# Needs a Rust toolchain with rustup. Runs in well under 15 minutes on 2 cores
# when the workspace's debug build is already there (CARGO_TARGET_DIR shared).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-target/packaging}
mkdir -p "$out"
out=$(cd "$out" && pwd)
target_dir=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export CARGO_TERM_COLOR=never
timings="$out/timings.txt"
: > "$timings"
step_name=
step_start=0

step() {
  end_step
  step_name=$1
  step_start=$(date +%s)
  echo "== packaging: $step_name"
}
end_step() {
  if [ -n "$step_name" ]; then
    printf '%5ss  %s\n' "$(($(date +%s) - step_start))" "$step_name" >> "$timings"
  fi
  step_name=
}
fail() {
  echo "check-packaging: FAIL: $*" >&2
  exit 1
}
banner() {
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  for line in "$@"; do echo "!!! $line"; done
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
}
all_start=$(date +%s)

step "system packages"
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have wixl || need+=(wixl)
have msiinfo || need+=(msitools)
have wine || need+=(wine wine64)
have x86_64-w64-mingw32-gcc || need+=(gcc-mingw-w64-x86-64)
have desktop-file-validate || need+=(desktop-file-utils)
have appstreamcli || need+=(appstream)
have xdg-mime || need+=(xdg-utils)
have update-mime-database || need+=(shared-mime-info)
have Xvfb || need+=(xvfb)
have xvfb-run || need+=(xvfb)
have xdotool || need+=(xdotool)
have import || need+=(imagemagick)
have png2icns || need+=(icnsutils)
ldconfig -p 2>/dev/null | grep -q 'libEGL_mesa.so.0' || need+=(libegl1 libegl-mesa0 libgl1-mesa-dri)
ldconfig -p 2>/dev/null | grep -q 'libxkbcommon-x11.so.0' || need+=(libxkbcommon-x11-0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "installing ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    fail "missing ${need[*]} and cannot install them (not root)"
  fi
fi

step "Linux files: desktop-file-validate, appstreamcli, MIME XML"
L=assets/linux
desktop-file-validate "$L/org.isoscope.Isoscope.desktop"
appstreamcli validate --no-net "$L/org.isoscope.Isoscope.metainfo.xml"
python3 - "$L" <<'PY'
import sys, xml.etree.ElementTree as ET
d = sys.argv[1]
ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
root = ET.parse(f"{d}/org.isoscope.Isoscope.mime.xml").getroot()
globs = {g.get("pattern"): t.get("type") for t in root.findall("m:mime-type", ns) for g in t.findall("m:glob", ns)}
for ext in ["udf", "nrg", "mdf", "mds", "chd"]:
    assert f"*.{ext}" in globs, f"no MIME type for .{ext}"
desktop = open(f"{d}/org.isoscope.Isoscope.desktop").read()
mimes = [l.split("=", 1)[1] for l in desktop.splitlines() if l.startswith("MimeType=")][0].split(";")
for t in set(globs.values()) | {"application/x-iso9660-image", "application/x-cd-image", "application/x-cue"}:
    assert t in mimes, f"desktop file does not list {t}"
assert "Exec=isoscope --extract-here %F" in desktop and "Exec=isoscope --extract-to %F" in desktop
print("MIME XML and desktop file agree:", sorted(globs))
PY
grep -q '^Exec=isoscope --extract-here %F$' "$L/org.isoscope.Isoscope.servicemenu.desktop" || fail "service menu has no Extract Here"
for f in "$L"/*.nemo_action; do grep -q '^Exec=isoscope --extract-' "$f" || fail "$f has no batch Exec"; done

step "dmg/Info.plist (plistlib)"
python3 - <<'PY'
import plistlib, re
p = plistlib.load(open("dmg/Info.plist", "rb"))
version = re.search(r'^version = "([^"]+)"', open("Cargo.toml").read(), re.M).group(1)
assert p["CFBundleIdentifier"] == "org.isoscope.Isoscope"
assert p["CFBundleShortVersionString"] == version == p["CFBundleVersion"], "version differs from Cargo.toml"
assert p["CFBundleExecutable"] == "isoscope" and p["CFBundleIconFile"] == "isoscope"
assert p["NSHighResolutionCapable"] is True and p["LSMinimumSystemVersion"]
types = {t for d in p["CFBundleDocumentTypes"] for t in d["LSItemContentTypes"]}
assert all(d["LSHandlerRank"] == "Alternate" for d in p["CFBundleDocumentTypes"])
assert "public.iso-image" in types
exts = {}
for u in p["UTImportedTypeDeclarations"]:
    for e in u["UTTypeTagSpecification"]["public.filename-extension"]:
        exts[e] = u["UTTypeIdentifier"]
for e in ["udf", "cue", "bin", "nrg", "mdf", "mds", "chd"]:
    assert e in exts and exts[e] in types, f".{e} is not a document type"
menu = {s["NSMenuItem"]["default"]: s for s in p["NSServices"]}
assert menu["Extract Here with Isoscope"]["NSMessage"] == "extractHere"
assert menu["Browse with Isoscope"]["NSMessage"] == "browse"
for s in menu.values():
    assert set(s["NSSendFileTypes"]) == types
print("Info.plist: version", version, "types", sorted(types))
PY
icns_dir=$(mktemp -d)
cp -r dmg "$icns_dir/dmg" && mkdir -p "$icns_dir/assets/linux" && cp -r "$L/icons" "$icns_dir/assets/linux/"
sh "$icns_dir/dmg/make-icns.sh" >/dev/null && file "$icns_dir/dmg/isoscope.icns" | grep -q "Mac OS X icon" || fail "make-icns.sh made no .icns"
rm -rf "$icns_dir"

step "Linux build (debug)"
# All targets, as `cargo test --workspace` builds them: the binaries then
# have the same features (dev-dependencies unified) and nothing is rebuilt
# after ./test.sh.
cargo build --workspace --all-targets
bin="$target_dir/debug"

step "install-linux.sh into a temporary prefix, xdg-mime"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export_xdg() {
  export HOME="$t/home" XDG_DATA_HOME="$t/prefix/share" XDG_CONFIG_HOME="$t/config"
  export XDG_DATA_DIRS="$t/prefix/share:/usr/share"
}
(
  export_xdg
  mkdir -p "$HOME"
  sh scripts/install-linux.sh --bin-dir "$bin" "$t/prefix"
  [ -x "$t/prefix/share/kio/servicemenus/org.isoscope.Isoscope.extract.desktop" ] || fail "service menu not executable"
  [ -x "$t/prefix/share/nautilus/scripts/Extract Here with Isoscope" ] || fail "no Nautilus script"
  desktop-file-validate "$t/prefix/share/applications/org.isoscope.Isoscope.desktop"
  grep -q "^Exec=$t/prefix/bin/isoscope %F" "$t/prefix/share/applications/org.isoscope.Isoscope.desktop" || fail "Exec not rewritten"
  for mime in application/x-iso9660-image application/x-cd-image; do
    xdg-mime default org.isoscope.Isoscope.desktop "$mime"
    got=$(xdg-mime query default "$mime")
    [ "$got" = org.isoscope.Isoscope.desktop ] || fail "xdg-mime query default $mime gave '$got'"
  done
  touch "$t/x.nrg" "$t/x.mds"
  [ "$(xdg-mime query filetype "$t/x.nrg")" = application/x-nrg ] || fail ".nrg not typed by the installed MIME data"
  "$t/prefix/bin/isoscope-cli" info "$root/assets/sample.iso" >/dev/null
  sh scripts/install-linux.sh --uninstall "$t/prefix"
  [ ! -e "$t/prefix/bin/isoscope" ] && [ ! -e "$t/prefix/share/applications/org.isoscope.Isoscope.desktop" ] \
    && [ ! -e "$t/prefix/share/mime/packages/org.isoscope.Isoscope.xml" ] || fail "--uninstall left files"
  echo "installed, default set and queried, uninstalled"
)

# A display for the GUI checks: one Xvfb for all of them.
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
trap 'kill "$xvfb_pid" 2>/dev/null || true; rm -rf "$t"' EXIT
for _ in $(seq 50); do [ -S "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.2; done
kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb did not start on $display"
# `exec`: a backgrounded call's $! is then the program itself (killable).
gui_env() {
  exec env -u WAYLAND_DISPLAY DISPLAY="$display" HOME="$t/gui-home" XDG_CONFIG_HOME="$t/gui-home/config" \
    LIBGL_ALWAYS_SOFTWARE=1 "$@"
}
mkdir -p "$t/gui-home"

step "GUI opens a path given as an argument"
probe="$t/probe.txt"
gui_env ISOSCOPE_PROBE="$probe" "$bin/isoscope" "$root/assets/sample.iso" >"$out/gui-open.log" 2>&1 &
gui_pid=$!
opened=
for _ in $(seq 150); do
  if [ -f "$probe" ] && grep -q "	README.txt$" "$probe"; then opened=yes; break; fi
  kill -0 "$gui_pid" 2>/dev/null || break
  sleep 0.2
done
kill "$gui_pid" 2>/dev/null || true
wait "$gui_pid" 2>/dev/null || true
[ -n "$opened" ] || { cat "$out/gui-open.log"; fail "the window did not show the image given on its command line"; }
echo "the window listed the sample's rows: $(cut -f4 "$probe" | tr '\n' ' ')"

check_md5() {  # DIR: every file the disc's md5sum.txt names, by GNU md5sum
  (cd "$1" && md5sum --quiet -c md5sum.txt) || fail "md5sum.txt does not match in $1"
  [ -d "$1/empty" ] || fail "$1/empty missing"
}

step "batch modes (--extract-here twice, --extract-to --dest)"
b="$t/batch"
mkdir -p "$b/images" "$b/to"
cp assets/sample.iso "$b/images/sample.iso"
gui_env "$bin/isoscope" --extract-here --close-when-done "$b/images/sample.iso" 2>&1 | tee "$out/batch-here.log"
check_md5 "$b/images/sample"
echo "changed" > "$b/images/sample/README.txt"
gui_env "$bin/isoscope" --extract-here --close-when-done "$b/images/sample.iso" 2>&1 | tee -a "$out/batch-here.log"
check_md5 "$b/images/sample (2)"
[ "$(cat "$b/images/sample/README.txt")" = changed ] || fail "the second Extract Here overwrote the first folder"
gui_env "$bin/isoscope" --extract-to --dest "$b/to" --close-when-done "$b/images/sample.iso" 2>&1 | tee "$out/batch-to.log"
check_md5 "$b/to/sample"
set +e
gui_env "$bin/isoscope" --extract-here --close-when-done "$root/README.md" >"$out/batch-bad.log" 2>&1 &
bad_pid=$!
sleep 8
kill -0 "$bad_pid" 2>/dev/null
still_open=$?
kill "$bad_pid" 2>/dev/null
wait "$bad_pid" 2>/dev/null
set -e
[ "$still_open" = 0 ] || fail "a failed batch closed its window by itself (errors must be shown)"
grep -q "README.md: cannot open" "$out/batch-bad.log" || fail "the failure was not reported"
echo "batch modes extracted the sample (md5sum.txt ok), never overwrote, kept the window open on an error"

step "Windows GNU build (debug)"
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
cargo build --target x86_64-pc-windows-gnu -p isoscope -p isoscope-cli
win="$target_dir/x86_64-pc-windows-gnu/debug"
# (objdump's output is long: no `| grep -q`, which would cut the pipe under pipefail)
gui_subsystem=$(x86_64-w64-mingw32-objdump -p "$win/isoscope.exe" | grep '^Subsystem')
cli_subsystem=$(x86_64-w64-mingw32-objdump -p "$win/isoscope-cli.exe" | grep '^Subsystem')
case $gui_subsystem in *"(Windows GUI)"*) ;; *) fail "isoscope.exe is not a GUI program: $gui_subsystem" ;; esac
case $cli_subsystem in *"(Windows CUI)"*) ;; *) fail "isoscope-cli.exe is not a console program: $cli_subsystem" ;; esac
echo "isoscope.exe: $gui_subsystem; isoscope-cli.exe: $cli_subsystem"

step "wixl: build the MSI and check its tables"
# Stripped copies (the debug .exe files carry ~300 MB of symbols); wixl
# takes Source paths relative to where it runs: the repository's top.
mkdir -p "$out/win"
for b in isoscope isoscope-cli; do x86_64-w64-mingw32-strip -o "$out/win/$b.exe" "$win/$b.exe"; done
rel_win=$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1]))' "$out/win")
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
wixl -a x64 -D Version="$version" -D CargoTargetBinDir="$rel_win" -o "$out/isoscope.msi" wix/main.wxs
for table in Registry ProgId Extension Verb Shortcut Upgrade File; do
  msiinfo export "$out/isoscope.msi" "$table" > "$out/msi-$table.idt" 2>/dev/null || : > "$out/msi-$table.idt"
done
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
rows = [l.split("\t") for l in open(f"{out}/msi-Registry.idt").read().splitlines()[3:]]
reg = {(r[2], r[3]): r[4] for r in rows if len(r) >= 5 and r[1] == "2"}  # 2 = HKLM
C = "Software\\Classes\\"
def has(key, name, want=None):
    v = reg.get((C + key, name))
    assert v is not None, f"no HKLM\\{C}{key} [{name or '(Default)'}]"
    if want is not None:
        assert want in v, f"{key} [{name}] = {v!r}, wants {want!r}"
has("Isoscope.DiscImage\\shell\\open\\command", "", '"[INSTALLDIR]isoscope.exe" "%1"')
has("Isoscope.DiscImage\\DefaultIcon", "")
has("Applications\\isoscope.exe", "FriendlyAppName", "Isoscope")
exts = ".iso .img .udf .cue .bin .nrg .mdf .mds .ccd .chd".split()
for e in exts:
    has(e + "\\OpenWithProgids", "Isoscope.DiscImage")
    has("Applications\\isoscope.exe\\SupportedTypes", e)
    sfa = "SystemFileAssociations\\" + e + "\\shell\\"
    has(sfa + "Isoscope.ExtractHere\\command", "", "--extract-here")
    has(sfa + "Isoscope.ExtractTo\\command", "", "--extract-to")
    has(sfa + "Isoscope.Browse\\command", "", '"%1"')
    # The extension's own default (its ProgId) is never written.
    assert (C + e, "") not in reg, f"the MSI sets the default of {e}"
for table in ["ProgId", "Extension", "Verb"]:
    body = open(f"{out}/msi-{table}.idt").read().splitlines()[3:]
    assert not body, f"{table} table is not empty (it would take the default): {body}"
assert "StartMenuShortcut" in open(f"{out}/msi-Shortcut.idt").read()
assert "433FF96F-32B4-4674-958C-099A831BF1D0" in open(f"{out}/msi-Upgrade.idt").read()
files = open(f"{out}/msi-File.idt").read()
assert "isoscope.exe" in files and "isoscope-cli.exe" in files
print(f"MSI: {len(reg)} HKLM registry values; ProgId/Extension/Verb tables empty; shortcut and upgrade code present")
PY

step "Wine: isoscope-cli.exe against the Linux build"
export WINEPREFIX="$out/wine-prefix" WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree,mshtml="
rm -rf "$WINEPREFIX"
wineboot -i >/dev/null 2>&1 || true
sh scripts/wine-bcryptprimitives.sh
w="$t/wine"
mkdir -p "$w"
cp assets/sample.iso "$w/sample.iso"
wpath() { echo "Z:$(echo "$1" | tr / '\\')"; }
for cmd in "ls -r" "ls -r --json" "ls / --view joliet -r" "info --json"; do
  sub=${cmd%% *}
  rest=${cmd#* }
  # shellcheck disable=SC2086
  "$bin/isoscope-cli" "$sub" "$w/sample.iso" $rest > "$w/linux.txt"
  # shellcheck disable=SC2086
  wine "$win/isoscope-cli.exe" "$sub" "$(wpath "$w/sample.iso")" $rest | tr -d '\r' > "$w/wine.txt"
  if [ "${cmd%% *}" = info ]; then
    # The image's path is printed as given: compare without it.
    python3 - "$w/linux.txt" "$w/wine.txt" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("path", None); d.pop("image", None)
assert a == b, f"info differs:\n{a}\n{b}"
PY
  else
    diff -u "$w/linux.txt" "$w/wine.txt" || fail "isoscope-cli $cmd differs under Wine"
  fi
  echo "isoscope-cli $cmd: same output on Linux and under Wine"
done
"$bin/isoscope-cli" extract "$w/sample.iso" -o "$w/linux-out" --quiet
wine "$win/isoscope-cli.exe" extract "$(wpath "$w/sample.iso")" -o "$(wpath "$w/wine-out")" --quiet
check_md5 "$w/wine-out"
# Same files and bytes; the symlink becomes a note file on Windows.
diff -r --no-dereference "$w/linux-out" "$w/wine-out" > "$w/extract.diff" || true
grep -v "readme-link" "$w/extract.diff" | grep . && fail "extract differs under Wine: $(cat "$w/extract.diff")"
echo "isoscope-cli extract: same files under Wine (md5sum.txt ok)"

step "Wine: isoscope.exe on the sample under Xvfb (screenshot)"
DISPLAY="$display" wine "$win/isoscope.exe" "$(wpath "$w/sample.iso")" >"$out/wine-gui.log" 2>&1 &
wine_pid=$!
shown=
for _ in $(seq 60); do
  # The main window's title names the image: "sample.iso — Rock Ridge — Isoscope".
  if DISPLAY="$display" xdotool search --name "^sample.iso .*Isoscope$" >/dev/null 2>&1; then shown=yes; break; fi
  sleep 1
done
[ -n "$shown" ] || { cat "$out/wine-gui.log"; fail "isoscope.exe showed no window under Wine"; }
sleep 8
DISPLAY="$display" import -window root "$out/wine-isoscope.png"
kill "$wine_pid" 2>/dev/null || true
wineserver -k 2>/dev/null || true
wait "$wine_pid" 2>/dev/null || true
echo "screenshot: $out/wine-isoscope.png"

step "Wine: msiexec /i /qn and reg query"
# Windows itself gives .iso a default (Windows.IsoFile: "Mount"); a fresh
# Wine prefix has none, so set it first to see that the MSI leaves it alone.
wine reg add 'HKLM\Software\Classes\.iso' /ve /d Windows.IsoFile /f >/dev/null
wine msiexec /i "$(wpath "$out/isoscope.msi")" /qn
wineserver -w
q() { wine reg query "$@" 2>/dev/null | tr -d '\r'; }
q 'HKLM\Software\Classes\Isoscope.DiscImage\shell\open\command' | grep -q 'isoscope.exe" "%1"' || fail "no ProgId open verb"
for e in .iso .img .udf .cue .bin .nrg .mdf .mds .ccd .chd; do
  q "HKLM\\Software\\Classes\\$e\\OpenWithProgids" | grep -q 'Isoscope.DiscImage' || fail "no OpenWithProgids for $e"
  for v in ExtractHere ExtractTo Browse; do
    q "HKLM\\Software\\Classes\\SystemFileAssociations\\$e\\shell\\Isoscope.$v\\command" | grep -q 'isoscope.exe' \
      || fail "no $v verb for $e"
  done
done
q 'HKLM\Software\Classes\Applications\isoscope.exe' | grep -q 'FriendlyAppName.*Isoscope' || fail "no FriendlyAppName"
q 'HKLM\Software\Classes\Applications\isoscope.exe\SupportedTypes' | grep -q '\.chd' || fail "no SupportedTypes"
q 'HKLM\Software\Classes\.iso' /ve | grep -q 'REG_SZ *Windows.IsoFile$' || fail ".iso's default was taken: $(q 'HKLM\Software\Classes\.iso' /ve)"
installed="$WINEPREFIX/drive_c/Program Files/Isoscope"
[ -f "$installed/isoscope.exe" ] && [ -f "$installed/isoscope-cli.exe" ] || fail "binaries not installed in $installed"
wine "C:\\Program Files\\Isoscope\\isoscope-cli.exe" ls "$(wpath "$w/sample.iso")" | tr -d '\r' | grep -q ' README.txt$' \
  || fail "the installed isoscope-cli.exe does not run"
wineserver -k 2>/dev/null || true
echo "MSI installed; ProgId, OpenWithProgids, verbs and Applications key present; .iso's default untouched"
step "cross-target clippy"
for target in x86_64-pc-windows-msvc aarch64-apple-darwin x86_64-apple-darwin; do
  if rustup target list --installed 2>/dev/null | grep -qx "$target" || rustup target add "$target" >/dev/null 2>&1; then
    cargo clippy -p isoscope -p isoscope-cli --target "$target" -- -D warnings
  else
    banner "WARNING: rust target $target could not be installed:" \
      "its platform code (isoscope, isoscope-cli) was NOT type-checked in this run."
  fi
done

end_step

total=$(($(date +%s) - all_start))
printf '%5ss  %s\n' "$total" "total" >> "$timings"
echo "== packaging: all checks passed; timings (also in $timings):"
cat "$timings"
