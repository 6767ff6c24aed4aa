#!/bin/sh
# Draws the app icon (a disc seen through a magnifying glass) with ImageMagick.
# Output: assets/isoscope.png (256x256 RGBA). Re-run after editing; the PNG is committed.
set -eu
cd "$(dirname "$0")"
convert -size 256x256 xc:none \
  -fill '#3b82c4' -stroke '#1d4f7a' -strokewidth 6 -draw 'circle 112,112 112,14' \
  -fill '#9cc7ea' -stroke none -draw 'circle 112,112 112,44' \
  -fill '#dbeeff' -draw 'circle 112,112 112,78' \
  -fill none -stroke '#1d4f7a' -strokewidth 4 -draw 'circle 112,112 112,96' \
  -stroke '#f2b233' -strokewidth 22 -draw 'line 178,178 236,236' \
  -fill none -stroke '#f2b233' -strokewidth 14 -draw 'circle 150,150 150,106' \
  -strip PNG32:isoscope.png
