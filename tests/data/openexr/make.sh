#!/usr/bin/env bash
# Regenerates the OpenEXR test fixtures with OpenImageIO's oiiotool (an encoder independent of EventDeblur; Debian 12:
# apt-get install openimageio-tools, oiiotool 2.4.7). The tests decode each .exr and compare it with the 16-bit PNG it
# was made from (values / 65535, times 3 where the command multiplies), so they check our decoder against OpenEXR's own
# writer. Run from this folder.
set -euo pipefail
# Sources: a smooth image with flat patches (compresses: exercises RLE, ZIP and PXR24) and uniform noise (does not:
# OpenEXR then stores each chunk uncompressed, whatever the file's compression).
oiiotool --pattern fill:topleft=0,0.1,0.9:topright=1,0.5,0:bottomleft=0.2,1,0.3:bottomright=0.9,0.9,1 41x37 3 \
  --pattern checker:width=8:height=8:color1=0.25,0.25,0.25:color2=0,0,0 41x37 3 --add -d uint16 -o smooth-rgb.png
oiiotool --pattern noise:type=uniform:min=0:max=1:seed=7 41x37 3 -d uint16 -o noise-rgb.png
oiiotool --pattern noise:type=uniform:min=0:max=1:seed=8 41x37 1 -d uint16 -o noise-y.png
for c in none rle zips zip piz pxr24; do oiiotool smooth-rgb.png --mulc 3 -d half --compression $c -o smooth-half-$c.exr; done
for c in none zip piz pxr24; do oiiotool smooth-rgb.png --mulc 3 -d float --compression $c -o smooth-float-$c.exr; done
oiiotool smooth-rgb.png --mulc 3 -d uint32 --compression zip -o smooth-uint-zip.exr
oiiotool noise-rgb.png --mulc 3 -d half --compression rle -o noise-half-rle.exr
oiiotool noise-rgb.png --mulc 3 -d half --compression zip -o noise-half-zip.exr
oiiotool noise-y.png -d half --compression zip -o noise-y-half-zip.exr
# Alpha beside colour, a named layer, a data window inside the display window, and what the reader refuses.
oiiotool smooth-rgb.png --ch R,G,B,A=0.5 -d half --compression zip -o smooth-rgba-half-zip.exr
oiiotool smooth-rgb.png --chnames diffuse.R,diffuse.G,diffuse.B -d half --compression zip -o smooth-layer-half-zip.exr
oiiotool smooth-rgb.png --crop 30x20+5+7 -d half --compression zip -o smooth-crop-half-zip.exr
oiiotool smooth-rgb.png -d half --tile 16 16 --compression zip -o smooth-tiled-half-zip.exr
oiiotool noise-y.png -d half --compression piz -o noise-y-half-piz.exr
oiiotool smooth-rgb.png --mulc 3 -d half --compression b44 -o smooth-half-b44.exr
# A block with more than 2^14 distinct 16-bit values (a float gradient's low halves), for PIZ's 16-bit wavelet; the
# ZIP copy is the reference.
oiiotool --pattern fill:topleft=0.01,0.2,0.9:topright=3,0.5,0.02:bottomleft=0.2,1.7,0.3:bottomright=0.9,0.05,2.5 300x40 3 -d float --compression zip -o gradient-float-zip.exr
oiiotool gradient-float-zip.exr --compression piz -o gradient-float-piz.exr
