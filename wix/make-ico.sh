#!/bin/sh
# Makes wix/isoscope.ico (the installer's and file types' icon) from the app
# icon assets/isoscope.png with ImageMagick. Re-run after editing the PNG; the
# .ico is committed.
set -eu
cd "$(dirname "$0")"
convert ../assets/isoscope.png -define icon:auto-resize=256,64,48,32,24,16 isoscope.ico
ls -l isoscope.ico
