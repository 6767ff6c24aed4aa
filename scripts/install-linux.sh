#!/bin/sh
# Installs Isoscope for one user (default ~/.local) or into PREFIX:
# binaries, desktop file, icons, AppStream metadata, MIME types and the
# file-manager entries ("Extract Here" / "Extract To…" in Dolphin, Nemo and
# Nautilus), then refreshes the desktop, MIME and icon caches.
#
#   scripts/install-linux.sh [--bin-dir DIR] [PREFIX]     install
#   scripts/install-linux.sh --uninstall [PREFIX]         remove what install put there
#
# Binaries come from --bin-dir (or $ISOSCOPE_BIN_DIR), else target/release,
# built with `cargo build --release` when missing. The Exec lines of the
# installed desktop files and actions name PREFIX/bin/isoscope, so the entries
# work even when PREFIX/bin is not on PATH.
#
# Nautilus reads scripts only from $XDG_DATA_HOME/nautilus/scripts (default
# ~/.local/share/nautilus/scripts): they are installed there when PREFIX is
# that data home's parent (the default), and skipped with a note otherwise.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
src="$here/assets/linux"
id=org.isoscope.Isoscope
mode=install
bin_dir=${ISOSCOPE_BIN_DIR:-}
prefix=
while [ $# -gt 0 ]; do
  case $1 in
    --uninstall) mode=uninstall ;;
    --bin-dir) bin_dir=$2; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "install-linux.sh: unknown option $1" >&2; exit 2 ;;
    *) prefix=$1 ;;
  esac
  shift
done
[ -n "$prefix" ] || prefix="$HOME/.local"
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
share="$prefix/share"
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
icon_sizes="16 22 24 32 48 64 128 256 512"
nautilus_dir=
if [ "$(cd "$data_home" 2>/dev/null && pwd || echo "$data_home")" = "$share" ]; then
  nautilus_dir="$share/nautilus/scripts"
fi

# Every path install creates, one a line (uninstall removes exactly these).
installed_files() {
  echo "$prefix/bin/isoscope"
  echo "$prefix/bin/isoscope-cli"
  echo "$share/applications/$id.desktop"
  echo "$share/metainfo/$id.metainfo.xml"
  echo "$share/mime/packages/$id.xml"
  for s in $icon_sizes; do echo "$share/icons/hicolor/${s}x${s}/apps/$id.png"; done
  echo "$share/icons/hicolor/scalable/apps/$id.svg"
  echo "$share/kio/servicemenus/$id.extract.desktop"
  echo "$share/nemo/actions/isoscope-extract-here.nemo_action"
  echo "$share/nemo/actions/isoscope-extract-to.nemo_action"
  if [ -n "$nautilus_dir" ]; then
    echo "$nautilus_dir/Extract Here with Isoscope"
    echo "$nautilus_dir/Extract to folder with Isoscope"
  fi
}

# Runs a cache tool when it is installed (it is optional on minimal systems).
refresh() {
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$share/applications" 2>/dev/null || true
  fi
  if command -v update-mime-database >/dev/null 2>&1 && [ -d "$share/mime/packages" ]; then
    update-mime-database "$share/mime"
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$share/icons/hicolor" ]; then
    gtk-update-icon-cache -q -f -t "$share/icons/hicolor" 2>/dev/null || true
  fi
  # KDE rebuilds its service cache on its own; this only makes it immediate.
  if command -v kbuildsycoca6 >/dev/null 2>&1; then kbuildsycoca6 >/dev/null 2>&1 || true; fi
}

# Copies $1 to $2 with mode $3, naming the installed binary in Exec lines.
put() {
  mkdir -p "$(dirname "$2")"
  sed -e "s|^Exec=isoscope |Exec=$prefix/bin/isoscope |" \
      -e "s|^TryExec=isoscope\$|TryExec=$prefix/bin/isoscope|" \
      -e "s|^exec isoscope |exec \"$prefix/bin/isoscope\" |" \
      -e "s|^Dependencies=isoscope;\$|Dependencies=$prefix/bin/isoscope;|" "$1" > "$2.tmp"
  chmod "$3" "$2.tmp"
  mv -f "$2.tmp" "$2"
}

if [ "$mode" = uninstall ]; then
  installed_files | while IFS= read -r f; do rm -f "$f"; done
  refresh
  echo "Isoscope removed from $prefix"
  exit 0
fi

if [ -z "$bin_dir" ]; then
  bin_dir="$here/target/release"
  if [ ! -x "$bin_dir/isoscope" ] || [ ! -x "$bin_dir/isoscope-cli" ]; then
    (cd "$here" && cargo build --release -p isoscope -p isoscope-cli)
  fi
fi
for b in isoscope isoscope-cli; do
  [ -x "$bin_dir/$b" ] || { echo "install-linux.sh: no $bin_dir/$b" >&2; exit 1; }
  mkdir -p "$prefix/bin"
  install -m 0755 "$bin_dir/$b" "$prefix/bin/$b"
done
put "$src/$id.desktop" "$share/applications/$id.desktop" 0644
install -D -m 0644 "$src/$id.metainfo.xml" "$share/metainfo/$id.metainfo.xml"
install -D -m 0644 "$src/$id.mime.xml" "$share/mime/packages/$id.xml"
for s in $icon_sizes; do
  install -D -m 0644 "$src/icons/${s}x${s}/$id.png" "$share/icons/hicolor/${s}x${s}/apps/$id.png"
done
install -D -m 0644 "$src/$id.svg" "$share/icons/hicolor/scalable/apps/$id.svg"
# KIO runs service menus from user folders only when they are executable.
put "$src/$id.servicemenu.desktop" "$share/kio/servicemenus/$id.extract.desktop" 0755
put "$src/isoscope-extract-here.nemo_action" "$share/nemo/actions/isoscope-extract-here.nemo_action" 0644
put "$src/isoscope-extract-to.nemo_action" "$share/nemo/actions/isoscope-extract-to.nemo_action" 0644
if [ -n "$nautilus_dir" ]; then
  put "$src/nautilus/Extract Here with Isoscope" "$nautilus_dir/Extract Here with Isoscope" 0755
  put "$src/nautilus/Extract to folder with Isoscope" "$nautilus_dir/Extract to folder with Isoscope" 0755
else
  echo "note: Nautilus scripts skipped: Nautilus reads them only from $data_home/nautilus/scripts"
fi
refresh
echo "Isoscope installed into $prefix"
echo "Make it the default for .iso: xdg-mime default $id.desktop application/x-cd-image"
