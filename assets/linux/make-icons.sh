#!/bin/sh
# Renders the hicolor PNG sizes of the Linux icon from the scalable drawing
# (org.isoscope.Isoscope.svg) with rsvg-convert (librsvg2-bin). The PNGs are
# committed; re-run after editing the SVG.
set -eu
cd "$(dirname "$0")"
for s in 16 22 24 32 48 64 128 256 512; do
  mkdir -p "icons/${s}x${s}"
  rsvg-convert -w "$s" -h "$s" org.isoscope.Isoscope.svg -o "icons/${s}x${s}/org.isoscope.Isoscope.png"
done
ls -l icons/*/org.isoscope.Isoscope.png
