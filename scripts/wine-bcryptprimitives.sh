#!/bin/sh
# Wine 8 (Debian 12) has no ProcessPrng in bcryptprimitives.dll, which the
# Rust standard library imports on Windows for random numbers (HashMap
# seeds): without it every Rust .exe fails to start under that Wine. This
# builds a small stand-in DLL with mingw (ProcessPrng over RtlGenRandom,
# advapi32's SystemFunction036) into the Wine prefix's system32. Run it once
# per prefix; run the programs with WINEDLLOVERRIDES=bcryptprimitives=n,b so
# the stand-in wins over Wine's builtin.
#   scripts/wine-bcryptprimitives.sh        (prefix: $WINEPREFIX or ~/.wine)
set -eu
prefix=${WINEPREFIX:-$HOME/.wine}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/bcp.c" <<'C'
#include <windows.h>
/* advapi32!SystemFunction036, documented as RtlGenRandom. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG len);
/* BOOL ProcessPrng(PBYTE pbData, SIZE_T cbData): fills the buffer, always TRUE. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
C
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" "$work/bcp.c" -ladvapi32
[ -d "$prefix/drive_c/windows/system32" ] || WINEDEBUG=-all wineboot -i >/dev/null 2>&1 || true
[ -d "$prefix/drive_c/windows/system32" ] || { echo "no Wine prefix at $prefix" >&2; exit 1; }
cp "$work/bcryptprimitives.dll" "$prefix/drive_c/windows/system32/bcryptprimitives.dll"
echo "installed the ProcessPrng stand-in into $prefix/drive_c/windows/system32"
