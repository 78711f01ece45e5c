#!/usr/bin/env bash
# Regenerates the dashboard's icon set in public/ from public/icon.svg (the outputs are committed).
# Needs ImageMagick with an SVG reader: apt-get install --no-install-recommends imagemagick librsvg2-bin
set -euo pipefail
cd "$(dirname "$0")/../public"
png() { convert -background "$1" -density 1024 icon.svg -flatten -resize "$2" -strip "$3"; }
png none 512x512 icon-512.png
png none 192x192 icon-192.png
png "#0d1117" 180x180 apple-touch-icon.png # iOS fills transparency with black: use the icon's own background
convert -background none -density 256 icon.svg -define icon:auto-resize=48,32,16 -strip favicon.ico
