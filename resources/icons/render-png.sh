#!/bin/sh
# Renders the PNG sizes of the application icon from the SVG. Run by hand after editing the
# SVG (needs rsvg-convert from librsvg2-bin); the PNGs are committed, so building the
# package needs no SVG converter.
set -eu
cd "$(dirname "$0")"
id=io.github.shopstream.ShopStream
for size in 16 32 48 64 128 256; do
  rsvg-convert --width "$size" --height "$size" "$id.svg" --output "$id-$size.png"
done
